"""`gdstep serve` in a real browser: the system's Chromium, headless, driven by Playwright.

WebGL is off, so xterm.js draws the terminal as DOM text, which the test reads. Every request
that is not to the gdstep server is refused: the page must work offline. Run it with
`python -m pytest tests/test_serve_browser.py` after `apt-get install chromium` (Debian);
where no Chromium can be found it is skipped, saying so (.ci/run installs it)."""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Download, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = os.environ.get("GDSTEP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"no Chromium at {CHROMIUM}: the browser test drives the system's Chromium "
    "(Debian: apt-get install chromium; elsewhere set GDSTEP_CHROMIUM to its path)",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-webgl",
    "--disable-3d-apis",
]
"""Headless, offline, and without WebGL (so that xterm.js renders to the DOM)."""

WAIT = 60.0
"""Seconds after which a wait for the page fails the test (it only bounds a hang)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A running `gdstep serve` and the directory it runs in (which must stay empty)."""

    process: subprocess.Popen[str]
    url: str
    workdir: Path

    def app_processes(self, shells_too: bool = False) -> list[int]:
        """The apps of this server (their command names its data directory), and with
        `shells_too` the shells that textual-serve starts them with."""
        mark = str(self.workdir / "class").encode()
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            app = command[:3] == [sys.executable.encode(), b"-m", b"tui"]
            if (
                mark in b" ".join(command)
                and (app or shells_too)
                and int(entry.name) != self.process.pid
            ):
                pids.append(int(entry.name))
        return pids


def start_server(workdir: Path) -> Served:
    (workdir / "class").mkdir()
    home = workdir / "home"
    home.mkdir()
    port = free_port()
    command = [sys.executable, "-m", "tui", "serve", "--port", str(port)]
    command += ["--data-dir", str(workdir / "class")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home), "XDG_STATE_HOME": ""}
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(WAIT), "gdstep serve printed nothing"
    first = process.stdout.readline()
    assert first.startswith(f"gdstep: serving at http://127.0.0.1:{port}, up to 30 sessions")
    return Served(process, f"http://127.0.0.1:{port}", workdir)


def stop(served: Served) -> int:
    """ctrl+c, as a teacher stops it; the exit status."""
    served.process.send_signal(signal.SIGINT)
    try:
        return served.process.wait(timeout=WAIT)
    finally:
        if served.process.poll() is None:
            served.process.kill()


@pytest.fixture
def server(tmp_path) -> Iterator[Served]:
    served = start_server(tmp_path)
    yield served
    if served.process.poll() is None:
        stop(served)


@pytest.fixture
def browser(tmp_path, server) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile, refusing every request not to the gdstep server."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": 1400, "height": 900},
        )
        refused: list[str] = []

        def local_only(route: Route) -> None:
            if route.request.url.startswith(server.url):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        try:
            yield context
        finally:
            context.close()
        assert all("fonts.googleapis.com" in url for url in refused), refused


def screen(page: Page) -> str:
    """The terminal's text as the page shows it."""
    return page.inner_text(".xterm-rows").replace("\xa0", " ")


def wait_for(page: Page, condition: Callable[[], bool], what: str) -> None:
    """Let the page work until `condition()` holds; fail after WAIT seconds."""
    give_up = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"still not true after {WAIT} s: {what}\n{screen(page)}")
        page.wait_for_timeout(50)


def shown(page: Page, name: str) -> str:
    """The value on the state panel's line `name`."""
    match = re.search(rf"│ {re.escape(name)}\s+(\S+)", screen(page))
    return match.group(1) if match else ""


def exact(page: Page, name: str) -> str:
    """The value on the state panel's line `name` with p on (exact, shortest repr), written
    as the trace writes it (an ASCII minus sign)."""
    return shown(page, name).replace("\N{MINUS SIGN}", "-")


def open_tab(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".xterm-rows", timeout=WAIT * 1000)
    wait_for(page, lambda: shown(page, "step t") == "0", "the app at step 0")
    page.click(".xterm-screen")  # the keys go to the terminal
    return page


def step_to(page: Page, t: int) -> None:
    for _ in range(t - int(shown(page, "step t"))):
        page.keyboard.press("n")
    wait_for(page, lambda: shown(page, "step t") == str(t), f"step {t}")


def gdstep_trace(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "tui", "trace", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout


def test_step_3_shows_the_trace_s_numbers_and_x_downloads_the_trace(server, browser):
    page = open_tab(browser, server.url)
    assert screen(page).lstrip().startswith("σ")  # the title's icon, in any font
    step_to(page, 3)
    trace = gdstep_trace("seed", "--steps", "3")
    step, w, b, loss, *_ = trace.splitlines()[-1].split(",")
    assert step == "3"
    page.keyboard.press("p")  # every number exact, to compare with the trace's repr
    wait_for(page, lambda: exact(page, "w") == w, "w written exactly")
    assert (exact(page, "w"), exact(page, "b"), exact(page, "L")) == (w, b, loss)

    downloads: list[Download] = []
    page.on("download", lambda download: downloads.append(download))  # in a new tab
    page.keyboard.press("x")
    wait_for(page, lambda: bool(downloads), "the download")
    (download,) = downloads
    assert download.suggested_filename == "gdstep-trace.csv"
    assert Path(download.path()).read_text() == trace
    wait_for(page, lambda: "Sent steps 0…3 to your browser" in screen(page), "the note")
    assert stop(server) == 0
    written = [p for p in server.workdir.rglob("*") if p.is_file()]
    assert [p for p in written if "profile" not in p.parts] == []  # nothing on the server


def test_two_tabs_are_two_independent_sessions(server, browser):
    first = open_tab(browser, server.url)
    step_to(first, 3)
    second = open_tab(browser, server.url)
    assert len(server.app_processes()) == 2
    step_to(second, 1)
    first.keyboard.press("b")
    wait_for(first, lambda: shown(first, "step t") == "2", "the first tab back at step 2")
    assert shown(second, "step t") == "1"
    first.keyboard.press("p")
    w = gdstep_trace("seed", "--steps", "2").splitlines()[-1].split(",")[1]
    wait_for(first, lambda: exact(first, "w") == w, "the first tab's w at step 2, exactly")
    assert float(shown(second, "w")) != float(w)  # the second tab, at step 1, rounded


def test_ctrl_c_stops_the_server_and_ends_its_sessions(server, browser):
    page = open_tab(browser, server.url)
    step_to(page, 1)
    assert len(server.app_processes()) == 1
    assert stop(server) == 0
    assert server.app_processes(shells_too=True) == []
    output = server.process.stdout.read() if server.process.stdout else ""
    assert "Traceback" not in output and output.rstrip().endswith("gdstep: stopped")
