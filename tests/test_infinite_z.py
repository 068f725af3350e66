"""Where z overflows to ±∞ (a diverging run), bce's ℓ is its limit, +∞ or 0, not the nan of
∞ − ∞ (issue 8.5: where the arithmetic gives +inf, show inf)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui import data
from tui.config import make_config
from tui.engine.model import BCE, MSE
from tui.engine.objective import Objective
from tui.engine.session import Session

INF = math.inf


def test_the_limits_of_bce_at_infinite_z():
    z = np.array([INF, INF, INF, -INF, -INF, -INF, 3.0, math.nan])
    y = np.array([1.0, 0.0, 0.25, 0.0, 1.0, 0.25, 1.0, 0.5])
    with np.errstate(all="ignore"):
        raw = BCE.point_loss(z, y, np.zeros_like(z), np)
    assert np.isnan(raw[[0, 2, 3]]).all()  # ∞ − ∞ and 0·∞: what the formula meets
    fixed = BCE.at_infinite_z(z, y, raw)
    assert fixed[:6].tolist() == [0.0, INF, INF, 0.0, INF, INF]
    assert fixed[6] == raw[6] and math.isnan(fixed[7])  # finite z kept; a nan z stays nan
    assert MSE.at_infinite_z(z, y, raw) is raw


@pytest.mark.parametrize("n", [5, 300])  # the tiny-data float path and the numpy path
def test_a_bce_run_that_overflows_z_has_an_infinite_loss_not_nan(n):
    seed = data.load("seed")
    x = np.resize(seed.x, (n, 1))
    y = np.resize(seed.y, n)
    config, _ = make_config(seed, {"loss": "bce", "lr": "1e308"})
    session = Session(x, y, config)
    session.step(1)
    with np.errstate(over="ignore"):
        z = x[:, 0] * session.w()[0] + session.b()
    assert np.isinf(z).any()  # the update overflowed some z
    assert session.loss() == INF and session.diverged
    points = session.points()
    assert np.isinf(points.loss).any() and not np.isnan(points.loss).any()


def test_finite_z_keeps_every_bit():
    seed = data.load("seed")
    objective = Objective(seed.x, seed.y, "bce", "mean")
    theta = np.array([0.7, -1.3])
    loss, _ = objective.evaluate(theta)
    z = seed.x[:, 0] * 0.7 - 1.3
    terms = [BCE.point_loss(float(a), float(b), 0.0, np) for a, b in zip(z, seed.y, strict=True)]
    assert loss == math.fsum(terms) / 5


def test_sums_that_meet_minus_inf_plus_inf_give_nan_not_an_error():
    """fsum refuses −inf + inf (ValueError) as it refuses to overflow: the plain sum's nan."""
    x = np.array([[-1e308], [1.7976931348623157e308]])
    y = np.array([1.7976931348623157e308, 1.7976931348623157e308])
    objective = Objective(x, y, "mse", "sum")
    with np.errstate(all="ignore"):
        loss, grad = objective.evaluate(np.zeros(2))  # Δw_i = +inf and -inf
        total = objective.gradient_sum(np.zeros(2), slice(0, 2))
    assert loss == INF and math.isnan(grad[0]) and math.isnan(total[0])
