"""The checkpointed history: a state that is not kept in full is computed again from the
checkpoint before it, and is the state computed the first time, bit for bit, across checkpoint
boundaries, η changes, edits and dial steps; scans over many steps give what they gave on
dense arrays."""

from __future__ import annotations

import contextlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.engine.cycles import periods
from tui.engine.history import BYTES_PER_STEP, GROWTH_ROWS, History
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.session import Config, Session
from tui.expressions.quantities import history_arrays

rng = np.random.default_rng(7)
SMALL_X, SMALL_Y = np.array([[0.5], [-1.0], [2.0]]), np.array([1.0, 0.0, 1.0])  # floats path
BIG_X = rng.normal(size=(80, 2))  # numpy path
BIG_Y = (BIG_X[:, 0] > 0).astype(float)
QUANTITIES = ("theta", "loss", "grad", "state", "lr")


def sparse(session: Session, every: int, window: int, reach: int) -> Session:
    """The session with a history that keeps a full state only every `every` steps and a
    window of `window` (so that almost every read replays)."""
    history = session.history
    session.history = History(
        history.params,
        history.state_rows,
        session.advance,
        path=session.d == 1,
        every=every,
        window=window,
        reach=reach,
    )
    session.reset()
    return session


def bits(session: Session, name: str, t: int) -> bytes:
    return np.float64(getattr(session, name)(t)).tobytes()


def assert_same_states(a: Session, b: Session) -> None:
    assert (a.t, a.last, a.events) == (b.t, b.last, b.events)
    for t in range(a.last + 1):
        for name in QUANTITIES:
            assert bits(a, name, t) == bits(b, name, t), (name, t)


operation = st.one_of(
    st.tuples(st.just("step"), st.integers(0, 40)),
    st.tuples(st.just("back"), st.integers(0, 40)),
    st.tuples(st.just("goto"), st.integers(0, 80)),
    st.tuples(st.just("lr"), st.sampled_from([0.05, 0.3, 2.0])),
    st.tuples(st.just("edit"), st.floats(-2, 2)),
    st.tuples(st.just("direction"), st.sampled_from([0.0, 90.0, 180.0, 195.0, 271.5])),
)


def apply(session: Session, op: tuple) -> None:
    kind, value = op
    if kind == "step":
        session.step(value)
    elif kind == "back":
        session.back(value)
    elif kind == "goto":
        session.goto(value)
    elif kind == "lr":
        session.set_lr(value)
    elif kind == "direction":
        with contextlib.suppress(ValueError):  # g = 0, past a divergence: refused in both
            session.step_along(value)
    else:
        session.edit(session.theta() + value)


@settings(max_examples=80, deadline=None)
@given(
    ops=st.lists(operation, max_size=12),
    optimizer=st.sampled_from(list(OPTIMIZERS)),
    big=st.booleans(),
    every=st.integers(1, 7),
    reach=st.integers(0, 5),
    extra=st.integers(0, 6),
)
def test_replayed_states_are_the_computed_ones(ops, optimizer, big, every, reach, extra):
    x, y = (BIG_X, BIG_Y) if big else (SMALL_X, SMALL_Y)
    size = {"sgd": 1, "gd": None}.get(optimizer, 2)
    config = Config(optimizer=optimizer, lr=0.5, batch_size=size, shuffle=True, seed=3)
    dense = Session(x, y, config)
    checkpointed = sparse(Session(x, y, config), every, 2 * (every + reach + 1) + extra, reach)
    for op in ops:
        apply(dense, op)
        apply(checkpointed, op)
        assert checkpointed.theta().tobytes() == dense.theta().tobytes()
        assert checkpointed.state().tobytes() == dense.state().tobytes()
    assert_same_states(dense, checkpointed)
    # reading in any order: backwards from the end, as b does
    for t in reversed(range(checkpointed.last + 1)):
        assert checkpointed.grad(t).tobytes() == dense.grad(t).tobytes()


