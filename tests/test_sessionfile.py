"""tui.files.sessionfile: export the trace as CSV; save a session, open it again bit for bit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui import data
from tui.config import make_config
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.session import Event, Session
from tui.files import sessionfile
from tui.files.safe import FileError
from tui.files.sessionfile import SavedSession, SessionFileError, export_csv, load, restore, save
from tui.files.sessionfile import read as session_read

ROOT = Path(__file__).resolve().parents[1]
CSV = "x1,x2,y\n0.5,1.0,0.0\n1.5,-2.0,1.0\n2.5,0.25,1.0\n-1.0,3.0,0.0\n"


def gdstep_trace(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GDSTEP_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "tui", "trace", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def make_session(spec: str, **given: str | None) -> Session:
    dataset = data.load(spec)
    shuffle = bool(given.pop("shuffle", None))
    seed = given.pop("seed", None)
    config, _ = make_config(dataset, given, shuffle=shuffle, seed=seed)
    return Session(dataset.x, dataset.y, config)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (so -0.0 ≠ 0.0 and NaN = NaN)."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def states(session: Session, name: str, upto: int) -> np.ndarray:
    """One quantity of the states 0 … upto side by side, read through the session."""
    return np.array([getattr(session, name)(t) for t in range(upto + 1)], dtype=np.float64)


def assert_identical(a: Session, b: Session, upto: int) -> None:
    for name in ("theta", "loss", "grad", "state", "lr"):
        assert same(states(a, name, upto), states(b, name, upto)), name
    assert a.config == b.config


# ---- export -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("plateau", "--steps", "50"),
        ("hours", "--optimizer", "adam", "--lr", "0.1", "--steps", "40"),
        (
            "iris",
            "--optimizer",
            "minibatch",
            "--batch-size",
            "7",
            "--shuffle",
            "--seed",
            "3",
            "--steps",
            "45",
        ),
    ],
    ids=["plateau", "hours-adam", "iris-minibatch-shuffle"],
)
def test_export_csv_is_exactly_what_gdstep_trace_prints(tmp_path, args):
    spec, rest = args[0], list(args[1:])
    given: dict[str, Any] = {}
    while rest:
        key = rest.pop(0)[2:].replace("-", "_")
        given[key] = True if key == "shuffle" else rest.pop(0)
    steps = int(given.pop("steps"))
    session = make_session(spec, **given)
    session.step(steps // 3)  # made in pieces, with a look back, as in the app
    session.back(5)
    session.step(steps)
    session.goto(steps)
    path = export_csv(session, tmp_path / "trace.csv")
    assert path == tmp_path / "trace.csv"
    assert path.read_text() == gdstep_trace(*args)
    assert [p.name for p in tmp_path.iterdir()] == ["trace.csv"]


def test_export_csv_stops_at_the_cursor(tmp_path):
    session = make_session("plateau")
    session.step(30)
    session.back(10)
    text = export_csv(session, tmp_path / "t.csv").read_text()
    assert text == gdstep_trace("plateau", "--steps", "20")
    assert session.t == 20 and session.last == 30  # the session is not changed


def test_export_csv_at_step_0_is_the_header_and_one_row(tmp_path):
    session = make_session("seed")
    lines = export_csv(session, tmp_path / "t.csv").read_text().splitlines()
    assert lines[0] == "step,w,b,loss,dw,db" and len(lines) == 2 and lines[1].startswith("0,0.0,")


def test_export_csv_replaces_atomically_and_reports_bad_paths(tmp_path):
    session = make_session("seed")
    with pytest.raises(FileError, match="does not exist"):
        export_csv(session, tmp_path / "missing" / "t.csv")
    (tmp_path / "t.csv").write_text("old")
    session.step(3)
    export_csv(session, tmp_path / "t.csv")
    assert len((tmp_path / "t.csv").read_text().splitlines()) == 5


# ---- save → load → restore ---------------------------------------------------------------------

RUNS = {
    "gd": {},
    "sgd": {},
    "minibatch": {"batch_size": "2", "shuffle": True, "seed": "7"},
    "momentum": {"batch_size": "3", "shuffle": True},
    "nesterov": {},
    "adagrad": {},
    "rmsprop": {"batch_size": "2"},
    "adam": {"lr": "0.1"},
}


def debugging_session(spec: str, optimizer: str) -> Session:
    """A session with η changes, an edit and a back-step, its history running ahead of t."""
    session = make_session(spec, optimizer=optimizer, **RUNS[optimizer])
    session.step(17)
    session.set_lr(session.lr() * 0.5)
    session.step(9)
    session.edit(session.theta() + 0.25)
    session.step(12)
    session.set_lr(session.lr() * 3)
    session.step(25)
    session.back(8)
    return session


def test_every_optimizer_is_covered():
    assert set(RUNS) == set(OPTIMIZERS)


@pytest.mark.parametrize("spec", ["seed", "iris"], ids=["tiny-floats", "numpy-arrays"])
@pytest.mark.parametrize("optimizer", list(RUNS))
def test_save_load_restore_is_bit_identical(tmp_path, spec, optimizer):
    original = debugging_session(spec, optimizer)
    assert [e.kind for e in original.events] == ["lr", "edit", "lr"]
    assert original.t < original.last
    breakpoints = [("loss < 0.01", True), ("|g| > 1e3 and θ", False)]
    path = save(tmp_path / "s.json", original, spec, None, False, breakpoints, ["w", "η·g"])
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]

    saved = load(path)
    assert saved.step == original.t
    assert saved.events == original.events
    assert saved.breakpoints == breakpoints and saved.watches == ["w", "η·g"]

    dataset, restored = restore(saved)
    assert dataset.name == spec
    assert restored.t == original.t
    assert restored.events == original.events
    assert_identical(original, restored, original.t)
    # and on from there: the same states as the history the original had computed
    last = original.last
    assert restored.goto(last) == last
    assert_identical(original, restored, last)
    restored.goto(last + 20)
    original.goto(last + 20)
    assert_identical(original, restored, last + 20)


def test_a_csv_file_is_saved_by_absolute_path_with_target_and_standardize(tmp_path, monkeypatch):
    (tmp_path / "pts.csv").write_text(CSV)
    monkeypatch.chdir(tmp_path)
    dataset = data.load("pts.csv", target="x1", standardize=True)
    config, _ = make_config(dataset, {"lr": "0.3", "w0": "0.5,-1"})
    session = Session(dataset.x, dataset.y, config)
    session.step(10)
    session.edit([0.1, 0.2, 0.3])
    session.step(5)
    path = save("run.json", session, "pts.csv", "x1", True)
    saved = load(path)
    assert saved.data == str(tmp_path / "pts.csv")
    assert (saved.target, saved.standardize) == ("x1", True)
    assert saved.config["w0"] == [0.5, -1.0]
    monkeypatch.chdir(ROOT)  # opened from elsewhere
    restored_data, restored = restore(load(tmp_path / "run.json"))
    assert restored_data.standardized and restored_data.target == "x1"
    assert_identical(session, restored, session.t)


def test_floats_round_trip_exactly(tmp_path):
    session = make_session("seed", lr="0.1", w0="0.30000000000000004", b0="-1e-300")
    session.step(3)
    session.set_lr(5e-324)
    session.edit([1 / 3, -2 / 7])
    saved = load(save(tmp_path / "s.json", session, "seed", None, False))
    assert saved.config["lr"] == 0.1 and saved.config["w0"] == [0.30000000000000004]
    assert saved.config["b0"] == -1e-300
    assert saved.events == [Event("lr", 3, (5e-324,)), Event("edit", 3, (1 / 3, -2 / 7))]


def test_the_file_is_readable_json_with_the_format_tag_first(tmp_path):
    session = debugging_session("seed", "adam")
    path = save(tmp_path / "s.json", session, "seed", None, False, [("loss < 1", True)], ["w"])
    text = path.read_text()
    document = json.loads(text)
    assert list(document)[:2] == ["format", "version"]
    assert document["format"] == "gdstep-session" and document["version"] == 1
    assert document["breakpoints"] == [{"expression": "loss < 1", "enabled": True}]
    assert '    {"kind": "lr", "step": 17, "values": [' in text  # one line per event


def test_save_refuses_what_cannot_be_set_again(tmp_path):
    session = make_session("seed")
    session.edit([float("nan"), 0.0])
    with pytest.raises(SessionFileError, match="cannot save the session: the edit at step 0"):
        save(tmp_path / "s.json", session, "seed", None, False)
    assert list(tmp_path.iterdir()) == []


def test_save_to_a_bad_path_is_a_file_error(tmp_path):
    with pytest.raises(FileError, match="does not exist"):
        save(tmp_path / "no" / "s.json", make_session("seed"), "seed", None, False)


def test_restore_refuses_a_session_past_the_step_limit(tmp_path):
    saved = load(save(tmp_path / "s.json", debugging_session("seed", "gd"), "seed", None, False))
    with pytest.raises(SessionFileError, match="goes to step 55, past the limit of 50 steps"):
        restore(saved, max_steps=50)
    restore(saved, max_steps=55)


# ---- broken files -------------------------------------------------------------------------------


@pytest.fixture
def document(tmp_path) -> dict[str, Any]:
    session = debugging_session("seed", "minibatch")
    path = save(tmp_path / "good.json", session, "seed", None, False, [("loss < 1", True)], ["w"])
    return json.loads(path.read_text())


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


def broken(path: Path) -> str:
    with pytest.raises(SessionFileError) as info:
        load(path)
    return str(info.value)


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe", b"", b"   ", b"hello", b"[1, 2]", b"null"],
    ids=["binary", "empty", "blank", "words", "a-list", "null"],
)
def test_not_a_session_file(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    assert broken(path).startswith(f"not a gdstep session file: {path} (")


def test_truncated_json(tmp_path, document):
    path = tmp_path / "s.json"
    text = json.dumps(document, indent=1)
    for cut in (1, len(text) // 3, len(text) // 2, len(text) - 2):
        path.write_text(text[:cut])
        message = broken(path)
        assert message.startswith(f"not a gdstep session file: {path} (not valid JSON: ")
        assert " at line " in message


def test_not_utf8(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b'{"format": "gdstep-session", "x": "\xe9"}')
    assert broken(path) == f"not a gdstep session file: {path} (not UTF-8 text)"


def test_a_json_object_of_another_kind(tmp_path):
    path = write_json(tmp_path / "s.json", {"name": "package.json", "version": "1.0.0"})
    assert broken(path) == (
        f'not a gdstep session file: {path} (it has no "format": "gdstep-session" tag)'
    )


def test_a_wrong_format_tag(tmp_path, document):
    path = write_json(tmp_path / "s.json", {**document, "format": "gdstep-notes"})
    assert broken(path) == (
        f"not a gdstep session file: {path} (its format is 'gdstep-notes', not 'gdstep-session')"
    )


@pytest.mark.parametrize(
    ("version", "age"), [(99, " (a newer gdstep)"), (0, " (an older gdstep)"), ("1", "")]
)
def test_another_version(tmp_path, document, version, age):
    path = write_json(tmp_path / "s.json", {**document, "version": version})
    shown = repr(version)
    assert broken(path) == (
        f"made by a different version: {path} is a session file of version {shown}{age}; "
        "this gdstep reads versions 1 and 2"
    )


TOP = [
    "version",
    "data",
    "target",
    "standardize",
    "config",
    "events",
    "step",
    "breakpoints",
    "watches",
]
CONFIG = ["loss", "reduction", "optimizer", "lr", "w0", "b0", "batch_size", "shuffle", "seed"]


@pytest.mark.parametrize(
    "field",
    TOP
    + [f"config.{k}" for k in CONFIG]
    + [
        "events.0.kind",
        "events.0.step",
        "events.0.values",
        "breakpoints.0.expression",
        "breakpoints.0.enabled",
    ],
)
def test_a_missing_field_is_named(tmp_path, document, field):
    *parents, key = field.split(".")
    holder = document
    for part in parents:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    del holder[key]
    name = field.replace(".0.", "[0].")
    assert broken(write_json(tmp_path / "s.json", document)) == (
        f"{tmp_path / 's.json'}: session field {name!r} is missing"
    )


BAD_FIELDS = [
    ("data", 3, "must be a string, not 3"),
    ("data", "", "must name a sample or a CSV file, not ''"),
    ("target", ["y"], 'must be a string or null, not ["y"]'),
    ("standardize", "yes", "must be true or false, not 'yes'"),
    ("standardize", 1, "must be true or false, not 1"),
    ("config", [], "must be an object, not []"),
    ("config.loss", "mae", "must be one of mse, bce, not 'mae'"),
    ("config.reduction", "max", "must be one of mean, sum, not 'max'"),
    (
        "config.optimizer",
        "lbfgs",
        "must be one of gd, sgd, minibatch, momentum, nesterov, "
        "adagrad, rmsprop, adam, not 'lbfgs'",
    ),
    ("config.lr", 0, "must be a finite number > 0, not 0"),
    ("config.lr", -0.5, "must be a finite number > 0, not -0.5"),
    ("config.lr", "0.5", "must be a finite number > 0, not '0.5'"),
    ("config.lr", True, "must be a finite number > 0, not true"),
    ("config.lr", float("nan"), "must be a finite number > 0, not NaN"),
    ("config.lr", float("inf"), "must be a finite number > 0, not Infinity"),
    (
        "config.lr",
        10**400,
        "must be a finite number > 0, not 1" + "0" * 58 + "…",
    ),
    ("config.w0", [], "must hold at least one number"),
    ("config.w0", 0.0, "must be a list, not 0.0"),
    ("config.w0.0", None, "must be a finite number, not null"),
    ("config.b0", float("-inf"), "must be a finite number, not -Infinity"),
    ("config.batch_size", 0, "must be at least 1, not 0"),
    ("config.batch_size", 2.5, "must be a whole number, not 2.5"),
    ("config.batch_size", None, "must be a whole number for optimizer minibatch"),
    ("config.shuffle", None, "must be true or false, not null"),
    ("config.seed", -1, "must be at least 0, not -1"),
    ("events", {}, "must be a list, not {}"),
    ("events.0", "lr", "must be an object, not 'lr'"),
    ("events.0.kind", "goto", "must be one of lr, edit, direction, not 'goto'"),
    ("events.0.step", -3, "must be at least 0, not -3"),
    ("events.0.values", [0.5, 0.5], "must hold 1 number(s), not 2"),
    ("events.0.values.0", 0.0, "must be a finite number > 0, not 0.0"),
    ("events.0.values.0", float("nan"), "must be a finite number, not NaN"),
    ("events.1.values", [1.0], "must hold θ: w and b (at least 2 numbers)"),
    ("events.1.values.1", float("inf"), "must be a finite number, not Infinity"),
    ("events.1.step", 2, "must not come before the step of the event before it (17), not 2"),
    ("step", -1, "must be at least 0, not -1"),
    ("step", "40", "must be a whole number, not '40'"),
    ("breakpoints.0.enabled", "on", "must be true or false, not 'on'"),
    ("breakpoints.0", ["loss < 1", True], 'must be an object, not ["loss < 1", true]'),
    ("watches", ["w", 3], None),
    ("data_sha256", "abc", "must be 64 hexadecimal digits, not 'abc'"),
]


@pytest.mark.parametrize(("field", "value", "problem"), BAD_FIELDS)
def test_a_bad_field_is_named(tmp_path, document, field, value, problem):
    *parents, key = field.split(".")
    holder = document
    for part in parents:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    holder[int(key) if key.isdigit() else key] = value
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))  # NaN and Infinity written as JSON's extensions
    message = broken(path)
    if problem is None:
        assert message == f"{path}: session field 'watches[1]' must be a string, not 3"
    else:
        name = ".".join(parents + [key])
        for i in range(3):
            name = name.replace(f".{i}", f"[{i}]")
        assert message == f"{path}: session field {name!r} {problem}"


def test_optimizer_and_batch_size_must_agree(tmp_path, document):
    path = tmp_path / "s.json"
    for optimizer, size, problem in [
        ("gd", 2, "must be null for optimizer gd (it uses every point)"),
        ("sgd", None, "must be 1 for optimizer sgd, not null"),
        ("sgd", 3, "must be 1 for optimizer sgd, not 3"),
    ]:
        document["config"].update(optimizer=optimizer, batch_size=size)
        assert broken(write_json(path, document)) == (
            f"{path}: session field 'config.batch_size' {problem}"
        )


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_a_path_that_is_not_a_file(tmp_path, kind):
    path = tmp_path / "s.json"
    if kind == "directory":
        path.mkdir()
        assert broken(path) == f"{path}: is a directory; gdstep reads only regular files"
    else:
        assert broken(path) == f"{path}: no such file"


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text("{}")

    real_open = os.open

    def denied(name, *args, **kwargs):
        if name == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert broken(path) == f"{path}: cannot read: permission denied"


def test_a_huge_file_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(session_read, "MAX_BYTES", 100)
    path = tmp_path / "s.json"
    path.write_text(" " * 101)
    assert broken(path) == f"{path}: is larger than 100 bytes, the most gdstep reads"


def test_deeply_nested_json(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert broken(path).startswith(f"not a gdstep session file: {path} (not valid JSON")


def test_unknown_extra_fields_are_ignored(tmp_path, document):
    document["comment"] = "made on the train"
    document["config"]["colour"] = "green"
    saved = load(write_json(tmp_path / "s.json", document))
    assert saved.step == document["step"]


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path, kind):
    if kind == "fifo":
        path, what = tmp_path / "s.json", "a FIFO (named pipe)"
        os.mkfifo(path)  # with no writer: reading it would wait for ever
    else:
        path, what = Path("/dev/zero"), "a character device"  # reading it would never end
    assert broken(path) == f"{path}: is {what}; gdstep reads only regular files"


def reopen(*args: str) -> subprocess.CompletedProcess[str]:
    """`gdstep --session …` (it fails before it needs a terminal, or it would stop there)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GDSTEP_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "tui", "--session", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_gdstep_session_on_a_fifo_fails_at_once(tmp_path):
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    result = reopen(str(fifo))
    assert result.returncode == 2
    assert result.stderr == (
        f"gdstep: error: {fifo}: is a FIFO (named pipe); gdstep reads only regular files\n"
    )


