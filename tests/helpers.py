"""What app tests share: waiting for a state (never for a fixed time) and the notifications an
app gave."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from textual.app import App
from textual.pilot import Pilot


async def until(
    pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0, what: str = ""
) -> None:
    """Let the app work (`pilot.pause()`, which returns once it has handled what was pending)
    until `condition()` holds; fail, naming `what` (else the condition), after `timeout`
    seconds without it. The timeout only bounds a hang: no test waits for it to pass."""
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"still not true after {timeout} s: {what or condition}")
        await pilot.pause()


@dataclass(frozen=True)
class Note:
    """One notification: its title and its message, as given to `App.notify`."""

    title: str
    message: str


def notes_of(app: App) -> list[Note]:
    """The list that every notification the app gives from now on is added to: the app's
    public `notify` is wrapped on this instance (the notification still shows)."""
    notes: list[Note] = []
    notify = app.notify

    def recording(message: str, *, title: str = "", **kwargs) -> None:  # type: ignore[no-untyped-def]
        notes.append(Note(title, str(message)))
        notify(message, title=title, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return notes


def screens_seen(app: App) -> list[str]:
    """The list that the class name of every screen the app shows from now on is added to
    (through Textual's public screen-change signal); call it once the app runs."""
    seen: list[str] = []
    app.screen_change_signal.subscribe(
        app, lambda screen: seen.append(type(screen).__name__), immediate=True
    )
    return seen


async def until_steady(pilot: Pilot, state: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app work until `state()` comes out the same after three `pilot.pause()`s in a
    row (each handles what was pending, a screen refresh included): what a burst of keys set
    going has played out. Fails after `timeout` seconds of change."""
    give_up = time.monotonic() + timeout
    last, same = state(), 0
    while same < 3:
        if time.monotonic() > give_up:
            pytest.fail(f"the app was still changing after {timeout} s: {last!r}")
        await pilot.pause()
        now = state()
        same = same + 1 if now == last else 0
        last = now
    await pilot.app.workers.wait_for_complete()
