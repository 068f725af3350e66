"""The direction dial in the app (u): its keys, its panel and plots, taking its step, leaving
it, and one snapshot."""

from __future__ import annotations

import time

import numpy as np

from tests.helpers import notes_of, until
from tests.test_app import expected_session, make_app, settle, text
from tests.test_confirm import message
from tests.test_dial import direct
from tests.test_snapshots import keys
from tui.app.plots.plot_panel import PlotPanel
from tui.app.widgets.dial_panel import DialPanel
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.engine.session import Event
from tui.format import num

SIZE = (130, 48)


def plot_text(panel: PlotPanel) -> str:
    return "\n".join(strip.text for strip in panel.draw(panel.size.width, panel.size.height))


def row(panel_text: str, name: str) -> str:
    """The panel's line whose first word is `name`."""
    return next(line for line in panel_text.splitlines() if line.strip("│ ").startswith(name))


async def press(pilot, *presses: str) -> None:
    await pilot.press(*presses)
    await settle(pilot)


async def test_u_then_right_on_seed_at_lr_12_shows_the_formulas_at_195_degrees():
    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "n", "n", "u", "right")
        shown = text(app.query_one(DialPanel))
        expected = direct(expected_session("seed", 4, lr="12"), 195.0)
        assert "195°" in row(shown, "β")
        assert "−0.965926" in row(shown, "cos β")
        for name, key in (("ΔL₁", "dl1"), ("ΔL₂", "dl2"), ("ΔL ", "dl")):
            assert f" {num(float(expected[key]))} " in row(shown, name), name
        assert "∇Lᵀ·Δθ = η‖g‖²·cos β, 1st order" in row(shown, "ΔL₁")
        assert "turning in the (w, b) plane" in shown
        plot = app.query_one(PlotPanel)
        assert plot.mode == "dial"
        assert "ΔL after a step turned by β from ∇L, β = 195°" in plot_text(plot)


async def test_turn_type_take_go_back_and_step_again():
    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "n", "n", "n")
        session = app.session
        theta_4 = session.theta().copy()
        await press(pilot, "u", "right", "shift+right")
        assert "196°" in row(text(app.query_one(DialPanel)), "β")
        await press(pilot, "shift+left", "shift+left", "left", "left")
        assert "164°" in row(text(app.query_one(DialPanel)), "β")
        await press(pilot, "a")
        await pilot.press("ctrl+a", "ctrl+k", *"200", "enter")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await settle(pilot)
        assert "200°" in row(text(app.query_one(DialPanel)), "β")
        assert session.t == 4 and np.array_equal(session.theta(), theta_4)
        expected = theta_4 + direct(session, 200.0)["dtheta"]
        await press(pilot, "enter")
        assert session.t == 5 and session.events == [Event("direction", 5, (200.0,))]
        assert np.allclose(session.theta(), expected, rtol=1e-13, atol=0)
        assert not app.query_one(DialPanel).display and app.dialing is None
        taylor = app.query_one(TaylorPanel)
        assert taylor.border_title.startswith("a step by hand along β = 200° ")
        assert "the dial's β = 200°" in text(taylor)
        dial_theta = session.theta().copy()
        await press(pilot, "b")
        assert session.t == 4 and session.theta().tobytes() == theta_4.tobytes()
        assert theta_4.tobytes() == expected_session("seed", 4, lr="12").theta().tobytes()
        await press(pilot, "n")  # the dial's step is in the history
        assert session.t == 5 and np.array_equal(session.theta(), dial_theta)
        await press(pilot, "n")  # and gradient descent goes on from it
        assert session.t == 6
        assert np.array_equal(session.theta(), dial_theta - 12.0 * session.grad(5))


async def test_escape_leaves_with_theta_unchanged_and_the_plot_as_it_was():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        await press(pilot, "n", "n", "t")
        plot, session = app.query_one(PlotPanel), app.session
        theta = session.theta().tobytes()
        await press(pilot, "u", "right", "right")
        assert plot.mode == "dial" and app.query_one(DialPanel).display
        await press(pilot, "escape")
        assert session.t == 2 and session.theta().tobytes() == theta and session.events == []
        assert plot.mode == "fit" and not app.query_one(DialPanel).display
        assert notes[-1].message == "Left the direction dial: θ unchanged."
        await press(pilot, "right", "left", "left")  # the arrows step and go back again
        assert session.t == 1


async def test_a_key_that_changes_theta_leaves_the_dial_with_a_note():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        await press(pilot, "u", "right", "n")
        assert app.session.t == 1 and app.session.events == []
        assert app.dialing is None and not app.query_one(DialPanel).display
        assert np.array_equal(app.session.theta(), expected_session("seed", 1).theta())
        assert notes[-1].message == (
            "Left the direction dial: θ_t changed (β = 195° was not taken)."
        )
        lr = app.session.lr()
        await press(pilot, "u", "plus")  # a new η keeps the dial and scales its step
        assert app.dialing is not None and app.session.lr() == 2 * lr
        shown = text(app.query_one(DialPanel))
        assert num(2 * lr * float(np.linalg.norm(app.session.grad()))) in row(shown, "‖Δθ‖")


async def test_a_bad_angle_gets_an_error_under_the_field():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "u", "a")
        await pilot.press("ctrl+a", "ctrl+k", *"abc", "enter")
        await settle(pilot)
        dialog = app.screen
        assert "not a number: 'abc'" in str(dialog.query_one("#error").render())
        await pilot.press("ctrl+a", "ctrl+k", *"-15", "enter")  # taken mod 360
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await settle(pilot)
        assert app.dialing.beta == 345.0
        assert "345°" in row(text(app.query_one(DialPanel)), "β")


