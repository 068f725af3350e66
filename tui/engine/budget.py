"""The history's size within a memory budget: its window, the states that fit, and the least
budget that holds a number of them. A part of History (tui.engine.history), which gives it its
sizes (`full_bytes`, `step_bytes`, `every`, `cp_growth`, `min_window`, `most_window`)."""

from __future__ import annotations

from tui.engine.rows import GROWTH_ROWS

WINDOW_SHARE = 4
"""Under a small memory budget the window takes at most 1/WINDOW_SHARE of it (but never fewer
states than `min_window`), so that the rest holds steps."""


class Budget:
    """History's sizes under a memory budget (pure arithmetic on its sizes)."""

    full_bytes: int
    step_bytes: float
    every: int
    cp_growth: int
    min_window: int
    most_window: int

    def window_for(self, max_bytes: int) -> int:
        """The window's size under a memory budget of `max_bytes`."""
        share = int(max_bytes // WINDOW_SHARE // (self.full_bytes))
        return min(self.most_window, max(self.min_window, share))

    def steps_within(self, max_bytes: int) -> int:
        """How many states fit in `max_bytes` with the window `fit` gives it: the window,
        the arrays' first growth, then `step_bytes` a step with their growth by an eighth
        (at least one state)."""
        per_step = self.step_bytes - (self.full_bytes + 8) / self.every
        fixed = (
            self.window_for(max_bytes) * self.full_bytes
            + GROWTH_ROWS * per_step
            + (self.cp_growth + 2) * (self.full_bytes + 8)
        )
        return max(1, int((max_bytes - fixed) / (self.step_bytes * 9 / 8)))

    def min_memory(self, steps: int) -> int:
        """The smallest budget, in whole megabytes (as bytes), that holds `steps` states."""
        lo, hi = 1, 1
        while self.steps_within(hi * 10**6) < steps:
            lo, hi = hi, hi * 2
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (mid + 1, hi) if self.steps_within(mid * 10**6) < steps else (lo, mid)
        return hi * 10**6
