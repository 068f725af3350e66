"""The base of gdstep's dialogs: a modal screen that closes once."""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal screen that is dismissed at most once, and only while it is the top screen;
    centred, with its content in a bordered box of class `box` where it has one.

    Keys typed in a burst can reach a dialog after it has closed (two Enters on the open
    dialog's list both select the sample, one message each). Textual's `dismiss` pops the
    top screen whatever it is: a second dismissal popped the screen under the dialog, or
    raised ScreenStackError on the main screen. Here it does nothing."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > .box {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)
