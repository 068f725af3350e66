"""Memory and replay figures of the checkpointed history, side by side with what they were.

Run: python tests/benchmarks/bench_memory.py [--quick]
Prints: history bytes per step (d = 1 and 30, gd and adam, 10⁶ steps) against the dense
history's (3 + state rows)·(d+1)·8 + 16 bytes; peak RSS of `gdstep trace` at 10⁵ and 10⁶ steps;
the time of one `b` that must replay (1e4 and 1e6 points) against a frame (47 ms); and
`data.load` against `np.loadtxt` on a 10⁶-row file. Timings are the best of a few rounds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui import data  # noqa: E402
from tui.engine.session import Config, Session  # noqa: E402

QUICK = "--quick" in sys.argv
STEPS = 100_000 if QUICK else 1_000_000


def history_bytes(d: int, optimizer: str) -> tuple[float, float]:
    """Bytes per step of the history after STEPS steps (beyond its window), and the dense
    history's per step."""
    n = 3 if d == 1 else 4
    x = np.linspace(-1, 1, n * d).reshape(n, d)
    session = Session(x, np.linspace(0.1, 0.9, n), Config(optimizer=optimizer, lr=1e-3))
    session.step(STEPS)
    history = session.history
    window = sum(w.nbytes for w in history._w)
    dense = (3 + session.optimizer.state_rows) * (d + 1) * 8 + 8
    return (history.nbytes - window) / STEPS, dense


CHILD = """
import sys
from tui.__main__ import main
code = main(sys.argv[1:])
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM")]
print(peak[0].split()[1], file=sys.stderr)
"""
"""The trace in a child that reports its own peak RSS (VmHWM: getrusage's would count the
parent's, which the child is forked from)."""


def peak_rss(steps: int) -> float:
    """Peak RSS in MB of `gdstep trace cancer --optimizer adam --steps N --every N`."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "trace", "cancer", "--optimizer", "adam"]
        + ["--steps", str(steps), "--every", str(steps)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return int(done.stderr.split()[-1]) / 1024


def back_latency(points: int, steps: int, presses: int) -> tuple[float, float, int]:
    """After `steps` adam steps on `points` points with 30 features: the slowest of `presses`
    b presses that each find the window elsewhere (as after a goto far back), so that each
    replays from the checkpoint before (and reads θ, g and the state, as the screen does);
    the time of one step; and the checkpoint spacing."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(points, 30))
    y = (x[:, 0] > 0).astype(float)
    session = Session(x, y, Config(optimizer="adam", lr=1e-3))
    start = time.perf_counter()
    session.step(steps)
    per_step = (time.perf_counter() - start) / steps
    every = session.history.every
    worst = 0.0
    for _ in range(presses):
        session.back(every // presses + 1)  # a different distance to the checkpoint each time
        session.history._w_n = 0  # the window is elsewhere: b must replay
        start = time.perf_counter()
        session.back()
        session.theta(), session.grad(), session.state()
        worst = max(worst, time.perf_counter() - start)
    return worst, per_step, every


def load_ratio(rows: int) -> tuple[float, float]:
    """Seconds of data.load and of np.loadtxt on a CSV of `rows` rows (best of 3)."""
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "big.csv")
        values = rng.normal(size=(rows, 3))
        np.savetxt(path, values, delimiter=",", header="a,b,y", comments="", fmt="%.17g")
        ours, numpy = [], []
        for _ in range(3):
            start = time.perf_counter()
            data.load(path)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            np.loadtxt(path, delimiter=",", skiprows=1)
            numpy.append(time.perf_counter() - start)
    return min(ours), min(numpy)


def main() -> None:
    print(f"history bytes per step over {STEPS:,} steps (dense history before):")
    for d in (1, 30):
        for optimizer in ("gd", "adam"):
            kept, dense = history_bytes(d, optimizer)
            print(f"  d={d:<2} {optimizer:<4}  {kept:6.1f} B/step   (dense {dense} B/step)")
    for steps in (STEPS // 10, STEPS):
        print(f"peak RSS, trace cancer adam --steps {steps:>9,}: {peak_rss(steps):6.1f} MB")
    for points, steps, presses in ((10_000, STEPS // 10, 25), (1_000_000, 100, 8)):
        worst, per_step, every = back_latency(points, steps, presses)
        print(
            f"b after {steps:,} adam steps on {points:,} points × 30: slowest {worst * 1e3:7.1f} ms"
            f" ({worst / 0.047:.2f} frames; one step {per_step * 1e3:.2f} ms, checkpoint every"
            f" {every})"
        )
    rows = 100_000 if QUICK else 1_000_000
    ours, numpy = load_ratio(rows)
    print(
        f"load {rows:,} rows: data.load {ours:.2f} s, np.loadtxt {numpy:.2f} s,"
        f" ratio {ours / numpy:.2f}"
    )


if __name__ == "__main__":
    main()
