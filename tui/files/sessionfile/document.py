"""What a session file is: its format tag and version, what it holds once checked, and the
error anything wrong with one raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.engine.session import Event
from tui.files.safe import FileError

FORMAT = "gdstep-session"
VERSION = 2
"""The version written when a session compares runs (`runs`); a session of one run is
written as version 1, which this gdstep reads too, and so do the gdsteps before compare
mode."""

VERSIONS = (1, 2)

EVENT_KINDS = ("lr", "edit", "direction")


class SessionFileError(FileError):
    """A session file that cannot be read, saved or restored: the message says why."""


@dataclass(frozen=True)
class SavedRun:
    """A compared run of a saved session: its `--vs` options (over the base run's), the
    changes made to it by hand, and its own step (short of the session's where it stopped)."""

    options: str
    events: list[Event]
    step: int


@dataclass
class SavedSession:
    """What a session file holds, checked: enough to rebuild the session exactly."""

    data: str  # a sample name, or the absolute path of a CSV file
    target: str | None
    standardize: bool
    config: dict[str, Any]  # loss, reduction, optimizer, lr, w0 (list), b0, batch_size, …
    events: list[Event]
    step: int
    breakpoints: list[tuple[str, bool]] = field(default_factory=list)  # (expression, enabled)
    watches: list[str] = field(default_factory=list)
    data_sha256: str | None = None  # digest of the session's x and y; None: not checked
    runs: list[SavedRun] = field(default_factory=list)  # compare mode's runs beyond the base
    selected_run: int = 0  # the run the app shows (0: the base)
    label: str = "<session>"  # the file it came from, as messages name it
