"""What a session file is: its format tag and version, what it holds once checked, and the
error anything wrong with one raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.engine.session import Event
from tui.files.safe import FileError

FORMAT = "gdstep-session"
VERSION = 1

EVENT_KINDS = ("lr", "edit", "direction")


class SessionFileError(FileError):
    """A session file that cannot be read, saved or restored: the message says why."""


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
    label: str = "<session>"  # the file it came from, as messages name it
