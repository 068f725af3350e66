"""The headless trace: one row per state, with the exact doubles (Python's repr)."""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from tui.engine.cycles import MAX_PERIOD, first_cycle
from tui.engine.model import weight_names
from tui.engine.session import Session
from tui.expressions import Expression, evaluate_at, first_hit


def columns(d: int) -> list[str]:
    """step,w,b,loss,dw,db for d = 1; step,w1,…,wd,b,loss,dw1,…,dwd,db otherwise."""
    w = weight_names(d)
    return ["step", *w, "b", "loss", *(f"d{name}" for name in w), "db"]


def row(session: Session, t: int) -> list[float | int]:
    """θ_t, L(θ_t) and the batch gradient that update t uses."""
    return _row(t, session.history.full(t), session.loss(t))


def _row(t: int, full: tuple, loss: float) -> list[float | int]:
    theta, grad = full[0], full[1]
    return [t, *theta.tolist(), loss, *grad.tolist()]


CHUNK = 4096
"""States a streaming trace computes between two writes: then the states behind it are
dropped, so that its memory stays flat however many steps it makes."""


@dataclass(frozen=True)
class Stop:
    """Where a trace ended: its last step, the breakpoint that stopped it if one did, and
    the first cycle of states it went through, (step, period), if any."""

    step: int
    breakpoint: Expression | None
    cycle: tuple[int, int] | None = None


def run(session: Session, steps: int, breakpoints: list[Expression]) -> Stop:
    """From step 0, up to `steps` updates, stopping at a divergence or at the first step
    (after an update) where a breakpoint holds."""
    session.reset()
    hit = first_hit(session, breakpoints, 0, steps)
    return Stop(session.t, None if hit is None else hit[1])


def write(
    session: Session,
    steps: int,
    out: TextIO,
    every: int = 1,
    fmt: str = "csv",
    breakpoints: list[Expression] = (),
    watches: list[Expression] = (),
) -> Stop:
    """From step 0, up to `steps` updates (stopping at a divergence or at the first step
    where a breakpoint holds), writing each row as soon as it is computed: the rows whose
    step is a multiple of `every`, and the last. Only the last CHUNK states are kept, so
    memory does not grow with `steps`; the rows so far are flushed however it ends (ctrl+c)."""
    return write_runs([session], steps, out, every, fmt, breakpoints, watches)[0]


def write_runs(
    sessions: list[Session],
    steps: int,
    out: TextIO,
    every: int = 1,
    fmt: str = "csv",
    breakpoints: list[Expression] = (),
    watches: list[Expression] = (),
) -> list[Stop]:
    """`write` for the runs of compare mode (tui.engine.race), in lock-step: with more
    than one run a leading column `run` (its index, 0 the base run), and the rows in step
    order, each step's rows in run order. Each run's rows are those `write` gives it alone;
    a run that diverges stops there and the others go on; a breakpoint that holds in any
    run stops them all at that step. Returns each run's Stop (the breakpoint in the Stop of
    the run where it held, the first such run)."""
    watches, breakpoints = list(watches), list(breakpoints)
    lead = ["run"] if len(sessions) > 1 else []
    names = lead + columns(sessions[0].d) + [w.text for w in watches]
    text = _csv if fmt == "csv" else _jsonl

    def emit(lo: int, hi: int, ended: bool) -> None:
        """The rows of steps lo … hi of every run, and each ended run's last row."""
        rows = [
            (values[0], i, [i] * len(lead) + values)
            for i, session in enumerate(sessions)
            for values in _rows(
                session, lo, min(hi, session.t), every, watches, _last(session, lo, hi, ended)
            )
        ]
        rows.sort(key=lambda item: item[:2])
        out.writelines(text(names, values) for _, _, values in rows)

    for session in sessions:
        session.reset()
    t, hit, where, cycles = 0, None, None, [None] * len(sessions)
    try:
        if fmt == "csv":
            out.write(",".join(names) + "\n")
        emit(0, 0, steps == 0)
        while t < steps and hit is None:
            goal = min(t + CHUNK, steps)
            hits = [first_hit(s, breakpoints, t, goal) for s in sessions]
            found = [(h[0], i) for i, h in enumerate(hits) if h is not None]
            where = min(found) if found else None
            hit = None if where is None else hits[where[1]]
            stop = goal if hit is None else hit[0]
            for i, session in enumerate(sessions):
                session.goto(min(stop, session.t))
                if cycles[i] is None:
                    cycles[i] = first_cycle(session, t)
            ended = hit is not None or stop == steps or all(s.t < stop for s in sessions)
            emit(t + 1, stop, ended)
            if all(s.t < stop for s in sessions):
                t = max(s.t for s in sessions)
                break
            t = stop
            for session in sessions:
                session.forget_before(max(0, session.t - MAX_PERIOD))
    finally:
        out.flush()
    return [
        Stop(s.t, None if hit is None or where[1] != i else hit[1], cycles[i])
        for i, s in enumerate(sessions)
    ]


