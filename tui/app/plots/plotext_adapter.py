"""Every use of plotext's and textual-plotext's private API in gdstep, behind small functions.

Checked against plotext 5.2.8 and 5.3.2 with textual-plotext 1.0.1 (pyproject: `plotext>=5.2.8,<6`,
`textual-plotext>=1.0.1,<2`; README, "Dependency versions").

The plot panel draws plotext's matrix of cells straight to the screen as strips instead of
writing plotext's ANSI text and parsing it back, and paints the loss surface's colours on the
matrix's background. For that it needs, with no public API for either:

- `build_matrix`: what `PlotextPlot.render` and plotext's `build()` do, up to the matrix
  (`_figure._set_size`, `_set_sizes`, `_build_matrix`; textual-plotext's
  `PlotextPlot._get_plotext_theme_name`);
- the matrix itself (`plotext._matrix.matrix_class`: `rows`, `cols`, `Rows`, `marker`,
  `fullground`, `style`, `background`, row 0 at the bottom): `matrix_strips`,
  `paint_background`;
- the ANSI codes plotext writes for a cell's colours (`plotext._utility.colors_to_ansi`):
  `cell_style`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from plotext._utility import colors_to_ansi
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual_plotext import PlotextPlot

Matrix = Any
"""plotext's matrix of cells (`plotext._matrix.matrix_class`)."""

Colour = object
"""A plotext colour: a name, or an (r, g, b) tuple (all of gdstep's are tuples)."""


def build_matrix(plot: PlotextPlot, width: int, height: int) -> Matrix:
    """Lay out what has been drawn on `plot.plt` in width × height cells, in the app's theme
    (as textual-plotext does), and return plotext's matrix of those cells."""
    plt = plot.plt
    plt.plotsize(width, height)
    plt._set_size(width, height)
    plt.theme(plot._get_plotext_theme_name(plot.app.theme))
    plt._set_sizes()
    plt._build_matrix()
    return plt.monitor.matrix


def paint_background(
    matrix: Matrix, line: int, column: int, colours: Sequence[Sequence[Colour]]
) -> None:
    """Set the background of the cells from line `line` (from the top) and column `column`
    on: row k of `colours` on line `line + k`; what falls outside the matrix is left out."""
    for k, row in enumerate(colours[: max(matrix.rows - line, 0)]):
        background = matrix.background[matrix.rows - 1 - line - k]
        room = max(min(len(row), matrix.cols - column), 0)
        background[column : column + room] = row[:room]


@functools.cache
def cell_style(foreground: object, style: object, background: object) -> Style:
    """The rich style of a plotext cell, read back from the ANSI codes plotext writes for it
    (so the colours are those of plotext's own text output)."""
    text = Text.from_ansi(colors_to_ansi(foreground, style, background) + " ")
    return text.spans[0].style if text.spans else Style.null()


def matrix_strips(
    matrix: Matrix, width: int, on_canvas: Mapping[Colour, Colour] | None = None
) -> list[Strip]:
    """plotext's matrix as Textual strips, top line first, one segment per run of cells of
    the same colours: what `Text.from_ansi(plot.build())` shows, without writing and parsing
    the ANSI text. A foreground colour in `on_canvas` is drawn as the colour it maps to where
    the cell has the canvas's own background (not one painted by `paint_background`)."""
    canvas, recolour = matrix.canvas_color, on_canvas or {}
    strips = []
    for row in reversed(matrix.Rows):
        foreground = (
            [
                recolour.get(colour, colour) if background == canvas else colour
                for colour, background in zip(
                    matrix.fullground[row], matrix.background[row], strict=True
                )
            ]
            if recolour
            else matrix.fullground[row]
        )
        cells = zip(
            zip(foreground, matrix.style[row], matrix.background[row], strict=True),
            matrix.marker[row],
            strict=True,
        )
        segments = [
            Segment("".join(map(itemgetter(1), run)), cell_style(*colours))
            for colours, run in itertools.groupby(cells, key=itemgetter(0))
        ]
        strips.append(Strip(segments).crop_extend(0, width, None))
    return strips
