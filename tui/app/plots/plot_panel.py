"""The plot panel: the loss curve, the data with the fitted sigmoid, the loss surface, or the
Taylor lens (the loss along the last update).

It draws what axes, curves, loss_surface and lens compute, and computes no mathematics itself.
Every value goes to plotext as a fraction of its axis (`axes.drawable`), so that plotext,
which computes in floats and overflows on spans near 1e308, only meets numbers in [0, 1].
Every repaint draws the plot again from `clear_figure()`, at the widget's current size, so a
resize, a theme change or a new step all redraw from the session. plotext lays out the cells;
they go to the screen as strips straight from its matrix, not through its ANSI text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np
from textual.reactive import reactive
from textual.strip import Strip
from textual_plotext import PlotextPlot

from tui.app.plots import axes, curves, loss_surface
from tui.app.plots import dial as dial_view
from tui.app.plots import lens as lens_view
from tui.app.plots.drawing import (
    BANDS,
    CURRENT,
    DATA,
    FIT,
    FUTURE,
    LEGEND,
    NOT_FINITE,
    ON_LIGHT,
    PAST,
    PATH,
    RAMP,
    Frame,
    canvas_size,
    first_fitting,
    on_cells,
    on_screen,
    titled,
)
from tui.app.plots.plot_modes import LensAndDial
from tui.app.plots.plotext_adapter import build_matrix, matrix_strips, paint_background
from tui.app.widgets.compare_panel import RUN_COLOURS
from tui.data import Dataset
from tui.engine.race import Race
from tui.engine.session import Session
from tui.format import Precision, count, current_precision, num, precision

CYCLE = ("loss", "fit", "surface", "lens")
"""The modes `t` goes through."""

MODES = (*CYCLE, "dial")
"""… and the direction dial's sweep (u)."""

ANY_D = ("loss", "lens", "dial")
"""The modes that draw any number of features (the lens is 1-D in s, the dial in β)."""

BIG_DATA = 200
"""The fit draws up to this many points as ●, more as braille dots."""


@dataclass(frozen=True)
class _Heat:
    """Where the surface's grid lies in plotext's matrix: its top-left cell is at column
    `column0` of line `line0` from the top (below the title and the frame), its top row is the
    highest b."""

    surface: loss_surface.Surface
    column0: int
    line0: int


def _heat_colours(heat: _Heat) -> list[list[tuple[int, int, int]]]:
    """The background colour of each cell of the surface's grid, top row (the highest b)
    first."""
    bands = loss_surface.band_grid(heat.surface, BANDS)
    rows = bands[::-1].tolist()
    return [[RAMP[band] if band >= 0 else NOT_FINITE for band in row] for row in rows]


