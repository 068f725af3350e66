"""The streaming trace: rows written as they are computed, memory flat in --steps, the same
rows as a trace of the whole kept history, and ctrl+c ends it with the rows flushed and 130."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tui import data
from tui.config import make_config
from tui.engine.session import Config, Session
from tui.expressions import parse
from tui.files import trace

ROOT = Path(__file__).resolve().parents[1]


def session_of(name: str, **given: str) -> Session:
    dataset = data.load(name)
    config, _ = make_config(dataset, given)
    return Session(dataset.x, dataset.y, config)


def whole_history_trace(session: Session, steps: int, every: int, breakpoints: list) -> str:
    """What the trace printed before it streamed: run, keep every state, then write them."""
    stop = trace.run(session, steps, breakpoints)
    return "".join(trace.lines(session, stop.step, every))


@pytest.mark.parametrize(
    ("name", "given", "steps", "every", "breaks"),
    [
        ("seed", {}, 3 * trace.CHUNK + 17, 1, []),
        ("seed", {}, 3 * trace.CHUNK + 17, 1000, []),
        ("seed", {"lr": "12"}, trace.CHUNK + 5, 7, []),  # a cycle from step 259
        ("seed", {}, 2 * trace.CHUNK + 40, 1, ["step == 9000"]),  # past the first chunks
        ("seed", {"lr": "400"}, trace.CHUNK, 3, []),  # diverges
        ("cancer", {"optimizer": "adam"}, 300, 50, ["loss < 0.05"]),
    ],
)
def test_streamed_rows_are_those_of_the_whole_history(name, given, steps, every, breaks):
    session = session_of(name, **given)
    breakpoints = [parse(text, session.d) for text in breaks]
    out = io.StringIO()
    stop = trace.write(session, steps, out, every=every, breakpoints=breakpoints)
    expected = whole_history_trace(session_of(name, **given), steps, every, breakpoints)
    assert out.getvalue() == expected
    assert stop.step == int(expected.splitlines()[-1].split(",")[0])


def test_the_cycle_is_found_while_streaming():
    stop = trace.write(session_of("seed", lr="12"), 3 * trace.CHUNK, io.StringIO(), every=10**6)
    assert stop.cycle == (263, 4)  # θ_263 = θ_259: the run repeats 4 states from step 259


def test_memory_does_not_grow_with_the_steps():
    """The history's bytes after 3 chunks and after 30 are the same: only the recent states
    are kept."""
    sizes = []
    for chunks in (3, 30):
        session = session_of("seed")
        trace.write(session, chunks * trace.CHUNK, io.StringIO(), every=10**9)
        sizes.append(session.history.nbytes)
        assert session.history.first > (chunks - 1) * trace.CHUNK
    assert sizes[0] == sizes[1]


class Interrupted(io.StringIO):
    """An output where ctrl+c arrives after `rows` rows were written."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows, self.flushed = rows, ""

    def writelines(self, lines) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)
            self.rows -= 1
            if self.rows == 0:
                raise KeyboardInterrupt

    def flush(self) -> None:
        self.flushed = self.getvalue()


def test_ctrl_c_leaves_the_rows_so_far_flushed():
    out = Interrupted(5000)
    with pytest.raises(KeyboardInterrupt):
        trace.write(session_of("seed"), 10**30, out)
    lines = out.flushed.splitlines()
    assert len(lines) == 1 + 5000 and lines[-1].startswith("4999,")  # the header, 0 … 4999


def test_ctrl_c_stops_a_huge_trace_with_status_130():
    """`--steps 10^30` streams at once; SIGINT after the first rows: exit 130, whole lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "trace", "seed", "--steps", "1" + "0" * 30],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None and process.stderr is not None
    first = b""
    while first.count(b"\n") < 3:  # rows arrive before the run ends (it never would)
        first += os.read(process.stdout.fileno(), 1 << 16)
    process.send_signal(signal.SIGINT)
    text = (first + process.stdout.read()).decode()  # to the end: the rows flushed at ctrl+c
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 130
    assert text.startswith("step,w,b,loss,dw,db\n0,") and text.endswith("\n")
    assert "Traceback" not in err
    steps = [int(line.split(",")[0]) for line in text.splitlines()[1:]]
    assert steps == list(range(len(steps)))


def test_a_trace_of_any_length_keeps_every_state_exact_against_the_kept_history():
    """Rows far from the start (past many forgettings) equal a session that kept them all."""
    x = np.linspace(-2, 2, 200)[:, None]
    y = (x[:, 0] > 0.3).astype(float)
    config = Config(optimizer="momentum", lr=0.5)
    out = io.StringIO()
    trace.write(Session(x, y, config), 5 * trace.CHUNK, out, every=trace.CHUNK)
    kept = Session(x, y, config)
    for line in out.getvalue().splitlines()[1:]:
        t = int(line.split(",")[0])
        kept.goto(t)
        assert line == ",".join(map(repr, trace.row(kept, t)))
