"""The help screen: every key binding of the screen below it, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.app.bindings import DIAL_BINDINGS
from tui.app.screens.info_screen import InfoScreen


def binding_rows(app: App, screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, tooltip) for the bindings active on `screen` that have a
    description: the app's first, in the order of its BINDINGS, then those of the screen and
    the focused widget. Keys bound to the same action are shown together ("n / →")."""
    rows: dict[tuple[int, str], tuple[list[str], Binding]] = {}
    active = list(screen.active_bindings.values())
    for node, binding, _enabled, _tooltip in sorted(active, key=lambda a: a.node is not app):
        if not binding.description or binding.system:
            continue
        keys, _ = rows.setdefault((id(node), binding.action), ([], binding))
        key = app.get_key_display(binding)
        if key not in keys:
            keys.append(key)
    return [(" / ".join(keys), b.description, b.tooltip) for keys, b in rows.values()]


def dial_rows(app: App, listed: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The direction dial's keys when the dial is off (they are not active then), each said
    to work with the dial on."""
    shown = {description for _, description, _ in listed}
    return [
        (app.get_key_display(b), b.description, f"with the dial on (u): {b.tooltip}")
        for b in DIAL_BINDINGS
        if b.description not in shown
    ]


class HelpScreen(InfoScreen):
    """The keys, as a table; escape, q or ? closes it."""

    BOX_TITLE = "Keys"
    CLOSES = "escape, q or ? closes"
    BINDINGS = [Binding("question_mark", "close", "Close", key_display="?", show=False)]

    def body(self) -> ComposeResult:
        table = Table(box=None, expand=True, padding=(0, 2), show_edge=False)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action", style="bold", no_wrap=True)
        table.add_column("what it does", ratio=1)
        rows = binding_rows(self.app, self._screen_below())
        for keys, description, tooltip in rows + dial_rows(self.app, rows):
            table.add_row(Text(keys), Text(description), Text(tooltip))
        yield Static(table, id="keys")

    def _screen_below(self) -> Screen:
        stack = self.app.screen_stack
        index = stack.index(self) if self in stack else len(stack)
        return stack[index - 1] if index > 0 else self