class PlotPanel(LensAndDial, PlotextPlot):
    """One plot of the session: `loss` (L(θ_t) against t), `fit` (data and σ(w·x + b)),
    `surface` (L(w, b) with the path, and the dial's arrows while it is on), `lens` (L along
    the last update, with its tangent and parabola) or `dial` (the direction dial's sweep);
    fit and surface need one feature."""

    mode: reactive[str] = reactive("loss")
    log: reactive[bool] = reactive(False)

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.session: Session | None = None
        self.dataset: Dataset | None = None
        self._strips: tuple[tuple[int, int], list[Strip]] | None = None  # (size, lines)
        self.surface_view = loss_surface.SurfaceView()  # the surface's range and grid, kept
        self.lens_view = lens_view.LensView()  # the last lens, kept
        self.dialled: dial_view.Dialled | None = None  # the direction dial, while it is on
        self.race: Race | None = None  # compare mode's runs (None or one run: no overlay)
        self._precision = Precision.ROUNDED  # how `show` was asked to write the numbers

    # ---- API ------------------------------------------------------------------------------
    def show(
        self,
        session: Session,
        dataset: Dataset,
        dialled: dial_view.Dialled | None = None,
        race: Race | None = None,
    ) -> None:
        """Draw this session (and name the axes after the dataset's columns), with the
        direction dial's sweep and arrows while it is on, and in compare mode every run of
        `race` on the loss plot and the surface; numbers in the precision of the code that
        calls `show` (`tui.format.precision`)."""
        self.session, self.dataset, self.dialled = session, dataset, dialled
        self.race = race if race is not None and len(race.runners) > 1 else None
        self._precision = current_precision()
        if session.d > 1 and self.mode not in ANY_D:
            self.mode = "loss"
        self.refresh()

    def cycle(self) -> str:
        """The next mode (loss → fit → surface → lens → loss); loss → lens → loss when
        d > 1."""
        one_feature = self.session is None or self.session.d == 1
        modes = CYCLE if one_feature else ("loss", "lens")
        self.mode = (
            modes[(modes.index(self.mode) + 1) % len(modes)] if self.mode in modes else "loss"
        )
        return self.mode

    def toggle_log(self) -> bool:
        """log10 on the loss plot, or back to linear. Returns the new setting."""
        self.log = not self.log
        return self.log

    def watch_mode(self, mode: str) -> None:
        self.border_subtitle = LEGEND if mode == "surface" else None

    def validate_mode(self, mode: str) -> str:
        if mode not in MODES:
            raise ValueError(f"plot mode must be one of {', '.join(MODES)}, not {mode!r}")
        return mode

    # ---- drawing --------------------------------------------------------------------------
    def refresh(
        self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        self._strips = None  # whatever asks for a repaint gets a new drawing
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_line(self, y: int) -> Strip:
        """Line y of the plot, drawn once per repaint and size (Textual's line API)."""
        size = (self.size.width, self.size.height)
        if self._strips is None or self._strips[0] != size:
            with precision(self._precision):
                self._strips = (size, self.draw(*size))
        lines = self._strips[1]
        return lines[y] if y < len(lines) else Strip.blank(size[0])

    def draw(self, width: int, height: int) -> list[Strip]:
        """The whole plot at this size, one strip per line."""
        plt = self.plt
        plt.clear_figure()
        session = self.session
        heat = None
        if session is None:
            plt.title(first_fitting(width - 2, "no data"))
        elif self.mode == "lens":
            self.draw_lens(session, width, height)
        elif self.mode == "dial":
            self.draw_dial(session, width, height)
        elif self.mode == "loss" or session.d > 1:
            self._draw_loss(session, width, height)
        elif self.mode == "fit":
            self._draw_fit(session, width, height)
        else:
            heat = self._draw_surface(session, width, height)
        matrix = build_matrix(self, width, height)
        if heat is not None:  # the path and θ_t, drawn by plotext, keep their colour on top
            paint_background(matrix, heat.line0, heat.column0, _heat_colours(heat))
        return matrix_strips(matrix, width, {} if self.app.current_theme.dark else ON_LIGHT)

    def frame_axes(self, x: axes.Axis, y: axes.Axis, width: int, height: int) -> Frame:
        """Give plotext the axes: every value goes to it as a fraction of its axis
        (`plot_points`), so its limits are [0, 1] and the ticks sit at their fractions."""
        plt = self.plt
        plt.xlim(0.0, 1.0)
        plt.ylim(0.0, 1.0)
        plt.xticks(x.tick_places, on_screen(x.ticks.labels))
        plt.yticks(y.tick_places, on_screen(y.ticks.labels))
        label_width = max(map(len, y.ticks.labels), default=0)
        return Frame(x, y, *canvas_size(width, height, label_width), label_width)

    def plot_points(
        self,
        frame: Frame,
        x: np.ndarray | list[float],
        y: np.ndarray | list[float],
        marker: str,
        color: tuple[int, int, int],
        line: bool = False,
        label: str | None = None,
    ) -> axes.Drawn:
        """Draw the points (x_i, y_i), joined when `line` within each stretch of finite
        points (never across a nan or ±inf): those plotext can (`drawable`), braille moved
        onto the cells of the ticks (`on_cells`). Returns what was drawn."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        drawn = axes.drawable(x, y, frame.x, frame.y)
        if not line:
            self.draw_part(frame, drawn, self.plt.scatter, marker, color, label)
            return drawn
        for part in axes.finite_stretches(np.isfinite(x) & np.isfinite(y)):
            self.draw_part(
                frame,
                axes.drawable(x[part], y[part], frame.x, frame.y),
                self.plt.plot,
                marker,
                color,
                label,
            )
            label = None  # once, on the first stretch
        return drawn

    def draw_part(
        self,
        frame: Frame,
        drawn: axes.Drawn,
        draw: Callable[..., None],
        marker: str,
        color: tuple[int, int, int],
        label: str | None,
    ) -> None:
        """Hand plotext one series of placed points (`draw`: plot or scatter)."""
        xs, ys = drawn.x, drawn.y
        if marker == "braille":
            xs, ys = on_cells(xs, frame.columns, 2), on_cells(ys, frame.rows, 4)
        if label is not None and not xs:  # plotext's legend fails on a curve with no points
            label = None
        draw(xs, ys, marker=marker, color=color, label=label)

    def _draw_loss(self, session: Session, width: int, height: int) -> None:
        if self.race is not None:
            self._draw_race_losses(self.race, width, height)
            return
        plt = self.plt
        losses = session.history.losses(0, session.last)
        curve = curves.loss_curve(losses, width, self.log, mark=session.t)
        title = "loss L(θ_t)" + (" (log10)" if self.log else "")
        if curve.empty:
            plt.title(first_fitting(width - 2, curve.not_drawn, "L is not finite"))
            return
        frame = self.frame_axes(curve.x, curve.y, width, height)
        xs, ys, k = curve.xs, curve.ys, curve.before_mark
        if k < len(xs):  # the history beyond the cursor, greyed, joined to the part before it
            start = max(k - 1, 0)
            self.plot_points(frame, xs[start:], ys[start:], "braille", FUTURE, line=True)
            plt.vline(frame.x.place(session.t).item(), color=FUTURE)
        if k:
            self.plot_points(frame, xs[:k], ys[:k], "braille", PAST, line=True)
        if curve.mark_y is not None:
            self.plot_points(frame, [session.t], [curve.mark_y], "●", CURRENT)
        plt.title(titled(frame.columns, title, curve.not_drawn, "loss"))
        plt.xlabel("step")

    def _draw_race_losses(self, race: Race, width: int, height: int) -> None:
        """Compare mode: each run's L(θ_0) … L(θ_t) in its colour, on shared axes, with a
        legend of the runs' labels."""
        plt = self.plt
        sessions = race.sessions
        found = curves.loss_curves([s.losses() for s in sessions], width, self.log)
        drawn = [curve for curve in found if not curve.empty]
        title = "loss L(θ_t) of each run" + (" (log10)" if self.log else "")
        if not drawn:
            plt.title(first_fitting(width - 2, "L is not finite in any run", "L nan"))
            return
        frame = self.frame_axes(drawn[0].x, drawn[0].y, width, height)
        for index, (runner, curve) in enumerate(zip(race.runners, found, strict=True)):
            label = f"{index} {runner.label}"
            self.plot_points(frame, curve.xs, curve.ys, "braille", RUN_COLOURS[index], True, label)
        notes = [f"run {i}: {c.not_drawn}" for i, c in enumerate(found) if c.not_drawn]
        plt.title(titled(frame.columns, title, " · ".join(notes), "loss of each run", "loss"))
        plt.xlabel("step")

    def _draw_fit(self, session: Session, width: int, height: int) -> None:
        plt = self.plt
        x_lo, x_hi, y_lo, y_hi = curves.fit_range(session)
        frame = self.frame_axes(
            axes.axis(x_lo, x_hi, max(2, min(8, width // 12))),
            axes.axis(y_lo, y_hi, max(2, min(6, height // 5))),
            width,
            height,
        )
        w, b = session.w()[0], session.b()
        notes = []
        if math.isfinite(w) and math.isfinite(b):
            curve_x, y_hat = curves.fit_curve(session, 2 * max(width, 1))
            self.plot_points(frame, curve_x, y_hat, "braille", FIT, line=True)
        else:
            notes.append("θ_t is not finite: curve not drawn")
        x, y = curves.data_points(session)
        marker = "●" if len(x) <= BIG_DATA else "braille"
        data = self.plot_points(frame, x, y, marker, DATA)  # the data on top
        if data.not_finite:
            notes.append(f"{count(data.not_finite, 'point')} not finite: not drawn")
        feature, target = self._axis_names()
        plt.ylabel(target)
        title = f"ŷ = σ(w·x + b), w = {num(w)}, b = {num(b)}"
        short = f"w = {num(w)}, b = {num(b)}"
        shown = titled(frame.columns, title, " · ".join(notes), short)
        if short in shown:
            plt.xlabel(feature)
        else:  # exact numbers (p) in a narrow plot: w above, b on the axis's label
            shown = titled(frame.columns, f"w = {num(w)}", " · ".join(notes))
            plt.xlabel(first_fitting(width - 2, f"{feature} · b = {num(b)}", f"b = {num(b)}"))
        plt.title(shown)

    def _draw_surface(self, session: Session, width: int, height: int) -> _Heat | None:
        """The frame, the path and θ_t; the heat is painted on plotext's matrix afterwards
        (`paint_background`): as plotext points it would cost 5× more and hide under the
        path."""
        plt = self.plt
        others, left_out = self._other_paths(session)
        w_lo, w_hi, b_lo, b_hi = self.surface_view.range(session, tuple(others.values()))
        frame = self.frame_axes(
            axes.axis(w_lo, w_hi, max(2, min(8, width // 12))),
            axes.axis(b_lo, b_hi, max(2, min(6, height // 5))),
            width,
            height,
        )
        columns, rows = max(frame.columns, 1), max(frame.rows, 1)
        surface = self.surface_view.surface(session, columns, rows, tuple(others.values()))
        path_w, path_b = surface.path_w, surface.path_b
        clipped = 0
        for index, other in others.items():  # under the selected run's path
            w, b = loss_surface.path_of(other).T
            run_colour = RUN_COLOURS[index]
            clipped += self.plot_points(frame, w, b, "braille", run_colour, line=True).clipped
            clipped += self.plot_points(frame, w[-1:], b[-1:], "●", run_colour).clipped
        colour = PATH if self.race is None else RUN_COLOURS[self.race.selected]
        clipped += self.plot_points(frame, path_w, path_b, "braille", colour, line=True).clipped
        clipped += self.plot_points(frame, [surface.w], [surface.b], "●", CURRENT).clipped
        if self.dialled is not None:
            self.draw_arrows(frame, session, self.dialled)
        title = "loss surface"
        if surface.subsampled_from is not None:
            title += f" from {surface.points:,} of {count(surface.subsampled_from, 'point')}"
        scale = loss_surface.describe_loss_range(surface)
        notes = [axes.not_drawn(np.isfinite(session.thetas()).all(axis=1), "θ")]
        if clipped:
            notes.append("path clipped at ±1e300")  # axes.RANGE_LIMIT
        if left_out:
            notes.append(f"not on this surface (another loss): run {', '.join(left_out)}")
        note = " · ".join(filter(None, notes))
        shown = titled(frame.columns, f"{title}, {scale}", note, scale, title, "L(w, b)")
        plt.title(shown)
        label = self.surface_label(width)
        if scale not in shown and self.dialled is None:  # exact numbers (p): under the plot
            label = first_fitting(width - 2, f"w · {scale}", scale, label)
        plt.xlabel(label)
        plt.ylabel("b")
        if frame.columns <= 0 or frame.rows <= 0:
            return None
        return _Heat(surface, column0=frame.label_width + 1, line0=2)

    def _other_paths(self, session: Session) -> tuple[dict[int, Session], list[str]]:
        """Compare mode: the other runs whose paths lie on the selected run's surface (the
        same loss and reduction), by index, and the indices of those that do not."""
        if self.race is None:
            return {}, []
        same: dict[int, Session] = {}
        left_out = []
        for index, other in enumerate(self.race.sessions):
            if other is session:
                continue
            a, b = other.config, session.config
            if (a.loss, a.reduction) == (b.loss, b.reduction):
                same[index] = other
            else:
                left_out.append(str(index))
        return same, left_out

    def _axis_names(self) -> tuple[str, str]:
        if self.dataset is None or self.dataset.d != 1:
            return "x", "y"
        return self.dataset.features[0], self.dataset.target
