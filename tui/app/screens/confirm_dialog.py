"""A small dialog that asks before something is lost: one line of text, a key per answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from tui.app.screens.dialog import Dialog

T = TypeVar("T")


@dataclass(frozen=True)
class Choice(Generic[T]):
    """An answer: the keys that give it (Textual key names), what it does, its result."""

    keys: tuple[str, ...]
    label: str
    result: T


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 step`, `1,234 steps`, `2 η changes`."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def listed(parts: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def history_text(steps: int, lr_changes: int, edits: int, dial_steps: int = 0) -> str:
    """What a history holds, e.g. `1,234 steps and 2 η changes` (the counts that are not 0;
    `nothing` when all are); `dial_steps` are the steps taken with the direction dial."""
    counts = ((steps, "step"), (lr_changes, "η change"), (edits, "edit"), (dial_steps, "dial step"))
    parts = [counted(count, noun) for count, noun in counts if count]
    return listed(parts) if parts else "nothing"


def key_name(key: str) -> str:
    """How a key is written in the dialog: `Enter`, `Escape`, `y`."""
    return key.capitalize() if len(key) > 1 else key


class ConfirmDialog(Dialog[T]):
    """`message`, then the keys of each choice (`Enter/y: reset   Escape/n: cancel`).
    Dismisses with the result of the choice whose key is pressed: the first choice takes
    Enter as well, the last (cancel) Escape. Other keys do nothing."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > #dialog {
        width: auto; min-width: 40; max-width: 90%; height: auto;
        border: round $warning; background: $surface; padding: 0 1;
    }
    ConfirmDialog #message { width: auto; max-width: 100%; }
    ConfirmDialog #keys { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, message: str, choices: list[Choice[T]]) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        first, *middle, last = choices
        self.choices = [
            Choice(("enter", *first.keys), first.label, first.result),
            *middle,
            Choice(("escape", *last.keys), last.label, last.result),
        ]

    def compose(self) -> ComposeResult:
        keys = "   ".join(
            f"{'/'.join(key_name(key) for key in choice.keys)}: {choice.label}"
            for choice in self.choices
        )
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            yield Static(Text(self.message), id="message")
            yield Label(Text(keys), id="keys")

    def on_key(self, event: events.Key) -> None:
        if not self.is_active:
            return  # closed already: the key goes on to the screen under it
        event.stop()
        event.prevent_default()
        for choice in self.choices:
            if event.key in choice.keys:
                self.dismiss(choice.result)
                return
