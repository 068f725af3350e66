"""The Taylor panel tells one story (issue 9, item 1): ΔL₁, ΔL₂, ΔL, cos β, λ_max and the
verdict on η all belong to the last update θ_{t−1} → θ_t, taken at θ_{t−1}; what the next
update meets is a line of its own; an edit has no update to explain."""

from __future__ import annotations

import numpy as np

from tests.test_app import SIZE, make_app, settle, text
from tui import data
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.config import make_config
from tui.engine.diagnostics import Curvature, curvature, diagnose
from tui.engine.session import Session
from tui.format import num


def seed_at(steps: int, **given: str) -> Session:
    dataset = data.load("seed")
    config, _ = make_config(dataset, given)
    session = Session(dataset.x, dataset.y, config)
    session.step(steps)
    return session


def same(a: Curvature | None, b: Curvature) -> bool:
    """The same curvature to the bit (its gradient, Hessian and λ_max)."""
    return (
        a is not None
        and a.grad.tobytes() == b.grad.tobytes()
        and a.hessian.tobytes() == b.hessian.tobytes()
        and a.lambda_max == b.lambda_max
    )


def flat(widget) -> str:  # type: ignore[no-untyped-def]
    """A panel's text without its border and line breaks (long comments wrap)."""
    return " ".join(line.strip("│ ") for line in text(widget).splitlines())


def test_the_last_update_is_judged_at_the_theta_it_started_from():
    """seed, η = 12, step 4: the update θ₃ → θ₄ met λ_max(θ₃) = 0.2547, so 2/λ_max = 7.85 < 12
    (overshoot expected), while at θ₄ (a flat saturated point) λ_max is 0.000443."""
    session = seed_at(4, lr="12")
    found = diagnose(session)
    at_3 = curvature(session.objective, session.theta(3))
    at_4 = curvature(session.objective, session.theta(4))
    assert same(found.before, at_3) and same(found.at_t, at_4) and found.lr_before == 12.0
    assert found.before.lr_limit == 2 / at_3.lambda_max
    assert 7.85 < found.before.lr_limit < 7.86 and found.overshoot_expected()
    assert at_4.lambda_max < 0.001 and found.last_update.went_up


def test_an_edit_has_no_update_to_explain():
    session = seed_at(2)
    session.edit(np.array([1.0, -2.0]))
    found = diagnose(session)
    assert found.edited and found.last_update is None and found.before is None
    assert same(found.at_t, curvature(session.objective, np.array([1.0, -2.0])))
    session.step()
    assert not diagnose(session).edited  # the update from the edited θ is explained again


async def test_the_panel_says_overshoot_expected_beside_2_over_lambda_max_at_theta_3():
    app = make_app("seed", lr="12")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "n")
        await settle(pilot)
        panel = app.query_one(TaylorPanel)
        shown = text(panel)
        at_3 = curvature(app.session.objective, app.session.theta(3))
        at_4 = curvature(app.session.objective, app.session.theta(4))
        assert str(panel.border_title) == "why the last update raised L (Taylor)"
        rows = {line.split()[1]: line for line in shown.splitlines()[1:-1] if line.split()[1:]}
        assert num(at_3.lambda_max) in rows["λ_max(H)"] and "at θ_{t−1}" in rows["λ_max(H)"]
        assert num(at_3.lr_limit) in rows["2/λ_max"] and "η = 12: overshoot expected" in shown
        assert f"λ_max(θ_t) = {num(at_4.lambda_max)}" in rows["next"]
        assert f"η < {num(at_4.lr_limit)}" in rows["next"]
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert str(panel.border_title) == "θ was set by hand at step 4"
        assert "set by hand (E): no update to explain" in flat(panel)


async def test_a_divergence_keeps_a_line_with_the_largest_stable_eta():
    app = make_app("seed", loss="bce", lr="1e308")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        panel = app.query_one(TaylorPanel)
        limit = curvature(app.session.objective, app.session.theta(0)).lr_limit
        assert str(panel.border_title) == "why the last update diverged"
        assert (
            f"diverged at step 1: the largest stable η at θ_{{t−1}} is 2/λ_max = {num(limit)}"
            in flat(panel)
        )


def test_the_update_watches_follow_the_same_rule_at_an_edited_step():
    """dloss, dl1, dl2 and cos_beta describe the update into step t: none where θ_t was set
    by hand, as at step 0; the next update is described again."""
    from tui.expressions import step_values
    from tui.expressions.quantities import history_arrays

    session = seed_at(3)
    names = ["dloss", "dl1", "dl2", "cos_beta"]
    assert all(np.isfinite(v) for v in step_values(session, 3, names).values())
    session.edit(np.array([1.0, -2.0]))
    assert all(np.isnan(v) for v in step_values(session, 3, names).values())
    session.step(2)
    assert all(np.isfinite(v) for v in step_values(session, 4, names).values())
    dloss = history_arrays(session, 1, 5, frozenset({"dloss"}))["dloss"]
    assert np.isnan(dloss[2]) and np.isfinite(np.delete(dloss, 2)).all()
    assert np.isfinite(session.history.losses(0, 5)).all()  # the history itself is untouched
