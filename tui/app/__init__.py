"""The app layer: the Textual app that renders the engine and turns keys into engine calls.

It may import the engine (tui.session, tui.diagnostics, …), the data and file modules, and its
widgets and screens; nothing outside it imports it, except the command line (tui.__main__).
It computes no mathematics of its own."""

from tui.app.app import GdstepApp
from tui.app.keeping import Source

__all__ = ["GdstepApp", "Source"]
