"""When a total is round-off: a bound on the rounding error of the batch gradient's sums.

A sum that is 0 on paper (the seed at step 0: Δb = (1/5)·Σ Δb_i, the residuals cancel) comes
out of floating point as a few units in the last place of its terms (−2.7756e−18). Whether a
total is such noise is decided against the standard error bound of floating-point summation
(Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1 and §4.2): adding n
doubles in ANY order (recursive, pairwise, BLAS, chunk by chunk, or `math.fsum`) gives a result
within γ_{n−1}·Σ|t_i| of their exact sum, with γ_k = k·u/(1 − k·u) and u = 2^−53. The engine's
Δw terms are products ∂ℓ_i/∂z_i·x_ij rounded once more inside the sum, and the mean divides
once: two more roundings, so the batch gradient g_j is within

    γ_{n+1}·(1/N)·Σ_i |t_ij|

of (1/N)·Σ_i t_ij, the exact reduction of the computed terms (N = n for `mean`, 1 for `sum`).
A total whose magnitude is below that bound cannot be told from 0 by this arithmetic."""

from __future__ import annotations

import math

import numpy as np

from tui.engine.objective import CHUNK
from tui.engine.session import Session

U = 2.0**-53
"""The unit roundoff of a double (round to nearest)."""

SAFETY = 1.0 + 2.0**-48
"""Covers the half-dozen roundings of evaluating the bound itself (each ≤ u, 32·u > 6·u)."""


def gamma(k: int) -> float:
    """γ_k = k·u / (1 − k·u): k roundings of relative size ≤ u compound to at most γ_k."""
    if k * U >= 1:
        return math.inf
    return k * U / (1.0 - k * U)


def reduced_sum_bound(abs_sum: float, count: int, divisor: float) -> float:
    """A bound on |computed − exact| of (1/divisor)·Σ t_i over `count` terms rounded once
    (products) before an any-order sum, given `abs_sum`, the floating-point Σ|t_i| of the
    computed terms. That Σ|t_i| is itself rounded (at most γ_{count−1} low) and each rounded
    term at most u low: both are divided out before the bound is rounded up (SAFETY). The
    last term covers underflow (products and the division lose at most 2^−1075 each)."""
    if not math.isfinite(abs_sum):
        return math.inf
    exact_abs = abs_sum / ((1.0 - U) * (1.0 - gamma(max(count - 1, 0))))
    return gamma(count + 1) * exact_abs / divisor * SAFETY + (count + 1) * math.ulp(0.0)


def gradient_bounds(session: Session, t: int | None = None) -> np.ndarray:
    """For each coordinate of the batch gradient g_t = [Δw; Δb] that update t uses, the bound
    on its rounding error (`reduced_sum_bound`), from the terms Δw_i, Δb_i of its batch at
    θ_t; inf where a term is not finite. One pass over the batch, chunk by chunk."""
    t = session.t if t is None else t
    objective = session.objective
    theta = session.theta(t)
    rows = session.batch_rows(t)
    abs_sums = np.zeros(objective.d + 1)
    with np.errstate(all="ignore"):
        for start in range(0, len(rows), CHUNK):
            points = objective.points(theta, rows[start : start + CHUNK])
            abs_sums[:-1] += np.abs(points.grad_w).sum(axis=0)
            abs_sums[-1] += np.abs(points.grad_b).sum()
    divisor = objective.divisor(len(rows))
    return np.array([reduced_sum_bound(s, len(rows), divisor) for s in abs_sums.tolist()])


def is_roundoff(value: float, bound: float) -> bool:
    """Is `value` a nonzero total that its rounding-error `bound` cannot tell from 0?"""
    return math.isfinite(bound) and 0 < abs(value) <= bound
