"""Which points update t uses: MATH.md's batch schedules."""

from __future__ import annotations

from enum import Enum

import numpy as np

from tui.engine.objective import Rows

CHECKPOINT_ROWS = 1 << 16
"""Keep the generator's state every this many shuffled rows, so any epoch is quick to redraw."""


class Batches(Enum):
    """Which batch sizes an optimizer takes (MATH.md, "Which points a step uses")."""

    EVERY_POINT = "gd uses every point: no batch size"
    ONE_POINT = "sgd uses one point a step: batch size 1"
    SIZED = "minibatch needs a batch size"
    EITHER = "every point, or batches of a given size"


BATCHES = {"gd": Batches.EVERY_POINT, "sgd": Batches.ONE_POINT, "minibatch": Batches.SIZED}
"""The optimizers with a rule of their own; the momentum-type ones take EITHER."""


class BatchSizeError(ValueError):
    """A batch size the optimizer does not take; `.rule` says which rule it breaks."""

    def __init__(self, rule: Batches) -> None:
        super().__init__(rule.value)
        self.rule = rule


def batch_size(optimizer: str, size: int | None) -> int | None:
    """The batch size a run of `optimizer` uses, given `size` (None: not given), or
    BatchSizeError: gd takes none, sgd none or 1 (it is 1), minibatch needs one."""
    rule = BATCHES.get(optimizer, Batches.EITHER)
    if rule is Batches.EVERY_POINT and size is not None:
        raise BatchSizeError(rule)
    if rule is Batches.ONE_POINT:
        if size not in (None, 1):
            raise BatchSizeError(rule)
        return 1
    if rule is Batches.SIZED and size is None:
        raise BatchSizeError(rule)
    return size


class BatchSchedule:
    """Every point each update, or consecutive chunks of `size` points per epoch.

    Chunks follow file order, or with `shuffle` a fresh permutation per epoch drawn in turn
    from `numpy.random.default_rng(seed)`. The last chunk of an epoch may be shorter.
    A chunk that covers all N points is the full batch, whatever the order.
    """

    def __init__(self, n: int, size: int | None = None, shuffle: bool = False, seed: int = 0):
        self.n = n
        self.size = n if size is None else min(size, n)
        self.shuffle = shuffle
        self.full = self.size >= n
        self.per_epoch = -(-n // self.size)
        self._every = max(1, CHECKPOINT_ROWS // n)
        self._checkpoints = [np.random.default_rng(seed).bit_generator.state]
        self._cached: tuple[int, np.ndarray] | None = None

    def rows(self, t: int) -> Rows:
        """The rows of update t: None for every point, else a slice or an index array."""
        if self.full:
            return None
        epoch, j = divmod(t, self.per_epoch)
        chunk = slice(j * self.size, min((j + 1) * self.size, self.n))
        if not self.shuffle:
            return chunk
        return self.permutation(epoch)[chunk]

    def permutation(self, epoch: int) -> np.ndarray:
        """The order of epoch `epoch`: the (epoch+1)-th permutation the generator draws."""
        if self._cached is not None and self._cached[0] == epoch:
            return self._cached[1]
        known = min(epoch // self._every, len(self._checkpoints) - 1)
        rng = np.random.default_rng()
        rng.bit_generator.state = self._checkpoints[known]
        for e in range(known * self._every, epoch + 1):
            if e % self._every == 0 and e // self._every == len(self._checkpoints):
                self._checkpoints.append(rng.bit_generator.state)
            order = rng.permutation(self.n)
        self._cached = (epoch, order)
        return order