def _last(session: Session, lo: int, hi: int, ended: bool) -> set[int]:
    """{the run's last step} when it falls in lo … hi and the run has ended there (the
    trace ended, or the run stopped short of hi at a divergence), else nothing."""
    last = session.t
    return {last} if lo <= last <= hi and (ended or last < hi) else set()


def lines(
    session: Session, last: int, every: int = 1, fmt: str = "csv", watches: list[Expression] = ()
) -> Iterator[str]:
    """The trace's text of the states 0 … last: the rows whose step is a multiple of `every`,
    and the last one; one more column per watch, named by its expression; and, when a change
    made by hand lies in 0 … last, a last column `event` that says what it was (`changes`),
    with the rows of those steps whatever `every` is."""
    return lines_of_runs([session], [last], every, fmt, watches)


def lines_of_runs(
    sessions: list[Session],
    lasts: list[int],
    every: int = 1,
    fmt: str = "csv",
    watches: list[Expression] = (),
) -> Iterator[str]:
    """`lines` of compare mode's runs, run i's states 0 … lasts[i]: with more than one run a
    leading column `run`, and the rows in step order, each step's rows in run order (as
    `write_runs` prints them); the column `event` when any run has a change made by hand."""
    watches = list(watches)
    made = [changes(s, last) for s, last in zip(sessions, lasts, strict=True)]
    lead = ["run"] if len(sessions) > 1 else []
    events = ["event"] if any(made) else []
    names = lead + columns(sessions[0].d) + [w.text for w in watches] + events
    text = _csv if fmt == "csv" else _jsonl
    if fmt == "csv":
        yield ",".join(names) + "\n"
    runs = [
        _rows_to(session, last, every, watches, made[i], i if lead else None, bool(events))
        for i, (session, last) in enumerate(zip(sessions, lasts, strict=True))
    ]
    for _, values in heapq.merge(*runs, key=lambda item: item[0]):
        yield text(names, values)


def _rows_to(
    session: Session,
    last: int,
    every: int,
    watches: list[Expression],
    made: dict[int, str],
    run: int | None,
    event_column: bool,
) -> Iterator[tuple[tuple[int, int], list]]:
    """((step, run), row) of the states 0 … last of one run, a CHUNK of states at a time."""
    lead = [] if run is None else [run]
    for lo in range(0, last + 1, CHUNK):
        hi = min(lo + CHUNK - 1, last)
        for values in _rows(session, lo, hi, every, watches, {*made, last}):
            row = lead + values + ([made.get(values[0], "")] if event_column else [])
            yield (values[0], run or 0), row


def _rows(
    session: Session,
    lo: int,
    hi: int,
    every: int,
    watches: list[Expression],
    also: set[int] = frozenset(),
) -> Iterator[list]:
    """The rows of the steps lo … hi that are multiples of `every` or in `also`: every step
    from one block of the history (replayed once for the whole range when it is not kept),
    else one by one."""
    if lo > hi:
        return
    if every == 1:  # the rows first, as the watches may move the window the block is in
        block = session.history.block(lo, hi)
        rows = [
            _row(lo + i, (block.theta[i], block.grad[i]), float(block.loss[i]))
            for i in range(hi - lo + 1)
        ]
    else:
        first = -(-lo // every) * every
        steps = sorted({*range(first, hi + 1, every), *(t for t in also if lo <= t <= hi)})
        rows = [row(session, t) for t in steps]
    for values in rows:
        yield values + (evaluate_at(session, values[0], watches) if watches else [])


def _csv(names: list[str], values: list) -> str:
    return ",".join(map(_text, values)) + "\n"


def _jsonl(names: list[str], values: list) -> str:
    return json.dumps(dict(zip(names, map(_json, values), strict=True))) + "\n"


def changes(session: Session, last: int) -> dict[int, str]:
    """What was done by hand at each step 0 … last, as the `event` column writes it:
    `lr=0.5` (η from this step on), `edit` (θ set at this step), `direction=195.0` (θ reached
    by a step along the direction dial's β from the step before); several joined by `;`."""
    made: dict[int, list[str]] = {}
    for event in session.events:
        if event.step <= last:
            text = "edit" if event.kind == "edit" else f"{event.kind}={event.values[0]!r}"
            made.setdefault(event.step, []).append(text)
    return {step: ";".join(texts) for step, texts in made.items()}


def _text(value: float | int | bool | str) -> str:
    """A CSV cell: floats as repr (the exact double), booleans as true/false, text as it is
    (the event column's words have no comma or quote)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def _json(value: float | int | bool | str) -> float | int | bool | str | None:
    """JSON has no nan or inf: those become null; so does an empty event cell."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value != "" else None
