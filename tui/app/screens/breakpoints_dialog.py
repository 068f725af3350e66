"""Dialogs that edit a list of expressions: the breakpoints (toggle, add, delete) and, through
the same base class, the watches (tui.app.screens.watches_dialog).

Escape closes the dialog and returns the edited list: every change made in it is kept."""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.widgets import Button, Input, OptionList, Static

from tui.app.screens.dialog import Dialog
from tui.app.widgets.field import Field
from tui.expressions import Breakpoint, Expression, ExpressionError, names_line, parse

_Item = TypeVar("_Item")


class _ExpressionList(OptionList):
    """The list of the dialog: its keys act on the highlighted entry (they only work while the
    list has the focus, so the same letters can be typed in the input box)."""

    BINDINGS = [
        Binding("space,t", "screen.toggle", "Toggle", show=False),
        Binding("delete,d", "screen.delete", "Delete", show=False),
    ]


class ExpressionListDialog(Dialog[list[_Item] | None]):
    """A list of expressions with an input box to add one. Subclasses say what an entry is
    (`_expression`, `_new`, `_prompt`) and whether entries can be switched on and off."""

    DEFAULT_CSS = """
    ExpressionListDialog #entries { height: auto; max-height: 12; }
    ExpressionListDialog #empty { color: $text-muted; }
    ExpressionListDialog #error { color: $error; width: 100%; height: auto; display: none; }
    ExpressionListDialog #caret-box {
        height: auto; max-height: 4; overflow-x: auto; overflow-y: hidden; display: none;
    }
    ExpressionListDialog #caret { width: auto; color: $error; text-wrap: nowrap; }
    ExpressionListDialog #error.-shown, ExpressionListDialog #caret-box.-shown { display: block; }
    ExpressionListDialog .hint { color: $text-muted; height: auto; }
    ExpressionListDialog #buttons { height: auto; align-horizontal: right; }
    """
    BINDINGS = [Binding("escape", "close", "Close", tooltip="Close, keeping the changes")]
    AUTO_FOCUS = "#expression"
    CHROME = 16
    """Screen lines the dialog needs besides the list: border, box, error, hints, button."""

    TITLE = "Expressions"
    PLURAL = "expressions"
    TOGGLES = False
    PLACEHOLDER = "e.g. loss < 1e-3 and step > 10"
    """Whether space / t switches the highlighted entry on and off."""

    def __init__(self, items: list[_Item], d: int) -> None:
        super().__init__()
        self.items: list[_Item] = list(items)
        self.d = d

    # ---- what an entry is (the subclasses) ---------------------------------------------------
    def _expression(self, item: _Item) -> Expression:
        raise NotImplementedError

    def _new(self, expression: Expression) -> _Item:
        raise NotImplementedError

    def _prompt(self, item: _Item) -> Text:
        return Text(self._expression(item).text)

    def _toggled(self, item: _Item) -> _Item:
        return item

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        keys = "Space/t: on/off   " if self.TOGGLES else ""
        with Vertical(id="dialog", classes="box") as box:
            box.border_title = self.TITLE
            entries = _ExpressionList(id="entries")
            entries.border_title = f"{self.PLURAL} (Tab: list / input)"
            yield entries
            yield Static(f"no {self.PLURAL} yet", id="empty")
            yield Field(placeholder=self.PLACEHOLDER, id="expression")
            yield Static("", id="error")
            with ScrollableContainer(id="caret-box", can_focus=False):
                yield Static("", id="caret")
            yield Static(f"names: {names_line(self.d)}", classes="hint", id="names")
            yield Static(
                "operators: + - * /  abs(x)  < <= > >= == !=  and or not  ( )",
                classes="hint",
            )
            yield Static(
                f"Enter: add   {keys}Del/d: delete   Escape: close (the changes are kept)",
                classes="hint",
                id="keys",
            )
            with Vertical(id="buttons"):
                done = Button("Done", id="done", compact=True)
                done.can_focus = False  # Tab goes between the list and the box; Escape = Done
                yield done

    def on_mount(self) -> None:
        self._refill(0)
        self._fit(self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, screen_height: int) -> None:
        """Shrink the list (it scrolls) so that the input box and the hints stay on screen."""
        self.query_one("#entries").styles.max_height = min(12, max(3, screen_height - self.CHROME))

    def _refill(self, highlighted: int | None) -> None:
        entries = self.query_one("#entries", _ExpressionList)
        entries.clear_options()
        entries.add_options(self._prompt(item) for item in self.items)
        if self.items and highlighted is not None:
            entries.highlighted = max(0, min(highlighted, len(self.items) - 1))
        entries.display = bool(self.items)
        self.query_one("#empty").display = not self.items

    def _error(self, error: str, column: int | None = None) -> None:
        """Show `error`: its first line wraps, the lines after it (the text and the carets
        under it) stay whole and scroll sideways, starting near `column`, if too wide."""
        head, _, rest = error.partition("\n")
        message = self.query_one("#error", Static)
        message.update(Text(head))
        message.set_class(bool(head), "-shown")
        self.query_one("#caret", Static).update(Text(rest))
        box = self.query_one("#caret-box", ScrollableContainer)
        box.set_class(bool(rest), "-shown")
        x = max(0, (column or 0) - 20)
        box.call_after_refresh(box.scroll_to, x=x, y=0, animate=False)

    # ---- adding ------------------------------------------------------------------------------
    @on(Input.Changed, "#expression")
    def _changed(self) -> None:
        self._error("")

    @on(Input.Submitted, "#expression")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            expression = parse(event.value, self.d)
        except ExpressionError as error:
            self._error(str(error), error.start)
            self.app.bell()
            return
        if any(self._expression(item).text == expression.text for item in self.items):
            self._error(f"already in the list: {expression.text}")
            return
        self.items.append(self._new(expression))
        self._refill(len(self.items) - 1)
        event.input.value = ""
        self._error("")

    # ---- the list keys -----------------------------------------------------------------------
    def _highlighted(self) -> int | None:
        index = self.query_one("#entries", _ExpressionList).highlighted
        return index if index is not None and 0 <= index < len(self.items) else None

    def action_toggle(self) -> None:
        index = self._highlighted()
        if self.TOGGLES and index is not None:
            self.items[index] = self._toggled(self.items[index])
            self._refill(index)

    def action_delete(self) -> None:
        index = self._highlighted()
        if index is not None:
            del self.items[index]
            self._refill(index)
            if not self.items:
                self.query_one("#expression", Input).focus()

    # ---- closing -----------------------------------------------------------------------------
    @on(Button.Pressed, "#done")
    def _done(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_close(self) -> None:
        self.dismiss(list(self.items))


class BreakpointsDialog(ExpressionListDialog[Breakpoint]):
    """Edit the breakpoints: add (parsed with `parse(text, d)`; an error keeps the dialog open
    and shows the message with its caret line), switch on/off, delete. Escape or Done
    dismisses with the edited list (never None)."""

    TITLE = "Breakpoints: stop when an expression holds"
    PLURAL = "breakpoints"
    TOGGLES = True

    def __init__(self, breakpoints: list[Breakpoint], d: int) -> None:
        super().__init__(breakpoints, d)

    def _expression(self, item: Breakpoint) -> Expression:
        return item.expression

    def _new(self, expression: Expression) -> Breakpoint:
        return Breakpoint(expression)

    def _prompt(self, item: Breakpoint) -> Text:
        if item.enabled:
            return Text.assemble(("[x] ", "bold"), item.expression.text)
        return Text(f"[ ] {item.expression.text}", style="dim")

    def _toggled(self, item: Breakpoint) -> Breakpoint:
        return item.toggled()
