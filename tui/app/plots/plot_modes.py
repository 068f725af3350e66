"""The plot panel's drawings of the lens and the direction dial (its sweep, and its arrows on
the surface): a part of PlotPanel, which gives them its plotext figure (`plt`), `frame_axes`,
`plot_points` and what it shows (`lens_view`, `dialled`)."""

from __future__ import annotations

from tui.app.plots import dial as dial_view
from tui.app.plots import lens as lens_view
from tui.app.plots.drawing import (
    CURRENT,
    DIAL,
    FIT,
    FUTURE,
    PARABOLA,
    TANGENT,
    Frame,
    first_fitting,
    titled,
)
from tui.engine.session import Session


class LensAndDial:
    """PlotPanel's `lens` and `dial` modes, and the dial's arrows on the surface."""

    def draw_lens(self, session: Session, width: int, height: int) -> None:
        """φ(s) = L(θ_{t−1} + s·Δθ), its tangent φ₁ and its parabola φ₂ (MATH.md, "The
        Taylor lens"), s = 0, s = 1 and s* marked; the line on the best η under the plot."""
        plt = self.plt
        found = self.lens_view.lens(session)
        if found is None:
            plt.title(first_fitting(width - 2, lens_view.no_update(session.t), "no update"))
            return
        ticks = max(2, min(8, width // 12)), max(2, min(6, height // 5))
        view = lens_view.lens_plot(found, session.config.optimizer, *ticks)
        if view.y is None:
            plt.title(
                first_fitting(width - 2, f"{lens_view.TITLE}: L is not finite: not drawn", "L nan")
            )
            return
        frame = self.frame_axes(view.x, view.y, width, height)
        for s in view.marks:
            plt.vline(frame.x.place(s).item(), color=PARABOLA if s not in (0, 1) else FUTURE)
        curves_ = (
            (found.phi1, TANGENT, "φ₁ tangent"),
            (found.phi2, PARABOLA, "φ₂ parabola"),
            (found.phi, FIT, "φ = L(θ_{t−1} + s·Δθ)"),  # the actual loss on top
        )
        for values, colour, label in curves_:
            self.plot_points(frame, found.s, values, "braille", colour, line=True, label=label)
        ends = [found.s.tolist().index(s) for s in (0.0, 1.0)]
        self.plot_points(frame, found.s[ends], found.phi[ends], "●", CURRENT)
        title, *shorter = lens_view.titles(view, session.t)
        plt.title(titled(frame.columns, title, view.not_drawn, *shorter))
        plt.xlabel(first_fitting(width - 2, *(f"s · {line}" for line in view.best_lr), "s"))

    def draw_arrows(self, frame: Frame, session: Session, dialled: dial_view.Dialled) -> None:
        """From θ_t, the arrows of the gradient step −η·g and of the dial's Δθ(β), each
        with its tip marked."""
        theta = session.theta()
        for step, colour in (
            (dialled.current.gradient_step, TANGENT),
            (dialled.current.dtheta[0], DIAL),
        ):
            w, b = dial_view.arrow(theta, step)
            self.plot_points(frame, w, b, "braille", colour, line=True)
            self.plot_points(frame, w[-1:], b[-1:], "◆", colour)

    def surface_label(self, width: int) -> str:
        """The w axis's label; while the dial is on, which arrow is which."""
        if self.dialled is None:
            return "w"
        beta = dial_view.beta_text(self.dialled.beta)
        return first_fitting(
            width - 2, f"w · pink: Δθ(β = {beta}), green: −η·g", "w · pink Δθ(β), green −η·g", "w"
        )

    def draw_dial(self, session: Session, width: int, height: int) -> None:
        """The sweep ΔL(β), ΔL₁(β), ΔL₂(β) over 0°…355°, 180° and the dial's β marked
        (MATH.md, "The direction dial: why −∇L")."""
        plt = self.plt
        dialled = self.dialled
        if dialled is None:
            plt.title(first_fitting(width - 2, "the direction dial is off: u turns it on", "u"))
            return
        view = dial_view.dial_plot(dialled, max(2, min(6, height // 5)))
        if view.y is None:
            plt.title(first_fitting(width - 2, f"{dial_view.TITLE}: not finite", "ΔL nan"))
            return
        frame = self.frame_axes(view.x, view.y, width, height)
        plt.vline(frame.x.place(180.0).item(), color=FUTURE)
        plt.vline(frame.x.place(dialled.beta).item(), color=CURRENT)
        swept = dialled.sweep
        curves_ = (
            (swept.dl1, TANGENT, "ΔL₁ = ∇Lᵀ·Δθ"),
            (swept.dl2, PARABOLA, "ΔL₂"),
            (swept.dl, FIT, "ΔL actual"),  # the actual change on top
        )
        for values, colour, label in curves_:
            self.plot_points(frame, swept.beta, values, "braille", colour, line=True, label=label)
        at = dialled.current
        self.plot_points(frame, at.beta, at.dl, "●", CURRENT)
        beta = dial_view.beta_text(dialled.beta)
        title = f"{dial_view.TITLE}, β = {beta}"
        plt.title(titled(frame.columns, title, view.not_drawn, f"ΔL over β, β = {beta}", "dial"))
        plt.xlabel(
            first_fitting(
                width - 2,
                "β, the angle of Δθ to ∇L (grey: 180°, the gradient step)",
                "β (grey: 180°, the gradient step)",
                "β",
            )
        )
