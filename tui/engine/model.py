"""The sigmoid neuron and its losses, as in MATH.md: value, per-point gradient term, curvature.

Every per-point formula is written once, so that the same function serves a Python float (the
fast path for tiny data sets) and a numpy array: with arithmetic operators only, or with the
functions of `xp`, which is numpy for arrays and `FloatMath` for floats.
"""

from __future__ import annotations

from math import exp, log1p
from types import ModuleType

import numpy as np

Z_FLOOR = -709.0
"""σ(z) is computed at max(z, Z_FLOOR): e^709 is the largest power of e a double holds, so
exp never overflows; below it σ(z) < 1.3e−308, and it is given as σ(−709) ≈ 1.22e−308."""


Z_CEILING = -Z_FLOOR


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), never overflowing (see Z_FLOOR): the same operations in one
    new array instead of five (a pass over memory each, on a million points)."""
    s = np.maximum(z, Z_FLOOR, out=np.empty(np.shape(z)))
    np.negative(s, out=s)
    np.exp(s, out=s)
    s += 1.0
    return np.divide(1.0, s, out=s)


def sigmoid_scalar(z: float) -> float:
    """`sigmoid` for one float."""
    return 1.0 / (1.0 + exp(Z_CEILING if z < Z_FLOOR else -z))  # nan stays nan


class FloatMath:
    """numpy's `maximum`, `exp` and `log1p` for Python floats: the `xp` of the float path."""

    maximum = staticmethod(max)
    exp = staticmethod(exp)
    log1p = staticmethod(log1p)


Value = float | np.ndarray
"""A per-point quantity: one float (the tiny-data path) or an array of them."""

Math = type[FloatMath] | ModuleType
"""The functions a formula uses: `FloatMath` for a float, numpy for an array."""


class MSE:
    """ℓ = ½(ŷ−y)²: the ½ makes Δw_i = (ŷ−y)·ŷ·(1−ŷ)·x_i."""

    name = "mse"

    @staticmethod
    def point_loss(z: Value, y: Value, residual: Value, xp: Math) -> Value:
        return 0.5 * residual * residual

    @staticmethod
    def at_infinite_z(z: np.ndarray, y: np.ndarray, loss: np.ndarray) -> np.ndarray:
        """ℓ needs no limit: r = ŷ − y stays finite wherever z is not nan."""
        return loss

    @staticmethod
    def dz(y_hat: Value, residual: Value) -> Value:
        return residual * y_hat * (1.0 - y_hat)

    @staticmethod
    def curvature(y_hat: Value, residual: Value) -> Value:
        s = y_hat * (1.0 - y_hat)
        return s * (s + residual * (1.0 - 2.0 * y_hat))

    @staticmethod
    def factors(y_hat: np.ndarray, residual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The chain rule's first two factors (MATH.md): ∂ℓ/∂ŷ = r and ∂ŷ/∂z = ŷ(1−ŷ)."""
        return residual, y_hat * (1.0 - y_hat)


class BCE:
    """ℓ = −[y ln ŷ + (1−y) ln(1−ŷ)], computed from z."""

    name = "bce"

    @staticmethod
    def point_loss(z: Value, y: Value, residual: Value, xp: Math) -> Value:
        """(max(z, 0) − y·z) + ln(1 + e^(−|z|)), in this order (MATH.md): the bracket is exact
        for y ∈ {0, 1}, so y = 1, z = 30 keeps its ℓ = 9.3576e−14; finite for every finite z."""
        return (xp.maximum(z, 0.0) - y * z) + xp.log1p(xp.exp(-abs(z)))

    @staticmethod
    def at_infinite_z(z: np.ndarray, y: np.ndarray, loss: np.ndarray) -> np.ndarray:
        """ℓ where z overflowed to ±∞ and the bracket met ∞ − ∞ or 0·∞ (nan): its limit,
        (1−y)·∞ for z = +∞ and y·∞ for z = −∞, so +∞, or 0 for a point on the right side
        of ∞ (y = 1, z = +∞; y = 0, z = −∞). Elsewhere ℓ is kept as it is."""
        with np.errstate(invalid="ignore"):
            limit = np.where(z > 0, np.where(y < 1, np.inf, 0.0), np.where(y > 0, np.inf, 0.0))
            return np.where(np.isnan(loss) & np.isinf(z), limit, loss)

    @staticmethod
    def dz(y_hat: Value, residual: Value) -> Value:
        return residual

    @staticmethod
    def curvature(y_hat: Value, residual: Value) -> Value:
        return y_hat * (1.0 - y_hat)

    @staticmethod
    def factors(y_hat: np.ndarray, residual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """∂ℓ/∂ŷ = r/(ŷ(1−ŷ)) and ∂ŷ/∂z = ŷ(1−ŷ) (MATH.md): their product is r, which `dz`
        gives directly. Where ŷ rounds to 0 or 1 the first is ±inf (or nan for r = 0)."""
        slope = y_hat * (1.0 - y_hat)
        with np.errstate(divide="ignore", invalid="ignore"):
            return residual / slope, slope


Loss = type[MSE] | type[BCE]
"""A loss: ℓ_i (`point_loss`; `at_infinite_z` where z overflowed), ∂ℓ_i/∂z_i (`dz`:
Δw_i = dz·x_i, Δb_i = dz), its factors ∂ℓ_i/∂ŷ_i and ∂ŷ_i/∂z_i (`factors`, for arrays) and
∂²ℓ_i/∂z_i² (`curvature`), each from z_i, y_i, ŷ_i and the
residual r_i = ŷ_i − y_i (and `point_loss` from `xp`: numpy for arrays, FloatMath for floats)."""

LOSSES: dict[str, Loss] = {"mse": MSE, "bce": BCE}
REDUCTIONS = ("mean", "sum")


def weight_names(d: int) -> list[str]:
    """The weights' names, the same on screen, in traces, sessions and expressions: `w` for one
    feature, else `w1` … `wd`."""
    return ["w"] if d == 1 else [f"w{j}" for j in range(1, d + 1)]


def loss_formula(loss: str, reduction: str) -> str:
    """The loss as the screen writes it, e.g. `L = (1/N) Σ ½(ŷ−y)²`."""
    outer = "(1/N) Σ" if reduction == "mean" else "Σ"
    inner = "½(ŷ−y)²" if loss == "mse" else "−[y ln ŷ + (1−y) ln(1−ŷ)]"
    return f"L = {outer} {inner}"
