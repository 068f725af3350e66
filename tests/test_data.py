"""Tests for tui/data.py: CSV loading, bundled samples, standardizing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui import data
from tui.data import (
    DataError,
    Dataset,
    csv_split,
    load,
    read_header_comments,
    resolve,
    sample_names,
)

SAMPLES = ["seed", "cancer", "hours", "iris", "plateau"]


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> str:
    """Write a file (text as UTF-8 with no newline translation) and return its path as a str."""
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return str(path)


def load_error(spec: str, **kwargs: object) -> str:
    with pytest.raises(DataError) as info:
        load(spec, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return message


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def descend(ds: Dataset, steps: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Plain gradient descent with a sample's recommended settings: (losses, w, b)."""
    s = ds.settings
    lr = float(s["lr"])
    w = np.full(ds.d, float(s["w0"]))
    b = float(s["b0"])
    reduce = np.mean if s["reduction"] == "mean" else np.sum
    losses = []
    for t in range(steps + 1):
        y_hat = sigmoid(ds.x @ w + b)
        if s["loss"] == "mse":
            losses.append(reduce(0.5 * (y_hat - ds.y) ** 2))
            g = (y_hat - ds.y) * y_hat * (1 - y_hat)
        else:
            losses.append(reduce(-(ds.y * np.log(y_hat) + (1 - ds.y) * np.log(1 - y_hat))))
            g = y_hat - ds.y
        if t < steps:
            scale = 1 / ds.n if s["reduction"] == "mean" else 1.0
            w = w - lr * scale * (ds.x.T @ g)
            b = b - lr * scale * g.sum()
    return np.array(losses), w, b


# --------------------------------------------------------------------------- samples


def test_sample_names_seed_first_then_sorted() -> None:
    assert sample_names() == SAMPLES


def test_samples_dir_is_the_checkout_folder() -> None:
    assert data.SAMPLES_DIR.is_dir()
    assert (data.SAMPLES_DIR / "seed.csv").is_file()


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_loads_with_description_and_settings(name: str) -> None:
    ds = load(name)
    assert ds.name == name
    assert ds.path == data.SAMPLES_DIR / f"{name}.csv"
    assert ds.x.dtype == np.float64 and ds.y.dtype == np.float64
    assert ds.x.flags.c_contiguous and ds.y.flags.c_contiguous
    assert ds.x.shape == (ds.n, ds.d) and ds.y.shape == (ds.n,)
    assert len(ds.features) == ds.d
    assert ds.description and "\n" not in ds.description
    assert not ds.description.startswith("gdstep")
    assert {"loss", "lr", "w0", "b0", "reduction", "optimizer", "steps"} <= set(ds.settings)
    assert ds.settings["optimizer"] == "gd"
    assert float(ds.settings["lr"]) > 0
    assert int(ds.settings["steps"]) > 0
    assert not ds.standardized
    assert read_header_comments(ds.path) == (ds.description, ds.settings)


def test_seed_sample_values() -> None:
    ds = load("seed")
    np.testing.assert_array_equal(ds.x, [[0.5], [1.0], [2.0], [3.5], [4.5]])
    np.testing.assert_array_equal(ds.y, [0.1, 0.3, 0.4, 0.8, 0.9])
    assert ds.features == ("x",) and ds.target == "y"
    assert ds.settings == {
        "loss": "mse",
        "reduction": "mean",
        "optimizer": "gd",
        "lr": "2",
        "w0": "0",
        "b0": "0",
        "steps": "1000",
    }
    assert "sigmoid neuron" in ds.description


def test_seed_sample_descends_and_converges() -> None:
    losses, w, b = descend(load("seed"), 1000)
    assert losses[0] == pytest.approx(0.046)
    assert losses[20] < 0.3 * losses[0]  # visibly lower within 20 steps
    assert np.all(np.diff(losses) <= 1e-15)  # never goes up
    assert losses[1000] == pytest.approx(0.00102336, rel=1e-4)
    assert w[0] == pytest.approx(1.0026, abs=1e-3) and b == pytest.approx(-2.2447, abs=1e-3)


