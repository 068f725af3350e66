"""The loss curve (L over the steps, min/max-downsampled to the columns, optionally log10)
and the fit (the data and ŷ = σ(w·x + b) at θ_t, for one feature). Numpy only."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from tui.app.plots.axes import (
    LOG_MAX,
    Axis,
    Ticks,
    axis,
    log_ticks,
    nice_ticks,
    not_drawn,
    padded,
    range_width,
    smallest_positive,
)
from tui.engine.session import Session

FIT_PAD = 0.05
FIT_Y = (-0.05, 1.05)


# ---- the loss curve -------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """The loss curve as plotted: steps xs, values ys (L or log10 L), and the axes."""

    xs: np.ndarray  # steps, increasing
    ys: np.ndarray  # L(θ_x), or log10 of it; finite
    x: Axis
    y: Axis
    log: bool
    not_drawn: str  # what the plot says of the non-finite losses it leaves out ('' if none)
    mark_x: int | None = None  # the marked step (the cursor) …
    mark_y: float | None = None  # … and its plotted value (None when its loss is not finite)
    before_mark: int = 0  # how many of xs are ≤ mark_x

    @property
    def empty(self) -> bool:
        return len(self.xs) == 0


def min_max_indices(values: np.ndarray, columns: int) -> np.ndarray:
    """The steps to plot, increasing: every finite one when there are at most 2·columns,
    else the min and the max finite value of each bin of ⌈n/columns⌉ steps, so that no
    spike is lost."""
    n = len(values)
    columns = max(1, int(columns))
    finite = np.isfinite(values)
    if n <= 2 * columns:
        return np.flatnonzero(finite)
    per_bin = -(-n // columns)
    bins = -(-n // per_bin)
    starts = np.arange(bins) * per_bin
    low = np.full(bins * per_bin, np.inf)
    low[:n] = np.where(finite, values, np.inf)
    i_min = low.reshape(bins, per_bin).argmin(axis=1) + starts
    high = low  # reuse the buffer: the min pass is done
    high[:n] = np.where(finite, values, -np.inf)
    high[n:] = -np.inf
    i_max = high.reshape(bins, per_bin).argmax(axis=1) + starts
    keep = finite[i_min]  # a bin whose min is not finite has no finite value at all
    # Bins are disjoint and in order, so each bin's (first, second) pair keeps the order.
    pairs = np.column_stack([np.minimum(i_min, i_max), np.maximum(i_min, i_max)])[keep].ravel()
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = pairs[1:] != pairs[:-1]
    return pairs[distinct]


def loss_curve(losses: np.ndarray, columns: int, log: bool, mark: int | None = None) -> Curve:
    """L(θ_0) … L(θ_n−1) ready to plot in `columns` columns (see `min_max_indices`).

    With `log`, the values are log10 L, with L ≤ 0 taken as the smallest positive loss (or
    LOG_FLOOR). Non-finite losses are left out (of the points and of the range) and
    `not_drawn` says so. `mark` is a step to mark (the cursor).
    """
    losses = np.asarray(losses, dtype=np.float64)
    n = len(losses)
    columns = max(1, int(columns))
    index = min_max_indices(losses, columns)
    values = losses[index]
    floor = smallest_positive(losses) if log else 0.0

    def plotted(v: np.ndarray) -> np.ndarray:
        return np.log10(np.maximum(v, floor)) if log else v

    ys = plotted(values)
    x_hi = float(max(n - 1, 1))
    x_ticks = nice_ticks(0.0, x_hi, max(2, min(6, columns // 10)), integer=True)
    mark_y = None
    if mark is not None and 0 <= mark < n and math.isfinite(losses[mark]):
        mark_y = float(plotted(losses[mark : mark + 1])[0])
    before_mark = int(np.searchsorted(index, mark, side="right")) if mark is not None else 0
    return Curve(
        xs=index.astype(np.float64),
        ys=ys,
        x=Axis(0.0, x_hi, x_ticks),
        y=_loss_axis(ys, log),
        log=log,
        not_drawn=not_drawn(np.isfinite(losses), "L"),
        mark_x=mark,
        mark_y=mark_y,
        before_mark=before_mark,
    )


def loss_curves(losses: list[np.ndarray], columns: int, log: bool) -> list[Curve]:
    """Compare mode's loss curves, one per run, each as `loss_curve` makes it alone but on
    shared axes: the steps of the longest, the plotted values of all."""
    each = [loss_curve(values, columns, log) for values in losses]
    x_hi = max(curve.x.hi for curve in each)
    x_ticks = nice_ticks(0.0, x_hi, max(2, min(6, max(1, int(columns)) // 10)), integer=True)
    y = _loss_axis(np.concatenate([curve.ys for curve in each]), log)
    return [replace(curve, x=Axis(0.0, x_hi, x_ticks), y=y) for curve in each]


def _loss_axis(ys: np.ndarray, log: bool) -> Axis:
    """The range of the plotted losses, widened when flat: ±1 decade on a log axis (so that
    it holds two), else ±10% (±1 around 0)."""
    if len(ys) == 0:
        return Axis(0.0, 1.0, Ticks([], []))
    lo, hi = float(ys.min()), float(ys.max())
    if range_width(lo, hi) <= max(abs(lo), abs(hi)) * 1e-12:
        lo, hi = padded(lo, hi, 1.0 if log else (abs(lo) * 0.1 or 1.0))
    if log:
        hi = min(hi, LOG_MAX)
        return Axis(lo, hi, log_ticks(lo, hi))
    return axis(lo, hi, 5)


# ---- the fit --------------------------------------------------------------------------------


def one_feature(session: Session) -> None:
    if session.d != 1:
        raise ValueError(f"this plot needs one feature; the data has {session.d}")


def fit_range(session: Session) -> tuple[float, float, float, float]:
    """(x_lo, x_hi, y_lo, y_hi): the data's x range padded 5%, and [−0.05, 1.05] or the
    data's y range where that is wider; within ±FLOAT_MAX."""
    one_feature(session)
    x_lo, x_hi = _finite_range(session.objective.x[:, 0])
    y_lo, y_hi = _finite_range(session.objective.y)
    pad = FIT_PAD * range_width(x_lo, x_hi) if x_hi > x_lo else max(1.0, abs(x_lo) * FIT_PAD)
    return (*padded(x_lo, x_hi, pad), min(FIT_Y[0], y_lo), max(FIT_Y[1], y_hi))


