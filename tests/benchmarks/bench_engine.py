"""Engine time per step against the plain numpy loop a course would write, side by side.

Run: python tests/benchmarks/bench_engine.py  (prints the ratios; target ≤ 0.5 on both)
The two are timed alternately, several rounds, and the best round of each is kept, so that
load from other processes on a shared machine hits both alike.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui import data  # noqa: E402
from tui.engine.session import Config, Session  # noqa: E402


def plain_loop(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> tuple[float, float]:
    """Gradient descent as a course writes it: new arrays every step."""
    w, b = 0.0, 0.0
    for _ in range(steps):
        y_hat = 1 / (1 + np.exp(-(w * x + b)))
        r = y_hat - y
        grad_w = np.mean(r * y_hat * (1 - y_hat) * x)
        grad_b = np.mean(r * y_hat * (1 - y_hat))
        w -= lr * grad_w
        b -= lr * grad_b
    return w, b


def engine(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Session:
    """The engine with history recording on (every state kept)."""
    session = Session(x[:, None], y, Config(loss="mse", reduction="mean", lr=lr))
    session.step(steps)
    return session


def best_per_step(fn, x, y, lr, steps, rounds) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(x, y, lr, steps)
        times.append(time.perf_counter() - start)
    return min(times) / steps


def compare(name: str, x: np.ndarray, y: np.ndarray, lr: float, steps: int, rounds: int) -> float:
    plain, eng = [], []
    for _ in range(rounds):  # alternate, so both see the same machine
        plain.append(best_per_step(plain_loop, x, y, lr, steps, 1))
        eng.append(best_per_step(engine, x, y, lr, steps, 1))
    p, e = min(plain), min(eng)
    ratio = e / p
    print(
        f"{name:<28} plain {p * 1e6:10.2f} µs/step   engine {e * 1e6:10.2f} µs/step   "
        f"ratio {ratio:.2f}  (target ≤ 0.50)"
    )
    return ratio


def main() -> None:
    seed = data.load("seed")
    x, y = seed.x[:, 0], seed.y
    rng = np.random.default_rng(0)
    big_x = rng.normal(size=1_000_000)
    big_y = (rng.uniform(size=1_000_000) < 1 / (1 + np.exp(-2 * big_x))).astype(float)
    print("gdstep engine benchmark: time per gradient-descent step (mse, mean, gd, d = 1)")
    compare("seed (N = 5)", x, y, 2.0, 20_000, 7)
    compare("generated (N = 1,000,000)", big_x, big_y, 1.0, 10, 5)


if __name__ == "__main__":
    main()
