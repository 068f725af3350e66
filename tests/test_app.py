"""The app through Textual's Pilot: every key against the engine's values and the screen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.geometry import Region
from textual.widget import Widget

from tests.helpers import notes_of, screens_seen, until
from tui import data
from tui.app import GdstepApp
from tui.app.plots.plot_panel import PlotPanel
from tui.app.widgets.point_table import PointTable
from tui.app.widgets.progress_line import ProgressLine
from tui.app.widgets.state_panel import StatePanel
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.app.widgets.update_panel import UpdatePanel
from tui.config import make_config
from tui.data import Dataset
from tui.engine.session import Config, Session
from tui.format import num

SIZE = (120, 40)


def make_app(name: str = "seed", **overrides: str) -> GdstepApp:
    dataset = data.load(name)
    config, _ = make_config(dataset, overrides)
    return GdstepApp(dataset, config)


def text(widget: Widget) -> str:
    """What the widget shows, as plain text, line by line."""
    region = Region(0, 0, *widget.outer_size)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def expected_session(name: str, steps: int, **overrides: str) -> Session:
    dataset = data.load(name)
    config, _ = make_config(dataset, overrides)
    session = Session(dataset.x, dataset.y, config)
    session.step(steps)
    return session


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_startup_shows_step_0_of_the_seed():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        s = app.session
        state = text(app.query_one(StatePanel))
        assert "seed" in state and "L = (1/N) Σ ½(ŷ−y)²" in state
        assert num(s.w()[0]) in state and num(s.loss()) in state
        table = text(app.query_one(PointTable))
        assert num(s.points().y_hat[0]) in table


async def test_n_steps_and_the_screen_matches_the_trace():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "right")
        await settle(pilot)
        expected = expected_session("seed", 3)
        assert app.session.t == 3
        assert app.session.theta().tolist() == expected.theta().tolist()
        state = text(app.query_one(StatePanel))
        assert num(expected.w()[0]) in state and num(expected.b()) in state
        assert num(expected.loss()) in state
        points = expected.points()
        table = text(app.query_one(PointTable))
        for i in range(expected.n):
            assert num(points.residual[i]) in table
            assert num(points.grad_b[i]) in table
        update = text(app.query_one(UpdatePanel))
        assert num(expected.next_theta()[0]) in update


async def test_keys_arriving_together_are_taken_in_order():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = ["n"] * 5 + ["b"] + ["n"] * 3 + ["plus"] + ["n"] * 2
        for key in keys:  # all queued before the app handles the first
            app.post_message(events.Key(key, "+" if key == "plus" else key))
        await settle(pilot)
        expected = expected_session("seed", 7)
        expected.set_lr(2 * expected.lr())
        expected.step(2)
        assert app.session.t == 9
        assert app.session.thetas().tolist() == expected.thetas().tolist()
        assert num(expected.w()[0]) in text(app.query_one(StatePanel))


@pytest.mark.parametrize(
    ("keys", "check"),
    [
        ("g50\r", lambda app: app.session.t == 50),
        ("e0.5\r", lambda app: app.session.lr() == 0.5),
        ("g123\x1b", lambda app: app.session.t == 0),  # escape closes it unchanged
    ],
)
async def test_keys_typed_with_the_key_that_opens_a_dialog_reach_it(keys, check):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = screens_seen(app)
        names = {"\r": "enter", "\x1b": "escape", ".": "full_stop"}
        for character in keys:  # all queued before the app handles the first
            app.post_message(events.Key(names.get(character, character), character))
        await until(pilot, lambda: "NumberDialog" in seen and len(app.screen_stack) == 1)
        await settle(pilot)
        assert check(app) and len(app.screen_stack) == 1


@pytest.mark.parametrize(
    ("keys", "t"),
    [
        (["g", "5", "enter", "n", "n"], 7),  # after the dialog closes, n steps
        (["n", "n", "n", "g", "1", "enter", "b"], 0),
        (["g", "x", "enter", "backspace", "5", "enter", "n"], 6),  # refused, then edited
        (["question_mark", "q", "n"], 1),  # the n was sent to the help screen
        (["question_mark", "question_mark", "n", "n"], 2),
    ],
)
async def test_keys_typed_while_a_dialog_closes_go_to_the_main_screen(keys, t):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = screens_seen(app)
        characters = {"enter": "\r", "question_mark": "?", "backspace": None}
        for key in keys:  # all queued before the app handles the first
            app.post_message(events.Key(key, characters.get(key, key)))
        # a dialog came and went, and the keys after it stepped: only the end state has all
        await until(pilot, lambda: seen and app.session.t == t and len(app.screen_stack) == 1)
        await settle(pilot)
        assert app.session.t == t and len(app.screen_stack) == 1


async def test_main_screen_keys_do_nothing_behind_another_dialog():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("g", "e", "o", "n", "right", "b")  # the help screen is on top
        await settle(pilot)
        assert len(app.screen_stack) == 2 and app.session.t == 0  # no dialog, no step
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1


async def test_n_stops_at_the_step_limit_and_says_so():
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    app = GdstepApp(dataset, config, max_steps=3)
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"nnnnn")
        await settle(pilot)
        assert app.session.t == 3 and app.session.last == 3
        assert any("step limit, 3" in n.message for n in notes)


async def test_b_steps_back_exactly():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "b", "left")
        await settle(pilot)
        assert app.session.t == 1 and app.session.last == 3
        assert app.session.theta().tolist() == expected_session("seed", 1).theta().tolist()


async def test_plus_minus_and_typed_lr():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        lr = app.session.lr()
        await pilot.press("plus")
        assert app.session.lr() == 2 * lr
        await pilot.press("minus", "minus")
        assert app.session.lr() == lr / 2
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        for bad in ("abc", "nan", "0", "-1", "inf"):
            dialog.query_one("Input").value = bad
            await pilot.press("enter")
            assert app.screen is dialog, bad
        assert app.session.lr() == lr / 2
        dialog.query_one("Input").value = "0.125"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not dialog and app.session.lr() == 0.125
        assert "0.125" in text(app.query_one(StatePanel))


async def test_goto_runs_forward_and_rewinds():
    app = make_app("plateau")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = "150"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.t == 150
        assert app.session.loss() == expected_session("plateau", 150).loss()
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = "20"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.t == 20 and app.session.last == 150


async def test_reset():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "plus", "n", "r", "y")  # y: r asks before it drops steps
        await settle(pilot)
        s = app.session
        assert s.t == 0 and s.last == 0 and s.lr() == 2.0
        assert s.theta().tolist() == [0.0, 0.0]


async def test_continue_runs_and_c_stops():
    app = make_app("cancer")  # η = 3e-6 on unscaled features: a long, slow descent
    async with app.run_test(size=SIZE) as pilot:
        # Keys posted, not pressed: Pilot.press waits for the app to be idle, up to 1 s while
        # a run keeps it busy; the state each key brings is waited for instead.
        app.post_message(events.Key("c", "c"))
        await until(pilot, lambda: app.session.t > 10, what="the run passes step 10")
        assert app.running
        app.post_message(events.Key("c", "c"))
        await until(pilot, lambda: not app.running, what="c stops the run")
        await settle(pilot)
        assert not app.running
        t = app.session.t
        assert t > 10
        assert app.session.loss() == expected_session("cancer", t).loss()
        for _ in range(3):  # what was pending is handled, a refresh included: no step more
            await settle(pilot)
            assert app.session.t == t and not app.running


async def test_goto_far_ahead_shows_the_progress_line_until_stopped():
    app = make_app("cancer")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(ProgressLine)
        assert not bar.display
        await pilot.press("n", "n")
        await settle(pilot)
        app.start_run(5_000_000)
        await until(pilot, lambda: bar.display and bar.step > 2, what="the line shows a step")
        assert app.running and bar.display and (bar.first, bar.goal) == (2, 5_000_000)
        assert 2 < bar.step <= app.session.t
        assert bar.render_line(0).text.endswith(f"step {bar.step:,} of 5,000,000")
        app.post_message(events.Key("c", "c"))  # c stops any run
        await until(pilot, lambda: not app.running, what="c stops the run")
        await settle(pilot)
        assert not app.running and not bar.display
        stopped = f"Run stopped at step {app.session.t:,}."
        assert any(n.message == stopped for n in notes)


async def test_continue_runs_hours_to_convergence():
    app = make_app("hours")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        s = app.session
        assert not app.running and s.converged
        assert s.w()[0] == pytest.approx(1.5046, abs=1e-4)
        assert s.b() == pytest.approx(-4.0777, abs=1e-4)
        # It stops at the first step whose update left θ unchanged, whatever the chunking.
        thetas = expected_session("hours", s.t + 10).thetas()
        first = next(t for t in range(1, len(thetas)) if (thetas[t] == thetas[t - 1]).all())
        assert s.t == first
        note = next(n for n in notes if n.title == "θ stopped changing")
        assert f"(θ_{first:,} = θ_{first - 1:,}): η·g is below the rounding" in note.message
        # Pressing c again does not move past it.
        await pilot.press("c")
        await settle(pilot)
        assert s.t == first


async def test_continue_at_a_zero_gradient_says_converged():
    x = np.zeros((4, 1))
    dataset = Dataset("flat", Path("flat.csv"), x, np.full(4, 0.5), ("x",), "y", "", {}, False)
    app = GdstepApp(dataset, Config())  # σ(0) = 0.5 = y: ∇L = 0 from the start
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert app.session.t == 1 and not app.running
        note = next(n for n in notes if n.title == "Converged")
        assert "(θ_1 = θ_0): the batch gradient is exactly 0" in note.message


async def test_divergence_stops_the_run_and_b_steps_out():
    app = make_app("hours", lr="1e308")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        s = app.session
        assert not app.running and s.diverged and s.t == s.last
        assert any("Diverged" in n.title for n in notes)
        message = next(n.message for n in notes if n.title == "Diverged")
        assert f"step {s.t:,}" in message and "η = 1e308" in message
        await pilot.press("b")
        await settle(pilot)
        assert s.is_finite(s.t)


async def test_open_each_sample_applies_its_settings():
    app = make_app()
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        for name in data.sample_names():
            app.open_dataset(name)
            await settle(pilot)
            assert app.dataset.name == name
            config, _ = make_config(data.load(name), {})
            assert app.session.config == config
            assert name in text(app.query_one(StatePanel))
            messages = [n.message for n in notes if n.title == f"Opened {name}"]
            assert messages and "(the file's # gdstep: line)" in messages[-1]


async def test_open_a_csv_without_settings_says_it_runs_on_the_defaults(tmp_path):
    own = tmp_path / "own.csv"
    own.write_text("x,y\n0,0\n1,1\n")
    app = make_app()
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        app.open_dataset(str(own))
        await settle(pilot)
        assert app.dataset.path == own and app.session.config == Config()
        note = next(n for n in notes if n.title == f"Opened {own}")
        assert f"(the defaults; others with gdstep {own} --lr … --loss …)" in note.message


async def test_a_path_typed_straight_after_o_opens_that_file(tmp_path):
    own = tmp_path / "own.csv"
    own.write_text("x,y\n0,0\n1,1\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = {"/": "slash", ".": "full_stop", "_": "underscore", "-": "minus"}
        keys = [("o", "o"), *((names.get(c, c), c) for c in str(own)), ("enter", "\r")]
        for key, character in keys:  # all at once: the list has the focus when they come
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: app.dataset.path == own and len(app.screen_stack) == 1)
        await settle(pilot)
        assert app.dataset.path == own and len(app.screen_stack) == 1


async def test_open_a_bad_file_keeps_the_current_data(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,abc\n")
    app = make_app()
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        app.open_dataset(str(bad))
        await settle(pilot)
        assert app.dataset.name == "seed" and app.session.t == 1
        assert any("bad.csv" in n.message for n in notes)


async def test_open_dialog_picks_a_sample():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("Input").value = "plateau"
        app.screen.query_one("Input").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.dataset.name == "plateau"


async def test_plot_keys_cycle_and_toggle_log():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        plot = app.query_one(PlotPanel)
        assert plot.mode == "loss"
        await pilot.press("t")
        assert plot.mode == "fit"
        await pilot.press("t")
        assert plot.mode == "surface"
        await pilot.press("t", "l")
        assert plot.mode == "loss" and plot.log


async def test_tiny_window_then_larger_again():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.resize_terminal(40, 12)
        await settle(pilot)
        assert app.screen.has_class("-too-small")
        await pilot.press("n", "c")  # nothing happens that the user cannot see
        await settle(pilot)
        assert app.session.t == 0 and not app.running
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not app.screen.has_class("-too-small")
        await pilot.press("n")
        await settle(pilot)
        assert app.session.t == 1
        assert num(app.session.w()[0]) in text(app.query_one(StatePanel))


async def test_arrows_scroll_the_table_even_when_the_panels_overflow():
    app = make_app("cancer")  # 30 features: the panels are taller than 120×40
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.query_one("#main")
        assert main.max_scroll_y > 0 and app.focused is None
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.point_table.scroll_offset.y == 2 and main.scroll_offset.y == 0
        await pilot.press("ctrl+down")
        await settle(pilot)
        assert main.scroll_offset.y == min(3, main.max_scroll_y) > 0
        assert app.point_table.scroll_offset.y == 2
        await pilot.press("ctrl+up")
        await settle(pilot)
        assert main.scroll_offset.y == 0


async def test_a_narrow_window_puts_the_plot_under_the_panels():
    app = make_app()
    async with app.run_test(size=(70, 30)) as pilot:
        await settle(pilot)
        plot, state = app.query_one(PlotPanel), app.query_one(StatePanel)
        assert app.screen.has_class("-narrow")
        assert plot.region.x == state.region.x and plot.outer_size.width == 70 - 2
        assert plot.region.y > app.query_one(TaylorPanel).region.y
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not app.screen.has_class("-narrow") and plot.region.x >= state.region.right


async def test_help_and_quit():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        listed = text(app.screen.query_one("#keys"))
        for binding in GdstepApp.BINDINGS:  # every key, the dialog keys included
            assert binding.description in listed
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "HelpScreen"
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_help_scrolls_with_every_key_of_a_burst():
    app = make_app()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        box = app.screen.query_one("#box")
        assert box.max_scroll_y > 5
        for _ in range(5):
            app.post_message(events.Key("down", None))
        await settle(pilot)
        assert box.scroll_y == 5
        await pilot.press("end")
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("home")
        assert box.scroll_y == 0


async def test_taylor_panel_matches_the_engine():
    app = make_app("plateau")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        from tui.engine.diagnostics import diagnose

        d = diagnose(app.session)
        taylor = text(app.query_one(TaylorPanel))
        assert num(d.last_update.dl1) in taylor and num(d.last_update.dl) in taylor


@pytest.mark.parametrize("name", ["iris", "cancer"])
async def test_many_features_render(name):
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "t")
        await settle(pilot)
        assert app.session.t == 1
        assert "w2" in text(app.query_one(StatePanel))
        more = app.session.d - 3
        if more > 0:  # the weights not listed are counted, in both panels
            assert f"{more} more weights (gdstep trace)" in text(app.query_one(StatePanel))
            assert f"{more} more weights (gdstep trace)" in text(app.query_one(UpdatePanel))


def test_config_is_the_session_config():
    app = make_app("plateau", lr="3")
    assert app.session.config.lr == 3.0 and isinstance(app.session.config, Config)


# ---- debugger power: breakpoints, watches, step into, edit, export, sessions -------------------


def app_with(name: str, breaks: tuple[str, ...] = (), watches: tuple[str, ...] = ()) -> GdstepApp:
    from tui.expressions import Breakpoint, parse

    dataset = data.load(name)
    config, _ = make_config(dataset, {})
    return GdstepApp(
        dataset,
        config,
        breakpoints=[Breakpoint(parse(b, dataset.d)) for b in breaks],
        watches=[parse(w, dataset.d) for w in watches],
    )


async def test_c_stops_at_the_breakpoint_where_trace_stops():
    from tui.expressions import parse
    from tui.files import trace

    app = app_with("hours", breaks=("loss < 0.41",))
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        expected = trace.run(expected_session("hours", 0), 5000, [parse("loss < 0.41", 1)])
        assert app.session.t == expected.step
        assert app.session.loss() < 0.41 <= app.session.loss(app.session.t - 1)
        assert any(n.title == "Breakpoint" for n in notes)


async def test_goto_stops_at_a_breakpoint_too():
    app = app_with("plateau", breaks=("loss < 0.3",))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = "1000"
        await pilot.press("enter")
        await settle(pilot)
        losses = expected_session("plateau", 1000).losses()
        first = int(np.argmax(losses < 0.3))
        assert app.session.t == first


async def test_watches_show_the_engine_values():
    from tui.app.widgets.watch_panel import WatchPanel
    from tui.expressions import evaluate_at

    app = app_with("plateau", watches=("dloss", "grad_norm < 0.01"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        values = evaluate_at(app.session, 2, app.watches)
        shown = text(app.query_one(WatchPanel))
        assert f"dloss = {num(values[0])}" in shown
        assert f"grad_norm < 0.01 = {'true' if values[1] else 'false'}" in shown


async def test_step_into_walks_the_points_then_applies_the_update():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        points = s.points()
        for k in range(1, s.n + 1):
            await pilot.press("s")
            await settle(pilot)
            assert s.t == 0 and app.point_table.highlighted == k - 1
            update = text(app.query_one(UpdatePanel))
            assert f"point {k} of {s.n}" in update
            assert f"Σ Δw_i = {num(points.grad_w[:k, 0].sum())}" in update
        assert "s: apply the update" in update
        await pilot.press("escape")  # leaves step into; the update is not applied
        await settle(pilot)
        assert s.t == 0 and app.point_table.highlighted is None
        assert "point" not in text(app.query_one(UpdatePanel))
        for _ in range(s.n + 1):
            await pilot.press("s")
        await settle(pilot)
        assert s.t == 1 and app.point_table.highlighted is None
        assert s.theta().tolist() == expected_session("seed", 1).theta().tolist()


async def test_edit_sets_theta_and_the_run_goes_on_from_there():
    app = make_app("plateau")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "E")
        await pilot.pause()
        inputs = list(app.screen.query("Input"))
        inputs[0].value = "1.5"
        inputs[1].value = "-2.25"
        await pilot.press("enter")
        await settle(pilot)
        s = app.session
        assert s.t == 2 and s.last == 2 and s.theta().tolist() == [1.5, -2.25]
        await pilot.press("n")
        await settle(pilot)
        expected = np.array([1.5, -2.25]) - 1.0 * s.objective.gradient(np.array([1.5, -2.25]))
        assert s.theta().tolist() == expected.tolist()


async def test_export_writes_what_trace_prints(tmp_path):
    from tests.test_cli import gdstep

    app = make_app("plateau")
    target = tmp_path / "out.csv"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = "30"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    assert target.read_text() == gdstep("trace", "plateau", "--steps", "30").stdout


async def test_save_then_reopen_at_the_same_step_with_the_same_bits(tmp_path):
    from tui.__main__ import reopen

    app = app_with("hours", breaks=("loss < 0.405",), watches=("dloss",))
    path = tmp_path / "s.json"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "plus", "n", "b", "n", "n", "S")
        await pilot.pause()
        app.screen.query_one("Input").value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        before = app.session
    again = reopen(str(path), 10_000_000)
    after = again.session
    assert after.t == before.t == 4
    for t in range(before.t + 1):
        assert after.theta(t).tobytes() == before.theta(t).tobytes()
        assert after.state(t).tobytes() == before.state(t).tobytes()
        assert after.lr(t) == before.lr(t)
    assert [b.expression.text for b in again.breakpoints] == ["loss < 0.405"]
    assert [w.text for w in again.watches] == ["dloss"]


async def test_the_note_of_an_opened_file_writes_its_rate_as_the_screen_does(tmp_path):
    own = tmp_path / "own.csv"
    own.write_text("# gdstep: lr=1e-08\nx,y\n0,0\n1,1\n")
    app = make_app()
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        app.open_dataset(str(own))
        await settle(pilot)
        note = next(n for n in notes if n.title == f"Opened {own}")
        assert "η = 1e−8 (the file's # gdstep: line)" in note.message
