"""Session.replay: many η changes and edits replay to the same bits, and a change that cannot be
made again where it says is refused with its place, never moved."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.engine.objective import TINY
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.session import Config, Event, ReplayError, Session
from tui.files import sessionfile

SMALL_X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [2.0, 1.0]])
SMALL_Y = np.array([0.0, 1.0, 0.0, 1.0])
RNG = np.random.default_rng(5)
BIG_X = RNG.normal(size=(TINY + 40, 2))
BIG_Y = (BIG_X[:, 0] > 0).astype(float)

# One operation of a debugging session: step k, back k, η times a factor, θ plus a shift.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("step"), st.integers(0, 12)),
        st.tuples(st.just("back"), st.integers(0, 12)),
        st.tuples(st.just("lr"), st.sampled_from([0.5, 0.25, 2.0, 1.5])),
        st.tuples(st.just("edit"), st.sampled_from([0.125, -0.5, 1e-9])),
    ),
    max_size=40,
)


def debugging(session: Session, ops: list[tuple[str, float]]) -> list[Event]:
    """Run `ops` on `session`; returns the events the old rule keeps (all at or before t,
    then the new one), to check the linear bookkeeping against."""
    expected: list[Event] = []
    for kind, value in ops:
        if kind == "step":
            session.step(int(value))
        elif kind == "back":
            session.back(int(value))
        elif kind == "lr" and session.lr() * value != session.lr():
            session.set_lr(session.lr() * value)
            expected = [e for e in expected if e.step <= session.t] + [session.events[-1]]
        elif kind == "edit":
            session.edit(session.theta() + value)
            expected = [e for e in expected if e.step <= session.t] + [session.events[-1]]
    return expected


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def assert_identical(a: Session, b: Session) -> None:
    assert a.t == b.t and a.events == b.events
    for name in ("theta", "loss", "grad", "state", "lr"):
        assert same(states(a, name, a.t), states(b, name, b.t)), name


def states(session: Session, name: str, upto: int) -> np.ndarray:
    """One quantity of the states 0 … upto side by side, read through the session."""
    return np.array([getattr(session, name)(t) for t in range(upto + 1)], dtype=np.float64)


@settings(max_examples=60, deadline=None)
@given(operations, st.sampled_from(list(OPTIMIZERS)), st.booleans())
def test_any_debugging_session_replays_to_the_same_bits(ops, optimizer, big):
    x, y = (BIG_X, BIG_Y) if big else (SMALL_X, SMALL_Y)
    size = {"sgd": 1, "gd": None}.get(optimizer, 3)
    config = Config(optimizer=optimizer, lr=0.5, batch_size=size, shuffle=True, seed=2)
    built = Session(x, y, config)
    expected = debugging(built, ops)
    assert built.events == expected  # the events the old (quadratic) rule kept
    steps = [e.step for e in built.events]
    assert steps == sorted(steps)
    again = Session(x, y, config)
    again.replay(built.events, built.t)
    assert_identical(built, again)


def test_a_change_at_a_step_keeps_the_changes_made_at_that_step():
    s = Session(SMALL_X, SMALL_Y, Config(lr=0.5))
    s.step(5)
    s.set_lr(0.25)
    s.edit(s.theta() + 0.5)
    s.step(4)
    s.set_lr(2.0)
    s.step(2)
    s.edit(s.theta() - 0.5)
    s.back(6)
    s.set_lr(0.125)
    assert [(e.kind, e.step) for e in s.events] == [("lr", 5), ("edit", 5), ("lr", 5)]


def many_changes(session: Session, count: int) -> Session:
    """`count` η changes and edits, one per step, with a look back now and then."""
    for i in range(count):
        session.step(1)
        if i % 97 == 0:
            session.back(1)
        if i % 2:
            session.set_lr(0.5 + (i % 5) * 0.125)
        else:
            session.edit(session.theta() + 1e-9 * (i % 3 - 1))
    return session


@pytest.mark.parametrize("x, y", [(SMALL_X, SMALL_Y), (BIG_X, BIG_Y)], ids=["tiny", "numpy"])
def test_a_session_with_many_events_reopens_to_the_same_bits(tmp_path, x, y):
    config = Config(optimizer="adam", lr=0.5)
    built = many_changes(Session(x, y, config), 3000)
    assert len(built.events) == 3000
    built.back(10)
    path = tmp_path / "pts.csv"
    header = ",".join(f"x{j + 1}" for j in range(x.shape[1])) + ",y\n"
    rows = np.column_stack([x, y]).tolist()
    path.write_text(header + "".join(",".join(map(repr, row)) + "\n" for row in rows))
    saved = sessionfile.load(sessionfile.save(tmp_path / "s.json", built, path, None, False))
    _, again = sessionfile.restore(saved)
    assert_identical(built, again)


# ---- what cannot be replayed is refused, never moved ---------------------------------------------


def diverging() -> Session:
    """A run whose state 1 is no longer finite (see test_engine's divergence test)."""
    return Session(np.array([[0.5], [4.5]]), np.array([0.1, 0.9]), Config(loss="bce", lr=1e308))


def test_a_change_at_the_divergence_is_replayed():
    s = diverging()
    s.step(100)
    bad = s.t
    assert s.diverged
    s.set_lr(0.5)  # as the app allows at the diverged state: nothing further is computed
    s.edit(np.array([0.25, -0.25]))
    s.step(3)
    again = diverging()
    again.replay(s.events, s.t)
    assert again.t == bad + 3
    assert_identical(s, again)


@pytest.mark.parametrize("where", ["event", "step"])
def test_past_a_divergence_is_refused(where):
    s = diverging()
    s.step(100)
    bad = s.t
    events = [Event("lr", 0, (1e308,))]
    if where == "event":
        events.append(Event("lr", bad + 2, (0.5,)))
    with pytest.raises(ReplayError) as info:
        diverging().replay(events, bad + 5)
    error = info.value
    reached = bad + 2 if where == "event" else bad + 5
    assert error.index == (1 if where == "event" else None)
    assert error.problem == (
        f"step {reached} cannot be reached: the run diverges at step {bad} "
        "(the loss or θ is no longer finite)"
    )


def test_an_event_out_of_order_is_refused():
    events = [Event("lr", 4, (0.5,)), Event("edit", 2, (0.0, 0.0, 0.0))]
    with pytest.raises(ReplayError) as info:
        Session(SMALL_X, SMALL_Y, Config()).replay(events, 6)
    assert info.value.index == 1
    assert str(info.value) == "event 1: its step 2 comes before the step 4 of the one before"


def test_an_edit_of_the_wrong_size_is_refused():
    events = [Event("lr", 1, (0.5,)), Event("edit", 3, (1.0, 2.0))]
    with pytest.raises(ReplayError) as info:
        Session(SMALL_X, SMALL_Y, Config()).replay(events, 6)
    assert (info.value.index, info.value.problem) == (1, "θ needs 3 numbers (w and b), not 2")


def test_a_hand_made_session_past_its_divergence_names_the_file_and_the_event(tmp_path):
    csv = tmp_path / "pts.csv"
    csv.write_text("x,y\n0.5,0.1\n4.5,0.9\n")
    config = Config(loss="bce", lr=1e308)
    s = Session(np.array([[0.5], [4.5]]), np.array([0.1, 0.9]), config)
    s.step(100)
    bad = s.t
    s.back(1)
    path = sessionfile.save(tmp_path / "s.json", s, csv, None, False)
    document = json.loads(path.read_text())
    document["events"] = [{"kind": "edit", "step": bad + 4, "values": [0.5, 0.5]}]
    path.write_text(json.dumps(document))
    with pytest.raises(sessionfile.SessionFileError) as info:
        sessionfile.restore(sessionfile.load(path))
    assert str(info.value) == (
        f"{path}: events[0]: step {bad + 4} cannot be reached: the run diverges at step {bad} "
        "(the loss or θ is no longer finite)"
    )
    document["events"] = []
    document["step"] = bad + 1
    path.write_text(json.dumps(document))
    with pytest.raises(sessionfile.SessionFileError) as info:
        sessionfile.restore(sessionfile.load(path))
    assert str(info.value) == (
        f"{path}: the session's step {bad + 1} cannot be reached: the run diverges at step {bad} "
        "(the loss or θ is no longer finite)"
    )
