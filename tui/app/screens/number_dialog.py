"""A dialog for one number (η, the step to go to): Enter accepts only a valid one."""

from __future__ import annotations

import math

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui.app.screens.dialog import Dialog
from tui.app.widgets.field import Field
from tui.config import whole_number
from tui.format import MINUS, num, num_exact

_MAX_SHOWN = 24
"""Longest input text quoted back in an error message."""


def _show(text: str) -> str:
    text = text.strip()
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return repr(text)


def parse_number(
    text: str,
    integer: bool = False,
    minimum: float | None = None,
    exclusive_minimum: bool = False,
    maximum: float | None = None,
) -> float | int:
    """The number in `text` by Python's float() rules (when `integer`, a whole number, which
    may also be written 10^6 or 1e30 and is read exactly), finite and in range; raises
    ValueError (and nothing else) with a message that names the problem. The minus sign the
    screen writes (U+2212) reads as `-`, so a number copied from a panel works."""
    text = text.replace(MINUS, "-")
    if not text.strip():
        raise ValueError("type a number")
    whole = whole_number(text) if integer else None  # 10^6, 1e30: exactly, as integers
    value: float | int = whole if whole is not None else _finite(text)
    if integer and whole is None:
        if not float(value).is_integer():
            raise ValueError(f"not a whole number: {_show(text)}")
        value = int(value)
    if minimum is not None:
        if exclusive_minimum and not value > minimum:
            raise ValueError(f"must be > {num(minimum)}")
        if not exclusive_minimum and not value >= minimum:
            raise ValueError(f"must be ≥ {num(minimum)}")
    if maximum is not None and not value <= maximum:
        raise ValueError(f"must be ≤ {num(maximum)}")
    return value


def _finite(text: str) -> float:
    """The finite double `text` writes, or ValueError naming what is wrong with it."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number: {_show(text)}") from None
    mantissa = text.strip().lower().split("e")[0]
    if value == 0 and any(digit in mantissa for digit in "123456789"):
        raise ValueError(f"too small: {_show(text)} is 0 as a double")
    if math.isinf(value) and text.strip().lstrip("+-").lower() not in ("inf", "infinity"):
        raise ValueError(f"too large: {_show(text)}")
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {_show(text)}")
    return value


class NumberDialog(Dialog[float | None]):
    """Edit a number: dismisses with a valid number on Enter, with None on Escape."""

    DEFAULT_CSS = """
    NumberDialog { align: center middle; }
    NumberDialog > #dialog {
        width: 56; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    NumberDialog #error { color: $error; width: 100%; height: auto; }
    NumberDialog #hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without changing anything")]

    def __init__(
        self,
        title: str,
        value: float,
        *,
        integer: bool = False,
        minimum: float | None = None,
        exclusive_minimum: bool = False,
        maximum: float | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.integer = integer
        self.minimum = minimum
        self.exclusive_minimum = exclusive_minimum
        self.maximum = maximum

    def parse(self, text: str) -> float | int:
        """`parse_number` with this dialog's rules."""
        return parse_number(text, self.integer, self.minimum, self.exclusive_minimum, self.maximum)

    def compose(self) -> ComposeResult:
        shown = str(int(self.value)) if self.integer else num_exact(float(self.value))
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            yield Field(shown, id="number", select_on_focus=True)
            yield Label("", id="error")
            yield Label("Enter: accept   Escape: cancel", id="hint")

    @on(Input.Changed, "#number")
    def _changed(self) -> None:
        self.query_one("#error", Label).update("")

    @on(Input.Submitted, "#number")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self.parse(event.value)
        except ValueError as error:
            self.query_one("#error", Label).update(Text(str(error)))
            self.app.bell()
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
