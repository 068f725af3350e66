"""A CSV file cut into cells, not yet numbers: a fast path for files without quotes below
the first row, and the csv module for any other; both give the same cells, and name the line
of a row with the wrong number of cells."""

from __future__ import annotations

import csv
import gc
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from tui.data.dataset import DataError


def comment_body(line: str) -> str | None:
    """The text of a comment line without the ``#`` and surrounding spaces, or None."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return stripped[1:].strip()
    return None


class _Lines:
    """Feeds ``csv.reader`` the physical lines that are neither blank nor comments.

    Remembers the physical line number of every line handed out (``numbers``) and collects
    the comment lines that come before the first row (``leading``).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.numbers: list[int] = []
        self.leading: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        numbers = self.numbers
        append = numbers.append
        for lineno, line in enumerate(io.StringIO(self.text, newline=""), 1):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped[0] == "#":
                if not numbers:
                    self.leading.append((lineno, stripped[1:].strip()))
                continue
            append(lineno)
            yield line


@dataclass
class Split:
    """A CSV file cut into cells (not yet converted to numbers)."""

    leading: list[tuple[int, str]]  # comment lines before the first row: (line number, body)
    first: list[str] | None  # the cells of the first row (header or data); None: no rows
    first_line: int  # its physical line number
    cells: list[str]  # the cells of every later row, flat (all rows have len(first) cells)
    lines: list[int]  # the physical line number of every later row


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def split_fast(text: str, label: str) -> Split | None:
    """Split a file whose rows after the first have no quotes, without per-row Python objects.

    Returns None when the file needs the csv module (quotes below the first row, or a quoted
    value in it that does not end on its line). Gives the same result as :func:`split_csv`
    otherwise: lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (as in
    ``io.StringIO(newline="")``) and with no quotes a row is just its line split at the commas.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    numbers = [i for i, line in enumerate(lines, 1) if (s := line.lstrip()) and s[0] != "#"]
    stop = numbers[0] - 1 if numbers else len(lines)
    leading = [(i + 1, body) for i in range(stop) if (body := comment_body(lines[i])) is not None]
    if not numbers:
        return Split(leading, None, 0, [], [])
    body = [lines[i - 1] for i in numbers[1:]]
    joined = ",".join(body)
    if '"' in joined:
        return None
    first_text = lines[numbers[0] - 1]
    fed: list[str] = []

    def feed() -> Iterator[str]:
        fed.append(first_text)
        yield first_text
        fed.append("")
        yield "\n"

    try:
        first = next(csv.reader(feed(), skipinitialspace=True))
    except csv.Error as e:
        raise DataError(f"{label}: line {numbers[0]}: {e}") from None
    if len(fed) > 1:  # an open quote in the first row: let the csv path report it
        return None
    commas = [line.count(",") for line in body]
    expected = len(first) - 1
    if commas.count(expected) != len(commas):
        i = next(i for i, c in enumerate(commas) if c != expected)
        raise DataError(
            f"{label}: line {numbers[i + 1]}: expected {_cells(len(first))}, found {commas[i] + 1}"
        )
    cells = joined.split(",") if body else []
    return Split(leading, first, numbers[0], cells, numbers[1:])


def split_csv(text: str, label: str) -> Split:
    """Split any file with the csv module (handles quoted values anywhere)."""
    lines = _Lines(text)
    rows: list[list[str]] = []
    row_lines: list[int] = []
    seen = 0
    # A million small row lists would trigger the cyclic garbage collector over and over
    # (doubling the time); they hold only strings, so pausing it while reading is safe.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for row in csv.reader(lines, skipinitialspace=True):
            start = lines.numbers[seen]
            if len(lines.numbers) - seen > 1:
                raise DataError(
                    f"{label}: line {start}: a quoted value runs over the end of the line"
                )
            seen = len(lines.numbers)
            rows.append(row)
            row_lines.append(start)
    except csv.Error as e:
        where = f"line {lines.numbers[-1]}: " if lines.numbers else ""
        raise DataError(f"{label}: {where}{e}") from None
    finally:
        if gc_was_enabled:
            gc.enable()
    if not rows:
        return Split(lines.leading, None, 0, [], [])
    ncols = len(rows[0])
    for row, line in zip(rows[1:], row_lines[1:], strict=True):
        if len(row) != ncols:
            raise DataError(f"{label}: line {line}: expected {_cells(ncols)}, found {len(row)}")
    cells = list(itertools.chain.from_iterable(rows[1:]))
    return Split(lines.leading, rows[0], row_lines[0], cells, row_lines[1:])
