"""The point table's rows as text: a number in a column of fixed width, the columns a
horizontal scroll would cut blanked, and nan and ±inf marked in a row's style."""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.style import Style

from tui.app.widgets.text_grid import NON_FINITE
from tui.format import num

CELL = 12
"""Width of a number column: 6 significant figures of any double with a two-digit exponent
fit (`−1.23457e−99`); fewer where three would not."""


NOT_FINITE_CELL = re.compile("−?inf|nan")
"""A value that `num` writes for nan or ±inf: the only letters in a row of the table."""

NOT_FINITE_STYLE = Style.parse(NON_FINITE)
"""Over a row's own style: white on dark red, as in every panel."""


def whole_columns(line: str, prefix: int, start: int, end: int, column: int = CELL) -> str:
    """`line` with the value columns that the window [start, end) would cut blanked out, so
    that no cut-off number shows as if it were a shorter one. Columns: the first `prefix`
    characters (marker and i, never cut: `frozen` keeps them), then one of `column` + 1
    characters per value."""
    cut: list[tuple[int, int]] = []
    for s in range(prefix, len(line), column + 1):
        e = s + column + 1
        if s < start < e or s < end < e:
            cut.append((s, e))
    for s, e in cut:
        line = line[:s] + " " * (min(e, len(line)) - s) + line[e:]
    return line


def frozen(line: str, prefix: int, scroll_x: int, width: int, column: int = CELL) -> str:
    """What a window `width` wide shows of `line` scrolled by `scroll_x`: the first `prefix`
    characters (marker and i) always, then the values from `scroll_x` on, the columns the
    window would cut blanked (`whole_columns`)."""
    start, end = prefix + scroll_x, scroll_x + width
    if end <= start:  # too narrow for more than the row number
        return line[:width]
    return line[:prefix] + whole_columns(line, prefix, start, end, column)[start:end]


def cell(value: float, column: int = CELL) -> str:
    """`value` as `num` writes it (fewer digits only if 6 would not fit `column`),
    right-aligned in `column` characters (every character of `num` is one cell wide)."""
    text = num(value)
    digits = 6
    while len(text) > column and digits > 1:
        digits -= 1
        text = num(value, digits)
    return text.rjust(column)


def row_segments(text: str, style: Style) -> list[Segment]:
    """A row's text in its style, each nan and ±inf in NON_FINITE over it."""
    segments, at = [], 0
    for found in NOT_FINITE_CELL.finditer(text):
        segments.append(Segment(text[at : found.start()], style))
        segments.append(Segment(found.group(), style + NOT_FINITE_STYLE))
        at = found.end()
    segments.append(Segment(text[at:], style))
    return segments
