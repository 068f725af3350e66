"""The state at step t: w, b, η, the loss and its formula, ‖∇L‖, the optimizer and its rule."""

from __future__ import annotations

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.app.widgets.text_grid import NON_FINITE, number, text_grid
from tui.data import Dataset
from tui.engine.diagnostics import Diagnostics
from tui.engine.model import loss_formula, weight_names
from tui.engine.session import Session
from tui.format import count, num

MAX_WEIGHTS = 3
"""Beyond this many features, w is summarised instead of listed."""


class StatePanel(Panel):
    """Step t, θ_t, η, L(θ_t) and the update rule, all read from the session; numbers in the
    precision of the code that calls `show` (`tui.format.precision`)."""

    def show(self, session: Session, dataset: Dataset, diagnostics: Diagnostics | None) -> None:
        config = session.config
        grid: list[tuple[str, Text | str]] = []
        title = Text.assemble(
            (dataset.name, "bold"), f"  {count(session.n, 'point')} × {count(session.d, 'feature')}"
        )
        if dataset.standardization is not None:
            title.append("  standardized (m)", "yellow")
        grid.append(("data", title))
        if outside := dataset.targets_outside(named=False):
            grid.append(("note", Text(f"{outside}: σ never reaches it", "yellow")))
        grid.append(("run", f"{config.loss} · {config.reduction} · {config.optimizer}"))
        status = Text(f"{session.t:,}")
        if session.t < session.last:
            status.append(f"   (history to {session.last:,})", "dim")
        grid.append(("step t", status))
        for name, value in weights(session):
            grid.append((name, number(num(value), value, "cyan")))
        if session.d > MAX_WEIGHTS:
            grid.append(
                ("…", Text(f"{session.d - MAX_WEIGHTS} more weights (gdstep trace)", "dim"))
            )
        grid.append(("b", number(num(session.b()), session.b(), "cyan")))
        grid.append(("η", Text(num(session.lr()), "yellow")))
        grid.append(("L", number(num(session.loss()), session.loss(), "green bold")))
        grid.append(("", Text(loss_formula(config.loss, config.reduction), "dim")))
        if diagnostics is None:
            grid.append(("‖∇L‖", "…"))
        else:
            grad_norm = diagnostics.at_t.grad_norm
            grid.append(("‖∇L‖", number(num(grad_norm), grad_norm)))
        grid.append(("rule", Text(session.optimizer.formula, "magenta")))
        if not session.is_finite(session.t):
            grid.append(("status", Text(divergence(session), NON_FINITE)))
        self.show_text(text_grid(grid))


def divergence(session: Session) -> str:
    """What the status row says while θ_t or L(θ_t) is not finite (it stays until they are).
    A run stops at its first non-finite state, so that is step t."""
    t = session.t
    if t == 0:
        return "not finite at step 0: the starting θ is too large for this data"
    return f"diverged at step {t:,} (η = {num(session.lr(t - 1))}): b steps back"


def weights(session: Session) -> list[tuple[str, float]]:
    """("w", w) for one feature, else ("w1", w_1), … for the first MAX_WEIGHTS."""
    w = session.w().tolist()[:MAX_WEIGHTS]
    return list(zip(weight_names(session.d), w, strict=False))
