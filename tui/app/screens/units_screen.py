"""The model in the file's own units: how `--standardize` rescaled each feature (m_j, s_j) and
the current w′, b′ written back as w, b for the unscaled data (MATH.md, Standardizing)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.app.screens.info_screen import InfoScreen
from tui.data import Standardization
from tui.format import num


def units_table(standardization: Standardization, w: list[float], b: float) -> Table:
    """One row per feature: m_j, s_j, the engine's w′_j and w_j = w′_j / s_j; then b′ and
    b = b′ − Σ_j w′_j·m_j / s_j, in the precision of the app that opens it (p)."""
    w_file, b_file = standardization.in_file_units(w, b)
    table = Table(box=None, expand=True, padding=(0, 2), show_edge=False)
    for name in ("feature", "m (mean)", "s (std)", "w′ (standardized)", "w (file's units)"):
        justify = "left" if name == "feature" else "right"
        table.add_column(name, justify=justify, overflow="fold")  # exact values fold, never cut
    rows = zip(
        standardization.names,
        standardization.means.tolist(),
        standardization.scales.tolist(),
        w,
        w_file.tolist(),
        strict=True,
    )
    for name, m, s, w_std, w_own in rows:
        table.add_row(Text(name, "bold"), num(m), num(s), num(w_std), Text(num(w_own), "cyan"))
    table.add_row(Text("b", "bold"), "", "", num(b), Text(num(b_file), "cyan"))
    return table


class UnitsScreen(InfoScreen):
    """m_j, s_j and the model at step t in both units; escape, q or m closes it."""

    DEFAULT_CSS = "UnitsScreen > #box { width: 110; }"
    CLOSES = "escape, q or m closes"
    BINDINGS = [Binding("m", "close", "Close", show=False)]

    def __init__(self, standardization: Standardization, w: list[float], b: float, t: int) -> None:
        super().__init__()
        self.table = units_table(standardization, w, b)
        self.BOX_TITLE = f"The model at step {t:,} in the file's own units"

    def body(self) -> ComposeResult:
        yield Static(
            Text(
                "--standardize trains on x′_j = (x_j − m_j) / s_j. The same model on the "
                "file's x: w_j = w′_j / s_j, b = b′ − Σ_j w′_j·m_j / s_j.\n",
                "dim",
            )
        )
        yield Static(self.table, id="units-table")
