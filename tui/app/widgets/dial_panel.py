"""The direction dial's panel (u): β, cos β, ΔL₁ = ∇Lᵀ·Δθ (the article's ∇Lᵀu term), ΔL₂,
the actual ΔL of the step turned by β, the gradient step's ΔL beside it, the plane the dial
turns in and its keys. Shown only while the dial is on, and only for the θ_t it was made at."""

from __future__ import annotations

from rich.text import Text

from tui.app.plots.dial import Dialled, beta_text
from tui.app.widgets.panel import Panel
from tui.app.widgets.text_grid import number
from tui.engine.session import Session
from tui.format import num

STYLES = ("bold", "", "dim")
"""Name, value, comment."""

KEYS = (
    "←/→\u00a0±15°  shift+←/→\u00a0±1°  a:\u00a0type\u00a0β",  # a narrow panel breaks between keys
    "⏎ take it (optimizer state kept)",
    "esc leave, θ unchanged",
)


class DialPanel(Panel):
    """The dial at θ_t, or nothing (hidden) when the dial is off."""

    DEFAULT_CSS = """
    DialPanel {
        height: auto;
        border: round $accent;
        padding: 0 1;
        border-title-color: $accent;
        display: none;
    }
    """

    def show(self, session: Session, dialled: Dialled | None) -> None:
        if dialled is None:
            self.display = False
            return
        if not self.display:  # turned on: below the fold of a small window, bring it up
            self.display = True
            self.call_after_refresh(self.scroll_visible, animate=False)
        self.border_title = f"direction dial at step {session.t:,}: Δθ = η‖g‖·u(β)"
        self.show_grid(rows(session, dialled), justify=("left", "right"), styles=STYLES)


def rows(session: Session, dialled: Dialled) -> list[tuple[Text | str, ...]]:
    """The dial's rows: β and its numbers, the gradient step's ΔL, the plane, the keys."""
    at = dialled.current
    dl1, dl2, dl = float(at.dl1[0]), float(at.dl2[0]), float(at.dl[0])
    up = dl > 0
    gradient_step = float(dialled.sweep.dl[int(180 // 5)])
    step_length = at.step_length
    out: list[tuple[Text | str, ...]] = [
        ("β", beta_text(dialled.beta), "Δθ vs ∇L; 180°: the gradient step"),
        ("cos β", num(float(at.cos_beta[0])), "−1: straight downhill"),
        ("ΔL₁", number(num(dl1), dl1), "∇Lᵀ·Δθ = η‖g‖²·cos β, 1st order"),
        ("ΔL₂", number(num(dl2), dl2), "+ ½·ΔθᵀHΔθ, 2nd order"),
        (
            "ΔL",
            number(num(dl), dl, "red bold" if up else "green"),
            Text("actual L(θ_t + Δθ) − L(θ_t)" + (": UP" if up else ""), "red" if up else ""),
        ),
        ("at 180°", number(num(gradient_step), gradient_step), "ΔL of the gradient step"),
        ("‖Δθ‖", number(num(step_length), step_length), "η‖g‖, every β alike"),
        ("plane", "", at.plane.describe()),
    ]
    if not session.schedule.full or session.optimizer.state_rows:
        name = session.config.optimizer
        out.append(("g", "", f"∇L over every point, not {name}'s update"))
    out.append(("keys", "", KEYS[0]))
    out.extend(("", "", line) for line in KEYS[1:])
    return out
