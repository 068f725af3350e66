"""The progress line: the bar's filled part, the step reached and the goal."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.app.widgets.progress_line import ProgressLine


class LineApp(App):
    def compose(self) -> ComposeResult:
        yield ProgressLine()


async def test_a_quarter_of_the_way_fills_a_quarter_of_the_bar():
    app = LineApp()
    async with app.run_test(size=(80, 3)) as pilot:
        bar = app.query_one(ProgressLine)
        bar.start(1_000, 101_000)
        bar.update(26_000)
        await pilot.pause()
        strip = bar.render_line(0)
        label = "  step 26,000 of 101,000"
        assert len(strip.text) == 80 and strip.text.endswith(label)
        done = next(s for s in strip if s.text and set(s.text) == {"━"})
        assert len(done.text) == (80 - len(label)) // 4


async def test_steps_are_clamped_to_the_run_and_a_narrow_line_shows_the_label_start():
    app = LineApp()
    async with app.run_test(size=(12, 3)) as pilot:
        bar = app.query_one(ProgressLine)
        bar.start(7, 7)  # a run of no steps counts as one
        bar.update(99)
        await pilot.pause()
        assert (bar.first, bar.goal, bar.step) == (7, 8, 8)
        assert bar.render_line(0).text == "  step 8 of "
        bar.update(0)
        assert bar.step == 7 and bar.label() == "  step 7 of 8"
