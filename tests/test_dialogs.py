"""The dialogs: η / go to step (NumberDialog), open a data set, help."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from tests.helpers import until
from tui import data
from tui.app.screens.help_screen import HelpScreen
from tui.app.screens.number_dialog import NumberDialog, parse_number
from tui.app.screens.open_dialog import OpenDialog, sample_summary

# ---- parse_number ----------------------------------------------------------------------------

ETA = {"minimum": 0.0, "exclusive_minimum": True}  # η: finite and > 0
STEP = {"integer": True, "minimum": 0}  # go to step: a whole number ≥ 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "not a number: 'abc'"),
        ("nan", "not a finite number: 'nan'"),
        ("inf", "not a finite number: 'inf'"),
        ("-Infinity", "not a finite number: '-Infinity'"),
        ("1e999", "too large: '1e999'"),
        ("-1", "must be > 0"),
        ("0", "must be > 0"),
        ("-0.0", "must be > 0"),
        ("", "type a number"),
        ("   ", "type a number"),
        ("0x10", "not a number: '0x10'"),
        ("1,5", "not a number: '1,5'"),
        ("1e-400", "too small: '1e-400' is 0 as a double"),
        ("-2.5E-999", "too small: '-2.5E-999' is 0 as a double"),
    ],
)
def test_parse_number_refuses_a_bad_eta(text: str, message: str):
    with pytest.raises(ValueError) as info:
        parse_number(text, **ETA)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.25", 0.25), ("1e-3", 0.001), (" 2 ", 2.0), ("+3.5", 3.5), ("1_000", 1000.0)],
)
def test_parse_number_accepts_a_good_eta(text: str, value: float):
    assert parse_number(text, **ETA) == value


def test_parse_number_for_steps():
    assert parse_number("7", **STEP) == 7 and isinstance(parse_number("7", **STEP), int)
    assert parse_number("0", **STEP) == 0
    assert parse_number("1e3", **STEP) == 1000  # a whole number written as a float
    assert parse_number("12345678901234567890", **STEP) == 12345678901234567890  # exact
    # powers, as the command line's step counts take them, exactly (1e30 is not the double)
    assert parse_number("10^6", **STEP) == 10**6 and parse_number("10**30", **STEP) == 10**30
    assert parse_number("1e30", **STEP) == 10**30 and parse_number("2.5e3", **STEP) == 2500
    for text, message in [
        ("1.5", "not a whole number: '1.5'"),
        ("-3", "must be ≥ 0"),
        ("nan", "not a finite number: 'nan'"),
        ("x", "not a number: 'x'"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_number(text, **STEP)
    with pytest.raises(ValueError, match="must be ≤ 10"):
        parse_number("11", integer=True, maximum=10)
    assert parse_number("10", integer=True, maximum=10) == 10


@given(
    text=st.text(),
    integer=st.booleans(),
    minimum=st.none() | st.floats(allow_nan=False),
    exclusive=st.booleans(),
    maximum=st.none() | st.floats(allow_nan=False),
)
@example(text="\ud800", integer=False, minimum=None, exclusive=False, maximum=None)
@example(text="9" * 5000, integer=True, minimum=None, exclusive=False, maximum=None)
def test_parse_number_raises_only_value_error(text, integer, minimum, exclusive, maximum):
    try:
        value = parse_number(text, integer, minimum, exclusive, maximum)
    except ValueError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert math.isfinite(value)
    assert isinstance(value, int) if integer else isinstance(value, float)
    if minimum is not None:
        assert value > minimum if exclusive else value >= minimum
    if maximum is not None:
        assert value <= maximum


@given(st.floats(min_value=0.0, exclude_min=True, allow_infinity=False))
def test_parse_number_reads_back_every_positive_float(value: float):
    assert parse_number(repr(value), **ETA) == value
    assert parse_number(f" {value!r} ", **ETA) == value


@given(st.integers(min_value=0, max_value=10**30))
def test_parse_number_reads_back_every_step(value: int):
    assert parse_number(str(value), **STEP) == value


# ---- the dialogs in a harness app ------------------------------------------------------------


class Harness(App[None]):
    """Pushes a screen and records what it was dismissed with."""

    BINDINGS = [
        Binding("n", "step", "Step", tooltip="One update: θ ← θ − η·g"),
        Binding("b,left", "back", "Back", tooltip="One update back"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def compose(self) -> ComposeResult:
        yield Static("main")

    def open(self, screen: ModalScreen) -> None:
        self.push_screen(screen, self.results.append)

    def action_step(self) -> None:
        self.results.append("step")

    def action_back(self) -> None:
        self.results.append("back")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


async def submit(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    dialog = pilot.app.screen
    dialog.query_one(Input).value = text
    await pilot.press("enter")


def error_text(app: App) -> str:
    return str(app.screen.query_one("#error", Label).render())


async def test_eta_dialog_refuses_bad_numbers_and_stays_open():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(NumberDialog("Learning rate η", 0.5, minimum=0.0, exclusive_minimum=True))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumberDialog)
        assert dialog.query_one(Input).value == "0.5"  # pre-filled with the current value
        for text, message in [
            ("abc", "not a number: 'abc'"),
            ("nan", "not a finite number: 'nan'"),
            ("inf", "not a finite number: 'inf'"),
            ("-1", "must be > 0"),
            ("0", "must be > 0"),
        ]:
            await submit(pilot, text)
            assert app.screen is dialog, text
            assert error_text(app) == message
            assert app.results == []  # nothing dismissed: the old η stays
        await submit(pilot, "0.25")
        assert app.screen is not dialog
        assert app.results == [0.25]


async def test_eta_dialog_typed_with_keys():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(NumberDialog("Learning rate η", 2.0, minimum=0.0, exclusive_minimum=True))
        await pilot.pause()
        await pilot.press("a", "b", "c", "enter")  # the value is selected: typing replaces it
        assert error_text(app) == "not a number: 'abc'"
        await pilot.press("backspace")  # editing clears the error
        assert error_text(app) == ""
        await pilot.press("backspace", "backspace", "1", "e", "-", "3", "enter")
        assert app.results == [0.001]


async def test_keys_of_a_burst_edit_the_field_in_the_order_typed():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(NumberDialog("Learning rate η", 2.0, minimum=0.0, exclusive_minimum=True))
        await pilot.pause()
        burst = [("5", "5"), ("5", "5"), ("backspace", None), ("home", None), ("1", "1")]
        burst += [("end", None), ("0", "0"), ("left", None), ("2", "2"), ("enter", "\r")]
        for key, character in burst:  # all queued before the field handles the first
            app.screen.query_one(Input).post_message(events.Key(key, character))
        await until(pilot, lambda: app.results, what="the dialog is dismissed")
        assert app.results == [1520.0]  # 55 → 5 → 15 → 150 → 1520


async def test_escape_cancels():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(NumberDialog("Learning rate η", 1.0, minimum=0.0, exclusive_minimum=True))
        await pilot.pause()
        await submit(pilot, "abc")
        await pilot.press("escape")
        assert not isinstance(app.screen, NumberDialog)
        assert app.results == [None]


async def test_goto_dialog_wants_a_whole_number_at_least_zero():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(NumberDialog("Go to step", 12, integer=True, minimum=0))
        await pilot.pause()
        assert app.screen.query_one(Input).value == "12"
        await submit(pilot, "1.5")
        assert error_text(app) == "not a whole number: '1.5'"
        await submit(pilot, "-3")
        assert error_text(app) == "must be ≥ 0"
        assert app.results == []
        await submit(pilot, "40")
        assert app.results == [40] and isinstance(app.results[0], int)


async def test_number_dialog_at_a_tiny_size():
    app = Harness()
    async with app.run_test(size=(20, 5)) as pilot:
        app.open(NumberDialog("Learning rate η", 1.0, minimum=0.0, exclusive_minimum=True))
        await pilot.pause()
        await submit(pilot, "[bold]x")  # markup in the input is shown as typed
        assert error_text(app) == "not a number: '[bold]x'"
        await pilot.resize_terminal(1, 1)
        await pilot.press("escape")
        assert app.results == [None]


# ---- open ------------------------------------------------------------------------------------


SAMPLES = {  # rows × features of each sample file, and how its first comment line starts
    "seed": (5, 1, "Five 1-D points for one sigmoid neuron"),
    "plateau": (2, 1, "Two points from a flat start (w0=b0=-2)"),
    "hours": (20, 1, "Hours studied vs passing an exam, 20 students"),
    "iris": (100, 2, "Fisher's iris: versicolor (0) vs virginica (1)"),
    "cancer": (569, 30, "Breast Cancer Wisconsin (Diagnostic), 30 unscaled features"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_summary_gives_the_files_size_and_description(name):
    rows, features, description = SAMPLES[name]
    summary = sample_summary(name)
    assert summary[1:] == (rows, features) and summary[0].startswith(description)


def test_sample_summary_of_a_file_that_cannot_be_read_is_empty():
    assert sorted(data.sample_names()) == sorted(SAMPLES)
    assert sample_summary("no-such-sample") == ("", None, None)


async def test_open_dialog_lists_the_samples_and_returns_the_chosen_one():
    names = data.sample_names()
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.open(OpenDialog())
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(k).id for k in range(options.option_count)] == names
        seed = str(options.get_option("seed").prompt)
        assert "5 rows × 1 feature" in seed and "Five 1-D points" in seed
        assert "569 rows × 30 features" in str(options.get_option("cancer").prompt)
        await pilot.press("down", "enter")
        assert app.results == [names[1]]
        assert not isinstance(app.screen, OpenDialog)


async def test_open_dialog_returns_a_typed_path_and_cancels_on_escape(tmp_path):
    path = str(tmp_path / "x.csv")
    (tmp_path / "x.csv").write_text("x,y\n1,0\n")
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.open(OpenDialog())
        await pilot.pause()
        await pilot.press("tab")  # from the list to the path box
        assert isinstance(app.focused, Input)
        await pilot.press("enter")  # an empty path: stays open
        assert isinstance(app.screen, OpenDialog) and error_text(app)
        names = {"/": "slash", ".": "full_stop", "_": "underscore", "-": "minus"}
        for character in path:  # typed fast: all queued before the box handles the first
            app.focused.post_message(events.Key(names.get(character, character), character))
        await pilot.press("enter")
        await until(pilot, lambda: app.results, what="the dialog is dismissed")
        assert app.results == [path]

        app.open(OpenDialog(current="iris"))
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted == data.sample_names().index("iris")
        await pilot.press("escape")
        assert app.results == [path, None]


# ---- help ------------------------------------------------------------------------------------


def rendered(app: App) -> str:
    """The help table as the screen shows it: the text of the widget's lines."""
    keys = app.screen.query_one("#keys", Static)
    return "\n".join(strip.text for strip in keys.render_lines(keys.size.region))


