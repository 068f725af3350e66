"""Reading a CSV file into a Dataset: the leading comments (description, # gdstep: settings),
the cells, and every problem named by file, line and column."""

from __future__ import annotations

import codecs
import io
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tui.data.csv_split import comment_body, split_csv, split_fast
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
            body = comment_body(line)
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
        if (body := comment_body(line)) is not None:
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
    split = split_fast(text, label) or split_csv(text, label)
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
