"""The command: traces, samples, and every bad input of the engine issue. The real command in a
subprocess where the process matters (exit status, encodings, a terminal, a pipe); the rest calls
its `main` in this process (`here`), which is what the command runs, without starting Python."""

from __future__ import annotations

import importlib.metadata
import json
import os
import pty
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import tui
from tests import reference
from tui import data
from tui.__main__ import main
from tui.config import ConfigError, make_config

ROOT = Path(__file__).resolve().parents[1]


def gdstep(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GDSTEP_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def here(capsys, monkeypatch):  # type: ignore[no-untyped-def]
    """`gdstep ARGS` as `main(ARGS)` in this process: its exit status and what it printed."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GDSTEP_DEBUG", raising=False)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def rows(stdout: str) -> tuple[list[str], np.ndarray]:
    lines = stdout.strip().splitlines()
    return lines[0].split(","), np.array(
        [[float(v) for v in line.split(",")] for line in lines[1:]]
    )


# ---- traces -------------------------------------------------------------------------------------


def test_trace_plateau_gives_the_worked_numbers_exactly():
    result = gdstep("trace", "plateau", "--steps", "1000", "--every", "100")
    assert result.returncode == 0, result.stderr
    header, table = rows(result.stdout)
    assert header == ["step", "w", "b", "loss", "dw", "db"]
    assert table[:, 0].tolist() == list(range(0, 1001, 100))
    assert table[0, 1:].tolist()[:3] == [-2.0, -2.0, 0.4158199010199929]
    assert round(table[0, 4], 7) == -0.0054923 and round(table[0, 5], 7) == -0.0077112
    assert round(table[1, 3], 3) == 0.018  # step 100
    assert table[-1, 3] == pytest.approx(2.4e-11, rel=0.05)


def test_trace_prints_exact_doubles_that_match_the_reference():
    result = gdstep("trace", "hours", "--steps", "30", "--optimizer", "adam", "--lr", "0.1")
    assert result.returncode == 0, result.stderr
    _, table = rows(result.stdout)
    ds = data.load("hours")
    expected = reference.run(ds.x, ds.y, loss="bce", optimizer="adam", lr=0.1, steps=30)
    for t, (theta, loss, g) in enumerate(expected):
        np.testing.assert_allclose(table[t, 1:3], theta, rtol=1e-12)
        assert table[t, 3] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(table[t, 4:6], g, rtol=1e-10, atol=1e-15)
    # repr round-trips: the text is the exact double.
    line = result.stdout.splitlines()[5].split(",")
    assert all(repr(float(v)) == v for v in line[1:])


def test_trace_with_several_features_names_the_columns(here):
    result = here("trace", "iris", "--steps", "3", "--w0", "0.5,-0.5")
    assert result.returncode == 0, result.stderr
    header, table = rows(result.stdout)
    assert header == ["step", "w1", "w2", "b", "loss", "dw1", "dw2", "db"]
    assert table[0, 1:4].tolist() == [0.5, -0.5, 0.0]


def test_trace_jsonl_has_the_same_keys_and_values(here):
    csv = here("trace", "seed", "--steps", "5")
    jsonl = here("trace", "seed", "--steps", "5", "--format", "jsonl")
    header, table = rows(csv.stdout)
    objects = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [list(o) for o in objects] == [header] * 6
    assert [[o[k] for k in header] for o in objects] == table.tolist()


def test_every_keeps_the_multiples_and_the_last_row(here):
    result = here("trace", "seed", "--steps", "10", "--every", "4")
    assert rows(result.stdout)[1][:, 0].tolist() == [0, 4, 8, 10]


def test_samples_settings_apply_and_options_override_them(here):
    result = here("trace", "plateau", "--steps", "1", "--lr", "2", "--b0", "1")
    _, table = rows(result.stdout)
    assert table[0, 1:3].tolist() == [-2.0, 1.0]
    assert table[1, 1] == pytest.approx(-2.0 - 2.0 * table[0, 4], rel=1e-15)


def test_defaults_without_a_sample_line(tmp_path, here):
    path = tmp_path / "plain.csv"
    path.write_text("x,y\n1,0.5\n2,0.7\n")
    result = here("trace", str(path))
    _, table = rows(result.stdout)
    assert len(table) == 101 and table[0, 1:3].tolist() == [0.0, 0.0]
    assert table[1, 1] == -1.0 * table[0, 4]  # η = 1, mse, mean


def test_divergence_prints_rows_up_to_it_and_exits_3():
    result = gdstep("trace", "hours", "--lr", "1e308", "--steps", "50")
    assert result.returncode == 3
    _, table = rows(result.stdout)
    last = table[-1]
    assert not np.isfinite(last[1:4]).all() and np.isfinite(table[:-1, 1:4]).all()
    assert f"diverged at step {int(last[0])}" in result.stderr and "1e+308" in result.stderr


def test_standardize_says_so(here):
    result = here("trace", "cancer", "--standardize", "--lr", "1", "--steps", "2")
    assert result.returncode == 0
    assert "standardized 30 features of cancer: mean_radius m = 14.12729" in result.stderr


def test_standardize_names_m_and_s_and_ends_with_the_model_in_the_files_units(here):
    result = here("trace", "iris", "--standardize", "--steps", "5")
    assert result.returncode == 0, result.stderr
    first, last = result.stderr.splitlines()
    raw = data.load("iris")
    m, s = raw.x.mean(axis=0), raw.x.std(axis=0)
    assert first.startswith("gdstep: standardized 2 features of iris: petal_length m = 4.906")
    numbers = [float(v) for v in re.findall(r"= (\S+?)[,;]?(?= |$)", first)]
    np.testing.assert_allclose(numbers, [m[0], s[0], m[1], s[1]], rtol=4e-15)
    names, table = rows(result.stdout)
    w_unit, b_unit = table[-1, 1:3], table[-1, 3]
    assert last.startswith("gdstep: at step 5 in the file's own units: petal_length w = ")
    w1, w2, b = (float(v) for v in re.findall(r"= (\S+?)[,;]?(?= |$)", last))
    z_file = raw.x @ [w1, w2] + b
    z_unit = ((raw.x - m) / s) @ w_unit + b_unit
    np.testing.assert_allclose(z_file, z_unit, rtol=1e-13, atol=1e-13)


def test_version():
    result = gdstep("--version")
    assert result.returncode == 0 and result.stdout == "gdstep 0.1.0\n"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]  # written once, in tui/__init__.py
    assert pyproject["tool"]["hatch"]["version"]["path"] == "tui/__init__.py"
    assert importlib.metadata.version("gdstep") == tui.__version__ == "0.1.0"


def ascii_gdstep(*args: str) -> subprocess.CompletedProcess[str]:
    """gdstep where stdout and stderr can only encode ASCII (the C locale)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C", "PYTHONUTF8": "0"}
    env.update(PYTHONCOERCECLOCALE="0")
    for name in ("GDSTEP_DEBUG", "PYTHONIOENCODING", "LANG", "LC_CTYPE"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        encoding="ascii",
        cwd=ROOT,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("args", [["--help"], ["trace", "--help"]])
def test_help_in_an_ascii_locale_spells_greek_out(args):
    result = ascii_gdstep(*args)
    assert result.returncode == 0, result.stderr
    assert "learning rate eta" in result.stdout and result.stderr == ""
    assert "usage: gdstep" in result.stdout


def test_messages_in_an_ascii_locale_spell_greek_out(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,0\n2,3\n")
    warned = ascii_gdstep("trace", str(path), "--steps", "1")
    assert warned.returncode == 0 and "which sigma never reaches" in warned.stderr
    diverged = ascii_gdstep("trace", "hours", "--lr", "1e308", "--steps", "50")
    assert diverged.returncode == 3 and "with eta = 1e+308" in diverged.stderr
    assert "Traceback" not in warned.stderr + diverged.stderr


def test_a_fifo_as_data_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert_refused(gdstep("trace", str(fifo)), "is a FIFO (named pipe)")
    assert_refused(gdstep("trace", "/dev/zero"), "is a character device")


def test_samples_lists_every_sample():
    result = gdstep("samples")
    assert result.returncode == 0
    for name in ("seed", "plateau", "hours", "iris", "cancer"):
        assert any(line.split()[0] == name for line in result.stdout.splitlines())
    assert "    5         1" in result.stdout.splitlines()[1]


def test_help_lists_the_commands():
    result = gdstep("--help")
    assert result.returncode == 0
    assert "gdstep trace DATA" in result.stdout and "gdstep samples" in result.stdout
    assert "--lr" in result.stdout and "--optimizer" in result.stdout


# ---- bad input: one line on stderr, exit 2, no traceback -----------------------------------------

BAD_FILES = {
    "empty.csv": (b"", "has no data rows"),
    "header_only.csv": (b"x,y\n", "has a header but no data rows"),
    "word.csv": (b"x,y\n1,0\n2,abc\n", "line 3, column 2 (y)"),
    "missing.csv": (b"x,y\n1,0\n2,\n", "line 3"),
    "short.csv": (b"x,y\n1,0\n2\n", "line 3"),
    "nan.csv": (b"x,y\n1,0\nnan,1\n", "not a finite number"),
    "inf.csv": (b"x,y\n1,0\n2,-inf\n", "not a finite number"),
    "one_column.csv": (b"x\n1\n2\n", "at least 2 columns"),
    "binary.csv": (bytes(range(256)) * 4, "UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files(tmp_path, name, here):
    content, expected = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = here("trace", str(path))
    assert_refused(result, expected)
    assert name in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["trace", "no/such/file.csv"], "no such file or sample"),
        (["trace", "nosuchsample"], "no such file or sample"),
        (["trace", "tests"], "is a directory"),
        (["trace", "seed", "--target", "nope"], "nope"),
        (["trace", "seed", "--optimizer", "lbfgs"], "--optimizer must be one of"),
        (["trace", "seed", "--loss", "hinge"], "--loss must be one of"),
        (["trace", "seed", "--reduction", "max"], "--reduction must be one of"),
        (["trace", "seed", "--lr", "abc"], "--lr must be a number"),
        (["trace", "seed", "--lr", "0"], "--lr must be a finite number > 0"),
        (["trace", "seed", "--lr", "-1"], "--lr must be a finite number > 0"),
        (["trace", "seed", "--lr", "nan"], "--lr must be a finite number"),
        (["trace", "seed", "--lr", "inf"], "--lr must be a finite number"),
        (["trace", "seed", "--steps", "-1"], "--steps must be at least 0"),
        (["trace", "seed", "--steps", "ten"], "--steps must be a whole number"),
        (["trace", "iris", "--w0", "1,2,3"], "--w0 needs 1 number or 2"),
        (
            ["trace", "seed", "--optimizer", "minibatch", "--batch-size", "0"],
            "--batch-size must be at least 1",
        ),
        (["trace", "seed", "--optimizer", "minibatch"], "needs --batch-size"),
        (["trace", "seed", "--every", "0"], "--every must be at least 1"),
        (["trace", "seed", "--format", "xml"], "invalid choice"),
        (["trace", "seed", "--bogus"], "unrecognized arguments"),
        (["trace"], "DATA"),
        (["nosuchsample"], "no such file or sample"),
        (["seed", "--lr", "-3"], "--lr must be a finite number > 0"),
    ],
)
def test_bad_options(args, expected, here):
    assert_refused(here(*args), expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["trace", "seed", "--lr", "abc"], "--lr must be a number"),  # tui.config
        (["trace", "seed", "--format", "xml"], "invalid choice"),  # argparse
        (["nosuchsample"], "no such file or sample"),  # the app's command line
    ],
)
def test_bad_options_in_the_real_command(args, expected):
    assert_refused(gdstep(*args), expected)


