"""The per-point table: i, x_i, y_i, ŷ_i, r_i, ℓ_i, Δw_i, Δb_i at θ_t, as a window over the rows;
with `f`, the chain rule's factors ∂ℓ/∂ŷ, ∂ŷ/∂z, ∂z/∂w too.

Nothing is built per point: the table is a Line-API `ScrollView` whose virtual height is the
number of rows, and each render asks the session for the visible rows only, in one
`session.points(slice)` call. The header line stays put while the body scrolls vertically, and
scrolls horizontally with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.widgets.table_text import CELL, cell, frozen, row_segments
from tui.data import Dataset
from tui.engine.objective import Rows
from tui.engine.session import Session
from tui.format import Precision, current_precision, precision

EXACT_CELL = 24
"""Width of a number column in exact precision: the longest shortest repr of a double
(`−2.2250738585072014e−308`) fits, so no exact value is ever cut."""

TITLES = {
    "mse": "points: ŷ = σ(w·x + b), r = ŷ − y, ℓ_i = ½·r² (point i's loss), Δw_i, Δb_i",
    "bce": "points: ŷ = σ(w·x + b), r = ŷ − y, ℓ_i = −[y ln ŷ + (1−y) ln(1−ŷ)] (point i's loss),"
    " Δw_i, Δb_i",
}
"""The table's title, where ℓ_i first appears: what it is, for each loss."""

MARK = "●"
"""The marker of a row in the batch that the next update uses."""

HEADER_HEIGHT = 1


def column_names(dataset: Dataset | None, d: int, factors: bool = False) -> list[str]:
    """Column headers: x (x1…xd; the file's feature names when all fit), y, ŷ, r, ℓ_i, Δw_i
    (Δw1_i … Δwd_i), Δb_i,
    and with `factors` the chain rule's ∂ℓ/∂ŷ, ∂ŷ/∂z, ∂z/∂w (∂z/∂w1 … ∂z/∂wd).
    Standardized features are primed (x′, petal_length′): the values are not the file's."""
    prime = "′" if dataset is not None and dataset.standardization is not None else ""
    features = [name + prime for name in dataset.features] if dataset is not None else []
    fits = all(0 < len(name) <= CELL and name.isprintable() for name in features)
    if len(features) != d or not fits or cell_len("".join(features)) != len("".join(features)):
        features = [f"x{prime}"] if d == 1 else [f"x{j + 1}{prime}" for j in range(d)]
    weights = ["w"] if d == 1 else [f"w{j + 1}" for j in range(d)]
    grad_w = [f"Δ{w}_i" for w in weights]
    chain = ["∂ℓ/∂ŷ", "∂ŷ/∂z", *(f"∂z/∂{w}" for w in weights)] if factors else []
    return [*features, "y", "ŷ", "r = ŷ−y", "ℓ_i", *grad_w, "Δb_i", *chain]


def batch_text(session: Session) -> str:
    """Which rows the next update uses, e.g. `batch: rows 3–4`, `batch: 32 rows (shuffled)`."""
    rows = session.batch()
    if rows is None:
        return f"batch: all {session.n:,} rows"
    if isinstance(rows, slice):
        lo, hi, _ = rows.indices(session.n)
        return f"batch: row {lo + 1:,}" if hi - lo == 1 else f"batch: rows {lo + 1:,}–{hi:,}"
    order = " (shuffled)" if session.config.shuffle else ""
    if len(rows) == 1:
        return f"batch: row {int(rows[0]) + 1:,}{order}"
    return f"batch: {len(rows):,} rows{order}"


def in_batch(rows: np.ndarray, batch: Rows, n: int) -> np.ndarray:
    """For each row number in `rows`: is it in `batch`? (all False for the full batch, None)."""
    if batch is None:
        return np.zeros(len(rows), dtype=bool)
    if isinstance(batch, slice):
        lo, hi, _ = batch.indices(n)
        return (rows >= lo) & (rows < hi)
    return np.isin(rows, batch)


@dataclass(frozen=True)
class LineStyles:
    """Rich styles: the blank area, the header, and (row, marker) by (in batch, highlighted)."""

    base: Style
    header: Style
    rows: dict[tuple[bool, bool], tuple[Style, Style]]


@dataclass(frozen=True)
class Window:
    """The formatted rows lo … hi−1 at one θ, and which of them are in the batch."""

    key: tuple
    lo: int
    lines: list[str]
    marked: np.ndarray


class PointTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Per-point values at θ_t for the visible rows of a session; batch rows marked with ●."""

    COMPONENT_CLASSES = {
        "point-table--header",
        "point-table--batch",
        "point-table--mark",
        "point-table--highlight",
    }
    DEFAULT_CSS = """
    PointTable > .point-table--header { text-style: bold; background: $panel; }
    PointTable > .point-table--batch { background: $primary 25%; }
    PointTable > .point-table--mark { color: $accent; text-style: bold; }
    PointTable > .point-table--highlight { background: $warning 45%; text-style: bold; }
    """
    BINDINGS = [
        Binding("up", "scroll_rows(-1)", "Row up", show=False),
        Binding("down", "scroll_rows(1)", "Row down", show=False),
        Binding("pageup", "page_rows(-1)", "Page up", show=False),
        Binding("pagedown", "page_rows(1)", "Page down", show=False),
        Binding("home", "first_row", "First row", show=False),
        Binding("end", "last_row", "Last row", show=False),
        Binding("shift+left", "scroll_columns(-1)", "Column left", show=False),
        Binding("shift+right", "scroll_columns(1)", "Column right", show=False),
        Binding("ctrl+pageup", "scroll_columns(-4)", "Columns left", show=False),
        Binding("ctrl+pagedown", "scroll_columns(4)", "Columns right", show=False),
    ]
    """Scrolling without animation. Not inherited from ScrollableContainer: plain left/right
    stay free for the app (step / back); shift+←/→ scroll the columns."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._session: Session | None = None
        self._dataset: Dataset | None = None
        self._header = ""
        self._columns_key: tuple | None = None
        self._window: Window | None = None
        self._highlight: int | None = None
        self._styles: LineStyles | None = None
        self._factors = False
        self._precision = Precision.ROUNDED  # how `show` was asked to write the numbers

    # ---- the public API ---------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Rows in the table (0 before `show`)."""
        return 0 if self._session is None else self._session.n

    @property
    def highlighted(self) -> int | None:
        return self._highlight

    @property
    def factors(self) -> bool:
        """Are the chain rule's factor columns shown?"""
        return self._factors

    def toggle_factors(self) -> None:
        """Show or hide the columns ∂ℓ/∂ŷ, ∂ŷ/∂z, ∂z/∂w (the engine's `Points.factors`), the
        last columns: shown, the table scrolls right to them."""
        self._factors = not self._factors
        if self._session is not None and self._dataset is not None:
            self.show(self._session, self._dataset)
            if self._factors:
                self.call_after_refresh(self._scroll_to_factors, self._session.d)

    def _scroll_to_factors(self, d: int) -> None:
        """Scroll right until ∂ℓ/∂ŷ, after the 2d + 5 columns x, y, ŷ, r, ℓ, Δw, Δb, is the
        first value column, or as far as the table goes."""
        x = min(self.max_scroll_x, (2 * d + 5) * (self.column + 1))
        self.scroll_to(x=x, animate=False, immediate=True)

    @property
    def column(self) -> int:
        """The width of a value column in the precision the table shows."""
        return EXACT_CELL if self._precision is Precision.EXACT else CELL

    def show(self, session: Session, dataset: Dataset) -> None:
        """Show `session` (at its step t) over `dataset`, its numbers in the precision of the
        code that calls `show` (`tui.format.precision`), which the rows drawn later keep. The
        scroll position is kept when the data set is the same one as before; a new data set
        starts at the top, unhighlighted."""
        same_data = dataset is self._dataset
        self._session, self._dataset = session, dataset
        self._precision = current_precision()
        self._window = None
        self.border_title = TITLES[session.config.loss]
        columns_key = (dataset, session.n, session.d, self._factors, self._precision)
        if columns_key != self._columns_key:
            self._columns_key = columns_key
            width = len(f"{session.n}")
            names = column_names(dataset, session.d, self._factors)
            self._header = f"  {'i'.rjust(width)} " + "".join(
                " " + name.rjust(self.column) for name in names
            )
            self.virtual_size = Size(len(self._header), session.n + HEADER_HEIGHT)
        self.border_subtitle = batch_text(session)
        if not same_data:
            self._highlight = None
            self.scroll_to(0, 0, animate=False)
        elif self._highlight is not None and self._highlight >= session.n:
            self._highlight = None
        self.refresh()

    def highlight(self, i: int | None) -> None:
        """Mark row i (0-based, as in `Points.rows`) and scroll it into view; None unmarks.
        A row number outside the table unmarks too."""
        if i is not None and not 0 <= i < self.n:
            i = None
        old, self._highlight = self._highlight, i
        for row in (old, i):
            if row is not None:
                self.refresh_line(row + HEADER_HEIGHT)
        if i is not None:
            if self.scrollable_content_region.height > HEADER_HEIGHT:
                self._scroll_to_highlight()
            else:  # not laid out yet
                self.call_after_refresh(self._scroll_to_highlight)

    def _scroll_to_highlight(self) -> None:
        """The highlighted row into the table's view, and the table into its container's
        (the panels scroll when the window is short)."""
        if self._highlight is not None:
            self.scroll_to_region(
                Region(0, self._highlight + HEADER_HEIGHT, 1, 1),
                spacing=Spacing(top=HEADER_HEIGHT),
                animate=False,
                x_axis=False,
                immediate=True,
            )
            self.scroll_visible(animate=False, immediate=True)

    def on_resize(self) -> None:
        """Keep the highlighted row in view when the table changes size (the update panel
        under it grows by two lines while `s` walks through the points)."""
        self._scroll_to_highlight()

    # ---- rendering -------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self.refresh()

    def _line_styles(self) -> LineStyles:
        """The rich styles of the lines, looked up once (a lookup costs more than a line)."""
        if self._styles is None:
            base = self.rich_style

            def part(name: str) -> Style:
                return self.get_component_rich_style(f"point-table--{name}")

            mark = part("mark")
            rows = {}
            for batch in (False, True):
                for highlighted in (False, True):
                    style = base
                    if batch:
                        style += part("batch")
                    if highlighted:
                        style += part("highlight")
                    rows[batch, highlighted] = (style, style + mark)
            self._styles = LineStyles(base, base + part("header"), rows)
        return self._styles

    def render_line(self, y: int) -> Strip:
        region = self.scrollable_content_region
        width = region.width
        scroll_x, scroll_y = self.scroll_offset
        styles = self._line_styles()
        prefix = len(f"{self._session.n}") + 3 if self._session is not None else 0
        if y < HEADER_HEIGHT:
            header = frozen(self._header, prefix, scroll_x, width, self.column)
            return Strip([Segment(header, styles.header)]).crop_extend(0, width, styles.header)
        row = scroll_y + y - HEADER_HEIGHT
        if self._session is None or not 0 <= row < self._session.n:
            return Strip.blank(width, styles.base)
        with precision(self._precision):
            window = self._visible_window(scroll_y, region.height, row)
        k = row - window.lo
        batch = bool(window.marked[k])
        style, mark_style = styles.rows[batch, row == self._highlight]
        line = frozen(
            (MARK if batch else " ") + window.lines[k], prefix, scroll_x, width, self.column
        )
        segments = [Segment(line[:1], mark_style), *row_segments(line[1:], style)]
        return Strip(segments).crop_extend(0, width, style)

    def _visible_window(self, scroll_y: int, height: int, row: int) -> Window:
        """The rows on screen, computed by one `session.points` call and kept until the step,
        θ_t, the scroll position or the size changes."""
        session = self._session
        assert session is not None
        lo = max(0, min(scroll_y, row))
        hi = min(session.n, max(lo + height - HEADER_HEIGHT, row + 1))
        key = (session, session.t, session.theta().tobytes(), lo, hi, self._factors)
        key += (self._precision,)
        if self._window is not None and self._window.key == key:
            return self._window
        points = session.points(slice(lo, hi))
        columns = [
            points.x,
            points.y,
            points.y_hat,
            points.residual,
            points.loss,
            points.grad_w,
            points.grad_b,
        ]
        values = np.column_stack([*columns, *points.factors()] if self._factors else columns)
        width = len(f"{session.n}")
        lines = [
            f" {str(i + 1).rjust(width)} " + "".join(" " + cell(v, self.column) for v in line)
            for i, line in zip(points.rows.tolist(), values.tolist(), strict=True)
        ]
        marked = in_batch(points.rows, session.batch(), session.n)
        self._window = Window(key, lo, lines, marked)
        return self._window

    # ---- keys ------------------------------------------------------------------------------
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_HEIGHT)

    def action_scroll_rows(self, delta: int) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_page_rows(self, direction: int) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        page = direction * self._body_height()
        self.scroll_to(y=self.scroll_y + page, animate=False, immediate=True)

    def action_first_row(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_last_row(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_scroll_columns(self, direction: int) -> None:
        if not self.allow_horizontal_scroll:
            raise SkipAction()
        step = direction * (self.column + 1)
        self.scroll_to(x=self.scroll_x + step, animate=False, immediate=True)
