"""Every use of Textual's private API in gdstep, behind small named functions.

Checked against Textual 8.2.8 (pyproject: `textual>=8.2.8,<9`; README, "Dependency
versions"). The input-parser workaround is what sets the floor: Textual 8.2.7's
`XTermParser._parse_extended_key` returns one Key, not a list, and 8.2.6 and older have no
such method. A new Textual may rename any of the names below; the test suite shows which.

What gdstep needs that Textual has no public API for:

- `bindings_for`: the bindings of one widget for one key (`DOMNode._bindings`). The public
  `Screen.active_bindings` merges the whole focus chain, one binding a key.
- `KeyFirstInput`: an Input whose subclass sees each key before Input's own key handler
  (`Input._on_key`, which inserts a printable key at once).
- `when_screen_decides`: the moment the screen of a widget has handled a message the widget
  posted, or has stopped being the active screen (`MessagePump.message_signal`, a public
  attribute that Textual does not document, and `App.screen_change_signal`).
- two workarounds for Textual crashes a user can trigger from the keyboard (README, Known
  issues); each is as narrow as the bug:
  - `CommandPalette`: PgUp or PgDn typed right after ctrl+p, before the palette's list has
    been laid out, raised KeyError in `OptionList._move_page` (its line map is built at
    layout). Overrides `CommandPalette._action_command_list`.
  - `guard_input_parser`: an escape sequence of the kitty keyboard form with `:` in a number
    (`ESC [ 1 : 2 u`), or a code point beyond Unicode (`ESC [ 99999999 u`), raised ValueError
    or OverflowError in `XTermParser._parse_extended_key`, in the driver's input thread: the
    app died. Such a sequence is now dropped, and the keys after it arrive as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from textual import command, events
from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.command import CommandList
from textual.dom import DOMNode
from textual.keys import Keys
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input


def bindings_for(node: DOMNode, key: str) -> list[Binding]:
    """The bindings of `node` itself (its BINDINGS and its classes') for `key`, in order."""
    return list(node._bindings.key_to_bindings.get(key, ()))


class KeyFirstInput(Input):
    """An Input that offers each key to `key_first` before its own handling."""

    async def key_first(self, event: events.Key) -> bool:
        """Handle the key before the Input does; True when handled (the Input then does
        nothing with it). Subclasses override this."""
        return False

    async def _on_key(self, event: events.Key) -> None:
        if not await self.key_first(event):
            await super()._on_key(event)


def when_screen_decides(
    widget: Widget, message: type[Message], decided: Callable[[], None]
) -> None:
    """Call `decided` once, as soon as either the screen of `widget` has handled the
    `message` (of that type, from `widget`) that `widget` has posted, or another screen has
    become the active one (the screen closed, or opened another on top of it).

    Both are exact: Textual publishes a screen's `message_signal` right after the screen's
    handlers for the message have returned (a bubbling message reaches the screen after the
    widget and its containers), and `screen_change_signal` at the moment the screen stack
    changes; both call `decided` in that task, before any other message is handled. The
    message must reach the screen: no container between the widget and the screen stops it.
    """
    screen, app = widget.screen, widget.app
    pending = True

    def decide(_: object = None) -> None:
        nonlocal pending
        if pending:
            pending = False
            screen.message_signal.unsubscribe(widget)
            app.screen_change_signal.unsubscribe(widget)
            decided()

    def handled(handled_message: Message) -> None:
        if isinstance(handled_message, message) and handled_message.control is widget:
            decide()

    screen.message_signal.subscribe(widget, handled, immediate=True)
    app.screen_change_signal.subscribe(widget, decide, immediate=True)


class CommandPalette(command.CommandPalette):
    """Textual's command palette; PgUp and PgDn do nothing until its list has a size."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            if not commands.scrollable_content_region:  # not laid out yet: no pages
                return
        super()._action_command_list(action)


def guard_input_parser() -> None:
    """Make the terminal input parser drop the escape sequences it cannot read, instead of
    raising in the input thread. Idempotent."""
    parse = XTermParser._parse_extended_key
    if getattr(parse, "guarded", False):
        return

    @wraps(parse)
    def parse_extended_key(self: XTermParser, sequence: str) -> list[events.Key] | None:
        try:
            return parse(self, sequence)
        except (ValueError, OverflowError):
            return [events.Key(Keys.Ignore, sequence)]  # the parser drops an Ignore key

    parse_extended_key.guarded = True  # type: ignore[attr-defined]
    XTermParser._parse_extended_key = parse_extended_key  # type: ignore[method-assign]
