"""The app survives what a user (or a terminal) can throw at it: keys in bursts, floods of
random keys over the main screen and the dialogs, the command palette, odd escape sequences."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual import events
from textual._xterm_parser import XTermParser
from textual.widgets import Footer

from tests.helpers import until, until_steady
from tests.test_app import make_app, settle
from tui import data
from tui.app import GdstepApp
from tui.app.screens.help_screen import HelpScreen
from tui.app.screens.number_dialog import NumberDialog
from tui.app.textual_adapter import guard_input_parser
from tui.app.widgets.point_table import HEADER_HEIGHT
from tui.config import make_config

SIZE = (120, 40)

NAMED = {
    "+": "plus",
    "-": "minus",
    ".": "full_stop",
    "?": "question_mark",
    " ": "space",
    "\r": "enter",
    "\x1b": "escape",
    "\t": "tab",
    "/": "slash",
    "_": "underscore",
}
"""Textual's key names for the characters that are not their own name."""

FLOOD_KEYS = [
    *"nbsgcertolBWExSdy",
    *"01259",
    *"+-.? \r\x1b\t",
    "backspace",
    "up",
    "down",
    "pageup",
    "pagedown",
    "home",
    "end",
    "left",
    "right",
    "shift+left",
    "ctrl+down",
]
"""Every key of the main screen and the dialogs but q (it quits) and ctrl+p (the palette can
save a screenshot); no `/` or `~`, so that a typed path stays in the test's directory."""

PAUSE = "pause"
"""In a flood: let the app catch up before the next keys."""


def key_event(key: str) -> events.Key:
    """The Key event a terminal sends for `key` (a character or a key name)."""
    if len(key) == 1:
        return events.Key(NAMED.get(key, key), key)
    return events.Key(key, None)


def state(app: GdstepApp) -> tuple:  # type: ignore[type-arg]
    """What a key can change: the screens, the step, the run, the data set, the focus."""
    s = app.session
    screens = tuple(id(screen) for screen in app.screen_stack)
    return screens, s.t, s.last, s.lr(), app.running, app.dataset.name, id(app.focused)


async def flood(keys: list[str]) -> None:
    """Send `keys` to a fresh app in bursts (all at once between PAUSEs) and check that it
    is still running, without an error, once they have all played out."""
    app = make_app()
    app.max_steps = 3000  # c runs are short
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            if key == PAUSE:
                await pilot.pause()  # what was sent so far is handled
            else:
                app.post_message(key_event(key))
        await until_steady(pilot, lambda: state(app))
        await settle(pilot)
        assert app.is_running and app._exception is None
        assert app.screen_stack[0].is_attached
    assert app._exception is None


