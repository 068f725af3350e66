"""Running to a breakpoint: the first step in a range where an expression holds, checked
in chunks of steps at once where the quantities allow."""

from __future__ import annotations

from tui.engine.session import Session
from tui.expressions.expression import Expression
from tui.expressions.names import EXPENSIVE
from tui.expressions.quantities import Curvatures, LazyValues, check_names, history_arrays

FIRST_CHUNK = 64
MAX_CHUNK = 8192
"""`first_hit` computes states in chunks that double from FIRST_CHUNK up to MAX_CHUNK, so at
most about as many states are computed past a hit as before it."""


# ---- running to a breakpoint ------------------------------------------------------------------


def first_hit(
    session: Session, breakpoints: list[Expression], start: int, stop: int
) -> tuple[int, Expression] | None:
    """Step forward from step `start` (exclusive; the session goes there first) to at most
    `stop`, checking the breakpoints after each update. Returns the first step where one
    holds, with the first such breakpoint in list order, and leaves the cursor there; or
    None, with the cursor at `stop` or at the divergence that ended the run.

    States are computed in chunks (the history may run ahead of the cursor). Breakpoints over
    cheap quantities are checked over a chunk at once on the history arrays; when one uses an
    expensive quantity, every step is checked in turn, computing it only when read."""
    return _first_hit(session, breakpoints, start, stop, vectorized=True)


def _first_hit(
    session: Session, breakpoints: list[Expression], start: int, stop: int, vectorized: bool
) -> tuple[int, Expression] | None:
    names = check_names(session, frozenset().union(*(e.names for e in breakpoints)))
    t = session.goto(start)
    if t != start:
        return None  # diverged before `start`
    if not breakpoints:
        session.goto(stop)
        return None
    vectorized = vectorized and names.isdisjoint(EXPENSIVE)
    curvatures = Curvatures(session)
    computed = session.last
    chunk = computed - t if computed > t else FIRST_CHUNK  # the history ahead, in one go
    while t < stop:
        moved = session.step(min(chunk, stop - t))
        if moved == 0:
            break  # diverged at t
        lo, hi = t + 1, t + moved
        hit = (
            _check_arrays(session, breakpoints, names, lo, hi)
            if vectorized
            else _check_steps(session, breakpoints, lo, hi, curvatures)
        )
        if hit is not None:
            session.goto(hit[0])
            return hit
        t = hi
        chunk = FIRST_CHUNK if hi <= computed else min(2 * chunk, MAX_CHUNK)
    return None


def _check_arrays(
    session: Session, breakpoints: list[Expression], names: frozenset[str], lo: int, hi: int
) -> tuple[int, Expression] | None:
    arrays = history_arrays(session, lo, hi, names)
    n = hi - lo + 1
    best: tuple[int, Expression] | None = None
    for expression in breakpoints:
        truth = expression.holds_many(arrays, n)
        i = int(truth.argmax())
        if truth[i] and (best is None or lo + i < best[0]):
            best = (lo + i, expression)
    return best


def _check_steps(
    session: Session, breakpoints: list[Expression], lo: int, hi: int, curvatures: Curvatures
) -> tuple[int, Expression] | None:
    for s in range(lo, hi + 1):
        values = LazyValues(session, s, curvatures)
        for expression in breakpoints:
            if expression.holds(values):
                return s, expression
    return None
