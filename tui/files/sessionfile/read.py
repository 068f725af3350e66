"""Reading a session file: every field checked, every problem named by file and field."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from typing import Any

from tui.engine.model import LOSSES, REDUCTIONS
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.race import MAX_RUNS
from tui.engine.schedule import BATCHES, Batches, BatchSizeError, batch_size
from tui.engine.session import Event
from tui.files.safe import read_bytes
from tui.files.sessionfile.document import (
    EVENT_KINDS,
    FORMAT,
    VERSION,
    VERSIONS,
    SavedRun,
    SavedSession,
    SessionFileError,
)
from tui.format import QUOTED, printable, quoted

MAX_BYTES = 64 << 20
"""A session file larger than this is not read (it is surely some other file)."""


def _show(value: Any) -> str:
    """A value from the file for a message, at most a line's worth (a 60 MB string is not
    repeated): a string quoted with its control characters escaped, anything else as JSON."""
    if isinstance(value, str):
        return quoted(value)
    text = json.dumps(value)  # ASCII: every control or other odd character is escaped
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


class _Fields:
    """Checks the fields of a parsed document; errors name the file and the field."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, name: str, problem: str) -> SessionFileError:
        return SessionFileError(f"{self.label}: session field {name!r} {problem}")

    def get(self, obj: dict[str, Any], key: str, name: str) -> Any:
        if key not in obj:
            raise self.fail(name, "is missing")
        return obj[key]

    def object(self, value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(name, f"must be an object, not {_show(value)}")
        return value

    def array(self, value: Any, name: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(name, f"must be a list, not {_show(value)}")
        return value

    def text(self, value: Any, name: str, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            kind = "a string or null" if optional else "a string"
            raise self.fail(name, f"must be {kind}, not {_show(value)}")
        return value

    def flag(self, value: Any, name: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, not {_show(value)}")
        return value

    def whole(self, value: Any, name: str, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"must be a whole number, not {_show(value)}")
        if value < minimum:
            raise self.fail(name, f"must be at least {minimum}, not {value}")
        return value

    def number(self, value: Any, name: str, positive: bool = False) -> float:
        kind = "a finite number > 0" if positive else "a finite number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"must be {kind}, not {_show(value)}")
        try:
            number = float(value)
        except OverflowError:
            raise self.fail(name, f"must be {kind}, not {_show(value)}") from None
        if not math.isfinite(number) or (positive and not number > 0):
            raise self.fail(name, f"must be {kind}, not {_show(value)}")
        return number

    def numbers(self, value: Any, name: str, count: int | None = None) -> list[float]:
        items = self.array(value, name)
        if count is not None and len(items) != count:
            raise self.fail(name, f"must hold {count} number(s), not {len(items)}")
        if not items:
            raise self.fail(name, "must hold at least one number")
        return [self.number(v, f"{name}[{i}]") for i, v in enumerate(items)]

    def choice(self, value: Any, name: str, choices: Iterable[str]) -> str:
        choices = tuple(choices)
        if not isinstance(value, str) or value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}, not {_show(value)}")
        return value


def _read(path: str, label: str) -> str:
    """The text of a regular file of at most MAX_BYTES: a FIFO, a device (/dev/zero) or a
    directory is refused at once, never read or waited on."""
    raw = read_bytes(path, label, MAX_BYTES, error=SessionFileError)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SessionFileError(f"not a gdstep session file: {label} (not UTF-8 text)") from None


def parse(text: str, label: str = "<session>") -> SavedSession:
    """A SavedSession from a session file's text; SessionFileError if it is not a valid one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise SessionFileError(
            f"not a gdstep session file: {label} (not valid JSON: {e.msg} at {where})"
        ) from None
    except (ValueError, RecursionError) as e:  # e.g. an integer with too many digits
        raise SessionFileError(
            f"not a gdstep session file: {label} (not valid JSON: {e})"
        ) from None
    if not isinstance(document, dict) or "format" not in document:
        raise SessionFileError(
            f'not a gdstep session file: {label} (it has no "format": "{FORMAT}" tag)'
        )
    if document["format"] != FORMAT:
        raise SessionFileError(
            f"not a gdstep session file: {label} (its format is {_show(document['format'])}, "
            f"not {quoted(FORMAT)})"
        )
    f = _Fields(label)
    version = f.get(document, "version", "version")
    if version not in VERSIONS or isinstance(version, bool):
        age = ""
        if isinstance(version, int) and not isinstance(version, bool):
            age = " (a newer gdstep)" if version > VERSION else " (an older gdstep)"
        raise SessionFileError(
            f"made by a different version: {label} is a session file of version "
            f"{_show(version)}{age}; this gdstep reads versions 1 and {VERSION}"
        )
    step = f.whole(f.get(document, "step", "step"), "step", 0)
    runs = _runs(f, document, version)
    return SavedSession(
        label=label,
        data=_data(f, document),
        target=f.text(f.get(document, "target", "target"), "target", optional=True),
        standardize=f.flag(f.get(document, "standardize", "standardize"), "standardize"),
        config=_config(f, f.object(f.get(document, "config", "config"), "config")),
        events=_events(f, f.array(f.get(document, "events", "events"), "events")),
        step=step,
        breakpoints=_breakpoints(f, document),
        watches=[
            str(f.text(w, f"watches[{i}]"))
            for i, w in enumerate(f.array(f.get(document, "watches", "watches"), "watches"))
        ],
        data_sha256=_digest(f, document),
        runs=runs,
        selected_run=_selected(f, document, len(runs)),
    )


def _runs(f: _Fields, document: dict[str, Any], version: int) -> list[SavedRun]:
    """Compare mode's runs (version 2 only): at most MAX_RUNS − 1, each with its options,
    its events and its own step, as `step` is the base run's (a run that diverged stops
    there; the shared step is the furthest). The options are checked against the data when
    the session is restored."""
    if "runs" not in document:
        return []
    if version < VERSION:
        raise f.fail("runs", f"needs a session file of version {VERSION}, not {version}")
    raw = f.array(document["runs"], "runs")
    if len(raw) > MAX_RUNS - 1:
        raise f.fail("runs", f"at most {MAX_RUNS - 1} runs besides the base, not {len(raw)}")
    runs = []
    for i, item in enumerate(raw):
        name = f"runs[{i}]"
        obj = f.object(item, name)
        options = str(f.text(f.get(obj, "options", f"{name}.options"), f"{name}.options"))
        events = _events(f, f.array(f.get(obj, "events", f"{name}.events"), f"{name}.events"), name)
        run_step = f.whole(f.get(obj, "step", f"{name}.step"), f"{name}.step", 0)
        runs.append(SavedRun(options, events, run_step))
    return runs


def _selected(f: _Fields, document: dict[str, Any], runs: int) -> int:
    if "selected_run" not in document:
        return 0
    selected = f.whole(document["selected_run"], "selected_run", 0)
    if selected > runs:
        raise f.fail("selected_run", f"must be a run, 0 to {runs}, not {selected}")
    return selected


def load(path: str | os.PathLike[str]) -> SavedSession:
    """Read and check a session file. Raises SessionFileError (and nothing else) when the
    file cannot be read, is not a gdstep session file, was made by a different version, or
    has a missing or bad field."""
    text_path = os.path.expanduser(os.fspath(path))
    label = printable(text_path)
    if not text_path:
        raise SessionFileError("no file name given")
    return parse(_read(text_path, label), label)


def _data(f: _Fields, document: dict[str, Any]) -> str:
    spec = f.text(f.get(document, "data", "data"), "data")
    if not spec:
        raise f.fail("data", "must name a sample or a CSV file, not ''")
    return spec


def _digest(f: _Fields, document: dict[str, Any]) -> str | None:
    digest = f.text(document.get("data_sha256"), "data_sha256", optional=True)
    if digest is not None and (
        len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise f.fail("data_sha256", f"must be 64 hexadecimal digits, not {_show(digest)}")
    return digest


BATCH_SIZE_PROBLEMS = {
    Batches.EVERY_POINT: "must be null for optimizer gd (it uses every point)",
    Batches.SIZED: "must be a whole number for optimizer minibatch",
}
"""What a session file's batch_size is told for each rule of tui.engine.schedule.batch_size (sgd's
is checked first: a saved sgd run always says 1)."""


def _config(f: _Fields, raw: dict[str, Any]) -> dict[str, Any]:
    def get(key: str) -> Any:
        return f.get(raw, key, f"config.{key}")

    optimizer = f.choice(get("optimizer"), "config.optimizer", OPTIMIZERS)
    size = get("batch_size")
    if size is not None:
        size = f.whole(size, "config.batch_size", 1)
    if BATCHES.get(optimizer) is Batches.ONE_POINT and size != 1:  # saved as 1, always
        raise f.fail("config.batch_size", f"must be 1 for optimizer sgd, not {_show(size)}")
    try:
        batch_size(optimizer, size)
    except BatchSizeError as error:
        raise f.fail("config.batch_size", BATCH_SIZE_PROBLEMS[error.rule]) from None
    return {
        "loss": f.choice(get("loss"), "config.loss", LOSSES),
        "reduction": f.choice(get("reduction"), "config.reduction", REDUCTIONS),
        "optimizer": optimizer,
        "lr": f.number(get("lr"), "config.lr", positive=True),
        "w0": f.numbers(get("w0"), "config.w0"),
        "b0": f.number(get("b0"), "config.b0"),
        "batch_size": size,
        "shuffle": f.flag(get("shuffle"), "config.shuffle"),
        "seed": f.whole(get("seed"), "config.seed", 0),
    }


def _events(f: _Fields, raw: list[Any], within: str = "") -> list[Event]:
    events: list[Event] = []
    for i, item in enumerate(raw):
        name = f"{within}.events[{i}]" if within else f"events[{i}]"
        obj = f.object(item, name)
        kind = f.choice(f.get(obj, "kind", f"{name}.kind"), f"{name}.kind", EVENT_KINDS)
        step = f.whole(f.get(obj, "step", f"{name}.step"), f"{name}.step", 0)
        values = f.get(obj, "values", f"{name}.values")
        if kind == "lr":
            numbers = f.numbers(values, f"{name}.values", count=1)
            numbers = [f.number(numbers[0], f"{name}.values[0]", positive=True)]
        elif kind == "direction":  # a step along the dial's β, from step − 1 to step
            numbers = f.numbers(values, f"{name}.values", count=1)
            if not 0.0 <= numbers[0] < 360.0:
                raise f.fail(
                    f"{name}.values[0]", f"must be an angle 0 ≤ β < 360, not {numbers[0]!r}"
                )
            step = f.whole(step, f"{name}.step", 1)
        else:
            numbers = f.numbers(values, f"{name}.values")
            if len(numbers) < 2:
                raise f.fail(f"{name}.values", "must hold θ: w and b (at least 2 numbers)")
        if events and step < events[-1].step:
            raise f.fail(
                f"{name}.step",
                f"must not come before the step of the event before it ({events[-1].step}), "
                f"not {step}",
            )
        events.append(Event(kind, step, tuple(numbers)))
    return events


def _breakpoints(f: _Fields, document: dict[str, Any]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for i, item in enumerate(f.array(f.get(document, "breakpoints", "breakpoints"), "breakpoints")):
        name = f"breakpoints[{i}]"
        obj = f.object(item, name)
        text = f.text(f.get(obj, "expression", f"{name}.expression"), f"{name}.expression")
        enabled = f.flag(f.get(obj, "enabled", f"{name}.enabled"), f"{name}.enabled")
        out.append((str(text), enabled))
    return out
