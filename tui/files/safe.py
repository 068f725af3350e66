"""Writing files safely: a whole new file or the old one, never half of each.

`write_atomic` writes to a temporary file next to the target, flushes it to the disk and
renames it over the target in one step (`os.replace`), so a crash, a full disk or Ctrl-C in
the middle leaves the old file as it was. Problems with the path are :class:`FileError`, with
a one-line message that names the path.

This module does not import textual, so it can be used (and tested) on its own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from tui.errors import InputError
from tui.format import printable

__all__ = ["FileError", "exists_needs_confirm", "read_bytes", "write_atomic"]

DEFAULT_MODE = 0o644
"""Permission bits of a new file, before the umask."""

_REASONS = {
    errno.ENOENT: "no such directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EISDIR: "is a directory",
    errno.ENAMETOOLONG: "the file name is too long",
}


class FileError(InputError):
    """A file that cannot be written (or read): the message names the path and the problem."""


def _expand(path: str | os.PathLike[str]) -> str:
    return os.path.expanduser(os.fspath(path))


def exists_needs_confirm(path: str | os.PathLike[str]) -> bool:
    """True when `path` names an existing file, which saving would replace: ask first."""
    return os.path.isfile(_expand(path))


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def size_text(limit: int) -> str:
    """`64 MiB`, `512 KiB`: a size limit as a message names it."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if limit >= 1 << shift and limit % (1 << shift) == 0:
            return f"{limit >> shift} {unit}"
    return f"{limit:,} bytes"


def read_bytes(
    path: str | os.PathLike[str],
    label: str,
    limit: int,
    *,
    error: type[InputError] = FileError,
    missing: str = "no such file",
) -> bytes:
    """The whole of a regular file of at most `limit` bytes.

    Anything else is refused with `error` and a message naming `label` and the problem,
    before a byte is read: a FIFO, a device or a socket (which could block for ever or never
    end), a directory, a missing file, or a file larger than `limit`. The file is opened
    non-blocking, so that a FIFO with no writer cannot hold the caller up.
    """
    try:
        fd = os.open(_expand(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{label}: {missing}") from None
    except OSError as e:
        raise error(f"{label}: cannot read: {_reason(e)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{label}: is {_kind(info.st_mode)}; gdstep reads only regular files")
        if info.st_size > limit:
            raise error(f"{label}: is larger than {size_text(limit)}, the most gdstep reads")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as e:
        raise error(f"{label}: cannot read: {_reason(e)}") from None
    finally:
        os.close(fd)
    if total > limit:  # it grew while we read it
        raise error(f"{label}: is larger than {size_text(limit)}, the most gdstep reads")
    return b"".join(chunks)


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", "rb") as f,
    ):
        for line in f:
            if line.startswith(b"Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(error: OSError) -> str:
    return _REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()


def _check_target(label: str, text: str) -> str:
    """The file to write (a symlink's target, so the link stays); FileError for a bad path."""
    if not text:
        raise FileError("no file name given")
    if text.endswith(os.sep) or os.path.isdir(text):
        raise FileError(f"{label}: is a directory; give a file name")
    link = os.path.islink(text)
    target = os.path.realpath(text) if link else text
    parent = os.path.dirname(os.path.abspath(target))
    if not os.path.exists(parent):
        raise FileError(f"{label}: cannot write: the directory {parent} does not exist")
    if not os.path.isdir(parent):
        raise FileError(f"{label}: cannot write: {parent} is not a directory")
    try:
        mode = os.stat(target).st_mode
    except OSError:  # a new file (or one the rename will report on)
        return target
    if not stat.S_ISREG(mode):  # replacing it would destroy a FIFO or a device (/dev/null)
        what = f"a symlink to {printable(target)}, {_kind(mode)}" if link else _kind(mode)
        raise FileError(f"{label}: is {what}; gdstep writes only regular files")
    if not os.access(target, os.W_OK):
        raise FileError(f"{label}: cannot write: permission denied (the file is read-only)")
    return target


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` (UTF-8) to `path` all at once; returns the absolute path written.

    The text goes to a temporary file in the same directory, is flushed to the disk, and
    replaces the target with `os.replace`. On any failure, KeyboardInterrupt included, the
    temporary file is removed and the old file is left as it was. An existing file keeps its
    permission bits (and, where allowed, its owner); a new one gets 0o644 minus the umask.
    A symlink is followed: the file it points to is replaced. `~` means the home directory.
    Only a regular file (or a new name) is written: a FIFO, a device such as /dev/null, a
    socket or a directory, or a symlink to one, is refused rather than replaced. Temporary
    files that an earlier write to the same target left when it was killed are removed.

    Raises :class:`FileError` for a path that cannot be written: a missing directory, a
    directory given as the path, something other than a regular file, permission denied, a
    read-only file system, a full disk.
    """
    text_path = _expand(path)
    label = printable(text_path) or repr(os.fspath(path))
    target = _check_target(label, text_path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise FileError(
            f"{label}: cannot write: the text is not valid Unicode ({e.reason})"
        ) from None
    try:
        old = os.stat(target)
    except OSError:
        old = None
    mode = stat.S_IMODE(old.st_mode) & 0o777 if old else DEFAULT_MODE & ~_umask()
    directory = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    _remove_stale_temporaries(directory, name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(name), suffix=".tmp", dir=directory)
    except OSError as e:
        raise FileError(f"{label}: cannot write: {_reason(e)}") from None
    try:
        try:
            os.fchmod(fd, mode)
            if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):
                    os.fchown(fd, old.st_uid, old.st_gid)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise FileError(f"{label}: cannot write: {_reason(error)}") from None
        raise
    _sync_directory(directory)
    return Path(os.path.abspath(text_path))


def _temporary_prefix(name: str) -> str:
    """How the temporary files for the target `name` begin (`.out.csv.`): hidden, and short
    enough that the whole temporary name stays a valid file name."""
    return f".{name[:100]}."


STALE_AFTER = 60.0
"""Seconds after which a temporary file of ours was left by a write that died (kill -9, a
power cut): a write that is still going on keeps its file fresher than that."""


def _remove_stale_temporaries(directory: str, name: str) -> None:
    """Remove what an earlier, killed write to `name` left in `directory`: only names that
    `write_atomic` makes for this target (its prefix, tempfile's 8 random characters, .tmp)
    that are regular files, owned by us, and unchanged for STALE_AFTER seconds. Best effort:
    a file that cannot be looked at or removed is left alone."""
    pattern = re.compile(re.escape(_temporary_prefix(name)) + r"[a-z0-9_]{8}\.tmp")
    cutoff = time.time() - STALE_AFTER
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if (
                    stat.S_ISREG(info.st_mode)
                    and info.st_uid == os.geteuid()
                    and info.st_mtime < cutoff
                ):
                    os.unlink(entry.path)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (best effort: not every system can sync a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
