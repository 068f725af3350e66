"""Reading data files safely: only regular files up to a limit, never blocking; text from the
file escaped before it can reach a terminal; messages that name the line and the column."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tui import data
from tui.config import ConfigError, make_config
from tui.data import DataError, Dataset, load, read_header_comments, reader
from tui.engine.session import Config, Session
from tui.files import sessionfile


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ---- only regular files, never blocking -----------------------------------------------------


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # no writer: opening it to read would wait for one for ever
    message = "is a FIFO (named pipe); gdstep reads only regular files"
    assert error_of(load, str(fifo)) == f"{fifo}: {message}"
    assert error_of(read_header_comments, fifo) == f"{fifo}: {message}"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_refused_at_once(device: str) -> None:
    assert (
        error_of(load, device)
        == f"{device}: is a character device; gdstep reads only regular files"
    )
    assert "character device" in error_of(read_header_comments, device)


def test_the_size_limit_is_named(tmp_path: Path, monkeypatch) -> None:
    assert data.DATA_LIMIT == 512 << 20
    spec = write(tmp_path, "x,y\n1,0\n2,1\n")
    monkeypatch.setattr(reader, "DATA_LIMIT", 8)
    assert error_of(load, spec) == f"{spec}: is larger than 8 bytes, the most gdstep reads"
    assert "larger than 8 bytes" in error_of(read_header_comments, spec)


def test_a_session_whose_data_became_a_fifo_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path, "x,y\n1,0\n2,1\n")
    session = Session(load(spec).x, load(spec).y, Config())
    saved = tmp_path / "run.gdstep"
    sessionfile.save(saved, session, spec, None, False)
    os.unlink(spec)
    os.mkfifo(spec)
    with pytest.raises(sessionfile.SessionFileError, match="FIFO"):
        sessionfile.restore(sessionfile.load(saved))


# ---- control characters never reach the terminal -----------------------------------------------

PWN = "\x1b]0;pwned\x07"


def test_description_and_names_are_printable(tmp_path: Path) -> None:
    spec = write(tmp_path, f"# about {PWN}\nlen{PWN},y\n1,0\n2,1\n")
    ds = load(spec, standardize=True)
    assert ds.description == "about \\x1b]0;pwned\\x07"
    assert ds.features == ("len\\x1b]0;pwned\\x07",)
    assert ds.standardization is not None and ds.standardization.names == ds.features
    assert all("\x1b" not in note and "\x07" not in note for note in ds.warnings)
    assert read_header_comments(spec)[0] == ds.description
    target = load(spec, target="y")
    assert target.features == ds.features and target.target == "y"


def test_the_target_name_and_the_file_name_are_printable(tmp_path: Path) -> None:
    spec = write(tmp_path, f"x,t{PWN}\n1,0\n2,3\n", name=f"f{PWN}.csv")
    ds = load(spec)
    assert ds.target == "t\\x1b]0;pwned\\x07" and "\x1b" not in ds.name
    assert all(text.isprintable() for text in ds.warnings)


@pytest.mark.parametrize(
    "text",
    [
        f"x,y\n1,0\n2,{PWN}\n",  # a cell that is not a number
        f"x,y{PWN}\n1,0\n2,z\n",  # a header name in the column's name
        f"# gdstep: lr{PWN}\nx,y\n1,0\n",  # a malformed setting
        f"a,{PWN},{PWN}\n1,2,3\n",  # a column name given twice
    ],
)
def test_messages_escape_control_characters(tmp_path: Path, text: str) -> None:
    message = error_of(load, write(tmp_path, text))
    assert message.isprintable() and "\\x1b" in message


def test_an_unknown_target_and_the_columns_are_escaped_and_shortened(tmp_path: Path) -> None:
    names = [f"c{j}{PWN}" for j in range(30)]
    spec = write(tmp_path, ",".join(names) + "\n" + ",".join("1" * 30) + "\n")
    message = error_of(load, spec, target=f"t{PWN}" + "z" * 500)
    assert message.isprintable() and len(message) < 600
    assert "… (30 in all)" in message and "z" * 60 not in message


def test_a_setting_with_a_control_character_is_quoted_in_the_config_error(tmp_path: Path) -> None:
    ds = load(write(tmp_path, f"# gdstep: lr=1{PWN}\nx,y\n1,0\n"))
    with pytest.raises(ConfigError) as info:
        make_config(ds, {})
    assert str(info.value).isprintable() and "\\x1b" in str(info.value)


# ---- targets outside [0, 1]: the file's line and column, no numpy reprs -------------------------


def test_bce_names_the_line_and_column_of_a_target_outside_0_1(tmp_path: Path) -> None:
    spec = write(tmp_path, "# comment\nx,y\n\n1,0\n# middle\n2,2\n3,5\n4,1\n")
    ds = load(spec)
    assert ds.lines.tolist() == [4, 6, 7, 8]
    with pytest.raises(ConfigError) as info:
        make_config(ds, {"loss": "bce"})
    assert str(info.value) == (
        f"{spec}: line 6, column 2 (y): 2.0 is outside [0, 1] (and 1 more target); "
        "--loss bce needs every target in [0, 1]"
    )
    assert ds.warnings == (
        f"{spec}: line 6, column 2 (y): 2.0 is outside [0, 1] (and 1 more target), which σ "
        "never reaches: the loss cannot go to 0",
    )


def test_the_target_column_is_where_the_file_has_it(tmp_path: Path) -> None:
    spec = write(tmp_path, "y,x\n-0.5,1\n1,2\n")
    ds = load(spec, target="y")
    assert ds.targets_outside() == f"{spec}: line 2, column 1 (y): -0.5 is outside [0, 1]"
    no_header = load(write(tmp_path, "1,0\n2,1.0000000000000002\n", "plain.csv"))
    assert no_header.targets_outside() == (
        f"{no_header.name}: line 2, column 2: 1.0000000000000002 is outside [0, 1]"
    )


def test_no_numpy_repr_in_messages(tmp_path: Path) -> None:
    ds = load(write(tmp_path, "x,y\n1,0\n2,3\n"))
    with pytest.raises(ConfigError) as info:
        make_config(ds, {"loss": "bce"})
    assert "np." not in str(info.value) and "3.0 is outside" in str(info.value)


def test_a_dataset_made_in_memory_names_the_row() -> None:
    ds = Dataset("mem", Path("mem.csv"), np.ones((2, 1)), np.array([0.0, 7.0]),
                 ("x",), "y", "", {}, False)  # fmt: skip
    assert ds.targets_outside() == "mem: row 2, target y: 7.0 is outside [0, 1]"
