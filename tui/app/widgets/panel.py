"""A text panel that asks for a layout pass only when its height can have changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.events import Resize
from textual.widgets import Static

from tui.app.widgets.text_grid import Cell, text_grid


class Panel(Static):
    """A Static for text that changes on every step but rarely changes shape: a new text
    with as many lines as the last, each fitting the width, is repainted without a layout
    pass."""

    _widths: tuple[int, ...] = ()
    _shape: tuple[int, int] | None = None
    _grid: tuple[Sequence[Sequence[Cell]], dict[str, Any]] | None = None

    def show_grid(self, rows: Sequence[Sequence[Cell]], **grid: Any) -> None:
        """`text_grid(rows, **grid)` fitted to the panel's width: a long comment wraps under
        its own column (a hanging indent), again whenever the width changes."""
        self._grid = (rows, grid)
        width = self.content_size.width
        self.show_text(text_grid(rows, **grid, width=width or None))

    def show_text(self, text: Text) -> None:
        self._widths = tuple(cell_len(line) for line in text.plain.split("\n"))
        shape = self._shape_now()
        self.update(text, layout=shape is None or shape != self._shape)
        self._shape = shape

    def on_resize(self, event: Resize) -> None:
        if self._grid is not None:  # wrap the same rows at the new width
            self.show_grid(self._grid[0], **self._grid[1])
        self._shape = self._shape_now()

    def _shape_now(self) -> tuple[int, int] | None:
        """(lines, width) when no line wraps; None when one does, since a wrapped line may
        take more rows with the next text."""
        width = self.content_size.width
        if width > 0 and all(w <= width for w in self._widths):
            return len(self._widths), width
        return None
