"""`gdstep serve`: the debugger in a browser, one app process for each tab (textual-serve).

Part of the command line (tui.__main__): the options here, the web server in server.py, which
alone imports textual-serve (an extra, `gdstep[serve]`).

Each tab gets a new `python -m tui DATA [options] --data-dir DIR` run by textual-serve on
pipes, with Textual's web driver (TEXTUAL_DRIVER); such an app is served (`tui.app.Served`):
`o` opens only the samples and the CSV files under --data-dir, and `x` and `S` send their file
to the browser. The options are checked once here, so that a mistake is one line at the start
and not a blank page in every tab.
"""

from __future__ import annotations

import argparse
import html
import shlex
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from tui.__main__ import APP_OPTIONS, add_app_options
from tui.cli.options import (
    Parser,
    UsageError,
    add_run_options,
    check_room,
    note,
    prepare,
    race_sessions,
    refuse_with_session,
)
from tui.config import parse_int, parse_memory
from tui.engine import session as engine_session
from tui.engine.session import MEMORY_FRACTION, machine_memory
from tui.format import count, quoted

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 30
"""Tabs served at once by default: a class on a small server (each app process takes about
65 MB and, idle, next to no processor time)."""

INSTALL = "gdstep serve needs textual-serve: pip install 'gdstep[serve]'"


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """The options of the server itself (the others go to each app)."""
    g = parser.add_argument_group("server")
    g.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this computer only; "
        "0.0.0.0: every computer that can reach this one, e.g. a classroom)",
    )
    g.add_argument("--port", default=str(DEFAULT_PORT), help=f"default {DEFAULT_PORT}")
    g.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, behind a proxy (default: the one they asked for)",
    )
    g.add_argument(
        "--max-sessions",
        metavar="N",
        default=str(DEFAULT_MAX_SESSIONS),
        help=f"tabs served at once; one more gets a page that says so "
        f"(default {DEFAULT_MAX_SESSIONS})",
    )
    g.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the CSV files under DIR are offered by o, besides the samples "
        "(no other file of this computer is)",
    )


def serve_parser() -> Parser:
    parser = Parser(
        prog="gdstep serve",
        description="Serve the debugger to web browsers: every tab gets its own session "
        "on DATA with the options given. ctrl+c stops the server and its sessions.",
        allow_abbrev=False,
    )
    parser.add_argument("data", nargs="?", default="seed", metavar="DATA")
    add_run_options(parser)
    add_app_options(parser)
    add_serve_options(parser)
    return parser


def app_argv(argv: Sequence[str]) -> list[str]:
    """The command line of the app served to each tab: `argv` without the server's options."""
    only_server = Parser(prog="gdstep serve", add_help=False, allow_abbrev=False)
    add_serve_options(only_server)
    return only_server.parse_known_args(list(argv))[1]


SERVE_OPTIONS = (*APP_OPTIONS, "host", "port", "public_url", "max_sessions")
"""What serve takes beside --session (its own options and the app's)."""


def check(args: argparse.Namespace, memory: int | None = None) -> None:
    """What every app would refuse, refused once here (UsageError, InputError); `memory` is
    each tab's budget where no --max-memory is given."""
    from tui.app.themes import check_theme
    from tui.files import sessionfile

    max_steps = parse_int(args.max_steps, "max_steps", 1)
    if args.max_memory is not None:
        memory = parse_memory(args.max_memory)
    if args.theme is not None:
        check_theme(args.theme)
    if args.session is not None:
        refuse_with_session(args, serve_parser(), SERVE_OPTIONS)
        saved = sessionfile.load(args.session)
        kept = engine_session.max_memory
        engine_session.max_memory = memory or kept  # each tab's budget, for this check only
        try:
            dataset, _ = sessionfile.restore_race(saved, max_steps)
        finally:
            engine_session.max_memory = kept
        sessionfile.expressions(saved, dataset.d)
    else:
        run = prepare(args)
        if memory is not None:
            check_room(race_sessions(run, memory), run.dataset)
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise UsageError(f"--data-dir {args.data_dir} is not a directory")
    if args.public_url is not None:
        check_public_url(args.public_url)


def check_public_url(url: str) -> None:
    """The page's addresses are made from `url` (http → ws, https → wss): anything but an
    http(s) address with a host would fail every page load, so it is refused at the start."""
    try:
        parts = urlsplit(url)
        fine = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an invalid IPv6 address: http://[x
        fine = False
    if not fine:
        raise UsageError(f"--public-url must be an http:// or https:// URL, not {quoted(url)}")


def app_command(argv: Sequence[str], data_dir: str | None, memory: int | None = None) -> str:
    """The shell command textual-serve runs for each tab; `memory`, when given, is each
    tab's history budget (--max-memory) where the teacher gave none."""
    command = [sys.executable, "-m", "tui", *app_argv(argv)]
    if memory is not None:
        command += ["--max-memory", str(memory)]
    if data_dir is not None:
        command += ["--data-dir", str(Path(data_dir).resolve())]
    return shlex.join(command)


def serve_main(argv: Sequence[str]) -> int:
    args = serve_parser().parse_args(argv)
    port = parse_int(args.port, "port", 1)
    if port > 65535:
        raise UsageError(f"--port must be at most 65535, not {port}")
    max_sessions = parse_int(args.max_sessions, "max_sessions", 1)
    # Without --max-memory, the tabs share the quarter of the RAM one app would take.
    memory = None if args.max_memory else machine_memory() // MEMORY_FRACTION // max_sessions
    check(args, memory)
    try:
        from tui.serve.server import ClassServer
    except ImportError:
        raise UsageError(INSTALL) from None
    server = ClassServer(
        app_command(argv, args.data_dir, memory),
        host=args.host,
        port=port,
        public_url=args.public_url,
        max_sessions=max_sessions,
    )
    try:
        server.serve()
    except OSError as error:
        raise UsageError(f"cannot serve on {args.host}:{port}: {error.strerror or error}") from None
    note("stopped")
    return 0


def where_to_open(host: str, port: int, public_url: str | None) -> str:
    """The address to give the students."""
    if public_url is not None:
        return public_url
    if host in ("0.0.0.0", "::", ""):
        return f"http://{socket.gethostname()}:{port} (or this computer's address)"
    return f"http://{host if ':' not in host else f'[{host}]'}:{port}"


def full_page(max_sessions: int) -> str:
    """What a tab gets when the server already serves `max_sessions` tabs."""
    message = html.escape(
        f"This gdstep server already serves {count(max_sessions, 'session')}, as many as it was "
        "started for. Close a tab that you no longer use, or ask the teacher."
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>gdstep: server full</title>"
        "</head><body style='font-family: sans-serif; margin: 3em; color: #1b1b1b'>"
        f"<h1>gdstep: server full</h1><p id='full'>{message}</p>"
        "<p>Reload this page to try again.</p></body></html>"
    )
