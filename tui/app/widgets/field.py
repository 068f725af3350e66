"""A text input that keeps the keys of a burst in the order they were typed."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tui.app.textual_adapter import KeyFirstInput, bindings_for, when_screen_decides


class Field(KeyFirstInput):
    """An Input that keeps a burst of keys in order (`g 1 2 ⌫ 3 ⏎ n n`, typed fast or sent by
    a script):

    - it runs its own bindings (Backspace, arrows, Home, End, ctrl+k, Enter …) as each key
      arrives. Textual's Input inserts a printable key at once but runs a binding only after
      the key has gone up to the app and back, so the characters overtook the edits;
    - keys that come after Enter are held until the dialog has handled the text: accepted it
      (and closed: they go to the app, in order) or refused it (they go on editing the field,
      in order, before any key that comes later)."""

    _held: list[events.Key] | None = None
    """The keys since Enter, while the dialog has not yet decided (None: not holding)."""

    async def key_first(self, event: events.Key) -> bool:
        if self._held is not None or not self._in_open_dialog():
            event.stop()
            event.prevent_default()
            if self._held is not None:
                self._held.append(event)
            else:  # the dialog has closed: the key is for what is under it
                self.app.post_message(events.Key(event.key, event.character))
            return True
        if event.is_printable:
            return False
        for binding in bindings_for(self, event.key):
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                if binding.action == "submit":
                    self._held = []
                    when_screen_decides(self, Input.Submitted, self._verdict)
                return True
        return False

    def _verdict(self) -> None:
        """The dialog has handled the text (called in the dialog's task, before it handles
        anything else). Closed: the held keys go to the app now, ahead of any key typed later.
        Still open: they go to this field from its own queue (`_edit`), so that a key which
        reached the field while the dialog decided is held behind them."""
        if self._in_open_dialog():
            self.call_later(self._edit)
        else:
            self._send_held_to_app()

    async def _edit(self) -> None:
        """Handle the held keys here and now, in order, as if they had just arrived (an Enter
        among them holds those after it); a key queued meanwhile comes after them."""
        if not self._in_open_dialog():  # closed meanwhile: the keys are for what is under it
            self._send_held_to_app()
            return
        keys, self._held = self._held or [], None
        for key in keys:
            await self.on_event(events.Key(key.key, key.character))

    def _send_held_to_app(self) -> None:
        keys, self._held = self._held or [], None
        for key in keys:
            self.app.post_message(events.Key(key.key, key.character))

    def _in_open_dialog(self) -> bool:
        return self.is_attached and self.screen is self.app.screen
