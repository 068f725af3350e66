"""What the plots draw, computed on the engine side, so that the plot panel only draws.

* `loss_curve`: L(θ_0) … L(θ_t), min/max-downsampled to the plot's columns, optionally as
  log10, with the y range and the ticks.
* `fit_range`, `data_points`, `fit_curve`: the data and ŷ = σ(w·x + b) at θ_t (d = 1).
* `surface_range`, `loss_surface`: the full-data L(w, b) on a grid around the path
  θ_0 … θ_t (d = 1), with the path itself.
* `nice_ticks`, `log_ticks`: tick positions and their labels.
* `Axis`, `drawable`, `not_drawn`: what every plot hands to plotext. plotext computes in
  floats and turns them into cells, and a span like 1e308 − (−1e308) overflows there; so
  every value goes to it as a fraction of its axis's range, finite and in [0, 1], with the
  non-finite values left out and counted, for the plot to say so.

Numpy only: no textual, no plotext.
"""

from __future__ import annotations

import math
import sys
import weakref
from dataclasses import dataclass, field

import numpy as np

from tui.engine.model import sigmoid
from tui.engine.objective import Objective
from tui.engine.session import Session
from tui.format import num

LOG_FLOOR = 1e-300
"""log10 of a loss ≤ 0 uses the smallest positive loss, or this when there is none."""

SURFACE_POINTS = 2000
"""The surface sums over at most this many points (an even stride through the data)."""

PATH_POINTS = 2000
"""The path on the surface keeps at most this many θ (always θ_0 and θ_t)."""

MARGIN = 0.3
"""The surface spans the path's bounding box plus this fraction of it on each side …"""

MIN_HALF_WIDTH = 1.0
"""… and at least ±this around θ_t."""

RANGE_LIMIT = 1e300
"""Surface bounds are kept within ±this, so that their differences stay finite."""

FLOAT_MAX = sys.float_info.max
"""Every axis range lies within ±this (padding a range near it stops there)."""

LOG_MAX = math.log10(FLOAT_MAX)
"""A log10 axis ends at most here (its ticks are loss values, which must be floats)."""

FIT_PAD = 0.05
FIT_Y = (-0.05, 1.05)

GRID_BLOCK = 1 << 16
"""Entries of z (cells × points) per numpy pass over the surface grid."""


# ---- ticks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticks:
    """Tick positions on an axis, in plotted units, and the text written at each."""

    positions: list[float]
    labels: list[str]


def _short(label: str) -> str:
    """`1e+06` → `1e6`, `2.5e-05` → `2.5e-5`, `-0` → `0`."""
    if "e" in label:
        mantissa, exponent = label.split("e")
        sign = "-" if exponent.startswith("-") else ""
        label = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return "0" if label == "-0" else label


def tick_labels(values: list[float]) -> list[str]:
    """The shortest `g` format (3 to 15 significant digits) that tells the values apart and
    writes each within 1% of the smallest gap between them."""
    with np.errstate(over="ignore"):  # a gap past 1e308 is inf: any finite label will do
        gaps = np.diff(np.sort(np.asarray(values, dtype=np.float64)))
    gaps = gaps[gaps > 0]
    tolerance = min(0.01 * float(gaps.min()), FLOAT_MAX) if len(gaps) else 0.0
    for digits in range(3, 16):
        labels = [_short(f"{v:.{digits}g}") for v in values]
        if len(set(labels)) == len(labels) and all(
            abs(float(label) - v) <= tolerance
            for label, v in zip(labels, values, strict=True)
            if math.isfinite(v)
        ):
            return labels
    return [_short(repr(float(v))) for v in values]


