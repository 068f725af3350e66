"""The help screen: every key binding of the screen below it, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.screens.dialog import Dialog


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


class HelpScreen(Dialog[None]):
    """The keys, as a table; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #help {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", key_display="?", show=False),
        # Scrolling that takes every key of a burst (VerticalScroll's own defers each scroll).
        Binding("down", "scroll_by(1)", "Down", show=False),
        Binding("up", "scroll_by(-1)", "Up", show=False),
        Binding("pagedown", "scroll_by(0, 1)", "Page down", show=False),
        Binding("pageup", "scroll_by(0, -1)", "Page up", show=False),
        Binding("home", "scroll_by(0, -1000000)", "Top", show=False),
        Binding("end", "scroll_by(0, 1000000)", "Bottom", show=False),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, padding=(0, 2), show_edge=False)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action", style="bold", no_wrap=True)
        table.add_column("what it does", ratio=1)
        for keys, description, tooltip in binding_rows(self.app, self._screen_below()):
            table.add_row(Text(keys), Text(description), Text(tooltip))
        with VerticalScroll(id="help", can_focus=False) as box:
            box.border_title = "Keys"
            box.border_subtitle = "escape, q or ? closes"
            yield Static(table, id="keys")

    def _screen_below(self) -> Screen:
        stack = self.app.screen_stack
        index = stack.index(self) if self in stack else len(stack)
        return stack[index - 1] if index > 0 else self

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_by(self, lines: int, pages: int = 0) -> None:
        box = self.query_one("#help", VerticalScroll)
        y = box.scroll_y + lines + pages * box.scrollable_content_region.height
        box.scroll_to(y=y, animate=False, immediate=True)
