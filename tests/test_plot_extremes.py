"""Plots of extreme values: huge (±1e308), tiny (5e-324), nan and inf losses, θ, x and y.

Every mode draws whatever the session holds, at any size, without raising; what it leaves
out (non-finite values) it says on the plot; and the fitted σ stays between the y = 0 and
y = 1 ticks on screen.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from tests.test_app import make_app, settle
from tui import data
from tui.app import GdstepApp
from tui.app.plots import axes, curves, loss_surface
from tui.app.plots.plot_panel import FIT, MODES, PlotPanel
from tui.config import make_config
from tui.data import Dataset
from tui.engine.diagnostics import lens
from tui.engine.session import Config, Session

SIZE = (120, 40)
EXTREMES = [1e308, -1e308, 1.7976931348623157e308, 5e-324, -5e-324, 0.0, 1.0, -3.5, 2e-300]
NOT_FINITE = [math.inf, -math.inf, math.nan]
SIZES = [(120, 40), (58, 18), (23, 7), (1, 1)]

finite = st.sampled_from(EXTREMES) | st.floats(allow_nan=False, allow_infinity=False)
anything = finite | st.sampled_from(NOT_FINITE)

VIEW = loss_surface.SurfaceView()
"""The surface as one plot keeps it (its range widens, its grid is reused); a new session
starts it afresh."""


class PlotApp(App):
    def compose(self) -> ComposeResult:
        yield PlotPanel()


def plot_text(panel: PlotPanel) -> str:
    return "\n".join(strip.text for strip in panel.draw(panel.size.width, panel.size.height))


def one_feature(session: Session) -> Dataset:
    x, y = session.objective.x, session.objective.y
    return Dataset("extreme", Path("extreme.csv"), x, y, ("x",), "y", "", {}, False)


@st.composite
def sessions(draw) -> Session:
    """A session from an extreme θ_0 and η, stepped a little; then, so that the plots meet
    any values and not only those the engine makes, its data and a few of its states' L and
    θ overwritten by anything (huge, tiny, nan, ±inf)."""
    n = draw(st.integers(1, 6))
    config = Config(
        loss=draw(st.sampled_from(["mse", "bce"])),
        lr=draw(st.sampled_from([1.0, 1e307, 1e308, 5e-324])),
        w0=(draw(finite),),
        b0=draw(finite),
    )
    session = Session(np.linspace(0, 1, n)[:, None], np.arange(n) % 2.0, config)
    session.step(draw(st.integers(0, 4)))
    session.objective.x[:, 0] = draw(st.lists(anything, min_size=n, max_size=n))
    session.objective.y[:] = draw(st.lists(anything, min_size=n, max_size=n))
    losses, thetas = (
        session.history.losses(0, session.last),
        session.history.thetas(0, session.last),
    )
    for _ in range(draw(st.integers(0, 3))):
        k = draw(st.integers(0, session.last))
        if draw(st.booleans()):
            losses[k] = draw(anything)  # views: the history itself changes
        else:
            thetas[k, draw(st.integers(0, 1))] = draw(anything)
    session.goto(draw(st.integers(0, session.last)))
    return session


def left_out(session: Session, mode: str) -> bool:
    """Whether the mode has non-finite values to leave out."""
    if mode == "loss":
        return not np.isfinite(session.history.losses(0, session.last)).all()
    if mode == "fit":
        data = np.column_stack([session.objective.x[:, 0], session.objective.y])
        return not (np.isfinite(session.theta()).all() and np.isfinite(data).all())
    if mode == "dial":  # the dial is off here (no `dialled`): it only says so
        return False
    if mode == "lens":
        found = lens(session)
        return found is not None and not np.isfinite([found.phi, found.phi1, found.phi2]).all()
    return not np.isfinite(session.thetas()).all()


def curve_and_tick_lines(panel: PlotPanel, width: int, height: int) -> tuple[set[int], dict]:
    """The lines (top first) holding a cell of the fitted curve, and the line of each y tick
    by its label, as plotext's matrix has them."""
    lines = [strip.text for strip in panel.draw(width, height)]
    matrix = panel.plt.monitor.matrix
    curve = {
        matrix.rows - 1 - row
        for row in range(matrix.rows)
        for column in range(matrix.cols)
        if matrix.fullground[row][column] == FIT and matrix.marker[row][column] != " "
    }
    ticks = {line.split("┤")[0].strip(): i for i, line in enumerate(lines) if "┤" in line}
    return curve, ticks


