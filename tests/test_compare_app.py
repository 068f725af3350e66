"""Compare mode in the app: lock-step keys over every run, tab, a and A, the runs panel, the
overlaid loss curves and the paths on the surface, and one snapshot."""

from __future__ import annotations

from tests.helpers import notes_of, until
from tests.test_app import settle, text
from tests.test_confirm import message
from tests.test_race import plain
from tests.test_snapshots import keys
from tui import data
from tui.app import GdstepApp
from tui.app.plots.plot_panel import PlotPanel
from tui.app.screens.run_dialog import RunDialog
from tui.app.widgets.compare_panel import ComparePanel
from tui.app.widgets.point_table import PointTable
from tui.cli.options import Run, race_sessions
from tui.config import make_config, vs_config
from tui.engine.race import Race
from tui.format import num

SIZE = (150, 50)


def compare_app(name: str, *texts: str, **given: str) -> GdstepApp:
    """The app as `gdstep NAME --vs TEXT …` makes it."""
    dataset = data.load(name)
    config, _ = make_config(dataset, given)
    from tui.cli.options import Other

    others = [Other(*vs_config(dataset, config, text), text) for text in texts]
    sessions = race_sessions(Run(dataset, config, 0, [], [], others))
    race = Race(sessions[0])
    for other, session in zip(others, sessions[1:], strict=True):
        race.add(session, other.label, other.text)
    return GdstepApp(dataset, config, race=race)


def plot_text(app: GdstepApp) -> str:
    panel = app.query_one(PlotPanel)
    return "\n".join(strip.text for strip in panel.draw(panel.size.width, panel.size.height))


async def press(pilot, *presses: str) -> None:
    await pilot.press(*presses)
    await until(pilot, lambda: not pilot.app.running)
    await settle(pilot)


async def test_g_100_puts_every_run_at_step_100_with_the_traces_numbers():
    app = compare_app("plateau", "--optimizer momentum")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "g")
        await pilot.press(*"100", "enter")
        await until(pilot, lambda: len(app.screen_stack) == 1 and not app.running)
        await settle(pilot)
        assert [s.t for s in app.race.sessions] == [100, 100]
        shown = text(app.query_one(ComparePanel))
        runs = ({}, {"optimizer": "momentum"})
        for index, (given, line) in enumerate(zip(runs, shown.splitlines()[2:4], strict=True)):
            alone = plain("plateau", **given)
            alone.goto(100)
            assert app.race.sessions[index].theta().tobytes() == alone.theta().tobytes()
            assert num(float(alone.w()[0])) in line and num(alone.loss()) in line
        assert "1 --optimizer momentum" in shown and "▶  0 base" in shown


async def test_n_b_r_act_on_every_run_and_eta_keys_on_the_selected_one():
    app = compare_app("seed", "--lr 2", lr="1")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "n", "b")
        assert [s.t for s in app.race.sessions] == [2, 2]
        await press(pilot, "tab", "plus")
        assert app.race.selected == 1 and app.session is app.race.sessions[1]
        assert [s.lr() for s in app.race.sessions] == [1.0, 4.0]
        await press(pilot, "n")
        assert [s.t for s in app.race.sessions] == [3, 3]
        await press(pilot, "r")
        await pilot.press("y")
        await settle(pilot)
        assert [s.t for s in app.race.sessions] == [0, 0]


async def test_tab_shows_the_selected_runs_points():
    app = compare_app("seed", "--w0 3")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "tab")
        table = text(app.query_one(PointTable))
        y_hat = app.race.sessions[1].points().y_hat[0]
        assert num(float(y_hat)) in table
        assert "run 1 (--w0 3)" in app.state_panel.border_title


async def test_a_adds_a_run_checked_as_the_command_line_and_refuses_a_fifth():
    app = compare_app("seed")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "a")
        assert isinstance(app.screen, RunDialog)
        await pilot.press(*"--lr x", "enter")
        await settle(pilot)
        assert text(app.screen.query_one("#error")).strip() == (
            "--vs '--lr x': --lr must be a number, not 'x'"
        )
        await pilot.press("ctrl+a", "ctrl+k", *"--lr 2", "enter")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await settle(pilot)
        assert app.comparing and app.race.selected == 1
        assert app.race.sessions[1].t == 2 and app.race.sessions[1].lr() == 2.0
        assert "1 --lr 2" in text(app.query_one(ComparePanel))
        for lr in ("3", "4"):
            await press(pilot, "a")
            await pilot.press(*f"--lr {lr}", "enter")
            await until(pilot, lambda: len(app.screen_stack) == 1)
        await press(pilot, "a")
        assert len(app.screen_stack) == 1 and len(app.race.runners) == 4
        assert notes[-1].message == "At most 4 runs: remove one first (A)."


async def test_A_removes_the_selected_run_after_a_yes_but_never_the_base():
    app = compare_app("seed", "--lr 2", "--lr 3")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "A")
        assert notes[-1].message.startswith("The base run cannot be removed")
        await press(pilot, "tab", "n", "A")
        assert message(app).startswith("Removing run 1 (--lr 2) drops its 1 step. Remove?")
        await pilot.press("y")
        await settle(pilot)
        assert [r.label for r in app.race.runners] == ["base", "--lr 3"]
        assert app.race.selected == 1


