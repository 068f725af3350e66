"""Runs that bounce for ever between a few states: tui.engine.cycles (periods, first_cycle),
c stopping there, and the breakpoint quantity `period` in the trace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import notes_of
from tests.test_app import SIZE, make_app, settle
from tests.test_cli import here, rows  # noqa: F401  (here is a fixture)
from tui import data
from tui.config import make_config
from tui.engine.cycles import MAX_PERIOD, first_cycle, periods
from tui.engine.session import Session

SEED_CYCLE = (263, 4)
"""seed --lr 12: θ_263 = θ_259 bit for bit; within rounding it is a bounce between 2 states,
but no two states two steps apart are equal to the last bit."""


def session_of(steps: int, shuffle: bool = False, **overrides: str) -> Session:
    dataset = data.load("seed")
    config, _ = make_config(dataset, overrides, shuffle=shuffle)
    session = Session(dataset.x, dataset.y, config)
    session.step(steps)
    return session


def same_bits(session: Session, t: int, u: int) -> bool:
    return all(
        a(t).tobytes() == a(u).tobytes()
        for a in (session.theta, session.state, lambda s: np.float64(session.lr(s)))
    )


def reference_period(session: Session, t: int) -> int:
    """The smallest p with the whole state at t as at t − p (the batch position too), by
    comparing bytes one step at a time."""
    schedule = session.schedule
    if session.config.optimizer == "adam" or (schedule.shuffle and not schedule.full):
        return 0
    epoch = 1 if schedule.full else schedule.per_epoch
    for p in range(1, min(MAX_PERIOD, t) + 1):
        if p % epoch == 0 and same_bits(session, t, t - p):
            return p
    return 0


def test_seed_at_lr_12_repeats_every_4_steps_from_step_259():
    session = session_of(3000, lr="12")
    assert first_cycle(session, 0) == SEED_CYCLE
    k, p = SEED_CYCLE
    assert same_bits(session, k, k - p)
    # Nothing repeats before, for any period up to 8.
    assert all(
        not same_bits(session, t, t - q) for t in range(1, k) for q in range(1, min(8, t) + 1)
    )
    assert not any(same_bits(session, k, k - q) for q in (1, 2, 3))
    # From there on every step repeats the one 4 before, and the 2-cycle is only close.
    assert (periods(session, k, 3000) == p).all()
    assert not np.array_equal(session.theta(2998), session.theta(3000))
    assert session.theta(2998) == pytest.approx(session.theta(3000), rel=1e-15)
    # From inside the cycle the next step is a repeat again.
    assert first_cycle(session, 1000) == (1001, 4)


def test_a_converging_run_has_no_cycle_and_its_fixed_point_has_period_1():
    session = session_of(6000, lr="1")
    fixed = session.first_fixed_point(0)
    assert fixed is not None
    assert first_cycle(session, 0) is None
    assert periods(session, fixed, fixed).tolist() == [1]
    assert not periods(session, 1, fixed - 1).any()


def test_batches_in_file_order_repeat_only_after_whole_epochs():
    session = session_of(3000, optimizer="sgd", lr="3")  # 5 points: 5 updates an epoch
    k, p = first_cycle(session, 0)
    assert p == 5 and same_bits(session, k, k - 5)


def test_shuffled_batches_and_adam_never_claim_a_cycle():
    for session in (
        session_of(2000, shuffle=True, optimizer="minibatch", batch_size="2", lr="3"),
        session_of(2000, optimizer="adam", lr="1"),
    ):
        assert not periods(session, 1, session.t).any()
        assert first_cycle(session, 0) is None


@settings(max_examples=25, deadline=None)
@given(
    setup=st.sampled_from(
        [
            {"lr": "12"},
            {"lr": "1"},
            {"optimizer": "sgd", "lr": "3"},
            {"optimizer": "momentum", "lr": "3"},
            {"optimizer": "rmsprop", "lr": "0.5"},
            {"optimizer": "minibatch", "batch_size": "2", "lr": "4"},
        ]
    ),
    lr=st.floats(0.5, 40),
    steps=st.integers(1, 1500),
)
def test_periods_match_a_step_by_step_comparison(setup, lr, steps):
    session = session_of(steps, **{**setup, "lr": repr(lr)})
    last = session.t
    expected = [reference_period(session, t) for t in range(1, last + 1)]
    assert periods(session, 1, last).tolist() == expected
    first = next(((t, p) for t, p in enumerate(expected, 1) if p > 1), None)
    assert first_cycle(session, 0) == first


async def test_continue_stops_where_the_state_repeats_and_names_the_bounce():
    app = make_app("seed", lr="12")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        k, p = SEED_CYCLE
        assert not app.running and app.session.t == k
        note = next(n for n in notes if n.title == "Oscillating")
        assert note.message.startswith(
            f"Bouncing between {p} states since step {k - p}: θ_{k} = θ_{k - p} bit for bit"
        )
        # 2/λ_max is 17.6 at θ_259 and θ_261, 8.51599 at θ_260 and θ_262 (the smaller by 8e-15).
        assert "η = 12 is past 2/λ_max = 8.51599 at θ_262." in note.message
        # c again says so at once instead of running to the step limit.
        await pilot.press("c")
        await settle(pilot)
        assert app.session.t == k and not app.running
        assert [n.title for n in notes].count("Oscillating") == 2


def test_trace_breaks_at_the_first_repeat(here):  # noqa: F811
    k, p = SEED_CYCLE
    result = here("trace", "seed", "--lr", "12", "--steps", "100000", "--break", f"period == {p}")
    assert result.returncode == 0
    assert rows(result.stdout)[1][-1, 0] == k
    assert f"stopped at step {k}: breakpoint 'period == {p}' holds" in result.stderr


def test_trace_watches_period_and_notes_the_cycle(here):  # noqa: F811
    k, p = SEED_CYCLE
    result = here("trace", "seed", "--lr", "12", "--steps", "300", "--watch", "period")
    names, values = rows(result.stdout)
    assert names[-1] == "period"
    assert values[k - 1, -1] == 0 and (values[k:, -1] == p).all()
    assert (
        f"from step {k - p} on the run repeats {p} states for ever: θ_{k} = θ_{k - p}"
        in result.stderr
    )
    # No two states two steps apart are the same: period == 2 never holds.
    result = here("trace", "seed", "--lr", "12", "--steps", "3000", "--break", "period == 2")
    assert rows(result.stdout)[1][-1, 0] == 3000 and "breakpoint" not in result.stderr


async def test_the_history_ends_where_c_stopped_or_where_it_was_before():
    """c computes ahead in chunks; what it computed past its stop is dropped, so the state
    panel's "history to" shows only states the user went back from."""
    from tests.test_app import text
    from tui.app.widgets.state_panel import StatePanel

    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        k, _ = SEED_CYCLE
        await pilot.press("c")
        await settle(pilot)
        session = app.session
        assert session.t == k and session.last == k
        assert "history to" not in text(app.query_one(StatePanel))
        session.goto(400)  # a history past the cycle, then back before it
        session.goto(100)
        await pilot.press("c")
        await settle(pilot)
        assert session.t == k and session.last == 400
        assert "(history to 400)" in text(app.query_one(StatePanel))
