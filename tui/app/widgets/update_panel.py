"""The totals Δw, Δb of the batch and the coming update written out."""

from __future__ import annotations

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.app.widgets.state_panel import MAX_WEIGHTS
from tui.app.widgets.text_grid import number, text_grid
from tui.engine.model import weight_names
from tui.engine.session import Session
from tui.format import exact, num


class UpdatePanel(Panel):
    """Σ row of the table (the batch gradient g_t) and θ_t → θ_{t+1}; while stepping into the
    update, the point reached and the running sums."""

    def show(self, session: Session, into: int | None = None) -> None:
        grad = session.grad().tolist()
        theta = session.theta().tolist()
        next_theta = session.next_theta().tolist()
        names = [*weight_names(session.d), "b"]
        shown = list(range(min(session.d, MAX_WEIGHTS))) + [session.d]
        size = session.objective.batch_size(session.batch())
        reduce = f"(1/{size:,}) Σ" if session.config.reduction == "mean" else "Σ"
        plain = session.optimizer.state_rows == 0  # θ ← θ − η·g, written out
        lr = session.lr()
        grid: list[tuple[str, Text]] = []
        if into is not None:
            grid += step_into_rows(session, into, names, shown)
        for j in shown:
            name = names[j]
            term = Text(f"Δ{name} = {reduce} Δ{name}_i = ", "dim")
            term.append_text(number(num(grad[j], 8), grad[j], "yellow"))
            grid.append(("Σ" if j == shown[0] else "", term))
            if j == MAX_WEIGHTS - 1 and session.d > MAX_WEIGHTS:
                more = f"… {session.d - MAX_WEIGHTS} more weights (gdstep trace)"
                grid.append(("", Text(more, "dim")))
        for j in shown:
            name = names[j]
            if plain:
                line = Text(
                    f"{name} ← {name} − η·Δ{name} = "
                    f"{num(theta[j], 10)} − {num(lr)}·({num(grad[j], 8)}) = "
                )
            else:
                line = Text(f"{name} ← {num(theta[j], 10)} → ")
            line.append_text(number(exact(next_theta[j]), next_theta[j], "cyan"))
            grid.append(("next" if j == shown[0] else "", line))
        grid += state_rows(session, names, shown)
        self.show_text(text_grid(grid, gap=1))


def step_into_rows(
    session: Session, k: int, names: list[str], shown: list[int]
) -> list[tuple[str, Text]]:
    """Point k of the batch (1-based) with its terms, and the sums over points 1…k."""
    rows = session.batch_rows()
    i = int(rows[k - 1])
    point = session.points(rows[k - 1 : k])
    terms = [*point.grad_w[0].tolist(), float(point.grad_b[0])]
    sums = session.partial_gradient(k).tolist()
    here = Text(f"point {k:,} of {len(rows):,} (row {i + 1:,}):  ", "bold magenta")
    here.append("   ".join(f"Δ{names[j]}_i = {num(terms[j], 8)}" for j in shown))
    so_far = Text("   ".join(f"Σ Δ{names[j]}_i = {num(sums[j], 8)}" for j in shown), "magenta")
    last = k == len(rows)
    so_far.append("   s: apply the update" if last else "   s: next point", "dim")
    return [("into", here), ("", so_far)]


def state_rows(session: Session, names: list[str], shown: list[int]) -> list[tuple[str, Text]]:
    """The optimizer's state that the coming update starts from (v, s, or m and v)."""
    state = session.history.state[session.t]
    rows = []
    for k, vector in enumerate(session.optimizer.state_names):
        values = state[k].tolist()
        line = Text("   ".join(f"{vector}[{names[j]}] = {num(values[j], 8)}" for j in shown))
        rows.append(("state" if k == 0 else "", line))
    return rows
