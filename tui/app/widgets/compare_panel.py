"""Compare mode's panel: one row per run at the shared step t, in the run's colour, with its
label (the options it changes), w, b, L, ‖g‖ and the last ΔL, and why a run stopped short."""

from __future__ import annotations

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.app.widgets.text_grid import number, text_grid
from tui.engine.cycles import periods
from tui.engine.diagnostics import norm
from tui.engine.race import Race
from tui.engine.session import Session
from tui.expressions import step_values
from tui.format import num

RUN_COLOURS = ((0, 150, 255), (255, 165, 0), (120, 220, 120), (220, 120, 255))
"""Run 0 … 3 on a dark theme: the plot's colours for the past loss curve, the data, the
tangent and the parabola, so that a light theme draws each with its darker twin."""

ON_LIGHT = ((0, 84, 178), (160, 78, 0), (0, 122, 0), (132, 38, 190))
"""The same runs on a light theme (each at 4.5:1 or more on white)."""


def run_colour(index: int, dark: bool) -> tuple[int, int, int]:
    return (RUN_COLOURS if dark else ON_LIGHT)[index % len(RUN_COLOURS)]


def run_style(index: int, dark: bool) -> str:
    return "bold #{:02x}{:02x}{:02x}".format(*run_colour(index, dark))


class ComparePanel(Panel):
    """The runs of compare mode side by side (hidden with a single run); `▶` marks the
    selected run, the one the other panels show and the η keys change."""

    def show(self, race: Race, dark: bool) -> None:
        d = race.base.d
        rows: list[list[Text | str]] = [
            ["", "run", "w" if d == 1 else "‖w‖", "b", "L", "‖g‖", "ΔL", ""]
        ]
        for index, runner in enumerate(race.runners):
            session = runner.session
            style = run_style(index, dark)
            mark = "▶" if index == race.selected else " "
            label = Text(f"{index} {runner.label}", style)
            rows.append([Text(mark, style), label, *_numbers(session), _status(race, index)])
        self.show_text(text_grid(rows, justify=("left", "left", *["right"] * 5)))


def _numbers(session: Session) -> list[Text]:
    """w (‖w‖ when d > 1), b, L, ‖g‖ (the batch gradient update t uses) and ΔL into step t."""
    w = session.w()
    shown_w = float(w[0]) if session.d == 1 else norm(w)
    dloss = step_values(session, session.t, ("dloss",))["dloss"]
    values = (shown_w, session.b(), session.loss(), norm(session.grad()))
    cells = [number(num(v), v) for v in values]
    cells.append(Text("–", "dim") if session.t == 0 else number(num(dloss), dloss))
    return cells


def _status(race: Race, index: int) -> Text:
    why = race.stopped(index)
    t = race.reach(index)
    if why == "diverged":
        return Text(f"diverged at step {t:,}", "bold red")
    if why == "memory":
        return Text(f"memory limit at step {t:,}", "yellow")
    session = race.runners[index].session
    if session.converged:
        return Text("θ stopped changing", "dim")
    period = int(periods(session, session.t, session.t)[0])
    return Text(f"repeats {period} states" if period > 1 else "", "dim")
