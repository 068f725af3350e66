"""Compare mode's `a`: the options of a run to add, as `--vs` takes them, checked as the
command line checks them (tui.config.vs_config), with the error under the field."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui.app.screens.dialog import Dialog
from tui.app.widgets.field import Field
from tui.engine.session import Config
from tui.errors import InputError

Check = Callable[[str], tuple[Config, str]]
"""The text's Config and label, or InputError with a message naming the problem."""


class RunDialog(Dialog[tuple[Config, str, str] | None]):
    """Type a run's options; dismisses with (Config, label, text) on Enter when they are
    valid, with None on Escape."""

    DEFAULT_CSS = """
    RunDialog #error { color: $error; width: 100%; height: auto; }
    RunDialog #hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without adding a run")]

    def __init__(self, check: Check) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="box") as box:
            box.border_title = "Add a run: the base run's options changed"
            yield Field("", id="options", placeholder="e.g. --optimizer momentum --lr 0.5")
            yield Label("", id="error")
            yield Label(
                "--lr --optimizer --batch-size --shuffle --seed --loss --reduction --w0 --b0\n"
                "Enter: add   Escape: cancel",
                id="hint",
            )

    @on(Input.Changed, "#options")
    def _changed(self) -> None:
        self.query_one("#error", Label).update("")

    @on(Input.Submitted, "#options")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            config, label = self.check(event.value)
        except InputError as error:
            self.query_one("#error", Label).update(Text(str(error)))
            self.app.bell()
            return
        self.dismiss((config, label, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
