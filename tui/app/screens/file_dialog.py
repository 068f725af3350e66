"""A dialog for the name of a file to write: asks before replacing an existing file."""

from __future__ import annotations

import os

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui.app.screens.dialog import Dialog
from tui.app.widgets.field import Field
from tui.files.safe import exists_needs_confirm


class FileDialog(Dialog[str | None]):
    """Type a file name (pre-filled with `default`). Enter dismisses with the path, `~`
    expanded; for an existing file only a second Enter with the same name does. An empty name
    or a directory is refused in the dialog. Escape dismisses with None. The app writes."""

    DEFAULT_CSS = """
    FileDialog { align: center middle; }
    FileDialog > #dialog {
        width: 80; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    FileDialog #message { height: auto; display: none; }
    FileDialog #message.-shown { display: block; }
    FileDialog #message.-error { color: $error; }
    FileDialog #message.-warning { color: $warning; }
    FileDialog #hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without writing")]

    def __init__(self, title: str, default: str) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.confirming: str | None = None
        """The path that a second Enter replaces (set after the first Enter on it)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            yield Field(self.default, id="path", placeholder="file name")
            yield Static("", id="message")
            yield Label("Enter: write   Escape: cancel", id="hint")

    def _message(self, message: str, kind: str = "error") -> None:
        widget = self.query_one("#message", Static)
        widget.update(Text(message))
        widget.set_class(bool(message), "-shown")
        widget.set_class(kind == "error", "-error")
        widget.set_class(kind == "warning", "-warning")

    @on(Input.Changed, "#path")
    def _changed(self) -> None:
        self.confirming = None
        self._message("")

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self._message("type a file name")
            self.app.bell()
            return
        path = os.path.expanduser(name)
        if os.path.isdir(path):
            self._message(f"{path} is a directory: type a file name")
            self.app.bell()
            return
        if exists_needs_confirm(path) and self.confirming != path:
            self.confirming = path
            self._message(
                f"{path} exists: press Enter again to replace it, or edit the name", "warning"
            )
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
