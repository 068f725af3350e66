"""A text input that keeps the keys of a burst in the order they were typed."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class Field(Input):
    """An Input that runs its own key bindings (Backspace, arrows, Home, ctrl+k, Enter …) as
    each key arrives. Textual's Input inserts a printable key at once but runs a binding only
    after the key has gone up to the app and back, so in a burst (`1 2 ⌫ 3 ⏎`, typed fast or
    sent by a script) the characters overtook the edits: `13` went in as `12`."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    return
        await super()._on_key(event)
