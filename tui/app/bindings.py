"""The main screen's keys (priority bindings, acting only on the main screen), the app's
bindings, and the command palette's commands, made from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.app.widgets.point_table import PointTable

if TYPE_CHECKING:
    pass


DIAL_BINDINGS = [
    Binding("right", "dial_turn(15)", "Turn +15°", show=False, tooltip="Turn the dial by +15°"),
    Binding("left", "dial_turn(-15)", "Turn −15°", show=False, tooltip="Turn the dial by −15°"),
    Binding("shift+right", "dial_turn(1)", "Turn +1°", show=False, tooltip="Turn the dial by +1°"),
    Binding("shift+left", "dial_turn(-1)", "Turn −1°", show=False, tooltip="Turn the dial by −1°"),
    Binding("a", "dial_angle", "Angle β", tooltip="Type the dial's angle β in degrees"),
    Binding(
        "enter",
        "dial_take",
        "Take the step",
        key_display="⏎",
        tooltip="Take the step along β: a step of its own in the history",
    ),
    Binding("escape", "dial_leave", "Leave the dial", tooltip="Leave the dial; θ unchanged"),
]
"""The direction dial's keys, active only while it is on (`GdstepApp.check_action`). They
come before the other bindings of their keys, so that ←, →, shift+←, shift+→ and escape turn
and leave the dial then, and step, go back, scroll the table and leave step into otherwise;
n and b come before them, so that the footer still writes n and b for step and back."""

STEP = Binding("n", "step", "Step", id="step", tooltip="One update: θ ← θ − η·g")
BACK = Binding("b", "back", "Back", id="back", tooltip="One update back (exact)")

MAIN_SCREEN_BINDINGS = [
    STEP,
    BACK,
    *DIAL_BINDINGS,
    replace(STEP, key="right"),
    replace(BACK, key="left"),
    Binding(
        "s",
        "step_into",
        "Step into",
        id="step_into",
        tooltip="Walk through the update one point at a time",
    ),
    Binding(
        "escape",
        "leave_step_into",
        "Leave step into",
        show=False,
        tooltip="Back to the whole update, without applying it",
    ),
    Binding(
        "g",
        "goto",
        "Go to",
        id="goto",
        tooltip="Go to step t: runs forward or rewinds",
    ),
    Binding(
        "c",
        "run",
        "Continue",
        id="run",
        tooltip="Run until c again, a breakpoint, a divergence, or θ stops changing",
    ),
    Binding(
        "question_mark",
        "help",
        "Help",
        id="help",
        key_display="?",
        tooltip="Every key and what it does",
    ),
    Binding(
        "plus",
        "scale_lr(2)",
        "η×2",
        id="lr_up",
        key_display="+",
        tooltip="Double the learning rate from this step on",
    ),
    Binding(
        "minus",
        "scale_lr(0.5)",
        "η÷2",
        id="lr_down",
        key_display="-",
        tooltip="Halve the learning rate from this step on",
    ),
    Binding(
        "e",
        "set_lr",
        "Set η",
        id="set_lr",
        tooltip="Type the learning rate exactly",
    ),
    Binding("r", "reset", "Reset", id="reset", tooltip="Back to step 0, starting w, b, η"),
    Binding("o", "open", "Open", id="open", tooltip="Open a sample or a CSV file"),
    Binding(
        "t",
        "cycle_plot",
        "Plot",
        id="plot",
        tooltip="Loss curve, fit, loss surface, lens; with the dial on: its sweep ↔ the surface",
    ),
    Binding("l", "toggle_log", "Log", id="log", tooltip="Log scale on the loss plot"),
    Binding(
        "f",
        "toggle_factors",
        "Factors",
        id="factors",
        show=False,
        tooltip="The chain rule's factors ∂ℓ/∂ŷ, ∂ŷ/∂z, ∂z/∂w as columns of the point table",
    ),
    Binding(
        "u",
        "dial",
        "Try a direction",
        id="dial",
        show=False,
        tooltip="The direction dial: the gradient step turned by β, with ΔL₁ = ∇Lᵀ·Δθ, ΔL₂, ΔL",
    ),
    Binding(
        "p",
        "toggle_precision",
        "Precision",
        id="precision",
        show=False,
        tooltip="Every number on screen: 6 significant figures, or exact (shortest repr)",
    ),
    Binding(
        "B",
        "breakpoints",
        "Breakpoints",
        id="breakpoints",
        show=False,
        tooltip="Add, toggle and delete breakpoints (c and g stop where one holds)",
    ),
    Binding(
        "W",
        "watches",
        "Watches",
        id="watches",
        show=False,
        tooltip="Add and delete watched expressions",
    ),
    Binding(
        "E",
        "edit",
        "Edit θ",
        id="edit",
        show=False,
        tooltip="Set w, b at this step; the later history is dropped",
    ),
    Binding(
        "m",
        "units",
        "Units",
        id="units",
        show=False,
        tooltip="With --standardize: m, s and the model in the file's own units",
    ),
    Binding(
        "tab",
        "next_run",
        "Next run",
        id="next_run",
        show=False,
        tooltip="Compare mode: select the next run (its table, update and Taylor panels; η keys)",
    ),
    Binding(
        "a",
        "add_run",
        "Add a run",
        id="add_run",
        show=False,
        tooltip="Compare mode: another run in lock-step, the base run's options changed",
    ),
    Binding(
        "A",
        "remove_run",
        "Remove the run",
        id="remove_run",
        show=False,
        tooltip="Compare mode: remove the selected run (not the base run)",
    ),
    Binding(
        "x",
        "export",
        "Export CSV",
        id="export",
        show=False,
        tooltip="Write the trace so far, as gdstep trace prints it",
    ),
    Binding(
        "S",
        "save",
        "Save session",
        id="save",
        show=False,
        tooltip="Save data, settings, η changes, edits, breakpoints, watches, step",
    ),
    # The table's own keys, scrolling it from anywhere (it never takes the focus).
    *(
        Binding(b.key, f"table({b.action!r})", b.description, show=False)
        for b in PointTable.BINDINGS
    ),
    Binding("ctrl+down", "scroll_panels(3)", "Panels down", show=False),
    Binding("ctrl+up", "scroll_panels(-3)", "Panels up", show=False),
]
"""The keys of the main screen. They are priority bindings (`GdstepApp.BINDINGS`), handled
as they arrive instead of after a trip through the screen: all in the order they were typed,
a held `n` costs less, and the keys typed after a dialog key reach the dialog (see
`GdstepApp.open_dialog`). They act only on the main screen, never behind a dialog."""

MAIN_SCREEN_ACTIONS = frozenset(b.action.split("(")[0] for b in MAIN_SCREEN_BINDINGS)


APP_BINDINGS = [
    *(replace(binding, priority=True) for binding in MAIN_SCREEN_BINDINGS),
    Binding("q", "quit", "Quit", id="quit"),
]
"""`GdstepApp.BINDINGS`: the main screen's keys as priority bindings, and q."""


class Palette:
    """The command palette lists every action of the app's bindings by name."""

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.action == "quit" or binding.action.startswith(
                ("table(", "scroll_panels(", "dial_")
            ):
                continue  # Quit is in the palette already; the table and the dial take keys
            help_text = binding.tooltip or binding.description
            yield SystemCommand(
                binding.description,
                help_text,
                lambda action=binding.action: self.run_action(action),
            )
