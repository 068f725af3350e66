"""Compare mode's cost per key: one `n` shown, on seed, with four runs against one run.

Run: python tests/benchmarks/bench_compare.py   (prints the two times and their ratio; the
target of issue 13 is at most 1.5×). Each figure is the best of several rounds of 40 presses,
each press waited for until the screen after it is drawn, alternating the two sides.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui import data  # noqa: E402
from tui.app import GdstepApp  # noqa: E402
from tui.config import make_config, vs_config  # noqa: E402
from tui.engine.race import Race  # noqa: E402
from tui.engine.session import Session  # noqa: E402

SIZE = (150, 50)
PRESSES = 40
ROUNDS = 5


def seed_app(*texts: str) -> GdstepApp:
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    race = Race(Session(dataset.x, dataset.y, config))
    for text in texts:
        other, label = vs_config(dataset, config, text)
        race.add(Session(dataset.x, dataset.y, other), label, text)
    return GdstepApp(dataset, config, race=race)


async def per_key(app: GdstepApp) -> float:
    """Seconds from an `n` press to the screen that shows it, the mean of PRESSES."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        for _ in range(PRESSES):
            t = app.race.t
            await pilot.press("n")
            while app.race.t == t:
                await asyncio.sleep(0.0005)
            shown = asyncio.Event()
            app.call_after_refresh(shown.set)
            await shown.wait()
        return (time.perf_counter() - start) / PRESSES


def main() -> None:
    one, four = [], []
    for _ in range(ROUNDS):
        one.append(asyncio.run(per_key(seed_app())))
        four.append(asyncio.run(per_key(seed_app("--lr 0.5", "--lr 12", "--optimizer momentum"))))
    a, b = min(one), min(four)
    print(f"one run:   {a * 1e3:.1f} ms a key")
    print(f"four runs: {b * 1e3:.1f} ms a key")
    print(f"ratio {b / a:.2f}× (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
