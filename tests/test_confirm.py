"""Nothing lost without asking: r and o ask before they drop a history, q before it quits
with changes that are not saved; with nothing to lose they act at once."""

from __future__ import annotations

import pytest
from textual import events

from tests.helpers import notes_of, screens_seen, until
from tests.test_app import make_app, settle, text
from tui.app.screens.confirm_dialog import ConfirmDialog, history_text
from tui.expressions import Breakpoint, parse


def test_history_text():
    assert history_text(1_234, 2, 0) == "1,234 steps and 2 η changes"
    assert history_text(1, 0, 0) == "1 step"
    assert history_text(3, 1, 1) == "3 steps, 1 η change and 1 edit"
    assert history_text(0, 0, 2) == "2 edits"
    assert history_text(0, 0, 0) == "nothing"
    assert history_text(3, 1, 1, 2) == "3 steps, 1 η change, 1 edit and 2 dial steps"


def message(app) -> str:
    assert isinstance(app.screen, ConfirmDialog)
    return text(app.screen.query_one("#message"))


# ---- r ----------------------------------------------------------------------------------------


async def test_r_with_nothing_to_lose_resets_at_once():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert len(app.screen_stack) == 1 and app.session.t == 0


@pytest.mark.parametrize(
    ("answer", "reset"), [("y", True), ("enter", True), ("n", False), ("escape", False)]
)
async def test_r_asks_before_it_drops_the_history(answer, reset):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "plus", "n", "b", "r")
        await settle(pilot)
        assert "Reset drops 3 steps and 1 η change. Reset?" in message(app)
        keys = text(app.screen.query_one("#keys"))
        assert "Enter/y: reset" in keys and "Escape/n: cancel" in keys
        await pilot.press(answer)
        await settle(pilot)
        s = app.session
        assert len(app.screen_stack) == 1
        if reset:
            assert s.t == 0 and s.last == 0 and not s.events and s.lr() == 2.0
        else:
            assert s.t == 2 and s.last == 3 and len(s.events) == 1


async def test_r_asks_after_going_back_to_step_0_too():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "b", "r")
        await settle(pilot)
        assert "Reset drops 1 step. Reset?" in message(app)


async def test_keys_typed_with_r_answer_it_and_the_rest_go_to_the_main_screen():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        seen = screens_seen(app)
        for key in ["r", "n", "n", "n"]:  # all at once: no, then two steps
            app.post_message(events.Key(key, key))
        await until(pilot, lambda: seen and len(app.screen_stack) == 1 and app.session.t == 4)
        await settle(pilot)
        assert seen == ["ConfirmDialog", "Screen"]
        assert len(app.screen_stack) == 1 and app.session.t == 4
        for key in ["r", "y", "n"]:  # yes, then one step
            app.post_message(events.Key(key, key))
        await until(pilot, lambda: app.session.t == 1 and app.session.last == 1)
        await settle(pilot)
        assert len(app.screen_stack) == 1 and app.session.t == 1 and app.session.last == 1


# ---- o ----------------------------------------------------------------------------------------


async def open_plateau(pilot) -> None:
    await pilot.press("o")
    await settle(pilot)
    app = pilot.app
    app.screen.query_one("Input").value = "plateau"
    app.screen.query_one("Input").focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_o_with_nothing_to_lose_opens_at_once():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_plateau(pilot)
        assert app.dataset.name == "plateau" and len(app.screen_stack) == 1


@pytest.mark.parametrize(("answer", "opened"), [("y", True), ("n", False)])
async def test_o_asks_before_it_drops_the_history(answer, opened):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "E")
        await settle(pilot)
        app.screen.query_one("Input").value = "0.5"
        await pilot.press("enter")
        await settle(pilot)
        await open_plateau(pilot)
        assert "Opening 'plateau' drops 1 step and 1 edit. Open?" in message(app)
        await pilot.press(answer)
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.dataset.name == ("plateau" if opened else "seed")
        assert app.session.t == (0 if opened else 1)


async def test_o_with_a_file_that_cannot_be_opened_never_asks(tmp_path):
    """The file is loaded first: only a data set that opened can replace the history."""
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,oops\n")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "o")
        await settle(pilot)
        app.screen.query_one("Input").value = str(bad)
        app.screen.query_one("Input").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog) and len(app.screen_stack) == 1
        assert app.dataset.name == "seed" and app.session.t == 2


# ---- q ----------------------------------------------------------------------------------------


async def test_q_right_after_start_quits():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_q_with_unsaved_changes_asks_and_n_stays(answer):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "q")
        await settle(pilot)
        assert "The session at step 1 has changes that are not saved." in message(app)
        keys = text(app.screen.query_one("#keys"))
        assert "Enter/s: save, then quit" in keys and "y: quit without saving" in keys
        await pilot.press(answer)
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1 and app.session.t == 1


async def test_q_then_y_quits_without_saving(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "q", "y")
        await pilot.pause()
    assert app.return_code == 0 and not list(tmp_path.iterdir())


async def test_q_then_save_saves_and_quits(tmp_path):
    from tui.__main__ import reopen

    path = tmp_path / "s.json"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "q", "enter")  # Enter: save
        await settle(pilot)
        assert app.screen.query_one("Input").value == "gdstep-session.json"
        app.screen.query_one("Input").value = str(path)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0 and reopen(str(path), 100).session.t == 2


async def test_q_then_save_then_escape_stays():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "q", "s")
        await settle(pilot)
        await pilot.press("escape")  # no file: no quitting
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1 and app.unsaved()


async def test_q_right_after_a_save_quits(tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "S")
        await settle(pilot)
        app.screen.query_one("Input").value = str(tmp_path / "s.json")
        await pilot.press("enter")
        await settle(pilot)
        assert not app.unsaved()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_what_counts_as_unsaved():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        app.mark_saved()  # as a save does
        await pilot.press("b")  # the step
        assert app.unsaved()
        await pilot.press("n")
        assert not app.unsaved()
        app.watches = [parse("dloss", 1)]
        assert app.unsaved()
        app.watches = []
        assert not app.unsaved()
        app.breakpoints = [Breakpoint(parse("loss < 0.1", 1))]
        assert app.unsaved()
        app.breakpoints = []
        assert not app.unsaved()
        await pilot.press("plus")  # an η change
        assert app.unsaved()


async def test_an_eta_change_after_going_back_says_which_steps_it_drops():
    app = make_app()
    said = notes_of(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n", "b", "b", "plus")
        await settle(pilot)
        assert (
            said[-1].message
            == "η = 4.0 from step 1 on; the 2 later steps computed with the old η are dropped"
        )
        assert app.session.last == 1
        await pilot.press("plus")
        await settle(pilot)
        assert said[-1].message == "η = 8.0 from step 1 on"
