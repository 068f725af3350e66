"""SVG snapshots of the main screen (pytest-textual-snapshot). Update: pytest --snapshot-update."""

from __future__ import annotations

from tests.helpers import until
from tests.test_app import make_app

SIZE = (120, 40)


def keys(*presses: str):
    """A run_before that presses keys, then lets a run they started end (the panels other than
    the state panel follow a run at most every SLOW_INTERVAL: all of them draw once it ends)."""

    async def run_before(pilot) -> None:
        await pilot.press(*presses)
        await until(pilot, lambda: not pilot.app.running and len(pilot.app.screen_stack) == 1)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


def test_seed_at_start(snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys())


def test_seed_after_three_steps(snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys("n", "n", "n"))


def test_fit_plot(snap_compare):
    assert snap_compare(
        make_app("hours"), terminal_size=SIZE, run_before=keys("g", *"40", "enter", "t")
    )


def test_surface_plot(snap_compare):
    assert snap_compare(
        make_app("plateau"), terminal_size=SIZE, run_before=keys("g", *"120", "enter", "t", "t")
    )


def test_minibatch_marks_the_batch(snap_compare):
    app = make_app("seed", optimizer="minibatch", batch_size="2")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("n"))


def test_small_terminal_asks_for_more_room(snap_compare):
    assert snap_compare(make_app(), terminal_size=(40, 12), run_before=keys())


def test_80_by_24(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=keys("n"))


def test_point_table_with_chain_rule_factors(snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys("n", "n", "n", "f"))


def test_lens_plot(snap_compare):
    app = make_app("seed", lr="12")
    keys_ = keys("n", "n", "n", "n", "t", "t", "t")  # the loss, fit, surface, then the lens
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_)