@settings(max_examples=40, deadline=None)
@given(
    lr=st.sampled_from([0.5, 3.0, 12.0, 40.0]), steps=st.integers(1, 300), every=st.integers(1, 9)
)
def test_scans_over_many_steps_are_those_of_the_dense_history(lr, steps, every):
    """periods (cycles), breakpoints' arrays and fixed points read long ranges in pieces and
    blocks that are replayed: they find what they found on the dense arrays."""
    config = Config(lr=lr)
    dense = Session(SMALL_X, SMALL_Y, config)
    checkpointed = sparse(Session(SMALL_X, SMALL_Y, config), every, 2 * every + 4, 1)
    for session in (dense, checkpointed):
        session.step(steps)
    last = dense.last
    assert checkpointed.last == last
    assert periods(checkpointed, 1, last).tolist() == periods(dense, 1, last).tolist()
    assert checkpointed.first_fixed_point(0) == dense.first_fixed_point(0)
    if last >= 1:
        names = frozenset({"loss", "dloss", "w", "b", "dw", "db", "lr", "period"})
        got, want = (
            history_arrays(checkpointed, 1, last, names),
            history_arrays(dense, 1, last, names),
        )
        for name in names:
            assert got[name].tobytes() == want[name].tobytes(), name
    assert checkpointed.thetas().tobytes() == dense.thetas().tobytes()


def test_a_long_back_walk_replays_each_state_once_per_window():
    """Stepping back one state at a time from the end replays from checkpoints; the states
    shown are those computed going forward."""
    config = Config(optimizer="adam", lr=0.1)
    dense = Session(BIG_X, BIG_Y, config)
    checkpointed = sparse(Session(BIG_X, BIG_Y, config), 5, 30, 8)
    dense.step(500)
    checkpointed.step(500)
    while checkpointed.t:
        checkpointed.back()
        dense.back()
        assert checkpointed.state().tobytes() == dense.state().tobytes()
        assert checkpointed.grad().tobytes() == dense.grad().tobytes()


def test_forgetting_the_past_keeps_the_future_exact():
    """The streaming trace drops the states behind it: what follows is unchanged."""
    config = Config(optimizer="momentum", lr=0.3)
    dense = Session(BIG_X, BIG_Y, config)
    forgetful = sparse(Session(BIG_X, BIG_Y, config), 4, 40, 3)
    dense.step(300)
    for _ in range(10):
        forgetful.step(30)
        forgetful.forget_before(forgetful.t - 8)
    assert forgetful.history.first == 292
    for t in range(292, 301):
        for name in QUANTITIES:
            assert bits(forgetful, name, t) == bits(dense, name, t)
    dense.step(50)
    forgetful.step(50)
    assert forgetful.theta().tobytes() == dense.theta().tobytes()


def history_bytes(optimizer: str, d: int, steps: int) -> tuple[int, int]:
    """The history's bytes after `steps` steps, and its fixed part (the window)."""
    x = np.linspace(-1, 1, 5 * d).reshape(5, d) if d > 1 else np.linspace(-1, 1, 20)[:, None]
    session = Session(x, np.linspace(0.1, 0.9, len(x)), Config(optimizer=optimizer, lr=0.01))
    session.step(steps)
    assert session.last == steps
    history = session.history
    fixed = sum(window.nbytes for window in history._w)
    return history.nbytes, fixed


def test_history_takes_at_most_64_bytes_a_step_for_any_d_and_optimizer():
    for optimizer in ("gd", "momentum", "adam"):
        for d in (1, 2, 30):
            total, fixed = history_bytes(optimizer, d, 200_000)
            per_step = (total - fixed) / 200_000
            assert per_step <= 64, (optimizer, d, per_step)
            # the arrays' growth slack on top of BYTES_PER_STEP is all there is beyond it
            assert per_step <= BYTES_PER_STEP * 9 / 8 + GROWTH_ROWS * 1e-3


def test_ten_million_adam_steps_on_thirty_features_fit_in_a_gigabyte():
    x = np.zeros((4, 30))
    session = Session(x, np.zeros(4), Config(optimizer="adam"))
    history = session.history
    assert history.step_bytes <= BYTES_PER_STEP
    assert history.steps_within(1 << 30) > 10_000_000


def test_a_worker_thread_reads_states_without_moving_the_window():
    """The app's Taylor worker reads θ on its own thread: it gets the exact state, and the
    window the main thread may be holding views of stays where it was."""
    import threading

    config = Config(optimizer="adam", lr=0.1)
    dense = Session(BIG_X, BIG_Y, config)
    checkpointed = sparse(Session(BIG_X, BIG_Y, config), 5, 30, 8)
    dense.step(200)
    checkpointed.step(200)
    window = (checkpointed.history._w_lo, checkpointed.history._w_n)
    read = {}
    worker = threading.Thread(target=lambda: read.update(theta=checkpointed.theta(17)))
    worker.start()
    worker.join()
    assert read["theta"].tobytes() == dense.theta(17).tobytes()
    assert (checkpointed.history._w_lo, checkpointed.history._w_n) == window