@pytest.mark.parametrize("close", ["escape", "q", "question_mark"])
async def test_help_lists_the_bindings_and_closes(close: str):
    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        text = rendered(app)
        lines = text.splitlines()
        step = next(line for line in lines if "Step" in line)
        assert step.split()[:2] == ["n", "Step"] and "One update: θ ← θ − η·g" in step
        back = next(line for line in lines if "Back" in line)
        assert back.split()[:4] == ["b", "/", "←", "Back"]  # keys of one action together
        assert any(line.split()[:2] == ["?", "Help"] for line in lines)
        assert text.index("Step") < text.index("Back") < text.index("Help")  # BINDINGS order
        await pilot.press(close)
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running and app.results == []  # q closed the help, not the app


async def test_open_dialog_keeps_a_path_that_does_not_exist(tmp_path):
    from tui.app.screens.open_dialog import OpenDialog

    app = Harness()
    async with app.run_test(size=(100, 30)) as pilot:
        app.open(OpenDialog())
        await pilot.pause()
        dialog = app.screen
        box = dialog.query_one("#path")
        for typed, problem in (
            (str(tmp_path / "nope.csv"), "no such file or sample"),
            (str(tmp_path), "is a directory"),
        ):
            box.value = typed
            box.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog and box.value == typed
            error = dialog.query_one("#error")
            message = str(error.render())
            assert problem in message
            # All of it inside the dialog: wrapped, not cut at the dialog's edge.
            assert error.region.width <= dialog.query_one("#dialog").content_region.width
            shown = error.render_lines(Region(0, 0, *error.outer_size))
            assert " ".join(" ".join(s.text for s in shown).split()) == " ".join(message.split())
        good = tmp_path / "ok.csv"
        good.write_text("x,y\n1,0\n")
        box.value = f"'{good}'"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [str(good)]