def test_plateau_sample() -> None:
    ds = load("plateau")
    np.testing.assert_array_equal(ds.x, [[0.5], [2.5]])
    np.testing.assert_array_equal(ds.y, [0.2, 0.9])
    assert ds.settings == {
        "loss": "mse",
        "reduction": "sum",
        "optimizer": "gd",
        "lr": "1",
        "w0": "-2",
        "b0": "-2",
        "steps": "1000",
    }
    assert "flat" in ds.description
    losses, _, _ = descend(ds, 1000)
    assert losses[50] > 0.97 * losses[0]  # the flat start
    assert losses[120] < 0.01 and losses[1000] < 1e-9


def test_hours_sample() -> None:
    ds = load("hours")
    assert ds.features == ("hours",) and ds.target == "passed"
    assert ds.n == 20
    hours = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 3.5]
    hours += [4.0, 4.25, 4.5, 4.75, 5.0, 5.5]
    np.testing.assert_array_equal(ds.x[:, 0], hours)
    passed = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1]
    np.testing.assert_array_equal(ds.y, passed)
    assert ds.settings["loss"] == "bce" and ds.settings["lr"] == "0.7"
    losses, w, b = descend(ds, int(ds.settings["steps"]))
    assert np.all(np.diff(losses) <= 1e-15)
    assert losses[-1] == pytest.approx(0.40149392, abs=1e-6)
    assert w[0] == pytest.approx(1.5046, abs=1e-3) and b == pytest.approx(-4.0777, abs=1e-3)


def test_iris_sample() -> None:
    ds = load("iris")
    assert ds.features == ("petal_length", "petal_width") and ds.target == "virginica"
    assert ds.n == 100 and ds.y.sum() == 50
    np.testing.assert_array_equal(ds.x[0], [4.7, 1.4])  # the first versicolor
    assert ds.y[0] == 0 and ds.y[-1] == 1
    np.testing.assert_array_equal(ds.x[-1], [5.1, 1.8])  # the last virginica
    assert "iris" in ds.description
    losses, _, _ = descend(ds, 1000)
    assert np.all(np.diff(losses) <= 1e-15)
    assert losses[1000] < 0.3


def test_cancer_sample() -> None:
    ds = load("cancer")
    assert ds.n == 569 and ds.d == 30
    assert ds.target == "benign"
    assert ds.features[:4] == ("mean_radius", "mean_texture", "mean_perimeter", "mean_area")
    assert ds.features[-1] == "worst_fractal_dimension"
    np.testing.assert_array_equal(ds.x[0, :4], [17.99, 10.38, 122.8, 1001])
    assert ds.y[0] == 0
    assert set(np.unique(ds.y)) == {0.0, 1.0}
    assert "unscaled" in ds.description and "--standardize" in ds.description
    losses, _, _ = descend(ds, 200)
    assert np.all(np.diff(losses) <= 1e-15)  # the small lr does not diverge unscaled


