"""The objective L(θ) over a data set: full-data loss, batch gradients, per-point terms, Hessian.

θ is one array [w_1, …, w_d, b]. A batch is `None` (every point), a slice or an index array.
Two paths compute the same formulas from `model`: plain Python floats for tiny data sets
(numpy's per-call cost dominates there) and numpy over cache-sized chunks otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import mul, sub

import numpy as np

from tui.engine.model import LOSSES, FloatMath, sigmoid, sigmoid_scalar

Rows = slice | np.ndarray | None

TINY = 64
"""Data sets with N·d at most this use the pure-Python path."""

CHUNK = 65536
"""Rows per numpy chunk: a chunk's arrays stay in the CPU's L2 cache, and are large enough
for numpy to reuse temporaries in place."""


@dataclass(frozen=True)
class Points:
    """The per-point view of some rows at one θ."""

    rows: np.ndarray  # the row numbers i (0-based)
    x: np.ndarray  # (n, d)
    y: np.ndarray
    z: np.ndarray
    y_hat: np.ndarray
    residual: np.ndarray
    loss: np.ndarray  # ℓ_i
    grad_w: np.ndarray  # (n, d): Δw_i
    grad_b: np.ndarray  # Δb_i
    dloss_dy_hat: np.ndarray  # ∂ℓ_i/∂ŷ_i: the chain rule's first factor (MATH.md)
    dy_hat_dz: np.ndarray  # ∂ŷ_i/∂z_i = ŷ_i(1−ŷ_i); the third, ∂z_i/∂w = x_i, ∂z_i/∂b = 1

    def factors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """∂ℓ_i/∂ŷ_i, ∂ŷ_i/∂z_i and ∂z_i/∂w = x_i, (n, d): Δw_i is their product, to rounding
        (for `bce` the first two cancel to r_i, which the engine uses as it is)."""
        return self.dloss_dy_hat, self.dy_hat_dz, self.x


class Objective:
    """L(θ) = reduction over i of ℓ(σ(w·x_i + b), y_i)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, loss: str, reduction: str) -> None:
        self.x = np.ascontiguousarray(x, dtype=np.float64)
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        self.n, self.d = self.x.shape
        self.loss_name = loss
        self.loss = LOSSES[loss]
        self.reduction = reduction
        self._full_divisor = self.divisor(self.n)
        self.tiny = self.n * self.d <= TINY
        if self.tiny:
            self._x_rows = self.x.tolist()
            self._x_cols = self.x.T.tolist()
            self._y_list = self.y.tolist()

    def divisor(self, count: int) -> float:
        """What a sum over `count` points is divided by: the count for `mean`, 1 for `sum`."""
        return float(count) if self.reduction == "mean" else 1.0

    def batch_size(self, rows: Rows) -> int:
        if rows is None:
            return self.n
        if isinstance(rows, slice):
            return len(range(*rows.indices(self.n)))
        return len(rows)

    def evaluate(self, theta: np.ndarray, rows: Rows = None) -> tuple[float, np.ndarray]:
        """The full-data loss L(θ) and the batch gradient over `rows` (one pass when None)."""
        if self.tiny:
            loss, grad = self.evaluate_floats(theta.tolist(), rows)
            return loss, np.array(grad)
        with np.errstate(all="ignore"):
            if rows is None:
                loss_sum, grad_sum = self._chunked_sums(theta, 0, self.n, True, True)
            else:
                loss_sum, _ = self._chunked_sums(theta, 0, self.n, True, False)
                _, grad_sum = self._batch_sums(theta, rows)
        return loss_sum / self._full_divisor, grad_sum / self._batch_divisor(rows)

    def predict(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """ŷ_i = σ(w·x_i + b) for the rows of x, (n, d); any x, not only the data's."""
        with np.errstate(all="ignore"):
            return sigmoid(linear(theta, np.asarray(x, dtype=np.float64)))

    def value(self, theta: np.ndarray) -> float:
        """L(θ) over every point (without the gradient's work on big data)."""
        if self.tiny:
            return self.evaluate_floats(theta.tolist())[0]
        with np.errstate(all="ignore"):
            return self._chunked_sums(theta, 0, self.n, True, False)[0] / self._full_divisor

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """∇L(θ) over every point."""
        return self.evaluate(theta)[1]

    def gradient_sum(self, theta: np.ndarray, rows: slice | np.ndarray) -> np.ndarray:
        """Σ [Δw_i; Δb_i] over `rows`, not reduced, summed the way `evaluate` sums: over a
        whole batch it is the batch gradient before its division, to the last bit."""
        if self.tiny:
            terms = self.points(theta, rows)
            columns = [*terms.grad_w.T.tolist(), terms.grad_b.tolist()]
            try:
                return np.array([math.fsum(column) for column in columns])
            except (OverflowError, ValueError):  # as in evaluate_floats
                return np.array([sum(column) for column in columns])
        with np.errstate(all="ignore"):
            return self._batch_sums(theta, rows)[1]

    def _batch_divisor(self, rows: Rows) -> float:
        return self._full_divisor if rows is None else self.divisor(self.batch_size(rows))

    def _batch_sums(self, theta: np.ndarray, rows: slice | np.ndarray) -> tuple[float, np.ndarray]:
        if isinstance(rows, slice):
            lo, hi, _ = rows.indices(self.n)
            return self._chunked_sums(theta, lo, hi, False, True)
        return self._array_sums(theta, self.x[rows], self.y[rows], False, True)

    def evaluate_floats(
        self, theta: Sequence[float], rows: Rows = None
    ) -> tuple[float, list[float]]:
        """`evaluate` over Python floats (tiny data sets), each sum correctly rounded."""
        try:
            return self._evaluate_floats(theta, rows, math.fsum)
        except (OverflowError, ValueError):
            # fsum refuses to overflow or to add −inf to inf: a diverging run gets the inf or
            # nan of plain floating-point sums
            return self._evaluate_floats(theta, rows, sum)

    def _evaluate_floats(
        self, theta: Sequence[float], rows: Rows, total: Callable[[Iterable[float]], float]
    ) -> tuple[float, list[float]]:
        loss = self.loss
        x_rows, x_cols, ys = self._x_rows, self._x_cols, self._y_list
        b = theta[-1]
        if self.d == 1:
            w_1 = theta[0]
            all_zs = [w_1 * x + b for x in x_cols[0]]
        else:
            w = theta[:-1]
            all_zs = [total(map(mul, w, x)) + b for x in x_rows]
        all_y_hats = list(map(sigmoid_scalar, all_zs))
        all_residuals = list(map(sub, all_y_hats, ys))
        point_losses = list(map(loss.point_loss, all_zs, ys, all_residuals, repeat(FloatMath)))
        loss_sum = total(point_losses)
        if loss_sum != loss_sum:  # nan: maybe a z overflowed (diverging), where ℓ has a limit
            fixed = loss.at_infinite_z(np.array(all_zs), np.array(ys), np.array(point_losses))
            loss_sum = total(fixed.tolist())
        y_hats, residuals = all_y_hats, all_residuals
        if rows is not None:
            index = range(*rows.indices(self.n)) if isinstance(rows, slice) else rows.tolist()
            x_cols = [[col[i] for i in index] for col in x_cols]
            y_hats = [all_y_hats[i] for i in index]
            residuals = [all_residuals[i] for i in index]
        dzs = list(map(loss.dz, y_hats, residuals))
        grad = [total(map(mul, dzs, col)) for col in x_cols]
        grad.append(total(dzs))
        batch_divisor = self._batch_divisor(rows)
        return loss_sum / self._full_divisor, [g / batch_divisor for g in grad]

    def _chunked_sums(
        self, theta: np.ndarray, lo: int, hi: int, with_loss: bool, with_grad: bool
    ) -> tuple[float, np.ndarray]:
        """`_array_sums` over rows lo…hi−1, chunk by chunk."""
        loss_sum = 0.0
        grad = np.zeros(self.d + 1)
        with np.errstate(all="ignore"):
            for start in range(lo, hi, CHUNK):
                stop = min(start + CHUNK, hi)
                part_loss, part_grad = self._array_sums(
                    theta, self.x[start:stop], self.y[start:stop], with_loss, with_grad
                )
                loss_sum += part_loss
                grad += part_grad
        return loss_sum, grad

    def _array_sums(
        self, theta: np.ndarray, x: np.ndarray, y: np.ndarray, with_loss: bool, with_grad: bool
    ) -> tuple[float, np.ndarray]:
        loss = self.loss
        z = linear(theta, x)
        y_hat = sigmoid(z)
        residual = y_hat - y
        loss_sum = 0.0
        grad = np.zeros(self.d + 1)
        if with_loss:
            point_losses = loss.point_loss(z, y, residual, np)
            loss_sum = float(point_losses.sum())
            if loss_sum != loss_sum:  # nan: maybe a z overflowed, where ℓ has a limit
                loss_sum = float(loss.at_infinite_z(z, y, point_losses).sum())
        if with_grad:
            dz = loss.dz(y_hat, residual)
            grad[:-1] = dz @ x
            grad[-1] = dz.sum()
        return loss_sum, grad

    def points(self, theta: np.ndarray, rows: Rows = None) -> Points:
        """x_i, y_i, ŷ_i, r_i, ℓ_i, Δw_i, Δb_i for `rows` (every point when None)."""
        if rows is None or isinstance(rows, slice):
            index = np.arange(*(rows or slice(None)).indices(self.n))
        else:
            index = np.asarray(rows)
        x = self.x[index]
        y = self.y[index]
        with np.errstate(all="ignore"):
            z = linear(theta, x)
            y_hat = sigmoid(z)
            residual = y_hat - y
            loss = self.loss.at_infinite_z(z, y, self.loss.point_loss(z, y, residual, np))
            dz = self.loss.dz(y_hat, residual)
            dloss_dy_hat, dy_hat_dz = self.loss.factors(y_hat, residual)
            return Points(
                rows=index,
                x=x,
                y=y,
                z=z,
                y_hat=y_hat,
                residual=residual,
                loss=loss,
                grad_w=dz[:, None] * x,
                grad_b=dz,
                dloss_dy_hat=dloss_dy_hat,
                dy_hat_dz=dy_hat_dz,
            )

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """H = reduction over i of ∂²ℓ_i/∂z_i² · [x_i; 1][x_i; 1]ᵀ, (d+1)×(d+1)."""
        hessian = np.zeros((self.d + 1, self.d + 1))
        with np.errstate(all="ignore"):
            for start in range(0, self.n, CHUNK):
                x = self.x[start : start + CHUNK]
                y_hat = sigmoid(linear(theta, x))
                c = self.loss.curvature(y_hat, y_hat - self.y[start : start + CHUNK])
                cx = c @ x  # Σ c_i·x_i
                hessian[:-1, :-1] += (x * c[:, None]).T @ x
                hessian[:-1, -1] += cx
                hessian[-1, :-1] += cx
                hessian[-1, -1] += c.sum()
        return hessian / self.divisor(self.n)


def linear(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """z_i = w·x_i + b for the rows of x (the sum made in place: one array, not two)."""
    z = x[:, 0] * theta[0] if x.shape[1] == 1 else x @ theta[:-1]
    z += theta[-1]
    return z
