"""Why the last update changed the loss as it did: ΔL₁, ΔL₂ and the actual ΔL of the update
θ_{t−1} → θ_t, cos β, λ_max(H) at θ_{t−1} and the verdict on the η that update used; then what
the next update from θ_t meets (MATH.md, "Which θ each number belongs to")."""

from __future__ import annotations

import math

from rich.text import Text

from tui.app.plots.dial import beta_text
from tui.app.widgets.panel import Panel
from tui.app.widgets.text_grid import NON_FINITE, number
from tui.engine.diagnostics import Curvature, Diagnostics, Taylor
from tui.engine.session import Session
from tui.format import num

STYLES = ("bold", "", "dim")
"""Name, value, comment."""

Row = tuple[Text | str, ...]


class TaylorPanel(Panel):
    """The Taylor argument for the update t−1 → t, all at θ_{t−1}, and the curvature the next
    update meets at θ_t. Its title says what the last update did."""

    def show(self, session: Session, diagnostics: Diagnostics | None) -> None:
        """The same rows whether or not there is an update yet or the numbers are still
        being computed, so that the panel keeps its height from step to step."""
        if diagnostics is None:
            rows: list[Row] = [step_row(session)]
            rows += [("ΔL₁", "…", "computing ∇L and H …"), ("ΔL₂", "…", "")]
            rows += [("ΔL", "…", ""), ("cos β", "…", ""), ("λ_max(H)", "…", "")]
            rows += [("2/λ_max", "…", ""), ("next", "…", "")]
            self.show_grid(rows, justify=("left", "right"), styles=STYLES)
            return
        self.border_title = title(session, diagnostics)
        rows = [step_row(session), *last_update_rows(session, diagnostics)]
        rows.append(next_row(session, diagnostics.at_t))
        if not session.is_finite(session.t) and diagnostics.before is not None:
            limit = diagnostics.before.lr_limit
            largest = f"2/λ_max = {num(limit)}" if math.isfinite(limit) else "not bounded there"
            line = f"diverged at step {session.t:,}: the largest stable η at θ_{{t−1}} is {largest}"
            rows.append(("", "", Text(line, NON_FINITE)))
        if session.optimizer.state_rows:
            rows.append(("", "", Text(f"(bounds for gd, not {session.config.optimizer})")))
        self.show_grid(rows, justify=("left", "right"), styles=STYLES)


def step_row(session: Session) -> Row:
    """What Δθ is, written out once: the last update, which for the plain gradient step
    (`gd`, `sgd`, `minibatch`: no optimizer state) is −η·g; the dial's step is η‖g‖·u(β), and
    a θ set by hand (E) came from no update at all."""
    t = session.t
    if session.edited_at(t):
        return ("Δθ", "", "= θ_t − θ_{t−1}, set by hand: no update")
    if session.direction_at(t) is not None:
        return ("Δθ", "", "= θ_t − θ_{t−1} = η‖g‖·u(β)")
    plain = session.optimizer.state_rows == 0
    return ("Δθ", "", "= θ_t − θ_{t−1} = −η·g" if plain else "= θ_t − θ_{t−1}")


def title(session: Session, diagnostics: Diagnostics) -> str:
    """What happened at the last update, in the panel's title."""
    last = diagnostics.last_update
    if diagnostics.edited:
        return f"θ was set by hand at step {session.t:,}"
    if last is None:
        return "why an update lowers L (Taylor)"
    did = effect(session, last)
    if diagnostics.direction is not None:
        return f"a step by hand along β = {beta_text(diagnostics.direction)} {did} (Taylor)"
    if did == "diverged":
        return "why the last update diverged"
    return f"why the last update {did} (Taylor)"


def effect(session: Session, last: Taylor) -> str:
    """What the last update did to L: diverged (L or θ_t is not finite: a θ of inf can have a
    finite L), raised L, left L unchanged (ΔL = 0) or lowered L."""
    if not session.is_finite(session.t):
        return "diverged"
    if last.went_up:
        return "raised L"
    return "left L unchanged" if last.dl == 0 else "lowered L"


def last_update_rows(session: Session, diagnostics: Diagnostics) -> list[Row]:
    """ΔL₁, ΔL₂, ΔL, cos β, λ_max at θ_{t−1} and the verdict on η: six rows, or six rows
    that say why there is nothing to explain (step 0, an edit)."""
    last = diagnostics.last_update
    if last is None or diagnostics.before is None:
        why = (
            "set by hand (E): no update to explain"
            if diagnostics.edited
            else "no update yet: press n"
        )
        rows: list[Row] = [("ΔL₁", "—", why), ("ΔL₂", "—", ""), ("ΔL", "—", "")]
        return [*rows, ("cos β", "—", ""), ("λ_max(H)", "—", ""), ("2/λ_max", "—", "")]
    rows = [
        ("ΔL₁", number(num(last.dl1), last.dl1), "∇Lᵀ·Δθ, 1st order"),
        ("ΔL₂", number(num(last.dl2), last.dl2), "+ ½·ΔθᵀHΔθ, 2nd order"),
    ]
    went = number(num(last.dl), last.dl, "red bold" if last.went_up else "green")
    if not math.isfinite(last.dl):
        comment = Text("L is not finite: diverged", NON_FINITE)
    elif not session.is_finite(session.t):
        comment = Text("θ_t is not finite: diverged", NON_FINITE)
    elif not last.went_up:
        comment = Text("actual L(θ_t) − L(θ_{t−1})")
    elif last.cos_beta > 0:
        comment = Text("went UP: this batch points uphill", "red bold")
    else:
        comment = Text("went UP: the step overshot", "red bold")
    rows.append(("ΔL", went, comment))
    if math.isnan(last.cos_beta):
        rows.append(("cos β", "—", "Δθ or ∇L is " + ("0" if last.finite else "not finite")))
    elif diagnostics.direction is not None:
        beta = beta_text(diagnostics.direction)
        rows.append(("cos β", num(last.cos_beta), f"Δθ vs ∇L: the dial's β = {beta}"))
    else:
        rows.append(("cos β", num(last.cos_beta), "Δθ vs ∇L: −1 is downhill"))
    before = diagnostics.before
    lambda_max = before.lambda_max
    rows.append(("λ_max(H)", number(num(lambda_max), lambda_max), "curvature at θ_{t−1}"))
    rows.append(("2/λ_max", *verdict(diagnostics.lr_before or math.nan, before)))
    return rows


def verdict(lr: float, at: Curvature) -> tuple[Text, Text]:
    """2/λ_max where an update starts, and whether its η stays below it: `7.85195`,
    `η = 12: overshoot expected` (or `η = 2: stable`)."""
    limit = at.lr_limit
    if math.isnan(limit):
        return Text("—"), Text("H is not finite here: no bound")
    if math.isinf(limit):
        return Text("∞"), Text(f"η = {num(lr)}: no positive curvature, no bound")
    if lr < limit:
        return Text(num(limit)), Text(f"η = {num(lr)}: stable", "green")
    return Text(num(limit), "red bold"), Text(f"η = {num(lr)}: overshoot expected", "red bold")


def next_row(session: Session, at_t: Curvature) -> Row:
    """What the next update from θ_t meets: the bound on η from λ_max at θ_t."""
    limit = at_t.lr_limit
    if math.isnan(limit):
        return ("next", "—", "H is not finite at θ_t")
    if math.isinf(limit):
        return ("next", "η < ∞", "no positive curvature at θ_t")
    style = "" if session.lr() < limit else "red bold"
    comment = f"λ_max(θ_t) = {num(at_t.lambda_max)}"
    return ("next", Text(f"η < {num(limit)}", style), comment)