async def test_a_diverging_run_stops_and_says_so_while_the_others_go_on():
    app = compare_app("hours", "--lr 1e308")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "n")
        assert [s.t for s in app.race.sessions] == [3, 1]
        assert "diverged at step 1" in text(app.query_one(ComparePanel))
        assert notes[0].message == ("Run 1 (--lr 1e308) diverged at step 1; the other runs go on.")


async def test_c_with_a_breakpoint_in_any_run_stops_every_run_there():
    from tui.expressions import Breakpoint, parse

    app = compare_app("plateau", "--optimizer momentum")
    app.breakpoints = [Breakpoint(parse("run == 1 and loss < 0.3", 1))]
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c")
        momentum = app.race.sessions[1]
        t = momentum.t
        assert app.race.sessions[0].t == t and momentum.loss(t) < 0.3 <= momentum.loss(t - 1)
        assert notes[-1].message == (
            f"Breakpoint at step {t:,} in run 1 (--optimizer momentum): run == 1 and loss < 0.3"
        )


async def test_the_loss_plot_has_a_curve_and_legend_per_run_and_the_surface_every_path():
    app = compare_app("plateau", "--optimizer momentum", "--loss bce")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "n")
        shown = plot_text(app)
        assert "loss L(θ_t) of each run" in shown
        assert "0 base" in shown and "1 --optimizer momentum" in shown and "2 --loss bce" in shown
        await press(pilot, "t", "t")
        shown = plot_text(app)
        assert "not on this surface (another loss): run 2" in shown


async def test_the_dial_is_refused_in_compare_mode():
    app = compare_app("seed", "--lr 2")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "u")
        assert app.dialing is None
        assert notes[-1].message.startswith("The direction dial turns one run's step")


def test_compare_snapshot(snap_compare):
    app = compare_app("plateau", "--optimizer momentum")
    assert snap_compare(
        app, terminal_size=(120, 48), run_before=keys("g", *"60", "enter", "t", "t")
    )


async def test_S_saves_every_run_and_reopening_restores_them(tmp_path):
    from tui.__main__ import reopen

    app = compare_app("plateau", "--optimizer momentum")
    path = tmp_path / "s.json"
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "tab", "plus", "n", "S")
        app.screen.query_one("Input").value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        before = app.race.sessions
    again = reopen(str(path), 10_000_000)
    assert again.race.selected == 1 and [r.label for r in again.race.runners] == [
        "base",
        "--optimizer momentum",
    ]
    for a, b in zip(before, again.race.sessions, strict=True):
        assert b.t == 3 and a.events == b.events
        assert b.theta(3).tobytes() == a.theta(3).tobytes() and b.lr(2) == a.lr(2)
    assert again.race.sessions[1].lr(2) == 2.0


async def test_x_exports_every_run_as_the_trace_does(tmp_path):
    app = compare_app("seed", "--lr 3")
    path = tmp_path / "t.csv"
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "x")
        app.screen.query_one("Input").value = str(path)
        await pilot.press("enter")
        await settle(pilot)
    lines = path.read_text().splitlines()
    assert lines[0] == "run,step,w,b,loss,dw,db"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        [str(run), str(step)] for step in range(3) for run in range(2)
    ]


async def test_c_runs_until_every_run_stopped_changing_and_the_panel_says_how():
    app = compare_app("seed", "--lr 12", lr="2")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c")
        t = app.race.t
        assert notes[-1].title == "Race over" and app.race.sessions[0].converged
        shown = text(app.query_one(ComparePanel))
        assert "θ stopped changing" in shown.splitlines()[2]
        assert "repeats 4 states" in shown.splitlines()[3]
        await press(pilot, "c")  # nothing new to run to: it stops at once
        assert app.race.t == t and notes[-1].title == "Race over"


async def test_g_back_to_a_step_past_where_a_run_diverged():
    app = compare_app("hours", "--lr 1e308")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "n", "n", "n", "g")
        await pilot.press("ctrl+a", "ctrl+k", "3", "enter")
        await until(pilot, lambda: len(app.screen_stack) == 1 and not app.running)
        await settle(pilot)
        assert app.race.t == 3 and [s.t for s in app.race.sessions] == [3, 1]


async def test_help_and_the_palette_list_the_compare_keys():
    from tui.app.screens.help_screen import binding_rows

    app = compare_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = {keys: description for keys, description, _ in binding_rows(app, app.screen)}
        assert rows["tab"] == "Next run" and rows["a"] == "Add a run"
        assert rows["A"] == "Remove the run"
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Next run", "Add a run", "Remove the run"} <= commands


async def test_every_run_s_history_ends_where_c_stopped_at_a_breakpoint():
    from tui.expressions import Breakpoint, parse

    app = compare_app("plateau", "--optimizer momentum")
    app.breakpoints = [Breakpoint(parse("run == 1 and loss < 0.3", 1))]
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c")
        t = app.race.t
        assert t > 0 and [(s.t, s.last) for s in app.race.sessions] == [(t, t), (t, t)]
