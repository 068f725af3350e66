"""--standardize: x' = (x − m)/s for each feature, exact for any finite column (MATH.md)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tui.format import exact, num


@dataclass(frozen=True, eq=False)
class Standardization:
    """How ``--standardize`` rescaled the features: x'_ij = (x_ij − m_j) / s_j, with m_j the
    mean and s_j the population standard deviation (ddof 0) of column j (MATH.md). Made by
    :func:`standardize_columns`.

    Each column is scaled by a power of two 2^e_j ≥ max_i |x_ij| first: that is exact, and
    values in (−1, 1) neither overflow nor underflow when summed and squared, so any finite
    column works (from 5e−324 to 1.7e308). The mean is kept as the double nearest it, μ_j,
    plus the mean c_j of the residuals x_ij − μ_j (what rounding the mean lost: it matters
    when a column's spread is a few ulps of its values), and s_j comes from the corrected
    two-pass formula s² = mean(r²) − c² (as scikit-learn computes it).
    """

    names: tuple[str, ...]  # the features' names
    exponents: np.ndarray  # e_j (int)
    unit_means: np.ndarray  # μ_j / 2^e_j
    unit_corrections: np.ndarray  # c_j / 2^e_j: m_j = μ_j + c_j
    unit_scales: np.ndarray  # s_j / 2^e_j, > 0

    @property
    def means(self) -> np.ndarray:
        """m_j, the column means (the nearest doubles)."""
        return np.ldexp(self.unit_means + self.unit_corrections, self.exponents)

    @property
    def scales(self) -> np.ndarray:
        """s_j, the columns' population standard deviations (the nearest doubles: for a column
        of subnormal numbers that can be 0, which `in_file_units` does not divide by)."""
        return np.ldexp(self.unit_scales, self.exponents)

    def in_file_units(self, w: Sequence[float] | np.ndarray, b: float) -> tuple[np.ndarray, float]:
        """The model w'·x' + b' in the file's own units: w_j = w'_j / s_j and
        b = b' − Σ_j w'_j·m_j / s_j (MATH.md), so that w·x_i + b = w'·x'_i + b'.

        Computed without overflow where the result is finite (m_j / s_j and w'_j / s_j come
        from the scaled column), and the sum for b correctly rounded."""
        w_unit = np.asarray(w, dtype=np.float64)
        with np.errstate(all="ignore"):
            w_file = np.ldexp(w_unit / self.unit_scales, -self.exponents)
            # w'_j / unit scale overflowed, yet with e_j > 0 w_j may fit: scale first
            late = np.isinf(w_file) & np.isfinite(w_unit)
            w_file[late] = np.ldexp(w_unit[late], -self.exponents[late]) / self.unit_scales[late]
            shifts = [w_unit * (self.unit_means / self.unit_scales)]
            shifts.append(w_unit * (self.unit_corrections / self.unit_scales))
        return w_file, _sum([float(b), *(-np.concatenate(shifts)).tolist()])

    def describe(self, digits: int | None = None) -> str:
        """`petal_length m = 4.906, s = 0.8253…; petal_width m = …`: m_j and s_j by name, as
        exact doubles, or with `digits` significant digits."""
        show = _shower(digits)
        rows = zip(self.names, self.means.tolist(), self.scales.tolist(), strict=True)
        return "; ".join(f"{name} m = {show(m)}, s = {show(s)}" for name, m, s in rows)

    def describe_model(
        self, w: Sequence[float] | np.ndarray, b: float, digits: int | None = None
    ) -> str:
        """`petal_length w = …, petal_width w = …; b = …`: the standardized model (w', b')
        in the file's own units (see `in_file_units`), as exact doubles or with `digits`."""
        show = _shower(digits)
        w_file, b_file = self.in_file_units(w, b)
        rows = zip(self.names, w_file.tolist(), strict=True)
        return ", ".join(f"{name} w = {show(v)}" for name, v in rows) + f"; b = {show(b_file)}"


def _shower(digits: int | None) -> Callable[[float], str]:
    """`format.exact`, or `format.num` with `digits` significant digits."""
    return exact if digits is None else lambda value: num(value, digits)


def _sum(values: list[float]) -> float:
    """Σ values correctly rounded; inf or nan where the sum is not finite."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        with np.errstate(all="ignore"):
            return float(np.sum(values))


def standardize_columns(x: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, Standardization]:
    """x' = (x − m) / s column by column (a new C-contiguous array) and the m_j, s_j used (see
    :class:`Standardization`). No column may be constant (s_j = 0): `load` refuses those."""
    peaks = np.maximum(x.max(axis=0), -x.min(axis=0))
    _, exponents = np.frexp(peaks)
    with np.errstate(under="ignore"):  # values below 2^−1074 of their column's largest
        residuals = np.ldexp(x, -exponents)
    means = residuals.mean(axis=0)
    residuals -= means
    corrections = residuals.mean(axis=0)
    scales = np.sqrt(np.einsum("ij,ij->j", residuals, residuals) / len(x) - corrections**2)
    residuals -= corrections
    residuals /= scales
    standardization = Standardization(tuple(names), exponents, means, corrections, scales)
    return np.ascontiguousarray(residuals), standardization