# ---- the two repros, as a user meets them ------------------------------------------------------


async def test_a_huge_learning_rate_does_not_kill_the_app():
    app = make_app("seed", loss="bce", lr="1e307")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await pilot.press("n")
            await settle(pilot)
        plot = app.query_one(PlotPanel)
        assert app.is_running and app.session.t >= 1
        for key in ("l", "t", "t", "t", "t"):  # log scale, fit, surface, lens, the loss
            await pilot.press(key)
            await settle(pilot)
            shown = plot_text(plot)
            assert app.is_running and "┤" in shown  # a plot with its axis, not a traceback
            if plot.mode == "surface":  # θ_2 = (−2.5e306, −5e306): past ±1e300, at the edge
                assert "path clipped at ±1e300" in shown
        assert app.session.losses().tolist() == pytest.approx([math.log(2), 3.15e306, 6.5e306])
        shown = plot_text(plot)  # back on the loss, log10: 0.69 … 6.5e306, every one drawn
        assert "loss L(θ_t) (log10)" in shown and "not drawn" not in shown
        assert "1e300" in shown and shown.count("●") == 1


async def test_a_csv_with_1e308_plots_its_fit(tmp_path: Path):
    csv = tmp_path / "huge.csv"
    csv.write_text("x,y\n1e308,0\n2,1\n")
    dataset = data.load(str(csv))
    config, _ = make_config(dataset, {})
    app = GdstepApp(dataset, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        plot = app.query_one(PlotPanel)
        await pilot.press("t")
        await settle(pilot)
        assert app.is_running and plot.mode == "fit"
        shown = plot_text(plot)
        assert "ŷ = σ(w·x + b)" in shown and shown.count("●") == 2  # both points drawn
        assert "1e308" in shown  # the x axis reaches the big point
        for key in ("t", "l", "n", "t", "t"):  # surface, log loss, a step, fit, surface
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running and "┤" in plot_text(plot)


# ---- every mode draws anything ----------------------------------------------------------------


async def test_every_mode_draws_any_session_and_says_what_it_leaves_out():
    app = PlotApp()
    async with app.run_test(size=SIZE):
        panel = app.query_one(PlotPanel)

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(session=sessions())
        def check(session: Session) -> None:
            panel.show(session, one_feature(session))
            for mode in MODES:
                for log in (False, True):
                    panel.mode, panel.log = mode, log
                    for width, height in SIZES:
                        lines = panel.draw(width, height)
                        assert len(lines) == height
                        assert all(line.cell_length == width for line in lines)
                        text = "\n".join(line.text for line in lines)
                        if width >= 100:  # room for the note in the title
                            assert ("not drawn" in text) == left_out(session, mode), text

        check()


# ---- the fitted σ between the y = 0 and y = 1 ticks ---------------------------------------------


async def test_the_fitted_sigmoid_stays_between_the_0_and_1_ticks():
    app = make_app("hours")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "2", "0", "0", "enter", "t")
        await settle(pilot)
        panel = app.query_one(PlotPanel)
        assert panel.mode == "fit" and app.session.t == 200
        for width, height in [tuple(panel.size), (120, 40), (40, 12), (80, 24), (58, 15)]:
            curve, ticks = curve_and_tick_lines(panel, width, height)
            assert curve and ticks["0"] > ticks["1"]
            assert ticks["1"] <= min(curve) and max(curve) <= ticks["0"], (width, height)

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(
            w=st.floats(-50, 50),
            b=st.floats(-50, 50),
            width=st.integers(30, 130),
            height=st.integers(9, 45),
        )
        def check(w: float, b: float, width: int, height: int) -> None:
            dataset = app.dataset
            session = Session(dataset.x, dataset.y, Config(loss="bce", w0=(w,), b0=b))
            panel.show(session, dataset)
            curve, ticks = curve_and_tick_lines(panel, width, height)
            assert ticks["1"] <= min(curve, default=ticks["1"])
            assert max(curve, default=ticks["0"]) <= ticks["0"]

        check()


# ---- what plotext gets: any values, any range ---------------------------------------------------


def finite_ranges() -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(finite, finite).map(sorted).map(tuple)