HUGE = "x" * 10_000_000 + "\x1b[31m"  # 10 MB, then a terminal escape


def in_document(document: dict[str, Any], field: str, value: Any) -> None:
    *parents, key = field.split(".")
    holder = document
    for part in parents:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    holder[int(key) if key.isdigit() else key] = value


def reopen_error(path: Path) -> str:
    """The message that reopening the session file gives (as `gdstep --session` does)."""
    with pytest.raises(SessionFileError) as info:
        saved = load(path)
        dataset, _ = restore(saved)
        sessionfile.expressions(saved, dataset.d)
    return str(info.value)


@pytest.mark.parametrize(
    "field",
    [
        "format",
        "version",
        "data",
        "target",
        "data_sha256",
        "config.loss",
        "config.lr",
        "events.0.kind",
        "events.0.values",
        "breakpoints.0.expression",
        "watches.0",
    ],
)
def test_a_huge_string_is_quoted_at_most_a_line_s_worth(tmp_path, document, field):
    in_document(document, field, HUGE)
    message = reopen_error(write_json(tmp_path / "s.json", document))
    assert len(message) < 500 and "\n" not in message  # a path is quoted to PATH_QUOTED
    assert "x" * 59 in message and "x…" in message  # its start, and the mark of what is left out
    assert "\x1b" not in message


