"""The headless trace: one row per state, with the exact doubles (Python's repr)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import TextIO

from tui.session import Session

CHUNK_STEPS = 4096
"""Updates computed between two writes."""


def columns(d: int) -> list[str]:
    """step,w,b,loss,dw,db for d = 1; step,w1,…,wd,b,loss,dw1,…,dwd,db otherwise."""
    w = ["w"] if d == 1 else [f"w{j}" for j in range(1, d + 1)]
    return ["step", *w, "b", "loss", *(f"d{name}" for name in w), "db"]


def row(session: Session, t: int) -> list[float | int]:
    """θ_t, L(θ_t) and the batch gradient that update t uses."""
    theta = session.theta(t).tolist()
    grad = session.grad(t).tolist()
    return [t, *theta, session.loss(t), *grad]


def states(session: Session, steps: int, every: int = 1) -> Iterator[int]:
    """Step the session up to `steps` updates, yielding the steps to print: the multiples of
    `every` and the last one (which is a divergence if the run stopped early)."""
    session.reset()
    done = 0
    while True:
        last = session.t
        for t in range(done, last + 1):
            if t % every == 0 or (t == last and (last == steps or session.diverged)):
                yield t
        done = last + 1
        if last >= steps or session.diverged:
            return
        session.step(min(CHUNK_STEPS, steps - last))


def write(session: Session, steps: int, out: TextIO, every: int = 1, fmt: str = "csv") -> int:
    """Write the trace; returns the step count reached."""
    names = columns(session.d)
    if fmt == "csv":
        out.write(",".join(names) + "\n")
    last = 0
    for t in states(session, steps, every):
        values = row(session, t)
        if fmt == "csv":
            out.write(",".join(map(repr, values)) + "\n")
        else:
            finite = [v if math.isfinite(v) else None for v in values]
            out.write(json.dumps(dict(zip(names, finite, strict=True))) + "\n")
        last = t
    return last
