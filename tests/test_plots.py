"""What the plots draw (tui.app.plots: axes, curves, loss_surface), checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tui.app.plots import axes, curves, loss_surface
from tui.data import load
from tui.engine.objective import Objective
from tui.engine.session import Config, Session

VIEW = loss_surface.SurfaceView()
"""The surface as one plot keeps it (its range widens, its grid is reused); a new session
starts it afresh."""


def seed_session(steps: int = 0) -> Session:
    dataset = load("seed")
    session = Session(dataset.x, dataset.y, Config(loss="mse", lr=2.0))
    session.step(steps)
    return session


def plateau_session(steps: int = 0) -> Session:
    dataset = load("plateau")
    config = Config(loss="mse", reduction="sum", lr=1.0, w0=(-2.0,), b0=-2.0)
    session = Session(dataset.x, dataset.y, config)
    session.step(steps)
    return session


def generated_session(n: int, loss: str = "bce", reduction: str = "mean") -> Session:
    rng = np.random.default_rng(7)
    x = rng.normal(1.0, 2.0, size=(n, 1))
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - 1.0)))).astype(float)
    return Session(x, y, Config(loss=loss, reduction=reduction, lr=0.5))


def diverged_session() -> Session:
    dataset = load("seed")
    session = Session(dataset.x, dataset.y, Config(loss="bce", lr=1e308))
    while not session.diverged:
        session.step()
    return session


# ---- min/max downsampling ---------------------------------------------------------------------


def test_min_max_keeps_every_bins_extremes_and_at_most_two_per_column():
    rng = np.random.default_rng(0)
    losses = np.exp(-np.arange(100_000) / 20_000) + 0.01 * rng.random(100_000)
    losses[31_337] = 50.0  # a spike
    losses[77_777] = 1e-9  # a dip
    columns = 60
    index = curves.min_max_indices(losses, columns)
    assert len(index) <= 2 * columns
    assert np.all(np.diff(index) > 0)  # in step order, no repeats
    assert 31_337 in index and 77_777 in index
    per_bin = math.ceil(len(losses) / columns)
    for start in range(0, len(losses), per_bin):
        part = losses[start : start + per_bin]
        assert start + int(part.argmin()) in index
        assert start + int(part.argmax()) in index


def test_min_max_one_index_for_a_flat_bin_none_for_a_bin_without_finite_values():
    losses = np.ones(1_000)
    losses[100:200] = np.nan  # bin 1 of 10
    losses[300:400] = np.inf
    index = curves.min_max_indices(losses, 10)  # 10 columns: bins of 100 steps
    assert index.tolist() == [0, 200, 400, 500, 600, 700, 800, 900]


def test_min_max_keeps_every_point_when_few():
    losses = np.linspace(1.0, 0.1, 200)
    assert curves.min_max_indices(losses, 100).tolist() == list(range(200))
    curve = curves.loss_curve(losses, 100, log=False)
    assert curve.xs.tolist() == list(range(200))
    assert curve.ys.tolist() == losses.tolist()


def test_million_step_curve_is_as_small_as_its_columns():
    losses = np.abs(np.sin(np.arange(1_000_000) / 1000.0)) + 1e-3
    curve = curves.loss_curve(losses, 120, log=True, mark=999_999)
    assert len(curve.xs) <= 240
    assert curve.ys.min() == pytest.approx(math.log10(losses.min()))
    assert curve.ys.max() == pytest.approx(math.log10(losses.max()))
    assert curve.x.hi == 999_999
    assert curve.mark_y == pytest.approx(math.log10(losses[-1]))


# ---- ticks ------------------------------------------------------------------------------------


def test_log_ticks_at_whole_decades_labelled_in_loss_units():
    losses = np.logspace(0, -6, 500)
    curve = curves.loss_curve(losses, 100, log=True)
    assert (curve.y.lo, curve.y.hi) == pytest.approx((-6.0, 0.0))
    assert curve.y.ticks.labels == ["1e-6", "1e-4", "0.01", "1"]  # 7 decades: every other
    assert curve.y.ticks.positions == [-6.0, -4.0, -2.0, 0.0]
    ticks = axes.log_ticks(-3.2, -0.4)
    assert ticks.labels == ["1e-3", "0.01", "0.1"]
    assert ticks.positions == [-3.0, -2.0, -1.0]


def test_log_ticks_within_two_decades_are_loss_values_inside_the_range():
    for lo, hi in [(0.2, 0.45), (0.02, 0.9), (0.41581, 0.41582), (3e-7, 4e-7)]:
        ticks = axes.log_ticks(math.log10(lo), math.log10(hi))
        assert 2 <= len(ticks.labels) <= 5, (lo, hi, ticks)
        for position, label in zip(ticks.positions, ticks.labels, strict=True):
            assert lo <= float(label) * (1 + 1e-9) and float(label) <= hi * (1 + 1e-9)
            assert position == pytest.approx(math.log10(float(label)), abs=1e-9)
    assert axes.log_ticks(math.log10(0.02), math.log10(0.9)).labels == [
        "0.02",
        "0.05",
        "0.1",
        "0.2",
        "0.5",
    ]


def test_linear_ticks_are_round_and_inside_the_range():
    assert axes.nice_ticks(0.001, 0.046, 5).labels == ["0.01", "0.02", "0.03", "0.04"]
    assert axes.nice_ticks(-3.24, 0.67, 4).labels == ["-3", "-2", "-1", "0"]
    assert axes.nice_ticks(0.0, 1000.0, 5, integer=True).labels == [
        "0",
        "200",
        "400",
        "600",
        "800",
        "1000",
    ]
    assert axes.nice_ticks(0.0, 1.0, 4, integer=True).labels == ["0", "1"]
    ticks = axes.nice_ticks(0.41581999, 0.41582051, 4)
    assert len(set(ticks.labels)) == len(ticks.labels) >= 2
    for position, label in zip(ticks.positions, ticks.labels, strict=True):
        assert float(label) == pytest.approx(position, abs=1e-12)


def test_linear_and_log_curves_have_different_ticks():
    losses = plateau_session(300).losses()
    linear = curves.loss_curve(losses, 100, log=False)
    log = curves.loss_curve(losses, 100, log=True)
    assert linear.y.ticks.labels != log.y.ticks.labels
    assert log.y.ticks.labels[0].startswith("1e-")
    for ticks, lo, hi in [
        (linear.y.ticks, linear.y.lo, linear.y.hi),
        (log.y.ticks, log.y.lo, log.y.hi),
    ]:
        assert all(lo <= p <= hi for p in ticks.positions)


# ---- non-finite and constant losses ----------------------------------------------------------


def test_non_finite_losses_are_left_out_and_flagged():
    losses = np.array([0.7, 0.4, 0.2, np.inf, np.nan])
    for log in (False, True):
        curve = curves.loss_curve(losses, 80, log=log, mark=4)
        assert curve.not_drawn == "L is not finite from step 3: not drawn"
        assert curve.xs.tolist() == [0, 1, 2]
        assert np.isfinite(curve.ys).all()
        assert curve.mark_y is None  # the cursor sits on the inf/nan state
    many = np.concatenate([np.linspace(1, 0.5, 7000), np.full(3000, np.nan)])
    curve = curves.loss_curve(many, 50, log=True)
    assert curve.not_drawn == "L is not finite from step 7000: not drawn"
    assert curve.xs.max() < 7000 and np.isfinite(curve.ys).all()
    assert curves.loss_curve(np.array([0.5, 0.25]), 10, log=False).not_drawn == ""


def test_diverged_session_curve():
    session = diverged_session()
    losses = session.history.losses(0, session.last)
    assert not np.isfinite(losses[-1])
    curve = curves.loss_curve(losses, 100, log=True, mark=session.t)
    assert curve.not_drawn == f"L is not finite at step {session.last}: not drawn"
    assert not curve.empty
    assert math.isfinite(curve.y.lo) and curve.y.lo < curve.y.hi


def test_only_non_finite_losses_give_an_empty_curve():
    curve = curves.loss_curve(np.array([np.nan, np.inf]), 10, log=True)
    assert curve.empty and curve.y.lo < curve.y.hi
    assert curve.not_drawn == "L is not finite from step 0: not drawn"


def test_constant_and_zero_losses_get_a_range_and_ticks():
    for value in (0.3, 0.0):
        losses = np.full(50, value)
        for log in (False, True):
            curve = curves.loss_curve(losses, 40, log=log, mark=0)
            assert curve.y.lo < curve.y.hi
            assert len(curve.y.ticks.positions) >= 1
            assert all(curve.y.lo <= p <= curve.y.hi for p in curve.y.ticks.positions)
    # log10 of 0 uses the smallest positive loss, or 1e-300 when there is none
    assert curves.loss_curve(np.zeros(3), 10, log=True).ys.tolist() == [-300.0] * 3
    curve = curves.loss_curve(np.array([0.5, 0.0, 0.01]), 10, log=True)
    assert curve.ys.tolist() == pytest.approx([math.log10(0.5), -2.0, -2.0])


def test_single_state_curve():
    curve = curves.loss_curve(seed_session().losses(), 100, log=False, mark=0)
    assert curve.xs.tolist() == [0.0] and (curve.x.lo, curve.x.hi) == (0.0, 1.0)
    assert curve.mark_x == 0 and curve.before_mark == 1


# ---- the fit ----------------------------------------------------------------------------------


def test_fit_curve_is_the_sigmoid_at_theta_t():
    session = seed_session(25)
    w, b = session.w()[0], session.b()
    x, y_hat = curves.fit_curve(session, 50)
    assert len(x) == 50
    x_lo, x_hi, y_lo, y_hi = curves.fit_range(session)
    assert (x[0], x[-1]) == (x_lo, x_hi) == pytest.approx((0.5 - 0.2, 4.5 + 0.2))  # 5% of 4
    assert (y_lo, y_hi) == (-0.05, 1.05)
    for i in (0, 17, 49):
        assert y_hat[i] == pytest.approx(1 / (1 + math.exp(-(w * x[i] + b))), rel=1e-15)


def test_predict_is_the_engines_y_hat():
    session = seed_session(10)
    y_hat = session.objective.predict(session.theta(), session.objective.x)
    assert y_hat.tolist() == pytest.approx(session.points().y_hat.tolist(), rel=1e-15)


def test_fit_range_widens_for_targets_outside_zero_one():
    x = np.array([[0.0], [1.0]])
    session = Session(x, np.array([-0.5, 2.0]), Config())
    assert curves.fit_range(session)[2:] == (-0.5, 2.0)


def test_data_points_every_point_or_an_even_stride():
    session = seed_session()
    x, y = curves.data_points(session)
    assert x.tolist() == [0.5, 1.0, 2.0, 3.5, 4.5] and y.tolist() == [0.1, 0.3, 0.4, 0.8, 0.9]
    big = generated_session(3000)
    x, y = curves.data_points(big, limit=2000)
    assert x.tolist() == big.objective.x[::2, 0].tolist()
    assert y.tolist() == big.objective.y[::2].tolist()


def test_fit_and_surface_need_one_feature():
    iris = load("iris")
    session = Session(iris.x, iris.y, Config(loss="bce"))
    for draw in (curves.fit_range, curves.data_points, VIEW.range):
        with pytest.raises(ValueError, match="one feature"):
            draw(session)
    with pytest.raises(ValueError, match="one feature"):
        VIEW.surface(session, 10, 10)


# ---- the loss surface -------------------------------------------------------------------------


@pytest.mark.parametrize("make", [seed_session, plateau_session])
def test_surface_cells_are_the_full_data_loss(make):
    session = make(200)
    surface = VIEW.surface(session, 37, 23)
    assert surface.loss.shape == (23, 37)
    assert surface.subsampled_from is None and surface.points == session.n
    for r, c in [(0, 0), (22, 36), (11, 5), (3, 30)]:
        theta = np.array([surface.ws[c], surface.bs[r]])
        assert surface.loss[r, c] == pytest.approx(session.objective.value(theta), rel=1e-12)


@pytest.mark.parametrize("loss, reduction", [("bce", "mean"), ("mse", "sum")])
def test_big_data_surface_is_the_loss_over_an_even_stride_subsample(loss, reduction):
    session = generated_session(3000, loss, reduction)
    session.step(20)
    surface = VIEW.surface(session, 30, 12)
    assert surface.subsampled_from == 3000 and surface.points == 1500
    x, y = session.objective.x, session.objective.y
    sub = Objective(x[::2], y[::2], loss, reduction)
    for r, c in [(0, 0), (11, 29), (6, 14)]:
        theta = np.array([surface.ws[c], surface.bs[r]])
        assert surface.loss[r, c] == pytest.approx(sub.value(theta), rel=1e-12)


def test_surface_path_is_the_theta_history():
    session = seed_session(300)
    surface = VIEW.surface(session, 40, 20)
    assert surface.path_w.tolist() == session.thetas()[:, 0].tolist()
    assert surface.path_b.tolist() == session.thetas()[:, 1].tolist()
    assert (surface.w, surface.b) == (session.w()[0], session.b())
    session.goto(5000)
    surface = VIEW.surface(session, 40, 20)
    assert len(surface.path_w) == loss_surface.PATH_POINTS
    thetas = session.thetas()
    assert (surface.path_w[0], surface.path_b[0]) == tuple(thetas[0])
    assert (surface.path_w[-1], surface.path_b[-1]) == tuple(thetas[-1])
    assert set(surface.path_w.tolist()) <= set(thetas[:, 0].tolist())


def test_surface_range_path_box_plus_margin_and_at_least_one_around_theta():
    session = seed_session()
    assert VIEW.range(session) == (-1.0, 1.0, -1.0, 1.0)  # θ_0 = (0, 0)
    session = seed_session(400)
    thetas = session.thetas()
    w_lo, w_hi, b_lo, b_hi = VIEW.range(session)
    for lo, hi, column in [(w_lo, w_hi, thetas[:, 0]), (b_lo, b_hi, thetas[:, 1])]:
        span = column.max() - column.min()
        assert lo == pytest.approx(min(column.min() - 0.3 * span, column[-1] - 1))
        assert hi == pytest.approx(max(column.max() + 0.3 * span, column[-1] + 1))


def test_surface_range_only_widens_when_the_path_leaves_it():
    session = seed_session(20)
    first = VIEW.range(session)
    session.goto(3)
    assert VIEW.range(session) == first  # back: the map stays
    session.goto(21)
    assert VIEW.range(session) == first  # still inside: the map stays
    session.goto(1000)
    wider = VIEW.range(session)
    assert wider != first
    assert wider[0] <= first[0] and wider[1] >= first[1]
    assert wider[2] <= first[2] and wider[3] >= first[3]
    thetas = session.thetas()
    assert wider[0] <= thetas[:, 0].min() and thetas[:, 0].max() <= wider[1]
    assert wider[2] <= thetas[:, 1].min() and thetas[:, 1].max() <= wider[3]


def test_surface_grid_is_reused_for_the_same_range_and_size():
    session = seed_session(50)
    first = VIEW.surface(session, 30, 10)
    session.back(10)  # the path changes, the range and the grid do not
    again = VIEW.surface(session, 30, 10)
    assert again.loss is first.loss
    assert len(again.path_w) == len(first.path_w) - 10
    assert VIEW.surface(session, 31, 10).loss is not first.loss
    other = seed_session(50)  # another session: its own grid
    assert VIEW.surface(other, 30, 10).loss is not first.loss


def test_surface_levels_and_bands():
    session = seed_session(1000)
    surface = VIEW.surface(session, 50, 20)
    assert np.nanmin(surface.level) == 0.0 and np.nanmax(surface.level) == 1.0
    assert surface.log_lo == pytest.approx(math.log10(surface.loss.min()))
    assert surface.log_hi == pytest.approx(math.log10(surface.loss.max()))
    bands = loss_surface.band_grid(surface, 16)
    assert bands[np.unravel_index(surface.loss.argmin(), bands.shape)] == 0
    assert bands[np.unravel_index(surface.loss.argmax(), bands.shape)] == 15
    assert bands.min() >= 0


def test_diverged_surface_stays_finite_in_its_range():
    session = diverged_session()  # θ_1 = (4.5e307, 1.1e291), L(θ_1) = nan
    surface = VIEW.surface(session, 40, 15)
    assert all(math.isfinite(v) and abs(v) <= axes.RANGE_LIMIT for v in surface.bounds)
    assert surface.bounds[0] < surface.bounds[1] and surface.bounds[2] < surface.bounds[3]
    assert surface.path_w.tolist() == session.thetas()[:, 0].tolist()  # as they are …
    w_lo, w_hi, b_lo, b_hi = surface.bounds
    drawn = axes.drawable(
        surface.path_w, surface.path_b, axes.axis(w_lo, w_hi, 4), axes.axis(b_lo, b_hi, 4)
    )
    assert drawn.clipped == 1 and drawn.not_finite == 0  # … and θ_1 drawn at the edge
    assert drawn.x == [0.5, 1.0] and 0 < drawn.y[0] < drawn.y[1] < 1


def test_surface_of_a_million_points_is_computed_on_a_subsample():
    big = generated_session(1_000_000)
    surface = VIEW.surface(big, 100, 40)
    assert surface.subsampled_from == 1_000_000 and surface.points == 2000
    assert surface.loss.shape == (40, 100)
