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
    width: int | None = None,
) -> Text:
    """Cells padded to their column's width (justify "left" or "right" per column); a plain
    string cell takes its column's style from `styles`. Given a `width`, a row longer than it
    wraps its last cell (a comment) under that cell's own column, not at column 0 where it
    would run under the names."""
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
        column = 0  # where the next cell starts on this line
        for j, cell in enumerate(row):
            pad = " " * (widths[j] - cell.cell_len)
            right = j < len(justify) and justify[j] == "right"
            if j:
                out.append(" " * gap)
            if right:
                out.append(pad)
            column += (gap if j else 0) + (len(pad) if right else 0)
            if width is not None and j and j == len(row) - 1:
                cell = hang(cell, column, width)
            out.append_text(cell)
            column += cell.cell_len
            if not right and j < len(row) - 1:
                out.append(pad)
                column += len(pad)
    return out


HANG_LEAST = 12
"""The fewest columns a hanging comment wraps in: in less, the terminal's own wrap reads better."""


def hang(cell: Text, column: int, width: int) -> Text:
    """`cell`, starting at `column` of a line `width` wide, broken at spaces into lines that
    fit, each after the first indented to `column` (a word longer than a line is cut)."""
    room = width - column
    if cell.cell_len <= room or room < HANG_LEAST:
        return cell
    plain, cuts, line_start, space = cell.plain, [], 0, -1
    for i, char in enumerate(plain):
        if char == " ":
            space = i
        if i - line_start >= room:  # plain's characters are one cell each (names, numbers)
            cut = space + 1 if space > line_start else i
            cuts.append(cut)
            line_start = cut
    lines = cell.divide(cuts)
    out = Text()
    for n, line in enumerate(lines):
        if n:
            out.append("\n" + " " * column)
        line.rstrip()
        out.append_text(line)
    return out
