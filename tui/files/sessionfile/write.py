"""Saving a session (JSON, floats as repr) and exporting its trace as CSV."""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tui.engine.race import Race
from tui.engine.session import Config, Session
from tui.expressions import Expression
from tui.files import trace
from tui.files.safe import write_atomic
from tui.files.sessionfile.document import FORMAT, VERSION, SessionFileError


def export_csv(
    session: Session | Race, path: str | os.PathLike[str], watches: Sequence[Expression] = ()
) -> Path:
    """Write states 0 … session.t as the CSV `gdstep trace` prints (atomically)."""
    return write_atomic(path, csv_text(session, watches))


def csv_text(session: Session | Race, watches: Sequence[Expression] = ()) -> str:
    """States 0 … session.t as the CSV `gdstep trace` prints; for compare mode's runs (a
    Race of more than one), each run's states 0 … its step with a leading `run` column, as
    `gdstep trace --vs` prints them."""
    sessions = session.sessions if isinstance(session, Race) else [session]
    steps = [s.t for s in sessions]
    return "".join(trace.lines_of_runs(sessions, steps, watches=list(watches)))


def data_digest(x: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of the float64 numbers (and shape) a session runs on."""
    digest = hashlib.sha256()
    digest.update(repr(x.shape).encode())
    digest.update(np.ascontiguousarray(x, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(y, dtype=np.float64).tobytes())
    return digest.hexdigest()


def _spec(dataset_spec: str | os.PathLike[str]) -> str:
    """A sample name as it is; a file (as `data.resolve` finds it first) as an absolute path."""
    text = os.fspath(dataset_spec)
    if text and os.path.exists(text):
        return os.path.abspath(text)
    return text


def _finite(values: Iterable[Any], what: str) -> list[float]:
    out = [float(v) for v in values]
    if not all(map(math.isfinite, out)):
        raise SessionFileError(f"cannot save the session: {what} is not finite: {out!r}")
    return out


def to_json(
    session: Session,
    dataset_spec: str | os.PathLike[str],
    target: str | None,
    standardize: bool,
    breakpoints: Iterable[tuple[str, bool]] = (),
    watches: Iterable[str] = (),
    runs: Sequence[tuple[str, Session]] = (),
    selected_run: int = 0,
) -> str:
    """The session file's text (see `save`); with compare mode's `runs` beyond the base run
    (each its `--vs` options and its session), version 2 with `runs` and `selected_run`."""
    c: Config = session.config
    document = {
        "format": FORMAT,
        "version": VERSION if runs else 1,
        "data": _spec(dataset_spec),
        "target": target,
        "standardize": bool(standardize),
        "data_sha256": data_digest(session.objective.x, session.objective.y),
        "config": {
            "loss": c.loss,
            "reduction": c.reduction,
            "optimizer": c.optimizer,
            "lr": _finite([c.lr], "η")[0],
            "w0": _finite(c.w0, "w0"),
            "b0": _finite([c.b0], "b0")[0],
            "batch_size": None if c.batch_size is None else int(c.batch_size),
            "shuffle": bool(c.shuffle),
            "seed": int(c.seed),
        },
        "events": _events(session),
        "step": int(session.t),
        "breakpoints": [
            {"expression": str(text), "enabled": bool(enabled)} for text, enabled in breakpoints
        ],
        "watches": [str(w) for w in watches],
    }
    if runs:
        document["runs"] = [
            {"options": options, "events": _events(run), "step": int(run.t)}
            for options, run in runs
        ]
        document["selected_run"] = int(selected_run)
    return _layout(document)


def _events(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "kind": e.kind,
            "step": int(e.step),
            "values": _finite(e.values, f"the {e.kind} at step {e.step}"),
        }
        for e in session.events
    ]


def _layout(document: dict[str, Any]) -> str:
    """JSON with one line per field, and one line per item of a list (an event, …)."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    fields = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {dumps(item)}" for item in value)
            fields.append(f"  {dumps(key)}: [\n{items}\n  ]")
        else:
            fields.append(f"  {dumps(key)}: {dumps(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def save(
    path: str | os.PathLike[str],
    session: Session,
    dataset_spec: str | os.PathLike[str],
    target: str | None,
    standardize: bool,
    breakpoints: Iterable[tuple[str, bool]] = (),
    watches: Iterable[str] = (),
) -> Path:
    """Save the session (data spec, configuration, events, step, breakpoints, watches) as
    JSON, atomically. `dataset_spec` is what `data.load` was given: a sample name or a path
    (kept as an absolute path). Returns the path written; raises FileError."""
    text = to_json(session, dataset_spec, target, standardize, breakpoints, watches)
    return write_atomic(path, text)
