"""`gdstep serve` without a browser: its command line, the app it starts for each tab (served:
the terminal check skipped, `o` limited to the samples and --data-dir, `x` and `S` sent to the
browser and nothing written on the server), and the server's limit on sessions."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shlex
import socket
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from textual import events
from textual.widgets import OptionList

from tests.helpers import notes_of, until
from tui import __main__ as cli
from tui import data
from tui.__main__ import main
from tui.app import GdstepApp, Served
from tui.app.themes import BROWSER_ICON
from tui.config import make_config
from tui.files import sessionfile, trace
from tui.serve import (
    DEFAULT_MAX_SESSIONS,
    INSTALL,
    app_argv,
    app_command,
    full_page,
    where_to_open,
)
from tui.serve.server import ClassServer, OneLine


@pytest.fixture
def run(capsys, monkeypatch):  # type: ignore[no-untyped-def]
    """`gdstep ARGS` as `main(ARGS)`: exit status, stdout, stderr."""
    monkeypatch.delenv("GDSTEP_DEBUG", raising=False)

    def gdstep(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return gdstep


# ---- the command line -------------------------------------------------------------------------


def test_the_app_gets_the_options_but_not_the_server_s():
    argv = [
        "plateau",
        "--lr",
        "0.5",
        "--port",
        "9000",
        "--host=0.0.0.0",
        "--max-sessions",
        "3",
        "--public-url",
        "https://class.example/gd",
        "--data-dir",
        "class",
        "--theme",
        "gdstep-light",
        "--session",
        "start.json",
    ]
    assert app_argv(argv) == [
        "plateau",
        "--lr",
        "0.5",
        "--theme",
        "gdstep-light",
        "--session",
        "start.json",
    ]


def test_the_app_command_runs_this_python_with_the_data_dir_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my class").mkdir()
    command = shlex.split(app_command(["seed", "--data-dir", "my class"], "my class"))
    assert command == [
        sys.executable,
        "-m",
        "tui",
        "seed",
        "--data-dir",
        str(tmp_path / "my class"),
    ]


def test_each_tab_gets_its_share_of_the_memory_where_the_teacher_gave_none():
    command = shlex.split(app_command(["seed"], None, 200_000_000))
    assert command[3:] == ["seed", "--max-memory", "200000000"]
    assert "--max-memory" not in app_command(["seed"], None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "fast"], "--lr must be a number, not 'fast'"),
        (["nosuch"], "no such file or sample: 'nosuch'"),
        (["--theme", "pink"], "--theme must be one of gdstep-light, textual-dark"),
        (["--port", "70000"], "--port must be at most 65535, not 70000"),
        (["--max-sessions", "0"], "--max-sessions must be at least 1, not 0"),
        (["--max-memory", "lots"], "--max-memory must be a size such as 800M or 2G"),
        (["--data-dir", "no/such/dir"], "--data-dir no/such/dir is not a directory"),
        (["--session", "no/such.json"], "no/such.json"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--public-url", "notaurl"], "--public-url must be an http:// or https:// URL, not 'no"),
        (["--public-url", "ftp://x"], "--public-url must be an http:// or https:// URL, not 'ftp"),
        (["--public-url", "https://"], "--public-url must be an http:// or https:// URL, not 'htt"),
        (["--public-url", "http://[x"], "--public-url must be an http:// or https:// URL"),
    ],
)
def test_serve_refuses_bad_options_in_one_line_before_serving(run, args, message):
    code, out, err = run("serve", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdstep: error: ") and message in err, err


def test_serve_refuses_a_session_whose_data_set_is_gone(run, tmp_path):
    csv = tmp_path / "mine.csv"
    csv.write_text("x,y\n1,0\n2,1\n")
    dataset = data.load(str(csv))
    config, _ = make_config(dataset, {})
    from tui.engine.session import Session

    path = sessionfile.save(
        tmp_path / "s.json", Session(dataset.x, dataset.y, config), str(csv), None, False
    )
    csv.unlink()
    code, out, err = run("serve", "--session", str(path))
    assert (code, out) == (2, "")
    assert "the session's data set is missing" in err and err.count("\n") == 1


def test_where_to_open():
    assert where_to_open("127.0.0.1", 8000, None) == "http://127.0.0.1:8000"
    assert where_to_open("::1", 8000, None) == "http://[::1]:8000"
    assert where_to_open("0.0.0.0", 80, None) == (
        f"http://{socket.gethostname()}:80 (or this computer's address)"
    )
    assert where_to_open("0.0.0.0", 80, "https://gd.example") == "https://gd.example"


def test_serve_without_textual_serve_says_how_to_install_it(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails
    monkeypatch.delitem(sys.modules, "tui.serve.server", raising=False)
    assert run("serve") == (2, "", f"gdstep: error: {INSTALL}\n")


def test_a_port_in_use_is_one_line_before_anything_is_printed(run):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = run("serve", "--port", str(port))
    assert (code, out) == (2, "")
    assert err.startswith(
        f"gdstep: error: cannot serve on 127.0.0.1:{port}: Address already in use"
    )


def test_the_app_also_takes_a_theme(run):
    code, _, err = run("--theme", "pink")
    assert code == 2 and "--theme must be one of gdstep-light, textual-dark" in err


def served_environment(monkeypatch, captured: list[GdstepApp]) -> None:
    """As textual-serve runs an app: the web driver named in TEXTUAL_DRIVER, no terminal."""
    monkeypatch.setenv("TEXTUAL_DRIVER", cli.WEB_DRIVER)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setattr(cli, "run_app", lambda app: captured.append(app) or 0)


def test_a_served_app_runs_on_pipes_with_the_served_options(run, monkeypatch, tmp_path):
    captured: list[GdstepApp] = []
    served_environment(monkeypatch, captured)
    code, _, err = run("plateau", "--theme", "gdstep-light", "--data-dir", str(tmp_path))
    assert (code, err) == (0, "")
    (app,) = captured
    assert app.served == Served(tmp_path)
    assert app.theme == "gdstep-light" and app.dataset.name == "plateau"


def test_a_served_app_starts_from_the_teacher_s_session(run, monkeypatch, tmp_path):
    dataset = data.load("plateau")
    config, _ = make_config(dataset, {"lr": "0.25"})
    from tui.engine.session import Session

    session = Session(dataset.x, dataset.y, config)
    session.step(7)
    path = sessionfile.save(tmp_path / "start.json", session, "plateau", None, False)
    captured: list[GdstepApp] = []
    served_environment(monkeypatch, captured)
    assert run("--session", str(path))[0] == 0
    (app,) = captured
    assert app.session.t == 7 and app.session.lr() == 0.25 and app.served == Served(None)


def test_an_app_on_pipes_but_not_served_still_asks_for_a_terminal(run, monkeypatch):
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.linux_driver:LinuxDriver")
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    code, _, err = run("seed")
    assert code == 2 and "the debugger needs a terminal" in err


# ---- the served app ----------------------------------------------------------------------------


def served_app(served: Served) -> GdstepApp:
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    app = GdstepApp(dataset, config)
    app.served = served
    return app


class Browser:
    """What reached the browser: the app's deliver_text, recorded, then delivered at once."""

    def __init__(self, app: GdstepApp) -> None:
        self.files: list[tuple[str, str, str]] = []

        def deliver_text(file, *, save_filename, mime_type, **_):  # type: ignore[no-untyped-def]
            key = f"key{len(self.files)}"
            self.files.append((save_filename, mime_type, file.read()))
            app.post_message(events.DeliveryComplete(key=key, name=None))
            return key

        app.deliver_text = deliver_text  # type: ignore[method-assign]