@settings(max_examples=300, deadline=None)
@given(
    bounds=finite_ranges() | st.tuples(st.integers(0, 10**12), st.integers(0, 10**12)).map(sorted),
    target=st.integers(1, 10),
)
def test_nice_ticks_on_any_range_are_inside_it_and_told_apart(bounds, target):
    lo, hi = map(float, bounds)
    integer = isinstance(bounds[0], int)  # steps: whole numbers
    ticks = axes.nice_ticks(lo, hi, target, integer=integer)
    assert 1 <= len(ticks.positions) <= 4 * target + 2
    assert all(lo <= p <= hi for p in ticks.positions)
    assert ticks.positions == sorted(ticks.positions)
    assert len(set(ticks.labels)) == len(ticks.labels)
    assert all(math.isfinite(float(label)) for label in ticks.labels)
    # each label tells its position to 1% of the gap between ticks, or 1e-8 of the axis
    tolerance = max(0.01 * min(np.diff(ticks.positions), default=0.0), 2e-8 * (hi / 2 - lo / 2))
    for label, p in zip(ticks.labels, ticks.positions, strict=True):
        assert abs(float(label) - p) <= tolerance or float(label) == p
        assert not integer or label == str(int(label))


@settings(max_examples=300, deadline=None)
@given(bounds=st.tuples(finite, finite).map(sorted))
def test_log_ticks_on_any_range_of_losses_are_inside_it_and_told_apart(bounds):
    low, high = (max(abs(v), 5e-324) for v in bounds)  # losses > 0 …
    lo, hi = sorted((math.log10(low), math.log10(high)))  # … on a log10 axis
    ticks = axes.log_ticks(lo, hi)
    assert 1 <= len(ticks.positions) <= 8
    assert all(lo <= p <= hi for p in ticks.positions)
    assert len(set(ticks.labels)) == len(ticks.labels)


def test_ticks_of_empty_equal_and_nan_ranges():
    assert axes.nice_ticks(math.nan, 1.0) == axes.Ticks([], [])
    assert axes.log_ticks(0.0, math.inf) == axes.Ticks([], [])
    assert axes.nice_ticks(5e-324, 5e-324).labels == ["4.94e-324"]
    assert axes.nice_ticks(0.0, 5e-324).positions == [0.0, 5e-324]  # no step 5e-325
    # 1e308 − (−1e308) overflows: the ticks of ±5e307, doubled
    assert axes.nice_ticks(-1e308, 1e308).labels == ["-8e307", "-4e307", "0", "4e307", "8e307"]
    from_tiny = axes.nice_ticks(5e-324, 1e308, 2)  # 0 is just outside: at the edge
    assert from_tiny.labels == ["0", "5e307", "1e308"] and from_tiny.positions[0] == 5e-324
    assert axes.log_ticks(308.0, 308.0) == axes.Ticks([308.0], ["1e308"])
    decades = axes.log_ticks(math.log10(5e-324), math.log10(1e308))  # 632 decades
    assert decades.labels == ["1e-200", "1", "1e200"]


@settings(max_examples=300, deadline=None)
@given(
    x=st.lists(anything, max_size=8),
    y=st.lists(anything, max_size=8),
    x_range=finite_ranges(),
    y_range=finite_ranges(),
)
def test_drawable_puts_any_values_in_the_unit_square_and_counts_the_rest(x, y, x_range, y_range):
    n = min(len(x), len(y))
    x, y = np.array(x[:n], dtype=float), np.array(y[:n], dtype=float)
    if x_range[0] == x_range[1] or y_range[0] == y_range[1]:
        return  # an axis needs lo < hi (see the next test)
    drawn = axes.drawable(x, y, axes.axis(*x_range, 4), axes.axis(*y_range, 4))
    finite_points = np.isfinite(x) & np.isfinite(y)
    assert len(drawn.x) == len(drawn.y) == finite_points.sum()
    assert drawn.not_finite == n - finite_points.sum()
    assert all(0.0 <= v <= 1.0 for v in drawn.x + drawn.y)
    inside = [
        x_range[0] <= a <= x_range[1] and y_range[0] <= b <= y_range[1]
        for a, b in zip(x[finite_points], y[finite_points], strict=True)
    ]
    assert drawn.clipped == inside.count(False)
    places = axes.axis(*x_range, 4).place(np.array(x_range))
    assert places.tolist() == [0.0, 1.0]


