"""Axes for plotext: ticks that read well on any range (huge, tiny, equal, log), and every
value handed over as a fraction of its axis, finite and in [0, 1], with what is left out
counted. plotext computes in floats and turns them into cells, and a span like
1e308 − (−1e308) overflows there. Numpy only: no textual, no plotext."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

LOG_FLOOR = 1e-300
"""log10 of a loss ≤ 0 uses the smallest positive loss, or this when there is none."""

RANGE_LIMIT = 1e300
"""Surface bounds are kept within ±this, so that their differences stay finite."""

FLOAT_MAX = sys.float_info.max
"""Every axis range lies within ±this (padding a range near it stops there)."""

LOG_MAX = math.log10(FLOAT_MAX)
"""A log10 axis ends at most here (its ticks are loss values, which must be floats)."""


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


def curves_axis(values: np.ndarray, ticks: int) -> Axis | None:
    """An axis over the finite `values` of some curves (None when none is finite), widened
    around a value when they are all equal to 12 digits."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return None
    lo, hi = float(finite.min()), float(finite.max())
    if range_width(lo, hi) <= max(abs(lo), abs(hi)) * 1e-12:
        lo, hi = padded(lo, hi, abs(lo) * 0.1 or 1.0)
    return axis(lo, hi, ticks)


def padded(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """(lo − pad, hi + pad), within ±FLOAT_MAX."""
    return max(lo - pad, -FLOAT_MAX), min(hi + pad, FLOAT_MAX)


def range_width(lo: float, hi: float) -> float:
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


def finite_stretches(finite: np.ndarray) -> list[slice]:
    """The stretches of consecutive True in `finite`: a line is drawn stretch by stretch,
    never joined across the points that are not finite."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], finite, [False])).astype(int)))
    return [slice(a, b) for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)]


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


def smallest_positive(values: np.ndarray) -> float:
    """The smallest finite value > 0, or LOG_FLOOR when there is none."""
    usable = np.isfinite(values) & (values > 0)
    return float(np.min(values, where=usable, initial=np.inf)) if usable.any() else LOG_FLOOR