def _finite_range(values: np.ndarray) -> tuple[float, float]:
    """(min, max) of the finite values; (0, 0) when there are none."""
    lo, hi = float(values.min(initial=math.inf)), float(values.max(initial=-math.inf))
    if math.isfinite(lo) and math.isfinite(hi):
        return lo, hi
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 0.0)


def data_points(session: Session, limit: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """(x_i, y_i): every point when there are at most `limit`, else an even stride."""
    one_feature(session)
    stride = max(1, -(-session.n // max(1, limit)))
    return session.objective.x[::stride, 0], session.objective.y[::stride]


def fit_curve(session: Session, points: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, ŷ): `points` x over `fit_range` and ŷ = σ(w·x + b) at θ_t (nan if θ_t is not
    finite)."""
    x_lo, x_hi, _, _ = fit_range(session)
    t = np.linspace(0.0, 1.0, max(2, int(points)))
    # lo + width·t rises with t (rounding keeps the order); where the width overflows, the
    # same in halves
    width = x_hi - x_lo
    x = x_lo + width * t if math.isfinite(width) else 2 * (x_lo / 2 + (x_hi / 2 - x_lo / 2) * t)
    x = np.clip(x, x_lo, x_hi)  # the ends exactly, and nothing past them
    x[0], x[-1] = x_lo, x_hi
    return x, session.objective.predict(session.theta(), x[:, None])
