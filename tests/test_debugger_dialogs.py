"""The debugger's dialogs (breakpoints, watches, edit θ, file name) and the watch panel."""

from __future__ import annotations

import os

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from tui import data
from tui.app.screens.breakpoints_dialog import BreakpointsDialog
from tui.app.screens.edit_dialog import EditDialog
from tui.app.screens.file_dialog import FileDialog
from tui.app.screens.watches_dialog import WatchesDialog
from tui.app.widgets.watch_panel import WatchPanel, format_value
from tui.config import make_config
from tui.engine.session import Session
from tui.expressions import Breakpoint, evaluate_at, names_for, names_line, parse
from tui.format import num

SIZE = (100, 30)


class Harness(App[None]):
    """Pushes a screen and records what it was dismissed with; shows a watch panel."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def compose(self) -> ComposeResult:
        yield Static("main")
        yield WatchPanel(id="watches")

    def open(self, screen: ModalScreen) -> None:
        self.push_screen(screen, self.results.append)


def shown(app: App, selector: str) -> str:
    """The plain text of a Static on the current screen."""
    return str(app.screen.query_one(selector, Static).render())


def visible(app: App, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    return widget.display and widget.styles.display != "none"


def prompts(app: App) -> list[str]:
    entries = app.screen.query_one("#entries", OptionList)
    return [str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count)]


async def submit(pilot, text: str, selector: str = "#expression") -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(selector, Input).value = text
    await pilot.press("enter")


def plateau(steps: int) -> Session:
    dataset = data.load("plateau")
    config, _ = make_config(dataset, {})
    session = Session(dataset.x, dataset.y, config)
    session.step(steps)
    return session


# ---- breakpoints ------------------------------------------------------------------------------


async def test_breakpoints_dialog_adds_toggles_deletes_and_returns_the_list():
    old = Breakpoint(parse("step > 10", 1), enabled=False)
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(BreakpointsDialog([old], 1))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, BreakpointsDialog)
        assert app.screen.focused is app.screen.query_one("#expression")
        assert prompts(app) == ["[ ] step > 10"]
        assert names_line(1) in shown(app, "#names")
        assert "changes are kept" in shown(app, "#keys")

        await submit(pilot, "loss < 1e-3")
        assert app.screen is dialog and app.results == []
        assert prompts(app) == ["[ ] step > 10", "[x] loss < 1e-3"]
        assert app.screen.query_one("#expression", Input).value == ""
        assert not visible(app, "#error")

        # the list keys act on the highlighted entry (the new one), only with the list focused
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one("#entries")
        await pilot.press("space")
        assert prompts(app)[1] == "[ ] loss < 1e-3"
        await pilot.press("t")
        assert prompts(app)[1] == "[x] loss < 1e-3"
        await pilot.press("up", "t")
        assert prompts(app)[0] == "[x] step > 10"
        await pilot.press("d")
        assert prompts(app) == ["[x] loss < 1e-3"]

        await pilot.press("escape")
        assert app.screen is not dialog
        [result] = app.results
        assert result == [Breakpoint(parse("loss < 1e-3", 1), enabled=True)]
    assert old.enabled is False  # the list passed in is not changed


@pytest.mark.parametrize(
    ("text", "problem", "caret"),
    [
        ("__import__('os')", "call of '__import__' is not allowed", "^^^^^^^^^^"),
        ("los < 1", "unknown name 'los'", "^^^"),
    ],
)
async def test_breakpoints_dialog_shows_the_parse_error_and_stays_open(
    text: str, problem: str, caret: str
):
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(BreakpointsDialog([], 1))
        await pilot.pause()
        dialog = app.screen
        assert visible(app, "#empty")
        await submit(pilot, text)
        assert app.screen is dialog and app.results == []
        assert problem in shown(app, "#error") and visible(app, "#error")
        lines = shown(app, "#caret").split("\n")
        assert lines == [f"  {text}", f"  {caret}"]  # the caret line under the text
        assert prompts(app) == []
        # editing the text clears the error; a good one is then added
        app.screen.query_one("#expression", Input).value = "loss"
        await pilot.pause()
        assert not visible(app, "#error") and not visible(app, "#caret-box")
        await submit(pilot, "loss < 1")
        assert prompts(app) == ["[x] loss < 1"]
        await pilot.press("escape")
        assert app.results == [[Breakpoint(parse("loss < 1", 1))]]


async def test_breakpoints_dialog_keys_type_into_the_box_and_delete_works():
    app = Harness()
    bps = [Breakpoint(parse("loss < 1", 2)), Breakpoint(parse("w2 > 0", 2))]
    async with app.run_test(size=SIZE) as pilot:
        app.open(BreakpointsDialog(bps, 2))
        await pilot.pause()
        await pilot.press("d", "t", "space")  # in the input box: typed, not list keys
        assert app.screen.query_one("#expression", Input).value == "dt "
        assert prompts(app) == ["[x] loss < 1", "[x] w2 > 0"]
        app.screen.query_one("#entries", OptionList).focus()
        await pilot.press("delete", "delete")
        assert prompts(app) == []
        assert visible(app, "#empty")
        assert app.screen.focused is app.screen.query_one("#expression")
        await submit(pilot, "w3 > 0")  # no third feature
        assert "unknown name 'w3'" in shown(app, "#error")
        await submit(pilot, "")
        assert "empty expression" in shown(app, "#error")
        await pilot.click("#done")
        await pilot.pause()
        assert app.results == [[]]


async def test_breakpoints_dialog_refuses_a_duplicate():
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(BreakpointsDialog([Breakpoint(parse("loss < 1", 1))], 1))
        await pilot.pause()
        await submit(pilot, "loss < 1")
        assert "already in the list" in shown(app, "#error")
        assert prompts(app) == ["[x] loss < 1"]


def test_names_line_comes_from_names_for():
    assert names_line(1) == ", ".join(names_for(1))
    assert names_line(2) == ", ".join(names_for(2))
    assert "w1…w30" in names_line(30) and "dw1…dw30" in names_line(30)
    assert "w17" not in names_line(30)


# ---- watches ----------------------------------------------------------------------------------


async def test_watches_dialog_adds_refuses_deletes_and_returns_the_list():
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(WatchesDialog([parse("loss", 1)], 1))
        await pilot.pause()
        dialog = app.screen
        assert prompts(app) == ["loss"]
        for bad, problem in [
            ("__import__('os')", "call of '__import__' is not allowed"),
            ("los < 1", "unknown name 'los'"),
        ]:
            await submit(pilot, bad)
            assert app.screen is dialog and app.results == []
            assert problem in shown(app, "#error")
            assert f"  {bad}" in shown(app, "#caret")
        await submit(pilot, "dloss / loss")
        await submit(pilot, "lr > 2 / lambda_max")
        assert prompts(app) == ["loss", "dloss / loss", "lr > 2 / lambda_max"]
        await pilot.press("tab", "space", "t")  # no toggle for watches
        assert prompts(app) == ["loss", "dloss / loss", "lr > 2 / lambda_max"]
        await pilot.press("up", "d")
        assert prompts(app) == ["loss", "lr > 2 / lambda_max"]
        await pilot.press("escape")
        assert app.screen is not dialog
        [result] = app.results
        assert [w.text for w in result] == ["loss", "lr > 2 / lambda_max"]
        assert result == [parse("loss", 1), parse("lr > 2 / lambda_max", 1)]


# ---- the watch panel --------------------------------------------------------------------------


def test_format_value():
    assert format_value(True) == "true" and format_value(False) == "false"
    assert format_value(float("nan")) == "nan"
    assert format_value(float("-inf")) == "−inf"
    assert format_value(1 / 3) == "0.333333"  # as every panel writes it (`num`)
    assert format_value(123456789.123) == "1.23457e8"
    assert format_value(1e-320) == "1e−320"  # exact, and shorter than 9.99989e−321
    assert format_value(2.0) == "2"


async def test_watch_panel_shows_evaluate_at_and_hides_without_watches():
    session = plateau(40)
    texts = ["loss", "dloss", "w", "b", "step > 10", "lr > 2 / lambda_max", "0/0", "grad_norm"]
    watches = [parse(t, session.d) for t in texts]
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(WatchPanel)
        panel.show(session, [])
        await pilot.pause()
        assert not panel.display

        panel.show(session, watches)
        await pilot.pause()
        assert panel.display and panel.size.height == len(watches)
        values = evaluate_at(session, session.t, watches)
        lines = str(panel.render()).split("\n")
        assert lines == [f"{t} = {format_value(v)}" for t, v in zip(texts, values, strict=True)]
        assert lines[4] == "step > 10 = true" and lines[6] == "0/0 = nan"
        assert lines[0] == f"loss = {num(session.loss())}"

        session.step(3)  # the panel re-reads the session's step
        panel.show(session, watches[:1])
        await pilot.pause()
        assert str(panel.render()) == f"loss = {num(session.loss())}"

        panel.show(session, [])
        await pilot.pause()
        assert not panel.display


async def test_watch_panel_names_a_watch_the_data_cannot_have():
    session = plateau(2)  # one feature
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(WatchPanel)
        panel.show(session, [parse("loss", 1), parse("w2 + 1", 2)])
        await pilot.pause()
        first, second = str(panel.render()).split("\n")
        assert first == f"loss = {num(session.loss())}"
        assert second.startswith("w2 + 1 = (") and "w2" in second[10:]


# ---- edit θ -----------------------------------------------------------------------------------


async def test_edit_dialog_is_prefilled_and_returns_the_array():
    app = Harness()
    values = [0.1, -2.0, 1 / 3]
    async with app.run_test(size=SIZE) as pilot:
        app.open(EditDialog(["w1", "w2", "b"], values))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        boxes = dialog.inputs()
        # the screen's exact form (p): `−2`, not Python's `-2.0`
        assert [box.value for box in boxes] == ["0.1", "−2", "0.3333333333333333"]
        assert [float(box.value.replace("−", "-")) for box in boxes] == values  # exact
        boxes[1].value = " 2.5e-1 "
        boxes[2].value = "1_000"
        await pilot.press("enter")
        assert app.screen is not dialog
        [result] = app.results
        assert isinstance(result, np.ndarray) and result.dtype == np.float64
        assert result.tolist() == [0.1, 0.25, 1000.0]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("abc", "w2: not a number: 'abc'"),
        ("nan", "w2: not a finite number: 'nan'"),
        ("inf", "w2: not a finite number: 'inf'"),
        ("", "w2: type a number"),
    ],
)
async def test_edit_dialog_refuses_a_bad_value_naming_the_field(bad: str, message: str):
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(EditDialog(["w1", "w2", "b"], [1.0, 2.0, 3.0]))
        await pilot.pause()
        dialog = app.screen
        dialog.inputs()[1].value = bad
        dialog.inputs()[0].focus()
        await pilot.press("enter")
        assert app.screen is dialog and app.results == []
        assert shown(app, "#error") == message
        assert app.screen.focused is dialog.inputs()[1]  # the bad box gets the focus
        await pilot.press("escape")
        assert app.results == [None]


async def test_edit_dialog_names_every_bad_field_and_the_set_button():
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(EditDialog(["w", "b"], [1.0, 2.0]))
        await pilot.pause()
        dialog = app.screen
        dialog.inputs()[0].value = "x"
        dialog.inputs()[1].value = "1e999"
        await pilot.click("#set")
        await pilot.pause()
        assert shown(app, "#error") == "w: not a number: 'x'\nb: too large: '1e999'"
        dialog.inputs()[0].value = "-0.5"
        dialog.inputs()[1].value = "4"
        await pilot.pause()  # the error line goes: the button moves up
        dialog.query_one("#set").press()  # (a click can land while it moves)
        await pilot.pause()  # the dismiss callback lands
        assert [r.tolist() for r in app.results] == [[-0.5, 4.0]]


async def test_edit_dialog_scrolls_many_fields():
    d = 30
    names = [f"w{j}" for j in range(1, d + 1)] + ["b"]
    values = [float(j) / 7 for j in range(d + 1)]
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(EditDialog(names, values))
        await pilot.pause()
        dialog = app.screen
        fields = dialog.query_one("#fields")
        assert fields.size.height <= 9 and fields.max_scroll_y > 0
        assert dialog.query_one("#set").region.bottom <= 24  # the button stays on screen
        dialog.inputs()[-1].focus()  # the focused box scrolls into view
        await pilot.pause()
        assert fields.scroll_y > 0
        dialog.inputs()[-1].value = "9"
        await pilot.press("enter")
        [result] = app.results
        assert result.tolist() == values[:-1] + [9.0]


# ---- file name --------------------------------------------------------------------------------


async def test_file_dialog_confirms_an_existing_file(tmp_path):
    existing = tmp_path / "session.json"
    existing.write_text("{}")
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(FileDialog("Save the session", str(existing)))
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#path", Input).value == str(existing)
        await pilot.press("enter")
        assert app.screen is dialog and app.results == []
        assert shown(app, "#message") == (
            f"{existing} exists: press Enter again to replace it, or edit the name"
        )
        # editing the name asks again
        await submit(pilot, str(existing) + " ", "#path")  # same file once stripped
        assert app.screen is dialog and app.results == []
        await pilot.press("enter")
        assert app.screen is not dialog
        assert app.results == [str(existing)]
    assert existing.read_text() == "{}"  # the dialog writes nothing


async def test_file_dialog_returns_a_new_path_at_once_and_refuses_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(FileDialog("Export the trace", "trace.csv"))
        await pilot.pause()
        dialog = app.screen
        await submit(pilot, "   ", "#path")
        assert app.screen is dialog and shown(app, "#message") == "type a file name"
        await submit(pilot, str(tmp_path), "#path")
        assert app.screen is dialog and "is a directory" in shown(app, "#message")
        await submit(pilot, "~/new.csv", "#path")
        assert app.screen is not dialog
        assert app.results == [os.path.join(str(tmp_path), "new.csv")]
        assert not (tmp_path / "new.csv").exists()

        app.open(FileDialog("Export the trace", "trace.csv"))
        await pilot.pause()
        await pilot.press("escape")
        assert app.results[-1] is None


async def test_breakpoints_dialog_keeps_the_box_on_a_short_screen():
    bps = [Breakpoint(parse(f"step > {k}", 1)) for k in range(20)]
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(BreakpointsDialog(bps, 1))
        await pilot.pause()
        entries = app.screen.query_one("#entries", OptionList)
        assert entries.max_scroll_y > 0  # the list scrolls
        assert app.screen.query_one("#expression").region.bottom <= 24
        assert app.screen.query_one("#keys").region.bottom <= 24
        await pilot.press("tab", "end", "d")
        assert len(prompts(app)) == 19 and prompts(app)[-1] == "[x] step > 18"
        await pilot.press("escape")
        assert app.results == [bps[:19]]


async def test_each_expression_dialog_has_an_example_of_its_own():
    app = Harness()
    async with app.run_test(size=SIZE) as pilot:
        app.open(WatchesDialog([], 1))
        await pilot.pause()
        assert app.screen.query_one("#expression", Input).placeholder.startswith("e.g. dloss")
        await pilot.press("escape")
        app.open(BreakpointsDialog([], 1))
        await pilot.pause()
        assert "loss < 1e-3" in app.screen.query_one("#expression", Input).placeholder
