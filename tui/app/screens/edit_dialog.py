"""A dialog to set θ by hand, as a debugger sets a variable: one box per parameter."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from tui.app.screens.dialog import Dialog
from tui.app.screens.number_dialog import parse_number
from tui.app.widgets.field import Field
from tui.format import num_exact

VISIBLE_FIELDS = 9
"""Boxes shown at once (w1…w8 and b); more scroll."""


class EditDialog(Dialog[np.ndarray | None]):
    """Edit θ: one box per parameter (`names`, e.g. w1…wd then b), each holding the exact
    current value. Enter (in any box) or Set checks every box (finite numbers by Python's
    float() rules) and dismisses with the new θ, in the same order, as a float64 array; an
    error names the bad boxes and keeps the dialog open. Escape dismisses with None."""

    DEFAULT_CSS = """
    EditDialog { align: center middle; }
    EditDialog > #dialog {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    EditDialog #fields { height: auto; }
    EditDialog .field { height: 1; }
    EditDialog .field Label { width: auto; min-width: 4; padding: 0 1 0 0; }
    EditDialog .field Input { width: 1fr; }
    EditDialog #error { color: $error; width: 100%; height: auto; display: none; }
    EditDialog #error.-shown { display: block; }
    EditDialog #hint { color: $text-muted; height: auto; }
    EditDialog #buttons { height: auto; align-horizontal: right; }
    """
    CHROME = 6
    """Screen lines the dialog needs besides the boxes: border, error, hint, button."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing θ"),
        Binding("down", "app.focus_next", "Next box", show=False),
        Binding("up", "app.focus_previous", "Previous box", show=False),
    ]

    def __init__(self, names: list[str], values: list[float], title: str = "Set θ") -> None:
        super().__init__()
        if len(names) != len(values):
            raise ValueError(f"{len(names)} names but {len(values)} values")
        self.names = list(names)
        self.values = [float(v) for v in values]
        self.title_text = title

    def compose(self) -> ComposeResult:
        width = max(len(name) for name in self.names) + 3 if self.names else 4
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            with VerticalScroll(id="fields", can_focus=False):
                for i, (name, value) in enumerate(zip(self.names, self.values, strict=True)):
                    with Horizontal(classes="field"):
                        label = Label(f"{name} =")
                        label.styles.width = width
                        yield label
                        yield Field(num_exact(value), id=f"field-{i}", compact=True)
            yield Static("", id="error")
            yield Static(
                "Enter: set all   ↑/↓ or Tab: next box   Escape: cancel",
                id="hint",
            )
            with Vertical(id="buttons"):
                yield Button("Set", id="set", compact=True, variant="primary")

    def on_mount(self) -> None:
        self._fit(self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, screen_height: int) -> None:
        """At most VISIBLE_FIELDS boxes, fewer if the screen is short: the rest scroll."""
        self.query_one("#fields").styles.max_height = max(
            1, min(VISIBLE_FIELDS, screen_height - self.CHROME)
        )

    def inputs(self) -> list[Input]:
        """The boxes, in the order of `names`."""
        return [self.query_one(f"#field-{i}", Input) for i in range(len(self.names))]

    def _error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Text(message))
        error.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _changed(self) -> None:
        self._error("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_set()

    @on(Button.Pressed, "#set")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_set()

    def action_set(self) -> None:
        """Check every box; dismiss with θ when all hold finite numbers."""
        values: list[float] = []
        problems: list[str] = []
        first_bad: Input | None = None
        for name, box in zip(self.names, self.inputs(), strict=True):
            try:
                values.append(float(parse_number(box.value)))
            except ValueError as error:
                problems.append(f"{name}: {error}")
                first_bad = first_bad or box
        if first_bad is not None:
            self._error("\n".join(problems))
            first_bad.focus()
            self.app.bell()
            return
        self.dismiss(np.array(values, dtype=np.float64))

    def action_cancel(self) -> None:
        self.dismiss(None)
