"""Rows of aligned cells as one rich Text: a light stand-in for rich's Table.grid, which
costs milliseconds per render in panels that redraw on every step."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

Cell = str | Text

NON_FINITE = "bold #ffffff on #b0002a"
"""The style of a nan or ±inf (white on dark red, 7:1): never the green of a falling loss or the
cyan of a weight."""


def number(text: str, value: float, style: str = "") -> Text:
    """A number's text in `style`, or in NON_FINITE when the value is nan or ±inf."""
    return Text(text, style if math.isfinite(value) else NON_FINITE)


def text_grid(
    rows: Sequence[Sequence[Cell]],
    justify: Sequence[str] = (),
    styles: Sequence[str] = ("bold",),
    gap: int = 2,
) -> Text:
    """Cells padded to their column's width (justify "left" or "right" per column); a plain
    string cell takes its column's style from `styles`."""
    cells = [
        [
            c if isinstance(c, Text) else Text(c, styles[j] if j < len(styles) else "")
            for j, c in enumerate(row)
        ]
        for row in rows
    ]
    columns = max((len(row) for row in cells), default=0)
    widths = [
        max((row[j].cell_len for row in cells if j < len(row)), default=0) for j in range(columns)
    ]
    out = Text()
    for r, row in enumerate(cells):
        if r:
            out.append("\n")
        for j, cell in enumerate(row):
            pad = " " * (widths[j] - cell.cell_len)
            right = j < len(justify) and justify[j] == "right"
            if j:
                out.append(" " * gap)
            if right:
                out.append(pad)
            out.append_text(cell)
            if not right and j < len(row) - 1:
                out.append(pad)
    return out
