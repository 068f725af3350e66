"""What the panels say after a new user's pass (the review of the panels): the Taylor panel
names the step it explains (the gradient step, the dial's, an edit), a diverged update and an
update that left L unchanged; every number is written one way (`num`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.style import Style
from textual.widgets import Footer, Input

from tests.helpers import until
from tests.test_app import make_app, settle, text
from tests.test_taylor_story import flat, seed_at
from tui import data
from tui.app.app import GdstepApp
from tui.app.plots.loss_surface import SurfaceView, describe_loss_range
from tui.app.plots.plot_panel import PlotPanel
from tui.app.widgets.dial_panel import DialPanel
from tui.app.widgets.point_table import PointTable
from tui.app.widgets.taylor_panel import TaylorPanel, title
from tui.app.widgets.text_grid import NON_FINITE, text_grid
from tui.app.widgets.update_panel import UpdatePanel
from tui.config import make_config
from tui.engine.diagnostics import diagnose, lens
from tui.engine.roundoff import gradient_bounds, is_roundoff, partial_bounds, reduced_sum_bound
from tui.format import Precision, num, num_above, precision

SIZE = (120, 40)


def line_of(panel_text: str, name: str) -> str:
    """The panel's line whose first word is `name`."""
    return next(line for line in panel_text.splitlines() if line.strip("│ ").startswith(name))


def words(panel: TaylorPanel) -> str:
    """The panel's text with its border gone and every run of spaces and line breaks one space."""
    return " ".join(flat(panel).split())


def far_out(tmp_path: Path, lr: str) -> GdstepApp:
    """x = 1e10, 2e10, −1e10: ∇L is about 1e9, so that η = 1e300 takes w to inf while L,
    the sigmoid's, stays finite."""
    path = tmp_path / "far.csv"
    path.write_text("x,y\n1e10,0\n2e10,1\n-1e10,0\n")
    dataset = data.load(str(path))
    config, _ = make_config(dataset, {"lr": lr})
    return GdstepApp(dataset, config)


async def test_a_dial_step_is_not_called_minus_eta_g_and_its_cos_beta_has_six_figures():
    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "n", "u", "right")
        await settle(pilot)
        dial_cos = line_of(text(app.query_one(DialPanel)), "cos β").split()[3]
        await pilot.press("enter")
        await settle(pilot)
        panel = app.query_one(TaylorPanel)
        shown = words(panel)
        assert str(panel.border_title).startswith("a step by hand along β = 195°")
        assert "Δθ = θ_t − θ_{t−1} = η‖g‖·u(β)" in shown and "−η·g" not in shown
        cos_beta = diagnose(app.session).last_update.cos_beta
        assert dial_cos == "−0.965926" and f"cos β {num(cos_beta)} Δθ vs ∇L" in shown
        assert num(cos_beta) == dial_cos


async def test_an_edit_is_not_called_minus_eta_g():
    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        app.session.edit(np.array([1.0, -2.0]))
        app.refresh_views()
        await settle(pilot)
        panel = app.query_one(TaylorPanel)
        assert str(panel.border_title) == "θ was set by hand at step 2"
        assert "−η·g" not in words(panel) and "set by hand: no update" in words(panel)


async def test_an_update_to_an_infinite_w_is_called_diverged_not_an_overshoot(tmp_path):
    app = far_out(tmp_path, "1e300")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert np.isinf(app.session.w()[0]) and np.isfinite(app.session.loss())
        panel = app.query_one(TaylorPanel)
        shown = words(panel)
        assert str(panel.border_title) == "why the last update diverged"
        assert "θ_t is not finite: diverged" in shown and "went UP" not in shown
        assert "cos β — Δθ or ∇L is not finite" in shown and "is 0" not in shown
        assert "diverged at step 1: the largest stable η" in shown


