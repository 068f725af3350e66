"""Every panel shows the θ that the state panel shows, after every kind of change (issue 8.2),
and a diverged state looks diverged (issue 8.5)."""

from __future__ import annotations

import gc
import math
import weakref

import numpy as np
import pytest
from rich.style import Style
from textual.geometry import Region

from tests.test_app import SIZE, make_app, settle, text
from tui import data
from tui.app.widgets.panel import Panel
from tui.app.widgets.state_panel import StatePanel
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.app.widgets.text_grid import NON_FINITE
from tui.config import make_config
from tui.engine.diagnostics import CurvatureCache, curvature
from tui.engine.objective import Objective
from tui.engine.session import Session
from tui.format import num


def expected(app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """‖∇L‖ and λ_max at the θ the session is at, as the panels write them."""
    at_t = curvature(app.session.objective, app.session.theta())
    return num(at_t.grad_norm, 6), num(at_t.lambda_max)


async def check_current(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    grad_norm, lambda_max = expected(pilot.app)
    state = text(pilot.app.query_one(StatePanel))
    taylor = text(pilot.app.query_one(TaylorPanel))
    assert f"‖∇L‖    {grad_norm}" in state
    next_line = next(line for line in taylor.splitlines() if "next" in line)
    assert f"λ_max(θ_t) = {lambda_max}" in next_line  # what the next update meets


async def edit(pilot, w: str, b: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("E")
    await pilot.pause()
    inputs = list(pilot.app.screen.query("Input"))
    inputs[0].value, inputs[1].value = w, b
    await pilot.press("enter")


@pytest.mark.parametrize("steps", [0, 1])
async def test_an_edit_updates_the_gradient_norm_and_curvature(steps):
    """The repro: seed, n, E, w = 1, b = −2: ‖∇L‖ was left at 0.032769 (0.0151348 at the new
    θ) and λ_max at 0.439682 (0.147021). The same at step 0."""
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * steps)
        await check_current(pilot)
        await edit(pilot, "1", "-2")
        await settle(pilot)
        assert app.session.theta().tolist() == [1.0, -2.0]
        await check_current(pilot)
        state = text(app.query_one(StatePanel))
        taylor = text(app.query_one(TaylorPanel))
        assert "0.0151348" in state
        assert "0.147021" in taylor


async def test_every_kind_of_change_shows_the_current_theta():
    app = make_app("seed")
    async with app.run_test(size=SIZE) as pilot:
        for keys in (["n"], ["n", "n"], ["b"], ["plus"], ["n"], ["minus", "n"], ["left"]):
            await pilot.press(*keys)
            await check_current(pilot)
        await edit(pilot, "0.5", "0.25")
        await check_current(pilot)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("Input").value = "1"
        await pilot.press("enter")
        await check_current(pilot)
        app.session.reset()  # what r does once confirmed
        app.refresh_views()
        await check_current(pilot)
        app.open_dataset("hours")
        await check_current(pilot)
        assert app.dataset.name == "hours"


def test_the_curvature_cache_tells_objectives_apart_even_with_a_reused_id():
    """Keyed by the objective itself: an entry keeps its objective alive, so no new objective
    can get its id (CPython reuses a freed object's address) while the entry can be found,
    and a different objective at the same θ never finds another's curvature."""
    cache = CurvatureCache()
    theta = np.array([0.0, 0.0])
    first = Objective(np.array([[1.0]]), np.array([0.0]), "mse", "mean")
    cache.get(first, theta)
    held = weakref.ref(first)
    del first
    gc.collect()
    assert held() is not None  # the entry holds it: its id cannot be handed out again
    for k in range(2, 12):
        objective = Objective(np.array([[float(k)]]), np.array([0.0]), "mse", "mean")
        got = cache.get(objective, theta)
        assert got.grad.tolist() == curvature(objective, theta).grad.tolist()
    gc.collect()
    assert held() is None  # once pushed out of the cache it is freed, not kept for ever


def diverged_app():  # type: ignore[no-untyped-def]
    dataset = data.load("seed")
    config, _ = make_config(dataset, {"loss": "bce", "lr": "1e308"})
    from tui.app import GdstepApp

    return GdstepApp(dataset, config)


def styles_at(widget: Panel, needle: str) -> list[Style]:
    """The styles of the drawn segments whose text is `needle`."""
    lines = widget.render_lines(Region(0, 0, *widget.outer_size))
    found = [seg.style for line in lines for seg in line if seg.text.strip() == needle]
    assert found, f"{needle!r} not drawn"
    return found


async def test_a_diverged_state_is_never_green_and_says_so_until_it_is_finite():
    app = diverged_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        s = app.session
        assert not s.is_finite(s.t) and s.loss() == float("inf")  # inf, not the nan of ∞ − ∞
        state = text(app.query_one(StatePanel))
        assert f"diverged at step {s.t}" in state and "b steps back" in state
        # drawn in NON_FINITE (white on dark red), where η has the panel's own background
        panel = app.query_one(StatePanel)
        red = Style.parse(NON_FINITE)
        assert {(s.color, s.bgcolor) for s in styles_at(panel, "inf")} == {(red.color, red.bgcolor)}
        assert red.bgcolor not in {s.bgcolor for s in styles_at(panel, "1e308")}  # η
        taylor = text(app.query_one(TaylorPanel))
        assert "L is not finite: diverged" in taylor
        await pilot.press("b")
        await settle(pilot)
        assert "diverged" not in text(app.query_one(StatePanel))


def test_session_fixture_sanity():
    """The divergence repro really diverges in one step (guards the test above)."""
    dataset = data.load("seed")
    config, _ = make_config(dataset, {"loss": "bce", "lr": "1e308"})
    session = Session(dataset.x, dataset.y, config)
    session.step(2)
    assert session.diverged


def test_an_overflowed_hessian_gives_no_bound_rather_than_any_eta():
    """x = 1e308: H overflows. λ_max and 2/λ_max are unknown (nan), never the ∞ that says
    "no positive curvature: any η"."""
    x = np.array([[1e308], [2.0]])
    objective = Objective(x, np.array([0.0, 1.0]), "mse", "mean")
    at = curvature(objective, np.zeros(2))
    assert np.isnan(at.lambda_max) and np.isnan(at.lr_limit)
    assert math.isfinite(at.grad_norm)


async def test_an_overflowed_hessian_says_so_in_the_taylor_panel(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("x,y\n1e308,0\n2,1\n")
    app = make_app(str(big))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        taylor = text(app.query_one(TaylorPanel))
        assert "H is not finite at θ_t" in taylor and "η < ∞" not in taylor
        await pilot.press("n")
        await settle(pilot)
        taylor = text(app.query_one(TaylorPanel))
        assert "H is not finite here: no bound" in taylor  # the last update's, at θ_0
