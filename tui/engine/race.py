"""Compare mode: up to four runs on one data set, in lock-step (the optimizer race).

Each run is a plain Session with its own exact history; the race only moves them together.
The shared cursor `t` is the step every run is asked to be at: a run that diverges (or
reaches its memory budget) stops at its own last step (`reach`) and says so (`stopped`),
while the others go on. A run's index is its place in the race, 0 being the base run; the
expressions read it as `run`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.engine import session as engine_session
from tui.engine.session import Session

MAX_RUNS = 4
"""The base run and at most three runs to compare with it."""


class RaceError(ValueError):
    """A change the race refuses (a fifth run, removing the base run): the message says why."""


@dataclass
class Runner:
    """One run of the race: its session, its label (the options it overrides, "" for the
    base run) and the option text it was made from ("" for the base run)."""

    session: Session
    label: str
    text: str = ""


class Race:
    """Labelled sessions on one data set that step, go back, go to a step and reset
    together; `selected` is the run the η keys and the per-run panels act on."""

    def __init__(self, base: Session) -> None:
        self.runners = [Runner(base, "base")]
        self.selected = 0
        base.run = 0

    # ---- the runs ---------------------------------------------------------------------
    @property
    def sessions(self) -> list[Session]:
        return [runner.session for runner in self.runners]

    @property
    def base(self) -> Session:
        return self.runners[0].session

    @property
    def current(self) -> Session:
        """The selected run's session."""
        return self.runners[self.selected].session

    def add(self, session: Session, label: str, text: str) -> int:
        """A run to compare, brought to the shared step; returns its index. Every run's
        memory budget becomes its share of the process's (tui.engine.session.max_memory)."""
        if len(self.runners) >= MAX_RUNS:
            raise RaceError(f"at most {MAX_RUNS} runs can be compared: remove one first (A)")
        self.runners.append(Runner(session, label, text))
        self.share_memory()
        session.run = len(self.runners) - 1
        session.goto(self.t)
        return session.run

    def remove(self, index: int) -> Runner:
        """Drop run `index` (not the base run: every other run is the base with changes)."""
        if index == 0:
            raise RaceError("the base run cannot be removed: the other runs are its variations")
        runner = self.runners.pop(index)
        for i, session in enumerate(self.sessions):
            session.run = i
        self.selected = min(self.selected, len(self.runners) - 1)
        self.share_memory()
        return runner

    def select(self, index: int) -> None:
        self.selected = index % len(self.runners)

    def share_memory(self) -> None:
        """Each run's history may take 1/N of the budget one run alone would have."""
        share = engine_session.max_memory // len(self.runners)
        for session in self.sessions:
            session.set_memory(share)

    # ---- lock-step --------------------------------------------------------------------
    @property
    def t(self) -> int:
        """The shared cursor: the step the runs were sent to when one at least got there,
        else the furthest any got (so one run alone is its own cursor, however it moved)."""
        return max(session.t for session in self.sessions)

    def goto(self, t: int) -> int:
        """Every run to step t, or as far as it gets (a divergence, its memory budget)."""
        for session in self.sessions:
            session.goto(t)
        return self.t

    def step(self, k: int = 1) -> int:
        """k updates forward in every run; returns how far the shared cursor moved."""
        before = self.t
        return self.goto(self.t + k) - before

    def back(self, k: int = 1) -> int:
        before = self.t
        return before - self.goto(max(0, self.t - k))

    def reset(self) -> None:
        for session in self.sessions:
            session.reset()

    def drop_ahead(self, kept: list[int]) -> None:
        """`Session.drop_ahead` for each run, `kept` its last state before the run."""
        for session, last in zip(self.sessions, kept, strict=True):
            session.drop_ahead(last)

    def reach(self, index: int) -> int:
        """The step run `index` shows at the shared cursor: the cursor, or the step where
        it stopped."""
        return self.runners[index].session.t

    def stopped(self, index: int) -> str | None:
        """Why run `index` is behind the shared cursor ("diverged", "memory"), or None."""
        session = self.runners[index].session
        if session.t >= self.t:
            return None
        return "diverged" if session.diverged else "memory"