def test_a_huge_data_path_that_names_no_file_is_quoted_too(tmp_path, document):
    document["data"] = str(tmp_path / ("d" * 5000))
    message = reopen_error(write_json(tmp_path / "s.json", document))
    assert len(message) < 500 and "…" in message


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        (
            "breakpoints.0.expression",
            "los < 1",
            "breakpoints[0] 'los < 1': unknown name 'los' at column 1 (did you mean 'loss'?",
        ),
        ("watches.1", "w +", "watches[1] 'w +': "),
        ("watches.0", "a\tb", "watches[0] 'a\\tb': character U+0009 is not allowed at column 2"),
    ],
)
def test_an_expression_that_does_not_parse_names_the_file_and_the_entry(
    tmp_path, document, field, value, problem
):
    document["watches"].append("loss")
    in_document(document, field, value)
    path = write_json(tmp_path / "s.json", document)
    message = reopen_error(path)
    assert message.startswith(f"{path}: {problem}"), message
    assert "\n" not in message
    result = reopen(str(path))
    assert result.returncode == 2 and result.stderr == f"gdstep: error: {message}\n"


def test_the_expressions_of_a_session_are_its_breakpoints_and_watches(tmp_path, document):
    document["breakpoints"].append({"expression": "step > 3", "enabled": False})
    saved = load(write_json(tmp_path / "s.json", document))
    breakpoints, watches = sessionfile.expressions(saved, 1)
    assert [(b.expression.text, b.enabled) for b in breakpoints] == [
        ("loss < 1", True),
        ("step > 3", False),
    ]
    assert [w.text for w in watches] == ["w"]


