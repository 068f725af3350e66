"""gdstep's own theme, `gdstep-light`, for a projector or a bright room, and the choice of a
theme on the command line (`--theme`).

Textual's `textual-light` leaves panel borders, marks and the plot's curves at a contrast of
about 1.3:1 on its grey background. `gdstep-light` keeps every text at least 4.5:1 against what
is behind it and every line or plot mark at least 3:1 (WCAG 2's levels for text and for
graphics; tests/test_serve_theme.py measures them from the rendered colours). The plot's colours
for light themes are `tui.app.plots.drawing.ON_LIGHT`; the panel borders of light themes are in
app.tcss.
"""

from __future__ import annotations

from rich.terminal_theme import TerminalTheme
from textual.theme import BUILTIN_THEMES, Theme

from tui.config import ConfigError
from tui.format import quoted

GDSTEP_LIGHT = Theme(
    name="gdstep-light",
    primary="#0B4F8A",
    secondary="#5B3E96",
    accent="#9A3C00",
    warning="#8A5300",
    error="#B3261E",
    success="#1E6B32",
    foreground="#1B1B1B",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#E6EAEF",
    dark=False,
    variables={
        "footer-key-foreground": "#0B4F8A",
        "footer-description-foreground": "#1B1B1B",
        "text-muted": "#1B1B1B 75%",
        "border-blurred": "#6B6B6B",
        "input-cursor-background": "#1B1B1B",
        "text-disabled": "#6B6B6B",
        "block-cursor-background": "#D6E4F2",
        "block-cursor-foreground": "#1B1B1B",
    },
)

LIGHT_ANSI = TerminalTheme(
    (255, 255, 255),
    (27, 27, 27),
    [
        (0, 0, 0),
        (178, 34, 34),
        (0, 110, 0),
        (70, 40, 0),
        (20, 70, 180),
        (140, 30, 140),
        (0, 100, 130),
        (247, 247, 247),
    ],
    [
        (90, 90, 90),
        (190, 30, 30),
        (0, 118, 0),
        (76, 44, 0),
        (30, 80, 190),
        (150, 35, 150),
        (0, 105, 140),
        (255, 255, 255),
    ],
)
"""How the panels' named colours (cyan w, green L, yellow η, …) are drawn on a light theme:
each dark enough for 4.5:1 on white, even dimmed (Textual's own, Alabaster, has 2.3:1 for
yellow; the dimmed gradient of the update panel needs yellow as dark as this brown)."""

BROWSER_ICON = "σ"
"""The title bar's icon in a browser: σ, the neuron, is in every font with Greek (the
browser's fonts lack Textual's ⭘, which showed as an empty box)."""

THEME_NAMES = (GDSTEP_LIGHT.name, *BUILTIN_THEMES)
"""What `--theme` accepts: gdstep's theme and Textual's."""


def check_theme(name: str) -> str:
    """The theme named on the command line, or ConfigError naming those there are."""
    if name not in THEME_NAMES:
        raise ConfigError(f"--theme must be one of {', '.join(THEME_NAMES)}, not {quoted(name)}")
    return name
