"""One way of writing numbers (issue 9, item 5): `tui.format.num` with 6 significant figures or
exact, `p` switching every panel, round-off marked with its bound, MATH.md's notation."""

from __future__ import annotations

import math
import re
import threading
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import notes_of
from tests.test_app import SIZE, expected_session, make_app, settle, text
from tui.app.plots.plot_panel import PlotPanel
from tui.app.screens.help_screen import binding_rows
from tui.app.widgets.point_table import PointTable
from tui.app.widgets.state_panel import StatePanel
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.app.widgets.update_panel import UpdatePanel
from tui.app.widgets.watch_panel import WatchPanel
from tui.engine.diagnostics import diagnose
from tui.engine.roundoff import U, gradient_bounds, is_roundoff, reduced_sum_bound
from tui.expressions import parse
from tui.format import (
    MINUS,
    Precision,
    current_precision,
    num,
    num_above,
    operand,
    precision,
)

EXACT = Precision.EXACT


def parsed(shown: str) -> float:
    """The float a number on screen stands for (U+2212 read as a minus sign)."""
    return float(shown.replace(MINUS, "-"))


# ---- tui.format ---------------------------------------------------------------------------


def test_six_significant_figures_by_default():
    assert num(0.24804429838751893) == "0.248044"
    assert num(-0.12492615628791529) == "−0.124926"
    assert num(123456789.123) == "1.23457e8"
    assert num(-2.7755575615628915e-18) == "−2.77556e−18"
    assert num(0.1125) == "0.1125"  # no padding zeros
    assert num(1e-320) == "1e−320"  # the exact form when it is shorter (not 9.99989e−321)
    assert num(2.0, 3) == "2" and num(1 / 3, 3) == "0.333"


def test_exact_precision_writes_the_shortest_repr_whatever_the_digits():
    with precision(EXACT):
        assert num(0.24804429838751893) == "0.24804429838751893"
        assert num(0.24804429838751893, 4) == "0.24804429838751893"
        assert num(0.22500000000000003) == "0.22500000000000003"
        assert num(-2.7755575615628915e-18) == "−2.7755575615628915e−18"
        assert num(1e16) == "1e16" and num(123456789.0) == "123456789"


def test_zero_and_whole_numbers_are_written_one_way_in_both_precisions():
    for mode in Precision:
        with precision(mode):
            assert num(0.0) == num(-0.0) == "0"  # not `0` beside `0.0`
            assert num(2.0) == "2" and num(-3.0) == "−3"


def test_negative_numbers_use_the_minus_sign_of_the_formulas():
    for mode in Precision:
        with precision(mode):
            assert num(-0.0103) == "−0.0103" and "-" not in num(-1.5e-7)
            assert num(-1.5e-7).count(MINUS) == 2  # the sign and the exponent's
            assert operand(-0.0103) == "(−0.0103)" and operand(0.0103) == "0.0103"


def test_nan_and_infinities():
    for mode in Precision:
        with precision(mode):
            assert [num(v) for v in (math.nan, math.inf, -math.inf)] == ["nan", "inf", "−inf"]


def test_a_bound_is_rounded_up():
    assert num_above(4.66293670342566e-17) == "4.7e−17"
    assert num_above(1.1e-16) == "1.2e−16"  # the double 1.1e−16 is a little above 1.1e−16
    assert num_above(0.25) == "0.25"
    for value in (4.66293670342566e-17, 1.1e-16, 3.3333e5, 9.96e-3):
        assert parsed(num_above(value)) >= value
    with precision(EXACT):
        assert num_above(4.66293670342566e-17) == "4.66293670342566e−17"


def test_the_precision_comes_back_after_the_block_even_after_an_error():
    assert current_precision() is Precision.ROUNDED
    with pytest.raises(ZeroDivisionError), precision(EXACT):
        assert current_precision() is EXACT
        _ = 1 / 0
    assert current_precision() is Precision.ROUNDED
    assert num(1 / 3) == "0.333333"


def test_the_precision_belongs_to_the_code_that_set_it():
    """Another thread (a worker) does not see a block it is not in."""
    seen: list[str] = []
    with precision(EXACT):
        thread = threading.Thread(target=lambda: seen.append(num(1 / 3)))
        thread.start()
        thread.join()
        assert num(1 / 3) == "0.3333333333333333"
    assert seen == ["0.333333"]


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_precision_reads_back_as_the_same_double(value: float):
    with precision(EXACT):
        shown = num(value)
    assert parsed(shown) == value
    assert "-" not in shown and "+" not in shown and len(shown) <= 24  # the table's EXACT_CELL


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_six_figures_are_within_half_a_unit_of_the_sixth(value: float):
    shown = num(value)
    assert abs(parsed(shown) - value) <= 5e-6 * abs(value)
    assert "-" not in shown and "+" not in shown and len(shown) <= 13


