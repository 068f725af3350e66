"""The states of a run, kept in bounded memory by checkpoints and replay.

State t is θ_t, the full-data loss L(θ_t), the batch gradient g_t that update t uses, the
optimizer state that update t starts from and the η that update t uses. Keeping all of them
costs (3 + state rows)·(d+1)·8 bytes a step, 1 KB for adam on 30 features: a long run would
fill the machine. So, as reverse debuggers do (rr's checkpoints and replay), the history keeps
per step only what the plots scan (L, η, and θ when d = 1 for the loss-surface path), a full
state at checkpoints (every `every` steps, and at each state set by hand), and a dense window
of full states near where they were last read. Any other state is computed again from the
checkpoint before it: the engine is deterministic to the bit, so it is the state computed the
first time, bit for bit.
"""

from __future__ import annotations

import bisect
import functools
import math
import threading
from collections.abc import Callable

import numpy as np

from tui.engine.budget import Budget
from tui.engine.rows import GROWTH_ROWS, Block, Rows

BYTES_PER_STEP = 56
"""What the history may keep per step, checkpoints included: with the arrays' growth by an
eighth, at most 64 bytes a step, whatever d and the optimizer."""

WINDOW_BYTES = 16 << 20
MIN_WINDOW, MAX_WINDOW = 1024, 1 << 15
"""The dense window: about WINDOW_BYTES of full states, between these counts, unless the
memory budget is small (`fit`)."""

REACH_WORK = 10_000_000
"""Numbers (points × parameters) a window refill may go through before the asked state (about
one frame): stepping back past the window refills it with the states that far before."""

Full = tuple[np.ndarray, np.ndarray, np.ndarray]
"""θ_t, g_t and the optimizer state (rows × parameters) of one step."""

