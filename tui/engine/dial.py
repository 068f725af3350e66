"""The direction dial (MATH.md, "The direction dial: why −∇L"): the step of the gradient
step's length η·‖g‖ turned by an angle β away from the gradient, and what it does to the loss.

At θ_t with g = ∇L(θ_t), the full-data gradient (MATH.md's g; for `gd` it is the batch
gradient the next update uses, bit for bit), ĝ = g/‖g‖ and ê ⟂ ĝ span the plane the dial
turns in; u(β) = cos β·ĝ + sin β·ê and Δθ(β) = η·‖g‖·u(β), so that β = 180° is the gradient
step. The step is computed as η·(cos β·g + sin β·‖g‖·ê), the same vector, which at β = 180°
is η·(−g) exactly: θ_t + Δθ(180°) is the `gd` update to the last bit.

This module imports no other engine module at run time: the session takes the dial's step
with `turn`, and `dial` / `sweep` take the session and the diagnostics' curvature cache (the
Hessian is the one the Taylor panel uses, never a second one)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tui.engine.model import weight_names

if TYPE_CHECKING:
    from tui.engine.diagnostics import CurvatureCache
    from tui.engine.session import Session

START = 180.0
"""The dial starts at the gradient step."""

SWEEP = np.arange(0, 360, 5, dtype=np.float64)
"""The angles of the sweep: 0°, 5°, …, 355°."""

_QUARTERS = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))
"""cos and sin at 0°, 90°, 180°, 270°, exactly (math.sin(math.pi) is 1.2e−16, which would
tilt the gradient step off −g)."""

FLAT = "the gradient is 0 at θ_t: every direction is flat to first order"


class DialError(ValueError):
    """The dial cannot turn at this θ (g = 0, or θ or g not finite): the message says why."""


def cos_sin(beta: float) -> tuple[float, float]:
    """cos β and sin β for β in degrees, exact at the multiples of 90°."""
    quarter, rest = divmod(float(beta), 90.0)
    if rest == 0.0:
        return _QUARTERS[int(quarter) % 4]
    radians = math.radians(beta)
    return math.cos(radians), math.sin(radians)


def check_angle(beta: float) -> float:
    """β as a float if it is finite and 0 ≤ β < 360; ValueError naming the problem else."""
    beta = float(beta)
    if not (math.isfinite(beta) and 0.0 <= beta < 360.0):
        raise ValueError(f"the dial's angle must be a finite number with 0 ≤ β < 360, not {beta!r}")
    return beta


@dataclass(frozen=True)
class Plane:
    """The plane the dial turns in: ĝ = g/‖g‖ and the unit ê ⟂ ĝ of MATH.md."""

    g_hat: np.ndarray
    e_hat: np.ndarray
    grad_norm: float  # ‖g‖

    def describe(self) -> str:
        """Which plane, in words."""
        d = len(self.g_hat) - 1
        if d == 1:
            return "turning in the (w, b) plane"
        axis = "b" if self.e_hat[-1] != 0.0 else weight_names(d)[0]
        return f"in the plane of ∇L and the {axis} axis"


def check_theta(theta: np.ndarray) -> None:
    """DialError unless every coordinate of θ is finite."""
    if not np.isfinite(theta).all():
        raise DialError("θ_t is not finite: there is no loss to turn a step at")


def plane(theta: np.ndarray, grad: np.ndarray) -> Plane:
    """ĝ and ê at θ with gradient g. Raises DialError when θ or g is not finite or g = 0.

    For d = 1, ê = (−ĝ_b, ĝ_w). For d > 1, ê is the normalized part of e_b orthogonal to ĝ,
    e_b − ĝ_b·ĝ = (−ĝ_b·ĝ_w, ‖ĝ_w‖²) (as ‖ĝ‖ = 1), whose norm is ‖ĝ_w‖: so
    ê = (−ĝ_b·ĝ_w/‖ĝ_w‖, ‖ĝ_w‖), free of the cancellation in 1 − ĝ_b² when ĝ is near e_b;
    e_{w1} when ĝ ∥ e_b (ĝ_w = 0)."""
    check_theta(theta)
    if not np.isfinite(grad).all():
        raise DialError("the gradient at θ_t is not finite: there is no direction to turn")
    grad_norm = math.hypot(*grad.tolist())
    if grad_norm == 0.0:
        raise DialError(FLAT)
    if not math.isfinite(grad_norm):
        raise DialError("‖∇L‖ at θ_t overflows: the step would not be finite")
    g_hat = grad / grad_norm
    g_w, g_b = g_hat[:-1], float(g_hat[-1])
    if len(g_w) == 1:
        e_hat = np.array([-g_b, float(g_w[0])])
    else:
        w_norm = math.hypot(*g_w.tolist())
        e_hat = np.zeros_like(g_hat)
        if w_norm == 0.0:
            e_hat[0] = 1.0
        else:
            e_hat[:-1] = -g_b * (g_w / w_norm)
            e_hat[-1] = w_norm
    return Plane(g_hat, e_hat, grad_norm)


def turn(theta: np.ndarray, grad: np.ndarray, lr: float, beta: float) -> np.ndarray:
    """Δθ(β) = η·‖g‖·u(β) at θ with gradient g, written η·(cos β·g + sin β·‖g‖·ê) so that
    β = 180° gives −η·g exactly. Raises DialError (see `plane`) or ValueError (a bad β)."""
    cos, sin = cos_sin(check_angle(beta))
    at = plane(theta, grad)
    with np.errstate(all="ignore"):
        return lr * (cos * grad + sin * (at.grad_norm * at.e_hat))


@dataclass(frozen=True)
class Dial:
    """The dial at θ_t for the angles `beta` (one or the sweep), MATH.md's numbers for each:
    cos β, Δθ(β) (one row per angle), ΔL₁ = η‖g‖²·cos β, ΔL₂ = ΔL₁ + ½·Δθᵀ·H·Δθ and the
    actual ΔL = L(θ_t + Δθ) − L(θ_t), the full-data L, as the Taylor panel takes it."""

    t: int
    lr: float  # η at t
    plane: Plane
    loss: float  # L(θ_t)
    beta: np.ndarray  # degrees
    cos_beta: np.ndarray
    dtheta: np.ndarray  # (len(beta), d+1)
    dl1: np.ndarray
    dl2: np.ndarray
    dl: np.ndarray

    @property
    def step_length(self) -> float:
        """‖Δθ(β)‖ = η‖g‖, the same for every β."""
        return self.lr * self.plane.grad_norm

    @property
    def gradient_step(self) -> np.ndarray:
        """−η·g, the gradient step the dial turns (β = 180°)."""
        return -self.lr * (self.plane.grad_norm * self.plane.g_hat)


def dial(session: Session, cache: CurvatureCache, betas: np.ndarray | list[float]) -> Dial:
    """The dial at the session's θ_t for each angle (degrees, 0 ≤ β < 360), with ∇L and H
    from `cache` (the Taylor panel's). Raises DialError when the dial cannot turn there."""
    t = session.t
    theta, lr = session.theta(t), session.lr(t)
    beta = np.array([check_angle(b) for b in np.atleast_1d(np.asarray(betas, dtype=float))])
    check_theta(theta)
    at = cache.get(session.objective, theta)
    span = plane(theta, at.grad)
    cos_sin_ = np.array([cos_sin(b) for b in beta.tolist()]).reshape(len(beta), 2)
    cos, sin = cos_sin_[:, 0], cos_sin_[:, 1]
    loss = session.loss(t)
    objective = session.objective
    with np.errstate(all="ignore"):
        dtheta = lr * (np.outer(cos, at.grad) + np.outer(sin, span.grad_norm * span.e_hat))
        dl1 = lr * span.grad_norm**2 * cos
        dl2 = dl1 + 0.5 * np.einsum("ij,jk,ik->i", dtheta, at.hessian, dtheta)
        dl = np.array([objective.value(theta + step) for step in dtheta]) - loss
    return Dial(t, lr, span, loss, beta, cos, dtheta, dl1, dl2, dl)


def sweep(session: Session, cache: CurvatureCache) -> Dial:
    """The dial at every angle of SWEEP (72 passes over the data for ΔL)."""
    return dial(session, cache, SWEEP)
