"""The history's storage: growable arrays of rows (Rows), and a run of full states side by side
(Block)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GROWTH_ROWS = 1024
"""Rows an array grows by at least (else by an eighth of its length)."""


class Rows:
    """A growable array of rows: `rows` of them are in use at the front of `data`."""

    def __init__(
        self, shape: tuple[int, ...], dtype: type = np.float64, growth: int = GROWTH_ROWS
    ) -> None:
        self.data = np.empty((0, *shape), dtype)
        self.rows = 0
        self.growth = growth

    @property
    def used(self) -> np.ndarray:
        return self.data[: self.rows]

    def extend(self, values: np.ndarray) -> None:
        end = self.rows + len(values)
        if end > len(self.data):
            grown = np.empty(
                (end + max(self.growth, end // 8), *self.data.shape[1:]), self.data.dtype
            )
            grown[: self.rows] = self.used
            self.data = grown
        self.data[self.rows : end] = values
        self.rows = end

    def truncate(self, rows: int) -> None:
        self.rows = min(self.rows, max(rows, 0))

    def drop_front(self, count: int) -> None:
        kept = self.rows - count
        self.data[:kept] = self.data[count : self.rows]
        self.rows = kept


@dataclass(frozen=True)
class Block:
    """The full states lo … lo+len−1 side by side: views, valid until the history changes."""

    lo: int
    theta: np.ndarray
    grad: np.ndarray
    state: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