# ---- the data set -------------------------------------------------------------------------------


def saved_on_a_csv(tmp_path: Path) -> tuple[Path, Path]:
    csv = tmp_path / "pts.csv"
    csv.write_text(CSV)
    dataset = data.load(csv)
    config, _ = make_config(dataset, {"lr": "0.5"})
    session = Session(dataset.x, dataset.y, config)
    session.step(12)
    return csv, save(tmp_path / "s.json", session, str(csv), None, False)


def test_a_data_file_that_no_longer_exists(tmp_path):
    csv, path = saved_on_a_csv(tmp_path)
    csv.unlink()
    saved = load(path)  # the file itself is fine
    with pytest.raises(SessionFileError) as info:
        restore(saved)
    assert str(info.value).startswith(
        f"{path}: the session's data set is missing: no such file or sample: '{csv}' (samples: "
    )


def test_a_data_file_that_no_longer_parses(tmp_path):
    csv, path = saved_on_a_csv(tmp_path)
    csv.write_text("x,y\n1,oops\n")
    with pytest.raises(SessionFileError) as info:
        restore(load(path))
    assert str(info.value) == (
        f"{path}: the session's data set cannot be loaded: {csv}: line 2, column 2 (y): "
        "'oops' is not a number"
    )


def test_a_data_file_that_changed_since_the_save(tmp_path):
    csv, path = saved_on_a_csv(tmp_path)
    csv.write_text(CSV.replace("2.5", "2.6"))
    with pytest.raises(SessionFileError) as info:
        restore(load(path))
    assert str(info.value) == (
        f"{path}: the session's data set has changed since the session was saved: {csv}"
    )


