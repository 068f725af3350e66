"""The direction dial's engine (MATH.md, "The direction dial: why −∇L"): ĝ, ê, u(β), Δθ(β),
cos β, ΔL₁, ΔL₂ and ΔL against the formulas evaluated directly, the sweep, the refusals, and
the session's dial step (Session.step_along) with its replay."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_app import expected_session
from tui import data
from tui.engine.diagnostics import CurvatureCache, diagnose
from tui.engine.dial import FLAT, SWEEP, DialError, cos_sin, dial, plane, sweep, turn
from tui.engine.session import Config, Event, ReplayError, Session
from tui.format import num


def direct(session: Session, beta: float) -> dict[str, object]:
    """MATH.md's dial at the session's θ_t, written out with numpy and math only."""
    objective = session.objective
    theta, lr = session.theta(), session.lr()
    g = objective.gradient(theta)
    g_norm = float(np.linalg.norm(g))
    g_hat = g / g_norm
    if session.d == 1:
        e_hat = np.array([-g_hat[1], g_hat[0]])
    else:
        e_b = np.zeros_like(g)
        e_b[-1] = 1.0
        part = e_b - (g_hat @ e_b) * g_hat
        e_hat = part / np.linalg.norm(part)
    radians = math.radians(beta)
    u = math.cos(radians) * g_hat + math.sin(radians) * e_hat
    dtheta = lr * g_norm * u
    dl1 = lr * g_norm**2 * math.cos(radians)
    dl2 = dl1 + 0.5 * dtheta @ objective.hessian(theta) @ dtheta
    dl = objective.value(theta + dtheta) - objective.value(theta)
    return {"cos": math.cos(radians), "dtheta": dtheta, "dl1": dl1, "dl2": dl2, "dl": dl}


def close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * scale)


@settings(max_examples=40, deadline=None)
@given(
    steps=st.integers(0, 6),
    lr=st.sampled_from([0.5, 2.0, 12.0, 30.0]),
    loss=st.sampled_from(["mse", "bce"]),
    beta=st.floats(0.0, 360.0, exclude_max=True),
)
def test_dial_is_maths_formulas(steps: int, lr: float, loss: str, beta: float):
    session = expected_session("seed", steps, lr=str(lr), loss=loss)
    found = dial(session, CurvatureCache(), [beta])
    expected = direct(session, beta)
    scale = lr * found.plane.grad_norm**2
    assert found.t == steps and found.lr == lr and found.loss == session.loss()
    assert math.isclose(found.cos_beta[0], expected["cos"], abs_tol=1e-15)
    assert np.allclose(found.dtheta[0], expected["dtheta"], rtol=1e-12, atol=1e-15)
    for name in ("dl1", "dl2", "dl"):
        assert close(float(getattr(found, name)[0]), float(expected[name]), scale), name
    # ΔL₁ is exactly the first-order term ∇Lᵀ·Δθ of the step, to rounding
    grad = session.objective.gradient(session.theta())
    assert close(float(grad @ found.dtheta[0]), float(found.dl1[0]), scale)
    # the step has the gradient step's length η‖g‖ and the angle β to ∇L
    length = lr * found.plane.grad_norm
    assert math.isclose(float(np.linalg.norm(found.dtheta[0])), length, rel_tol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    steps=st.integers(0, 8),
    lr=st.sampled_from([0.25, 1.0, 2.0, 12.0]),
    loss=st.sampled_from(["mse", "bce"]),
    name=st.sampled_from(["seed", "iris", "plateau"]),
)
def test_beta_180_is_the_gradient_step_to_the_bit(steps: int, lr: float, loss: str, name: str):
    session = expected_session(name, steps, lr=str(lr), loss=loss)
    found = dial(session, CurvatureCache(), [180.0])
    assert found.cos_beta[0] == -1.0
    assert np.array_equal(found.dtheta[0], -lr * session.grad())
    assert np.array_equal(session.theta() + found.dtheta[0], session.next_theta())
    assert np.allclose(found.gradient_step, -lr * session.grad(), rtol=1e-15, atol=0)
    theta = session.theta()
    assert np.array_equal(turn(theta, session.grad(), lr, 180.0), -lr * session.grad())


def test_cos_and_sin_are_exact_at_the_quarters():
    assert [cos_sin(b) for b in (0, 90, 180, 270)] == [
        (1.0, 0.0),
        (0.0, 1.0),
        (-1.0, 0.0),
        (0.0, -1.0),
    ]
    assert cos_sin(195.0) == (math.cos(math.radians(195.0)), math.sin(math.radians(195.0)))


@settings(max_examples=60, deadline=None)
@given(
    g=st.lists(
        st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100),
        min_size=2,
        max_size=5,
    ).filter(lambda g: any(g))
)
def test_e_hat_is_a_unit_vector_orthogonal_to_g_hat_as_math_defines_it(g: list[float]):
    grad = np.array(g)
    found = plane(np.zeros_like(grad), grad)
    g_hat = grad / np.linalg.norm(grad)
    assert np.allclose(found.g_hat, g_hat, atol=1e-15)
    assert math.isclose(float(np.linalg.norm(found.e_hat)), 1.0, rel_tol=1e-12)
    assert abs(float(found.e_hat @ found.g_hat)) < 1e-12
    if len(g) == 2:
        assert np.array_equal(found.e_hat, np.array([-found.g_hat[1], found.g_hat[0]]))
    elif any(g[:-1]):
        # e_b − ĝ_b·ĝ = e_b − g_b·g/‖g‖², in exact rationals (in floats 1 − ĝ_b² cancels)
        exact = [Fraction(v) for v in g]
        square = sum(v * v for v in exact)
        part = np.array(
            [float(int(i == len(g) - 1) - exact[-1] * v / square) for i, v in enumerate(exact)]
        )
        assert np.allclose(found.e_hat, part / np.linalg.norm(part), atol=1e-9)
        assert found.e_hat[-1] > 0  # e_b's own side
    else:  # ĝ ∥ e_b: ê = e_w1
        assert found.e_hat.tolist() == [1.0] + [0.0] * (len(g) - 1)


def test_the_plane_in_words():
    one = plane(np.zeros(2), np.array([1.0, 2.0]))
    assert one.describe() == "turning in the (w, b) plane"
    many = plane(np.zeros(3), np.array([1.0, 2.0, 3.0]))
    assert many.describe() == "in the plane of ∇L and the b axis"
    along_b = plane(np.zeros(3), np.array([0.0, 0.0, 3.0]))
    assert along_b.describe() == "in the plane of ∇L and the w1 axis"


def test_seed_at_lr_12_after_four_steps_turned_to_195_degrees():
    session = expected_session("seed", 4, lr="12")
    found = dial(session, CurvatureCache(), [195.0])
    assert num(float(found.cos_beta[0])) == "−0.965926"
    expected = direct(session, 195.0)
    scale = 12 * found.plane.grad_norm**2
    for name in ("dl1", "dl2", "dl"):
        assert close(float(getattr(found, name)[0]), float(expected[name]), scale), name
    # the step of 195° lowers L less than the gradient step: ΔL₁ is less negative
    gradient_step = dial(session, CurvatureCache(), [180.0])
    assert gradient_step.dl1[0] < found.dl1[0] < 0
    # ‖Δθ(β)‖ = η‖g‖ at every β: the length the panel shows
    g = session.objective.gradient(session.theta())
    assert math.isclose(found.step_length, 12 * math.hypot(*g.tolist()), rel_tol=1e-15)
    assert math.isclose(float(np.linalg.norm(found.dtheta[0])), found.step_length, rel_tol=1e-14)


def test_the_sweep_covers_0_to_355_and_is_lowest_to_first_order_at_180():
    session = expected_session("seed", 3, lr="2")
    cache = CurvatureCache()
    found = sweep(session, cache)
    assert found.beta.tolist() == list(range(0, 360, 5)) == SWEEP.tolist()
    assert found.beta[int(np.argmin(found.dl1))] == 180.0
    assert found.beta[int(np.argmax(found.dl1))] == 0.0
    one = dial(session, cache, [180.0, 35.0])
    for name in ("dtheta", "dl1", "dl2", "dl"):
        swept = getattr(found, name)
        assert np.array_equal(swept[36], getattr(one, name)[0]), name  # 180° is the 37th
        assert np.array_equal(swept[7], getattr(one, name)[1]), name  # 35°
    assert found.dl[36] < 0 < found.dl[0]  # down the gradient L falls, up it L rises


def test_the_dial_uses_the_taylor_panels_hessian():
    session = expected_session("seed", 2)
    cache = CurvatureCache()
    dial(session, cache, [10.0])
    assert cache.known(session.objective, session.theta())


def flat_session() -> Session:
    """Two points whose gradient at θ = 0 is exactly 0 (ŷ = 0.5 = y for both)."""
    return Session(np.array([[1.0], [-1.0]]), np.array([0.5, 0.5]), Config())


def test_a_zero_gradient_is_refused_with_its_reason():
    session = flat_session()
    assert not session.grad().any()
    with pytest.raises(DialError, match="^the gradient is 0 at θ_t: every direction is flat"):
        dial(session, CurvatureCache(), [180.0])
    with pytest.raises(DialError) as refused:
        session.step_along(180.0)
    assert str(refused.value) == FLAT
    assert session.t == 0 and session.last == 0 and session.events == []


def test_non_finite_theta_or_gradient_and_bad_angles_are_refused():
    with pytest.raises(DialError, match="θ_t is not finite"):
        plane(np.array([math.nan, 0.0]), np.array([1.0, 1.0]))
    with pytest.raises(DialError, match="gradient at θ_t is not finite"):
        plane(np.zeros(2), np.array([math.inf, 1.0]))
    session = expected_session("seed", 1)
    session.edit(np.array([math.inf, 0.0]))
    with pytest.raises(DialError, match="not finite"):
        dial(session, CurvatureCache(), [180.0])
    session = expected_session("seed", 1)
    for beta in (360.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="0 ≤ β < 360"):
            session.step_along(beta)
        with pytest.raises(ValueError, match="0 ≤ β < 360"):
            dial(session, CurvatureCache(), [beta])
    assert session.t == 1 and session.events == []


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_the_dial_step_is_a_step_of_its_own(optimizer: str):
    session = expected_session("seed", 3, lr="2", optimizer=optimizer)
    session.step(4)
    session.back(4)  # later history, to be dropped
    t, theta, state, lr = 3, session.theta().copy(), session.state(3).copy(), 2.0
    found = dial(session, CurvatureCache(), [195.0])
    session.step_along(195.0)
    assert session.t == session.last == t + 1
    assert np.array_equal(session.theta(), theta + found.dtheta[0])
    loss, grad = session.objective.evaluate(session.theta(), session.batch(t + 1))
    assert session.loss() == loss and np.array_equal(session.grad(), grad)
    assert np.array_equal(session.state(t + 1), state)  # carried over unchanged
    assert session.lr() == lr
    assert session.events == [Event("direction", t + 1, (195.0,))]
    assert session.direction_at(t + 1) == 195.0 and session.direction_at(t) is None
    assert not session.edited_at(t + 1)
    session.back()
    assert np.array_equal(session.theta(), theta) and session.t == t
    session.step()
    assert np.array_equal(session.theta(), theta + found.dtheta[0])  # the kept dial step
    session.step()  # and the optimizer goes on from there, with the state of t
    expected, _ = session.optimizer.rule(
        session.theta(t + 1), session.grad(t + 1), tuple(state), lr, t + 1
    )
    assert np.array_equal(session.theta(), expected)


def test_the_taylor_diagnostics_explain_the_dial_step_as_an_update():
    session = expected_session("seed", 4, lr="12")
    found = dial(session, CurvatureCache(), [195.0])
    session.step_along(195.0)
    diagnostics = diagnose(session)
    assert diagnostics.direction == 195.0 and not diagnostics.edited
    last = diagnostics.last_update
    assert math.isclose(last.cos_beta, float(found.cos_beta[0]), rel_tol=1e-12)
    assert math.isclose(last.dl1, float(found.dl1[0]), rel_tol=1e-12)
    assert math.isclose(last.dl2, float(found.dl2[0]), rel_tol=1e-12)
    assert last.dl == float(found.dl[0])
    assert diagnostics.lr_before == 12.0
    session.step()
    assert diagnose(session).direction is None


def history_of(session: Session) -> tuple:
    block = session.history.block(0, session.last)
    return tuple(a.tobytes() for a in (block.theta, block.loss, block.grad, block.state, block.lr))


def test_replay_makes_the_dial_steps_again_bit_for_bit():
    session = expected_session("seed", 2, optimizer="momentum", lr="3")
    session.step_along(200.0)
    session.step(2)
    session.set_lr(1.5)
    session.step_along(90.0)
    session.step_along(270.5)
    session.edit(np.array([0.25, -0.5]))
    session.step(3)
    events, t = list(session.events), session.t
    assert [e.kind for e in events] == ["direction", "lr", "direction", "direction", "edit"]
    assert [e.step for e in events] == [3, 5, 6, 7, 7]
    before = history_of(session)
    again = expected_session("seed", 0, optimizer="momentum", lr="3")
    again.replay(events, t)
    assert again.events == events and again.t == t and history_of(again) == before


def test_going_back_and_changing_drops_the_later_dial_step():
    session = expected_session("seed", 2)
    session.step_along(150.0)
    session.back()
    session.edit(np.array([0.5, 0.5]))
    assert session.events == [Event("edit", 2, (0.5, 0.5))]
    session.step_along(10.0)
    session.back()
    session.set_lr(3.0)
    assert [e.kind for e in session.events] == ["edit", "lr"]


def test_replay_refuses_a_dial_step_out_of_place():
    session = expected_session("seed", 0)
    for events in (
        [Event("edit", 4, (0.0, 0.0)), Event("direction", 4, (10.0,))],
        [Event("direction", 0, (10.0,))],
    ):
        with pytest.raises(ReplayError, match="comes before"):
            session.replay(events, 5)
    with pytest.raises(ReplayError, match="0 ≤ β < 360"):
        session.replay([Event("direction", 2, (400.0,))], 5)
    flat = flat_session()
    with pytest.raises(ReplayError, match="event 0: the gradient is 0 at θ_t"):
        flat.replay([Event("direction", 1, (10.0,))], 1)


def test_more_features_turn_in_the_plane_of_the_gradient_and_b():
    iris = data.load("iris")
    session = Session(iris.x, iris.y, Config(loss="bce", lr=0.2, w0=(0.0,)))
    session.step(2)
    found = dial(session, CurvatureCache(), [90.0, 195.0])
    expected = direct(session, 195.0)
    scale = 0.2 * found.plane.grad_norm**2
    for name in ("dl1", "dl2", "dl"):
        assert close(float(getattr(found, name)[1]), float(expected[name]), scale), name
    assert np.allclose(found.dtheta[1], expected["dtheta"], rtol=1e-12, atol=1e-15)
    assert found.plane.describe() == "in the plane of ∇L and the b axis"
    assert found.dl1[0] == 0.0  # 90°: across the gradient, flat to first order
