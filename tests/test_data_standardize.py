"""--standardize as MATH.md says: m_j and s_j (ddof 0) of any finite column, exactly enough;
a constant column refused; the model back in the file's own units."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tui.data import load, standardize_columns

TINY = 5e-324
HUGE = 1.7e308


def exact_moments(column: list[float]) -> tuple[Fraction, Decimal]:
    """The exact mean and the population standard deviation (to 60 digits) of a column."""
    values = [Fraction(v) for v in column]
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    with localcontext() as context:
        context.prec, context.Emin, context.Emax = 60, -99999, 99999
        return mean, (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()


def decimal(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec, context.Emin, context.Emax = 60, -99999, 99999
        return Decimal(value.numerator) / Decimal(value.denominator)


def exact_standardized(column: list[float]) -> list[float]:
    mean, std = exact_moments(column)
    with localcontext() as context:
        context.prec, context.Emin, context.Emax = 60, -99999, 99999
        return [float(decimal(Fraction(v) - mean) / std) for v in column]


COLUMNS = {
    "ordinary": [1.0, 2.0, 4.0, 10.0],
    "huge (squares overflow)": [1e200, 2e200, 4e200, -3e200],
    "near the largest double (the sum overflows)": [HUGE, -HUGE, 1e308, HUGE],
    "just past 1.3e154": [1.3e154, 1.4e154, 1.5e154],
    "tiny (subnormal)": [TINY, 2 * TINY, 3 * TINY],
    "tiny and normal": [TINY, 1e-310, 2.2250738585072014e-308, 3e-308],
    "mixed": [TINY, 1e308, -3.0, 2.5e-300, -1e308],
    "large offset, small spread": [1e15 + 1, 1e15 + 2, 1e15 + 4],
}


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_any_finite_column_is_standardized_exactly(name: str) -> None:
    column = COLUMNS[name]
    x = np.array(column)[:, None]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, standardization = standardize_columns(x, ("a",))
    np.testing.assert_allclose(out[:, 0], exact_standardized(column), rtol=1e-14, atol=1e-14)
    mean, std = exact_moments(column)
    peak = max(map(abs, column))  # m_j within rounding of the column's largest value
    assert standardization.means[0] == pytest.approx(float(decimal(mean)), abs=1e-15 * peak)
    assert standardization.scales[0] == pytest.approx(float(std), rel=1e-15, abs=TINY)


def test_ordinary_columns_agree_with_the_textbook_formula() -> None:
    raw = load("cancer").x
    expected = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    cancer = load("cancer", standardize=True)
    np.testing.assert_allclose(cancer.x, expected, rtol=1e-13, atol=1e-14)
    assert cancer.standardization is not None
    np.testing.assert_allclose(cancer.standardization.means, raw.mean(axis=0), rtol=4e-15)
    np.testing.assert_allclose(cancer.standardization.scales, raw.std(axis=0), rtol=4e-15)


def test_a_spread_of_one_ulp_is_standardized_exactly() -> None:
    # The mean of 1e300 and the next double is not a double: x − mean(x) alone gives [0, 2]
    # and std ulp/√2; the residuals' mean (the correction) gives [−1, 1] and ulp/2.
    top = float(np.nextafter(1e300, np.inf))
    out, s = standardize_columns(np.array([[1e300], [top]]), ("a",))
    assert out[:, 0].tolist() == [-1.0, 1.0]
    assert s.scales[0] == float((Fraction(top) - Fraction(1e300)) / 2)


def test_a_huge_column_is_no_longer_zeros(tmp_path: Path) -> None:
    # Before: the squares overflowed, std was inf, and every x' was 0 ("mean 0, std 1").
    path = tmp_path / "huge.csv"
    path.write_text("big,y\n2e154,0\n4e154,1\n6e154,0\n")
    x = load(str(path), standardize=True).x[:, 0]
    np.testing.assert_allclose(x, [-np.sqrt(1.5), 0.0, np.sqrt(1.5)], rtol=1e-15, atol=1e-15)


def test_the_dataset_keeps_m_and_s_by_name() -> None:
    iris = load("iris", standardize=True)
    raw = load("iris")
    s = iris.standardization
    assert s is not None and raw.standardization is None
    assert s.names == ("petal_length", "petal_width")
    np.testing.assert_allclose(s.means, raw.x.mean(axis=0), rtol=4e-15)
    np.testing.assert_allclose(s.scales, raw.x.std(axis=0), rtol=4e-15)
    m, sd = s.means.tolist(), s.scales.tolist()
    assert s.describe() == (
        f"petal_length m = {m[0]!r}, s = {sd[0]!r}; petal_width m = {m[1]!r}, s = {sd[1]!r}"
    )
    assert s.describe(4) == "petal_length m = 4.906, s = 0.8214; petal_width m = 1.676, s = 0.4226"
    assert iris.warnings == (f"standardized 2 features of iris: {s.describe()}",)
    assert raw.warnings == ()


def test_the_model_in_the_file_units_gives_the_same_z() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 3)) * [1e-200, 1.0, 1e200] + [3e-200, -7.0, 1e201]
    x_unit, s = standardize_columns(x, ("a", "b", "c"))
    w_unit, b_unit = np.array([0.7, -1.3, 2.1]), 0.4
    w, b = s.in_file_units(w_unit, b_unit)
    z_file = [float(sum(Fraction(wj) * Fraction(xj) for wj, xj in zip(w, row, strict=True)))
              + b for row in x]  # fmt: skip
    z_unit = x_unit @ w_unit + b_unit
    scale = np.abs(z_unit).max()
    np.testing.assert_allclose(z_file, z_unit, atol=1e-12 * scale)
    assert w.tolist() == pytest.approx((w_unit / s.scales).tolist(), rel=1e-15)
    expected_b = b_unit - float(sum(Fraction(v) for v in w_unit * s.means / s.scales))
    assert b == pytest.approx(expected_b, rel=1e-14)
    text = s.describe_model(w_unit, b_unit)
    w1, w2, w3 = w.tolist()
    assert text == f"a w = {w1!r}, b w = {w2!r}, c w = {w3!r}; b = {b!r}"


def test_the_model_in_the_file_units_avoids_overflow_and_underflow_where_it_can() -> None:
    # A spread of one ulp at 1e300: s = ulp/2 ≈ 7.6e283, and w'/(s/2^e) alone would overflow.
    top = float(np.nextafter(1e300, np.inf))
    _, near = standardize_columns(np.array([[1e300], [top]]), ("a",))
    w, b = near.in_file_units([1e300], 0.0)
    s = (Fraction(top) - Fraction(1e300)) / 2
    assert w[0] == pytest.approx(float(Fraction(1e300) / s), rel=1e-15)
    assert b == -np.inf  # −w'·m/s ≈ −1.3e316: beyond the largest double
    # A column of subnormals: s = 2.5e−324 is 0 as a double, yet w = w'/s is 4e23.
    _, tiny = standardize_columns(np.array([[TINY], [2 * TINY]]), ("a",))
    assert tiny.scales[0] in (0.0, TINY)
    w, b = tiny.in_file_units([1e-300], 0.0)
    assert w[0] == pytest.approx(float(Fraction(1e-300) / (Fraction(TINY) / 2)), rel=1e-15)
    assert b == pytest.approx(-float(Fraction(1e-300) * 3), rel=1e-15)  # m/s = 3
