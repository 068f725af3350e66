"""Computing states from a full state: the one function that both steps a run forward and
replays it from a checkpoint, so that a replayed state is the computed one, bit for bit."""

from __future__ import annotations

import math
from itertools import repeat

import numpy as np

from tui.engine.history import Full
from tui.engine.objective import Objective
from tui.engine.optimizers import Optimizer
from tui.engine.schedule import BatchSchedule


class Stepper:
    """The updates of one run: its objective, update rule and batch schedule."""

    def __init__(self, objective: Objective, optimizer: Optimizer, schedule: BatchSchedule) -> None:
        self.objective, self.optimizer, self.schedule = objective, optimizer, schedule

    def __call__(
        self, t: int, full: Full, lrs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The states t+1 … t+len(lrs) after the full state at t, update t+i with η = lrs[i],
        up to the first one that is not finite: θ, L, g and the optimizer state, as arrays.
        The history computes forward and replays from checkpoints with this one function,
        so that a replayed state is the computed one, bit for bit."""
        if self.objective.tiny:
            return self._floats(t, full, lrs)
        rule, evaluate, rows = self.optimizer.rule, self.objective.evaluate, self.schedule.rows
        every_point = self.schedule.full
        k, params = len(lrs), self.objective.d + 1
        thetas, losses, grads = np.empty((k, params)), np.empty(k), np.empty((k, params))
        states = np.empty((k, self.optimizer.state_rows, params))
        theta, grad, state = full[0], full[1], tuple(full[2])
        with np.errstate(all="ignore"):
            for i, lr in enumerate(lrs.tolist()):
                theta, state = rule(theta, grad, state, lr, t + i)
                loss, grad = evaluate(theta, None if every_point else rows(t + i + 1))
                thetas[i], losses[i], grads[i] = theta, loss, grad
                if state:
                    states[i] = state
                if not (math.isfinite(loss) and all(map(math.isfinite, theta.tolist()))):
                    k = i + 1
                    break
        return thetas[:k], losses[:k], grads[:k], states[:k]

    def _floats(
        self, t: int, full: Full, lrs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The same with θ, g and the state as Python floats, one coordinate at a time:
        at tiny N numpy's per-call cost dominates."""
        rule, evaluate, rows = (
            self.optimizer.rule,
            self.objective.evaluate_floats,
            self.schedule.rows,
        )
        every_point = self.schedule.full
        theta, grad = full[0].tolist(), full[1].tolist()
        state = [tuple(s) for s in full[2].T.tolist()]  # per coordinate
        block: list[tuple] = []
        for i, lr in enumerate(lrs.tolist()):
            theta, state = zip(
                *map(rule, theta, grad, state, repeat(lr), repeat(t + i)), strict=True
            )
            loss, grad = evaluate(theta, None if every_point else rows(t + i + 1))
            block.append((theta, loss, grad, state))
            if not (math.isfinite(loss) and all(map(math.isfinite, theta))):
                break
        k, params, state_rows = len(block), self.objective.d + 1, self.optimizer.state_rows
        if not k:
            return (
                np.empty((0, params)),
                np.empty(0),
                np.empty((0, params)),
                np.empty((0, state_rows, params)),
            )
        thetas, losses, grads, states = zip(*block, strict=True)
        per_coordinate = np.array(states, dtype=np.float64).reshape(k, params, state_rows)
        return (
            np.array(thetas),
            np.array(losses),
            np.array(grads),
            per_coordinate.transpose(0, 2, 1),
        )
