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
name when there is a header). Only regular files of at most :data:`DATA_LIMIT` bytes are read
(a FIFO or a device is refused at once, never waited on). Text from the file that is kept for
display (the description, the column names) has its control characters escaped.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from tui.errors import InputError
from tui.files import read_bytes
from tui.format import PATH_QUOTED, count, exact, num, printable, quoted

__all__ = [
    "DATA_LIMIT",
    "SAMPLES_DIR",
    "DataError",
    "Dataset",
    "Standardization",
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
DATA_LIMIT = 512 << 20
"""The largest data file gdstep reads: 512 MiB, several times a million-row CSV."""
_MOST_COLUMNS_LISTED = 10


class DataError(InputError):
    """A bad data file or sample: the message names the problem (and file, line, column where
    there is one)."""


@dataclass(frozen=True, eq=False)
class Standardization:
    """How ``--standardize`` rescaled the features: x'_ij = (x_ij − m_j) / s_j, with m_j the
    mean and s_j the population standard deviation (ddof 0) of column j (MATH.md). Made by
    :func:`standardize_columns`.

    Each column is scaled by a power of two 2^e_j ≥ max_i |x_ij| first: that is exact, and
    values in (−1, 1) neither overflow nor underflow when summed and squared, so any finite
    column works (from 5e−324 to 1.7e308). The mean is kept as the double nearest it, μ_j,
    plus the mean c_j of the residuals x_ij − μ_j (what rounding the mean lost: it matters
    when a column's spread is a few ulps of its values), and s_j comes from the corrected
    two-pass formula s² = mean(r²) − c² (as scikit-learn computes it).
    """

    names: tuple[str, ...]  # the features' names
    exponents: np.ndarray  # e_j (int)
    unit_means: np.ndarray  # μ_j / 2^e_j
    unit_corrections: np.ndarray  # c_j / 2^e_j: m_j = μ_j + c_j
    unit_scales: np.ndarray  # s_j / 2^e_j, > 0

    @property
    def means(self) -> np.ndarray:
        """m_j, the column means (the nearest doubles)."""
        return np.ldexp(self.unit_means + self.unit_corrections, self.exponents)

    @property
    def scales(self) -> np.ndarray:
        """s_j, the columns' population standard deviations (the nearest doubles: for a column
        of subnormal numbers that can be 0, which `in_file_units` does not divide by)."""
        return np.ldexp(self.unit_scales, self.exponents)

    def in_file_units(self, w: Sequence[float] | np.ndarray, b: float) -> tuple[np.ndarray, float]:
        """The model w'·x' + b' in the file's own units: w_j = w'_j / s_j and
        b = b' − Σ_j w'_j·m_j / s_j (MATH.md), so that w·x_i + b = w'·x'_i + b'.

        Computed without overflow where the result is finite (m_j / s_j and w'_j / s_j come
        from the scaled column), and the sum for b correctly rounded."""
        w_unit = np.asarray(w, dtype=np.float64)
        with np.errstate(all="ignore"):
            w_file = np.ldexp(w_unit / self.unit_scales, -self.exponents)
            # w'_j / unit scale overflowed, yet with e_j > 0 w_j may fit: scale first
            late = np.isinf(w_file) & np.isfinite(w_unit)
            w_file[late] = np.ldexp(w_unit[late], -self.exponents[late]) / self.unit_scales[late]
            shifts = [w_unit * (self.unit_means / self.unit_scales)]
            shifts.append(w_unit * (self.unit_corrections / self.unit_scales))
        return w_file, _sum([float(b), *(-np.concatenate(shifts)).tolist()])

    def describe(self, digits: int | None = None) -> str:
        """`petal_length m = 4.906, s = 0.8253…; petal_width m = …`: m_j and s_j by name, as
        exact doubles, or with `digits` significant digits."""
        show = _shower(digits)
        rows = zip(self.names, self.means.tolist(), self.scales.tolist(), strict=True)
        return "; ".join(f"{name} m = {show(m)}, s = {show(s)}" for name, m, s in rows)

    def describe_model(
        self, w: Sequence[float] | np.ndarray, b: float, digits: int | None = None
    ) -> str:
        """`petal_length w = …, petal_width w = …; b = …`: the standardized model (w', b')
        in the file's own units (see `in_file_units`), as exact doubles or with `digits`."""
        show = _shower(digits)
        w_file, b_file = self.in_file_units(w, b)
        rows = zip(self.names, w_file.tolist(), strict=True)
        return ", ".join(f"{name} w = {show(v)}" for name, v in rows) + f"; b = {show(b_file)}"


def _shower(digits: int | None) -> Callable[[float], str]:
    """`format.exact`, or `format.num` with `digits` significant digits."""
    return exact if digits is None else lambda value: num(value, digits)


def _sum(values: list[float]) -> float:
    """Σ values correctly rounded; inf or nan where the sum is not finite."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        with np.errstate(all="ignore"):
            return float(np.sum(values))


def standardize_columns(x: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, Standardization]:
    """x' = (x − m) / s column by column (a new C-contiguous array) and the m_j, s_j used (see
    :class:`Standardization`). No column may be constant (s_j = 0): `load` refuses those."""
    peaks = np.maximum(x.max(axis=0), -x.min(axis=0))
    _, exponents = np.frexp(peaks)
    with np.errstate(under="ignore"):  # values below 2^−1074 of their column's largest
        residuals = np.ldexp(x, -exponents)
    means = residuals.mean(axis=0)
    residuals -= means
    corrections = residuals.mean(axis=0)
    scales = np.sqrt(np.einsum("ij,ij->j", residuals, residuals) / len(x) - corrections**2)
    residuals -= corrections
    residuals /= scales
    standardization = Standardization(tuple(names), exponents, means, corrections, scales)
    return np.ascontiguousarray(residuals), standardization


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
    raise DataError(f"no such file or sample: {quoted(text, PATH_QUOTED)} (samples: {listing})")


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
    lines: list[int]  # the physical line number of every row
    description: str
    settings: dict[str, str]


def _parse(text: str, label: str) -> _Table:
    """Parse CSV text (see the module's docstring)."""
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
