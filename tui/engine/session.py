"""A gradient-descent session: the states θ_0 … θ_T of a run (tui.engine.history) and a
cursor t.

State t holds θ_t, the full-data loss L(θ_t), the batch gradient g_t that update t uses,
the optimizer state that update t starts from, and the η that update t uses. Going back only
moves the cursor (a state not kept in full is computed again, to the bit, from a checkpoint);
going forward replays the stored states, or computes new ones after the last. Changing η at t
drops the states after t, since they were computed with the old η. The history stops growing
at its memory budget (`capacity`), so that a run never dies of memory.
"""

from __future__ import annotations

import math
import os
import resource
from dataclasses import dataclass

import numpy as np

from tui.engine.dial import turn
from tui.engine.history import History
from tui.engine.objective import Objective
from tui.engine.optimizers import OPTIMIZERS, Optimizer
from tui.engine.reads import PIECE, Reads
from tui.engine.schedule import BatchSchedule
from tui.engine.stepper import Stepper
from tui.format import Precision, num, precision

MEMORY_FRACTION = 4
"""By default a session's history may take 1/MEMORY_FRACTION of the machine's memory."""


def machine_memory() -> int:
    """The memory this process may use, in bytes: the machine's physical memory, or less
    under an address-space limit (`prlimit --as`, `ulimit -v`); 4 GiB when the system does
    not say."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 4 << 30
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    return physical if limit == resource.RLIM_INFINITY else min(physical, limit)


def memory_text(size: int) -> str:
    """A size in bytes as people write it: 512 MB, 1.5 GB."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            with precision(Precision.ROUNDED):  # 3 figures, also while `p` shows exact ones
                return f"{num(size / scale, 3)} {unit}"
    return f"{size} B"


max_memory = machine_memory() // MEMORY_FRACTION
"""The bytes a session's history may take unless it is given its own budget: the process's
setting (`--max-memory`), as a resource limit is."""


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


