"""The app layer: the Textual app that renders the engine and turns keys into engine calls.

GdstepApp (app.py) is composed of one class per concern: bindings and palette, key bursts,
runs, step into, dialogs, files and confirmations (keeping). widgets/ holds the panels and the
table, screens/ the dialogs, plots/ what the plots draw and the plot panel; textual_adapter.py
is the one module that uses Textual's private API.

It may import the engine, the data, the expression language and the files layer; nothing
imports it but the command line (tui.__main__). It computes no mathematics of its own."""

from tui.app.app import GdstepApp
from tui.app.keeping import Served, Source

__all__ = ["GdstepApp", "Served", "Source"]
