"""The engine against MATH.md: worked numbers, an independent implementation, finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference
from tui.data import load
from tui.engine.diagnostics import diagnose, gradient_check, norm
from tui.engine.model import BCE, MSE, FloatMath, sigmoid, sigmoid_scalar
from tui.engine.objective import TINY, Objective
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.session import Config, Session

PLATEAU_X = np.array([[0.5], [2.5]])
PLATEAU_Y = np.array([0.2, 0.9])
PLATEAU = Config(loss="mse", reduction="sum", optimizer="gd", lr=1.0, w0=(-2.0,), b0=-2.0)


def plateau() -> Session:
    return Session(PLATEAU_X, PLATEAU_Y, PLATEAU)


# ---- MATH.md's worked numbers ----------------------------------------------------------------


def test_worked_numbers_at_the_start():
    s = plateau()
    assert s.loss() == pytest.approx(0.41581990, abs=5e-9)
    assert s.grad()[0] == pytest.approx(-0.0054923, abs=5e-8)
    assert s.grad()[1] == pytest.approx(-0.0077112, abs=5e-8)


def test_worked_numbers_after_one_update():
    s = plateau()
    s.step()
    assert s.w()[0] == pytest.approx(-1.994508, abs=5e-7)
    assert s.b() == pytest.approx(-1.992289, abs=5e-7)


def test_worked_numbers_plateau_then_drop():
    s = plateau()
    s.goto(60)
    assert round(s.loss(), 2) == 0.40
    s.goto(100)
    assert round(s.loss(), 3) == 0.018
    s.goto(1000)
    assert s.loss() == pytest.approx(2.4e-11, rel=0.05)
    w_star = (math.log(0.9 / 0.1) - math.log(0.2 / 0.8)) / 2
    b_star = math.log(0.2 / 0.8) - 0.5 * w_star
    assert w_star == pytest.approx(1.7917595, abs=1e-7)
    assert b_star == pytest.approx(-2.2821741, abs=1e-7)
    assert s.w()[0] == pytest.approx(w_star, abs=1e-4)
    assert s.b() == pytest.approx(b_star, abs=1e-4)


def test_hand_computed_first_step_of_one_point():
    # One point x = 1, y = 1, w = b = 0: ŷ = ½, r = −½, Δw = r·ŷ·(1−ŷ)·x = −⅛.
    s = Session(np.array([[1.0]]), np.array([1.0]), Config(lr=2.0))
    assert s.loss() == 0.125
    assert s.grad().tolist() == [-0.125, -0.125]
    s.step()
    assert s.theta().tolist() == [0.25, 0.25]
    bce = Session(np.array([[1.0]]), np.array([1.0]), Config(loss="bce"))
    assert bce.loss() == pytest.approx(math.log(2), rel=1e-15)
    assert bce.grad().tolist() == [-0.5, -0.5]


# ---- the model --------------------------------------------------------------------------------


def test_sigmoid_is_finite_and_quiet_for_every_finite_z():
    z = np.array([-1e308, -800.0, -745.0, -30.0, 0.0, 30.0, 800.0, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = sigmoid(z)
        sp = BCE.point_loss(z, 0.0, y, np)  # softplus(z)
    assert np.isfinite(y).all() and np.isfinite(sp).all()
    assert 0.0 < y[0] < 1.3e-308 and y[-1] == 1.0 and y[4] == 0.5
    assert y[3] == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-15)
    assert sp[-1] == 1e308 and sp[1] == 0.0
    for v in z:
        assert sigmoid_scalar(float(v)) == pytest.approx(
            float(sigmoid(np.array([v]))[0]), rel=1e-15
        )


def test_bce_from_z_matches_the_log_form_where_that_is_finite():
    z = np.linspace(-20, 20, 41)
    y = np.linspace(0, 1, 41)
    y_hat = sigmoid(z)
    direct = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert BCE.point_loss(z, y, y_hat - y, np) == pytest.approx(direct, rel=1e-9)
    # Far out, the log form gives inf but the z form stays finite and exact.
    assert BCE.point_loss(800.0, 0.0, 1.0, FloatMath) == 800.0


@pytest.mark.parametrize("tiny", [True, False])
def test_bce_keeps_the_tiny_loss_of_a_confidently_right_point(tiny):
    # MATH.md: y = 1, z = 30 gives ℓ = 9.3576e−14; softplus(z) − y·z gave 9.2e−14, and 0 from
    # z ≈ 36 on. Both paths (floats for tiny data, numpy otherwise) compute it in MATH.md's order.
    for z, y in [(30.0, 1.0), (40.0, 1.0), (-30.0, 0.0), (-40.0, 0.0)]:
        objective = Objective(np.array([[1.0]]), np.array([y]), "bce", "sum")
        objective.tiny = tiny
        exact = math.log1p(math.exp(-abs(z)))  # ln(1 + e^(−30)) = 9.3576e−14
        assert objective.value(np.array([z, 0.0])) == pytest.approx(exact, rel=1e-4)
        assert objective.points(np.array([z, 0.0])).loss[0] == pytest.approx(exact, rel=1e-4)
    assert BCE.point_loss(30.0, 1.0, 0.0, FloatMath) == pytest.approx(9.3576e-14, rel=1e-4)


@pytest.mark.parametrize("xp", [np, FloatMath])
def test_bce_is_finite_for_every_finite_z(xp):
    for z in [-1e308, -800.0, -5e-324, 0.0, 5e-324, 800.0, 1e308]:
        for y in [0.0, 0.25, 1.0]:
            value = BCE.point_loss(np.float64(z) if xp is np else z, y, 0.0, xp)
            assert math.isfinite(value) and value >= 0.0


@given(st.floats(-30, 30), st.floats(0, 1))
def test_dz_and_curvature_are_the_derivatives_in_z(z, y):
    for loss in (MSE, BCE):

        def ell(zz, loss=loss):
            a = np.array([zz])
            return float(loss.point_loss(a, y, sigmoid(a) - y, np)[0])

        def d1(zz, loss=loss):
            y_hat = sigmoid(np.array([zz]))
            return float(loss.dz(y_hat, y_hat - y)[0])

        h = 1e-5
        y_hat = sigmoid(np.array([z]))
        assert loss.dz(y_hat, y_hat - y)[0] == pytest.approx(
            (ell(z + h) - ell(z - h)) / (2 * h), abs=1e-7
        )
        assert loss.curvature(y_hat, y_hat - y)[0] == pytest.approx(
            (d1(z + h) - d1(z - h)) / (2 * h), abs=1e-7
        )


# ---- the engine against the independent implementation -----------------------------------------

RNG = np.random.default_rng(7)
SMALL_X = RNG.normal(size=(7, 2))
SMALL_Y = RNG.uniform(size=7)
BIG_X = RNG.normal(size=(300, 3))
BIG_Y = (RNG.uniform(size=300) < 0.5).astype(float)

CASES = [
    (opt, loss, red, size, shuffle)
    for opt in OPTIMIZERS
    for loss in ("mse", "bce")
    for red in ("mean", "sum")
    for size, shuffle in (
        [(1, False), (1, True)]
        if opt == "sgd"
        else [(3, False), (3, True)]
        if opt == "minibatch"
        else [(None, False)]
        if opt == "gd"
        else [(None, False), (3, True)]
    )
]


@pytest.mark.parametrize("data", ["small", "big"])
@pytest.mark.parametrize(("optimizer", "loss", "reduction", "batch_size", "shuffle"), CASES)
def test_trajectory_matches_the_reference(data, optimizer, loss, reduction, batch_size, shuffle):
    x, y = (SMALL_X, SMALL_Y) if data == "small" else (BIG_X, BIG_Y)
    lr = 0.3 if reduction == "mean" else 0.3 / len(x)
    w0 = (0.1, -0.2, 0.3)[: x.shape[1]]
    config = Config(
        loss=loss,
        reduction=reduction,
        optimizer=optimizer,
        lr=lr,
        w0=w0,
        b0=0.05,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=11,
    )
    session = Session(x, y, config)
    assert session.objective.tiny == (data == "small")
    steps = 25
    expected = reference.run(
        x,
        y,
        loss=loss,
        reduction=reduction,
        optimizer=optimizer,
        lr=lr,
        w0=w0,
        b0=0.05,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=11,
        steps=steps,
    )
    assert session.step(steps) == steps
    for t, (theta, loss_t, g) in enumerate(expected):
        np.testing.assert_allclose(session.theta(t), theta, rtol=1e-9, atol=1e-12)
        assert session.loss(t) == pytest.approx(loss_t, rel=1e-10, abs=1e-14)
        np.testing.assert_allclose(session.grad(t), g, rtol=1e-9, atol=1e-14)


# ---- properties: derivatives, history, determinism ----------------------------------------------

finite = st.floats(-3, 3, allow_nan=False)


@st.composite
def problems(draw):
    n = draw(st.integers(1, 12))
    d = draw(st.integers(1, 3))
    x = np.array(draw(st.lists(st.lists(finite, min_size=d, max_size=d), min_size=n, max_size=n)))
    y = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    theta = np.array(draw(st.lists(finite, min_size=d + 1, max_size=d + 1)))
    loss = draw(st.sampled_from(["mse", "bce"]))
    reduction = draw(st.sampled_from(["mean", "sum"]))
    return Objective(x, y, loss, reduction), theta


@settings(max_examples=150, deadline=None)
@given(problems())
def test_gradient_matches_finite_differences(problem):
    objective, theta = problem
    check = gradient_check(objective, theta)
    # Central differences lose about ε·L/h to rounding (h = 1e−6·max(1, |θ_j|)): where the
    # gradient is tiny next to L, MATH.md's 1e−6 relative bound is below what they can resolve.
    resolution = 1e-9 * (1 + abs(objective.value(theta))) * max(1, np.abs(theta).max())
    assert check.relative_error < 1e-6 or np.abs(check.analytic - check.numeric).max() < resolution


@settings(max_examples=100, deadline=None)
@given(problems())
def test_hessian_matches_finite_differences_of_the_gradient(problem):
    objective, theta = problem
    h = 1e-5
    numeric = np.empty((len(theta), len(theta)))
    for j in range(len(theta)):
        step = np.zeros(len(theta))
        step[j] = h
        numeric[:, j] = (objective.gradient(theta + step) - objective.gradient(theta - step)) / (
            2 * h
        )
    np.testing.assert_allclose(objective.hessian(theta), numeric, atol=1e-6 * max(1, objective.n))


@settings(max_examples=60, deadline=None)
@given(
    problems(),
    st.sampled_from(list(OPTIMIZERS)),
    st.integers(0, 40),
    st.integers(0, 40),
    st.booleans(),
)
def test_back_then_step_reproduces_every_bit(problem, optimizer, k, j, shuffle):
    objective, theta = problem
    size = {"sgd": 1, "minibatch": 2, "gd": None}.get(optimizer, 2 if shuffle else None)
    config = Config(
        loss=objective.loss_name,
        reduction=objective.reduction,
        optimizer=optimizer,
        lr=0.5,
        w0=tuple(theta[:-1]),
        b0=float(theta[-1]),
        batch_size=size,
        shuffle=shuffle,
        seed=3,
    )
    s = Session(objective.x, objective.y, config)
    s.step(k + j)
    t = s.t
    kept = [
        (s.theta(i).copy(), s.loss(i), s.grad(i).copy(), s.state(i).copy()) for i in range(t + 1)
    ]
    s.back(j)
    assert s.t == t - j
    # A fresh session that computes everything again gives the same bits.
    fresh = Session(objective.x, objective.y, config)
    fresh.step(t)
    for i, (th, loss, g, state) in enumerate(kept):
        assert fresh.theta(i).tobytes() == th.tobytes()
        assert fresh.loss(i) == loss or (math.isnan(loss) and math.isnan(fresh.loss(i)))
        assert fresh.grad(i).tobytes() == g.tobytes()
        assert fresh.state(i).tobytes() == state.tobytes()
    s.step(j)
    assert s.t == t and s.theta().tobytes() == kept[t][0].tobytes()


def test_going_back_restores_the_optimizer_state_and_lr():
    s = Session(SMALL_X, SMALL_Y, Config(optimizer="adam", lr=0.1))
    s.step(5)
    s.set_lr(0.01)
    s.step(5)
    after = s.theta().copy()
    s.back(7)
    assert s.lr() == 0.1
    # Recomputing from step 3 (history dropped by an η change back and forth) gives the same.
    s.set_lr(0.2)
    s.set_lr(0.1)
    assert s.last == 3
    s.step(2)
    s.set_lr(0.01)
    s.step(5)
    assert s.theta().tobytes() == after.tobytes()


def test_same_seed_same_run_other_seed_other_run():
    def run(seed):
        s = Session(
            BIG_X, BIG_Y, Config(optimizer="minibatch", batch_size=32, shuffle=True, seed=seed)
        )
        s.step(40)
        return s.thetas().copy()

    assert np.array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_shuffled_epochs_are_fresh_permutations_and_any_epoch_can_be_revisited():
    s = Session(BIG_X, BIG_Y, Config(optimizer="minibatch", batch_size=100, shuffle=True, seed=1))
    rng = np.random.default_rng(1)
    perms = [rng.permutation(300) for _ in range(4)]
    for epoch in (3, 0, 2, 1):
        for j in range(3):
            assert np.array_equal(s.batch(epoch * 3 + j), perms[epoch][j * 100 : (j + 1) * 100])


def test_minibatch_chunks_in_file_order_with_a_short_last_chunk():
    s = Session(SMALL_X, SMALL_Y, Config(optimizer="minibatch", batch_size=3))
    assert [s.batch(t) for t in range(4)] == [slice(0, 3), slice(3, 6), slice(6, 7), slice(0, 3)]
    sgd = Session(SMALL_X, SMALL_Y, Config(optimizer="sgd", batch_size=1))
    assert [sgd.batch(t) for t in (0, 6, 7)] == [slice(0, 1), slice(6, 7), slice(0, 1)]


def test_lr_change_applies_from_the_next_update():
    s = plateau()
    s.step(3)
    theta3, g3 = s.theta().copy(), s.grad().copy()
    s.set_lr(4.0)
    assert s.last == 3
    s.step()
    np.testing.assert_array_equal(s.theta(), theta3 - 4.0 * g3)
    assert s.lr(2) == 1.0 and s.lr(3) == 4.0 and s.lr(4) == 4.0


def test_reset_goes_back_to_the_start_with_the_starting_lr():
    s = plateau()
    s.step(10)
    s.set_lr(3.0)
    s.step(2)
    s.reset()
    assert s.t == 0 and s.last == 0 and s.lr() == 1.0
    assert s.theta().tolist() == [-2.0, -2.0]


def test_goto_runs_forward_and_rewinds():
    s = plateau()
    assert s.goto(50) == 50
    fifty = s.theta().copy()
    assert s.goto(10) == 10
    assert s.last == 50
    assert s.goto(50) == 50 and s.theta().tobytes() == fifty.tobytes()


def test_history_is_compact():
    x = np.linspace(-1, 1, 5)[:, None]
    for optimizer in ("gd", "adam"):
        s = Session(x, np.linspace(0.1, 0.9, 5), Config(optimizer=optimizer))
        s.step(100_000)
        assert s.history.nbytes / (s.last + 1) <= 100


def test_divergence_stops_at_the_first_non_finite_state_and_back_steps_out():
    s = Session(np.array([[0.5], [4.5]]), np.array([0.1, 0.9]), Config(loss="bce", lr=1e308))
    moved = s.step(100)
    assert moved < 100 and s.diverged
    bad = s.t
    assert not s.is_finite(bad) and all(s.is_finite(t) for t in range(bad))
    assert s.step(5) == 0 and s.t == bad
    s.back()
    assert s.is_finite(s.t)
    s.set_lr(0.5)
    assert not s.diverged and s.step(3) == 3


# ---- Taylor quantities -------------------------------------------------------------------------


def test_taylor_quantities_of_a_gd_step():
    s = plateau()
    s.step(5)
    diag = diagnose(s)
    before = s.theta(4)
    g = s.objective.gradient(before)
    assert diag.last_update.dl1 == pytest.approx(-1.0 * g @ g, rel=1e-12)
    assert diag.last_update.cos_beta == pytest.approx(-1.0, abs=1e-12)
    assert diag.last_update.dl == s.loss(5) - s.loss(4)
    dtheta = s.theta(5) - before
    h = s.objective.hessian(before)
    assert diag.last_update.dl2 == pytest.approx(g @ dtheta + 0.5 * dtheta @ h @ dtheta, rel=1e-12)
    # The second-order prediction is closer to the truth than the first.
    assert abs(diag.last_update.dl2 - diag.last_update.dl) < abs(
        diag.last_update.dl1 - diag.last_update.dl
    )
    assert diagnose(s, 0).last_update is None


def test_stability_hint_on_a_convex_problem():
    x = np.array([[1.0], [-1.0], [2.0], [0.5], [-2.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    s = Session(x, y, Config(loss="bce", lr=0.5))
    s.step(5000)  # to the minimum
    c = diagnose(s).at_t
    expected = np.linalg.eigvalsh(s.objective.hessian(s.theta()))[-1]
    assert c.lambda_max == pytest.approx(expected) and c.lr_limit == pytest.approx(2 / expected)

    def losses(lr):  # from a start near the minimum
        near = Session(x, y, Config(loss="bce", lr=lr, w0=(s.w()[0] + 0.05,), b0=s.b() - 0.05))
        near.step(20)
        return near.losses()

    below = losses(c.lr_limit * 0.5)
    past = losses(c.lr_limit * 2)
    assert (np.diff(below) <= 0).all()
    assert (np.diff(past) > 0).any() and past[-1] > past[0]


def test_plateau_has_no_positive_curvature_so_no_lr_limit():
    c = diagnose(plateau()).at_t
    assert c.lambda_max < 0 and c.lr_limit == math.inf


def test_paths_agree_tiny_and_numpy():
    # Just above and below the tiny threshold the two paths compute the same numbers.
    x = np.linspace(-2, 2, TINY + 1)[:, None]
    y = np.linspace(0, 1, TINY + 1)
    big = Objective(x, y, "bce", "mean")
    small = Objective(x[:TINY], y[:TINY], "bce", "mean")
    assert not big.tiny and small.tiny
    theta = np.array([0.7, -0.2])
    as_numpy = Objective(x[:TINY], y[:TINY], "bce", "mean")
    as_numpy.tiny = False
    l1, g1 = small.evaluate(theta)
    l2, g2 = as_numpy.evaluate(theta)
    assert l1 == pytest.approx(l2, rel=1e-14)
    np.testing.assert_allclose(g1, g2, rtol=1e-13)


def test_edit_sets_theta_and_recomputes_the_step():
    s = plateau()
    s.step(5)
    s.back(2)
    s.edit(np.array([1.0, -2.0]))
    assert s.t == 3 and s.last == 3
    assert s.theta().tolist() == [1.0, -2.0]
    loss, grad = s.objective.evaluate(np.array([1.0, -2.0]))
    assert s.loss() == loss and s.grad().tolist() == grad.tolist()
    s.step()
    assert s.theta().tolist() == (np.array([1.0, -2.0]) - 1.0 * grad).tolist()
    with pytest.raises(ValueError, match="θ needs 2 numbers"):
        s.edit(np.array([1.0, 2.0, 3.0]))


def test_replaying_the_events_gives_the_same_bits():
    s = Session(SMALL_X, SMALL_Y, Config(optimizer="adam", lr=0.1))
    s.step(7)
    s.set_lr(0.05)
    s.step(4)
    s.back(2)
    s.edit(np.array([0.3, -0.1, 0.2]))
    s.step(6)
    s.set_lr(0.2)
    s.step(3)
    s.back(1)
    assert [(e.kind, e.step) for e in s.events] == [("lr", 7), ("edit", 9), ("lr", 15)]
    again = Session(SMALL_X, SMALL_Y, Config(optimizer="adam", lr=0.1))
    again.replay(s.events, s.t)
    assert again.t == s.t and again.last == s.t
    for t in range(s.t + 1):
        assert again.theta(t).tobytes() == s.theta(t).tobytes()
        assert again.state(t).tobytes() == s.state(t).tobytes()
        assert again.lr(t) == s.lr(t)


def test_a_change_at_an_earlier_step_drops_the_later_events():
    s = plateau()
    s.step(10)
    s.set_lr(2.0)
    s.back(5)
    s.set_lr(3.0)
    assert [(e.step, e.values) for e in s.events] == [(5, (3.0,))]
    s.reset()
    assert s.events == []


def test_partial_gradients_add_up_to_the_batch_gradient():
    s = Session(BIG_X, BIG_Y, Config(optimizer="minibatch", batch_size=32, shuffle=True))
    s.step(3)
    rows = s.batch_rows()
    assert len(rows) == 32 and np.array_equal(rows, s.batch())
    points = s.points(rows)
    by_hand = np.append(points.grad_w[:5].sum(axis=0), points.grad_b[:5].sum())
    np.testing.assert_allclose(s.partial_gradient(5), by_hand, rtol=1e-12)
    # After the last point, the sums are the batch gradient's own, to the last bit.
    np.testing.assert_array_equal(s.partial_gradient(32) / 32, s.grad())
    full = plateau()  # tiny data: correctly rounded sums (math.fsum), as the engine's
    np.testing.assert_array_equal(full.partial_gradient(2), full.grad())
    terms = full.points()
    assert full.partial_gradient(1).tolist() == [terms.grad_w[0, 0], terms.grad_b[0]]


def test_the_last_partial_sum_is_the_batch_gradient_on_every_path():
    dataset = load("seed")  # Σ Δb_i at step 0: a plain sum gives 0.0, fsum −1.39e-17
    s = Session(dataset.x, dataset.y, Config(loss="mse", lr=2.0))
    np.testing.assert_array_equal(s.partial_gradient(5) / 5, s.grad())
    assert s.partial_gradient(5)[1] == math.fsum(s.points().grad_b.tolist()) != 0.0
    gd = Session(BIG_X, BIG_Y, Config())
    gd.step(2)
    np.testing.assert_array_equal(gd.partial_gradient(gd.n) / gd.n, gd.grad())
    sgd = Session(BIG_X, BIG_Y, Config(optimizer="sgd", batch_size=1, shuffle=True))
    sgd.step(7)
    np.testing.assert_array_equal(sgd.partial_gradient(1), sgd.grad())


def test_cos_beta_of_a_huge_step_is_still_minus_one():
    dataset = load("hours")  # η = 1e308: Δθ ~ 1e307, whose square overflows
    s = Session(dataset.x, dataset.y, Config(loss="bce", lr=1e308))
    s.step(1)
    assert diagnose(s).last_update.cos_beta == pytest.approx(-1.0, abs=1e-12)
    assert norm(np.array([3e307, 4e307])) == 5e307


def test_one_batch_size_rule_for_the_command_line_and_session_files():
    from tui.engine.schedule import Batches, BatchSizeError, batch_size

    assert batch_size("gd", None) is None and batch_size("sgd", None) == 1
    assert batch_size("minibatch", 7) == 7 and batch_size("adam", None) is None
    assert batch_size("momentum", 3) == 3
    for optimizer, size, rule in [
        ("gd", 2, Batches.EVERY_POINT),
        ("sgd", 3, Batches.ONE_POINT),
        ("minibatch", None, Batches.SIZED),
    ]:
        with pytest.raises(BatchSizeError) as info:
            batch_size(optimizer, size)
        assert info.value.rule is rule
