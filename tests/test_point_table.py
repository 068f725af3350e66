"""PointTable: a window over the rows that shows exactly the engine's per-point numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.app import App, ComposeResult

from tui import data
from tui.app.widgets.point_table import (
    CELL,
    MARK,
    PointTable,
    batch_text,
    cell,
    column_names,
)
from tui.app.widgets.table_text import whole_columns
from tui.data import Dataset
from tui.engine.session import Config, Session
from tui.format import MINUS, num

HEADER = 1


def dataset(x: np.ndarray, y: np.ndarray, name: str = "test") -> Dataset:
    d = x.shape[1]
    features = ("x",) if d == 1 else tuple(f"x{j + 1}" for j in range(d))
    return Dataset(name, Path(f"{name}.csv"), x, y, features, "y", "", {}, False)


def seed(**config: object) -> tuple[Dataset, Session]:
    ds = data.load("seed")
    return ds, Session(ds.x, ds.y, Config(lr=2.0, **config))  # type: ignore[arg-type]


def big(n: int = 1_000_000, **config: object) -> tuple[Dataset, Session]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 1))
    y = (rng.random(n) < 0.5).astype(np.float64)
    return dataset(x, y, "big"), Session(x, y, Config(w0=(0.7,), b0=-0.2, **config))  # type: ignore[arg-type]


class CountingSession:
    """Counts session.points calls and the rows each one asks for."""

    def __init__(self, session: Session) -> None:
        self.calls: list[int] = []
        points = session.points

        def counted(rows=None, t=None):  # type: ignore[no-untyped-def]
            result = points(rows, t)
            self.calls.append(len(result.rows))
            return result

        session.points = counted  # type: ignore[method-assign]


class TableApp(App[None]):
    CSS = "PointTable { height: 1fr; border: round $accent; }"

    def __init__(self, ds: Dataset, session: Session) -> None:
        super().__init__()
        self.ds, self.session = ds, session

    def compose(self) -> ComposeResult:
        yield PointTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(PointTable)
        table.show(self.session, self.ds)
        table.focus()


def lines(table: PointTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def expected_tokens(session: Session, i: int) -> list[str]:
    """Row i as MATH.md's numbers, each written as every panel writes it (`num`: 6
    significant figures)."""
    p = session.points(np.array([i]))
    values = [*p.x[0], p.y[0], p.y_hat[0], p.residual[0], p.loss[0], *p.grad_w[0], p.grad_b[0]]
    return [str(i + 1)] + [num(v) for v in values]


def body_rows(table: PointTable) -> list[tuple[int, str]]:
    """(row number i, 0-based; the line) for the body lines on screen."""
    out = []
    for text in lines(table)[HEADER:]:
        tokens = text.replace(MARK, " ").split()
        if tokens:
            out.append((int(tokens[0]) - 1, text))
    return out


# ---- formatting ------------------------------------------------------------------------------


def test_cell_keeps_six_digits_and_fits():
    for v in [0.0, 1.0, -0.5, 1 / 3, -1.2345678e-5, 1e300, -1.2345678e-300, 123456789.0]:
        text = cell(v)
        assert len(text) == CELL
        assert float(text.replace(MINUS, "-")) == pytest.approx(
            v, rel=1e-4 if abs(v) > 1e-100 else 1e-3
        )
    assert cell(1 / 3).strip() == "0.333333"
    assert cell(-0.0).strip() == "0"  # Δw_i = dz·x_i at x_i = 0 can be −0.0
    assert [cell(v).strip() for v in (float("nan"), float("inf"), -float("inf"))] == [
        "nan",
        "inf",
        "−inf",
    ]


def test_column_names():
    assert column_names(None, 1) == ["x", "y", "ŷ", "r = ŷ−y", "ℓ_i", "Δw_i", "Δb_i"]
    hours = data.load("hours")
    assert column_names(hours, 1)[0] == "hours"
    cancer = data.load("cancer")  # some names are longer than a column: numbered instead
    names = column_names(cancer, 30)
    assert names[:2] == ["x1", "x2"] and names[-2:] == ["Δw30_i", "Δb_i"] and len(names) == 65
    wide = dataset(np.zeros((1, 2)), np.zeros(1))
    wide = Dataset("w", Path("w.csv"), wide.x, wide.y, ("長さ", "b"), "y", "", {}, False)
    assert column_names(wide, 2)[:2] == ["x1", "x2"]  # double-width names would misalign


# ---- the numbers -----------------------------------------------------------------------------


async def test_shows_exactly_the_engines_numbers():
    ds, session = seed()
    session.step(3)
    app = TableApp(ds, session)
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        shown = lines(table)
        assert shown[0].split() == ["i", "x", "y", "ŷ", "r", "=", "ŷ−y", "ℓ_i", "Δw_i", "Δb_i"]
        rows = body_rows(table)
        assert [i for i, _ in rows] == list(range(session.n))
        for i, text in rows:
            assert text.split() == expected_tokens(session, i)
        # right-aligned in fixed columns: every number column ends where its header ends
        ends = [
            k + 1
            for k, ch in enumerate(shown[0])
            if ch != " " and shown[0][k + 1 : k + 2] in (" ", "")
        ]
        for _, text in rows:
            assert all(text[end - 1] != " " for end in ends)

        session.step()  # a new step: show() again, and the numbers follow
        table.show(session, ds)
        await pilot.pause()
        for i, text in body_rows(table):
            assert text.split() == expected_tokens(session, i)


async def test_values_follow_theta_even_at_the_same_step():
    """The window cache is keyed on θ_t too: back, new η, forward lands on the same t."""
    ds, session = seed()
    session.step(2)
    app = TableApp(ds, session)
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        before = lines(table)
        session.back()
        session.set_lr(0.5)
        session.step()
        table.refresh()
        await pilot.pause()
        after = lines(table)
        assert before != after
        for i, text in body_rows(table):
            assert text.split() == expected_tokens(session, i)


async def test_million_rows_compute_only_the_visible_rows():
    ds, session = big()
    counter = CountingSession(session)
    app = TableApp(ds, session)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        visible = table.scrollable_content_region.height - HEADER
        assert table.virtual_size.height == session.n + HEADER
        # one call per render of the window (not per line); the first render may come before
        # the horizontal scrollbar takes a line, so a window can be one row taller than now
        assert counter.calls and max(counter.calls) <= visible + 1
        assert len(counter.calls) <= 4

        counter.calls.clear()
        await pilot.press("end")
        rows = body_rows(table)
        assert rows[-1][0] == session.n - 1
        assert rows[-1][1].split()[0] == "1000000"
        assert len(rows) == visible
        for i, text in rows[-3:]:
            assert text.split() == expected_tokens(session, i)
        assert 1 <= len(counter.calls) <= 4 and max(counter.calls) <= visible

        await pilot.press("home")
        assert body_rows(table)[0][0] == 0


async def test_header_stays_while_scrolling():
    ds, session = big(10_000)
    app = TableApp(ds, session)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        header = lines(table)[0]
        for keys in (["down"], ["pagedown"], ["pagedown", "pagedown"], ["end"], ["pageup"]):
            await pilot.press(*keys)
            assert lines(table)[0] == header
        await pilot.press("home", "down", "down")
        assert table.scroll_y == 2 and body_rows(table)[0][0] == 2
        await pilot.press("pagedown")  # a page is the body height: no row is skipped
        assert body_rows(table)[0][0] == 2 + table.scrollable_content_region.height - HEADER
        top = table.scroll_y
        # the mouse wheel (Textual's own handler; pilot has no public wheel method)
        await pilot._post_mouse_events([events.MouseScrollDown], PointTable, offset=(5, 5))
        assert table.scroll_y > top and lines(table)[0] == header
        assert body_rows(table)[0][0] == table.scroll_y


async def test_scroll_position_kept_at_a_new_step_reset_for_new_data():
    ds, session = big(10_000)
    app = TableApp(ds, session)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        table.scroll_to(y=5000, animate=False)
        await pilot.pause()
        session.step()
        table.show(session, ds)
        await pilot.pause()
        assert table.scroll_y == 5000 and body_rows(table)[0][0] == 5000
        other_ds, other = seed()
        table.show(other, other_ds)
        await pilot.pause()
        assert table.scroll_y == 0 and body_rows(table)[0][0] == 0


# ---- the batch -------------------------------------------------------------------------------


def marked(table: PointTable) -> list[int]:
    return [i for i, text in body_rows(table) if text.lstrip().startswith(MARK)]


async def test_batch_rows_are_marked_for_sgd_and_minibatch_not_for_gd():
    ds, gd = seed()
    app = TableApp(ds, gd)
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        assert marked(table) == []
        assert table.border_subtitle == "batch: all 5 rows"

        _, sgd = seed(optimizer="sgd", batch_size=1)
        sgd.step(2)  # update 2 uses point 2 (0-based): row 3
        table.show(sgd, ds)
        await pilot.pause()
        assert marked(table) == [2]
        assert table.border_subtitle == "batch: row 3"

        _, mini = seed(optimizer="minibatch", batch_size=2)
        mini.step(1)  # chunks [0, 1], [2, 3], [4]: update 1 uses rows 3–4
        table.show(mini, ds)
        await pilot.pause()
        assert marked(table) == [2, 3]
        assert table.border_subtitle == "batch: rows 3–4"
        assert MARK not in lines(table)[0]

        _, shuffled = seed(optimizer="minibatch", batch_size=2, shuffle=True, seed=3)
        shuffled.step(1)
        table.show(shuffled, ds)
        await pilot.pause()
        assert marked(table) == sorted(shuffled.batch().tolist())
        assert table.border_subtitle == "batch: 2 rows (shuffled)"


def test_batch_text_for_a_big_shuffled_batch():
    _, session = big(100_000, optimizer="minibatch", batch_size=32_768, shuffle=True)
    assert batch_text(session) == "batch: 32,768 rows (shuffled)"


# ---- wide data, tiny sizes, highlight --------------------------------------------------------


async def test_horizontal_scroll_with_thirty_features():
    ds = data.load("cancer")
    session = Session(ds.x, ds.y, Config(loss="bce", lr=3e-6))
    session.step(5)
    app = TableApp(ds, session)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        width = table.scrollable_content_region.width
        assert table.virtual_size.width > 64 * CELL > width
        header = table._header
        prefix = len(str(session.n)) + 3

        def visible(x: int) -> str:  # the header at scroll x: "i", then whole names only
            return (
                header[:prefix]
                + whole_columns(header, prefix, prefix + x, x + width)[prefix + x : x + width]
            )

        assert lines(table)[0] == visible(0)
        assert set(lines(table)[0].split()) <= set(header.split())  # only whole names show
        await pilot.press("shift+right", "shift+right")
        assert table.scroll_x == 2 * (CELL + 1)
        x = table.scroll_offset.x
        assert lines(table)[0] == visible(x)
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        shown = lines(table)
        assert shown[0].split()[-2:] == ["Δw30_i", "Δb_i"]
        assert shown[0].split()[0] == "i"  # the row numbers stay, scrolled or not
        for k, text in enumerate(shown[HEADER:]):  # the body moved with the header: Δb last
            i = table.scroll_offset.y + k
            assert text.split()[0] == str(i + 1)
            assert text.split()[-2:] == expected_tokens(session, i)[-2:]
        await pilot.press("shift+left")
        assert table.scroll_x == table.max_scroll_x - (CELL + 1)
        await pilot.press("left", "right")  # plain arrows are left to the app
        assert table.scroll_x == table.max_scroll_x - (CELL + 1)


@pytest.mark.parametrize("n", [1, 1_000_000])
async def test_never_raises_at_any_size(n: int):
    ds, session = big(n, optimizer="minibatch", batch_size=3)
    app = TableApp(ds, session)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        for size in [(40, 12), (1, 1), (1, 12), (40, 2), (40, 3), (3, 40), (200, 60), (40, 12)]:
            await pilot.resize_terminal(*size)
            lines(table)
            for key in ("end", "pagedown", "up", "shift+right", "home", "pageup", "shift+left"):
                app.simulate_key(key)  # pilot.press waits ~60 ms a key
            await pilot.pause()
            table.highlight(n - 1)
            table.highlight(None)
            await pilot.pause()
        table.styles.height = 0
        await pilot.pause()
        assert lines(table) == []
        assert app.return_value is None


async def test_highlight_marks_a_row_and_scrolls_it_into_view():
    ds, session = big(100_000)
    app = TableApp(ds, session)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        table.highlight(54_321)
        await pilot.pause()
        assert table.highlighted == 54_321
        assert 54_321 in [i for i, _ in body_rows(table)]
        y = HEADER + 54_321 - table.scroll_offset.y
        style = table.get_component_rich_style("point-table--highlight")
        assert style.bgcolor is not None
        assert list(table.render_line(y))[1].style.bgcolor == style.bgcolor
        table.highlight(None)
        table.highlight(10**9)  # outside the table: nothing is marked
        assert table.highlighted is None


class SteppingApp(TableApp):
    BINDINGS = [("right", "step", "Step"), ("left", "back", "Back")]

    def action_step(self) -> None:
        self.session.step()
        self.query_one(PointTable).show(self.session, self.ds)

    def action_back(self) -> None:
        self.session.back()
        self.query_one(PointTable).show(self.session, self.ds)


async def test_plain_arrows_reach_the_app_while_the_table_has_focus():
    ds = data.load("cancer")
    session = Session(ds.x, ds.y, Config(loss="bce", lr=3e-6))
    app = SteppingApp(ds, session)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        assert table.has_focus and table.max_scroll_x > 0
        await pilot.press("right", "right", "left")
        assert session.t == 1 and table.scroll_x == 0
        for i, text in body_rows(table):
            assert text.split()[:3] == expected_tokens(session, i)[:3]


async def test_show_and_highlight_before_the_table_is_mounted():
    ds, session = big(100_000)

    class EarlyApp(App[None]):
        def compose(self) -> ComposeResult:
            table = PointTable()
            table.show(session, ds)
            table.highlight(70_000)
            yield table

    app = EarlyApp()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(PointTable)
        assert table.highlighted == 70_000
        assert 70_000 in [i for i, _ in body_rows(table)]


def test_whole_columns_blanks_only_the_columns_the_window_cuts():
    from tui.app.widgets.table_text import CELL, whole_columns

    prefix = 4
    line = "* 1 " + "".join(" " + str(k).rjust(CELL, str(k)) for k in range(3))
    assert whole_columns(line, prefix, 0, len(line)) == line
    col = CELL + 1
    # The window ends inside column 1: column 1 is blank, columns 0 and 2 are kept.
    cut = whole_columns(line, prefix, 0, prefix + col + 5)
    assert cut[prefix : prefix + col] == line[prefix : prefix + col]
    assert cut[prefix + col : prefix + 2 * col].strip() == ""
    # The window starts inside column 0: what shows of column 0 is blank.
    start = prefix + 3
    cut = whole_columns(line, prefix, start, len(line))
    assert cut[start : prefix + col].strip() == "" and cut[prefix + col :] == line[prefix + col :]