async def test_a_dial_step_into_inf_is_called_diverged_and_not_finite(tmp_path):
    app = far_out(tmp_path, "1e300")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u", "enter")
        await settle(pilot)
        assert app.session.t == 1 and not app.session.is_finite(1)
        panel = app.query_one(TaylorPanel)
        shown = words(panel)
        assert str(panel.border_title) == "a step by hand along β = 180° diverged (Taylor)"
        assert "Δθ or ∇L is not finite" in shown and "is 0" not in shown


def test_an_update_that_left_l_unchanged_is_not_called_lowering():
    """seed stops at step 2,740, θ no longer changing: ΔL is exactly 0."""
    session = seed_at(2740)
    found = diagnose(session)
    assert found.last_update.dl == 0.0
    assert title(session, found) == "why the last update left L unchanged (Taylor)"


NAMES = ("Δθ", "ΔL₁", "ΔL₂", "ΔL", "cos β", "λ_max(H)", "2/λ_max", "next")


def test_a_long_comment_wraps_under_its_own_column():
    rows = [("cos β", "—", "Δθ or ∇L is not finite, and so on for a while longer"), ("ΔL", "1", "")]
    shown = text_grid(rows, justify=("left", "right"), width=30).plain.splitlines()
    assert shown == [
        "cos β  —  Δθ or ∇L is not",
        "          finite, and so on",
        "          for a while longer",
        "ΔL     1  ",
    ]
    assert all(len(line) <= 30 for line in shown)


def in_view(app: GdstepApp, widget) -> bool:  # type: ignore[no-untyped-def]
    """Whether the widget's first line is inside the scrolled panels' window."""
    view = app.query_one("#main").region
    return view.y <= widget.region.y < view.bottom


async def test_at_80_by_24_the_dial_comes_into_view_and_its_comments_hang():
    app = make_app("seed", lr="12")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "n", "n", "n", "u", "right")
        await settle(pilot)
        await pilot.pause()
        dial = app.query_one(DialPanel)
        assert in_view(app, dial)
        assert hangs(dial, ("β", "cos β", "ΔL", "at 180°", "‖Δθ‖", "plane", "keys"))
        assert any("a:\u00a0type\u00a0β" in line for line in text(dial).splitlines())  # whole
        await pilot.press("enter")
        await settle(pilot)
        assert hangs(app.query_one(TaylorPanel), NAMES)


def hangs(panel, names: tuple[str, ...]) -> bool:  # type: ignore[no-untyped-def]
    """Every line of the panel starts with a row's name or, a comment going on, with blanks
    up to the comment column (10 or more); some line does go on."""
    lines = [line.strip("│")[1:] for line in text(panel).splitlines()[1:-1]]
    going_on = [line for line in lines if not line.startswith(names)]
    return bool(going_on) and all(line.startswith(" " * 10) for line in going_on)


async def test_step_into_with_the_dial_open_comes_into_view():
    app = make_app("seed", lr="12")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "n", "n", "n", "u")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.pause()
        assert in_view(app, app.query_one(UpdatePanel))


async def test_the_palette_key_covers_the_footer_to_its_last_column_with_the_dial_on():
    app = make_app("seed")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u")
        await settle(pilot)
        palette = app.query_one(Footer).query_one(".-command-palette")
        assert palette.region.right == 120


async def test_step_into_marks_a_partial_sum_that_is_round_off():
    """seed, step 0: the residuals cancel, Σ Δb_i over the 5 points is −1.38778e−17, 0 on
    paper; its bound is the batch's, times 5 (not divided by N)."""
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s", "s", "s")
        await settle(pilot)
        sums = app.session.partial_gradient(5).tolist()
        bounds = partial_bounds(app.session, 5).tolist()
        assert is_roundoff(sums[1], bounds[1]) and not is_roundoff(sums[0], bounds[0])
        assert bounds[1] == reduced_sum_bound(0.0, 5, 1.0) or bounds[1] > abs(sums[1])
        shown = " ".join(text(app.query_one(UpdatePanel)).split())
        mark = f"Σ Δb_i = {num(sums[1])} ≈ 0 (round-off, |error| ≤ {num_above(bounds[1])})"
        assert mark in shown and num_above(bounds[1]) == "2.4e−16"
        assert f"Σ Δw_i = {num(sums[0])} Σ" in shown


