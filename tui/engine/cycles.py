"""Runs that bounce for ever between a few states: where the whole system (θ, the optimizer
state, η and the batch) is exactly where it was p steps before, bit for bit, so that the run
repeats those p states from there on (issue: `seed --lr 12` repeats every 4 steps from 259)."""

from __future__ import annotations

import numpy as np

from tui.engine.session import Session

MAX_PERIOD = 8
"""The longest cycle of states `periods` looks for."""

PIECE = 4096
"""States `periods` compares at a time (a long range is read from the history in pieces)."""


def periods(session: Session, lo: int, hi: int) -> np.ndarray:
    """For each step t in lo … hi: the smallest p ≤ MAX_PERIOD such that the whole system
    is where it was p steps before (θ_t = θ_{t−p} and the optimizer state and η of update
    t equal those of update t−p, bit for bit), else 0. From such a t the run repeats
    those p states for ever: the updates are the same function of the same inputs.

    That needs the same batch too: any p when every update uses every point; a multiple
    of the epoch length for batches in file order; never with a fresh shuffle per epoch.
    Adam's update depends on t itself (its bias correction), so it has no such p."""

    found = np.zeros(hi - lo + 1, dtype=np.int64)
    schedule = session.schedule
    if session.config.optimizer == "adam" or (schedule.shuffle and not schedule.full):
        return found
    step = 1 if schedule.full else schedule.per_epoch
    for start in range(lo, hi + 1, PIECE):  # a piece of states at a time: any range fits
        end = min(start + PIECE - 1, hi)
        found[start - lo : end + 1 - lo] = _periods(session, start, end, step)
    return found


def _periods(session: Session, lo: int, hi: int, step: int) -> np.ndarray:
    """`periods` of lo … hi, from one block of the states lo − MAX_PERIOD … hi."""

    def bits(values: np.ndarray) -> np.ndarray:  # 0.0 is not −0.0; a nan is itself
        return values.view(np.int64)

    found = np.zeros(hi - lo + 1, dtype=np.int64)
    block = session.history.block(max(lo - MAX_PERIOD, 0), hi)
    theta, state, lr = bits(block.theta), bits(block.state), bits(block.lr)
    for p in reversed(range(step, MAX_PERIOD + 1, step)):  # the smallest p is written last
        first = max(lo, p)
        if first > hi:
            continue
        now = slice(first - block.lo, hi + 1 - block.lo)
        then = slice(first - p - block.lo, hi + 1 - p - block.lo)
        same = (
            (theta[now] == theta[then]).all(axis=1)
            & (state[now] == state[then]).all(axis=(1, 2))
            & (lr[now] == lr[then])
        )
        found[first - lo :][same] = p
    return found


def first_cycle(session: Session, start: int) -> tuple[int, int] | None:
    """The first step k in start+1 … the cursor where the run is back in the state it
    was in p steps before, 1 < p ≤ MAX_PERIOD (see `periods`; p = 1 is a fixed point),
    as (k, p); None when there is none."""
    if start >= session.t:
        return None
    found = periods(session, start + 1, session.t)
    k = np.flatnonzero(found > 1)
    return (start + 1 + int(k[0]), int(found[k[0]])) if len(k) else None
