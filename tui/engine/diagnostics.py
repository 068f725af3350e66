"""Why a step lowers the loss: MATH.md's Taylor quantities, the Hessian and the gradient check."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tui.engine.objective import Objective
from tui.engine.roundoff import gradient_bounds
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
    cos_beta: float  # cos of the angle between Δθ and ∇L (nan when either is 0 or not finite)
    finite: bool = True  # Δθ and ∇L at θ_{t−1} are finite (else cos β is nan for that reason)

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
    finite = math.isfinite(step_norm) and math.isfinite(before.grad_norm)
    return Taylor(dl1, dl2, loss_after - loss_before, cos_beta, finite)


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
    direction: float | None = None  # β when the last update was the direction dial's step
    grad_bounds: np.ndarray | None = None  # rounding-error bound of each g_t component

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
    bounds = gradient_bounds(session, t)  # which totals of g_t are round-off
    if t == 0:
        return Diagnostics(None, None, None, at_t, grad_bounds=bounds)
    if session.edited_at(t):
        return Diagnostics(None, None, None, at_t, edited=True, grad_bounds=bounds)
    before = cache.get(objective, session.theta(t - 1))
    dtheta = session.theta(t) - session.theta(t - 1)
    last = taylor(before, dtheta, session.loss(t - 1), session.loss(t))
    return Diagnostics(
        last,
        before,
        session.lr(t - 1),
        at_t,
        direction=session.direction_at(t),
        grad_bounds=bounds,
    )


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


LENS_FROM = -0.25
"""The lens starts a quarter step behind θ_{t−1} (MATH.md, "The Taylor lens")."""

LENS_TO = (1.5, 2.2, 4.0)
"""It ends at max(1.5, 2.2·s*), capped at 4."""


@dataclass(frozen=True)
class Lens:
    """The loss along the last update θ_{t−1} → θ_t (MATH.md, "The Taylor lens"): at each s,
    φ(s) = L(θ_{t−1} + s·Δθ), the tangent φ₁(s) and the parabola φ₂(s); s = 0 is θ_{t−1} and
    s = 1 is θ_t (both among the samples, and s* when it lies in the range)."""

    s: np.ndarray
    phi: np.ndarray
    phi1: np.ndarray
    phi2: np.ndarray
    s_star: float | None  # −ΔL₁ / c, the parabola's lowest point (None unless c > 0)
    c: float  # Δθᵀ·H·Δθ at θ_{t−1}
    dl1: float  # ΔL₁ = ∇Lᵀ·Δθ at θ_{t−1}
    loss_before: float  # L(θ_{t−1})
    lr: float  # η of the update θ_{t−1} → θ_t

    @property
    def best_lr(self) -> float | None:
        """s*·η: for `gd`, the best η along this direction by the quadratic model."""
        return None if self.s_star is None else self.s_star * self.lr


def lens_range(s_star: float | None) -> tuple[float, float]:
    """[−0.25, max(1.5, 2.2·s*)], the end capped at 4."""
    low, factor, cap = LENS_TO
    end = low if s_star is None else min(max(low, factor * s_star), cap)
    return LENS_FROM, end


def lens(
    session: Session, t: int | None = None, samples: int = 41, cache: CurvatureCache | None = None
) -> Lens | None:
    """The lens of the update that led to step t (the cursor when None); None at t = 0 and
    when θ_t was set by hand (no update to draw)."""
    t = session.t if t is None else t
    if t == 0 or session.edited_at(t):
        return None
    objective = session.objective
    before, after = session.theta(t - 1), session.theta(t)
    at = (cache or CurvatureCache()).get(objective, before)
    with np.errstate(all="ignore"):
        dtheta = after - before
        dl1 = float(at.grad @ dtheta)
        c = float(dtheta @ at.hessian @ dtheta)
        s_star = -dl1 / c if c > 0 and math.isfinite(c) and math.isfinite(dl1) else None
        lo, hi = lens_range(s_star)
        marks = [0.0, 1.0] + ([s_star] if s_star is not None and lo <= s_star <= hi else [])
        s = np.unique(np.concatenate([np.linspace(lo, hi, samples), marks]))
        # φ(0) and φ(1) are L(θ_{t−1}) and L(θ_t) themselves, from the history (θ_{t−1} + Δθ
        # may round off θ_t); the other points are full passes over the data
        known = {0.0: session.loss(t - 1), 1.0: session.loss(t)}
        phi = np.array(
            [known[v] if v in known else objective.value(before + v * dtheta) for v in s.tolist()]
        )
        loss_before = known[0.0]
        phi1 = loss_before + s * dl1
        phi2 = phi1 + 0.5 * s**2 * c
    return Lens(s, phi, phi1, phi2, s_star, c, dl1, loss_before, session.lr(t - 1))
