"""A gradient-descent session: the states θ_0 … θ_T kept in numpy arrays, and a cursor t.

State t holds θ_t, the full-data loss L(θ_t), the batch gradient g_t that update t uses,
the optimizer state that update t starts from, and the η that update t uses. Going back only
moves the cursor; going forward replays the stored states, or computes new ones after the
last. Changing η at t drops the states after t, since they were computed with the old η.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from tui.engine.dial import turn
from tui.engine.objective import Objective, Points, Rows
from tui.engine.optimizers import OPTIMIZERS, Optimizer
from tui.engine.schedule import BatchSchedule

MIN_CAPACITY = 1024
BLOCK = 256
"""States the tiny-data path computes between two writes to the history."""


class History:
    """The states 0 … len−1, in arrays that grow by an eighth (at least MIN_CAPACITY rows)."""

    def __init__(self, params: int, state_rows: int) -> None:
        self.len = 0
        self.theta = np.empty((0, params))
        self.loss = np.empty(0)
        self.grad = np.empty((0, params))
        self.state = np.empty((0, state_rows, params))
        self.lr = np.empty(0)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.theta, self.loss, self.grad, self.state, self.lr))

    def append(
        self, theta: np.ndarray, loss: float, grad: np.ndarray, state: tuple, lr: float
    ) -> None:
        t = self.len
        if t == len(self.loss):
            self._grow(t + max(MIN_CAPACITY, t // 8))
        self.theta[t] = theta
        self.loss[t] = loss
        self.grad[t] = grad
        if state:
            self.state[t] = state
        self.lr[t] = lr
        self.len = t + 1

    def extend(self, block: list[tuple], lr: float) -> None:
        """Append (θ, loss, g, per-coordinate state) rows of Python floats, all with η = lr."""
        if not block:
            return
        t, end = self.len, self.len + len(block)
        if end > len(self.loss):
            self._grow(end + max(MIN_CAPACITY, end // 8))
        theta, loss, grad, state = zip(*block, strict=True)
        self.theta[t:end] = theta
        self.loss[t:end] = loss
        self.grad[t:end] = grad
        self.state[t:end] = (
            np.array(state).reshape(len(block), self.theta.shape[1], -1).transpose(0, 2, 1)
        )
        self.lr[t:end] = lr
        self.len = end

    def truncate(self, length: int) -> None:
        self.len = length

    def _grow(self, capacity: int) -> None:
        for name in ("theta", "loss", "grad", "state", "lr"):
            old = getattr(self, name)
            new = np.empty((capacity, *old.shape[1:]))
            new[: self.len] = old[: self.len]
            setattr(self, name, new)


@dataclass(frozen=True)
class Event:
    """A change made by hand at a step: a new η ("lr"), a new θ ("edit"), or a step along
    the direction dial's angle β ("direction", values (β,)): θ_step = θ_{step−1} + Δθ(β)."""

    kind: str
    step: int
    values: tuple[float, ...]


class ReplayError(ValueError):
    """A saved change that cannot be made again where it says: `index` is its place in the
    events (None: the final step)."""

    def __init__(self, index: int | None, problem: str) -> None:
        self.index = index
        self.problem = problem
        super().__init__(problem if index is None else f"event {index}: {problem}")


@dataclass(frozen=True)
class Config:
    """Everything that fixes a run besides the data."""

    loss: str = "mse"
    reduction: str = "mean"
    optimizer: str = "gd"
    lr: float = 1.0
    w0: tuple[float, ...] = (0.0,)
    b0: float = 0.0
    batch_size: int | None = None
    shuffle: bool = False
    seed: int = 0


