"""When a total is round-off: a bound on the rounding error of the batch gradient's sums.

A sum that is 0 on paper (the seed at step 0: Δb = (1/5)·Σ Δb_i, the residuals cancel) comes
out of floating point as a few units in the last place of its terms (−2.7756e−18). Whether a
total is such noise is decided against the standard error bound of floating-point summation
(Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1 and §4.2): adding n
doubles in ANY order (recursive, pairwise, BLAS, chunk by chunk, or `math.fsum`) gives a result
within γ_{n−1}·Σ|t_i| of their exact sum, with γ_k = k·u/(1 − k·u) and u = 2^−53; a dot
product Σ a_i·b_i, its products rounded too, within γ_n·Σ|a_i·b_i|. The engine's Δw_j is
such a dot product, Σ_i (∂ℓ_i/∂z_i)·x_ij, and its Δb the sum Σ_i ∂ℓ_i/∂z_i; the mean divides
once more. So the batch gradient g_j is within

    γ_{n+1}·(1/N)·Σ_i |t_ij|

of (1/N)·Σ_i t_ij, the exact reduction of the terms the engine computed (N = n for `mean`, 1
for `sum`). A total whose magnitude is below that bound cannot be told from 0 by this
arithmetic. The bound is of the sum's rounding only: the terms carry their own (0.1 is not a
double), which is why a sum that is 0 on paper comes out as a few units of their last place."""

from __future__ import annotations

import math

import numpy as np

from tui.engine.model import sigmoid
from tui.engine.objective import CHUNK, linear
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
    """A bound on |computed − exact| of (1/divisor)·Σ t_i over `count` terms, each a product
    rounded once (or a plain number) and summed in any order, given `abs_sum`, Σ|t_i| as
    floating point computes it (a dot product of absolute values, or a sum of them): that is
    at most γ_count low, so it is divided by 1 − γ_count before the bound is rounded up
    (SAFETY). The last term covers underflow (a product or the division loses at most
    2^−1075)."""
    if not math.isfinite(abs_sum):
        return math.inf
    exact_abs = abs_sum / (1.0 - gamma(count))
    return gamma(count + 1) * exact_abs / divisor * SAFETY + (count + 1) * math.ulp(0.0)


def gradient_bounds(session: Session, t: int | None = None) -> np.ndarray:
    """For each coordinate of the batch gradient g_t = [Δw; Δb] that update t uses, the bound
    on its rounding error (`reduced_sum_bound`), from |∂ℓ_i/∂z_i| and |x_ij| of its batch at
    θ_t, computed as the engine computes them; inf where a term is not finite."""
    t = session.t if t is None else t
    count, chunks = batch_chunks(session.batch(t), session.n)
    divisor = session.objective.divisor(count)
    return sum_bounds(session, session.theta(t), chunks, count, divisor)


def partial_bounds(session: Session, k: int) -> np.ndarray:
    """The bound on the rounding error of each of `session.partial_gradient(k)`'s sums, the
    first k points of the current batch, not reduced (step into, `s`): its last, k = the
    batch, is 0 on paper where the batch gradient is, and is marked the same way."""
    count, chunks = batch_chunks(session.batch(), session.n, k)
    return sum_bounds(session, session.theta(), chunks, count, 1.0)


def batch_chunks(
    batch: slice | np.ndarray | None, n: int, k: int | None = None
) -> tuple[int, list[slice | np.ndarray]]:
    """How many rows `batch` (its first k when given) holds, and its rows chunk by chunk:
    slices of the data stay slices (views, no copies)."""
    if batch is None or isinstance(batch, slice):
        lo, hi, _ = (batch or slice(None)).indices(n)
        hi = hi if k is None else min(hi, lo + k)
        return hi - lo, [slice(s, min(s + CHUNK, hi)) for s in range(lo, hi, CHUNK)]
    rows = np.asarray(batch)[:k]
    return len(rows), [rows[s : s + CHUNK] for s in range(0, len(rows), CHUNK)]


def sum_bounds(
    session: Session,
    theta: np.ndarray,
    chunks: list[slice | np.ndarray],
    count: int,
    divisor: float,
) -> np.ndarray:
    """`reduced_sum_bound` of each coordinate's sum over the rows of `chunks` at θ: one pass,
    Σ_i |∂ℓ_i/∂z_i|·|x_ij| as a dot product, like Δw_j itself."""
    objective = session.objective
    abs_sums = np.zeros(objective.d + 1)
    with np.errstate(all="ignore"):
        for chunk in chunks:
            x = objective.x[chunk]
            y_hat = sigmoid(linear(theta, x))
            dz = np.abs(objective.loss.dz(y_hat, y_hat - objective.y[chunk]))
            abs_sums[:-1] += dz @ np.abs(x)
            abs_sums[-1] += dz.sum()
    return np.array([reduced_sum_bound(s, count, divisor) for s in abs_sums.tolist()])


def is_roundoff(value: float, bound: float) -> bool:
    """Is `value` a nonzero total that its rounding-error `bound` cannot tell from 0?"""
    return math.isfinite(bound) and 0 < abs(value) <= bound