Advance = Callable[[int, Full, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
"""advance(t, full state at t, η of updates t, t+1, …) → θ, L, g and the optimizer states
of the steps after t, up to the first that is not finite."""


def locked(method: Callable) -> Callable:
    """Run a History method under its lock: the app reads states on a worker thread (the
    Taylor panel's) while the main thread may be computing or replaying others."""

    @functools.wraps(method)
    def run(self: History, *args: object, **kwargs: object) -> object:
        with self.lock:
            return method(self, *args, **kwargs)

    return run


class History(Budget):
    """The states first … len−1 of a run (first > 0 only once a streaming trace forgot the
    earlier ones). `advance` is the engine: it computes the states after a full state.
    `every`, `window` and `reach` are chosen from the sizes unless given (tests give small
    ones, to replay across many checkpoints)."""

    def __init__(
        self,
        params: int,
        state_rows: int,
        advance: Advance,
        path: bool,
        points: int = 1,
        *,
        every: int | None = None,
        window: int | None = None,
        reach: int | None = None,
    ) -> None:
        self.params, self.state_rows, self.advance = params, state_rows, advance
        self.lock = threading.RLock()
        self.first = 0
        self.len = 0
        self._loss, self._lr = Rows(()), Rows(())
        self._path = Rows((params,)) if path else None
        self.full_bytes = (2 + state_rows) * params * 8
        per_step = 16 + (8 * params if path else 0)
        self.every = every or max(
            1, math.ceil((self.full_bytes + 8) / max(BYTES_PER_STEP - per_step, 8))
        )
        """Steps between two checkpoints: as few as the bytes per step allow."""
        self.step_bytes = per_step + (self.full_bytes + 8) / self.every
        self.cp_growth = math.ceil(GROWTH_ROWS / self.every)
        """Checkpoints their arrays grow by at least: about GROWTH_ROWS steps' worth."""
        self._cp_step = Rows((), np.int64, self.cp_growth)
        self._cp = tuple(
            Rows(shape, growth=self.cp_growth)
            for shape in ((params,), (params,), (state_rows, params))
        )
        self.reach = max(0, min(64, REACH_WORK // (points * params))) if reach is None else reach
        """States before (and after) an asked one that a window refill computes."""
        self.min_window = 2 * (self.every + self.reach + 1)
        """The fewest states the window may hold: a refill (from the checkpoint before the
        asked state, `reach` on either side) fits in it, with room to slide."""
        self.most_window = window or max(
            MIN_WINDOW, min(MAX_WINDOW, WINDOW_BYTES // self.full_bytes), self.min_window
        )
        """The window's size under a budget that is not small."""
        self.window = 0
        self._allocate(self.most_window)
        self._set: list[int] = []
        """The steps whose state was set by hand (in order): replays take them as kept."""

    # ---- size -------------------------------------------------------------------------
    def _allocate(self, window: int) -> None:
        """A new, empty window of `window` states (it is a cache: every state in it can be
        computed again from the checkpoints)."""
        self.window = window
        self._w = (
            np.empty((window, self.params)),
            np.empty((window, self.params)),
            np.empty((window, self.state_rows, self.params)),
        )
        self._w_lo, self._w_n = 0, 0

    @locked
    def fit(self, max_bytes: int) -> None:
        """Size the window for a memory budget of `max_bytes` (smaller under a small one)."""
        window = self.window_for(max_bytes)
        if window != self.window:
            self._allocate(window)

    @property
    def nbytes(self) -> int:
        """The bytes the history holds (its arrays at their allocated size)."""
        arrays = [self._loss, self._lr, self._cp_step, *self._cp]
        if self._path is not None:
            arrays.append(self._path)
        return sum(a.data.nbytes for a in arrays) + sum(a.nbytes for a in self._w)

    # ---- writing ----------------------------------------------------------------------
    @property
    def last(self) -> int:
        return self.len - 1

    @locked
    def append(
        self, theta: np.ndarray, loss: float, grad: np.ndarray, state: tuple, lr: float
    ) -> None:
        """State `len`, set rather than computed by an update from the one before (step 0,
        a change by hand): it is kept as a checkpoint, since no update would give it again."""
        state = np.asarray(state, dtype=np.float64).reshape(1, self.state_rows, self.params)
        theta, grad = np.asarray(theta)[None], np.asarray(grad)[None]
        self._push(theta, np.array([loss]), grad, state, lr)
        self._set.append(self.last)
        self._checkpoints(np.array([self.last]), theta, grad, state)

    @locked
    def extend(
        self, theta: np.ndarray, loss: np.ndarray, grad: np.ndarray, state: np.ndarray, lr: float
    ) -> None:
        """The states len … len+k−1 computed by updates with η = lr (arrays of k rows)."""
        t0 = self.len
        self._push(theta, loss, grad, state, lr)
        rows = np.arange(-t0 % self.every, len(loss), self.every)
        self._checkpoints(t0 + rows, theta[rows], grad[rows], state[rows])

    @locked
    def set_last(self, theta: np.ndarray, loss: float, grad: np.ndarray) -> None:
        """θ, L and g of the last state set by hand (its optimizer state kept): a checkpoint."""
        t = self.last
        self.full(t)  # in the window
        i = t - self._w_lo
        self._w[0][i], self._w[1][i] = theta, grad
        self._loss.data[t - self.first] = loss
        if self._path is not None:
            self._path.data[t - self.first] = theta
        self._checkpoints(np.array([t]), *(window[i : i + 1] for window in self._w))
        if not self._set or self._set[-1] != t:
            self._set.append(t)

    def set_lr(self, t: int, lr: float) -> None:
        """η of update t (the states after t must have been dropped)."""
        self._lr.data[t - self.first] = lr

    @locked
    def truncate(self, length: int) -> None:
        """Drop the states from `length` on."""
        self.len = length
        self.first = min(self.first, length)
        for rows in (self._loss, self._lr, self._path):
            if rows is not None:
                rows.truncate(length - self.first)
        kept = int(np.searchsorted(self._cp_step.used, length))
        for rows in (self._cp_step, *self._cp):
            rows.truncate(kept)
        del self._set[bisect.bisect_left(self._set, length) :]
        self._w_n = max(0, min(self._w_n, length - self._w_lo))

    @locked
    def forget_before(self, t: int) -> None:
        """Drop the states before t (a streaming trace keeps memory flat so): state t
        becomes the first checkpoint."""
        if t <= self.first:
            return
        self.full(t)
        for rows in (self._loss, self._lr, self._path):
            if rows is not None:
                rows.drop_front(t - self.first)
        self.first = t
        dropped = int(np.searchsorted(self._cp_step.used, t))
        for rows in (self._cp_step, *self._cp):
            rows.drop_front(dropped)
        del self._set[: bisect.bisect_left(self._set, t)]
        if not self._cp_step.rows or self._cp_step.data[0] != t:
            self._insert_first_checkpoint(t)

    def _insert_first_checkpoint(self, t: int) -> None:
        i = t - self._w_lo
        old = [rows.used.copy() for rows in (self._cp_step, *self._cp)]
        for rows in (self._cp_step, *self._cp):
            rows.truncate(0)
        self._cp_step.extend(np.array([t]))
        for rows, window in zip(self._cp, self._w, strict=True):
            rows.extend(window[i : i + 1])
        for rows, values in zip((self._cp_step, *self._cp), old, strict=True):
            rows.extend(values)

    def _push(
        self, theta: np.ndarray, loss: np.ndarray, grad: np.ndarray, state: np.ndarray, lr: float
    ) -> None:
        t0, k = self.len, len(loss)
        self._loss.extend(loss)
        self._lr.extend(np.full(k, lr))
        if self._path is not None:
            self._path.extend(theta)
        if self._w_lo + self._w_n != t0:  # the window is elsewhere: it starts again here
            self._w_lo, self._w_n = t0, 0
        self.len = t0 + k
        self._to_window(t0, (theta, grad, state))

    def _to_window(self, t0: int, rows: tuple[np.ndarray, ...]) -> None:
        """Put the full states t0 … after the window's last (its continuation), sliding it
        by half its size when it is full."""
        k, size = len(rows[0]), self.window
        if k > size:
            rows, t0, k = tuple(r[-size:] for r in rows), t0 + k - size, size
            self._w_lo, self._w_n = t0, 0
        if self._w_n + k > size:
            keep = min(self._w_n, size // 2, size - k)
            drop = self._w_n - keep
            for window in self._w:
                window[:keep] = window[drop : self._w_n]
            self._w_lo += drop
            self._w_n = keep
        for window, values in zip(self._w, rows, strict=True):
            window[self._w_n : self._w_n + k] = values
        self._w_n += k

    def _checkpoints(self, steps: np.ndarray, *full: np.ndarray) -> None:
        """Keep the full states of `steps` (after every checkpoint so far) as checkpoints; one
        at the last checkpoint's step takes its place."""
        kept = self._cp_step
        if len(steps) and kept.rows and kept.data[kept.rows - 1] == steps[0]:
            before = kept.rows - 1
            for rows in (kept, *self._cp):
                rows.truncate(before)
        kept.extend(steps)
        for rows, values in zip(self._cp, full, strict=True):
            rows.extend(values)

    # ---- reading ----------------------------------------------------------------------
    def loss(self, t: int) -> float:
        return float(self._loss.data[t - self.first])

    def lr(self, t: int) -> float:
        return float(self._lr.data[t - self.first])

    def losses(self, lo: int, hi: int) -> np.ndarray:
        """L(θ_lo) … L(θ_hi) (a view)."""
        return self._loss.data[lo - self.first : hi + 1 - self.first]

    def lrs(self, lo: int, hi: int) -> np.ndarray:
        """η of the updates lo … hi (a view)."""
        return self._lr.data[lo - self.first : hi + 1 - self.first]

    def theta(self, t: int) -> np.ndarray:
        """θ_t (a view): from the per-step path when it is kept, else the full state."""
        if self._path is not None:
            return self._path.data[t - self.first]
        return self.full(t)[0]

    def thetas(self, lo: int, hi: int) -> np.ndarray:
        """θ_lo … θ_hi: a view of the path when it is kept, else a block's."""
        if self._path is not None:
            return self._path.data[lo - self.first : hi + 1 - self.first]
        return self.block(lo, hi).theta

    @locked
    def full(self, t: int) -> Full:
        """θ_t, g_t and the optimizer state of update t (views of the window, which is
        filled again around t from the checkpoint before it when t is not in it). Another
        thread than the main one (the app's worker) gets new arrays and leaves the window
        alone: the main thread may be holding views of it."""
        if not self._w_lo <= t < self._w_lo + self._w_n:
            if threading.current_thread() is not threading.main_thread():
                start, full = self._start(t)
                return tuple(states[-1] for states in self._replay(start, full, t))
            self._load(t, t)
        i = t - self._w_lo
        return self._w[0][i], self._w[1][i], self._w[2][i]

    def block(self, lo: int, hi: int) -> Block:
        """The full states lo … hi: views of the window, which is filled again when they fit
        in it; else computed into new arrays (scans go through long ranges in pieces)."""
        w_lo, w_hi = self._w_lo, self._w_lo + self._w_n - 1
        fits = hi - lo + 1 + self.every + self.reach <= self.window
        if not w_lo <= lo <= hi <= w_hi and fits:
            self._load(lo, hi)
            w_lo, w_hi = self._w_lo, self._w_lo + self._w_n - 1
        if w_lo <= lo <= hi <= w_hi:
            rows = slice(lo - w_lo, hi + 1 - w_lo)
            theta, grad, state = (window[rows] for window in self._w)
        else:
            start, full = self._start(lo)
            theta, grad, state = (a[lo - start :] for a in self._replay(start, full, hi))
        return Block(lo, theta, grad, state, self.losses(lo, hi), self.lrs(lo, hi))

    def _start(self, t: int) -> tuple[int, Full]:
        """The checkpoint at or before t: its step and full state."""
        i = int(np.searchsorted(self._cp_step.used, t, side="right")) - 1
        return int(self._cp_step.data[i]), tuple(rows.data[i] for rows in self._cp)

    def _replay(self, start: int, full: Full, hi: int) -> tuple[np.ndarray, ...]:
        """The full states start … hi, computed from the one at `start`; a state set by
        hand on the way is taken from its checkpoint, as no update gives it."""
        pieces = [tuple(a[None] for a in full)]
        t = start
        after = bisect.bisect_right(self._set, start)
        for s in [*self._set[after : bisect.bisect_right(self._set, hi)], hi + 1]:
            theta, _, grad, state = self.advance(t, full, self.lrs(t, s - 2))
            pieces.append((theta, grad, state))
            if s > hi:
                break
            t, full = self._start(s)
            pieces.append(tuple(a[None] for a in full))
        return tuple(np.concatenate(column) for column in zip(*pieces, strict=True))

    @locked
    def _load(self, lo: int, hi: int) -> None:
        """Fill the window with the states from the checkpoint at or before lo − reach to
        hi + reach (as far as they go and fit): stepping back or forward from there finds
        them without computing."""
        start, full = self._start(max(lo - self.reach, self.first))
        end = min(self.last, hi + self.reach, start + self.window - 1)
        states = self._replay(start, full, end)
        self._w_lo, self._w_n = start, 0
        self._to_window(start, states)
