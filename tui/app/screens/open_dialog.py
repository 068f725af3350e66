"""A dialog to pick a bundled sample or type the path of a CSV file."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui import data
from tui.app.screens.dialog import Dialog
from tui.app.widgets.field import Field

if TYPE_CHECKING:
    from tui.app.keeping import Served


def sample_summary(name: str) -> tuple[str, int | None, int | None]:
    """(description, rows, features) of a bundled sample (None, None if it can't be read)."""
    try:
        dataset = data.load(name)
    except data.DataError:
        return "", None, None
    return dataset.description, dataset.n, dataset.d


def sample_prompt(name: str) -> Text:
    """`seed  5 rows × 1 feature` and the sample's description under it."""
    description, rows, features = sample_summary(name)
    prompt = Text(name, style="bold")
    if rows is not None and features is not None:
        size = f"{rows:,} row{'s' * (rows != 1)} × {features} feature{'s' * (features != 1)}"
        prompt.append(f"   {size}", style="dim")
    if description:
        prompt.append(f"\n{description}", style="italic")
    return prompt


class OpenDialog(Dialog[str | None]):
    """Pick a sample (Enter on it) or type a path (Enter in the box): dismisses with that spec
    string, or None on Escape. The app loads it and reports errors.

    Served to a browser (`served`), there is no path box: the list offers the samples and
    the CSV files of the served data directory, and nothing else of the server."""

    DEFAULT_CSS = """
    OpenDialog #samples { height: auto; max-height: 20; }
    OpenDialog #error { color: $error; width: 100%; height: auto; display: none; }
    OpenDialog #error.-shown { display: block; }
    OpenDialog #hint { color: $text-muted; }
    """
    CHROME = 9
    """Screen lines the dialog needs besides the list: border, path label and box, hint."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Keep the current data")]

    def __init__(self, current: str | None = None, served: Served | None = None) -> None:
        super().__init__()
        self.current = current
        self.served = served

    def compose(self) -> ComposeResult:
        names = data.sample_names()
        with Vertical(id="dialog", classes="box") as box:
            box.border_title = "Open a data set"
            samples = OptionList(*(Option(sample_prompt(name), id=name) for name in names))
            samples.id = "samples"
            samples.border_title = "bundled samples"
            if self.served is not None:
                yield from self._served_choices(samples, self.served)
                return
            yield samples
            yield Label("…or type the path of a CSV file:")
            # Not select_on_focus: the key that moves the focus here is already in the box, and
            # selected it would be replaced by the next key (`o/etc/passwd` lost its `/`).
            yield Field(placeholder="path/to/file.csv", id="path", select_on_focus=False)
            yield Label("", id="error")
            yield Label("Enter: open   Tab: samples / path   Escape: cancel", id="hint")

    def _served_choices(self, samples: OptionList, served: Served) -> ComposeResult:
        """The samples, then the served data directory's CSV files (by their path in it)."""
        if served.data_dir is not None:
            root = served.data_dir.resolve()
            files = served.files()
            samples.add_options(
                Option(Text(str(path.relative_to(root)), style="bold"), id=str(path))
                for path in files
            )
            samples.border_title = (
                f"bundled samples and {len(files)} file{'s' * (len(files) != 1)} of the class"
            )
        yield samples
        yield Label("Enter: open   Escape: cancel", id="hint")

    def on_resize(self, event: events.Resize) -> None:
        """Shrink the list so that the path box stays on screen."""
        self.query_one("#samples", OptionList).styles.max_height = min(
            20, max(3, event.size.height - self.CHROME)
        )

    def _error(self, message: str) -> None:
        error = self.query_one("#error", Label)
        error.update(message)
        error.set_class(bool(message), "-shown")

    def on_mount(self) -> None:
        samples = self.query_one("#samples", OptionList)
        if self.current is not None and self.current in data.sample_names():
            samples.highlighted = samples.get_option_index(self.current)
        elif samples.option_count or self.served is not None:
            samples.highlighted = 0
        else:
            self.query_one("#path", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing while the list has the focus starts a path (the box takes the keys)."""
        if event.is_printable and event.character is not None and self.served is None:
            event.stop()
            event.prevent_default()
            path = self.query_one("#path", Field)
            path.focus()
            path.insert_text_at_cursor(event.character)

    @on(OptionList.OptionSelected, "#samples")
    def _sample_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        typed = "" if self.served is not None else self.query_one("#path", Field).value
        if typed.strip():  # Enter came to the list while a path was being typed into the box
            self._open_path(typed)
        elif event.option.id is not None:
            self.dismiss(event.option.id)

    @on(Input.Submitted, "#path")
    def _path_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._open_path(event.value)

    def _open_path(self, typed: str) -> None:
        spec = os.path.expanduser(typed.strip().strip("'\""))
        if not spec:
            self._error("type a path, or pick a sample above")
            return
        try:
            _, path = data.resolve(spec)
        except data.DataError as error:
            self._error(str(error))  # the dialog stays, with what was typed
            return
        if path.is_dir():
            self._error(f"{spec} is a directory: type the path of a CSV file")
            return
        self.dismiss(spec)

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        self._error("")

    def action_cancel(self) -> None:
        self.dismiss(None)
