"""The direction dial's steps in files: saved and restored bit for bit, strictly checked in a
session file, and named in the exported trace and in `gdstep trace --session FILE`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_sessionfile import (
    assert_identical,
    broken,
    gdstep_trace,
    make_session,
    write_json,
)
from tui.engine.session import Session
from tui.files import trace
from tui.files.sessionfile import SessionFileError, export_csv, load, restore, save


def dialled(spec: str, optimizer: str) -> Session:
    """Dial steps among η changes, an edit and ordinary steps; the history runs ahead of t."""
    session = make_session(spec, optimizer=optimizer, lr="0.5")
    session.step(3)
    session.step_along(195.0)
    session.step(4)
    session.set_lr(0.25)
    session.step_along(90.5)
    session.step_along(359.9999)
    session.edit(session.theta() * 0.5)
    session.step(6)
    session.back(2)
    return session


@pytest.mark.parametrize("spec", ["seed", "iris"], ids=["tiny-floats", "numpy-arrays"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_save_load_restore_with_dial_steps_is_bit_identical(tmp_path, spec, optimizer):
    original = dialled(spec, optimizer)
    kinds = [(e.kind, e.step) for e in original.events]
    assert kinds == [("direction", 4), ("lr", 8), ("direction", 9), ("direction", 10), ("edit", 10)]
    path = save(tmp_path / "s.json", original, spec, None, False)
    document = json.loads(path.read_text())
    assert document["events"][0] == {"kind": "direction", "step": 4, "values": [195.0]}
    saved = load(path)
    assert saved.events == original.events
    _, restored = restore(saved)
    assert restored.t == original.t and restored.events == original.events
    assert_identical(original, restored, original.t)
    restored.goto(original.last)
    assert_identical(original, restored, original.last)


@pytest.fixture
def document(tmp_path) -> dict:
    path = save(tmp_path / "good.json", dialled("seed", "gd"), "seed", None, False)
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ([360.0], "'events[0].values[0]' must be an angle 0 ≤ β < 360, not 360.0"),
        ([-0.5], "'events[0].values[0]' must be an angle 0 ≤ β < 360, not -0.5"),
        ([1e300], "'events[0].values[0]' must be an angle 0 ≤ β < 360, not 1e+300"),
        ([float("nan")], "'events[0].values[0]' must be a finite number, not NaN"),
        ([float("inf")], "'events[0].values[0]' must be a finite number, not Infinity"),
        (["195"], "'events[0].values[0]' must be a finite number, not '195'"),
        ([True], "'events[0].values[0]' must be a finite number, not true"),
        ([195.0, 1.0], "'events[0].values' must hold 1 number(s), not 2"),
        ([], "'events[0].values' must hold 1 number(s), not 0"),
        (195.0, "'events[0].values' must be a list, not 195.0"),
    ],
)
def test_a_bad_angle_in_a_session_file_is_named(tmp_path, document, values, problem):
    document["events"][0]["values"] = values
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))
    assert broken(path) == f"{path}: session field {problem}"


def test_a_dial_step_cannot_lead_to_step_0(tmp_path, document):
    document["events"][0]["step"] = 0
    path = write_json(tmp_path / "s.json", document)
    assert broken(path) == f"{path}: session field 'events[0].step' must be at least 1, not 0"


def test_a_dial_step_out_of_place_is_refused_on_restore(tmp_path, document):
    # a dial step into step 10 after the edit of step 10: it would start at step 9
    document["events"][3:5] = [document["events"][4], document["events"][3]]
    document["events"][4]["step"] = 10
    path = write_json(tmp_path / "s.json", document)
    with pytest.raises(SessionFileError) as info:
        restore(load(path))
    assert str(info.value) == (
        f"{path}: events[4]: its step 10 comes before the step 10 of the one before"
    )


def test_the_exported_trace_says_what_each_step_was(tmp_path):
    session = dialled("seed", "gd")
    path = export_csv(session, tmp_path / "t.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "step,w,b,loss,dw,db,event"
    events = {int(line.split(",")[0]): line.split(",")[-1] for line in lines[1:]}
    assert events[4] == "direction=195.0" and events[8] == "lr=0.25"
    assert events[9] == "direction=90.5" and events[10] == "direction=359.9999;edit"
    assert [t for t, text in events.items() if text] == [4, 8, 9, 10]
    assert len(lines) == session.t + 2
    row = lines[5].split(",")  # step 4, the dial's state, exactly
    assert row[:6] == [repr(v) for v in trace.row(session, 4)]


def test_a_trace_without_changes_by_hand_has_no_event_column():
    session = make_session("seed")
    session.step(3)
    assert trace.changes(session, 3) == {}
    assert next(iter(trace.lines(session, 3))) == "step,w,b,loss,dw,db\n"


def test_gdstep_trace_session_prints_the_saved_run_with_its_events(tmp_path):
    session = dialled("seed", "momentum")
    path = save(tmp_path / "s.json", session, "seed", None, False)
    exported = export_csv(session, tmp_path / "t.csv").read_text()
    assert gdstep_trace("--session", str(path)) == exported
    jsonl = gdstep_trace("--session", str(path), "--format", "jsonl", "--every", "5")
    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert [r["step"] for r in rows] == [0, 4, 5, 8, 9, 10, session.t]
    assert [r["event"] for r in rows][:3] == [None, "direction=195.0", None]


def test_gdstep_trace_session_refuses_run_options(tmp_path):
    path = save(tmp_path / "s.json", dialled("seed", "gd"), "seed", None, False)
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-m", "tui", "trace", "seed", "--session", str(path), "--lr", "2"],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "gdstep: error: --session replays the saved run as it was: DATA, --lr cannot go with it\n"
    )