def test_cancer_standardized() -> None:
    ds = load("cancer", standardize=True)
    assert ds.standardized
    np.testing.assert_allclose(ds.x.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.x.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(ds.y, load("cancer").y)


# --------------------------------------------------------------------------- resolve


def test_resolve_sample_by_name_and_with_csv_suffix(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve("hours") == ("hours", data.SAMPLES_DIR / "hours.csv")
    assert resolve("hours.csv") == ("hours", data.SAMPLES_DIR / "hours.csv")


def test_resolve_existing_path_wins_over_sample(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("seed").write_text("a,b\n1,2\n")
    assert resolve("seed") == ("seed", Path("seed"))
    ds = load("seed")
    assert ds.name == "seed" and ds.features == ("a",)
    np.testing.assert_array_equal(ds.x, [[1.0]])


def test_resolve_unknown_lists_samples(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as info:
        resolve("nosuch")
    assert str(info.value) == (
        "no such file or sample: 'nosuch' (samples: seed, cancer, hours, iris, plateau)"
    )
    with pytest.raises(DataError, match="no such file or sample: ''"):
        resolve("")


# --------------------------------------------------------------------------- good files


def test_header_and_values(tmp_path: Path) -> None:
    spec = write(tmp_path, "a,b,target\n1,2,0\n3.5,-4e-1,1\n")
    ds = load(spec)
    assert ds.name == spec and ds.path == Path(spec)
    assert ds.features == ("a", "b") and ds.target == "target"
    np.testing.assert_array_equal(ds.x, [[1.0, 2.0], [3.5, -0.4]])
    np.testing.assert_array_equal(ds.y, [0.0, 1.0])
    assert ds.n == 2 and ds.d == 2
    assert ds.description == "" and ds.settings == {}


def test_no_header_names(tmp_path: Path) -> None:
    one = load(write(tmp_path, "1,0\n2,1\n", "one.csv"))
    assert one.features == ("x",) and one.target == "y"
    three = load(write(tmp_path, "1,2,3,0\n4,5,6,1\n", "three.csv"))
    assert three.features == ("x1", "x2", "x3") and three.target == "y"
    np.testing.assert_array_equal(three.x, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(three.y, [0, 1])


def test_target_by_name(tmp_path: Path) -> None:
    spec = write(tmp_path, "label,a,b\n1,10,20\n0,30,40\n")
    ds = load(spec, target="label")
    assert ds.target == "label" and ds.features == ("a", "b")
    np.testing.assert_array_equal(ds.x, [[10, 20], [30, 40]])
    np.testing.assert_array_equal(ds.y, [1, 0])
    assert ds.x.flags.c_contiguous
    middle = load(spec, target="a")
    assert middle.features == ("label", "b")
    np.testing.assert_array_equal(middle.y, [10, 30])


def test_comments_description_and_settings(tmp_path: Path) -> None:
    text = (
        "\n"
        "#\n"
        "# gdstep: loss=bce lr=0.5\n"
        "   #   A nice data set   \n"
        "# a second comment, not the description\n"
        "# gdstep: w0=1,2 b0=-1\n"
        "a,b,y\n"
        "# a comment among the rows (ignored, not a description)\n"
        "1,2,1\n"
    )
    ds = load(write(tmp_path, text))
    assert ds.description == "A nice data set"
    assert ds.settings == {"loss": "bce", "lr": "0.5", "w0": "1,2", "b0": "-1"}
    np.testing.assert_array_equal(ds.x, [[1, 2]])


def test_bom_crlf_blank_lines_spaces_quotes_no_final_newline(tmp_path: Path) -> None:
    text = '\ufeff# desc\r\n\r\n "x" , "y"\r\n\r\n  1.5 ,  0 \r\n   \r\n2,\t1'
    ds = load(write(tmp_path, text))
    assert ds.description == "desc"
    assert ds.features == ("x",) and ds.target == "y"
    np.testing.assert_array_equal(ds.x, [[1.5], [2.0]])
    np.testing.assert_array_equal(ds.y, [0.0, 1.0])


def test_bom_before_header_name(tmp_path: Path) -> None:
    ds = load(write(tmp_path, b"\xef\xbb\xbfx,y\n1,0\n"))
    assert ds.features == ("x",)


def test_lone_cr_line_endings(tmp_path: Path) -> None:
    ds = load(write(tmp_path, "x,y\r1,0\r2,1\r"))
    np.testing.assert_array_equal(ds.x, [[1], [2]])


def test_quoted_numbers_in_rows(tmp_path: Path) -> None:
    ds = load(write(tmp_path, 'a,b\n"1", "2"\n3,"4"\n'))
    np.testing.assert_array_equal(ds.x, [[1], [3]])
    np.testing.assert_array_equal(ds.y, [2, 4])


def test_quoted_header_with_comma(tmp_path: Path) -> None:
    ds = load(write(tmp_path, '"len, cm",y\n1,0\n'))
    assert ds.features == ("len, cm",)


def test_numeric_first_row_is_data_and_exponents(tmp_path: Path) -> None:
    ds = load(write(tmp_path, "1e3,-0\n+.5,1E-2\n"))
    np.testing.assert_array_equal(ds.x, [[1000.0], [0.5]])
    np.testing.assert_array_equal(ds.y, [0.0, 0.01])


def test_large_file_loads(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50_000, 2))
    y = (rng.random(50_000) < 0.5).astype(float)
    lines = "".join(f"{float(a)!r},{float(b)!r},{c:g}\n" for (a, b), c in zip(x, y, strict=True))
    ds = load(write(tmp_path, "a,b,y\n" + lines))
    np.testing.assert_array_equal(ds.x, x)
    np.testing.assert_array_equal(ds.y, y)


# --------------------------------------------------------------------------- standardize


def test_standardize_mean_zero_std_one(tmp_path: Path) -> None:
    spec = write(tmp_path, "a,b,y\n1,100,0\n2,300,1\n3,200,0\n10,1000,1\n")
    raw = load(spec)
    ds = load(spec, standardize=True)
    assert ds.standardized and not raw.standardized
    np.testing.assert_allclose(ds.x.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(ds.x.std(axis=0), 1.0, rtol=1e-14)
    expected = (raw.x - raw.x.mean(axis=0)) / raw.x.std(axis=0)
    np.testing.assert_allclose(ds.x, expected, rtol=1e-14)
    np.testing.assert_array_equal(ds.y, raw.y)  # the target is never rescaled
    assert ds.x.dtype == np.float64 and ds.x.flags.c_contiguous


def test_standardize_refuses_a_constant_column_naming_it(tmp_path: Path) -> None:
    spec = write(tmp_path, "a,c,y\n1,0.1,0\n2,0.1,1\n3,0.1,0\n")
    assert load_error(spec, standardize=True) == (
        f"{spec}: column 2 (c) is constant (0.1 on every row): --standardize cannot rescale it "
        "(its standard deviation is 0); leave that column out"
    )
    spec = write(tmp_path, "y,1,2\n0,5,3\n1,5,4\n", "no_header.csv")  # target first, no header
    assert load_error(spec, standardize=True, target="y").startswith(f"{spec}: column 2 (1) ")
    spec = write(tmp_path, "1,2,0\n1,3,1\n", "numbers.csv")
    assert load_error(spec, standardize=True).startswith(f"{spec}: column 1 is constant (1.0 ")
    assert load(spec).x[:, 0].tolist() == [1.0, 1.0]  # without --standardize it is fine


def test_standardize_does_not_modify_its_input_and_keeps_m_and_s() -> None:
    x = np.array([[1.0, 5.0], [3.0, 9.0]])
    out, s = data.standardize_columns(x, ("a", "b"))
    np.testing.assert_array_equal(x, [[1.0, 5.0], [3.0, 9.0]])
    np.testing.assert_array_equal(out, [[-1.0, -1.0], [1.0, 1.0]])
    assert s.means.tolist() == [2.0, 7.0] and s.scales.tolist() == [1.0, 2.0]
    assert s.describe() == "a m = 2.0, s = 1.0; b m = 7.0, s = 2.0"


# --------------------------------------------------------------------------- bad files


def test_missing_file(tmp_path: Path) -> None:
    spec = str(tmp_path / "missing.csv")
    message = load_error(spec)
    assert message.startswith(f"no such file or sample: {spec!r} (samples: seed, ")


def test_directory(tmp_path: Path) -> None:
    spec = str(tmp_path)
    assert load_error(spec) == f"{spec}: is a directory; gdstep reads only regular files"


def test_permission_denied(tmp_path: Path, monkeypatch) -> None:
    spec = write(tmp_path, "x,y\n1,2\n")

    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    assert load_error(spec) == f"{spec}: cannot read: permission denied"


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# just a comment\n\n# another\n"])
def test_no_data_rows(tmp_path: Path, text: str) -> None:
    spec = write(tmp_path, text)
    assert load_error(spec) == f"{spec}: has no data rows"


def test_header_without_rows(tmp_path: Path) -> None:
    spec = write(tmp_path, "# desc\nx,y\n\n# nothing here\n")
    assert load_error(spec) == f"{spec}: has a header but no data rows"


def test_not_a_number(tmp_path: Path) -> None:
    spec = write(tmp_path, "x,y\n1,2\nabc,def\n")
    assert load_error(spec) == f"{spec}: line 3, column 1 (x): 'abc' is not a number"
    spec = write(tmp_path, "x,y\n1,2\n3,abc\n")
    assert load_error(spec) == f"{spec}: line 3, column 2 (y): 'abc' is not a number"


def test_not_a_number_without_header_and_after_comments(tmp_path: Path) -> None:
    spec = write(tmp_path, "# c\r\n1,2\r\n\r\n# c\r\n3,4x\r\n")
    assert load_error(spec) == f"{spec}: line 5, column 2: '4x' is not a number"


def test_not_a_number_in_quoted_file(tmp_path: Path) -> None:
    spec = write(tmp_path, 'x,y\n"1","2"\n\n"3","four"\n')
    assert load_error(spec) == f"{spec}: line 4, column 2 (y): 'four' is not a number"


def test_long_bad_cell_is_shortened(tmp_path: Path) -> None:
    spec = write(tmp_path, "x,y\n1," + "z" * 500 + "\n")
    message = load_error(spec)
    assert message == f"{spec}: line 2, column 2 (y): '{'z' * 59}…' is not a number"


@pytest.mark.parametrize("row", ["1,", " , 2", "1,  "])
def test_empty_cell(tmp_path: Path, row: str) -> None:
    spec = write(tmp_path, f"x,y\n1,2\n{row}\n")
    column = "1 (x)" if row.startswith(" ,") else "2 (y)"
    assert load_error(spec) == f"{spec}: line 3, column {column}: empty cell"


@pytest.mark.parametrize(
    ("text", "line", "found"),
    [
        ("x,y\n1,2\n\n1,2,3\n", 4, 3),
        ("x,y\n1,2\n3\n", 3, 1),
        ("x,y\n1,2\n3,4,\n", 3, 3),
        ("1,2\n3,4\n\n# c\n5,6,7\n", 5, 3),
        ('x,y\n"1",2\n1,2,"3"\n', 3, 3),
    ],
)
def test_wrong_number_of_cells(tmp_path: Path, text: str, line: int, found: int) -> None:
    spec = write(tmp_path, text)
    assert load_error(spec) == f"{spec}: line {line}: expected 2 cells, found {found}"


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_not_finite(tmp_path: Path, bad: str) -> None:
    spec = write(tmp_path, f"x,y\n1,2\n3,4\n{bad},1\n")
    assert load_error(spec) == f"{spec}: line 4, column 1 (x): {bad!r} is not a finite number"


def test_nan_in_first_row_without_header(tmp_path: Path) -> None:
    spec = write(tmp_path, "1,nan\n")
    assert load_error(spec) == f"{spec}: line 1, column 2: 'nan' is not a finite number"


@pytest.mark.parametrize("text", ["x\n1\n2\n", "1\n2\n", "x\n"])
def test_single_column(tmp_path: Path, text: str) -> None:
    spec = write(tmp_path, text)
    message = load_error(spec)
    if text == "x\n":
        assert message == f"{spec}: has a header but no data rows"
    else:
        assert message == f"{spec}: needs at least 2 columns: features and a target"


def test_not_utf8(tmp_path: Path) -> None:
    spec = write(tmp_path, b"x,y\n1,2\n\xff\xfe,3\n")
    assert load_error(spec) == f"{spec}: is not a UTF-8 text file (bad byte on line 3)"
    latin1 = write(tmp_path, "caf\u00e9,y\n1,2\n".encode("latin-1"), "latin1.csv")
    assert "is not a UTF-8 text file" in load_error(latin1)


def test_nul_bytes(tmp_path: Path) -> None:
    spec = write(tmp_path, b"x,y\n1,\x002\n")
    assert load_error(spec) == f"{spec}: is not a UTF-8 text file (it contains NUL bytes)"
    utf16 = write(tmp_path, "x,y\n1,2\n".encode("utf-16"), "utf16.csv")
    assert "is not a UTF-8 text file" in load_error(utf16)


def test_unknown_target_column(tmp_path: Path) -> None:
    spec = write(tmp_path, "a,b,y\n1,2,3\n")
    assert load_error(spec, target="z") == (
        f"{spec}: no column named 'z' for the target (columns: a, b, y)"
    )


def test_target_needs_header(tmp_path: Path) -> None:
    spec = write(tmp_path, "1,2\n3,4\n")
    assert load_error(spec, target="y") == (
        f"{spec}: --target needs a header row (the file has none)"
    )


def test_unknown_sample() -> None:
    message = load_error("no_such_sample_xyz")
    assert message.startswith("no such file or sample: 'no_such_sample_xyz' (samples: seed,")


@pytest.mark.parametrize("token", ["lr", "=1", "lr="])
def test_malformed_settings_line(tmp_path: Path, token: str) -> None:
    spec = write(tmp_path, f"# desc\n# gdstep: loss=mse {token}\nx,y\n1,2\n")
    message = load_error(spec)
    assert message == (f"{spec}: line 2: malformed gdstep setting {token!r} (expected key=value)")
    with pytest.raises(DataError, match="line 2: malformed gdstep setting"):
        read_header_comments(spec)


def test_setting_given_twice(tmp_path: Path) -> None:
    spec = write(tmp_path, "# gdstep: lr=1\n# gdstep: lr=2\nx,y\n1,2\n")
    assert load_error(spec) == f"{spec}: line 2: gdstep setting 'lr' given twice"


def test_quoted_value_over_line_end(tmp_path: Path) -> None:
    spec = write(tmp_path, 'x,y\n1,2\n3,"4\n5"\n6,7\n')
    assert load_error(spec) == f"{spec}: line 3: a quoted value runs over the end of the line"
    spec = write(tmp_path, '"x,y\n1",2\n3,4\n')
    assert load_error(spec) == f"{spec}: line 1: a quoted value runs over the end of the line"


def test_header_problems(tmp_path: Path) -> None:
    spec = write(tmp_path, "a,,y\n1,2,3\n")
    assert load_error(spec) == f"{spec}: line 1, column 2: empty column name in the header"
    spec = write(tmp_path, "# c\na,b,a\n1,2,3\n")
    assert load_error(spec) == (f"{spec}: line 2: column name 'a' appears twice (columns 1 and 3)")


def test_read_header_comments_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a directory"):
        read_header_comments(tmp_path)
    with pytest.raises(DataError, match="no such file"):
        read_header_comments(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="is not a UTF-8 text file"):
        read_header_comments(write(tmp_path, b"# \xff\n"))


def test_read_header_comments_stops_at_first_row(tmp_path: Path) -> None:
    spec = write(tmp_path, b"# hello\n# gdstep: a=b\nx,y\n\xff\xff garbage later\n")
    assert read_header_comments(spec) == ("hello", {"a": "b"})


# --------------------------------------------------------------------------- fuzzing

CSVISH = st.text(alphabet=st.sampled_from(list('0123456789.,-+eE"# \t\n\rnaifxy\ufeff')))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_random_bytes_load_or_data_error(tmp_path: Path, raw: bytes) -> None:
    spec = write(tmp_path, raw)
    try:
        ds = load(spec)
    except DataError as e:
        assert str(e)
    else:
        assert ds.x.ndim == 2 and ds.d >= 1 and ds.n >= 1 and ds.y.shape == (ds.n,)
        assert np.isfinite(ds.x).all() and np.isfinite(ds.y).all()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(CSVISH, st.booleans())
def test_random_csvish_text_load_or_data_error(tmp_path: Path, text: str, std: bool) -> None:
    spec = write(tmp_path, text)
    try:
        ds = load(spec, standardize=std)
    except DataError as e:
        assert str(e).startswith(spec) and "\n" not in str(e)
    else:
        assert ds.x.shape == (ds.n, ds.d) and ds.x.flags.c_contiguous
        assert np.isfinite(ds.x).all() and np.isfinite(ds.y).all()


@settings(max_examples=400, deadline=None)
@given(CSVISH)
@example('0","\r0')  # two quotes on the first line, yet a quoted value left open
@example(' "a" , "b"\r\n1,2\r\n')
def test_fast_split_agrees_with_csv_split(text: str) -> None:
    """The quote-free fast path must cut a file exactly as the csv module does."""

    def outcome(split: Callable[[str, str], csv_split.Split | None]) -> object:
        try:
            result = split(text, "f")
        except DataError as e:
            return str(e)
        if result is None:
            return None
        first = None if result.first is None else [c.strip() for c in result.first]
        cells = [c.strip() for c in result.cells]
        return result.leading, first, result.first_line, cells, result.lines

    fast = outcome(csv_split.split_fast)
    if fast is not None:
        assert fast == outcome(csv_split.split_csv)


# --------------------------------------------------------------------------- packaging


def test_data_module_does_not_import_textual() -> None:
    code = "import sys, tui.data; assert 'textual' not in sys.modules, 'textual imported'"
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
