"""Reading a CSV file into a Dataset: the leading comments (description, # gdstep: settings),
the cells, and every problem named by file, line and column."""

from __future__ import annotations

import codecs
import csv
import gc
import io
import itertools
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tui.data.dataset import DataError, Dataset
from tui.data.samples import resolve
from tui.data.standardize import standardize_columns
from tui.files.safe import read_bytes
from tui.format import exact, printable, quoted

SETTINGS_PREFIX = "gdstep:"
DATA_LIMIT = 512 << 20
"""The largest data file gdstep reads: 512 MiB, several times a million-row CSV."""
_MOST_COLUMNS_LISTED = 10


# --------------------------------------------------------------------------- comments


def _comment_body(line: str) -> str | None:
    """The text of a comment line without the ``#`` and surrounding spaces, or None."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return stripped[1:].strip()
    return None


def _parse_comments(comments: Iterable[tuple[int, str]], label: str) -> tuple[str, dict[str, str]]:
    """Description and settings from the leading comments, given as ``(line number, body)``."""
    description = ""
    settings: dict[str, str] = {}
    for lineno, body in comments:
        if body.startswith(SETTINGS_PREFIX):
            for token in body[len(SETTINGS_PREFIX) :].split():
                key, eq, value = token.partition("=")
                if not eq or not key or not value:
                    raise DataError(
                        f"{label}: line {lineno}: malformed gdstep setting {quoted(token)} "
                        "(expected key=value)"
                    )
                if key in settings:
                    raise DataError(
                        f"{label}: line {lineno}: gdstep setting {quoted(key)} given twice"
                    )
                settings[key] = value
        elif body and not description:
            description = printable(body)
    return description, settings


def _leading_comments(raw: bytes, label: str) -> list[tuple[int, str]]:
    """The comment lines before the first row, decoding the file line by line and stopping at
    the first row (so later bytes are never decoded)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    comments: list[tuple[int, str]] = []
    lineno = 0
    for line_bytes in io.BytesIO(raw):  # lines end at b"\n", never inside a UTF-8 character
        if b"\0" in line_bytes:
            raise DataError(f"{label}: is not a UTF-8 text file (it contains NUL bytes)")
        try:
            text = decoder.decode(line_bytes)
        except UnicodeDecodeError:
            raise DataError(f"{label}: is not a UTF-8 text file") from None
        for line in io.StringIO(text, newline=""):  # also splits at "\r" as load() does
            lineno += 1
            body = _comment_body(line)
            if body is not None:
                comments.append((lineno, body))
            elif line.strip():
                return comments
    return comments


def read_header_comments(path: str | os.PathLike[str]) -> tuple[str, dict[str, str]]:
    """``(description, settings)`` from the comment lines at the top of a CSV file.

    Reads the file as `load` does (a regular file of at most DATA_LIMIT bytes) but decodes only
    the lines before the first row that is not a comment or blank.
    """
    label = printable(os.fspath(path))
    return _parse_comments(_leading_comments(_read_bytes(path, label), label), label)


# --------------------------------------------------------------------------- parsing


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_bytes(path: str | os.PathLike[str], label: str) -> bytes:
    """A regular file of at most DATA_LIMIT bytes (a FIFO or a device is refused at once)."""
    return read_bytes(path, label, DATA_LIMIT, error=DataError)