def _nice_step(span: float, target: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least span / target."""
    raw = span / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * magnitude >= raw * (1 - 1e-9):
            return factor * magnitude
    return 10.0 * magnitude


def nice_ticks(lo: float, hi: float, target: int = 5, integer: bool = False) -> Ticks:
    """About `target` round numbers (multiples of 1, 2, 2.5 or 5 × 10^k) in [lo, hi].

    `integer=True` keeps whole numbers only (steps of at least 1). A range too narrow for
    the floats to hold distinct round numbers (or a step below 1e-300) gets its two ends; a
    span past the largest float (1e308 − (−1e308)) the ticks of the half range, doubled.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return Ticks([], [])
    span = hi - lo
    if span == math.inf:
        values = [2 * v for v in nice_ticks(lo / 2, hi / 2, target).positions]
    elif span <= max(abs(lo), abs(hi)) * 1e-12 or span / max(target, 1) < 1e-300:
        values = [lo] if span == 0 else [lo, hi]
    else:
        values = _round_values(lo, hi, _nice_step(span, target), target, integer)
    labels = [str(int(round(v))) for v in values] if integer else tick_labels(values)
    # k·step may lie just outside (0 for a range from 5e-324): the tick goes to the edge
    return Ticks([min(max(v, lo), hi) for v in values], labels)


def _round_values(lo: float, hi: float, step: float, target: int, integer: bool) -> list[float]:
    """The multiples of `step` (of a whole step with `integer`) in [lo, hi]; its two ends
    when there is none (a step past the span, or past 1e308)."""
    if integer and step < math.inf:
        step = max(1.0, round(step))
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    if step == math.inf or not first <= last <= first + 4 * max(target, 1):
        return [lo, hi]
    return [k * step for k in range(first, last + 1)]


def exp10(v: float) -> float:
    """10^v, inf past the largest double (where `10.0 ** v` raises)."""
    try:
        return 10.0**v
    except OverflowError:
        return math.inf


def _decade_label(k: int) -> str:
    return f"1e{k}" if abs(k) >= 3 else _short(f"{10.0**k:g}")


def log_ticks(lo: float, hi: float) -> Ticks:
    """Ticks on a log10 axis over [lo, hi] (in log10 units), labelled in loss units.

    Whole decades when the range holds at least 2 (every k-th decade when it holds more than
    6); otherwise 1-2-5 values, or else a few round loss values, spread over the range.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return Ticks([], [])
    decades = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    if len(decades) >= 2:
        strides = (1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 250, 500)  # 632 decades: 5e-324 … 1e308
        stride = next(s for s in strides if len(decades) / s <= 6)
        kept = [k for k in decades if k % stride == 0]
        return Ticks([float(min(max(k, lo), hi)) for k in kept], [_decade_label(k) for k in kept])
    one_two_five = [
        (p, exp10(p))  # not m·10^k: 10^−324 is 0, 10^−323.3 is 5e-324
        for k in range(math.floor(lo) - 1, math.ceil(hi) + 1)
        for m in (1, 2, 5)
        if lo - 1e-9 <= (p := math.log10(m) + k) <= hi + 1e-9
    ]
    if 3 <= len(one_two_five) <= 5:
        return Ticks(
            [min(max(p, lo), hi) for p, _ in one_two_five],
            tick_labels([v for _, v in one_two_five]),
        )
    linear = nice_ticks(exp10(lo), exp10(hi), 4)
    values = [v for v in linear.positions if v > 0]
    if len(values) >= 2:
        positions = [min(max(math.log10(v), lo), hi) for v in values]
        return Ticks(positions, tick_labels(values))
    positions = np.unique(np.linspace(lo, hi, 4)).tolist()  # one when lo = hi
    return Ticks(positions, tick_labels([exp10(p) for p in positions]))


# ---- what plotext gets --------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """An axis of a plot: the range lo < hi it shows (finite) and its ticks there."""

    lo: float
    hi: float
    ticks: Ticks

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lo) and math.isfinite(self.hi) and self.lo < self.hi):
            raise ValueError(f"an axis needs finite lo < hi, not {self.lo!r} … {self.hi!r}")

    def place(self, values: np.ndarray) -> np.ndarray:
        """(v − lo) / (hi − lo) for each finite v, clipped to [0, 1]. It is computed on
        v, lo and hi divided by the power of two above max(|lo|, |hi|) (exact, and every
        difference at most 2), so no span overflows and a range of subnormals still spreads
        over [0, 1]."""
        exponent = -math.frexp(max(abs(self.lo), abs(self.hi)))[1]
        v = np.ldexp(np.clip(np.asarray(values, dtype=np.float64), self.lo, self.hi), exponent)
        lo, hi = math.ldexp(self.lo, exponent), math.ldexp(self.hi, exponent)
        return np.clip((v - lo) / (hi - lo), 0.0, 1.0)

    @property
    def tick_places(self) -> list[float]:
        return self.place(np.asarray(self.ticks.positions)).tolist()


def axis(lo: float, hi: float, ticks: int) -> Axis:
    """An axis over [lo, hi] with about `ticks` round ticks (`nice_ticks`)."""
    return Axis(lo, hi, nice_ticks(lo, hi, ticks))


def _padded(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """(lo − pad, hi + pad), within ±FLOAT_MAX."""
    return max(lo - pad, -FLOAT_MAX), min(hi + pad, FLOAT_MAX)


def _width(lo: float, hi: float) -> float:
    """hi − lo, FLOAT_MAX where that overflows."""
    return min(hi - lo, FLOAT_MAX)


@dataclass(frozen=True)
class Drawn:
    """Points as plotext gets them: fractions of their axes' ranges, in [0, 1]."""

    x: list[float]
    y: list[float]
    not_finite: int  # points left out: x or y is nan or ±inf
    clipped: int  # finite points outside the axes' ranges, drawn at the edge


def drawable(x: np.ndarray, y: np.ndarray, x_axis: Axis, y_axis: Axis) -> Drawn:
    """The points (x_i, y_i) as fractions of the axes (`Axis.place`), the non-finite ones
    left out: every value plotext draws goes through here."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    inside = (x_axis.lo <= x) & (x <= x_axis.hi) & (y_axis.lo <= y) & (y <= y_axis.hi)
    return Drawn(
        x=x_axis.place(x).tolist(),
        y=y_axis.place(y).tolist(),
        not_finite=int(len(finite) - len(x)),
        clipped=int(len(x) - np.count_nonzero(inside)),
    )


def not_drawn(finite: np.ndarray, what: str) -> str:
    """What a plot says about the steps whose value it leaves out, `finite[k]` telling
    whether step k's is finite: nothing when all are, else `L is not finite at step 12`,
    `… from step 12` (to the last) or `… at 3 steps (first 12)`, then `: not drawn`."""
    bad = np.flatnonzero(~np.asarray(finite, dtype=bool))
    if len(bad) == 0:
        return ""
    first = int(bad[0])
    if len(bad) == 1:
        where = f"at step {first}"
    elif len(bad) == len(finite) - first:
        where = f"from step {first}"
    else:
        where = f"at {len(bad):,} steps (first {first})"
    return f"{what} is not finite {where}: not drawn"


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


def smallest_positive(values: np.ndarray) -> float:
    """The smallest finite value > 0, or LOG_FLOOR when there is none."""
    usable = np.isfinite(values) & (values > 0)
    return float(np.min(values, where=usable, initial=np.inf)) if usable.any() else LOG_FLOOR


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


def _loss_axis(ys: np.ndarray, log: bool) -> Axis:
    """The range of the plotted losses, widened when flat: ±1 decade on a log axis (so that
    it holds two), else ±10% (±1 around 0)."""
    if len(ys) == 0:
        return Axis(0.0, 1.0, Ticks([], []))
    lo, hi = float(ys.min()), float(ys.max())
    if _width(lo, hi) <= max(abs(lo), abs(hi)) * 1e-12:
        lo, hi = _padded(lo, hi, 1.0 if log else (abs(lo) * 0.1 or 1.0))
    if log:
        hi = min(hi, LOG_MAX)
        return Axis(lo, hi, log_ticks(lo, hi))
    return axis(lo, hi, 5)


# ---- the fit --------------------------------------------------------------------------------


def _one_feature(session: Session) -> None:
    if session.d != 1:
        raise ValueError(f"this plot needs one feature; the data has {session.d}")


def fit_range(session: Session) -> tuple[float, float, float, float]:
    """(x_lo, x_hi, y_lo, y_hi): the data's x range padded 5%, and [−0.05, 1.05] or the
    data's y range where that is wider; within ±FLOAT_MAX."""
    _one_feature(session)
    x_lo, x_hi = _finite_range(session.objective.x[:, 0])
    y_lo, y_hi = _finite_range(session.objective.y)
    pad = FIT_PAD * _width(x_lo, x_hi) if x_hi > x_lo else max(1.0, abs(x_lo) * FIT_PAD)
    return (*_padded(x_lo, x_hi, pad), min(FIT_Y[0], y_lo), max(FIT_Y[1], y_hi))


def _finite_range(values: np.ndarray) -> tuple[float, float]:
    """(min, max) of the finite values; (0, 0) when there are none."""
    lo, hi = float(values.min(initial=math.inf)), float(values.max(initial=-math.inf))
    if math.isfinite(lo) and math.isfinite(hi):
        return lo, hi
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 0.0)


