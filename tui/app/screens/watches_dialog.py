"""The watches dialog: expressions whose values the watch panel shows at every step."""

from __future__ import annotations

from rich.text import Text

from tui.app.screens.breakpoints_dialog import ExpressionListDialog
from tui.expressions import Expression


class WatchesDialog(ExpressionListDialog[Expression]):
    """Edit the watches: add (parsed with `parse(text, d)`; an error keeps the dialog open and
    shows the message with its caret line), delete. Escape or Done dismisses with the edited
    list (never None)."""

    TITLE = "Watches: expressions shown at every step"
    PLURAL = "watches"
    TOGGLES = False
    PLACEHOLDER = "e.g. dloss, or grad_norm / loss"

    def __init__(self, watches: list[Expression], d: int) -> None:
        super().__init__(watches, d)

    def _expression(self, item: Expression) -> Expression:
        return item

    def _new(self, expression: Expression) -> Expression:
        return expression

    def _prompt(self, item: Expression) -> Text:
        return Text(item.text)
