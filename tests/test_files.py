"""tui.files.safe: atomic writes that leave the old file whole on any failure, and clear errors."""

from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.files import safe as files
from tui.files.safe import FileError, exists_needs_confirm, write_atomic

OLD = "old,content\n1,2\n"
NEW = "new,content\n" + "3,4\n" * 10_000


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "out.csv"
    path.write_text(OLD)
    path.chmod(0o640)
    return path


def assert_untouched(path: Path) -> None:
    """The old file as it was, and nothing else in its directory (no temporary files)."""
    assert path.read_text() == OLD
    assert mode(path) == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


# ---- writing ------------------------------------------------------------------------------------


def test_writes_a_new_file_with_0644_minus_the_umask(tmp_path):
    old_mask = os.umask(0o027)
    try:
        path = write_atomic(tmp_path / "new.csv", NEW)
    finally:
        os.umask(old_mask)
    assert path == tmp_path / "new.csv" and path.is_absolute()
    assert path.read_text() == NEW
    assert mode(path) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["new.csv"]


def test_a_new_file_with_the_usual_umask_is_0644(tmp_path):
    old_mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.csv", "x\n")
    finally:
        os.umask(old_mask)
    assert mode(tmp_path / "new.csv") == 0o644


def test_the_umask_is_read_without_a_proc_file_too(tmp_path, monkeypatch):
    real_open = open

    def no_proc(file, *args, **kwargs):
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(errno.ENOENT, "no /proc", file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_proc)
    old_mask = os.umask(0o077)
    try:
        write_atomic(tmp_path / "new.csv", "x\n")
        assert os.umask(0o077) == 0o077  # left as it was
    finally:
        os.umask(old_mask)
    assert mode(tmp_path / "new.csv") == 0o600


@pytest.mark.parametrize("bits", [0o600, 0o640, 0o664, 0o755])
def test_replacing_keeps_the_permission_bits(tmp_path, bits):
    path = tmp_path / "out.csv"
    path.write_text(OLD)
    path.chmod(bits)
    write_atomic(path, NEW)
    assert path.read_text() == NEW
    assert mode(path) == bits
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_the_text_is_written_byte_for_byte(tmp_path):
    text = "θ,η\r\nlone CR\r tab\t ünïcödé 🙂\n\n"
    path = write_atomic(tmp_path / "t.txt", text)
    assert path.read_bytes() == text.encode("utf-8")


def test_an_empty_text_gives_an_empty_file(tmp_path, old_file):
    write_atomic(old_file, "")
    assert old_file.read_bytes() == b""


@settings(max_examples=50)
@given(st.text())
def test_any_text_round_trips(text):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "f"
        path.write_text("before")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            with pytest.raises(FileError, match="not valid Unicode"):
                write_atomic(path, text)
            assert path.read_text() == "before"
        else:
            write_atomic(path, text)
            assert path.read_bytes() == text.encode("utf-8")
        assert os.listdir(directory) == ["f"]


def test_a_symlink_is_followed_and_kept(tmp_path, old_file):
    link = tmp_path / "link.csv"
    link.symlink_to(old_file.name)
    write_atomic(link, NEW)
    assert link.is_symlink()
    assert old_file.read_text() == NEW
    assert mode(old_file) == 0o640


def test_a_tilde_means_the_home_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = write_atomic("~/saved.json", "{}\n")
    assert path == tmp_path / "saved.json"
    assert (tmp_path / "saved.json").read_text() == "{}\n"
    assert exists_needs_confirm("~/saved.json")


def test_a_long_file_name_is_not_made_too_long_by_the_temporary_name(tmp_path):
    name = "n" * 250
    write_atomic(tmp_path / name, "x")
    assert (tmp_path / name).read_text() == "x"


def test_a_relative_path_is_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_atomic("rel.csv", "x\n")
    assert path == tmp_path / "rel.csv" and path.read_text() == "x\n"


# ---- failures leave the old file ----------------------------------------------------------------


