"""Workarounds for two crashes in Textual (8.2.8) that a user can trigger from the keyboard.

Both are Textual's bugs (see README, Known issues); each workaround is as narrow as the bug:

- `CommandPalette`: PgUp or PgDn typed right after ctrl+p, before the palette's list has been
  laid out, raised KeyError in `OptionList._move_page` (its line map is built at layout).
- `guard_input_parser`: an escape sequence of the kitty keyboard form with `:` in a number
  (`ESC [ 1 : 2 u`), or a code point beyond Unicode (`ESC [ 99999999 u`), raised ValueError or
  OverflowError in `XTermParser._parse_extended_key`, in the driver's input thread: the app
  died. Such a sequence is now dropped, and the keys after it arrive as usual.
"""

from __future__ import annotations

from functools import wraps

from textual import command, events
from textual._xterm_parser import XTermParser
from textual.command import CommandList
from textual.keys import Keys


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