def _read_text(path: Path, label: str) -> str:
    raw = _read_bytes(path, label)
    if b"\0" in raw:
        raise DataError(f"{label}: is not a UTF-8 text file (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(f"{label}: is not a UTF-8 text file (bad byte on line {line})") from None


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
class _Split:
    """A CSV file cut into cells (not yet converted to numbers)."""

    leading: list[tuple[int, str]]  # comment lines before the first row: (line number, body)
    first: list[str] | None  # the cells of the first row (header or data); None: no rows
    first_line: int  # its physical line number
    cells: list[str]  # the cells of every later row, flat (all rows have len(first) cells)
    lines: list[int]  # the physical line number of every later row


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def _split_fast(text: str, label: str) -> _Split | None:
    """Split a file whose rows after the first have no quotes, without per-row Python objects.

    Returns None when the file needs the csv module (quotes below the first row, or a quoted
    value in it that does not end on its line). Gives the same result as :func:`_split_csv`
    otherwise: lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (as in
    ``io.StringIO(newline="")``) and with no quotes a row is just its line split at the commas.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    numbers = [i for i, line in enumerate(lines, 1) if (s := line.lstrip()) and s[0] != "#"]
    stop = numbers[0] - 1 if numbers else len(lines)
    leading = [(i + 1, body) for i in range(stop) if (body := _comment_body(lines[i])) is not None]
    if not numbers:
        return _Split(leading, None, 0, [], [])
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
    return _Split(leading, first, numbers[0], cells, numbers[1:])


def _split_csv(text: str, label: str) -> _Split:
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
        return _Split(lines.leading, None, 0, [], [])
    ncols = len(rows[0])
    for row, line in zip(rows[1:], row_lines[1:], strict=True):
        if len(row) != ncols:
            raise DataError(f"{label}: line {line}: expected {_cells(ncols)}, found {len(row)}")
    cells = list(itertools.chain.from_iterable(rows[1:]))
    return _Split(lines.leading, rows[0], row_lines[0], cells, row_lines[1:])


def _column(index: int, names: Sequence[str] | None) -> str:
    """``column 2 (y)`` / ``column 2``: a 1-based column number with its header name."""
    if names is None:
        return f"column {index + 1}"
    return f"column {index + 1} ({printable(names[index])})"


@dataclass
class _Table:
    """A parsed CSV file."""

    header: list[str] | None  # the column names as written (None: no header row)
    data: np.ndarray  # (rows, columns) float64
    lines: Sequence[int]  # the physical line number of every row
    description: str
    settings: dict[str, str]


def _parse(text: str, label: str) -> _Table:
    """Parse CSV text (see the module's docstring): at numpy's speed when the file is plain
    (`_parse_plain`), else cell by cell, which names the line and column of any problem."""
    return _parse_plain(text, label) or _parse_cells(text, label)


def _parse_plain(text: str, label: str) -> _Table | None:
    """The common file read by `np.loadtxt` (C speed): no quotes, no carriage returns, no
    comment or blank line after the first row, a valid header or none, at least 2 columns and
    every cell a finite number. None for anything else, which the careful parser then reads
    (and names the problem): this one never raises a message of its own. numpy parses each
    number with the routine Python's float() uses, so the doubles are the same."""
    if '"' in text or "\r" in text:
        return None
    leading: list[tuple[int, str]] = []
    offset, lineno = 0, 0
    while offset < len(text):  # the comments and blank lines before the first row
        end = text.find("\n", offset)
        end = len(text) if end < 0 else end + 1
        line, lineno = text[offset:end], lineno + 1
        if (body := _comment_body(line)) is not None:
            leading.append((lineno, body))
        elif line.strip():
            break
        offset = end
    else:
        return None
    rest = text[end:]
    if "#" in rest:
        return None
    first = [cell.strip() for cell in line.split(",")]
    header = first if any(cell and not _is_number(cell) for cell in first) else None
    if header is not None and (not all(header) or len(set(header)) != len(header)):
        return None
    if len(first) < 2 or (header is not None and not rest.strip()):
        return None
    source = (rest if header is not None else line + rest).rstrip()  # no row in a blank end
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an empty input is a warning: let it fail
            # bytes: a StringIO would first widen the text to 4 bytes a character
            data = np.loadtxt(io.BytesIO(source.encode()), delimiter=",", ndmin=2, dtype=float)
    except (ValueError, UserWarning):
        return None
    rows = source.count("\n") + 1
    if data.shape != (rows, len(first)) or not np.isfinite(data).all():
        return None  # a blank line skipped (the line numbers would be off), or not finite
    first_line = lineno + (header is not None)
    description, settings = _parse_comments(leading, label)
    lines = np.arange(first_line, first_line + rows)
    return _Table(header, data, lines, description, settings)


def _parse_cells(text: str, label: str) -> _Table:
    """Parse CSV text cell by cell, naming the line and column of any problem."""
    split = _split_fast(text, label) or _split_csv(text, label)
    description, settings = _parse_comments(split.leading, label)
    if split.first is None:
        raise DataError(f"{label}: has no data rows")

    first = [cell.strip() for cell in split.first]
    ncols = len(first)
    header: list[str] | None = None
    if any(cell and not _is_number(cell) for cell in first):
        header = first
        for i, name in enumerate(header):
            if not name:
                raise DataError(
                    f"{label}: line {split.first_line}, column {i + 1}: "
                    "empty column name in the header"
                )
            if header.index(name) != i:
                raise DataError(
                    f"{label}: line {split.first_line}: column name {quoted(name)} "
                    f"appears twice (columns {header.index(name) + 1} and {i + 1})"
                )
        cells, line_numbers = split.cells, split.lines
        if not line_numbers:
            raise DataError(f"{label}: has a header but no data rows")
    else:
        cells, line_numbers = first + split.cells, [split.first_line, *split.lines]
    if ncols < 2:
        raise DataError(f"{label}: needs at least 2 columns: features and a target")

    try:
        values = list(map(float, cells))
    except ValueError:
        for k, cell in enumerate(cells):
            if not _is_number(cell):
                where = f"line {line_numbers[k // ncols]}, {_column(k % ncols, header)}"
                if not cell.strip():
                    raise DataError(f"{label}: {where}: empty cell") from None
                raise DataError(f"{label}: {where}: {_shown(cell)} is not a number") from None
        raise  # pragma: no cover - float() failed above, so some cell is not a number
    data = np.array(values, dtype=np.float64).reshape(len(line_numbers), ncols)
    finite = np.isfinite(data)
    if not finite.all():
        k = int(np.argmin(finite.ravel()))
        where = f"line {line_numbers[k // ncols]}, {_column(k % ncols, header)}"
        raise DataError(f"{label}: {where}: {_shown(cells[k])} is not a finite number")
    return _Table(header, data, line_numbers, description, settings)


def _shown(cell: str) -> str:
    """A cell in a message: stripped, escaped, at most a line's worth, in quotes."""
    return quoted(cell.strip())


def _listing(names: Sequence[str]) -> str:
    """`a, b, c` or `a, b, …, j (30 in all)`: column names for a message."""
    shown = [_shown(name)[1:-1] for name in names[:_MOST_COLUMNS_LISTED]]
    more = f", … ({len(names)} in all)" if len(names) > _MOST_COLUMNS_LISTED else ""
    return ", ".join(shown) + more


# --------------------------------------------------------------------------- public


def load(
    spec: str | os.PathLike[str], target: str | None = None, standardize: bool = False
) -> Dataset:
    """Load a CSV file or a bundled sample (see :func:`resolve`) as a :class:`Dataset`.

    ``target`` names the header column to predict (default: the last column); every other
    column is a feature. With ``standardize=True`` every feature column is rescaled to mean 0
    and population std 1 (see :class:`Standardization`); a constant column is refused. The
    target is never rescaled.

    Raises :class:`DataError` (and nothing else) for any problem with the file.
    """
    name, path = resolve(spec)
    label = printable(name if name == os.fspath(spec) else str(path))
    table = _parse(_read_text(path, label), label)
    header, data = table.header, table.data
    ncols = data.shape[1]

    if target is None:
        t = ncols - 1
    elif header is None:
        raise DataError(f"{label}: --target needs a header row (the file has none)")
    elif target in header:
        t = header.index(target)
    else:
        raise DataError(
            f"{label}: no column named {quoted(target)} for the target "
            f"(columns: {_listing(header)})"
        )

    keep = [i for i in range(ncols) if i != t]
    x = np.ascontiguousarray(data[:, keep])
    y = np.ascontiguousarray(data[:, t])
    if header is not None:
        features = tuple(printable(header[i]) for i in keep)
        target_name = printable(header[t])
    else:
        features = ("x",) if len(keep) == 1 else tuple(f"x{j + 1}" for j in range(len(keep)))
        target_name = "y"
    standardization = None
    if standardize:
        constant = np.flatnonzero(x.max(axis=0) == x.min(axis=0))
        if constant.size:
            j = int(constant[0])
            raise DataError(
                f"{label}: {_column(keep[j], header)} is constant ({exact(x[0, j])} on every "
                "row): --standardize cannot rescale it (its standard deviation is 0); "
                "leave that column out"
            )
        x, standardization = standardize_columns(x, features)
    return Dataset(
        name=printable(name),
        path=path,
        x=x,
        y=y,
        features=features,
        target=target_name,
        description=table.description,
        settings=table.settings,
        standardized=standardize,
        standardization=standardization,
        lines=np.array(table.lines, dtype=np.int64),
        target_column=_column(t, header),
    )
