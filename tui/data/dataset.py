"""A loaded data set, and the error that bad data raises."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from tui.data.standardize import Standardization
from tui.errors import InputError
from tui.format import count, exact


class DataError(InputError):
    """A bad data file or sample: the message names the problem (and file, line, column where
    there is one)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded data set: features ``x`` (N, d) and targets ``y`` (N,), both float64.

    ``eq=False``: datasets compare by identity (comparing numpy arrays with ``==`` is
    ambiguous). Names and the description are printable (control characters escaped).
    """

    name: str  # sample name ("seed") or the file name as given
    path: Path
    x: np.ndarray  # (N, d) float64, C-contiguous, d >= 1; standardized with --standardize
    y: np.ndarray  # (N,) float64
    features: tuple[str, ...]  # d names: header names, or x1..xd (just "x" when d == 1)
    target: str  # header name of the target, or "y"
    description: str  # one line, "" when the file has none
    settings: dict[str, str]  # recommended settings from "# gdstep:" lines, raw strings
    standardized: bool
    standardization: Standardization | None = None  # m_j and s_j, when standardized
    lines: np.ndarray | None = None  # (N,) int64: the file's line of each row (1-based)
    target_column: str = ""  # the target's column as the file names it: "column 2 (y)"

    @property
    def n(self) -> int:
        """Number of rows (examples)."""
        return int(self.x.shape[0])

    @property
    def d(self) -> int:
        """Number of features."""
        return int(self.x.shape[1])

    def target_cell(self, i: int) -> str:
        """Where row i's target is in the file: `line 3, column 2 (y)` (0-based i)."""
        if self.lines is None:
            return f"row {i + 1}, target {self.target}"
        return f"line {int(self.lines[i])}, {self.target_column}"

    def targets_outside(self, named: bool = True) -> str | None:
        """`hours: line 3, column 2 (y): 3.0 is outside [0, 1] (and 4 more targets)`: the
        first target outside [0, 1] and how many more there are (without the data set's name
        when not `named`); None if there is none."""
        if self._outside is None:
            return None
        i, how_many = self._outside
        more = f" (and {count(how_many - 1, 'more target')})" if how_many > 1 else ""
        where = f"{self.name}: {self.target_cell(i)}" if named else self.target_cell(i)
        return f"{where}: {exact(self.y[i])} is outside [0, 1]{more}"

    @cached_property
    def _outside(self) -> tuple[int, int] | None:
        """The first row whose target is outside [0, 1], and how many are (read once: the
        state panel asks at every refresh)."""
        outside = np.flatnonzero((self.y < 0) | (self.y > 1))
        return (int(outside[0]), int(outside.size)) if outside.size else None

    @cached_property
    def warnings(self) -> tuple[str, ...]:
        """One-line notes for the user: how the features were standardized, and targets
        outside [0, 1] (which σ never reaches; `--loss bce` refuses them)."""
        notes = []
        if self.standardization is not None:
            notes.append(
                f"standardized {count(self.d, 'feature')} of {self.name}: "
                f"{self.standardization.describe()}"
            )
        if outside := self.targets_outside():
            notes.append(f"{outside}, which σ never reaches: the loss cannot go to 0")
        return tuple(notes)
