"""Saving a debugging session to a file and opening it again; exporting the trace as CSV.

A session file is JSON, tagged with ``"format": "gdstep-session"`` and ``"version": 1``::

    {"format": "gdstep-session", "version": 1,
     "data": "plateau", "target": null, "standardize": false,
     "data_sha256": "…",
     "config": {"loss": "mse", "reduction": "sum", "optimizer": "gd", "lr": 1.0,
                "w0": [-2.0], "b0": -2.0, "batch_size": null, "shuffle": false, "seed": 0},
     "events": [{"kind": "lr", "step": 12, "values": [0.5]},
                {"kind": "edit", "step": 30, "values": [1.0, -1.5]},
                {"kind": "direction", "step": 35, "values": [195.0]}],
     "step": 40,
     "breakpoints": [{"expression": "loss < 0.01", "enabled": true}],
     "watches": ["w", "loss"]}

It keeps what fixes the run (the data, the configuration and the changes made by hand: η
from a step on, θ set at a step, and a step taken along the direction dial's angle β from
step − 1 to step, 0 ≤ β < 360), not
the computed states: opening it replays the events from step 0, which gives the same doubles
bit for bit. Floats are written with Python's repr, so they read back exactly. ``data`` is a
sample name or the absolute path of a CSV file; ``data_sha256`` (optional) is a digest of
the numbers the session ran on, so a data file changed since the save is noticed.

A session of compare mode (tui.engine.race) is version 2, with two more fields: ``"runs"``,
the runs beside the base one (at most 3), each its ``--vs`` options, its own events and its
own step (short of the others' only where it diverged), and ``"selected_run"``, the run the
app shows (0: the base)::

     "runs": [{"options": "--optimizer momentum", "events": [], "step": 40}],
     "selected_run": 1

A session of one run is still written as version 1, and version 1 is read as before.

Anything wrong with a session file raises :class:`SessionFileError` (and nothing else), with
a one-line message. Modules: document (the format, SavedSession, SessionFileError), write
(save, export_csv), read (load, parse), restore (restore, restore_race, expressions). This
package does not import textual.
"""

from tui.files.sessionfile.document import FORMAT, VERSION, SavedSession, SessionFileError
from tui.files.sessionfile.read import load, parse
from tui.files.sessionfile.restore import config_of, expressions, restore, restore_race
from tui.files.sessionfile.write import csv_text, data_digest, export_csv, save, to_json

__all__ = [
    "FORMAT",
    "VERSION",
    "SavedSession",
    "SessionFileError",
    "config_of",
    "csv_text",
    "data_digest",
    "export_csv",
    "expressions",
    "load",
    "parse",
    "restore",
    "restore_race",
    "save",
    "to_json",
]
