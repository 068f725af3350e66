"""What loading changed or found reaches the screen (issue 8.3): standardizing, targets outside
[0, 1], and the model in the file's own units (m)."""

from __future__ import annotations

from tests.helpers import Note, notes_of
from tests.test_app import SIZE, settle, text
from tui import data
from tui.app import GdstepApp
from tui.app.screens.units_screen import UnitsScreen
from tui.app.widgets.state_panel import StatePanel
from tui.config import make_config
from tui.format import MINUS, Precision, num, precision


def app_on(spec: str, standardize: bool = False, **given: str) -> tuple[GdstepApp, list[Note]]:
    """The app on `spec`, and the list of the notifications it gives."""
    dataset = data.load(spec, standardize=standardize)
    config, _ = make_config(dataset, given)
    app = GdstepApp(dataset, config)
    return app, notes_of(app)


def messages(notes: list[Note]) -> list[str]:
    return [note.message for note in notes]


def flat(widget) -> str:  # type: ignore[no-untyped-def]
    """The widget's text with its border and line breaks taken out (long lines wrap)."""
    return " ".join(line.strip("│ ") for line in text(widget).splitlines())


async def test_standardized_data_says_so_on_screen_and_m_shows_the_files_units():
    app, notes = app_on("iris", standardize=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        assert "standardized (m)" in text(app.query_one(StatePanel))
        assert any(
            m.startswith("standardized 2 features of iris: petal_length m = 4.906")
            for m in messages(notes)
        )
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UnitsScreen)
        s = app.session
        w_file, b_file = app.dataset.standardization.in_file_units(s.w(), s.b())
        wide = app.console.options.update_width(200)
        lines = app.console.render_lines(screen.table, wide)
        shown = " ".join(seg.text for line in lines for seg in line)
        values = [*w_file.tolist(), b_file, *s.w().tolist(), s.b()]
        assert all(num(value) in shown for value in values)
        # the model in file units gives the same z on the file's x as the engine on x′
        raw = data.load("iris")
        z_file = raw.x @ w_file + b_file
        z_engine = app.dataset.x @ s.w() + s.b()
        assert abs(z_file - z_engine).max() < 1e-12
        await pilot.press("escape")
        assert not isinstance(app.screen, UnitsScreen)
        await pilot.press("p", "m")  # exact numbers, as on every panel
        await pilot.pause()
        lines = app.console.render_lines(app.screen.table, wide)
        shown = " ".join(seg.text for line in lines for seg in line)
        with precision(Precision.EXACT):
            assert all(num(value) in shown for value in values)
        assert repr(float(s.w()[0])).replace("-", MINUS) in shown
        await pilot.press("escape")


async def test_m_without_standardizing_says_the_weights_are_already_in_file_units():
    app, notes = app_on("seed")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert "not standardized" in messages(notes)[-1]


async def test_targets_outside_0_1_are_noted_at_start_and_when_opened(tmp_path):
    own = tmp_path / "big.csv"
    own.write_text("x,y\n1,2\n2,0\n3,1.5\n")
    app, notes = app_on(str(own))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        state = flat(app.query_one(StatePanel))
        assert "line 2, column 2 (y): 2.0 is outside [0, 1] (and 1 more target): σ" in state
        assert any("σ never reaches" in m for m in messages(notes))
    app, notes = app_on("seed")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any("outside [0, 1]" in m for m in messages(notes))
        app.open_dataset(str(own))
        await settle(pilot)
        assert app.dataset.name == str(own)
        assert any("line 2, column 2 (y): 2.0 is outside [0, 1]" in m for m in messages(notes))
        assert "outside [0, 1]" in flat(app.query_one(StatePanel))


def test_the_table_primes_standardized_features():
    """The table shows x′ = (x − m)/s, not the file's x: its headers say so."""
    from tui.app.widgets.point_table import column_names

    hours = data.load("hours", standardize=True)
    assert column_names(hours, 1)[0] == "hours′"
    assert column_names(data.load("iris", standardize=True), 2)[:2] == ["x1′", "x2′"]
    assert column_names(data.load("iris"), 2)[:2] == ["petal_length", "petal_width"]
