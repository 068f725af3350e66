"""The progress line: the bar's filled part, the percentage and the step counts."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.widgets.progress_line import ProgressLine


class LineApp(App):
    def compose(self) -> ComposeResult:
        yield ProgressLine()


async def test_a_quarter_done_fills_a_quarter_of_the_bar():
    app = LineApp()
    async with app.run_test(size=(80, 3)) as pilot:
        bar = app.query_one(ProgressLine)
        bar.update(25_000, 100_000)
        await pilot.pause()
        text = bar.render_line(0).text
        label = "   25%  25,000 of 100,000 steps"
        assert len(text) == 80 and text.endswith(label)
        room = 80 - len(label)
        done = [s for s in bar.render_line(0) if s.text and set(s.text) == {"━"}][0]
        assert len(done.text) == room // 4


async def test_counts_are_clamped_and_a_narrow_line_shows_the_start_of_the_label():
    app = LineApp()
    async with app.run_test(size=(12, 3)) as pilot:
        bar = app.query_one(ProgressLine)
        bar.update(7, 0)  # a total of 0 steps counts as 1; done never passes it
        await pilot.pause()
        assert (bar.done, bar.total) == (1, 1)
        assert bar.render_line(0).text == "  100%  1 of"
        bar.update(-5)
        assert bar.done == 0 and bar.label() == "    0%  0 of 1 steps"
