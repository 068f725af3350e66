"""The direction dial as the plot shows it (MATH.md, "The direction dial: why −∇L"): the sweep
ΔL(β), ΔL₁(β) and ΔL₂(β) over 0°…355° with the current β marked, and on the loss surface the
arrows of Δθ(β) and of the gradient step −η·g from θ_t. Numpy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.app.plots.axes import Axis, Ticks, curves_axis
from tui.engine.dial import Dial
from tui.format import num

TITLE = "ΔL after a step turned by β from ∇L"

QUARTER_TICKS = Ticks([0.0, 90.0, 180.0, 270.0, 360.0], ["0°", "90°", "180°", "270°", "360°"])
"""β is ticked at the quarter turns: 180° is the gradient step, 0° straight uphill."""

ARROW_POINTS = 24
"""Points along an arrow's shaft (braille joins them)."""


@dataclass(frozen=True)
class Dialled:
    """What the app knows of the dial at θ_t: its numbers at the current β, and the sweep."""

    current: Dial
    sweep: Dial

    @property
    def beta(self) -> float:
        return float(self.current.beta[0])


@dataclass(frozen=True)
class DialPlot:
    """The sweep ready to draw: its axes (β over 0…360 degrees ticked every 90°, ΔL over the
    three curves' finite values) and what is left out."""

    x: Axis
    y: Axis | None  # None when no value of the curves is finite
    not_drawn: str


def dial_plot(dialled: Dialled, y_ticks: int) -> DialPlot:
    """The axes of the sweep plot, the current β's values among the curves' range."""
    sweep, current = dialled.sweep, dialled.current
    values = np.concatenate([sweep.dl, sweep.dl1, sweep.dl2, current.dl, current.dl1, current.dl2])
    y = curves_axis(values, y_ticks)
    x = Axis(0.0, 360.0, QUARTER_TICKS)
    return DialPlot(x, y, not_finite(sweep))


def not_finite(sweep: Dial) -> str:
    """Which curves of the sweep are not finite, and at how many angles, each by its own name
    (ΔL₂ can overflow where ΔL is finite, and the other way round)."""
    counts = [
        (name, np.count_nonzero(~np.isfinite(values)))
        for name, values in (("ΔL", sweep.dl), ("ΔL₁", sweep.dl1), ("ΔL₂", sweep.dl2))
    ]
    parts = [f"{name} at {n}" for name, n in counts if n]
    if not parts:
        return ""
    first, n = next((name, n) for name, n in counts if n)
    parts[0] = f"{first} is not finite at {n} of {len(sweep.beta)} β"
    return ", ".join(parts) + ": not drawn"


def arrow(start: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points (w, b) along the shaft from θ_t = `start` to θ_t + `step` (d = 1)."""
    s = np.linspace(0.0, 1.0, ARROW_POINTS)
    with np.errstate(all="ignore"):
        return start[0] + s * step[0], start[1] + s * step[1]


def beta_text(beta: float) -> str:
    """β in degrees as every number on screen: `195°`, `196.5°`, `1e−300°` (6 figures, or
    exactly after `p`)."""
    return num(beta) + "°"
