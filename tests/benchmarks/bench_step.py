"""One step on 1,000,000 points against the plain numpy loop and against its floor, side by side.

Run: python tests/benchmarks/bench_step.py  (target: engine ≤ 0.5 × the plain loop)
The floor of a step is one pass of e^x over the data plus a few passes of arithmetic: `np.exp`
alone is printed next to the plain loop and the engine (mse, mean, gd, d = 1, full batch).
Best of several alternating rounds, so that load from other processes hits all alike.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import plain_loop  # noqa: E402

from tui.engine.session import Config, Session  # noqa: E402

POINTS, STEPS, ROUNDS = 1_000_000, 10, 7


def per_step(run) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) / STEPS


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=POINTS)
    y = (rng.uniform(size=POINTS) < 1 / (1 + np.exp(-2 * x))).astype(float)

    column = x[:, None]

    def exp_alone() -> None:
        for _ in range(STEPS):
            np.exp(x)

    times: dict[str, list[float]] = {"plain loop": [], "np.exp alone": [], "engine": []}
    for _ in range(ROUNDS):
        times["plain loop"].append(per_step(lambda: plain_loop(x, y, 1.0, STEPS)))
        times["np.exp alone"].append(per_step(exp_alone))
        session = Session(column, y, Config(lr=1.0))  # the steps alone are timed
        times["engine"].append(per_step(lambda s=session: s.step(STEPS)))
    plain = min(times["plain loop"])
    print(f"one gd step on {POINTS:,} points (mse, mean, d = 1), best of {ROUNDS} rounds:")
    for name, values in times.items():
        print(f"  {name:<13} {min(values) * 1e3:8.2f} ms   {min(values) / plain:5.2f} × plain")


if __name__ == "__main__":
    main()
