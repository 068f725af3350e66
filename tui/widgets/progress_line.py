"""A one-line progress bar for runs to a known step: the bar, the percentage and the steps."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget


class ProgressLine(Widget):
    """`━━━━━━━━━━━━━━━━━━━━  42%  42,000 of 100,000 steps`, drawn as one strip: it redraws
    20 times a second during a run, at a fraction of the cost of Textual's ProgressBar."""

    DEFAULT_CSS = """
    ProgressLine { height: 1; }
    ProgressLine > .progress-line--done { color: $accent; }
    ProgressLine > .progress-line--todo { color: $foreground 15%; }
    ProgressLine > .progress-line--label { color: $foreground; text-style: bold; }
    """
    COMPONENT_CLASSES = {"progress-line--done", "progress-line--todo", "progress-line--label"}

    done = 0
    total = 1

    def update(self, done: int, total: int | None = None) -> None:
        """`done` of `total` steps (total: as before)."""
        if total is not None:
            self.total = max(total, 1)
        self.done = min(max(done, 0), self.total)
        self.refresh()

    def label(self) -> str:
        return f"  {100 * self.done / self.total:3.0f}%  {self.done:,} of {self.total:,} steps"

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y:
            return Strip.blank(width, self.rich_style)
        label = self.label()
        room = max(width - len(label), 0)
        filled = room * self.done // self.total
        style = self.get_component_rich_style
        segments = [
            Segment("━" * filled, style("progress-line--done")),
            Segment("━" * (room - filled), style("progress-line--todo")),
            Segment(label, style("progress-line--label")),
        ]
        return Strip(segments).crop_extend(0, width, self.rich_style)
