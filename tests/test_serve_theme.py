"""The light theme stays readable, measured from the colours the app actually renders: every
character of text at least 4.5:1 against what is behind it, every line and plot mark at
least 3:1 (WCAG 2.x, "contrast (minimum)" and "non-text contrast"); `--theme` picks it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from textual.color import Color
from textual.geometry import Region
from textual.widget import Widget

from tests.helpers import until
from tui import data
from tui.app import GdstepApp
from tui.app.themes import GDSTEP_LIGHT
from tui.config import make_config

TEXT, LINES = 4.5, 3.0
"""WCAG's minimum contrast ratios for text and for graphics (lines, plot marks)."""


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG's relative luminance of an sRGB colour."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG's contrast ratio, from 1 (the same) to 21 (black on white)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_ratio_is_wcag_s():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert contrast((10, 20, 30), (10, 20, 30)) == 1.0


def is_graphic(character: str) -> bool:
    """A line or a plot mark (box drawing, braille, ●), not a letter or digit."""
    code = ord(character)
    return 0x2500 <= code <= 0x259F or 0x2800 <= code <= 0x28FF or character in "●•·"


@dataclass(frozen=True)
class Cell:
    """One run of characters of one colour, as rendered."""

    where: str
    text: str
    ratio: float
    graphic: bool


def rgb(color: RichColor | None, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if color is None or color.is_default:
        return default
    r, g, b = color.get_truecolor()
    return r, g, b


def cells(widget: Widget, foreground: tuple, background: tuple) -> Iterator[Cell]:
    """Every visible run of characters of the widget (border included) with its contrast,
    in the colours that reach the screen (after the app's filters: named colours such as
    `cyan` become the theme's)."""
    region = Region(0, 0, *widget.outer_size)
    filters = widget.app.get_line_filters()
    for y, strip in enumerate(widget.render_lines(region)):
        segments = list(strip)
        for line_filter in filters:
            segments = line_filter.apply(segments, Color(*background))
        for segment in segments:
            assert isinstance(segment, Segment)
            style = segment.style
            text = segment.text
            if style is None or not text.strip():
                continue
            behind = rgb(style.bgcolor, background)
            front = rgb(style.color, foreground)
            assert not style.dim  # Textual draws dim text in a colour of its own, measured
            if style.reverse:
                front, behind = behind, front
            for graphic in (False, True):
                chars = "".join(c for c in text if not c.isspace() and is_graphic(c) == graphic)
                if chars:
                    where = f"{widget.id or type(widget).__name__} line {y}"
                    yield Cell(where, chars, contrast(front, behind), graphic)


def too_faint(app: GdstepApp) -> list[str]:
    """The runs of characters below WCAG's minimum in every widget on the screen."""
    foreground = RichColor.parse(app.theme_variables["foreground"]).triplet
    background = RichColor.parse(app.theme_variables["background"]).triplet
    widgets = [w for w in app.screen.query("*") if w.region.area and w.display]
    assert len(widgets) >= 2
    faint = []
    for widget in widgets:
        for cell in cells(widget, tuple(foreground), tuple(background)):
            if cell.ratio < (LINES if cell.graphic else TEXT):
                faint.append(f"{cell.where}: {cell.text!r} {cell.ratio:.2f}")
    return faint


def light_app() -> GdstepApp:
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    app = GdstepApp(dataset, config)
    app.theme = GDSTEP_LIGHT.name
    return app


@pytest.mark.parametrize("plot", ["loss", "fit", "lens"])
async def test_gdstep_light_keeps_text_at_4_5_and_lines_at_3(plot):
    app = light_app()
    async with app.run_test(size=(130, 42)) as pilot:
        await pilot.press("n", "n", "n")
        while app.plot_panel.mode != plot:
            await pilot.press("t")
        await until(pilot, lambda: app.session.t == 3)
        await pilot.pause()
        assert too_faint(app) == []


@pytest.mark.parametrize("key", ["o", "question_mark", "B", "e"])
async def test_gdstep_light_dialogs_keep_text_at_4_5_and_lines_at_3(key):
    app = light_app()
    async with app.run_test(size=(130, 42)) as pilot:
        await pilot.press("n", key)
        await until(pilot, lambda: len(app.screen_stack) == 2)
        await pilot.pause()
        assert too_faint(app) == []