# ---- round-off --------------------------------------------------------------------------------


def gamma(k: int) -> Fraction:
    """γ_k = k·u/(1 − k·u), exactly."""
    u = Fraction(1, 2**53)
    return k * u / (1 - k * u)


def test_the_seed_step_0_delta_b_is_round_off_and_its_bound_is_gamma_n_plus_1():
    """Δb = (1/5)·Σ Δb_i is 0 on paper at step 0 (ȳ = 0.5 = σ(0)); the computed −2.7756e−18
    is inside the bound γ_6·(1/5)·Σ|Δb_i|, computed here exactly with fractions."""
    session = expected_session("seed", 0)
    points = session.points()
    n = session.n
    reference = {
        j: float(gamma(n + 1) * sum(Fraction(abs(t)) for t in terms) / n)
        for j, terms in ((0, points.grad_w[:, 0].tolist()), (1, points.grad_b.tolist()))
    }
    bounds = gradient_bounds(session)
    for j in (0, 1):  # the engine's bound is the same, rounded up by a hair (never below)
        assert reference[j] <= bounds[j] <= reference[j] * (1 + 1e-12) + 1e-300
    grad = session.grad()
    assert grad[1] == -2.7755575615628915e-18 and is_roundoff(grad[1], bounds[1])
    assert not is_roundoff(grad[0], bounds[0])  # Δw = −0.1125 matters
    assert not is_roundoff(0.0, bounds[1])  # an exact 0 needs no mark


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=60),
    st.booleans(),
)
def test_the_bound_holds_for_sums_in_any_order(terms: list[float], mean: bool):
    """The computed (1/N)·Σ t_i, summed left to right, right to left, sorted, pairwise
    (numpy) or correctly rounded (fsum), is within the bound of the exact value."""
    n = len(terms)
    divisor = float(n) if mean else 1.0
    exact = sum(Fraction(t) for t in terms) / Fraction(divisor)
    bound = reduced_sum_bound(math.fsum(abs(t) for t in terms), n, divisor)
    orders = [terms, terms[::-1], sorted(terms), sorted(terms, key=abs)]
    sums = [sum(order) for order in orders] + [float(np.sum(terms)), math.fsum(terms)]
    for total in sums:
        assert abs(Fraction(total / divisor) - exact) <= Fraction(bound)


def test_a_sum_far_from_zero_is_not_round_off():
    assert not is_roundoff(1e-3, reduced_sum_bound(1.0, 10, 10.0))
    assert is_roundoff(1e-17, reduced_sum_bound(1.0, 10, 10.0))
    assert not is_roundoff(1e-17, math.inf)  # a term overflowed: nothing is known
    assert reduced_sum_bound(math.inf, 3, 3.0) == math.inf
    assert reduced_sum_bound(1.0, 1, 1.0) >= 2 * U


# ---- on screen --------------------------------------------------------------------------------


