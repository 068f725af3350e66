"""The chain rule with numbers (MATH.md, "One point's gradient term, factor by factor"): the
engine's three factors per point, the derivation step into writes, and the table's f columns."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.engine.model import BCE, MSE
from tui.engine.objective import Objective
from tui.format import num

finite = st.floats(-50, 50, allow_nan=False)


def objective_at(loss: str, xs: list[float], ys: list[float]) -> Objective:
    return Objective(np.array(xs)[:, None], np.array(ys), loss, "sum")


def test_mse_factors_are_r_and_the_sigmoid_slope():
    y_hat, residual = np.array([0.499774, 0.9]), np.array([0.399774, -0.05])
    first, second = MSE.factors(y_hat, residual)
    assert first.tolist() == residual.tolist()
    assert second.tolist() == (y_hat * (1.0 - y_hat)).tolist()


def test_bce_first_factor_is_r_over_the_sigmoid_slope():
    y_hat, residual = np.array([0.5, 0.8]), np.array([0.4, -0.2])
    first, second = BCE.factors(y_hat, residual)
    assert second.tolist() == [0.25, 0.8 * (1.0 - 0.8)]
    assert first.tolist() == [0.4 / 0.25, -0.2 / (0.8 * (1.0 - 0.8))]


def test_bce_factors_at_saturation_are_inf_and_the_gradient_stays_r_x():
    objective = objective_at("bce", [1.0, 1.0], [0.0, 1.0])
    points = objective.points(np.array([40.0, 0.0]))  # ŷ rounds to 1: ŷ(1−ŷ) = 0
    first, second, x = points.factors()
    assert points.y_hat.tolist() == [1.0, 1.0]
    assert second.tolist() == [0.0, 0.0]
    assert first[0] == np.inf and np.isnan(first[1])  # r = 1, then r = 0: 0/0
    assert points.grad_w[:, 0].tolist() == points.residual.tolist()
    assert x.tolist() == [[1.0], [1.0]]


def test_seed_at_step_3_point_1_as_in_the_brief():
    from tests.test_app import expected_session

    points = expected_session("seed", 3).points(slice(0, 1))
    first, second, x = points.factors()
    assert f"{points.y_hat[0]:.6g}" == "0.499774" and f"{points.grad_w[0, 0]:.6g}" == "0.0499717"
    assert first[0] == points.residual[0] and x[0, 0] == 0.5
    assert second[0] == points.y_hat[0] * (1.0 - points.y_hat[0])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["mse", "bce"]),
    st.lists(st.tuples(finite, st.floats(0, 1)), min_size=1, max_size=5),
    st.integers(1, 3),
    finite,
    finite,
)
def test_the_factors_multiply_to_the_engines_terms(loss, rows, d, w, b):
    xs = np.array([[x * (j + 1) for j in range(d)] for x, _ in rows])
    ys = np.array([y for _, y in rows])
    objective = Objective(xs, ys, loss, "mean")
    points = objective.points(np.array([w] * d + [b]))
    first, second, x = points.factors()
    assert x.tolist() == xs.tolist()
    if loss == "mse":
        assert first.tolist() == points.residual.tolist()
    assert second.tolist() == (points.y_hat * (1.0 - points.y_hat)).tolist()
    fine = second > 0  # where ŷ(1−ŷ) is 0, bce's first factor is inf or nan (tested above)
    chain = first[fine] * second[fine]
    assert np.allclose(chain, points.grad_b[fine], rtol=1e-12, atol=0)
    assert np.allclose(chain[:, None] * x[fine], points.grad_w[fine], rtol=1e-12, atol=0)


async def step_into_text(name: str, steps: int, points: int, **overrides: str) -> str:
    from tests.test_app import SIZE, make_app, settle, text
    from tui.app.widgets.update_panel import UpdatePanel

    app = make_app(name, **overrides)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"n" * steps, *"s" * points)
        await settle(pilot)
        return text(app.query_one(UpdatePanel))


async def test_step_into_writes_the_chain_rule_with_the_points_numbers():
    from tests.test_app import expected_session

    shown = await step_into_text("seed", 3, 1)
    expected = (
        "Δw_1 = (ŷ_1 − y_1)·ŷ_1·(1 − ŷ_1)·x_1 = "
        "(0.499774 − 0.1)·0.499774·(1 − 0.499774)·0.5 = 0.0499717"
    )
    assert expected in shown
    point = expected_session("seed", 3).points(slice(0, 1))
    y_hat = f"{point.y_hat[0]:.6g}"
    assert f"({y_hat} − 0.1)·{y_hat}·(1 − {y_hat})·0.5 = {point.grad_w[0, 0]:.6g}" in shown
    assert (
        f"Δb_1 = (ŷ_1 − y_1)·ŷ_1·(1 − ŷ_1)·1 = ({y_hat} − 0.1)·{y_hat}·(1 − {y_hat})·1 = "
        f"{point.grad_b[0]:.6g}"
    ) in shown
    assert max(len(line.rstrip()) for line in shown.splitlines()) <= 120


async def test_step_into_writes_the_bce_chain_rule_where_the_slope_cancels():
    from tests.test_app import expected_session

    shown = await step_into_text("seed", 0, 2, loss="bce")
    point = expected_session("seed", 0, loss="bce").points(slice(1, 2))
    y_hat, y, x = (f"{v:.6g}" for v in (point.y_hat[0], point.y[0], point.x[0, 0]))
    assert (
        f"Δw_2 = (ŷ_2 − y_2)/(ŷ_2(1 − ŷ_2))·ŷ_2(1 − ŷ_2)·x_2 = (ŷ_2 − y_2)·x_2 = "
        f"({y_hat} − {y})·{x} = {point.grad_w[0, 0]:.6g}"
    ) in shown
    assert "Δb_2 = (ŷ_2 − y_2)/(ŷ_2(1 − ŷ_2))·ŷ_2(1 − ŷ_2)·1 = (ŷ_2 − y_2)·1" in shown


async def test_step_into_with_many_weights_writes_the_first_and_counts_the_rest():
    from tests.test_app import expected_session

    shown = await step_into_text("cancer", 1, 3)
    point = expected_session("cancer", 1).points(slice(2, 3))
    y_hat, x = f"{point.y_hat[0]:.6g}", f"{point.x[0, 0]:.6g}"
    assert "Δw1_3 = (ŷ_3 − y_3)/(ŷ_3(1 − ŷ_3))·ŷ_3(1 − ŷ_3)·x1_3 = (ŷ_3 − y_3)·x1_3 = " in shown
    assert f"({y_hat} − 0)·{x} = {point.grad_w[0, 0]:.6g}" in shown
    assert f"… {point.x.shape[1] - 1} more weights: Δwj_3 the same with xj_3" in shown


async def test_f_adds_the_factor_columns_from_the_engine_and_removes_them():
    from tests.test_app import SIZE, expected_session, make_app, settle, text

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n")
        await settle(pilot)
        assert "∂ℓ/∂ŷ" not in text(app.point_table)
        await pilot.press("f")
        await settle(pilot)
        shown = text(app.point_table).splitlines()
        assert app.point_table.factors
        assert shown[1].split()[-3:] == ["∂ℓ/∂ŷ", "∂ŷ/∂z", "∂z/∂w│"]
        first, second, x = expected_session("seed", 3).points().factors()
        for k in range(5):
            values = [num(v) for v in (first[k], second[k], x[k, 0])]
            assert shown[2 + k].rstrip("│").split()[-3:] == values
        await pilot.press("f")
        await settle(pilot)
        assert not app.point_table.factors and "∂ℓ/∂ŷ" not in text(app.point_table)
        assert "Δb_i" in text(app.point_table).splitlines()[1]


async def test_f_shows_bce_factors_at_saturation_without_a_crash():
    from tests.test_app import SIZE, make_app, settle, text

    app = make_app("seed", loss="bce", w0="800")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await settle(pilot)
        shown = text(app.point_table)
        assert "∂ℓ/∂ŷ" in shown and "inf" in shown
