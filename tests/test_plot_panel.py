"""The plot panel in a tiny app: every mode at every size, the mode cycle, the log toggle, and
what the rendered text says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rich.color import Color
from rich.text import Text
from textual.app import App, ComposeResult

from tui.app.plots import curves, loss_surface
from tui.app.plots.plot_panel import MODES, RAMP, PlotPanel, canvas_size
from tui.data import Dataset, load
from tui.engine.session import Config, Session
from tui.format import num

SIZES = [(120, 40), (10, 5), (1, 1)]
BANDS = [Color.from_rgb(*rgb) for rgb in RAMP]

VIEW = loss_surface.SurfaceView()
"""The surface as one plot keeps it (its range widens, its grid is reused); a new session
starts it afresh."""


class PlotApp(App):
    """Just the panel, filling the screen."""

    def compose(self) -> ComposeResult:
        yield PlotPanel()


def seed(steps: int = 1000, lr: float = 2.0) -> tuple[Session, Dataset]:
    dataset = load("seed")
    session = Session(dataset.x, dataset.y, Config(loss="mse", lr=lr))
    session.step(steps)
    return session, dataset


def diverged() -> tuple[Session, Dataset]:
    dataset = load("seed")
    session = Session(dataset.x, dataset.y, Config(loss="bce", lr=1e308))
    while not session.diverged:
        session.step()
    return session, dataset


def generated(n: int) -> tuple[Session, Dataset]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 1))
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * x[:, 0]))).astype(float)
    dataset = Dataset("gen", Path("gen.csv"), x, y, ("hours",), "passed", "", {}, False)
    session = Session(x, y, Config(loss="bce", lr=0.5))
    session.step(30)
    return session, dataset


def rendered(panel: PlotPanel) -> Text:
    """What the panel shows at its size, as one Text: a line per strip, a span per segment."""
    text = Text()
    for y in range(panel.size.height):
        if y:
            text.append("\n")
        for segment in panel.render_line(y):
            text.append(segment.text, segment.style)
    return text


def x_tick_labels(text: Text) -> list[str]:
    """The labels under the x axis (the line above the axis labels)."""
    return text.plain.rstrip("\n").splitlines()[-2].split()


def axis_labels(text: Text) -> list[str]:
    """The bottom line: the y label at its left, the x label under the canvas."""
    return text.plain.rstrip("\n").splitlines()[-1].split()


def y_tick_labels(text: Text) -> list[str]:
    """The labels left of the y axis (`label┤`)."""
    return [line.split("┤")[0].strip() for line in text.plain.splitlines() if "┤" in line]


async def test_every_mode_renders_at_every_size():
    for session, dataset in (seed(), seed(0), diverged()):
        for size in SIZES:
            app = PlotApp()
            async with app.run_test(size=size) as pilot:
                panel = app.query_one(PlotPanel)
                panel.show(session, dataset)
                for mode in MODES:
                    for log in (False, True):
                        panel.mode, panel.log = mode, log
                        await pilot.pause()
                        assert panel.size == (size[0], size[1])
                        rendered(panel)


async def test_zero_height_renders():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(60, 20)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.styles.height = 0
        panel.show(session, dataset)
        await pilot.pause()
        for mode in MODES:
            panel.mode = mode
            assert panel.size.height == 0
            rendered(panel)


async def test_loss_plot_shows_title_ticks_and_the_current_step():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        await pilot.pause()
        plain = rendered(panel).plain
        assert "loss L(θ_t)" in plain and "(log10)" not in plain
        assert "step" in plain
        curve = curves.loss_curve(session.losses(), 120, False)
        assert y_tick_labels(rendered(panel)) == curve.y.ticks.labels[::-1]  # top line first
        assert "0.01" in curve.y.ticks.labels
        assert x_tick_labels(rendered(panel)) == ["0", "200", "400", "600", "800", "1000"]
        assert plain.count("●") == 1  # θ_t


async def test_log_toggle_changes_the_y_tick_labels():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        await pilot.pause()
        linear = y_tick_labels(rendered(panel))
        assert panel.toggle_log() is True
        await pilot.pause()
        text = rendered(panel)
        log = y_tick_labels(text)
        assert "loss L(θ_t) (log10)" in text.plain
        assert log != linear
        curve = curves.loss_curve(session.losses(), 120, True)
        assert log == curve.y.ticks.labels[::-1]
        assert log == ["0.02", "0.01", "0.005", "0.002"]
        assert panel.toggle_log() is False
        assert y_tick_labels(rendered(panel)) == linear


async def test_fit_plot_shows_data_curve_and_parameters():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        panel.mode = "fit"
        await pilot.pause()
        plain = rendered(panel).plain
        assert f"w = {num(session.w()[0])}, b = {num(session.b())}" in plain
        assert "ŷ = σ(w·x + b)" in plain
        assert plain.count("●") == 5  # the five points
        assert {"0", "1"} <= set(y_tick_labels(rendered(panel)))
        assert axis_labels(rendered(panel)) == ["y", "x"]  # target bottom-left, feature below


async def test_surface_plot_paints_every_cell_and_draws_the_path():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        panel.mode = "surface"
        await pilot.pause()
        text = rendered(panel)
        plain = text.plain
        assert "loss surface" in plain and "from" not in plain
        lines = plain.splitlines()
        assert axis_labels(text) == ["b", "w"]
        assert "●" in plain  # θ_t
        assert any(ch in plain for ch in "⠁⠂⠄⡀⠈⠐⠠⢀")  # the path in braille
        # the geometry the panel assumes is plotext's own
        matrix = panel.plt.monitor.matrix
        label_width = len(lines[2].split("│")[0].split("┤")[0]) if "┤" in lines[2] else None
        columns, rows = len(matrix.Cols_canvas), len(matrix.Rows_canvas)
        assert (columns, rows) == canvas_size(120, 40, matrix.Cols_canvas.start - 1)
        assert label_width is None or label_width == matrix.Cols_canvas.start - 1
        # every canvas cell gets a heat background, and the lowest band lies at the minimum
        heat = [span for span in text.spans if span.style.bgcolor in BANDS]
        assert sum(span.end - span.start for span in heat) == columns * rows
        surface = VIEW.surface(session, columns, rows)
        r, c = np.unravel_index(surface.loss.argmin(), surface.loss.shape)
        offset = (2 + rows - 1 - r) * 121 + matrix.Cols_canvas.start + c
        assert any(s.start <= offset < s.end and s.style.bgcolor == BANDS[0] for s in heat)


@pytest.mark.parametrize("size", [(40, 12), (200, 60), (23, 7)])
async def test_surface_heat_covers_plotexts_canvas_at_other_sizes(size):
    session, dataset = seed(300)
    app = PlotApp()
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        panel.mode = "surface"
        await pilot.pause()
        text = rendered(panel)
        matrix = panel.plt.monitor.matrix
        columns, rows = len(matrix.Cols_canvas), len(matrix.Rows_canvas)
        assert (columns, rows) == canvas_size(*size, matrix.Cols_canvas.start - 1)
        heat = [span for span in text.spans if span.style.bgcolor in BANDS]
        assert sum(span.end - span.start for span in heat) == columns * rows
        lines = text.plain.split("\n")
        starts = np.cumsum([0] + [len(line) + 1 for line in lines])
        covered: dict[int, list[int]] = {}
        for span in heat:
            line = int(np.searchsorted(starts, span.start, side="right")) - 1
            covered.setdefault(line, []).extend(
                range(span.start - starts[line], span.end - starts[line])
            )
        assert sorted(covered) == list(range(2, 2 + rows))  # below the title and the frame
        for line, cells in covered.items():  # each row: the whole inside of the frame
            inside = lines[line][min(cells) - 1 : max(cells) + 2]
            assert sorted(cells) == list(range(min(cells), max(cells) + 1))
            assert inside[0] in "│┤" and inside[-1] == "│" and len(inside) == columns + 2


async def test_the_colour_scale_is_under_the_surface_only():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        for mode, legend in (("fit", False), ("surface", True), ("loss", False)):
            panel.mode = mode
            await pilot.pause()
            subtitle = panel.border_subtitle or ""
            assert ("log₁₀ L: low" in subtitle and "not finite" in subtitle) == legend


async def test_surface_title_says_when_subsampled():
    session, dataset = generated(3000)
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        panel.mode = "surface"
        await pilot.pause()
        assert "loss surface from 1,500 of 3,000 points" in rendered(panel).plain
        panel.mode = "fit"
        assert axis_labels(rendered(panel)) == ["passed", "hours"]


async def test_cycle_order_and_log_flag():
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(80, 24)):
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        assert panel.mode == "loss" and panel.log is False
        assert [panel.cycle() for _ in range(5)] == ["fit", "surface", "lens", "loss", "fit"]
        with pytest.raises(ValueError):
            panel.mode = "histogram"


async def test_more_than_one_feature_stays_on_the_loss_plot():
    iris = load("iris")
    session = Session(iris.x, iris.y, Config(loss="bce", lr=0.2))
    session.step(50)
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.mode = "surface"
        panel.show(session, iris)
        assert panel.mode == "loss"
        assert [panel.cycle() for _ in range(4)] == ["lens", "loss", "lens", "loss"]
        await pilot.pause()
        assert "loss L(θ_t)" in rendered(panel).plain


async def test_diverged_session_renders_every_mode():
    session, dataset = diverged()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        await pilot.pause()
        for log in (False, True):
            panel.log = log
            assert "loss L(θ_t)" in rendered(panel).plain
            assert "L is not finite at step 1: not drawn" in rendered(panel).plain
        panel.mode = "fit"  # θ_1 = (4.5e307, 1.1e291): finite, so the curve is drawn
        assert f"w = {num(session.w()[0])}, b = {num(session.b())}" in rendered(panel).plain
        panel.mode = "surface"  # w is past ±1e300: drawn at the edge
        assert "path clipped at ±1e300" in rendered(panel).plain


async def test_history_beyond_the_cursor_is_drawn_and_the_cursor_marked():
    session, dataset = seed(200)
    session.goto(50)
    app = PlotApp()
    async with app.run_test(size=(100, 30)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        await pilot.pause()
        plain = rendered(panel).plain
        assert plain.count("●") == 1
        assert x_tick_labels(rendered(panel))[-1] == "200"  # the axis runs to the last state


async def test_constant_loss_renders():
    x = np.zeros((4, 1))
    session = Session(x, np.full(4, 0.5), Config())  # σ(0) = 0.5: L = 0, ∇L = 0 forever
    session.step(20)
    assert set(session.losses().tolist()) == {0.0}
    dataset = Dataset("flat", Path("flat.csv"), x, np.full(4, 0.5), ("x",), "y", "", {}, False)
    app = PlotApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        await pilot.pause()
        for mode in MODES:
            for log in (False, True):
                panel.mode, panel.log = mode, log
                assert rendered(panel).plain.strip()


async def test_drawn_once_per_repaint_and_size(monkeypatch):
    session, dataset = seed()
    app = PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(PlotPanel)
        panel.show(session, dataset)
        await pilot.pause()
        sizes = []
        draw = panel.draw
        monkeypatch.setattr(panel, "draw", lambda w, h: sizes.append((w, h)) or draw(w, h))
        panel.refresh()
        first = [panel.render_line(y).text for y in range(40)]
        assert sizes == [(120, 40)]  # every line from one drawing
        assert [panel.render_line(y).text for y in range(40)] == first
        assert sizes == [(120, 40)]  # and no drawing again until a repaint
        panel.refresh()
        assert [panel.render_line(y).text for y in range(40)] == first
        assert sizes == [(120, 40)] * 2
        session.goto(500)
        panel.show(session, dataset)  # another step is another drawing
        assert [panel.render_line(y).text for y in range(40)] != first
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        panel.render_line(0)
        assert sizes[-1] == (80, 24)


def test_a_title_keeps_its_name_before_the_note_when_only_the_short_name_fits():
    from tui.app.plots.drawing import titled

    note = "path clipped at ±1e300"
    long = "loss surface, L 0.25…0.25"
    assert titled(80, long, note, "loss surface") == f"{long} · {note}"
    assert titled(40, long, note, "loss surface") == f"loss surface · {note}"
    assert titled(25, long, note, "loss surface") == note
    assert titled(80, long, "", "loss surface") == long