def panels(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The text of every panel on the main screen."""
    kinds = {
        "state": StatePanel,
        "taylor": TaylorPanel,
        "update": UpdatePanel,
        "table": PointTable,
        "watches": WatchPanel,
        "plot": PlotPanel,
    }
    return {name: text(app.query_one(kind)) for name, kind in kinds.items()}


async def test_p_switches_every_panel_to_exact_and_back():
    """seed at step 3, stepped into its first point, with a watch: `p` writes every number
    in its shortest exact form on every panel (state, Taylor, update with step into, table,
    watches, plot title), and `p` again goes back to 6 significant figures everywhere."""
    app = make_app()
    app.watches = [parse("w", 1)]
    async with app.run_test(size=(160, 50)) as pilot:  # room for the exact w, b in the title
        await pilot.press("n", "n", "n", "t", "s")  # t: the fit, titled with w and b
        await settle(pilot)
        s = app.session
        last = diagnose(s).last_update
        w, b, y_hat = s.w()[0], s.b(), s.points().y_hat[0]
        term, total = s.points().grad_w[0, 0], s.grad()[0]
        assert w == 0.24804429838751893
        numbers = {
            "state": [w, b, s.loss()],
            "taylor": [last.dl1, last.dl2, last.dl],
            "update": [total, term, s.next_theta()[0]],
            "table": [y_hat],
            "watches": [w],
            "plot": [w],
        }

        def everywhere(mode: Precision) -> bool:
            shown = panels(app)
            with precision(mode):
                return all(
                    num(value) in shown[name]
                    for name, values in numbers.items()
                    for value in values
                )

        assert everywhere(Precision.ROUNDED) and "0.248044" in panels(app)["state"]
        await pilot.press("p")
        await settle(pilot)
        assert app.precision is EXACT
        assert everywhere(EXACT)
        shown = panels(app)
        assert "0.24804429838751893" in shown["state"] and "0.248044 " not in shown["state"]
        assert all("0.248044 " not in shown[name] for name in ("watches", "plot", "update"))
        await pilot.press("p")
        await settle(pilot)
        assert app.precision is Precision.ROUNDED
        assert everywhere(Precision.ROUNDED)
        assert all("0.24804429838751893" not in panel for panel in panels(app).values())


async def test_the_table_keeps_whole_exact_values_and_its_columns_aligned():
    """In exact precision a column is 24 characters (EXACT_CELL): each value and its header
    end at the column's right edge, none is cut."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "p")
        await settle(pilot)
        table = app.point_table
        assert table.column == 24
        lines = text(table).splitlines()[1:7]  # the header and the 5 points
        prefix = 1 + len("5") + 3  # the border, then the marker and i
        ends = range(prefix + table.column + 1, len(lines[0]), table.column + 1)
        assert len(ends) >= 4
        for line in lines:
            assert all(line[end - 1] != " " and line[end] in " │" for end in ends)
        y_hat = app.session.points().y_hat.tolist()
        assert all(repr(v) in text(table) for v in y_hat)


async def test_seed_step_0_marks_delta_b_as_round_off_with_its_bound():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bound = float(gamma(6) * sum(Fraction(abs(t)) for t in app.session.points().grad_b) / 5)
        update = text(app.query_one(UpdatePanel))
        line = next(line for line in update.splitlines() if "Δb = (1/5) Σ Δb_i" in line)
        assert f"= −2.77556e−18 ≈ 0 (round-off, |error| ≤ {num_above(bound)})" in line
        assert num_above(bound) == "4.7e−17"
        assert "round-off" not in next(line for line in update.splitlines() if "Δw =" in line)


async def test_the_notation_follows_math_md_on_every_panel_and_plot():
    """θ_{t−1}, never θ_t₋₁ or θ_t−1; Δθ written out once; the table's headers Δw_i, Δb_i and
    ℓ_i defined in its title."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        seen: list[str] = []
        await pilot.press("n", "n")
        for key in ("t", "t", "t", "t"):  # fit, surface, lens, loss
            await pilot.press(key)
            await settle(pilot)
            seen += panels(app).values()
        seen.append(str(app.point_table.border_title))
        await pilot.press("question_mark")
        await settle(pilot)
        seen.append(text(app.screen.query_one("#keys")))
        await pilot.press("escape")
        shown = "\n".join(seen)
        assert "t₋₁" not in shown and "θ_t−1" not in shown and "θ_{t−1}" in shown
        assert panels(app)["taylor"].count("Δθ") >= 1
        assert sum("= θ_t − θ_{t−1} = −η·g" in line for line in seen[-2:]) == 0
        assert panels(app)["taylor"].count("θ_t − θ_{t−1} = −η·g") == 1
        assert "ℓ_i = ½·r²" in str(app.point_table.border_title)
        header = text(app.point_table).splitlines()[1].rstrip("│ ").split()
        assert header[-3:] == ["ℓ_i", "Δw_i", "Δb_i"]


async def test_p_is_a_key_of_the_help_screen_and_the_palette():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = binding_rows(app, app.screen)
        assert any(keys == "p" and description == "Precision" for keys, description, _ in rows)
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "Precision" in commands


async def test_plot_ticks_use_the_same_minus_sign():
    """The loss surface of plateau (w, b around −2…2): its negative ticks are written −2, as
    every number on screen, never with an ASCII hyphen."""
    app = make_app("plateau")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "t", "t")
        await settle(pilot)
        shown = text(app.query_one(PlotPanel))
        assert "loss surface" in shown and "−2" in shown
        assert re.search(r"-\d", shown) is None


def test_a_number_copied_from_the_screen_reads_back_in_a_dialog():
    from tui.app.screens.number_dialog import parse_number

    with precision(EXACT):
        shown = num(-0.12492615628791529)
    assert parse_number(shown) == -0.12492615628791529
    assert parse_number("−2.5e−3") == -2.5e-3 and parse_number("-1") == -1.0


@pytest.mark.parametrize("width", [79, 120])
async def test_exact_numbers_get_room_within_the_window(width: int):
    """Exact numbers widen the state and Taylor panels beside the plot; under it (a window
    narrower than 80), they stay within the window."""
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        before = app.query_one("#info").region
        await pilot.press("p")
        await settle(pilot)
        after = app.query_one("#info").region
        assert after.right <= width and app.query_one(TaylorPanel).region.right <= width
        assert after.width > before.width if width >= 80 else after.width == before.width


async def test_the_note_at_the_end_of_a_run_uses_the_precision_of_that_moment():
    """A run (`c`) is a task of its own, started before `p` may be pressed during it: the note
    it gives when it stops is written with the app's precision when it stops."""
    from tui.app.runs import Stop, StopReason

    app = make_app(lr="12")
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", *"300", "enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        session = app.session
        period = 2
        notes.clear()
        app._report_stop(session, Stop(StopReason.CYCLE, period=period))  # as the run does
        limit = min(
            app.curvatures.get(session.objective, session.theta(t)).lr_limit
            for t in range(session.t - period, session.t)
        )
        with precision(EXACT):
            assert num(limit) in notes[-1].message


def test_the_diagnostics_of_a_step_carry_the_bounds_of_its_totals():
    """The bounds are computed with the step's other diagnostics (off the UI thread on big
    data), for the batch that update t uses."""
    session = expected_session("seed", 0, optimizer="minibatch", batch_size="2")
    session.step(1)  # update 1 uses rows 3 and 4
    found = diagnose(session)
    assert found.grad_bounds is not None
    assert found.grad_bounds.tolist() == gradient_bounds(session, session.t).tolist()
    terms = session.points(session.batch_rows()).grad_b.tolist()
    assert len(terms) == 2
    reference = float(gamma(3) * sum(Fraction(abs(t)) for t in terms) / 2)
    assert reference <= found.grad_bounds[1] <= reference * (1 + 1e-12)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, exclude_min=True, max_value=1e307, allow_subnormal=True))