def test_bce_needs_targets_in_0_1(tmp_path, here):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,0\n2,3\n")
    result = here("trace", str(path), "--loss", "bce")
    assert_refused(result, "--loss bce needs every target in [0, 1]")
    assert f"{path}: line 3, column 2 (y): 3.0 is outside [0, 1];" in result.stderr
    ok = here("trace", str(path), "--steps", "1")
    assert ok.returncode == 0
    assert ok.stderr == (
        f"gdstep: {path}: line 3, column 2 (y): 3.0 is outside [0, 1], which σ never reaches: "
        "the loss cannot go to 0\n"
    )


def assert_refused(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdstep: error: "), result.stderr
    assert expected in lines[0], lines[0]


# ---- unusual but valid input -------------------------------------------------------------------


def test_bom_crlf_blank_lines_spaces_and_quotes_just_work(tmp_path, here):
    path = tmp_path / "odd.csv"
    path.write_bytes(b'\xef\xbb\xbf# a comment\r\n"x" , "y"\r\n\r\n 0.5 , 0.2 \r\n2.5,0.9')
    result = here("trace", str(path), "--steps", "1", "--w0=-2", "--b0=-2", "--reduction", "sum")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("0,-2.0,-2.0,0.4158199010199929,")


def test_negative_numbers_after_an_option_need_no_equals_sign(here):
    result = here("trace", "iris", "--steps", "0", "--w0", "-1,-2", "--b0", "-3")
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)[1][0, 1:4].tolist() == [-1.0, -2.0, -3.0]


