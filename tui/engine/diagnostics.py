"""Why a step lowers the loss: MATH.md's Taylor quantities, the Hessian and the gradient check."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tui.engine.objective import Objective
from tui.engine.session import Session


@dataclass(frozen=True)
class Curvature:
    """The full-data gradient and Hessian at one θ, and the stability hint η < 2/λ_max."""

    grad: np.ndarray  # ∇L(θ)
    grad_norm: float  # ‖∇L(θ)‖
    hessian: np.ndarray  # H(θ), (d+1)×(d+1)
    lambda_max: float  # largest eigenvalue of H
    lr_limit: float  # 2/λ_max (inf when λ_max ≤ 0; nan when H is not finite)


@dataclass(frozen=True)
class Taylor:
    """The update θ_t → θ_{t+1}: predicted and actual change of the loss."""

    dl1: float  # ΔL₁ = ∇Lᵀ·Δθ
    dl2: float  # ΔL₂ = ΔL₁ + ½·Δθᵀ·H·Δθ
    dl: float  # actual ΔL = L(θ_{t+1}) − L(θ_t)
    cos_beta: float  # cos of the angle between Δθ and ∇L (nan when either is 0)

    @property
    def went_up(self) -> bool:
        return self.dl > 0


def curvature(objective: Objective, theta: np.ndarray) -> Curvature:
    """∇L, ‖∇L‖, H, λ_max(H) and 2/λ_max at θ, over every point."""
    grad = objective.gradient(theta)
    hessian = objective.hessian(theta)
    if not np.isfinite(hessian).all():  # overflowed: neither λ_max nor a bound is known
        return Curvature(grad, norm(grad), hessian, math.nan, math.nan)
    lambda_max = float(np.linalg.eigvalsh(hessian)[-1])
    lr_limit = 2.0 / lambda_max if lambda_max > 0 else math.inf
    return Curvature(grad, norm(grad), hessian, lambda_max, lr_limit)


def norm(vector: np.ndarray) -> float:
    """‖v‖ without overflow on the way (numpy squares first: ‖(3e307, 0)‖ would be inf)."""
    return math.hypot(*vector.tolist())


def taylor(before: Curvature, dtheta: np.ndarray, loss_before: float, loss_after: float) -> Taylor:
    """ΔL₁, ΔL₂, the actual ΔL and cos β of the update Δθ from a θ with `before`'s ∇L and H."""
    with np.errstate(all="ignore"):
        dl1 = float(before.grad @ dtheta)
        dl2 = dl1 + 0.5 * float(dtheta @ before.hessian @ dtheta)
        step_norm = norm(dtheta)
        if step_norm > 0 and before.grad_norm > 0:  # normalise first: no overflow
            cos_beta = float((dtheta / step_norm) @ (before.grad / before.grad_norm))
        else:
            cos_beta = math.nan
    return Taylor(dl1, dl2, loss_after - loss_before, cos_beta)


@dataclass(frozen=True)
class Diagnostics:
    """What the Taylor panel shows at step t (MATH.md, "Which θ each number belongs to"): the
    last update θ_{t−1} → θ_t, with the curvature at θ_{t−1} where it was computed and the η it
    used (all None at t = 0, and when θ_t was set by hand: no update to explain), and the
    curvature at θ_t, which the next update meets."""

    last_update: Taylor | None
    before: Curvature | None  # at θ_{t−1}
    lr_before: float | None  # η of the update θ_{t−1} → θ_t
    at_t: Curvature
    edited: bool = False  # θ_t was set by hand (E)

    def overshoot_expected(self) -> bool | None:
        """Whether the last update's η was at or past 2/λ_max at θ_{t−1} (None: no update,
        or no bound known there)."""
        if self.before is None or self.lr_before is None or math.isnan(self.before.lr_limit):
            return None
        return self.lr_before >= self.before.lr_limit


class CurvatureCache:
    """The last few `curvature` results by objective and θ: stepping on reuses θ_{t−1}'s from
    the step before, which halves the work of `diagnose` (two full passes on big data).

    An entry holds its objective itself, not its id(): a new objective (another data set) can
    get the id of one that was freed, and must not find that one's curvature."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._items: list[tuple[Objective, bytes, Curvature]] = []

    def _find(self, objective: Objective, key: bytes) -> Curvature | None:
        for held, held_key, found in self._items:
            if held is objective and held_key == key:
                return found
        return None

    def known(self, objective: Objective, theta: np.ndarray) -> bool:
        """Whether `get` would answer without computing."""
        return self._find(objective, theta.tobytes()) is not None

    def get(self, objective: Objective, theta: np.ndarray) -> Curvature:
        key = theta.tobytes()
        found = self._find(objective, key)
        if found is not None:
            return found
        found = curvature(objective, theta)
        self._items = [*self._items, (objective, key, found)][-self.size :]
        return found


def diagnose(
    session: Session, t: int | None = None, cache: CurvatureCache | None = None
) -> Diagnostics:
    """The diagnostics of step t (the cursor when None)."""
    t = session.t if t is None else t
    objective = session.objective
    cache = cache or CurvatureCache()
    at_t = cache.get(objective, session.theta(t))
    if t == 0:
        return Diagnostics(None, None, None, at_t)
    if session.edited_at(t):
        return Diagnostics(None, None, None, at_t, edited=True)
    before = cache.get(objective, session.theta(t - 1))
    dtheta = session.theta(t) - session.theta(t - 1)
    last = taylor(before, dtheta, session.loss(t - 1), session.loss(t))
    return Diagnostics(last, before, session.lr(t - 1), at_t)


@dataclass(frozen=True)
class GradientCheck:
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: float

    @property
    def ok(self) -> bool:
        return self.relative_error < 1e-6


def gradient_check(objective: Objective, theta: np.ndarray) -> GradientCheck:
    """Central differences on the full loss, h_j = 1e−6·max(1, |θ_j|)."""
    analytic = objective.gradient(theta)
    numeric = np.empty_like(analytic)
    for j in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[j]))
        plus, minus = theta.copy(), theta.copy()
        plus[j] += h
        minus[j] -= h
        numeric[j] = (objective.value(plus) - objective.value(minus)) / (2 * h)
    scale = max(norm(analytic) + norm(numeric), 1e-300)
    return GradientCheck(analytic, numeric, norm(analytic - numeric) / scale)