async def test_t_while_dialing_shows_the_surface_with_the_arrows_and_back():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "u", "a")
        await pilot.press("ctrl+a", "ctrl+k", "0", "enter")  # up the gradient: tips apart
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await press(pilot, "t")
        plot = app.query_one(PlotPanel)
        assert plot.mode == "surface"
        assert "pink: Δθ(β = 0°), green: −η·g" in plot_text(plot)
        assert plot_text(plot).count("◆") == 2  # the tips of the two arrows
        await press(pilot, "t")
        assert plot.mode == "dial"
        await press(pilot, "escape")
        assert plot.mode == "loss"


async def test_more_features_say_which_plane_and_keep_the_sweep():
    app = make_app("iris")
    async with app.run_test(size=(150, 50)) as pilot:
        notes = notes_of(app)
        await press(pilot, "n", "u", "t")
        assert "in the plane of ∇L and the b axis" in text(app.query_one(DialPanel))
        assert app.query_one(PlotPanel).mode == "dial"
        assert notes[-1].message == "The surface needs one feature: the dial shows its sweep."


async def test_no_dial_past_a_divergence():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        app.session.edit(np.array([np.inf, 0.0]))
        await press(pilot, "u")
        assert app.dialing is None
        assert notes[-1].message == (
            "No direction dial at step 0: θ_t is not finite: there is no loss to turn a step at."
        )


def test_dial_snapshot(snap_compare):
    app = make_app("seed", lr="12")
    assert snap_compare(
        app, terminal_size=(120, 48), run_before=keys("n", "n", "n", "n", "u", "right")
    )


async def test_help_lists_the_dial_keys_on_and_off():
    app = make_app("seed")
    async with app.run_test(size=(150, 60)) as pilot:
        await press(pilot, "question_mark")
        listed = text(app.screen.query_one("#keys"))
        assert "n / →" in listed and "b / ←" in listed  # the arrows step while the dial is off
        dial_row = row(listed, "→  ")
        assert "Turn +15°" in dial_row and "with the dial on (u): Turn the dial" in dial_row
        await press(pilot, "escape", "u", "question_mark")
        listed = text(app.screen.query_one("#keys"))
        assert "→               Turn +15°             Turn the dial by +15°" in listed
        assert "with the dial on" not in listed


async def test_reset_names_the_dial_step_it_drops():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n", "u", "right", "enter", "r")
        assert type(app.screen).__name__ == "ConfirmDialog"
        assert "Reset drops 2 steps and 1 dial step. Reset?" in message(app)


async def test_a_run_hides_the_dial_at_once_though_the_panels_wait():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "u", "t")
        assert app.query_one(PlotPanel).dialled is not None
        # as during a run: the panels other than the state panel wait for SLOW_INTERVAL
        app.running, app._last_slow = True, time.monotonic()
        app.session.step()
        app.refresh_views()
        await pilot.pause()
        assert app.dialing is None and not app.query_one(DialPanel).display
        assert app.query_one(PlotPanel).dialled is None
        app.running = False


def swept(dataset: str, lr: str):  # type: ignore[no-untyped-def]
    from tui import data
    from tui.config import make_config
    from tui.engine.diagnostics import CurvatureCache
    from tui.engine.dial import sweep
    from tui.engine.session import Session

    loaded = data.load(dataset)
    config, _ = make_config(loaded, {"lr": lr})
    session = Session(loaded.x, loaded.y, config)
    return session, sweep(session, CurvatureCache())


def test_the_sweep_note_names_each_curve_that_is_not_finite():
    from tui.app.plots.dial import not_finite

    _, seed = swept("seed", "1.7e308")  # ΔL and ΔL₁ finite, ΔL₂ overflows
    assert not_finite(seed) == "ΔL₂ is not finite at 72 of 72 β: not drawn"


def test_a_curve_is_not_joined_across_angles_where_it_is_not_finite(tmp_path):
    """x = 1e10, 2e10, −1e10 at η = 1e300: ΔL is finite at 170°…190° and nan at 195°; the panel
    (one angle) and the sweep agree bit for bit, and the drawn curve stops at 190°."""
    from tui.app.plots.axes import finite_stretches
    from tui.app.plots.dial import not_finite
    from tui.engine.diagnostics import CurvatureCache
    from tui.engine.dial import SWEEP, dial

    csv = tmp_path / "far.csv"
    csv.write_text("x,y\n1e10,0\n2e10,1\n-1e10,0\n")
    session, sweep = swept(str(csv), "1e300")
    cache = CurvatureCache()
    for i, beta in enumerate(SWEEP.tolist()):
        one = dial(session, cache, [beta])
        for mine, theirs in ((one.dl, sweep.dl), (one.dl1, sweep.dl1), (one.dl2, sweep.dl2)):
            assert np.array_equal(mine, theirs[i : i + 1], equal_nan=True), beta
    assert np.isnan(sweep.dl[39]) and SWEEP[39] == 195.0
    stretches = finite_stretches(np.isfinite(sweep.dl))
    runs = [(float(sweep.beta[s][0]), float(sweep.beta[s][-1])) for s in stretches]
    assert runs == [(0.0, 10.0), (170.0, 190.0), (350.0, 355.0)]
    assert not_finite(sweep) == "ΔL is not finite at 62 of 72 β, ΔL₁ at 72, ΔL₂ at 72: not drawn"