def test_a_closed_pipe_is_quiet():
    proc = subprocess.run(
        f"{sys.executable} -m tui trace plateau --steps 200000 | head -2",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert proc.stdout.splitlines()[0] == "step,w,b,loss,dw,db"
    assert proc.stderr == ""


# ---- breakpoints and watches ---------------------------------------------------------------


def test_break_stops_at_the_first_step_where_it_holds(here):
    result = here("trace", "hours", "--break", "loss < 0.41", "--steps", "5000")
    assert result.returncode == 0, result.stderr
    _, table = rows(result.stdout)
    losses = table[:, 3]
    assert losses[-1] < 0.41 and (losses[1:-1] >= 0.41).all()
    assert int(table[-1, 0]) == len(table) - 1
    assert f"stopped at step {len(table) - 1}: breakpoint 'loss < 0.41' holds" in result.stderr


def test_watches_add_one_column_each(here):
    result = here("trace", "plateau", "--steps", "4", "--watch", "dloss", "--watch", "dloss < 0")
    header, *lines = result.stdout.splitlines()
    assert header == "step,w,b,loss,dw,db,dloss,dloss < 0"
    cells = [line.split(",") for line in lines]
    assert cells[0][6] == "nan" and cells[0][7] == "false"
    for before, after in zip(cells, cells[1:], strict=False):
        assert float(after[6]) == float(after[3]) - float(before[3])
        assert after[7] == "true"


def test_a_bad_expression_points_at_the_problem(here):
    result = here("trace", "seed", "--break", "__import__('os').system('echo hi')")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is not allowed at column 1" in result.stderr and "hi\n" not in result.stdout


def test_the_app_without_a_terminal_says_so():
    result = gdstep("seed")
    assert_refused(result, "the debugger needs a terminal")


def test_the_app_with_stderr_redirected_says_where_it_draws():
    terminal, other_end = pty.openpty()  # a terminal for stdin, stderr to a pipe
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tui", "seed"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
            stdin=other_end,
        )
    finally:
        os.close(terminal)
        os.close(other_end)
    assert_refused(result, "the debugger draws on stderr, which is redirected here")