@pytest.fixture
def nothing_written(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A directory to run in, checked to be empty afterwards (nothing written on the server)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    yield
    assert list(tmp_path.rglob("*")) == []


async def test_x_sends_the_trace_to_the_browser(nothing_written):
    app = served_app(Served())
    browser = Browser(app)
    notes = notes_of(app)
    async with app.run_test() as pilot:
        await pilot.press("n", "n", "n", "x")
        await until(pilot, lambda: browser.files, what="a delivery")
    (name, mime, text), expected = browser.files[0], "".join(trace.lines(app.session, 3))
    assert (name, mime, text) == ("gdstep-trace.csv", "text/csv", expected)
    assert text.splitlines()[0].startswith("step,w,b,loss") and len(text.splitlines()) == 5
    assert notes[-1].message == "Sent steps 0…3 to your browser as gdstep-trace.csv"


async def test_s_sends_the_session_to_the_browser_and_quitting_waits_for_it(nothing_written):
    app = served_app(Served())
    browser = Browser(app)
    async with app.run_test() as pilot:
        await pilot.press("n", "n", "q")
        await until(pilot, lambda: len(app.screen_stack) == 2, what="the quit question")
        await pilot.press("s")
        await until(pilot, lambda: app._exit, what="the app quits once the file has gone")
    ((name, mime, text),) = browser.files
    assert (name, mime) == ("gdstep-session.json", "application/json")
    saved = sessionfile.parse(text)
    assert saved.step == 2 and saved.data == "seed"


async def test_a_session_sent_to_the_browser_counts_as_saved(nothing_written):
    app = served_app(Served())
    browser = Browser(app)
    async with app.run_test() as pilot:
        await pilot.press("n", "S")
        await until(pilot, lambda: browser.files and not app.unsaved(), what="saved")
        await pilot.press("n")
        await until(pilot, lambda: app.session.t == 2)
        assert app.unsaved()  # a step after the save is not in it


async def test_a_download_that_fails_says_so_and_the_app_stays(nothing_written):
    app = served_app(Served())
    notes = notes_of(app)

    def deliver_text(file, **_):  # type: ignore[no-untyped-def]
        app.post_message(events.DeliveryFailed(key="k", exception=OSError("connection lost")))
        return "k"

    app.deliver_text = deliver_text  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        await pilot.press("n", "q")
        await until(pilot, lambda: len(app.screen_stack) == 2, what="the quit question")
        await pilot.press("s")
        await until(pilot, lambda: notes and notes[-1].title == "Download failed")
        assert not app._exit and app._after_delivery == {} and app.unsaved()
    assert notes[-1].message == "The download did not reach the browser: connection lost"


async def test_the_title_icon_is_one_the_browser_can_show():
    app = served_app(Served())
    async with app.run_test():
        assert app.query_one("Header").icon == BROWSER_ICON == "σ"


@pytest.fixture
def class_dir(tmp_path) -> Path:
    """A teacher's directory: two CSV files, one in a sub-directory, a text file, and a link
    to a CSV file outside it."""
    root = tmp_path / "class"
    (root / "week 2").mkdir(parents=True)
    (root / "hours.csv").write_text("hours,passed\n1,0\n2,0\n3,1\n4,1\n")
    (root / "week 2" / "dose.csv").write_text("dose,effect\n1,0\n5,1\n")
    (root / "notes.txt").write_text("not data")
    (tmp_path / "secret.csv").write_text("a,b\n1,0\n")
    os.symlink(tmp_path / "secret.csv", root / "link.csv")
    return root


async def test_o_offers_the_samples_and_the_class_files_only(class_dir):
    app = served_app(Served(class_dir))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("o")
        await until(pilot, lambda: len(app.screen_stack) == 2)
        dialog = app.screen
        options = dialog.query_one("#samples", OptionList)
        ids = [options.get_option_at_index(k).id for k in range(options.option_count)]
        assert ids == [
            *data.sample_names(),
            str(class_dir / "hours.csv"),
            str(class_dir / "week 2" / "dose.csv"),
        ]
        assert not dialog.query("#path")  # no box to type a path of the server in
        await pilot.press("/", "e", "t", "c")  # typing goes nowhere
        options.highlighted = ids.index(str(class_dir / "hours.csv"))
        await pilot.press("enter")
        await until(pilot, lambda: app.dataset.name.endswith("hours.csv"), what="opened")
        assert app.dataset.n == 4


def test_served_files_skip_what_is_outside_the_directory(class_dir):
    assert Served(class_dir).files() == [class_dir / "hours.csv", class_dir / "week 2/dose.csv"]
    assert Served(None).files() == []


# ---- the server ------------------------------------------------------------------------------


async def test_the_page_is_served_at_the_address_the_browser_asked_for():
    server = ClassServer("true", host="127.0.0.1", port=0, public_url=None, max_sessions=2)
    async with TestClient(TestServer(await server._make_app())) as client:
        response = await client.get("/", headers={"Host": "classroom-pc:8123"})
        page = await response.text()
    assert response.status == 200
    assert 'data-session-websocket-url="ws://classroom-pc:8123/ws"' in page


async def test_a_tab_beyond_the_limit_gets_a_page_that_says_so():
    server = ClassServer("true", host="127.0.0.1", port=0, public_url=None, max_sessions=2)
    server.tabs = {asyncio.Future(), asyncio.Future()}  # two tabs served
    async with TestClient(TestServer(await server._make_app())) as client:
        response = await client.get("/")
        page = await response.text()
        websocket = await client.ws_connect("/ws")
        said = await websocket.receive_bytes()
        await websocket.receive()  # the close
    assert response.status == 503 and page == full_page(2)
    assert "already serves 1 session," in full_page(1)
    assert "already serves 2 sessions" in page and "Close a tab" in page
    assert b"already serves 2 sessions" in said and websocket.closed


async def test_a_request_that_fails_is_a_500_and_one_line_in_the_terminal(caplog):
    server = ClassServer("true", host="127.0.0.1", port=0, public_url="notaurl", max_sessions=2)
    async with TestClient(TestServer(await server._make_app())) as client:
        response = await client.get("/")
        page = await response.text()
    assert response.status == 500 and "the server's terminal says why" in page
    failed = [r for r in caplog.records if "failed" in r.getMessage()]
    assert [r.exc_info for r in failed] == [None]
    line = OneLine().format(failed[0])
    assert line.startswith("gdstep serve: GET / failed: IndexError") and "\n" not in line


def test_what_the_server_logs_is_one_line_without_a_traceback():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "tab failed", None, sys.exc_info())
    assert OneLine().format(record) == "gdstep serve: tab failed: ValueError: bad thing"