def test_without_a_digest_the_data_is_not_checked(tmp_path):
    csv, path = saved_on_a_csv(tmp_path)
    document = json.loads(path.read_text())
    del document["data_sha256"]
    csv.write_text(CSV.replace("2.5", "2.6"))
    _, session = restore(load(write_json(path, document)))
    assert session.t == 12


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"w0": [1.0, 2.0, 3.0]}, "w0 has 3 numbers but the data has 2 features"),
        ({"loss": "mse"}, None),
    ],
)
def test_settings_that_do_not_fit_the_data(tmp_path, change, message):
    _, path = saved_on_a_csv(tmp_path)
    document = json.loads(path.read_text())
    document["config"].update(change)
    saved = load(write_json(path, document))
    if message is None:
        restore(saved)
        return
    with pytest.raises(SessionFileError) as info:
        restore(saved)
    assert str(info.value) == f"{path}: the session does not fit its data set: {message}"


def test_an_edit_of_the_wrong_size_for_the_data(tmp_path):
    _, path = saved_on_a_csv(tmp_path)
    document = json.loads(path.read_text())
    document["events"] = [{"kind": "edit", "step": 2, "values": [1.0, 2.0]}]
    with pytest.raises(SessionFileError) as info:
        restore(load(write_json(path, document)))
    assert str(info.value) == f"{path}: events[0]: θ needs 3 numbers (w and b), not 2"