def test_reopening_a_long_session_says_it_is_replaying(tmp_path):
    from tui import data
    from tui.config import make_config
    from tui.engine.session import Session
    from tui.files.sessionfile import save

    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    session = Session(dataset.x, dataset.y, config)
    session.step(12_000)
    path = save(tmp_path / "long.json", session, "seed", None, False)
    result = gdstep("--session", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    notice, error = result.stderr.strip().splitlines()
    assert notice == f"gdstep: replaying 12,000 steps to reopen {path} …"
    assert error.startswith("gdstep: error: the debugger needs a terminal")


def test_a_saved_session_that_is_corrupt_is_refused(tmp_path, here):
    bad = tmp_path / "s.json"
    bad.write_text("{not json")
    assert_refused(here("--session", str(bad)), "not a gdstep session file")


@pytest.mark.parametrize(
    ("text", "value"),
    [("10^30", 10**30), ("10**30", 10**30), ("1e30", 10**30), ("2.5e3", 2500), ("1E3", 1000)],
)
def test_a_step_count_can_be_typed_as_a_power(text, value):
    _, steps = make_config(data.load("seed"), {"steps": text})
    assert steps == value and type(steps) is int


@pytest.mark.parametrize("text", ["1.5", "1e-3", "10^-3", "10^5000", "nan", "ten"])
def test_a_step_count_that_is_not_whole_is_refused_with_examples(text):
    with pytest.raises(ConfigError, match=r"--steps must be a whole number \(such as 1000, 1e6"):
        make_config(data.load("seed"), {"steps": text})


def test_trace_steps_10_to_the_3_and_every_1e2(here):
    result = here("trace", "plateau", "--steps", "10^3", "--every", "1e2")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 11  # the header, steps 0, 100, …, 1000
