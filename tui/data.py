"""Data for gdstep: CSV files, the bundled samples, and standardizing.

This module does not import textual, so it can be used (and tested) on its own.

CSV format
----------
UTF-8 (a byte-order mark is fine), comma-separated, CRLF or LF line endings.

* Lines whose first non-space character is ``#`` are comments; blank lines are skipped;
  spaces around values are stripped; header names may be quoted (``"x","y"``).
* The first row is a header if any of its cells is not a number.
* The last column is the target (unless ``target=NAME`` picks a header column); every other
  column is a feature.
* Comment lines before the first row may carry a one-line description (the first comment that
  is not a ``gdstep:`` line) and recommended settings::

      # Five points for a sigmoid neuron
      # gdstep: loss=mse lr=1 w0=0 b0=0

Anything wrong with a file raises :class:`DataError` with a one-line message naming the file
and, where there is one, the line (1-based physical line) and column (1-based, with the header
name when there is a header).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tui.errors import InputError

__all__ = [
    "SAMPLES_DIR",
    "DataError",
    "Dataset",
    "load",
    "read_header_comments",
    "resolve",
    "sample_names",
    "standardize_columns",
]


def _find_samples_dir() -> Path:
    """The bundled samples: ``tui/samples`` in an installed wheel, ``samples/`` in a checkout."""
    installed = Path(__file__).parent / "samples"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "samples"


SAMPLES_DIR: Path = _find_samples_dir()

DEFAULT_SAMPLE = "seed"
SETTINGS_PREFIX = "gdstep:"
_MAX_SHOWN = 24  # longest cell text quoted in an error message


class DataError(InputError):
    """A bad data file or sample: the message names the problem (and file, line, column where
    there is one)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded data set: features ``x`` (N, d) and targets ``y`` (N,), both float64.

    ``eq=False``: datasets compare by identity (comparing numpy arrays with ``==`` is
    ambiguous).
    """

    name: str  # sample name ("seed") or the file name as given
    path: Path
    x: np.ndarray  # (N, d) float64, C-contiguous, d >= 1
    y: np.ndarray  # (N,) float64
    features: tuple[str, ...]  # d names: header names, or x1..xd (just "x" when d == 1)
    target: str  # header name of the target, or "y"
    description: str  # one line, "" when the file has none
    settings: dict[str, str]  # recommended settings from "# gdstep:" lines, raw strings
    standardized: bool

    @property
    def n(self) -> int:
        """Number of rows (examples)."""
        return int(self.x.shape[0])

    @property
    def d(self) -> int:
        """Number of features."""
        return int(self.x.shape[1])


# --------------------------------------------------------------------------- samples


def sample_names() -> list[str]:
    """The bundled sample names (stems of ``samples/*.csv``), sorted, with "seed" first."""
    if not SAMPLES_DIR.is_dir():
        return []
    names = sorted(p.stem for p in SAMPLES_DIR.glob("*.csv") if p.is_file())
    if DEFAULT_SAMPLE in names:
        names.remove(DEFAULT_SAMPLE)
        names.insert(0, DEFAULT_SAMPLE)
    return names


def resolve(spec: str | os.PathLike[str]) -> tuple[str, Path]:
    """Turn a command-line data spec into ``(name, path)``.

    A path that exists wins (name = the spec as given); otherwise a sample name (``seed`` or
    ``seed.csv``; name = the sample name); otherwise :class:`DataError`.
    """
    text = os.fspath(spec)
    if text and os.path.exists(text):  # os.path.exists never raises (bad names are False)
        return text, Path(text)
    names = sample_names()
    stem = text[:-4] if text.endswith(".csv") else text
    if stem in names and "/" not in text and os.sep not in text:
        return stem, SAMPLES_DIR / f"{stem}.csv"
    listing = ", ".join(names) if names else "none found"
    raise DataError(f"no such file or sample: {text!r} (samples: {listing})")


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
                        f"{label}: line {lineno}: malformed gdstep setting {_show(token)} "
                        "(expected key=value)"
                    )
                if key in settings:
                    raise DataError(f"{label}: line {lineno}: gdstep setting {key!r} given twice")
                settings[key] = value
        elif body and not description:
            description = body
    return description, settings


def _leading_comments(path: str | os.PathLike[str], label: str) -> list[tuple[int, str]]:
    """The comment lines before the first row, decoding the file line by line and stopping at
    the first row (so later bytes are never read)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    comments: list[tuple[int, str]] = []
    lineno = 0
    with open(path, "rb") as f:
        for raw in f:  # lines end at b"\n", which is never part of a multi-byte UTF-8 character
            if b"\0" in raw:
                raise DataError(f"{label}: is not a UTF-8 text file (it contains NUL bytes)")
            try:
                text = decoder.decode(raw)
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

    Reads only up to the first row that is not a comment or blank, so it is cheap to call on
    large files (e.g. to list the samples with their descriptions).
    """
    label = os.fspath(path)
    if os.path.isdir(path):
        raise DataError(f"{label}: is a directory, not a CSV file")
    try:
        comments = _leading_comments(path, label)
    except OSError as e:
        raise DataError(f"{label}: cannot read: {e.strerror or e}") from None
    return _parse_comments(comments, label)


# --------------------------------------------------------------------------- parsing


def _show(cell: str) -> str:
    """A cell's text for an error message: quoted, and shortened when long."""
    cell = cell.strip()
    if len(cell) > _MAX_SHOWN:
        cell = cell[: _MAX_SHOWN - 3] + "..."
    return repr(cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_text(path: Path, label: str) -> str:
    if os.path.isdir(path):
        raise DataError(f"{label}: is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{label}: no such file or sample") from None
    except IsADirectoryError:
        raise DataError(f"{label}: is a directory, not a CSV file") from None
    except OSError as e:
        raise DataError(f"{label}: cannot read: {e.strerror or e}") from None
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


def _column(index: int, names: list[str] | None) -> str:
    """``column 2 (y)`` / ``column 2``: a 1-based column number with its header name."""
    if names is None:
        return f"column {index + 1}"
    return f"column {index + 1} ({names[index]})"


def _parse(text: str, label: str) -> tuple[list[str] | None, np.ndarray, str, dict[str, str]]:
    """Parse CSV text into (header or None, data (rows, cols) float64, description, settings)."""
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
                    f"{label}: line {split.first_line}: column name {name!r} "
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
                raise DataError(f"{label}: {where}: {_show(cell)} is not a number") from None
        raise  # pragma: no cover - float() failed above, so some cell is not a number
    data = np.array(values, dtype=np.float64).reshape(len(line_numbers), ncols)
    finite = np.isfinite(data)
    if not finite.all():
        k = int(np.argmin(finite.ravel()))
        where = f"line {line_numbers[k // ncols]}, {_column(k % ncols, header)}"
        raise DataError(f"{label}: {where}: {_show(cells[k])} is not a finite number")
    return header, data, description, settings


# --------------------------------------------------------------------------- public


def standardize_columns(x: np.ndarray) -> np.ndarray:
    """Rescale every column to mean 0 and population standard deviation 1 (ddof=0).

    A constant column (all values equal, standard deviation 0) cannot be scaled: it is only
    centred, which makes it all zeros. Returns a new C-contiguous float64 array.
    """
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    constant = (x.max(axis=0) == x.min(axis=0)) | (std == 0)
    scale = np.where(constant, 1.0, std)
    out = (x - mean) / scale
    out[:, constant] = 0.0
    return np.ascontiguousarray(out)


def load(
    spec: str | os.PathLike[str], target: str | None = None, standardize: bool = False
) -> Dataset:
    """Load a CSV file or a bundled sample (see :func:`resolve`) as a :class:`Dataset`.

    ``target`` names the header column to predict (default: the last column); every other
    column is a feature. With ``standardize=True`` every feature column is rescaled to mean 0
    and population std 1 (see :func:`standardize_columns`; a constant column is only centred).
    The target is never rescaled.

    Raises :class:`DataError` (and nothing else) for any problem with the file.
    """
    name, path = resolve(spec)
    label = name if name == os.fspath(spec) else str(path)
    text = _read_text(path, label)
    header, data, description, settings = _parse(text, label)
    ncols = data.shape[1]

    if target is None:
        t = ncols - 1
    elif header is None:
        raise DataError(f"{label}: --target needs a header row (the file has none)")
    elif target in header:
        t = header.index(target)
    else:
        columns = ", ".join(header)
        raise DataError(f"{label}: no column named {target!r} for the target (columns: {columns})")

    keep = [i for i in range(ncols) if i != t]
    x = np.ascontiguousarray(data[:, keep])
    y = np.ascontiguousarray(data[:, t])
    if header is not None:
        features = tuple(header[i] for i in keep)
        target_name = header[t]
    else:
        features = ("x",) if len(keep) == 1 else tuple(f"x{j + 1}" for j in range(len(keep)))
        target_name = "y"
    if standardize:
        x = standardize_columns(x)
    return Dataset(
        name=name,
        path=path,
        x=x,
        y=y,
        features=features,
        target=target_name,
        description=description,
        settings=settings,
        standardized=standardize,
    )
