"""The totals Δw, Δb of the batch and the coming update written out; a total that is only
round-off (0 on paper) says so, with the bound of its rounding error."""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.app.widgets.state_panel import MAX_WEIGHTS
from tui.app.widgets.text_grid import number
from tui.engine.model import weight_names
from tui.engine.objective import Points
from tui.engine.roundoff import is_roundoff, partial_bounds
from tui.engine.session import Session
from tui.format import num, num_above, operand


class UpdatePanel(Panel):
    """Σ row of the table (the batch gradient g_t) and θ_t → θ_{t+1}; while stepping into the
    update, the point reached and the running sums."""

    stepping_into: int | None = None
    """The point step into showed last (None: it was not on)."""

    def show(
        self, session: Session, into: int | None = None, bounds: np.ndarray | None = None
    ) -> None:
        """`bounds`: the rounding-error bound of each total (the engine's `gradient_bounds`,
        in the diagnostics); a total within its bound of 0 is marked as round-off. None (not
        computed yet): no mark."""
        grad = session.grad().tolist()
        theta = session.theta().tolist()
        next_theta = session.next_theta().tolist()
        names = [*weight_names(session.d), "b"]
        shown = list(range(min(session.d, MAX_WEIGHTS))) + [session.d]
        size = session.objective.batch_size(session.batch())
        reduce = f"(1/{size:,}) Σ" if session.config.reduction == "mean" else "Σ"
        plain = session.optimizer.state_rows == 0  # θ ← θ − η·g, written out
        lr = session.lr()
        bound = [math.inf] * len(grad) if bounds is None else bounds.tolist()
        grid: list[tuple[str, Text]] = []
        if into is not None and self.stepping_into is None:  # starts: show it, fold or not
            self.call_after_refresh(self.scroll_visible, animate=False)
        self.stepping_into = into
        if into is not None:
            room = self.content_size.width - len("into") - 1  # beside the label column
            grid += step_into_rows(session, into, names, shown, room)
        for j in shown:
            name = names[j]
            term = Text(f"Δ{name} = {reduce} Δ{name}_i = ", "dim")
            term.append_text(total(grad[j], bound[j]))
            grid.append(("Σ" if j == shown[0] else "", term))
            if j == MAX_WEIGHTS - 1 and session.d > MAX_WEIGHTS:
                more = f"… {session.d - MAX_WEIGHTS} more weights (gdstep trace)"
                grid.append(("", Text(more, "dim")))
        for j in shown:
            name = names[j]
            if plain:
                line = Text(
                    f"{name} ← {name} − η·Δ{name} = "
                    f"{num(theta[j])} − {operand(lr)}·{operand(grad[j])} = "
                )
            else:
                line = Text(f"{name} ← {num(theta[j])} → ")
            line.append_text(number(num(next_theta[j]), next_theta[j], "cyan"))
            grid.append(("next" if j == shown[0] else "", line))
        grid += state_rows(session, names, shown)
        self.show_grid(grid, gap=1)


def total(value: float, bound: float, style: str = "yellow") -> Text:
    """A total of the batch, or, when it is within its rounding-error `bound` of 0 (the
    engine's `is_roundoff`), the same number marked as round-off: `−2.77556e−18 ≈ 0
    (round-off, |error| ≤ 4.7e−17)`."""
    text = number(num(value), value, style)
    if is_roundoff(value, bound):
        text.stylize("dim")
        text.append(f" ≈ 0 (round-off, |error| ≤ {num_above(bound)})", "italic")
    return text


