"""The Taylor lens as the plot shows it (MATH.md, "The Taylor lens: the loss along the last
update"): the axes over s and L, what is left out, and the line on the best η. Numpy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.app.plots.axes import Axis, axis, curves_axis
from tui.engine.diagnostics import Lens, lens
from tui.engine.session import Session
from tui.format import num

TITLE = "L along the last update"


@dataclass(frozen=True)
class LensPlot:
    """A lens ready to draw: its axes, its marks (s = 0, s = 1 and s* when in range) and
    the notes that go with it."""

    lens: Lens
    x: Axis
    y: Axis | None  # None when no value of the three curves is finite
    marks: list[float]
    not_drawn: str
    best_lr: tuple[str, ...]  # the line on η, then shorter forms of it


def lens_plot(lens_: Lens, optimizer: str, x_ticks: int, y_ticks: int) -> LensPlot:
    """The lens's axes (about `x_ticks` and `y_ticks` ticks), marks and notes."""
    y = curves_axis(np.concatenate([lens_.phi, lens_.phi1, lens_.phi2]), y_ticks)
    s = lens_.s
    marks = [0.0, 1.0]
    if lens_.s_star is not None and s[0] <= lens_.s_star <= s[-1]:
        marks.append(lens_.s_star)
    finite_at = np.isfinite(lens_.phi) & np.isfinite(lens_.phi1) & np.isfinite(lens_.phi2)
    note = ""
    if not finite_at.all():
        note = f"L is not finite at {np.count_nonzero(~finite_at)} of {len(s)} s: not drawn"
    x = axis(float(s[0]), float(s[-1]), x_ticks)
    return LensPlot(lens_, x, y, marks, note, best_lr_line(lens_, optimizer))


def best_lr_line(lens_: Lens, optimizer: str) -> tuple[str, ...]:
    """What the lens says about η, then shorter forms: s*·η for `gd`; for another optimizer,
    that it shows the step that optimizer took."""
    if optimizer != "gd":
        return (f"the lens shows the step {optimizer} took (s = 1 is θ_t)", f"{optimizer}'s step")
    if lens_.s_star is None or lens_.best_lr is None:
        c = num(lens_.c)
        return (f"c = {c}: the quadratic model has no lowest point along this direction", "no s*")
    product = f"s*·η = {num(lens_.s_star)}·{num(lens_.lr)} = {num(lens_.best_lr)}"
    best = f"s*·η = {num(lens_.best_lr)}"
    return (
        f"best η along this direction by the quadratic model: {product}",
        f"best η by the quadratic model: {best}",
        f"best η: {best}",
        best,
    )


def titles(view: LensPlot, t: int) -> tuple[str, ...]:
    """The lens's title, then shorter forms: which update it shows, and s*, the parabola's
    lowest point, where its vertical line is drawn (the lines at s = 0 and 1 are θ_{t−1}, θ_t)."""
    step = f"{TITLE}, step {t - 1} → {t}"
    s_star = view.lens.s_star
    if s_star is None or s_star not in view.marks:
        return step, TITLE, "lens"
    at = f"line at s* = {num(s_star)}"
    return f"{step}, {at}", f"{TITLE}, {at}", f"lens, {at}", f"s* = {num(s_star)}", TITLE, "lens"


def no_update(t: int) -> str:
    """Why there is no lens at step t (t = 0, or θ_t set by hand)."""
    return "no update to draw: θ_t was set by hand" if t else "no update to draw at t = 0"


class LensView:
    """The last lens computed, reused while the step, the θs and η around it stay (the plot
    is drawn again on every repaint; a lens costs a few dozen passes over the data)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._lens: Lens | None = None

    def lens(self, session: Session) -> Lens | None:
        t = session.t
        key: tuple = (session, t, session.edited_at(t))
        if t:
            key += (session.theta(t - 1).tobytes(), session.theta(t).tobytes(), session.lr(t - 1))
        if key != self._key:
            self._key, self._lens = key, lens(session, t)
        return self._lens