def test_the_partial_bound_of_the_whole_batch_is_the_batch_bound_unreduced():
    session = seed_at(0)
    whole = partial_bounds(session, 5)
    reduced = gradient_bounds(session)
    assert np.all(whole >= reduced * 5 * (1 - 1e-12)) and np.all(whole < reduced * 6)
    assert np.all(partial_bounds(session, 2) < whole)


async def plot_after(*presses: str, lr: str = "2") -> tuple[str, GdstepApp]:
    """The plot's text at 120 × 40 after the keys, and the app (its session at that step)."""
    app = make_app("seed", lr=lr)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*presses)
        await settle(pilot)
        return text(app.query_one(PlotPanel)), app


def test_the_surface_range_is_written_as_every_number_is():
    session = seed_at(4)
    surface = SurfaceView().surface(session, 40, 20)
    lowest, highest = float(surface.loss.min()), float(surface.loss.max())
    assert describe_loss_range(surface) == f"L {num(lowest)}…{num(highest)}"
    assert len(num(lowest).strip("0.")) == 6  # 6 figures, not 3
    with precision(Precision.EXACT):
        assert describe_loss_range(surface) == f"L {num(lowest)}…{num(highest)}"
        assert float(num(highest)) == highest


async def test_exact_numbers_at_120_columns_keep_the_fit_and_the_surface_range():
    shown, app = await plot_after("n", "n", "n", "n", "t", "p")
    w, b = app.session.w()[0], app.session.b()
    with precision(Precision.EXACT):
        assert f"w = {num(w)}" in shown and f"b = {num(b)}" in shown
    shown, app = await plot_after("n", "n", "n", "n", "t", "t", "p")
    assert "L 0.00" in shown and "…0.154" in shown


async def test_the_lens_names_its_line_at_s_star():
    shown, app = await plot_after("n", "n", "n", "n", "t", "t", "t", lr="12")
    s_star = lens(app.session, 4).s_star
    assert 0 < s_star < 1 and f"line at s* = {num(s_star)}" in shown


async def test_the_dialogs_prefill_the_exact_form_the_screen_writes():
    """η = 12 is `12` (not `12.0`); seed's b after one step, 5.551115123125783e-18, is
    `5.551115123125783e−18` with the screen's minus; Enter reads both back unchanged."""
    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await until(pilot, lambda: len(app.screen_stack) == 2)
        assert app.screen.query_one(Input).value == "12"
        await pilot.press("enter")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        assert app.session.lr() == 12.0
        app.session.edit(np.array([0.5, 5.551115123125783e-18]))
        await pilot.press("E")
        await until(pilot, lambda: len(app.screen_stack) == 2)
        boxes = [box.value for box in app.screen.query(Input)]
        assert boxes == ["0.5", "5.551115123125783e−18"]
        await pilot.press("enter")
        await until(pilot, lambda: len(app.screen_stack) == 1)
        assert app.session.b() == 5.551115123125783e-18


async def test_the_point_table_draws_nan_in_the_non_finite_style():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        app.session.edit(np.array([np.nan, 0.0]))
        app.refresh_views()
        await settle(pilot)
        table = app.query_one(PointTable)
        segments = list(table.render_line(1))
        bad = [segment for segment in segments if segment.text == "nan"]
        assert len(bad) >= 5  # ŷ, r, ℓ, Δw, Δb of point 1
        assert all(segment.style.bgcolor == Style.parse(NON_FINITE).bgcolor for segment in bad)
        assert "0.5" in "".join(segment.text for segment in segments if segment not in bad)
