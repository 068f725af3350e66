"""The web server of `gdstep serve`: textual-serve's, with a limit on the tabs served at once,
the page's addresses taken from the browser's request, and gdstep's own start-up lines.

Checked against textual-serve 1.1.3 (pyproject: `textual-serve>=1.1.3,<2`): it overrides
`Server.serve`, `initialize_logging`, `handle_index`, `handle_download`, `handle_websocket`,
`on_startup` and `on_shutdown`, and reads and sets `Server.public_url`, which the page's
addresses are made from.

No request prints a traceback in the teacher's terminal: a handler that raises is one logged
line and an HTTP 500, and every message logged is one line.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web
from textual_serve.server import Server

from tui.format import count, printable
from tui.serve import full_page, where_to_open


class ClassServer(Server):
    """Serves `command` to at most `max_sessions` tabs at once."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        public_url: str | None,
        max_sessions: int,
    ) -> None:
        super().__init__(command, host=host, port=port, title="gdstep", public_url=public_url)
        self.fixed_url = public_url
        self.max_sessions = max_sessions
        self.tabs: set[asyncio.Task] = set()
        """The tasks that serve a tab each (textual-serve's websocket handler)."""

    def serve(self, debug: bool = False) -> None:
        """Serve until ctrl+c. A port that is taken raises OSError here, before anything is
        printed (textual-serve binds after its start-up hook, which prints the address)."""
        socket.create_server((self.host, self.port)).close()
        super().serve(debug)

    def initialize_logging(self) -> None:
        """Log one line for each message (textual-serve's own logging writes tracebacks, with
        their local variables, into the teacher's terminal)."""
        handler = logging.StreamHandler()
        handler.setFormatter(OneLine())
        logging.basicConfig(level="DEBUG" if self.debug else "INFO", handlers=[handler])

    def full(self) -> bool:
        return len(self.tabs) >= self.max_sessions

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, or a page that says the server is full. Without --public-url, the page's
        addresses are the one the browser asked for (a classroom's server has many names)."""
        if self.full():
            return web.Response(
                status=503, text=full_page(self.max_sessions), content_type="text/html"
            )
        if self.fixed_url is None:
            self.public_url = f"{request.scheme}://{request.host}"
        return await one_line_errors(request, super().handle_index)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        return await one_line_errors(request, super().handle_download)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One tab's session; a tab that comes when the server is full (its page was loaded
        before) is told so in its terminal, and closed."""
        if self.full():
            websocket = web.WebSocketResponse()
            await websocket.prepare(request)
            await websocket.send_bytes(
                f"\r\n gdstep: this server already serves {count(self.max_sessions, 'session')}; "
                "close a tab, or ask the teacher.\r\n".encode()
            )
            await websocket.close()
            return websocket
        task = asyncio.current_task()
        assert task is not None
        self.tabs.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.tabs.discard(task)

    async def on_startup(self, app: web.Application) -> None:
        address = where_to_open(self.host, self.port, self.fixed_url)
        print(
            f"gdstep: serving at {address}, up to {count(self.max_sessions, 'session')}; "
            "ctrl+c stops the server and its sessions",
            flush=True,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """ctrl+c: end every tab's session now (textual-serve then tells its app to quit and
        waits for it), instead of waiting for each browser to close its connection."""
        tabs = list(self.tabs)
        for task in tabs:
            task.cancel()
        if tabs:
            await asyncio.wait(tabs, timeout=SHUTDOWN_WAIT)


class OneLine(logging.Formatter):
    """A log record as one line: its message and, for an exception, its type and text."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            message = f"{message}: {type(error).__name__}: {error}"
        return "gdstep serve: " + printable(message.replace("\n", " "))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def one_line_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """`handler(request)`; if it raises, an HTTP 500, and one line in the terminal (aiohttp
    would log a traceback). The websocket's handler catches and logs its own errors."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        log.error("%s %s failed: %s: %s", request.method, request.path, type(error).__name__, error)
        return web.Response(
            status=500, text="gdstep: this page failed; the server's terminal says why."
        )


log = logging.getLogger("gdstep.serve")

SHUTDOWN_WAIT = 10.0
"""Seconds ctrl+c waits for the apps to quit."""
