"""A box of text over the main screen that scrolls with every key of a burst and closes with
escape, q or its own key: the base of the help and the units screens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from tui.app.screens.dialog import Dialog


class InfoScreen(Dialog[None]):
    """Subclasses give `BOX_TITLE`, `body`, and the key that opened them as a binding to
    "close" of their own (Textual adds a subclass's BINDINGS to these), named in `CLOSES`."""

    BOX_TITLE = ""
    CLOSES = "escape or q closes"
    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
        # Scrolling that takes every key of a burst (VerticalScroll's own defers each scroll).
        Binding("down", "scroll_by(1)", "Down", show=False),
        Binding("up", "scroll_by(-1)", "Up", show=False),
        Binding("pagedown", "scroll_by(0, 1)", "Page down", show=False),
        Binding("pageup", "scroll_by(0, -1)", "Page up", show=False),
        Binding("home", "scroll_by(0, -1000000)", "Top", show=False),
        Binding("end", "scroll_by(0, 1000000)", "Bottom", show=False),
    ]

    def body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box", classes="box", can_focus=False) as box:
            box.border_title = self.BOX_TITLE
            box.border_subtitle = self.CLOSES
            yield from self.body()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_by(self, lines: int, pages: int = 0) -> None:
        box = self.query_one("#box", VerticalScroll)
        y = box.scroll_y + lines + pages * box.scrollable_content_region.height
        box.scroll_to(y=y, animate=False, immediate=True)
