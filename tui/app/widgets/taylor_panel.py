"""Why the step lowers the loss: ΔL₁, ΔL₂ and the actual ΔL of the last update, cos β,
λ_max(H) and the stability hint η < 2/λ_max."""

from __future__ import annotations

import math

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.app.widgets.text_grid import NON_FINITE, number, text_grid
from tui.engine.diagnostics import Diagnostics
from tui.engine.session import Session
from tui.format import num

STYLES = ("bold", "", "dim")
"""Name, value, comment."""


class TaylorPanel(Panel):
    """The Taylor argument for the update t−1 → t, and the curvature at θ_t."""

    def show(self, session: Session, diagnostics: Diagnostics | None) -> None:
        """The same rows whether or not there is an update yet or the numbers are still
        being computed, so that the panel keeps its height from step to step."""
        if diagnostics is None:
            rows = [("ΔL₁", "…", "computing ∇L and H …"), ("ΔL₂", "…", ""), ("ΔL", "…", "")]
            rows += [("cos β", "…", ""), ("λ_max(H)", "…", ""), ("hint", "…", "")]
            self.show_text(text_grid(rows, justify=("left", "right"), styles=STYLES))
            return
        grid: list[tuple[Text | str, ...]] = []
        last = diagnostics.last_update
        if last is None:
            grid.append(("ΔL₁", "—", "no update yet: press n"))
            grid += [("ΔL₂", "—", ""), ("ΔL", "—", ""), ("cos β", "—", "")]
        else:
            grid.append(("ΔL₁", number(num(last.dl1), last.dl1), "∇Lᵀ·Δθ, 1st order"))
            grid.append(("ΔL₂", number(num(last.dl2), last.dl2), "+ ½·ΔθᵀHΔθ, 2nd order"))
            went = number(num(last.dl), last.dl, "red bold" if last.went_up else "green")
            if not math.isfinite(last.dl):
                verdict = Text("L is not finite: diverged", NON_FINITE)
            elif not last.went_up:
                verdict = Text("actual L(θ_t) − L(θ_t₋₁)")
            elif last.cos_beta > 0:
                verdict = Text("the loss went UP: this batch's step points uphill", "red bold")
            else:
                verdict = Text("the loss went UP: the step overshot", "red bold")
            grid.append(("ΔL", went, verdict))
            if math.isnan(last.cos_beta):
                grid.append(("cos β", "—", "Δθ or ∇L is 0"))
            else:
                grid.append(("cos β", num(last.cos_beta, 4), "Δθ vs ∇L: −1 is downhill"))
        at_t = diagnostics.at_t
        lambda_max = at_t.lambda_max
        grid.append(("λ_max(H)", number(num(lambda_max), lambda_max), "curvature at θ_t"))
        grid.append(("hint", *hint(session.lr(), at_t.lr_limit)))
        if session.optimizer.state_rows:
            grid.append(("", "", Text(f"(a bound for gd, not {session.config.optimizer})")))
        self.show_text(text_grid(grid, justify=("left", "right"), styles=STYLES))


def hint(lr: float, lr_limit: float) -> tuple[Text, Text]:
    """`η < 2/λ_max` with its value, and whether the current η keeps it."""
    if math.isinf(lr_limit):
        return Text("η < ∞"), Text("H has no positive curvature here")
    if math.isnan(lr_limit):
        return Text("—"), Text("H is not finite here")
    ok = lr < lr_limit
    verdict = Text(
        f"η = {num(lr)} {'<' if ok else '≥'} 2/λ_max: " + ("stable" if ok else "may oscillate"),
        "green" if ok else "red bold",
    )
    return Text(f"η < {num(lr_limit)}"), verdict