def test_bce_on_targets_outside_0_1(tmp_path):
    csv = tmp_path / "big.csv"
    csv.write_text("x,y\n1,0\n2,5\n")
    session = Session(data.load(csv).x, data.load(csv).y, make_config(data.load(csv), {})[0])
    path = save(tmp_path / "s.json", session, csv, None, False)
    document = json.loads(path.read_text())
    document["config"]["loss"] = "bce"
    with pytest.raises(SessionFileError, match="does not fit its data set: .*needs every target"):
        restore(load(write_json(path, document)))


# ---- anything else is a SessionFileError --------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["gd", "adam", "lr", "edit", "mse", "bce", "seed", "sum", "minibatch"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _good_text() -> str:
    session = debugging_session("seed", "minibatch")
    document = json.loads(
        sessionfile.to_json(session, "seed", None, False, [("loss < 1", True)], ["w"])
    )
    return json.dumps(document)


GOOD = _good_text()


def alike(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same JSON type as `value` (which mostly pass the type checks)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-3, 400) | st.integers()
    if isinstance(value, float):
        return st.floats() | st.floats(-10, 10) | st.integers(-3, 3)
    if isinstance(value, str):
        return st.sampled_from(["seed", "plateau", "iris", "", "lr", "edit", "adam", "x"])
    return json_values