def test_the_default_limit_suits_a_class():
    assert 20 <= DEFAULT_MAX_SESSIONS <= 40


def test_serve_refuses_a_memory_limit_that_holds_too_few_steps(run, tmp_path):
    from tests.test_memory import wide_csv

    wide = str(wide_csv(tmp_path))
    code, out, err = run("serve", wide, "--optimizer", "adam", "--max-memory", "2M")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "holds only 0 steps" in err and "it needs at least 4 MB" in err


@pytest.mark.parametrize("command", [(), ("serve",)])
@pytest.mark.parametrize(
    ("besides", "named"),
    [(("--lr", "3"), "--lr"), (("iris",), "DATA"), (("--vs", "--lr 2"), "--vs")],
)
def test_a_session_refuses_the_run_options_it_would_ignore(run, tmp_path, command, besides, named):
    """A saved session replays its data and options as they were: DATA, --lr or --vs beside
    it would be ignored without a word, so they are refused, as `gdstep trace --session`
    refuses them."""
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    from tui.engine.session import Session

    path = sessionfile.save(
        tmp_path / "s.json", Session(dataset.x, dataset.y, config), "seed", None, False
    )
    code, out, err = run(*command, "--session", str(path), *besides)
    assert (code, out) == (2, "")
    assert (
        err
        == f"gdstep: error: --session replays the saved run as it was: {named} cannot go with it\n"
    )