@settings(
    max_examples=20,  # and the 4 examples below: each a fresh app, ~0.4 s
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(keys=st.lists(st.sampled_from([*FLOOD_KEYS, PAUSE]), max_size=40))
@example(keys=["o", "\r", "\r"])  # the sample chosen twice: the dialog was dismissed twice
@example(keys=["x", "\r", "\r", "\r", "x", "\r", "\r"])
@example(keys=["S", "\r", PAUSE, "S", "\r", "\r", "\r"])
@example(  # a flood that found the same crash through g and x
    keys=[*"-1n?", "pageup", "l", "S", "\x1b", "g", "up", ".", "x", "\r", "down", "-\r-n"]
)
def test_a_key_flood_never_crashes(keys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what x and S write, o reads, stays here
    asyncio.run(flood(keys))


# ---- a dialog closes once ------------------------------------------------------------------


async def test_o_enter_enter_in_one_burst_opens_the_sample():
    app = make_app("plateau")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ["o", "\r", "\r"]:  # both Enters reach the list: it selects twice
            app.post_message(key_event(key))
        await until(pilot, lambda: app.dataset.name == "seed" and len(app.screen_stack) == 1)
        await settle(pilot)  # both Enters were handled before the data set could open
        assert app.dataset.name == "seed" and len(app.screen_stack) == 1


async def test_a_dialog_dismissed_again_leaves_the_screens_under_it():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        number = NumberDialog("Go to step", 0, integer=True)
        app.push_screen(number)
        help_screen = HelpScreen()
        app.push_screen(help_screen)
        await pilot.pause()
        number.dismiss(5)  # not the top screen: Textual's dismiss popped the help screen
        assert app.screen is help_screen
        help_screen.dismiss()
        help_screen.dismiss()  # a second time: Textual's popped the dialog under it
        await pilot.pause()
        assert app.screen is number
        number.dismiss(5)
        number.dismiss(5)  # a second time on the main screen: ScreenStackError
        await pilot.pause()
        assert len(app.screen_stack) == 1 and app.session.t == 0


# ---- Textual's crashes: the command palette, the input parser -------------------------------


@pytest.mark.parametrize("page", ["pageup", "pagedown"])
async def test_a_page_key_right_after_ctrl_p_is_harmless(page):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ["ctrl+p", page, page]:  # before the palette's list is laid out
            app.post_message(key_event(key))
        await until(pilot, lambda: app.screen.has_class("--textual-command-palette"))
        await settle(pilot)
        assert app.screen.has_class("--textual-command-palette")
        await pilot.press(page, "escape")  # laid out now: the page keys work as Textual's
        await pilot.pause()
        assert len(app.screen_stack) == 1


@pytest.mark.parametrize(
    "sequence",
    [
        "\x1b[1:2u",  # a kitty key with its shifted key: `:` in the code point
        "\x1b[97;1:1u",  # ... with the event type after the modifiers
        "\x1b[99999999u",  # beyond Unicode
        "\x1b[40188325019373A",  # beyond a C int
    ],
)
def test_the_input_parser_drops_a_sequence_it_cannot_read(sequence):
    guard_input_parser()
    parser = XTermParser()
    tokens = list(parser.feed(sequence + "n"))
    assert [(t.key, t.character) for t in tokens] == [("n", "n")]


def test_the_app_guards_the_input_parser(monkeypatch):
    parse = XTermParser._parse_extended_key
    if getattr(parse, "guarded", False):  # put back Textual's, for this test
        monkeypatch.setattr(XTermParser, "_parse_extended_key", parse.__wrapped__)
    with pytest.raises(ValueError):
        list(XTermParser().feed("\x1b[1:2u"))
    make_app()  # picks its driver class: the guard goes on
    assert [t.key for t in XTermParser().feed("\x1b[1:2un")] == ["n"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["\x1b[", "\x1b[<", "\x1b[?", "\x1bO", "\x1b", ""]),
            st.text(alphabet="0123456789;:-$", max_size=12),
            st.sampled_from([*"u~ABCDEFHPQRSmMtyn", ""]),
        ),
        max_size=4,
    )
)
def test_the_input_parser_never_raises(parts):
    guard_input_parser()
    parser = XTermParser()
    tokens = list(parser.feed("".join(a + b + c for a, b, c in parts)))
    assert all(isinstance(token, events.Event) for token in tokens)


# ---- the footer after a resize ---------------------------------------------------------------


def footer_keys(app: GdstepApp) -> list[str]:
    return [key.description for key in app.query_one(Footer).query("FooterKey")]


async def test_the_full_footer_comes_back_in_a_larger_window():
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert footer_keys(app) == ["Help", "Quit", "palette"]
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert {"Step", "Back", "Reset", "Open", "Help", "Quit"} <= set(footer_keys(app))
        await pilot.resize_terminal(50, 40)
        await settle(pilot)
        assert footer_keys(app) == ["Help", "Quit", "palette"]


# ---- step into: the highlighted row on screen ------------------------------------------------


@pytest.mark.parametrize("size", [(120, 40), (160, 50), (120, 30), (100, 24)])
async def test_step_into_keeps_the_highlighted_row_on_screen(size):
    dataset = data.load("iris")
    given = {"optimizer": "minibatch", "batch_size": "7"}
    config, _ = make_config(dataset, given, shuffle=True, seed="5")
    app = GdstepApp(dataset, config)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("g", "2", "5", "enter")
        await until(pilot, lambda: app.session.t == 25 and not app.running)
        await settle(pilot)
        table = app.point_table
        for row in app.session.batch_rows().tolist():
            await pilot.press("s")
            await settle(pilot)
            assert table.highlighted == row
            body = table.scrollable_content_region
            y = body.y + HEADER_HEIGHT + row - table.scroll_offset.y  # on the screen
            assert body.y + HEADER_HEIGHT <= y < body.bottom
            assert app.get_widget_at(body.x + 2, y)[0] is table  # not under another panel


# ---- a path typed right after o --------------------------------------------------------------


@pytest.mark.parametrize("bursts", [(1, 1), (1, 2), (2,), ()])
async def test_a_path_typed_after_o_keeps_every_character(tmp_path, bursts):
    """`o/path⏎` sent in bursts: `o`, the first character(s), the rest (() : key by key)."""
    own = tmp_path / "own.csv"
    own.write_text("x,y\n0,0\n1,1\n")
    app = make_app()
    keys = ["o", *str(own), "\r"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cuts = [0]
        for size in bursts or [1] * len(keys):
            cuts.append(cuts[-1] + size)
        cuts.append(len(keys))
        for start, end in zip(cuts, cuts[1:], strict=False):
            for key in keys[start:end]:
                app.post_message(key_event(key))
            await pilot.pause()
        await until(pilot, lambda: app.dataset.path == own and len(app.screen_stack) == 1)
        await settle(pilot)
        assert app.dataset.path == own and len(app.screen_stack) == 1
