"""What a session shows of its states: θ_t, L(θ_t), g_t, the optimizer state and η at a
step (the cursor's by default), the loss curve and the path, the batch of an update and its
points. A part of Session (tui.engine.session), which gives them its `history`, `objective`,
`schedule`, `optimizer` and cursor `t`; they read and never change the session."""

from __future__ import annotations

import numpy as np

from tui.engine.history import History
from tui.engine.objective import Objective, Points, Rows
from tui.engine.optimizers import Optimizer
from tui.engine.schedule import BatchSchedule

PIECE = 1024
"""States computed between two writes to the history."""


class Reads:
    """Session's reads of its states (what the screen shows)."""

    history: History
    objective: Objective
    schedule: BatchSchedule
    optimizer: Optimizer
    t: int
    last: int

    @property
    def n(self) -> int:
        return self.objective.n

    @property
    def d(self) -> int:
        return self.objective.d

    def theta(self, t: int | None = None) -> np.ndarray:
        """θ_t (a copy, taken under the history's lock: its own rows move as it replays,
        and a worker thread may read while the main thread steps)."""
        with self.history.lock:
            return self.history.theta(self.t if t is None else t).copy()

    def w(self, t: int | None = None) -> np.ndarray:
        return self.theta(t)[:-1]

    def b(self, t: int | None = None) -> float:
        return float(self.theta(t)[-1])

    def loss(self, t: int | None = None) -> float:
        return self.history.loss(self.t if t is None else t)

    def grad(self, t: int | None = None) -> np.ndarray:
        """The batch gradient g_t = [Δw; Δb] that update t uses (a copy, as θ_t)."""
        with self.history.lock:
            return self.history.full(self.t if t is None else t)[1].copy()

    def state(self, t: int | None = None) -> np.ndarray:
        """The optimizer state (rows × parameters) that update t starts from (a copy, as θ_t)."""
        with self.history.lock:
            return self.history.full(self.t if t is None else t)[2].copy()

    def lr(self, t: int | None = None) -> float:
        return self.history.lr(self.t if t is None else t)

    def losses(self) -> np.ndarray:
        """L(θ_0) … L(θ_t): the loss curve up to the cursor (a view, not a copy)."""
        return self.history.losses(0, self.t)

    def thetas(self) -> np.ndarray:
        """θ_0 … θ_t: a view of the path kept per step when d = 1 (the loss surface's);
        for d > 1 every state is computed again from the checkpoints (slow, and large)."""
        history = self.history
        if self.d == 1:
            return history.thetas(0, self.t)
        pieces = range(0, self.t + 1, PIECE)
        return np.concatenate(
            [history.block(lo, min(lo + PIECE - 1, self.t)).theta.copy() for lo in pieces]
        )

    def batch(self, t: int | None = None) -> Rows:
        """The rows update t uses (None: every point)."""
        return self.schedule.rows(self.t if t is None else t)

    def next_theta(self) -> np.ndarray:
        """θ_{t+1}, the result of the coming update (from the history, or computed without
        being kept)."""
        if self.t < self.last:
            return self.theta(self.t + 1)
        theta, grad, state = self.history.full(self.t)
        with np.errstate(all="ignore"):
            theta, _ = self.optimizer.rule(theta, grad, tuple(state), self.lr(), self.t)
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
