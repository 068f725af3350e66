"""The plot panel: the loss curve, the data with the fitted sigmoid, or the loss surface.

It draws what `tui.plotdata` computes and computes no mathematics itself. Everything is drawn
in `render()` from `clear_figure()`, at the widget's current size, so a resize, a theme
change or a new step all redraw from the session.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Span, Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from tui import plotdata
from tui.data import Dataset
from tui.format import count, num
from tui.session import Session

MODES = ("loss", "fit", "surface")

PAST = (0, 150, 255)
FUTURE = (120, 120, 120)
CURRENT = (255, 70, 70)
DATA = (255, 165, 0)
FIT = (0, 220, 220)
PATH = (255, 255, 255)
NOT_FINITE = (140, 0, 0)

RAMP_STOPS = ((20, 24, 90), (30, 80, 160), (30, 150, 145), (120, 200, 80), (250, 230, 40))
"""Dark blue (low loss) to yellow (high loss)."""

BANDS = 16
"""Colour bands of the surface (each band one background colour)."""


def _ramp(bands: int) -> list[tuple[int, int, int]]:
    """`bands` colours evenly along RAMP_STOPS."""
    colours = []
    for k in range(bands):
        t = k / max(bands - 1, 1) * (len(RAMP_STOPS) - 1)
        i = min(int(t), len(RAMP_STOPS) - 2)
        f = t - i
        a, b = RAMP_STOPS[i], RAMP_STOPS[i + 1]
        colours.append(tuple(round(a[j] + (b[j] - a[j]) * f) for j in range(3)))
    return colours


RAMP = _ramp(BANDS)

BIG_DATA = 200
"""The fit draws up to this many points as ●, more as braille dots."""


def canvas_size(width: int, height: int, y_label_width: int) -> tuple[int, int]:
    """The data area plotext leaves in a width × height plot with a title, an x label, x tick
    labels, y tick labels `y_label_width` wide and the frame (plotext 5.3 `build_plot`);
    zero or less when there is none."""
    return width - 2 - y_label_width, height - 5


def _first_fitting(width: int, *titles: str) -> str:
    """The first title that fits in `width` columns (plotext drops a title that does not)."""
    return next((title for title in titles if len(title) <= width), "")


@dataclass(frozen=True)
class _Heat:
    """Where the surface's grid lies in the rendered text: its top-left cell is at column
    `column0` of line `line0` (below the title and the frame), its top row is the highest b."""

    surface: plotdata.Surface
    column0: int
    line0: int


BAND_STYLES = [Style(bgcolor=Color.from_rgb(*rgb)) for rgb in RAMP]
NOT_FINITE_STYLE = Style(bgcolor=Color.from_rgb(*NOT_FINITE))


def _heat_spans(heat: _Heat, lines: list[str]) -> list[Span]:
    """Background spans for the grid cells, one per run of equal band in a row, clipped to
    the lines of the text (which is smaller than the grid only at tiny sizes)."""
    bands = plotdata.band_grid(heat.surface, BANDS)
    rows, columns = bands.shape
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    spans = []
    for i in range(rows):
        line = heat.line0 + i
        if line >= len(lines):
            break
        room = min(columns, len(lines[line]) - heat.column0)
        if room <= 0:
            continue
        row = bands[rows - 1 - i, :room]
        cuts = [0, *(np.flatnonzero(np.diff(row)) + 1).tolist(), room]
        offset = starts[line] + heat.column0
        for a, b in itertools.pairwise(cuts):
            band = int(row[a])
            style = BAND_STYLES[band] if band >= 0 else NOT_FINITE_STYLE
            spans.append(Span(offset + a, offset + b, style))
    return spans


def _same_key(a: tuple, b: tuple) -> bool:
    """Keys compare the grid by identity (numpy arrays have no truth value for ==)."""
    return a[0] is b[0] and a[1:] == b[1:]


class PlotPanel(PlotextPlot):
    """One plot of the session: `loss` (L(θ_t) against t), `fit` (data and σ(w·x + b)) or
    `surface` (L(w, b) with the path); fit and surface need one feature."""

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
        self._heat_spans: tuple[tuple, list[Span]] | None = None  # (key, spans), see _paint_heat

    # ---- API ------------------------------------------------------------------------------
    def show(self, session: Session, dataset: Dataset) -> None:
        """Draw this session (and name the axes after the dataset's columns)."""
        self.session, self.dataset = session, dataset
        if session.d > 1:
            self.mode = "loss"
        self.refresh()

    def cycle(self) -> str:
        """The next mode (loss → fit → surface → loss); only `loss` when d > 1."""
        if self.session is not None and self.session.d > 1:
            self.mode = "loss"
        else:
            self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        return self.mode

    def toggle_log(self) -> bool:
        """log10 on the loss plot, or back to linear. Returns the new setting."""
        self.log = not self.log
        return self.log

    def validate_mode(self, mode: str) -> str:
        if mode not in MODES:
            raise ValueError(f"plot mode must be one of {', '.join(MODES)}, not {mode!r}")
        return mode

    # ---- drawing --------------------------------------------------------------------------
    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        width, height = self.size.width, self.size.height
        session = self.session
        heat = None
        if session is None:
            plt.title(_first_fitting(width - 2, "no data"))
        elif self.mode == "loss" or session.d > 1:
            self._draw_loss(session, width)
        elif self.mode == "fit":
            self._draw_fit(session, width, height)
        else:
            heat = self._draw_surface(session, width, height)
        text = super().render()
        if heat is not None and isinstance(text, Text):
            self._paint_heat(text, heat)
        return text

    def _draw_loss(self, session: Session, width: int) -> None:
        plt = self.plt
        losses = session.history.loss[: session.last + 1]
        curve = plotdata.loss_curve(losses, width, self.log, mark=session.t)
        title = "loss L(θ_t)" + (" (log10)" if self.log else "")
        if curve.empty:
            plt.title(_first_fitting(width - 2, "no finite loss to plot", "no finite loss"))
            return
        xs, ys, k = curve.xs.tolist(), curve.ys.tolist(), curve.before_mark
        if k < len(xs):  # the history beyond the cursor, greyed, joined to the part before it
            start = max(k - 1, 0)
            plt.plot(xs[start:], ys[start:], marker="braille", color=FUTURE)
            plt.vline(session.t, color=FUTURE)
        if k:
            plt.plot(xs[:k], ys[:k], marker="braille", color=PAST)
        if curve.mark_y is not None:
            plt.scatter([float(session.t)], [curve.mark_y], marker="●", color=CURRENT)
        note = "inf/nan not drawn" if curve.nonfinite else ""
        room = canvas_size(width, 0, max(map(len, curve.y_ticks.labels), default=0))[0]
        plt.title(_first_fitting(room, f"{title} · {note}" if note else title, title, "loss"))
        plt.xlabel("step")
        plt.xlim(curve.x_lo, curve.x_hi)
        plt.ylim(curve.y_lo, curve.y_hi)
        plt.xticks(curve.x_ticks.positions, curve.x_ticks.labels)
        plt.yticks(curve.y_ticks.positions, curve.y_ticks.labels)

    def _draw_fit(self, session: Session, width: int, height: int) -> None:
        plt = self.plt
        x_lo, x_hi, y_lo, y_hi = plotdata.fit_range(session)
        x, y = plotdata.data_points(session)
        w, b = session.w()[0], session.b()
        if math.isfinite(w) and math.isfinite(b):
            curve_x, y_hat = plotdata.fit_curve(session, 2 * max(width, 1))
            plt.plot(curve_x.tolist(), y_hat.tolist(), marker="braille", color=FIT)
            title = f"ŷ = σ(w·x + b), w = {num(w, 4)}, b = {num(b, 4)}"
            short = f"w = {num(w, 4)}, b = {num(b, 4)}"
        else:
            title = short = "θ_t is not finite: no curve"
        marker = "●" if len(x) <= BIG_DATA else "braille"
        plt.scatter(x.tolist(), y.tolist(), marker=marker, color=DATA)  # the data on top
        feature, target = self._axis_names()
        plt.xlabel(feature)
        plt.ylabel(target)
        plt.xlim(x_lo, x_hi)
        plt.ylim(y_lo, y_hi)
        x_ticks = plotdata.nice_ticks(x_lo, x_hi, max(2, min(8, width // 12)))
        y_ticks = plotdata.nice_ticks(y_lo, y_hi, max(2, min(6, height // 5)))
        plt.xticks(x_ticks.positions, x_ticks.labels)
        plt.yticks(y_ticks.positions, y_ticks.labels)
        room = canvas_size(width, 0, max(map(len, y_ticks.labels), default=0))[0]
        plt.title(_first_fitting(room, title, short))

    def _draw_surface(self, session: Session, width: int, height: int) -> _Heat | None:
        """The frame, the path and θ_t; the heat is painted on the result (`_paint_heat`):
        as plotext points it would cost 5× more and hide under the path."""
        plt = self.plt
        w_lo, w_hi, b_lo, b_hi = plotdata.surface_range(session)
        w_ticks = plotdata.nice_ticks(w_lo, w_hi, max(2, min(8, width // 12)))
        b_ticks = plotdata.nice_ticks(b_lo, b_hi, max(2, min(6, height // 5)))
        label_width = max((len(label) for label in b_ticks.labels), default=0)
        columns, rows = canvas_size(width, height, label_width)
        surface = plotdata.loss_surface(session, max(columns, 1), max(rows, 1))
        if len(surface.path_w) > 1:
            plt.plot(surface.path_w.tolist(), surface.path_b.tolist(), marker="braille", color=PATH)
        if math.isfinite(surface.w) and math.isfinite(surface.b):
            plt.scatter([surface.w], [surface.b], marker="●", color=CURRENT)
        title = "loss surface"
        if surface.subsampled_from is not None:
            title += f" from {surface.points:,} of {count(surface.subsampled_from, 'point')}"
        scale = plotdata.describe_loss_range(surface)
        if surface.clipped:
            scale += ", path clipped at ±1e300"
        plt.title(_first_fitting(columns, f"{title}, {scale}", title, "loss surface", "L(w, b)"))
        plt.xlabel("w")
        plt.ylabel("b")
        plt.xlim(w_lo, w_hi)
        plt.ylim(b_lo, b_hi)
        plt.xticks(w_ticks.positions, w_ticks.labels)
        plt.yticks(b_ticks.positions, b_ticks.labels)
        if columns <= 0 or rows <= 0:
            return None
        return _Heat(surface, column0=label_width + 1, line0=2)

    def _paint_heat(self, text: Text, heat: _Heat) -> None:
        """Colour the background of the canvas cells by the surface's bands. The path and
        θ_t, drawn by plotext, keep their colour on top of the heat."""
        lines = text.plain.split("\n")
        key = (heat.surface.loss, heat.column0, heat.line0, tuple(map(len, lines)))
        if self._heat_spans is None or not _same_key(self._heat_spans[0], key):
            self._heat_spans = (key, _heat_spans(heat, lines))
        text.spans.extend(self._heat_spans[1])

    def _axis_names(self) -> tuple[str, str]:
        if self.dataset is None or self.dataset.d != 1:
            return "x", "y"
        return self.dataset.features[0], self.dataset.target
