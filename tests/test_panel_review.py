"""What the panels say after a new user's pass (the review of the panels): the Taylor panel
names the step it explains (the gradient step, the dial's, an edit), a diverged update and an
update that left L unchanged; every number is written one way (`num`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.test_app import make_app, settle, text
from tests.test_taylor_story import flat, seed_at
from tui import data
from tui.app.app import GdstepApp
from tui.app.widgets.dial_panel import DialPanel
from tui.app.widgets.taylor_panel import TaylorPanel, title
from tui.config import make_config
from tui.engine.diagnostics import diagnose
from tui.format import num

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
