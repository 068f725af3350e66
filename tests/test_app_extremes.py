"""The whole app with extreme and non-finite values stays up (issue 8): data with huge
(±1e308) and tiny (5e−324) features, η up to 1e308, θ that overflows to ±inf or nan; every
panel and plot mode is drawn, at two window sizes, while stepping, going back and stepping
into the update."""

from __future__ import annotations

import asyncio
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from tui import data
from tui.app import GdstepApp
from tui.app.plots.plot_panel import PlotPanel
from tui.app.widgets.point_table import PointTable
from tui.app.widgets.state_panel import StatePanel
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.app.widgets.update_panel import UpdatePanel
from tui.app.widgets.watch_panel import WatchPanel
from tui.config import make_config
from tui.expressions import parse

EXTREMES = [1e308, -1e308, 5e-324, -5e-324, 1e-300, 1e154, 0.0, 1.0, -2.5, 3e200]
feature = st.sampled_from(EXTREMES) | st.floats(-1e308, 1e308, allow_nan=False)
target = st.sampled_from([0.0, 1.0, 0.5, 5e-324])

case = st.fixed_dictionaries(
    {
        "xs": st.lists(feature, min_size=2, max_size=5),
        "ys": st.lists(target, min_size=5, max_size=5),
        "loss": st.sampled_from(["mse", "bce"]),
        "optimizer": st.sampled_from(["gd", "adam", "momentum", "sgd"]),
        "lr": st.sampled_from(["1e308", "1e307", "1e-320", "2", "1e150"]),
        "w0": st.sampled_from(["0", "1e308", "-1e300", "5e-324"]),
        "keys": st.lists(
            st.sampled_from(["n", "n", "n", "b", "s", "t", "l", "plus", "minus"]),
            min_size=3,
            max_size=12,
        ),
    }
)

CHARACTERS = {"plus": "+", "minus": "-"}
WATCHES = ["loss", "grad_norm", "dloss", "cos_beta", "lambda_max", "dl2"]
PANELS = [StatePanel, TaylorPanel, UpdatePanel, WatchPanel, PointTable, PlotPanel]


async def drive(path: str, values: dict, size: tuple[int, int]) -> None:
    dataset = data.load(path)
    given = {k: values[k] for k in ("loss", "optimizer", "lr", "w0")}
    config, _ = make_config(dataset, given)
    watches = [parse(text, dataset.d) for text in WATCHES]
    app = GdstepApp(dataset, config, watches=watches)
    async with app.run_test(size=size) as pilot:
        for key in values["keys"]:  # each handled, and what it set off, before the next
            app.post_message(events.Key(key, CHARACTERS.get(key, key)))
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for panel in PANELS:  # every panel drew this state, line by line, without raising
            widget = app.query_one(panel)
            assert len(widget.render_lines(widget.region.reset_offset)) == widget.region.height
        assert app.is_running and app.return_code is None


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=case)
def test_every_panel_and_plot_survives_extreme_values(values, tmp_path):
    xs = values["xs"]
    ys = values["ys"][: len(xs)]
    path = tmp_path / "extreme.csv"
    path.write_text("x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in zip(xs, ys, strict=True)))
    for size in ((120, 40), (70, 20)):
        asyncio.run(drive(str(path), values, size))


def test_the_repros_of_issue_8_reach_non_finite_states():
    """Guards the property test: the values it draws do reach nan and inf."""
    dataset = data.load("seed")
    config, _ = make_config(dataset, {"loss": "bce", "lr": "1e308"})
    from tui.engine.session import Session

    session = Session(dataset.x, dataset.y, config)
    session.step(3)
    assert not all(math.isfinite(v) for v in [session.loss(), *session.theta().tolist()])
    assert np.isfinite(dataset.x).all()
