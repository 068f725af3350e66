"""The app against a bare Textual app and against the engine alone, side by side in one run.

Run: python tests/benchmarks/bench_app.py   (prints four ratios and their targets)
  1. 300 `n` presses arriving at once, all shown   vs a bare app showing 300 counter presses
  2. `g` to step 100,000 on seed with the app up   vs the engine alone doing 100,000 steps
  3. process start to the first complete screen     vs the same for the bare app
  4. one `n` on 1,000,000 points (d = 1) shown       vs 2 × the engine's step time + one frame
Each figure is the best of several rounds, alternating the two sides.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui import data  # noqa: E402
from tui.app import GdstepApp  # noqa: E402
from tui.config import make_config  # noqa: E402
from tui.data import Dataset  # noqa: E402
from tui.engine.session import Config, Session  # noqa: E402

SIZE = (120, 40)
FRAME = 1 / 60


class CounterApp(App[None]):
    """The baseline: a key that only increments a counter on screen."""

    BINDINGS = [("n", "increment", "Increment")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("count 0", id="count")

    def action_increment(self) -> None:
        self.count += 1
        self.query_one("#count", Static).update(f"count {self.count}")


def seed_app(**overrides: str) -> GdstepApp:
    dataset = data.load("seed")
    config, _ = make_config(dataset, overrides)
    return GdstepApp(dataset, config)


async def until(condition, pilot) -> float:
    """Wait until `condition()` holds, then for the next screen refresh; returns its time."""
    while not condition():
        await asyncio.sleep(0.0005)
    shown = asyncio.Event()
    pilot.app.call_after_refresh(shown.set)
    await shown.wait()
    end = time.perf_counter()
    await pilot.pause()
    return end


async def burst(app: App, condition) -> float:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        start = time.perf_counter()
        for _ in range(300):
            app.post_message(events.Key("n", "n"))
        end = await until(condition, pilot)
    return end - start


def presses() -> tuple[float, float]:
    def bare() -> float:
        app = CounterApp()
        return asyncio.run(burst(app, lambda: app.count == 300))

    def gdstep() -> float:
        app = seed_app()
        return asyncio.run(burst(app, lambda: app.session.t == 300 and not app._refresh_pending))

    return best_pair(bare, gdstep, rounds=5)


ENGINE_ALONE = """
import sys, time
sys.path.insert(0, {root!r})
from tui import data
from tui.config import make_config
from tui.engine.session import Session
dataset = data.load("seed")
config, _ = make_config(dataset, {{}})
times = []
for _ in range(2):  # the first run warms the process up, like the app's start does
    session = Session(dataset.x, dataset.y, config)
    start = time.perf_counter()
    session.step(100_000)
    times.append(time.perf_counter() - start)
print(times[-1])
"""


def goto() -> tuple[float, float]:
    def engine() -> float:
        """In a process of its own: no app objects for the garbage collector to walk."""
        code = ENGINE_ALONE.format(root=str(ROOT))
        result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return float(result.stdout)

    async def in_app() -> float:
        app = seed_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            app.start_run(100_000)
            await app.workers.wait_for_complete()
            end = await until(lambda: app.session.t == 100_000, pilot)
        return end - start

    return best_pair(engine, lambda: asyncio.run(in_app()), rounds=5)


STARTUP = """
import sys, time
sys.path.insert(0, {root!r})
{setup}
async def ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.exit()
app.run(headless=True, size=(120, 40), auto_pilot=ready)
"""

BARE_SETUP = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
app = Bare()
"""

GDSTEP_SETUP = """
from tui.__main__ import app_parser, prepare
from tui.app import GdstepApp
run = prepare(app_parser().parse_args([]))
app = GdstepApp(run.dataset, run.config)
"""


def startup() -> tuple[float, float]:
    # Byte-compiled first, as pip leaves an installed package (the bare app's Textual is).
    compileall.compile_dir(ROOT / "tui", quiet=1)

    def launch(setup: str) -> float:
        code = STARTUP.format(root=str(ROOT), setup=setup)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], check=True, env={**os.environ, "TERM": "xterm"}
        )
        return time.perf_counter() - start

    return best_pair(lambda: launch(BARE_SETUP), lambda: launch(GDSTEP_SETUP), rounds=9)


def million() -> tuple[float, float]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1_000_000, 1))
    y = (rng.uniform(size=1_000_000) < 1 / (1 + np.exp(-2 * x[:, 0]))).astype(float)
    dataset = Dataset("million", Path("million.csv"), x, y, ("x",), "y", "", {}, False)
    config = Config(loss="mse", lr=1.0)

    def engine_bound() -> float:
        session = Session(x, y, config)
        start = time.perf_counter()
        session.step(1)
        return 2 * (time.perf_counter() - start) + FRAME

    async def in_app() -> float:
        app = GdstepApp(dataset, config)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            start = time.perf_counter()
            app.post_message(events.Key("n", "n"))
            end = await until(lambda: app.session.t == 1 and not app._refresh_pending, pilot)
        return end - start

    return best_pair(engine_bound, lambda: asyncio.run(in_app()), rounds=3)


def best_pair(base, ours, rounds: int) -> tuple[float, float]:
    b, o = [], []
    for _ in range(rounds):
        b.append(base())
        o.append(ours())
    return min(b), min(o)


def report(name: str, base_name: str, pair: tuple[float, float], target: float) -> None:
    base, ours = pair
    ratio = ours / base
    verdict = "ok" if ratio <= target else "OVER"
    print(
        f"{name:<34} {base_name:<26} {base * 1e3:9.1f} ms   gdstep {ours * 1e3:9.1f} ms   "
        f"ratio {ratio:5.2f} (target ≤ {target})  {verdict}"
    )


def main() -> None:
    print("gdstep app benchmark (headless Textual, 120×40; best of several rounds)")
    report("300 n presses shown", "bare counter app", presses(), 1.5)
    report("g to step 100,000 (seed)", "engine alone", goto(), 1.25)
    report("start to first complete screen", "bare Textual app", startup(), 1.5)
    report("n on 1,000,000 points shown", "2 × engine step + frame", million(), 1.0)


if __name__ == "__main__":
    main()
