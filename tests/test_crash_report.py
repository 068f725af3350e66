"""A bug inside the app: exit status 1 and one line saying where the traceback went (issue 8.1).

The app runs in a real pseudo-terminal, as a user starts it; the test script makes one panel
raise, standing in for any unexpected exception."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CRASHING = """
import sys
from tui.app.widgets.state_panel import StatePanel

def show(*args, **kwargs):
    raise RuntimeError("a bug in a panel")

StatePanel.show = show
from tui.__main__ import main
sys.exit(main(["seed"]))
"""


def run_in_terminal(script: str, env: dict[str, str], limit: float = 60.0) -> tuple[int, str]:
    """Run `python -c script` on a pseudo-terminal; its exit status and all it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        os.execve(sys.executable, [sys.executable, "-c", script], env)
    out = bytearray()
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(fd)
    if time.monotonic() >= deadline:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_a_bug_in_the_app_exits_1_with_the_traceback_in_a_file(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(tmp_path),
    }
    env.pop("GDSTEP_DEBUG", None)
    status, shown = run_in_terminal(CRASHING, env)
    assert status == 1
    [report] = (tmp_path / "gdstep").glob("crash-*.txt")
    assert f"gdstep: internal error: the app stopped; the traceback is in {report}" in shown
    assert "Traceback" not in shown and "a bug in a panel" not in shown  # only in the file
    text = report.read_text()
    assert "RuntimeError" in text and "a bug in a panel" in text and "state_panel" in text


def test_a_bug_outside_the_app_exits_1_with_the_traceback_in_a_file(tmp_path, monkeypatch, capsys):
    from tui import __main__ as cli

    def broken(argv):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("x" * 10_000)

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.delenv("GDSTEP_DEBUG", raising=False)
    monkeypatch.setattr(cli, "dispatch", broken)
    assert cli.main([]) == 1
    [line] = capsys.readouterr().err.splitlines()
    [report] = (tmp_path / "gdstep").glob("crash-*.txt")
    assert line.startswith("gdstep: internal error: ZeroDivisionError: xxx")
    assert line.endswith(f"…; the traceback is in {report}") and len(line) < 300
    assert "Traceback" in report.read_text() and "x" * 10_000 in report.read_text()
