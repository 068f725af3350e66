"""Compare mode's files: the session file's runs (version 2), restored bit for bit and checked
strictly; the export and `gdstep trace --session` of all runs, as `gdstep trace --vs`."""

from __future__ import annotations

import json

import pytest

from tests.test_race import gdstep, race_of, same_states
from tui.files import sessionfile
from tui.files.sessionfile import SessionFileError, restore_race


def saved_text(race, selected: int = 0) -> str:
    return sessionfile.to_json(
        race.base,
        "plateau",
        None,
        False,
        runs=[(runner.text, runner.session) for runner in race.runners[1:]],
        selected_run=selected,
    )


def moved_race():
    race = race_of("plateau", "--optimizer momentum", "--lr 3")
    race.step(30)
    race.select(2)
    race.current.set_lr(0.5)  # an η change in run 2 only
    race.step(10)
    return race


def test_a_compare_session_saves_and_restores_every_run_bit_for_bit(tmp_path):
    race = moved_race()
    text = saved_text(race, selected=2)
    document = json.loads(text)
    assert document["version"] == 2 and document["selected_run"] == 2
    assert [run["options"] for run in document["runs"]] == ["--optimizer momentum", "--lr 3"]
    assert document["runs"][1]["events"] == [{"kind": "lr", "step": 30, "values": [0.5]}]
    (tmp_path / "s.json").write_text(text)
    _, again = restore_race(sessionfile.load(tmp_path / "s.json"))
    assert again.t == 40 and again.selected == 2
    assert [r.label for r in again.runners] == ["base", "--optimizer momentum", "--lr 3"]
    for a, b in zip(race.sessions, again.sessions, strict=True):
        assert b.t == 40 and a.events == b.events and same_states(a, b, 40)


def test_a_session_of_one_run_is_still_version_1(tmp_path):
    race = race_of("plateau")
    race.step(3)
    document = json.loads(saved_text(race))
    assert document["version"] == 1 and "runs" not in document


def test_a_diverged_run_is_restored_short_of_the_others(tmp_path):
    race = race_of("hours", "--lr 1e308")
    race.step(5)
    text = sessionfile.to_json(
        race.base, "hours", None, False, runs=[("--lr 1e308", race.sessions[1])]
    )
    _, again = restore_race(sessionfile.parse(text, "s.json"))
    assert again.t == 5 and again.reach(1) == 1 and again.stopped(1) == "diverged"


def broken(change) -> str:
    document = json.loads(saved_text(moved_race()))
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(runs={}), "s.json: session field 'runs' must be a list"),
        (
            lambda d: d.update(runs=d["runs"] * 2),
            "s.json: session field 'runs' at most 3 runs besides the base, not 4",
        ),
        (
            lambda d: d.update(version=1),
            "s.json: session field 'runs' needs a session file of version 2, not 1",
        ),
        (
            lambda d: d["runs"][0].pop("options"),
            "s.json: session field 'runs[0].options' is missing",
        ),
        (
            lambda d: d["runs"][1]["events"][0].update(kind="jump"),
            "s.json: session field 'runs[1].events[0].kind' must be one of",
        ),
        (
            lambda d: d.update(selected_run=3),
            "s.json: session field 'selected_run' must be a run, 0 to 2, not 3",
        ),
    ],
)
def test_bad_runs_are_refused_when_read(change, message):
    with pytest.raises(SessionFileError) as info:
        sessionfile.parse(broken(change), "s.json")
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["runs"][0].update(options="--steps 3"),
            "s.json: runs[0].options: --vs '--steps 3': '--steps' is not one of",
        ),
        (
            lambda d: d["runs"][0].update(step=20),
            "s.json: runs[0].step is 20, short of the other runs' step 40: compared runs go in "
            "lock-step",
        ),
        (
            lambda d: d["runs"][1]["events"][0].update(kind="edit", values=[1.0, 2.0, 3.0]),
            "s.json: runs[1].events[0]: θ needs 2 numbers (w and b), not 3",
        ),
    ],
)
def test_bad_runs_are_refused_when_restored(change, message):
    saved = sessionfile.parse(broken(change), "s.json")
    with pytest.raises(SessionFileError) as info:
        restore_race(saved)
    assert str(info.value).startswith(message), str(info.value)


def test_export_and_trace_session_give_every_run_as_trace_vs_does(tmp_path, capsys):
    race = race_of("plateau", "--optimizer momentum")
    race.step(25)
    path = tmp_path / "s.json"
    path.write_text(saved_text(race))
    exported = sessionfile.csv_text(race)
    code, traced, _ = gdstep(capsys, "trace", "--session", str(path))
    _, vs, _ = gdstep(capsys, "trace", "plateau", "--vs", "--optimizer momentum", "--steps", "25")
    assert code == 0 and exported == traced == vs
    assert (
        exported.splitlines()[0] == "run,step,w,b,loss,dw,db" and len(exported.splitlines()) == 53
    )
