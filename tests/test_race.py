"""Compare mode's engine (tui.engine.race), its `--vs` texts (tui.config) and its trace:
every run is a plain Session moved in lock-step, so its states are a lone run's, bit for bit."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from tui import data
from tui.__main__ import main
from tui.config import ConfigError, make_config, vs_config, vs_overrides
from tui.engine import session as engine_session
from tui.engine.race import MAX_RUNS, Race, RaceError
from tui.engine.session import Session
from tui.expressions import parse
from tui.files import trace


def race_of(name: str, *texts: str, **given: str) -> Race:
    dataset = data.load(name)
    base, _ = make_config(dataset, given)
    race = Race(Session(dataset.x, dataset.y, base))
    for text in texts:
        config, label = vs_config(dataset, base, text)
        race.add(Session(dataset.x, dataset.y, config), label, text)
    return race


def plain(name: str, **given: str) -> Session:
    dataset = data.load(name)
    return Session(dataset.x, dataset.y, make_config(dataset, given)[0])


def same_states(a: Session, b: Session, last: int) -> bool:
    """θ, L, g, the optimizer state and η of steps 0 … last, bit for bit."""
    for t in range(last + 1):
        pairs = [(a.theta(t), b.theta(t)), (a.grad(t), b.grad(t)), (a.state(t), b.state(t))]
        if not all(x.tobytes() == y.tobytes() for x, y in pairs):
            return False
        if np.float64(a.loss(t)).tobytes() != np.float64(b.loss(t)).tobytes():
            return False
        if a.lr(t) != b.lr(t):
            return False
    return True


def test_each_run_is_a_plain_session_bit_for_bit():
    race = race_of("plateau", "--optimizer momentum", "--lr 0.5 --w0 -1")
    race.step(40)
    race.back(15)
    race.goto(60)
    assert race.t == 60 and [s.t for s in race.sessions] == [60, 60, 60]
    lone = [
        plain("plateau"),
        plain("plateau", optimizer="momentum"),
        plain("plateau", lr="0.5", w0="-1"),
    ]
    for session, alone in zip(race.sessions, lone, strict=True):
        alone.goto(60)
        assert same_states(session, alone, 60)


def test_a_diverging_run_stops_and_says_so_while_the_others_go_on():
    race = race_of("hours", "--lr 1e308")
    race.step(10)
    assert race.t == 10
    assert race.reach(0) == 10 and race.reach(1) < 10
    assert race.stopped(0) is None and race.stopped(1) == "diverged"
    race.back(9)
    assert race.t == 1 == race.reach(1) and race.stopped(1) is None


def test_the_race_stops_where_every_run_has_stopped():
    race = race_of("hours", "--lr 1e308", lr="1e308", w0="1")
    race.step(50)
    assert race.t == max(race.reach(0), race.reach(1)) < 50


def test_reset_takes_every_run_to_step_0():
    race = race_of("seed", "--lr 2")
    race.step(5)
    race.reset()
    assert race.t == 0 and [s.t for s in race.sessions] == [0, 0]


def test_at_most_four_runs_and_never_without_the_base():
    race = race_of("seed", "--lr 2", "--lr 3", "--lr 4")
    assert len(race.runners) == MAX_RUNS
    with pytest.raises(RaceError, match="at most 4 runs"):
        race.add(plain("seed"), "x", "--lr 5")
    with pytest.raises(RaceError, match="base run cannot be removed"):
        race.remove(0)
    race.select(3)
    assert race.remove(3).label == "--lr 4"
    assert race.selected == 2 and [s.run for s in race.sessions] == [0, 1, 2]


def test_each_run_gets_its_share_of_the_memory(monkeypatch):
    monkeypatch.setattr(engine_session, "max_memory", 400_000_000)
    race = race_of("seed", "--lr 2", "--lr 3")
    assert [s.memory for s in race.sessions] == [400_000_000 // 3] * 3
    race.remove(1)
    assert [s.memory for s in race.sessions] == [200_000_000] * 2


def test_a_vs_text_becomes_the_base_options_changed():
    dataset = data.load("seed")
    base, _ = make_config(dataset, {"optimizer": "minibatch", "batch_size": "3"})
    config, label = vs_config(dataset, base, "--optimizer momentum --lr=0.25 --w0 -1")
    assert (config.optimizer, config.lr, config.w0, config.batch_size) == (
        "momentum",
        0.25,
        (-1.0,),
        3,
    )
    assert label == "--optimizer momentum --lr 0.25 --w0 -1"
    config, _ = vs_config(dataset, base, "--optimizer gd")  # gd takes no batch size
    assert config.batch_size is None
    config, label = vs_config(dataset, base, "--shuffle --seed 7")
    assert (config.shuffle, config.seed, label) == (True, 7, "--shuffle --seed 7")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--steps 5", "--vs '--steps 5': '--steps' is not one of --lr, --optimizer, "),
        ("lr 2", "--vs 'lr 2': 'lr' is not one of"),
        ("--lr", "--vs '--lr': --lr needs a value"),
        ("--lr 1 --lr 2", "--vs '--lr 1 --lr 2': --lr is given twice"),
        ("--lr -1", "--vs '--lr -1': --lr must be a finite number > 0, not '-1'"),
        ("--optimizer adamw", "--vs '--optimizer adamw': --optimizer must be one of"),
        ("--shuffle=yes", "--vs '--shuffle=yes': --shuffle takes no value"),
        ("'--lr", "--vs ''--lr': No closing quotation"),
        ("", "--vs '': give at least one option"),
    ],
)
def test_a_bad_vs_text_is_one_line_naming_it(text, message):
    dataset = data.load("seed")
    base, _ = make_config(dataset, {})
    with pytest.raises(ConfigError) as info:
        vs_config(dataset, base, text)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_vs_overrides_keep_the_order_given():
    assert list(vs_overrides("--seed 1 --shuffle --lr 2")) == ["seed", "shuffle", "lr"]


# ---- the trace of several runs -------------------------------------------------------------


def traced(sessions: list[Session], steps: int, **options) -> tuple[str, list[trace.Stop]]:
    out = io.StringIO()
    stops = trace.write_runs(sessions, steps, out, **options)
    return out.getvalue(), stops


def rows_of_run(text: str, run: int) -> list[str]:
    return [line.split(",", 1)[1] for line in text.splitlines()[1:] if line.startswith(f"{run},")]


@pytest.mark.parametrize("every", [1, 7])
def test_each_runs_rows_are_its_own_trace_in_step_major_order(every):
    race = race_of("hours", "--lr 1e308", "--optimizer momentum")
    text, stops = traced(race.sessions, 60, every=every)
    lines = text.splitlines()
    assert lines[0] == "run,step,w,b,loss,dw,db"
    keys = [tuple(map(int, line.split(",")[:2])) for line in lines[1:]]
    assert keys == sorted(keys, key=lambda k: (k[1], k[0]))  # step-major, then run
    for run, session in enumerate(race.sessions):
        alone = Session(session.objective.x, session.objective.y, session.config)
        out = io.StringIO()
        stop = trace.write(alone, 60, out, every=every)
        assert rows_of_run(text, run) == out.getvalue().splitlines()[1:]
        assert stops[run] == stop
    assert stops[1].step < 60 == stops[0].step  # run 1 diverged, the others went on


def test_a_breakpoint_in_any_run_stops_every_run_there():
    race = race_of("plateau", "--optimizer momentum")
    text, stops = traced(race.sessions, 500, breakpoints=[parse("loss < 0.3 and run == 1", 1)])
    step = stops[1].step
    assert stops[1].breakpoint is not None and stops[0].breakpoint is None
    assert stops[0].step == step and race.sessions[1].loss(step) < 0.3
    assert race.sessions[1].loss(step - 1) >= 0.3
    assert text.splitlines()[-1].startswith(f"1,{step},")


def test_run_is_a_name_of_expressions_and_watches():
    race = race_of("seed", "--lr 2")
    text, _ = traced(race.sessions, 2, watches=[parse("run * 10 + step", 1)])
    assert [line.rsplit(",", 1)[1] for line in text.splitlines()] == [
        "run * 10 + step",
        *("0.0", "10.0", "1.0", "11.0", "2.0", "12.0"),
    ]


def test_memory_of_a_long_race_trace_stays_flat():
    sizes = []
    for chunks in (3, 12):
        race = race_of("seed", "--lr 2")
        trace.write_runs(race.sessions, chunks * trace.CHUNK, io.StringIO(), every=10**9)
        sizes.append([s.history.nbytes for s in race.sessions])
    assert sizes[0] == sizes[1]


# ---- the command line -----------------------------------------------------------------------


def gdstep(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_trace_vs_gives_each_runs_own_trace(capsys):
    code, out, _ = gdstep(
        capsys, "trace", "plateau", "--vs", "--optimizer momentum", "--steps", "100"
    )
    assert code == 0 and len(out.splitlines()) == 1 + 202
    _, alone, _ = gdstep(capsys, "trace", "plateau", "--optimizer", "momentum", "--steps", "100")
    assert rows_of_run(out, 1) == alone.splitlines()[1:]
    _, base, _ = gdstep(capsys, "trace", "plateau", "--steps", "100")
    assert rows_of_run(out, 0) == base.splitlines()[1:]


def test_trace_vs_in_jsonl_has_the_run_first(capsys):
    code, out, _ = gdstep(
        capsys, "trace", "seed", "--vs", "--lr 2", "--steps", "1", "--format", "jsonl"
    )
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(r["run"], r["step"]) for r in records] == [
        (0, 0),
        (1, 0),
        (0, 1),
        (1, 1),
    ]
    assert list(records[0])[:2] == ["run", "step"]


def test_trace_vs_notes_name_the_run_and_a_divergence_exits_3(capsys):
    code, _, err = gdstep(capsys, "trace", "hours", "--vs", "--lr 1e308", "--steps", "5")
    assert code == 3
    assert err.startswith("gdstep: run 1 (--lr 1e308): diverged at step 1 with η = 1e+308")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vs", "--lr 2"] * 4, "gdstep: error: at most 3 --vs (four runs in all), not 4"),
        (["--vs", "--steps 3"], "gdstep: error: --vs '--steps 3': '--steps' is not one of"),
        (["--vs", "--lr zero"], "gdstep: error: --vs '--lr zero': --lr must be a number"),
    ],
)
def test_a_bad_vs_is_one_line_and_status_2(capsys, args, message):
    code, out, err = gdstep(capsys, "trace", "seed", *args)
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize("text", ["--shuffle", "--lr=2", "--optimizer momentum"])
def test_a_vs_text_that_looks_like_an_option_is_taken_as_its_value(capsys, text):
    code, out, err = gdstep(capsys, "trace", "seed", "--steps", "1", "--vs", text)
    assert code == 0 and err == "" and out.splitlines()[0].startswith("run,step")
