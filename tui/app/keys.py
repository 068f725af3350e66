"""Keys in bursts: the keys typed with a dialog key reach the dialog, n presses faster than
the screen are taken in one engine call, and Textual's input is guarded (every trick with
Textual's key handling lives here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from textual import events
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode
    from textual.driver import Driver


class KeyBursts:
    """The app's key handling beyond plain bindings (a mixin of GdstepApp)."""

    def open_dialog(self, screen: Screen, callback: Callable | None = None) -> None:
        """Push a dialog. Keys that come before it is ready (typed in the same instant as
        the key that opened it: `g500⏎`) are held and then given to it, in order."""
        self._early_keys = []
        self.push_screen(screen, callback)
        self.call_after_refresh(self._replay_early_keys)

    def _replay_early_keys(self) -> None:
        keys, self._early_keys = self._early_keys or [], None
        for key in keys:
            self.post_message(events.Key(key.key, key.character))

    async def on_event(self, event: events.Event) -> None:
        if (
            self._early_keys is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
        ):
            self._early_keys.append(event)
            return
        await super().on_event(event)

    async def on_key(self, event: events.Key) -> None:
        """A main-screen key that reaches the app the long way, up from a dialog that closed
        after the key was sent to it (`? q n`: the n was sent to the help screen), runs now."""
        from tui.app.textual_adapter import bindings_for

        if len(self.screen_stack) > 1:
            return
        for binding in bindings_for(self, event.key):
            action, params = binding.action.split("(")[0], ()
            if binding.priority and self.check_action(action, params):
                event.stop()
                await self.run_action(binding.action)
                return

    def action_step(self) -> None:
        """One update. Presses that come faster than the screen refreshes are taken in one
        engine call before the next refresh or the next other key (`take_steps`)."""
        self.stop_run()
        self._steps_due += 1
        self.refresh_views()

    def take_steps(self) -> None:
        """The updates of the `n` presses not yet made, in one call."""
        from tui.app.runs import memory_limit_text

        due, self._steps_due = self._steps_due, 0
        if not due:
            return
        if self.comparing:
            self._take_race_steps(due)
            return
        session = self.session
        if session.diverged and session.t == session.last:
            self.notify_divergence()
            return
        room = min(self.max_steps, session.limit) - session.t
        session.step(min(due, max(room, 0)))
        if session.diverged and session.t == session.last:
            self.notify_divergence()
        elif due > room and session.limit < self.max_steps:
            self.notify(memory_limit_text(session), title="Memory limit", timeout=6)
        elif due > room:
            self.notify(f"At the step limit, {self.max_steps:,} (--max-steps).", timeout=3)

    def _take_race_steps(self, due: int) -> None:
        """Compare mode's n: every run `due` steps on; a run that stops short says so."""
        race = self.race
        before = [race.stopped(i) for i in range(len(race.runners))]
        room = self.max_steps - race.t
        if race.step(min(due, max(room, 0))) < min(due, room):
            self.notify("Every run has stopped (see the runs panel): b steps back.", timeout=4)
        self.notify_runs_stopped(before)
        if due > room:
            self.notify(f"At the step limit, {self.max_steps:,} (--max-steps).", timeout=3)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        if action != "step":
            self.take_steps()  # the n presses before this key come first
        return await super().run_action(action, default_namespace, namespaces)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, its input parser made to drop what it cannot read."""
        from tui.app.textual_adapter import guard_input_parser

        guard_input_parser()
        return super().get_driver_class()

    def action_command_palette(self) -> None:
        """Textual's command palette, with its page keys safe before it is laid out."""
        from tui.app.textual_adapter import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))
