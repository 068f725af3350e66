"""The headless trace: one row per state, with the exact doubles (Python's repr)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from tui.engine.model import weight_names
from tui.engine.session import Session
from tui.expressions import Expression, evaluate_at, first_hit


def columns(d: int) -> list[str]:
    """step,w,b,loss,dw,db for d = 1; step,w1,…,wd,b,loss,dw1,…,dwd,db otherwise."""
    w = weight_names(d)
    return ["step", *w, "b", "loss", *(f"d{name}" for name in w), "db"]


def row(session: Session, t: int) -> list[float | int]:
    """θ_t, L(θ_t) and the batch gradient that update t uses."""
    theta = session.theta(t).tolist()
    grad = session.grad(t).tolist()
    return [t, *theta, session.loss(t), *grad]


@dataclass(frozen=True)
class Stop:
    """Where a trace ended: its last step, and the breakpoint that stopped it, if one did."""

    step: int
    breakpoint: Expression | None


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
    """Run, then write the rows of the states 0 … stop (see `rows`)."""
    stop = run(session, steps, list(breakpoints))
    out.writelines(lines(session, stop.step, every, fmt, list(watches)))
    return stop


def lines(
    session: Session, last: int, every: int = 1, fmt: str = "csv", watches: list[Expression] = ()
) -> Iterator[str]:
    """The trace's text of the states 0 … last: the rows whose step is a multiple of `every`,
    and the last one; one more column per watch, named by its expression; and, when a change
    made by hand lies in 0 … last, a last column `event` that says what it was (`changes`)."""
    made = changes(session, last)
    names = columns(session.d) + [w.text for w in watches] + (["event"] if made else [])
    if fmt == "csv":
        yield ",".join(names) + "\n"
    for t in range(last + 1):
        if t % every and t != last and t not in made:
            continue
        values = row(session, t) + (evaluate_at(session, t, watches) if watches else [])
        if made:
            values.append(made.get(t, ""))
        if fmt == "csv":
            yield ",".join(map(_text, values)) + "\n"
        else:
            yield json.dumps(dict(zip(names, map(_json, values), strict=True))) + "\n"


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