def step_into_rows(
    session: Session, k: int, names: list[str], shown: list[int], room: int = 0
) -> list[tuple[str, Text]]:
    """Point k of the batch (1-based) with its terms, and the sums over points 1…k; `room`:
    the characters a line has (0: not known)."""
    rows = session.batch_rows()
    i = int(rows[k - 1])
    point = session.points(rows[k - 1 : k])
    terms = [*point.grad_w[0].tolist(), float(point.grad_b[0])]
    sums = session.partial_gradient(k).tolist()
    bounds = partial_bounds(session, k).tolist()
    here = Text(f"point {k:,} of {len(rows):,} (row {i + 1:,}):  ", "bold magenta")
    here.append("   ".join(f"Δ{names[j]}_i = {num(terms[j])}" for j in shown))
    so_far = Text()
    for n, j in enumerate(shown):
        so_far.append(f"{'   ' if n else ''}Σ Δ{names[j]}_i = ", "magenta")
        so_far.append_text(total(sums[j], bounds[j], "magenta"))
    last = k == len(rows)
    so_far.append("   s: apply the update" if last else "   s: next point", "dim")
    chain = chain_rows(session.objective.loss_name, point, i, names, room)
    return [("into", here), *chain, ("", so_far)]


def chain_rows(
    loss: str, point: Points, i: int, names: list[str], room: int = 0
) -> list[tuple[str, Text]]:
    """Point i's Δw_i (the first weight's) and Δb_i as the chain rule gives them, with its
    numbers (MATH.md, "One point's gradient term, factor by factor"); then how many weights
    more follow the same pattern. A formula longer than `room` (exact numbers, `p`) goes on
    two lines, the symbols and then their values, rather than wrap anywhere."""
    d = len(names) - 1
    x = point.x[0].tolist()
    feature = "x" if d == 1 else "x1"
    w_term, b_term = float(point.grad_w[0, 0]), float(point.grad_b[0])
    lines = chain_line(loss, point, i, names[0], f"{feature}_{i + 1}", x[0], w_term, room)
    if d > 1:
        more = (
            f"… {d - 1} more weights: Δwj_{i + 1} the same with xj_{i + 1} in place of x1_{i + 1}"
        )
        lines.append(Text(more, "dim"))
    lines += chain_line(loss, point, i, "b", "1", 1.0, b_term, room)
    return [("", line) for line in lines]


def chain_line(
    loss: str,
    point: Points,
    i: int,
    name: str,
    dz_of: str,
    dz_value: float,
    term: float,
    room: int = 0,
) -> list[Text]:
    """`Δw_i = (ŷ_i − y_i)·ŷ_i·(1 − ŷ_i)·x_i = (0.499774 − 0.1)·… = 0.0499717` for `mse`;
    for `bce` the first factor r_i/(ŷ_i(1−ŷ_i)) cancels the second, leaving (ŷ_i − y_i)·x_i.
    `dz_of` is ∂z_i/∂w (x_i) or ∂z_i/∂b (1), `dz_value` its value; `term` the engine's Δ."""
    sub = str(i + 1)
    y_hat, y = num(float(point.y_hat[0])), operand(float(point.y[0]))
    last = operand(dz_value)
    r = f"(ŷ_{sub} − y_{sub})"
    slope = f"ŷ_{sub}(1 − ŷ_{sub})"
    if loss == "mse":
        symbols = f"{r}·ŷ_{sub}·(1 − ŷ_{sub})·{dz_of}"
        values = f"({y_hat} − {y})·{y_hat}·(1 − {y_hat})·{last}"
    else:
        symbols = f"{r}/({slope})·{slope}·{dz_of} = {r}·{dz_of}"
        values = f"({y_hat} − {y})·{last}"
    result = number(num(term), term, "yellow")
    left = f"Δ{name}_{sub} ="
    line = Text(f"{left} {symbols} = {values} = ").append_text(result)
    if room <= 0 or line.cell_len <= room:
        return [line]
    indent = " " * (len(left) - 1)
    return [Text(f"{left} {symbols}"), Text(f"{indent}= {values} = ").append_text(result)]


def state_rows(session: Session, names: list[str], shown: list[int]) -> list[tuple[str, Text]]:
    """The optimizer's state that the coming update starts from (v, s, or m and v)."""
    state = session.state()
    rows = []
    for k, vector in enumerate(session.optimizer.state_names):
        values = state[k].tolist()
        line = Text("   ".join(f"{vector}[{names[j]}] = {num(values[j])}" for j in shown))
        rows.append(("state" if k == 0 else "", line))
    return rows