def test_a_bound_written_short_is_never_below_the_bound(value: float):
    shown = num_above(value)
    assert Fraction(shown.replace(MINUS, "-")) >= Fraction(value)  # exactly, not as floats
    assert parsed(shown) <= value * 1.11 + 1e-323  # and no more than one unit of 2 figures up


async def test_step_into_puts_a_long_exact_formula_on_two_lines_instead_of_wrapping_it():
    """seed, step 3, point 1: with 6 figures Δw_1's chain rule is one line; exact, the values
    go on a line of their own under the symbols, each line whole."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "s")
        await settle(pilot)

        def lines() -> list[str]:
            return [line.strip("│ ▃▆") for line in text(app.query_one(UpdatePanel)).splitlines()]

        symbols = "Δw_1 = (ŷ_1 − y_1)·ŷ_1·(1 − ŷ_1)·x_1"
        one = next(line for line in lines() if line.startswith(symbols))
        assert one.endswith("= (0.499774 − 0.1)·0.499774·(1 − 0.499774)·0.5 = 0.0499717")
        await pilot.press("p")
        await settle(pilot)
        shown = lines()
        at = shown.index(symbols)
        y_hat = "0.49977399824185237"
        assert shown[at + 1] == (
            f"= ({y_hat} − 0.1)·{y_hat}·(1 − {y_hat})·0.5 = 0.04997173957064433"
        )
        assert shown[at + 2] == "Δb_1 = (ŷ_1 − y_1)·ŷ_1·(1 − ŷ_1)·1"


def test_the_optimizer_rules_write_their_constants_as_the_screen_does():
    from tui.engine.optimizers import OPTIMIZERS

    formulas = {name: o.formula for name, o in OPTIMIZERS.items()}
    assert not [f for f in formulas.values() if "-" in f or "e-" in f or "e+" in f]
    assert formulas["adam"].endswith("(√v̂ + 1e−8)") and "0.001·g²" in formulas["adam"]
    assert formulas["adagrad"].endswith("(√s + 1e−10)")
    assert formulas["rmsprop"].endswith("(√s + 1e−8)") and "0.01·g²" in formulas["rmsprop"]


def test_beta_is_written_as_every_number_on_screen():
    from tui.app.plots.dial import beta_text

    assert [beta_text(b) for b in (195.0, 196.5, 1e-300, 359.9999)] == [
        "195°",
        "196.5°",
        "1e−300°",
        "360°",
    ]
    with precision(EXACT):
        assert beta_text(359.9999) == "359.9999°" and beta_text(1e-300) == "1e−300°"