def mutate_document(draw, document: Any, depth: int = 0) -> Any:
    """Replace, delete or add one value somewhere in the document (never the whole of it)."""
    if (
        not isinstance(document, dict | list)
        or not document
        or (depth and draw(st.integers(0, 2)) == 0)
    ):
        return draw(alike(document) if draw(st.booleans()) else json_values)
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = draw(st.sampled_from(keys))
    action = draw(st.sampled_from(["descend", "descend", "descend", "delete", "add"]))
    copy = dict(document) if isinstance(document, dict) else list(document)
    if action == "delete":
        del copy[key]
    elif action == "add" and isinstance(copy, dict):
        copy[draw(st.text(max_size=6))] = draw(json_values)
    elif action == "add":
        copy.insert(key, draw(json_values))
    else:
        copy[key] = mutate_document(draw, document[key], depth + 1)
    return copy


@st.composite
def mutated_files(draw) -> bytes:
    text = GOOD
    for _ in range(draw(st.integers(1, 3))):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        kind = draw(st.sampled_from(["tree"] * 6 + ["cut", "bytes"]))
        if kind == "tree" and document is not None:
            text = json.dumps(mutate_document(draw, document))
        elif kind == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        else:
            at = draw(st.integers(0, len(text)))
            raw = text.encode("utf-8", "surrogatepass")
            raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at + draw(st.integers(0, 3)) :]
            return raw
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=mutated_files())
def test_a_mutated_file_loads_or_raises_session_file_error(content):
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "s.json"
        path.write_bytes(content)
        try:
            saved = load(path)
        except SessionFileError as error:
            assert str(error) and "\n" not in str(error)
            return
        assert isinstance(saved, SavedSession)
        try:
            _, session = restore(saved, max_steps=300)
        except SessionFileError as error:
            assert str(error) and "\n" not in str(error)
            return
        assert session.t <= saved.step


def test_the_unmutated_document_restores():
    path_text = GOOD
    saved = sessionfile.parse(path_text)
    _, session = restore(saved)
    assert session.t == saved.step