class Session:
    """One data set, one configuration, and the history of its updates."""

    def __init__(self, x: np.ndarray, y: np.ndarray, config: Config) -> None:
        self.config = config
        self.objective = Objective(x, y, config.loss, config.reduction)
        self.optimizer: Optimizer = OPTIMIZERS[config.optimizer]
        self.schedule = BatchSchedule(
            self.objective.n, config.batch_size, config.shuffle, config.seed
        )
        d = self.objective.d
        w0 = config.w0 * d if len(config.w0) == 1 else config.w0
        if len(w0) != d:
            raise ValueError(f"w0 has {len(w0)} numbers but the data has {d} features")
        self.theta0 = np.array([*w0, config.b0], dtype=np.float64)
        self.history = History(d + 1, self.optimizer.state_rows)
        self.t = 0
        self.reset()

    # ---- the cursor -------------------------------------------------------------------
    @property
    def last(self) -> int:
        """The last step computed so far (the history may run ahead of the cursor)."""
        return self.history.len - 1

    @property
    def diverged(self) -> bool:
        """True when the last computed state has a non-finite loss or θ."""
        return not self.is_finite(self.last)

    @property
    def converged(self) -> bool:
        """True when the last update left θ exactly as it was (a fixed point in floats)."""
        t = self.t
        return t > 0 and bool(np.array_equal(self.theta(t), self.theta(t - 1)))

    def first_fixed_point(self, start: int) -> int | None:
        """The first step t in start+1 … the cursor whose update left θ unchanged."""
        thetas = self.history.theta[start : self.t + 1]
        same = np.flatnonzero((thetas[1:] == thetas[:-1]).all(axis=1))
        return start + 1 + int(same[0]) if len(same) else None

    def is_finite(self, t: int) -> bool:
        history = self.history
        return math.isfinite(history.loss[t]) and all(map(math.isfinite, history.theta[t].tolist()))

    def reset(self) -> None:
        """Back to step 0 with θ_0 and the starting η; the history is dropped."""
        loss, grad = self.objective.evaluate(self.theta0, self.schedule.rows(0))
        state = tuple(np.zeros((self.optimizer.state_rows, self.objective.d + 1)))
        self.history.truncate(0)
        self.history.append(self.theta0, loss, grad, state, self.config.lr)
        self.t = 0
        self.events: list[Event] = []

    def step(self, k: int = 1) -> int:
        """Up to k updates forward; stops at a divergence. Returns how many were made."""
        target = self.t + k
        if target > self.last:
            self._compute(target)
        moved = min(target, self.last) - self.t
        self.t += moved
        return moved

    def back(self, k: int = 1) -> int:
        """Up to k updates back (never before step 0). Returns how many."""
        moved = min(k, self.t)
        self.t -= moved
        return moved

    def goto(self, t: int) -> int:
        """Go to step t: back through the history or forward by computing. Returns the step."""
        if t <= self.t:
            self.back(self.t - t)
        else:
            self.step(t - self.t)
        return self.t

    def set_lr(self, lr: float) -> None:
        """η for the updates from the current step on; the later history is dropped."""
        if lr == self.history.lr[self.t]:
            return
        self._rewrite_from_here(Event("lr", self.t, (lr,)))
        self.history.lr[self.t] = lr

    def edited_at(self, t: int) -> bool:
        """Whether θ_t was set by hand (an edit at step t), not by an update."""
        return bool(self.edits_between(t, t))

    def edits_between(self, lo: int, hi: int) -> list[int]:
        """The steps lo … hi whose θ was set by hand. The events are in step order: the
        search runs back from the last one and stops at the first before lo."""
        steps = []
        for event in reversed(self.events):
            if event.step < lo:
                break
            if event.step <= hi and event.kind == "edit":
                steps.append(event.step)
        return steps

    def edit(self, theta: np.ndarray) -> None:
        """Set θ_t, as a debugger sets a variable: the loss and gradient at t are computed
        again, the optimizer state is kept, and the later history is dropped."""
        theta = np.array(theta, dtype=np.float64)
        if theta.shape != (self.d + 1,):
            raise ValueError(f"θ needs {self.d + 1} numbers (w and b), not {theta.size}")
        t = self.t
        self._rewrite_from_here(Event("edit", t, tuple(theta.tolist())))
        history = self.history
        loss, grad = self.objective.evaluate(theta, self.schedule.rows(t))
        history.theta[t], history.loss[t], history.grad[t] = theta, loss, grad

    def step_along(self, beta: float) -> None:
        """The direction dial's step (tui.engine.dial): θ_{t+1} = θ_t + Δθ(β), the loss and
        gradient at t+1 computed as after any update, the optimizer state and η carried over
        from t unchanged; the later history is dropped and the cursor moves to t+1. Recorded
        as a "direction" event at step t+1, the step it made. Raises DialError (g = 0, θ or
        g not finite) or ValueError (β not in [0, 360)) and then changes nothing."""
        t, history = self.t, self.history
        theta = self.theta(t)
        new = theta + turn(theta, self.objective.gradient(theta), self.lr(t), beta)
        self._rewrite_from_here(Event("direction", t + 1, (float(beta),)))
        loss, grad = self.objective.evaluate(new, self.schedule.rows(t + 1))
        history.append(new, loss, grad, tuple(history.state[t].copy()), self.lr(t))
        self.t = t + 1

    def direction_at(self, t: int) -> float | None:
        """β when θ_t was reached by a step along the direction dial, else None."""
        for event in reversed(self.events):
            if event.step < t:
                break
            if event.step == t and event.kind == "direction":
                return event.values[0]
        return None

    def _rewrite_from_here(self, event: Event) -> None:
        """Drop the history and the events after t, and record `event` at t. The events are
        in the order of their steps, so the dropped ones are at the end: each is popped once,
        which keeps a long run of changes linear."""
        self.history.truncate(self.t + 1)
        while self.events and self.events[-1].step > self.t:
            self.events.pop()
        self.events.append(event)

    def replay(self, events: list[Event], t: int) -> None:
        """From step 0, apply `events` (η changes, edits and dial steps, in the order of their
        steps) and go to step t. Raises ReplayError, naming the event, for an event that
        cannot be made where it says (out of order, past a divergence, an edit of the wrong
        size, a dial step where g = 0) and for a step t past a divergence: nothing is moved or
        dropped without a word."""
        self.reset()
        for index, event in enumerate(events):
            start = event.step - (event.kind == "direction")  # a dial step starts a step before
            if start < self.t:
                raise ReplayError(
                    index, f"its step {event.step} comes before the step {self.t} of the one before"
                )
            self._reach(start, index)
            try:
                if event.kind == "lr":
                    self.set_lr(event.values[0])
                elif event.kind == "direction":
                    self.step_along(event.values[0])
                else:
                    self.edit(np.array(event.values))
            except ValueError as e:
                raise ReplayError(index, str(e)) from None
        self._reach(t, None)

    def _reach(self, t: int, index: int | None) -> None:
        if self.goto(t) != t:
            raise ReplayError(
                index,
                f"step {t} cannot be reached: the run diverges at step {self.t} "
                "(the loss or θ is no longer finite)",
            )

    def _compute(self, target: int) -> None:
        """Compute states up to `target`, or up to the first non-finite one."""
        if self.is_finite(self.last):
            if self.objective.tiny:
                self._compute_floats(target)
            else:
                self._compute_arrays(target)

    def _compute_arrays(self, target: int) -> None:
        history = self.history
        rule, evaluate, rows = self.optimizer.rule, self.objective.evaluate, self.schedule.rows
        full = self.schedule.full
        t = self.last
        theta, grad, lr = history.theta[t], history.grad[t], float(history.lr[t])
        state = tuple(history.state[t])
        with np.errstate(all="ignore"):
            while t < target:
                theta, state = rule(theta, grad, state, lr, t)
                t += 1
                loss, grad = evaluate(theta, None if full else rows(t))
                history.append(theta, loss, grad, state, lr)
                if not (math.isfinite(loss) and all(map(math.isfinite, theta.tolist()))):
                    return

    def _compute_floats(self, target: int) -> None:
        """`_compute_arrays` with θ, g and the state as Python floats, one coordinate at a
        time, written to the history in blocks: at tiny N numpy's per-call cost dominates."""
        history = self.history
        rule, evaluate, rows = (
            self.optimizer.rule,
            self.objective.evaluate_floats,
            self.schedule.rows,
        )
        full = self.schedule.full
        t = self.last
        theta, grad, lr = history.theta[t].tolist(), history.grad[t].tolist(), float(history.lr[t])
        state = [tuple(s) for s in history.state[t].T.tolist()]  # per coordinate
        block: list[tuple] = []
        while t < target:
            theta, state = zip(*map(rule, theta, grad, state, repeat(lr), repeat(t)), strict=True)
            t += 1
            loss, grad = evaluate(theta, None if full else rows(t))
            block.append((theta, loss, grad, state))
            if not (math.isfinite(loss) and all(map(math.isfinite, theta))):
                break
            if len(block) == BLOCK:
                history.extend(block, lr)
                block = []
        history.extend(block, lr)

    # ---- what the screen shows --------------------------------------------------------
    @property
    def n(self) -> int:
        return self.objective.n

    @property
    def d(self) -> int:
        return self.objective.d

    def theta(self, t: int | None = None) -> np.ndarray:
        return self.history.theta[self.t if t is None else t]

    def w(self, t: int | None = None) -> np.ndarray:
        return self.theta(t)[:-1]

    def b(self, t: int | None = None) -> float:
        return float(self.theta(t)[-1])

    def loss(self, t: int | None = None) -> float:
        return float(self.history.loss[self.t if t is None else t])

    def grad(self, t: int | None = None) -> np.ndarray:
        """The batch gradient g_t = [Δw; Δb] that update t uses."""
        return self.history.grad[self.t if t is None else t]

    def lr(self, t: int | None = None) -> float:
        return float(self.history.lr[self.t if t is None else t])

    def losses(self) -> np.ndarray:
        """L(θ_0) … L(θ_t): the loss curve up to the cursor (a view, not a copy)."""
        return self.history.loss[: self.t + 1]

    def thetas(self) -> np.ndarray:
        """θ_0 … θ_t (a view)."""
        return self.history.theta[: self.t + 1]

    def batch(self, t: int | None = None) -> Rows:
        """The rows update t uses (None: every point)."""
        return self.schedule.rows(self.t if t is None else t)

    def next_theta(self) -> np.ndarray:
        """θ_{t+1}, the result of the coming update (from the history, or computed without
        being kept)."""
        if self.t < self.last:
            return self.theta(self.t + 1)
        history, t = self.history, self.t
        with np.errstate(all="ignore"):
            state = tuple(history.state[t])
            theta, _ = self.optimizer.rule(history.theta[t], history.grad[t], state, self.lr(), t)
        return theta

    def batch_rows(self, t: int | None = None) -> np.ndarray:
        """The row numbers of the batch update t uses, in the order it sums them."""
        rows = self.batch(t)
        if rows is None or isinstance(rows, slice):
            return np.arange(*(rows or slice(None)).indices(self.n))
        return np.asarray(rows)

    def partial_gradient(self, k: int) -> np.ndarray:
        """Σ [Δw_i; Δb_i] over the first k points of the current batch, not yet reduced:
        the running sums of "iterate over the data, accumulate, then update". Summed as the
        engine sums, so that after the last point they are the batch gradient's sums."""
        rows = self.batch()
        if rows is None or isinstance(rows, slice):
            first = (rows or slice(None)).indices(self.n)[0]
            prefix: slice | np.ndarray = slice(first, first + k)
        else:
            prefix = np.asarray(rows)[:k]
        return self.objective.gradient_sum(self.theta(), prefix)

    def points(self, rows: Rows = None, t: int | None = None) -> Points:
        """x_i, y_i, ŷ_i, r_i, ℓ_i, Δw_i, Δb_i at θ_t for `rows` (computed only for those)."""
        return self.objective.points(self.theta(t), rows)