def data_points(session: Session, limit: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """(x_i, y_i): every point when there are at most `limit`, else an even stride."""
    _one_feature(session)
    stride = max(1, -(-session.n // max(1, limit)))
    return session.objective.x[::stride, 0], session.objective.y[::stride]


def fit_curve(session: Session, points: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, ŷ): `points` x over `fit_range` and ŷ = σ(w·x + b) at θ_t (nan if θ_t is not
    finite)."""
    x_lo, x_hi, _, _ = fit_range(session)
    t = np.linspace(0.0, 1.0, max(2, int(points)))
    x = x_lo * (1 - t) + x_hi * t  # not linspace(x_lo, x_hi): x_hi − x_lo may overflow
    return x, session.objective.predict(session.theta(), x[:, None])


# ---- the loss surface -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Surface:
    """L(w, b) over every point (or an even-stride subsample) on a rows × columns grid,
    with the path θ_0 … θ_t over it."""

    ws: np.ndarray  # (columns,) increasing
    bs: np.ndarray  # (rows,) increasing
    loss: np.ndarray  # (rows, columns): loss[r, c] = L(ws[c], bs[r])
    level: np.ndarray  # (rows, columns): log10 L scaled to [0, 1] over the grid; nan: not finite
    log_lo: float  # log10 L at level 0 …
    log_hi: float  # … and at level 1
    path_w: np.ndarray  # θ_0 … θ_t, at most PATH_POINTS of them (always θ_0 and θ_t); …
    path_b: np.ndarray  # … as they are: not finite, or beyond the grid (past ±RANGE_LIMIT)
    w: float  # θ_t
    b: float
    points: int  # the points the grid sums over
    subsampled_from: int | None  # N when `points` < N

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return float(self.ws[0]), float(self.ws[-1]), float(self.bs[0]), float(self.bs[-1])


@dataclass
class _SurfaceState:
    """Per session: the range (which only widens) and the last grid computed."""

    bounds: tuple[float, float, float, float] | None = None
    key: tuple | None = None
    grid: tuple = field(default_factory=tuple)


_STATES: weakref.WeakKeyDictionary[Session, _SurfaceState] = weakref.WeakKeyDictionary()


def _finite_path(session: Session) -> np.ndarray:
    """θ_0 … θ_t without the θ that are not finite (a diverged last state); (0, 0) when
    none is (θ_0 itself may be inf)."""
    path = session.thetas()
    if not np.isfinite(path).all():
        path = path[np.isfinite(path[:, 0]) & np.isfinite(path[:, 1])]
    return path if len(path) else np.zeros((1, 2))


def _clip(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, -RANGE_LIMIT), RANGE_LIMIT)


def _span(lo: float, hi: float, centre: float) -> tuple[float, float]:
    """[lo, hi] plus MARGIN of its width on each side, and at least ±MIN_HALF_WIDTH (or a
    relative width where ±1 is lost in the rounding) around centre."""
    margin = MARGIN * (hi - lo)
    half = max(MIN_HALF_WIDTH, abs(centre) * 1e-9)
    lo, hi = _clip(min(lo - margin, centre - half)), _clip(max(hi + margin, centre + half))
    if not hi > lo:  # only at the ±RANGE_LIMIT edge
        lo, hi = _clip(lo - RANGE_LIMIT * 1e-9), _clip(hi + RANGE_LIMIT * 1e-9)
    return lo, hi


def surface_range(session: Session) -> tuple[float, float, float, float]:
    """(w_lo, w_hi, b_lo, b_hi) for the surface: the path's bounding box plus MARGIN on each
    side and at least ±1 around θ_t. Kept per session and only widened, when the path
    leaves it, so the map stays put while the path moves inside it."""
    _one_feature(session)
    path = _finite_path(session)
    w, b = path[:, 0], path[:, 1]  # column by column: 20× faster than min(axis=0)
    lo, hi, centre = (w.min(), b.min()), (w.max(), b.max()), path[-1]
    state = _STATES.setdefault(session, _SurfaceState())
    old = state.bounds
    inside = old is not None and (
        old[0] <= lo[0] and hi[0] <= old[1] and old[2] <= lo[1] and hi[1] <= old[3]
    )
    if not inside:
        w_lo, w_hi = _span(float(lo[0]), float(hi[0]), float(centre[0]))
        b_lo, b_hi = _span(float(lo[1]), float(hi[1]), float(centre[1]))
        if old is not None:
            w_lo, w_hi = min(w_lo, old[0]), max(w_hi, old[1])
            b_lo, b_hi = min(b_lo, old[2]), max(b_hi, old[3])
        state.bounds = (w_lo, w_hi, b_lo, b_hi)
    return state.bounds


def loss_grid(
    objective: Objective, x: np.ndarray, y: np.ndarray, ws: np.ndarray, bs: np.ndarray
) -> np.ndarray:
    """L(w, b) over the points (x, y) for every w in ws and b in bs, (len(bs), len(ws)):
    the objective's ℓ, σ and reduction, with z = w·x + b as `linear` computes it.
    """
    with np.errstate(all="ignore"):
        u = np.multiply.outer(ws, x)  # (columns, n): w·x_i
    out = np.empty((len(bs), len(ws)))
    _loss_rows(objective, u, y, bs, out)
    return out


def _loss_rows(
    objective: Objective, u: np.ndarray, y: np.ndarray, bs: np.ndarray, out: np.ndarray
) -> None:
    """out[r, c] = L(ws[c], bs[r]) from u = outer(ws, x), a block of rows at a time."""
    loss = objective.loss
    divisor = objective.divisor(u.shape[1])
    block = max(1, GRID_BLOCK // max(1, u.size))
    with np.errstate(all="ignore"):
        for r in range(0, len(bs), block):
            z = u[None, :, :] + bs[r : r + block, None, None]
            residual = sigmoid(z) - y
            out[r : r + block] = loss.point_loss(z, y, residual, np).sum(axis=-1) / divisor


def _levels(loss: np.ndarray) -> tuple[np.ndarray, float, float]:
    """log10 L scaled to [0, 1] over the finite cells (L ≤ 0 as the smallest positive L)."""
    finite = np.isfinite(loss)
    if not finite.any():
        return np.full(loss.shape, np.nan), 0.0, 0.0
    with np.errstate(all="ignore"):
        log_loss = np.log10(np.maximum(loss, smallest_positive(loss)))
    lo = float(log_loss[finite].min())
    hi = float(log_loss[finite].max())
    level = (log_loss - lo) / (hi - lo) if hi > lo else np.full(loss.shape, 0.5)
    return np.where(finite, level, np.nan), lo, hi


def loss_surface(session: Session, columns: int, rows: int) -> Surface:
    """The full-data L(w, b) on `columns` w × `rows` b over `surface_range`, with the path.

    Over more than SURFACE_POINTS points the grid sums over an even-stride subsample (an
    Objective on those points, same loss and reduction) and `subsampled_from` says so. The
    grid is reused while the range, the grid size and the session stay the same.
    """
    bounds = surface_range(session)
    state = _STATES[session]
    columns, rows = max(1, int(columns)), max(1, int(rows))
    objective = session.objective
    key = (bounds, columns, rows, id(objective), objective.n, objective.loss_name)
    if state.key != key:
        stride = max(1, -(-objective.n // SURFACE_POINTS))
        x, y = objective.x[::stride, 0], objective.y[::stride]
        ws = np.linspace(bounds[0], bounds[1], columns)
        bs = np.linspace(bounds[2], bounds[3], rows)
        loss = loss_grid(objective, x, y, ws, bs)
        level, log_lo, log_hi = _levels(loss)
        subsampled_from = objective.n if stride > 1 else None
        state.key, state.grid = key, (ws, bs, loss, level, log_lo, log_hi, len(x), subsampled_from)
    ws, bs, loss, level, log_lo, log_hi, points, subsampled_from = state.grid
    path = session.thetas()
    if len(path) > PATH_POINTS:
        path = path[np.unique(np.linspace(0, len(path) - 1, PATH_POINTS).round().astype(int))]
    return Surface(
        ws=ws,
        bs=bs,
        loss=loss,
        level=level,
        log_lo=log_lo,
        log_hi=log_hi,
        path_w=path[:, 0],
        path_b=path[:, 1],
        w=float(path[-1, 0]),
        b=float(path[-1, 1]),
        points=points,
        subsampled_from=subsampled_from,
    )


def band_grid(surface: Surface, bands: int) -> np.ndarray:
    """The colour band of each cell, (rows, columns): 0 … bands−1 from the lowest log10 L
    to the highest, and −1 where L is not finite."""
    finite = np.isfinite(surface.level)
    band = np.full(surface.level.shape, -1)
    band[finite] = np.minimum((surface.level[finite] * bands).astype(int), bands - 1)
    return band


def describe_loss_range(surface: Surface) -> str:
    """`L 0.0123…0.456`: the loss at the two ends of the colour ramp."""
    return f"L {num(exp10(surface.log_lo), 3)}…{num(exp10(surface.log_hi), 3)}"
