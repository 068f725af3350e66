"""A text input that keeps the keys of a burst in the order they were typed."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

VERDICT = 0.05
"""Seconds the keys typed after Enter wait for the dialog to accept (and close) or refuse."""


class Field(Input):
    """An Input that keeps a burst of keys in order (`g 1 2 ⌫ 3 ⏎ n n`, typed fast or sent by
    a script):

    - it runs its own bindings (Backspace, arrows, Home, End, ctrl+k, Enter …) as each key
      arrives. Textual's Input inserts a printable key at once but runs a binding only after
      the key has gone up to the app and back, so the characters overtook the edits;
    - keys that come after Enter wait until the dialog has accepted the text (and closed: they
      go to the app) or refused it (they go on editing the field)."""

    _held: list[events.Key] | None = None

    async def _on_key(self, event: events.Key) -> None:
        if self._held is not None or not self._in_open_dialog():
            event.stop()
            event.prevent_default()
            if self._held is not None:
                self._held.append(event)
            else:  # the dialog has closed: the key is for what is under it
                self.app.post_message(events.Key(event.key, event.character))
            return
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    if binding.action == "submit":
                        self._held = []
                        self.app.set_timer(VERDICT, self._release)
                    return
        await super()._on_key(event)

    def _release(self) -> None:
        keys, self._held = self._held or [], None
        target = self if self._in_open_dialog() else self.app
        for key in keys:
            target.post_message(events.Key(key.key, key.character))

    def _in_open_dialog(self) -> bool:
        return self.is_attached and self.screen is self.app.screen