@pytest.mark.parametrize("interrupt", [False, True], ids=["OSError", "KeyboardInterrupt"])
@pytest.mark.parametrize("where", ["write", "fsync", "fchmod", "close", "replace"])
def test_a_failure_midway_leaves_the_old_file_and_no_temporary_file(
    old_file, monkeypatch, where, interrupt
):
    real = getattr(os, where)
    calls = []

    def boom(*args):
        calls.append(args)
        if where == "write":  # the first half reaches the temporary file
            real(args[0], bytes(args[1][: len(args[1]) // 2]))
        elif where == "close":  # the descriptor really closes, then the error comes
            real(*args)
        if interrupt:
            raise KeyboardInterrupt
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, where, boom)
    expected = KeyboardInterrupt if interrupt else FileError
    with pytest.raises(expected) as info:
        write_atomic(old_file, NEW)
    monkeypatch.undo()
    assert calls
    if not interrupt:
        assert str(info.value) == f"{old_file}: cannot write: input/output error"
    assert_untouched(old_file)


def test_a_full_disk_midway_is_a_clear_error(old_file, monkeypatch):
    real_write = os.write

    def half(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(FileError, match=r"out\.csv: cannot write: no space left on the device$"):
        write_atomic(old_file, NEW)
    monkeypatch.undo()
    assert_untouched(old_file)


def test_short_writes_are_continued(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    path = write_atomic(tmp_path / "f", NEW)
    monkeypatch.undo()
    assert path.read_text() == NEW


def test_the_temporary_file_is_in_the_same_directory_and_flushed_before_the_rename(
    old_file, monkeypatch
):
    seen = {}
    real_replace, real_fsync = os.replace, os.fsync
    synced = []

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if Path("/proc/self").exists() else fd)
        real_fsync(fd)

    def replace(src, dst):
        seen["src"], seen["dst"] = Path(src), Path(dst)
        seen["content"] = Path(src).read_text()
        seen["synced_before"] = list(synced)
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(old_file, NEW)
    monkeypatch.undo()
    assert seen["src"].parent == old_file.parent and seen["dst"] == old_file
    assert seen["src"].name.startswith(".out.csv.") and seen["src"].name.endswith(".tmp")
    assert seen["content"] == NEW
    assert seen["synced_before"]
    assert old_file.read_text() == NEW


# ---- bad paths ----------------------------------------------------------------------------------


def test_a_missing_directory(tmp_path):
    path = tmp_path / "no" / "such" / "out.csv"
    with pytest.raises(FileError) as info:
        write_atomic(path, "x")
    assert str(info.value) == (
        f"{path}: cannot write: the directory {tmp_path / 'no' / 'such'} does not exist"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_file_where_a_directory_should_be(tmp_path, old_file):
    path = old_file / "out.csv"
    with pytest.raises(FileError, match=f"cannot write: {old_file} is not a directory"):
        write_atomic(path, "x")
    assert_untouched(old_file)


@pytest.mark.parametrize("suffix", ["", "/"])
def test_a_directory_given_as_the_path(tmp_path, suffix):
    (tmp_path / "d").mkdir()
    path = f"{tmp_path / 'd'}{suffix}"
    with pytest.raises(FileError) as info:
        write_atomic(path, "x")
    assert str(info.value) == f"{path}: is a directory; give a file name"
    assert [p.name for p in (tmp_path / "d").iterdir()] == []


def test_a_name_ending_in_a_slash_is_a_directory_name(tmp_path):
    with pytest.raises(FileError, match="is a directory; give a file name"):
        write_atomic(f"{tmp_path}/new/", "x")


def test_an_empty_path():
    with pytest.raises(FileError, match="^no file name given$"):
        write_atomic("", "x")


def test_permission_denied_for_the_directory(old_file, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(FileError) as info:
        write_atomic(old_file, NEW)
    assert str(info.value) == f"{old_file}: cannot write: permission denied"
    monkeypatch.undo()
    assert_untouched(old_file)


def test_a_read_only_file_is_not_replaced(old_file, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m, **kw: False if Path(p) == old_file else real_access(p, m)
    )
    with pytest.raises(FileError) as info:
        write_atomic(old_file, NEW)
    assert str(info.value) == (
        f"{old_file}: cannot write: permission denied (the file is read-only)"
    )
    monkeypatch.undo()
    assert_untouched(old_file)


@pytest.mark.parametrize("where", ["mkstemp", "replace"])
def test_a_read_only_file_system(old_file, monkeypatch, where):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile if where == "mkstemp" else os, where, read_only)
    with pytest.raises(FileError) as info:
        write_atomic(old_file, NEW)
    assert str(info.value) == f"{old_file}: cannot write: read-only file system"
    monkeypatch.undo()
    assert_untouched(old_file)


def special_file(tmp_path: Path, kind: str) -> tuple[str, str]:
    """A path of `kind` (a FIFO, a socket, a device) and how the message names it."""
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
        return str(path), "a FIFO (named pipe)"
    if kind == "socket":
        path = tmp_path / "sock"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
        return str(path), "a socket"
    return device(tmp_path), "a character device"


def device(tmp_path: Path) -> str:
    """A character device the test may lose: a node like /dev/null's in tmp_path. Never
    /dev/null itself where it could be replaced: a write_atomic without the check would
    rename a regular file over it (that happened as root)."""
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:  # not root: then /dev/null cannot be replaced either
        assert not os.access("/dev", os.W_OK)
        return "/dev/null"
    return str(path)


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_a_fifo_a_socket_or_a_device_is_refused_not_replaced(tmp_path, kind):
    path, what = special_file(tmp_path, kind)
    before = os.stat(path)
    with pytest.raises(FileError) as info:
        write_atomic(path, NEW)
    assert str(info.value) == f"{path}: is {what}; gdstep writes only regular files"
    after = os.stat(path)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_a_symlink_to_a_fifo_a_socket_or_a_device_is_refused(tmp_path, kind):
    target, what = special_file(tmp_path, kind)
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    with pytest.raises(FileError) as info:
        write_atomic(link, NEW)
    assert str(info.value) == (
        f"{link}: is a symlink to {target}, {what}; gdstep writes only regular files"
    )
    assert link.is_symlink() and os.readlink(link) == target
    assert stat.S_IFMT(os.stat(target).st_mode) != stat.S_IFREG


def test_a_symlink_to_a_directory_is_a_directory(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "d")
    with pytest.raises(FileError, match="link: is a directory; give a file name$"):
        write_atomic(tmp_path / "link", NEW)
    assert list((tmp_path / "d").iterdir()) == []


# ---- what a killed write left behind -------------------------------------------------------------

KILLED_WRITE = """
import os, signal, sys
from tui.files.safe import write_atomic
os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)
write_atomic(sys.argv[1], "half done")
"""


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_a_write_killed_midway_leaves_a_temporary_file_the_next_write_removes(old_file):
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(old_file)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL
    [left] = leftovers(old_file.parent)
    assert left.startswith(".out.csv.") and (old_file.parent / left).read_text() == "half done"
    write_atomic(old_file, NEW)  # a write at once after: the leftover might be a live write
    assert leftovers(old_file.parent) == [left]
    age(old_file.parent / left, files.STALE_AFTER + 1)
    write_atomic(old_file, NEW)
    assert leftovers(old_file.parent) == []
    assert old_file.read_text() == NEW


def test_only_our_own_stale_temporary_files_for_that_target_are_removed(
    tmp_path, old_file, monkeypatch
):
    stale = files.STALE_AFTER + 1
    ours = tmp_path / ".out.csv.ab_cd123.tmp"
    kept = {
        ".out.csv.fresh123.tmp": 0,  # a write going on now
        ".other.csv.abcd1234.tmp": stale,  # another target's
        ".out.csv.abcd123.tmp": stale,  # not the pattern: 7 random characters
        ".out.csv.abcd12345.tmp": stale,  # 9
        ".out.csv.ABCD1234.tmp": stale,  # not tempfile's characters
        "out.csv.abcd1234.tmp": stale,  # not hidden
        ".out.csv.abcd1234.tmp.bak": stale,
        ".out.csv.abcd1234.temp": stale,
    }
    for name, seconds in {ours.name: stale, **kept}.items():
        (tmp_path / name).write_text("x")
        age(tmp_path / name, seconds)
    (tmp_path / ".out.csv.dir12345.tmp").mkdir()  # a directory, not a file of ours
    (tmp_path / ".out.csv.link1234.tmp").symlink_to(tmp_path / "elsewhere")
    age(tmp_path / ".out.csv.dir12345.tmp", stale)
    age(tmp_path / ".out.csv.link1234.tmp", stale)
    (tmp_path / "elsewhere").write_text("keep me")
    write_atomic(old_file, NEW)
    names = {p.name for p in tmp_path.iterdir()}
    assert ours.name not in names
    assert names == {
        "out.csv",
        "elsewhere",
        ".out.csv.dir12345.tmp",
        ".out.csv.link1234.tmp",
        *kept,
    }
    assert (tmp_path / "elsewhere").read_text() == "keep me"
    for name in kept:
        assert (tmp_path / name).read_text() == "x"


def test_a_stale_temporary_file_of_another_user_is_left(tmp_path, old_file, monkeypatch):
    theirs = tmp_path / ".out.csv.abcd1234.tmp"
    theirs.write_text("x")
    age(theirs, files.STALE_AFTER + 1)
    monkeypatch.setattr(os, "geteuid", lambda: theirs.stat().st_uid + 1)
    write_atomic(old_file, NEW)
    monkeypatch.undo()
    assert theirs.read_text() == "x"
    write_atomic(old_file, NEW)
    assert not theirs.exists()


def test_file_error_is_a_value_error_for_callers_that_catch_bad_input():
    assert issubclass(FileError, ValueError)
    assert files.__all__ == ["FileError", "exists_needs_confirm", "read_bytes", "write_atomic"]


# ---- asking before replacing --------------------------------------------------------------------


def test_exists_needs_confirm(tmp_path, old_file):
    (tmp_path / "d").mkdir()
    assert exists_needs_confirm(old_file) is True
    assert exists_needs_confirm(str(old_file)) is True
    assert exists_needs_confirm(tmp_path / "d") is False
    assert exists_needs_confirm(tmp_path / "missing.csv") is False
    assert exists_needs_confirm(tmp_path / "missing" / "x.csv") is False
    assert exists_needs_confirm("") is False
