"""The watches: one line per expression, `expression = value` at the current step."""

from __future__ import annotations

import numpy as np
from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.app.widgets.text_grid import number
from tui.engine.session import Session
from tui.expressions import Expression, Outcome, evaluate_at
from tui.format import num


def format_value(value: Outcome) -> str:
    """true / false for a truth value, else the number as every panel writes it (`num`)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return num(float(value))


class WatchPanel(Panel):
    """The watches' values at the session's step (computed by `evaluate_at`); hidden when
    there are no watches."""

    DEFAULT_CSS = """
    WatchPanel { height: auto; }
    """

    def show(self, session: Session, watches: list[Expression]) -> None:
        if self.display != bool(watches):
            self.display = bool(watches)
        if not watches:
            return
        try:
            values: list[Outcome | str] = list(evaluate_at(session, session.t, watches))
        except ValueError:
            values = [self._one(session, watch) for watch in watches]
        text = Text()
        for i, (watch, value) in enumerate(zip(watches, values, strict=True)):
            if i:
                text.append("\n")
            text.append(f"{watch.text} = ")
            if isinstance(value, str):  # a watch this data cannot have (another d)
                text.append(value, "italic red")
            else:
                text.append_text(number(format_value(value), float(value), "bold"))
        self.show_text(text)

    @staticmethod
    def _one(session: Session, watch: Expression) -> Outcome | str:
        try:
            return evaluate_at(session, session.t, [watch])[0]
        except ValueError as error:
            return f"({error})"
