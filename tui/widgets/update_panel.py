"""The totals Δw, Δb of the batch and the coming update written out."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.format import exact, num
from tui.session import Session
from tui.widgets.state_panel import MAX_WEIGHTS
from tui.widgets.text_grid import text_grid


class UpdatePanel(Static):
    """Σ row of the table (the batch gradient g_t) and θ_t → θ_{t+1}."""

    def show(self, session: Session) -> None:
        grad = session.grad().tolist()
        theta = session.theta().tolist()
        next_theta = session.next_theta().tolist()
        names = ["w"] if session.d == 1 else [f"w{j + 1}" for j in range(session.d)]
        names.append("b")
        shown = list(range(min(session.d, MAX_WEIGHTS))) + [session.d]
        size = session.objective.batch_size(session.batch())
        reduce = f"(1/{size:,}) Σ" if session.config.reduction == "mean" else "Σ"
        plain = session.optimizer.state_rows == 0  # θ ← θ − η·g, written out
        lr = session.lr()
        grid: list[tuple[str, Text]] = []
        for j in shown:
            name = names[j]
            term = Text(f"Δ{name} = {reduce} Δ{name}_i = ", "dim")
            term.append(num(grad[j], 8), "yellow")
            grid.append(("Σ" if j == shown[0] else "", term))
        for j in shown:
            name = names[j]
            if plain:
                line = Text(
                    f"{name} ← {name} − η·Δ{name} = "
                    f"{num(theta[j], 10)} − {num(lr)}·({num(grad[j], 8)}) = "
                )
            else:
                line = Text(f"{name} ← {num(theta[j], 10)} → ")
            line.append(exact(next_theta[j]), "cyan")
            grid.append(("next" if j == shown[0] else "", line))
        self.update(text_grid(grid, gap=1))