def test_an_axis_needs_a_finite_range():
    for lo, hi in [(1.0, 1.0), (0.0, math.inf), (math.nan, 1.0), (2.0, 1.0)]:
        with pytest.raises(ValueError, match="finite lo < hi"):
            axes.axis(lo, hi, 4)
    tiny = axes.axis(5e-324, 1.5e-323, 2)  # subnormals still spread over [0, 1]
    assert tiny.place(np.array([5e-324, 1e-323, 1.5e-323])).tolist() == [0.0, 0.5, 1.0]
    huge = axes.axis(-axes.FLOAT_MAX, axes.FLOAT_MAX, 2)  # span: 2 × the largest
    assert huge.place(np.array([-axes.FLOAT_MAX, 0.0, 1e308])).tolist() == pytest.approx(
        [0.0, 0.5, 0.5 + 0.5e308 / axes.FLOAT_MAX]
    )


@settings(max_examples=300, deadline=None)
@given(losses=st.lists(anything, min_size=1, max_size=30), log=st.booleans(), data=st.data())
def test_loss_curve_of_any_losses(losses, log, data):
    losses = np.array(losses)
    mark = data.draw(st.integers(0, len(losses) - 1))
    curve = curves.loss_curve(losses, data.draw(st.integers(1, 200)), log, mark=mark)
    assert np.isfinite(curve.ys).all() and len(curve.xs) == len(curve.ys)
    assert all(curve.y.lo <= v <= curve.y.hi for v in curve.ys.tolist())
    assert all(curve.y.lo <= p <= curve.y.hi for p in curve.y.ticks.positions)
    assert (curve.mark_y is None) == (not math.isfinite(losses[mark]))
    assert bool(curve.not_drawn) == (not np.isfinite(losses).all())
    assert curve.empty == (not np.isfinite(losses).any())


def test_not_drawn_names_the_steps():
    finite = np.array([True, True, False, True, False, False])
    assert axes.not_drawn(finite, "L") == "L is not finite at 3 steps (first 2): not drawn"
    assert axes.not_drawn(finite[:5], "θ") == "θ is not finite at 2 steps (first 2): not drawn"
    assert axes.not_drawn(finite[3:], "L") == "L is not finite from step 1: not drawn"
    assert axes.not_drawn(finite[:3], "L") == "L is not finite at step 2: not drawn"
    assert axes.not_drawn(finite[:2], "L") == ""


@settings(max_examples=200, deadline=None)
@given(x=st.lists(finite, min_size=1, max_size=6), w=anything, b=anything)
@example(x=[1.7976931348623157e308, 1.797693134862311e308], w=1e308, b=1e308)  # x not rising
def test_fit_range_and_curve_of_any_data(x, w, b):
    n = len(x)
    session = Session(np.zeros((n, 1)), np.zeros(n), Config(loss="bce"))
    session.objective.x[:, 0] = x
    session.history.thetas(0, session.last)[0] = (w, b)
    x_lo, x_hi, y_lo, y_hi = curves.fit_range(session)
    assert -axes.FLOAT_MAX <= x_lo < x_hi <= axes.FLOAT_MAX
    assert x_lo <= min(x) and max(x) <= x_hi and (y_lo, y_hi) == (-0.05, 1.05)
    curve_x, y_hat = curves.fit_curve(session, 40)
    assert (curve_x[0], curve_x[-1]) == (x_lo, x_hi) and np.isfinite(curve_x).all()
    assert np.all(np.diff(curve_x) >= 0)
    if math.isfinite(w) and math.isfinite(b):
        assert np.all((y_hat >= 0) & (y_hat <= 1))


@settings(max_examples=100, deadline=None)
@given(path=st.lists(st.tuples(anything, anything), min_size=1, max_size=5))
def test_surface_of_any_path(path):
    session = Session(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]), Config(loss="bce"))
    session.step(len(path) - 1)
    session.history.thetas(0, session.last)[: len(path)] = path
    w_lo, w_hi, b_lo, b_hi = VIEW.range(session)
    assert -axes.RANGE_LIMIT <= w_lo < w_hi <= axes.RANGE_LIMIT
    assert -axes.RANGE_LIMIT <= b_lo < b_hi <= axes.RANGE_LIMIT
    surface = VIEW.surface(session, 12, 5)
    assert surface.loss.shape == (5, 12) and np.isfinite(surface.ws).all()
    np.testing.assert_array_equal(surface.path_w, session.thetas()[:, 0])  # nan too