def test_a_session_takes_the_app_s_own_options(run, tmp_path, monkeypatch):
    monkeypatch.setattr(cli.engine_session, "max_memory", cli.engine_session.max_memory)
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    from tui.engine.session import Session

    path = sessionfile.save(
        tmp_path / "s.json", Session(dataset.x, dataset.y, config), "seed", None, False
    )
    options = ("--max-steps", "5000", "--max-memory", "50M", "--theme", "gdstep-light")
    code, out, err = run("--session", str(path), *options)
    assert (code, out) == (2, "")  # past the session's checks, refused only for want of a terminal
    assert "the debugger needs a terminal" in err


def test_serve_checks_the_teacher_s_session_within_each_tab_s_memory(run, tmp_path):
    """Every tab replays the session within its own budget: a session longer than that budget
    holds is refused at the start, not in every tab."""
    dataset = data.load("seed")
    config, _ = make_config(dataset, {})
    from tui.engine.session import Session

    session = Session(dataset.x, dataset.y, config)
    session.step(20_000)
    path = sessionfile.save(tmp_path / "s.json", session, "seed", None, False)
    code, out, err = run("serve", "--session", str(path), "--max-memory", "1M")
    assert (code, out) == (2, "")
    assert "past the memory limit, 1 MB (--max-memory)" in err and err.count("\n") == 1
    assert cli.engine_session.max_memory > 1_000_000  # the server's own budget untouched
