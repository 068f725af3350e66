"""What the plot panel's drawings share: the colours (and those of a light theme), the
surface's colour scale, the canvas plotext leaves, titles that fit, and the frame of the plot
being drawn. Computes no mathematics."""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color
from rich.style import Style
from rich.text import Text

from tui.app.plots import axes
from tui.format import MINUS

PAST = (0, 150, 255)
FUTURE = (120, 120, 120)
CURRENT = (255, 70, 70)
DATA = (255, 165, 0)
FIT = (0, 220, 220)
PATH = (255, 255, 255)
NOT_FINITE = (140, 0, 0)
TANGENT = (120, 220, 120)
PARABOLA = (220, 120, 255)
DIAL = (255, 120, 200)

ON_LIGHT = {
    PAST: (0, 84, 178),
    FUTURE: (104, 104, 104),
    CURRENT: (196, 0, 0),
    DATA: (160, 78, 0),
    FIT: (0, 112, 122),
    TANGENT: (0, 122, 0),
    PARABOLA: (132, 38, 190),
}
"""The colours drawn instead on the plot background of a light theme (there the ones above
fall to 1.3:1); the surface's path and marks keep theirs, on the surface's own colours."""

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

LEGEND = Text.assemble(
    "log₁₀ L: low ",
    *((" ", Style(bgcolor=Color.from_rgb(*rgb))) for rgb in RAMP),
    " high  ",
    (" ", Style(bgcolor=Color.from_rgb(*NOT_FINITE))),
    " not finite",
)
"""The surface's colour scale (evenly spaced in log10 L, see `loss_surface.band_grid`), under
the plot."""


def canvas_size(width: int, height: int, y_label_width: int) -> tuple[int, int]:
    """The data area plotext leaves in a width × height plot with a title, an x label, x tick
    labels, y tick labels `y_label_width` wide and the frame (plotext 5.3 `build_plot`);
    zero or less when there is none."""
    return width - 2 - y_label_width, height - 5


def on_screen(labels: list[str]) -> list[str]:
    """Tick labels with the minus sign of every number on screen (U+2212, as `num` writes
    it); the axes keep ASCII labels, which read back as floats."""
    return [label.replace("-", MINUS) for label in labels]


def first_fitting(width: int, *titles: str) -> str:
    """The first title that fits in `width` columns (plotext drops a title that does not)."""
    return next((title for title in titles if len(title) <= width), "")


def titled(room: int, title: str, note: str, *shorter: str) -> str:
    """The title, or a shorter one, with the note after it; else the note alone (what the
    plot leaves out matters more than its name); else the title or a shorter one: the first
    that fits."""
    names = (title, *shorter)
    with_note = [*(f"{name} · {note}" for name in names), note] if note else []
    return first_fitting(room, *with_note, *names)


def on_cells(places: list[float], cells: int, dots: int) -> list[float]:
    """Places (fractions of the axis) for braille, which has `dots` dots a cell along it,
    such that each dot falls in the cell of a one-cell marker (●, a tick) at the same place.

    plotext puts a one-cell marker at ⌊0.5 + (cells − 1)·u⌋, so the axis's ends lie at the
    middle of the end cells, but a braille dot at dot ⌊0.5 + (dots·cells − 1)·u⌋, in a cell
    up to 3/8 of one higher near the top (σ < 1 drawn above the y = 1 tick) and lower near
    the bottom. At u' = (dots·(cells − 1)·u + (dots − 1)/2) / (dots·cells − 1) the dot is
    ⌊dots·((cells − 1)·u + 0.5)⌋, in cell ⌊0.5 + (cells − 1)·u⌋.
    """
    n = max(cells, 1)
    return [(dots * (n - 1) * u + (dots - 1) / 2) / (dots * n - 1) for u in places]


@dataclass(frozen=True)
class Frame:
    """The axes of the plot being drawn and the canvas plotext gives it: `columns` × `rows`
    cells right of y tick labels `label_width` wide."""

    x: axes.Axis
    y: axes.Axis
    columns: int
    rows: int
    label_width: int
