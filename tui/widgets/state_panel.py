"""The state at step t: w, b, η, the loss and its formula, ‖∇L‖, the optimizer and its rule."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.data import Dataset
from tui.diagnostics import Diagnostics
from tui.format import count, exact, num
from tui.model import loss_formula
from tui.session import Session

MAX_WEIGHTS = 6
"""Beyond this many features, w is summarised instead of listed."""


class StatePanel(Static):
    """Step t, θ_t, η, L(θ_t) and the update rule, all read from the session."""

    def show(self, session: Session, dataset: Dataset, diagnostics: Diagnostics | None) -> None:
        config = session.config
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        title = Text.assemble(
            (dataset.name, "bold"),
            f"  {count(session.n, 'point')} × {count(session.d, 'feature')}",
            f"  ·  {config.loss} · {config.reduction} · {config.optimizer}",
        )
        grid.add_row("data", title)
        status = Text(f"{session.t:,}")
        if session.t < session.last:
            status.append(f"   (history to {session.last:,})", "dim")
        grid.add_row("step t", status)
        for name, value in weights(session):
            grid.add_row(name, Text(exact(value), "cyan"))
        if session.d > MAX_WEIGHTS:
            grid.add_row("…", Text(f"{session.d - MAX_WEIGHTS} more weights (gdstep trace)", "dim"))
        grid.add_row("b", Text(exact(session.b()), "cyan"))
        grid.add_row("η", Text(exact(session.lr()), "yellow"))
        loss = Text(exact(session.loss()), "green bold")
        loss.append(f"   {loss_formula(config.loss, config.reduction)}", "dim")
        grid.add_row("L", loss)
        norm = "…" if diagnostics is None else num(diagnostics.at_t.grad_norm, 6)
        grid.add_row("‖∇L‖", norm)
        grid.add_row("rule", Text(session.optimizer.formula, "magenta"))
        self.update(grid)


def weights(session: Session) -> list[tuple[str, float]]:
    """("w", w) for one feature, else ("w1", w_1), … for the first MAX_WEIGHTS."""
    w = session.w().tolist()
    if len(w) == 1:
        return [("w", w[0])]
    return [(f"w{j + 1}", v) for j, v in enumerate(w[:MAX_WEIGHTS])]
