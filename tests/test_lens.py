"""The Taylor lens (MATH.md, "The Taylor lens: the loss along the last update"): the engine's
φ, φ₁, φ₂, c, ΔL₁ and s* against the formulas evaluated directly, and the plot mode."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import notes_of, until
from tests.test_app import expected_session, make_app, settle
from tests.test_plot_panel import PlotApp
from tui import data
from tui.app.plots.lens import best_lr_line
from tui.app.plots.plot_panel import PlotPanel
from tui.engine.diagnostics import lens, lens_range
from tui.engine.session import Config, Session
from tui.format import num


def plot_text(panel: PlotPanel) -> str:
    return "\n".join(strip.text for strip in panel.draw(panel.size.width, panel.size.height))


@settings(max_examples=30, deadline=None)
@given(
    steps=st.integers(1, 6),
    lr=st.sampled_from([0.5, 2.0, 12.0, 30.0]),
    loss=st.sampled_from(["mse", "bce"]),
)
def test_lens_is_maths_formulas(steps: int, lr: float, loss: str):
    session = expected_session("seed", steps, lr=str(lr), loss=loss)
    t = session.t
    found = lens(session, t)
    objective = session.objective
    before, after = session.theta(t - 1), session.theta(t)
    dtheta = after - before
    grad, hessian = objective.gradient(before), objective.hessian(before)
    dl1, c = float(grad @ dtheta), float(dtheta @ hessian @ dtheta)
    assert found.dl1 == dl1 and found.c == c and found.lr == lr
    # φ(0) = L(θ_{t−1}) and φ(1) = L(θ_t) exactly
    s = found.s.tolist()
    assert found.phi[s.index(0.0)] == session.loss(t - 1) == found.loss_before
    assert found.phi[s.index(1.0)] == session.loss(t)
    for k, v in enumerate(s):
        if v not in (0.0, 1.0):
            assert found.phi[k] == objective.value(before + v * dtheta)
        assert found.phi1[k] == found.loss_before + v * dl1
        assert math.isclose(found.phi2[k], found.loss_before + v * dl1 + 0.5 * v * v * c)
    # s* = −ΔL₁ / c when c > 0 (mse's H need not be), φ₂ lowest there; the range rule
    if c <= 0:
        assert found.s_star is None and found.best_lr is None and s[-1] == 1.5
    else:
        assert found.s_star == -dl1 / c
        assert found.best_lr == found.s_star * lr
        low = found.loss_before + found.s_star * dl1 + 0.5 * found.s_star**2 * c
        assert (found.phi2 >= low - 1e-12 * abs(low)).all()
        assert s[-1] == min(max(1.5, 2.2 * found.s_star), 4.0)
    assert s[0] == -0.25
    assert s == sorted(s) and len(s) >= 41


def test_range_rule():
    assert lens_range(None) == (-0.25, 1.5)
    assert lens_range(0.33) == (-0.25, 1.5)
    assert lens_range(1.0) == (-0.25, 2.2)
    assert lens_range(3.0) == (-0.25, 4.0)
    assert lens_range(-2.0) == (-0.25, 1.5)


def test_seed_at_lr_12_overshoots_the_parabolas_minimum():
    session = expected_session("seed", 4, lr="12")
    found = lens(session, 4)
    s = found.s.tolist()
    assert found.s_star < 0.6
    assert found.phi[s.index(1.0)] > found.phi[s.index(0.0)]  # the loss went up
    assert found.s[int(np.argmin(found.phi2))] < 1.0  # the parabola is lowest before s = 1
    assert found.s_star in s  # s* is sampled, so the plot can mark it on the curves
    line = best_lr_line(found, "gd")[0]
    assert line == (
        "best η along this direction by the quadratic model: "
        f"s*·η = {num(found.s_star)}·12 = {num(found.best_lr)}"
    )


def test_no_lens_at_step_0_nor_after_an_edit():
    session = expected_session("seed", 3)
    assert lens(session, 0) is None
    session.edit(np.array([1.0, -1.0]))
    assert lens(session) is None  # θ_t was set by hand
    session.step()
    assert lens(session) is not None  # the update from the edited θ has its lens


def test_lens_on_more_than_one_feature_and_another_optimizer():
    iris = data.load("iris")
    session = Session(iris.x, iris.y, Config(loss="bce", lr=0.2, optimizer="momentum", w0=(0.0,)))
    session.step(3)
    found = lens(session)
    s = found.s.tolist()
    assert found.phi[s.index(1.0)] == session.loss(3)
    assert found.phi[s.index(0.0)] == session.loss(2)
    assert (
        best_lr_line(found, "momentum")[0] == "the lens shows the step momentum took (s = 1 is θ_t)"
    )


async def test_t_reaches_the_lens_after_four_steps():
    app = make_app("seed", lr="12")
    async with app.run_test(size=(200, 50)) as pilot:
        for _ in range(4):
            await pilot.press("n")
            await settle(pilot)
        plot = app.query_one(PlotPanel)
        for _ in range(4):
            if plot.mode == "lens":
                break
            await pilot.press("t")
            await settle(pilot)
        await until(pilot, lambda: "L along the last update" in plot_text(plot))
        shown = plot_text(plot)
        found = lens(app.session, 4)
        assert "L along the last update, step 3 → 4" in shown
        best = num(found.best_lr)
        assert "best η along this direction by the quadratic model: s*·η = " in shown
        assert f"= {best}" in shown and found.best_lr < 12 * 0.6
        assert "φ₁ tangent" in shown and "φ₂ parabola" in shown and "φ = L(θ_{t−1} + s·Δθ)" in shown
        await pilot.press("t")  # and round to the loss curve
        await settle(pilot)
        assert plot.mode == "loss"


async def test_the_lens_at_step_0_says_there_is_no_update():
    app = make_app("seed")
    async with app.run_test(size=(120, 40)) as pilot:
        plot = app.query_one(PlotPanel)
        plot.mode = "lens"
        await settle(pilot)
        assert "no update to draw at t = 0" in plot_text(plot)


async def test_more_than_one_feature_goes_between_the_loss_and_the_lens():
    app = make_app("iris")
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        plot, notes = app.query_one(PlotPanel), notes_of(app)
        await pilot.press("t")
        await settle(pilot)
        assert notes == []
        assert plot.mode == "lens" and "L along the last update, step 1 → 2" in plot_text(plot)
        await pilot.press("t")  # back to the loss: the notice names the modes it skipped
        await settle(pilot)
        assert plot.mode == "loss"
        assert [note.message for note in notes] == [
            "The fit and the surface need one feature; this data has 2."
        ]
        await pilot.press("t", "l")  # l from the lens: the loss on a log scale
        await settle(pilot)
        assert plot.mode == "loss" and plot.log and "(log10)" in plot_text(plot)


async def test_the_lens_after_an_edit_says_there_is_no_update():
    session = expected_session("seed", 3)
    session.edit(np.array([1.0, -1.0]))
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        plot = app.query_one(PlotPanel)
        plot.mode = "lens"
        plot.show(session, data.load("seed"))
        await pilot.pause()
        assert "no update to draw: θ_t was set by hand" in plot_text(plot)
        session.step()
        plot.refresh()
        assert "L along the last update, step 3 → 4" in plot_text(plot)