class Session(Reads):
    """One data set, one configuration, and the history of its updates."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, config: Config, memory: int | None = None
    ) -> None:
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
        self.advance = Stepper(self.objective, self.optimizer, self.schedule)
        self.history = History(
            d + 1, self.optimizer.state_rows, self.advance, path=d == 1, points=self.n
        )
        self.set_memory(max_memory if memory is None else memory)
        self.run = 0
        """Its index among compared runs (tui.engine.race; 0 alone): `run` in expressions."""
        self.t = 0
        self.reset()

    def set_memory(self, memory: int) -> None:
        """The history's memory budget in bytes (compare mode shares one among its runs);
        a history already past it keeps what it holds but grows no further."""
        self.memory = memory
        self.history.fit(memory)
        self.capacity = self.history.steps_within(memory) - 1
        """How many steps past its first the history may hold within its memory budget."""

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
    def limit(self) -> int:
        """The last step the memory budget lets the history reach."""
        return self.history.first + self.capacity

    @property
    def full(self) -> bool:
        """True when the history has reached its memory budget: no step can be added."""
        return self.last >= self.limit

    @property
    def converged(self) -> bool:
        """True when the last update left θ exactly as it was (a fixed point in floats)."""
        t = self.t
        return t > 0 and bool(np.array_equal(self.theta(t), self.theta(t - 1)))

    def first_fixed_point(self, start: int) -> int | None:
        """The first step t in start+1 … the cursor whose update left θ unchanged (read in
        pieces, so that a long range is not held at once)."""
        for lo in range(start, self.t, PIECE):
            thetas = self.history.thetas(lo, min(lo + PIECE, self.t))
            same = np.flatnonzero((thetas[1:] == thetas[:-1]).all(axis=1))
            if len(same):
                return lo + 1 + int(same[0])
        return None

    def is_finite(self, t: int) -> bool:
        history = self.history
        return math.isfinite(history.loss(t)) and all(map(math.isfinite, history.theta(t).tolist()))

    def reset(self) -> None:
        """Back to step 0 with θ_0 and the starting η; the history is dropped."""
        loss, grad = self.objective.evaluate(self.theta0, self.schedule.rows(0))
        state = tuple(np.zeros((self.optimizer.state_rows, self.objective.d + 1)))
        self.history.truncate(0)
        self.history.append(self.theta0, loss, grad, state, self.config.lr)
        self.t = 0
        self.events: list[Event] = []

    def step(self, k: int = 1) -> int:
        """Up to k updates forward; stops at a divergence and at the memory budget (`full`).
        Returns how many were made."""
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

    def drop_ahead(self, kept: int) -> None:
        """Drop the states computed past both the cursor and step `kept`: a run computes
        ahead in chunks and stops behind them (a fixed point, a cycle, a breakpoint), and its
        history ends where it stopped, or at `kept`, the last state before the run (one the
        user went back from). The engine is deterministic: nothing dropped is lost."""
        end = max(self.t, kept)
        if end < self.last:
            self.history.truncate(end + 1)

    def forget_before(self, t: int) -> None:
        """Drop the states before t (t ≤ the cursor), for a run that only looks forward
        (the streaming trace): its memory stays flat however far it goes."""
        self.history.forget_before(t)

    def set_lr(self, lr: float) -> None:
        """η for the updates from the current step on; the later history is dropped."""
        if lr == self.lr():
            return
        self._rewrite_from_here(Event("lr", self.t, (lr,)))
        self.history.set_lr(self.t, lr)

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
        loss, grad = self.objective.evaluate(theta, self.schedule.rows(t))
        self.history.set_last(theta, loss, grad)

    def step_along(self, beta: float) -> None:
        """The direction dial's step (tui.engine.dial): θ_{t+1} = θ_t + Δθ(β), the loss and
        gradient at t+1 computed as after any update, the optimizer state and η carried over
        from t unchanged; the later history is dropped and the cursor moves to t+1. Recorded
        as a "direction" event at step t+1, the step it made. Raises DialError (g = 0, θ or
        g not finite) or ValueError (β not in [0, 360)) and then changes nothing."""
        t, history = self.t, self.history
        if t >= self.limit:
            raise ValueError(
                f"the history is at its memory limit, {memory_text(self.memory)} "
                "(--max-memory): no step can be added"
            )
        theta = self.theta(t)
        new = theta + turn(theta, self.objective.gradient(theta), self.lr(t), beta)
        self._rewrite_from_here(Event("direction", t + 1, (float(beta),)))
        loss, grad = self.objective.evaluate(new, self.schedule.rows(t + 1))
        history.append(new, loss, grad, tuple(self.state(t)), self.lr(t))
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
        cannot be made where it says (out of order, past a divergence or the memory budget,
        an edit of the wrong size, a dial step where g = 0) and for a step t past a
        divergence: nothing is moved or dropped without a word."""
        self.reset()
        for index, event in enumerate(events):
            start = event.step - (event.kind == "direction")  # a dial step starts a step before
            if start < self.t:
                raise ReplayError(
                    index, f"its step {event.step} comes before the step {self.t} of the one before"
                )
            self._reach(start, index)
            try:
                self._apply(event)
            except ValueError as e:
                raise ReplayError(index, str(e)) from None
        self._reach(t, None)

    def _apply(self, event: Event) -> None:
        """Make a recorded change again, at the cursor: the one place that knows each kind."""
        if event.kind == "lr":
            self.set_lr(event.values[0])
        elif event.kind == "direction":
            self.step_along(event.values[0])
        else:
            self.edit(np.array(event.values))

    def _reach(self, t: int, index: int | None) -> None:
        if self.goto(t) == t:
            return
        if self.full:
            problem = (
                f"step {t} cannot be reached: the history would pass its memory limit, "
                f"{memory_text(self.memory)} (--max-memory), after step {self.limit:,}"
            )
        else:
            problem = (
                f"step {t} cannot be reached: the run diverges at step {self.t} "
                "(the loss or θ is no longer finite)"
            )
        raise ReplayError(index, problem)

    def _compute(self, target: int) -> None:
        """Compute states up to `target`, or up to the first non-finite one, or up to the
        memory budget, a piece at a time."""
        history = self.history
        target = min(target, self.limit)
        while self.last < target and self.is_finite(self.last):
            t = self.last
            lr = history.lr(t)
            states = self.advance(t, history.full(t), np.full(min(PIECE, target - t), lr))
            history.extend(*states, lr)
