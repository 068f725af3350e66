"""Runs (c and g): the frame-budgeted loop, why a run stops, and what the user is told."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from textual import work

from tui.app.widgets.progress_line import ProgressLine
from tui.engine.cycles import first_cycle, periods
from tui.engine.session import Session, memory_text
from tui.format import num, precision

if TYPE_CHECKING:
    from tui.expressions import Expression


FRAME = 0.047
"""Seconds from one screen refresh to the next while a run goes on (more than 20 a second)."""

CALL = 0.002
"""Seconds of engine work between two checks of the clock during a run."""


class StopReason(Enum):
    """Why a run (c or g) ended before its goal, or at the step limit."""

    CONVERGED = "θ stopped changing"
    CYCLE = "the state repeats exactly after a few steps"
    BREAKPOINT = "a breakpoint holds"
    DIVERGED = "the loss or θ is no longer finite"
    LIMIT = "the step limit (--max-steps)"
    MEMORY = "the memory limit (--max-memory)"
    ALL_STOPPED = "every run of compare mode stopped (a fixed point, a cycle, a divergence)"


@dataclass(frozen=True)
class Stop:
    """A run's end: its reason, the breakpoint that holds when that is the reason, and the
    period of the cycle when that is."""

    reason: StopReason
    breakpoint: Expression | None = None
    period: int = 0
    run: int = 0  # in compare mode, the run where the breakpoint holds


class Runs:
    """Running to a step or until something stops the run (a mixin of GdstepApp)."""

    def action_run(self) -> None:
        if self.running:
            self.stop_run()
        else:
            self.start_run(None)

    def start_run(self, target: int | None) -> None:
        """Run to step `target` (None: until c again, a fixed point, a cycle, a divergence
        or --max-steps)."""
        self.running = True
        self._run_worker = self._run(target)

    def stop_run(self) -> None:
        """Stop a run by hand (c, or any key that acts on the session), and say where."""
        if self.running:
            self.workers.cancel_group(self, "run")
            self._run_finished()
            self.notify(f"Run stopped at step {self.race.t:,}.", timeout=2)

    def _run_finished(self) -> None:
        self.running = False
        self.sub_title = self.dataset.name
        self.query_one(ProgressLine).remove_class("-running")
        self.refresh_views()

    @work(exclusive=True, group="run")
    async def _run(self, target: int | None) -> None:
        session, race = self.session, self.race
        comparing = self.comparing
        limit = self.max_steps if comparing else session.limit  # compare: each run its own
        goal = min(self.max_steps, limit, self.max_steps if target is None else target)
        bar = self.query_one(ProgressLine)
        bar.start(race.t, goal)
        bar.set_class(target is not None, "-running")
        self.sub_title = f"{self.dataset.name} · running (c to stop)"
        enabled = [b.expression for b in self.breakpoints if b.enabled]
        open_ended = target is None  # c stops where θ stops changing; g goes where it is told
        stuck: set[int] = set()  # compare mode: the runs that stopped changing

        def advance(to: int) -> Stop | None:
            if comparing:
                return self._advance_race(enabled, to, open_ended, stuck)
            return self._advance(session, enabled, to, open_ended)

        if not open_ended:
            stop = None
        elif comparing:
            stop = Stop(StopReason.ALL_STOPPED) if self._race_stuck() else None
        else:
            stop = self._stuck(session)
        kept = [s.last for s in race.sessions]  # the history before the run
        per_call = 1
        overhead = 0.010  # the last refresh's cost: the engine gets the rest of the frame
        try:
            while stop is None and race.t < goal:
                frame_end = time.perf_counter() + FRAME - overhead
                while stop is None and race.t < goal and time.perf_counter() < frame_end:
                    t0, before = time.perf_counter(), race.t
                    stop = advance(min(before + per_call, goal))
                    elapsed = max(time.perf_counter() - t0, 1e-9)
                    per_call = max(1, min(per_call * 2, int(per_call * CALL / elapsed)))
                    if stop is None and race.t == before:
                        stop = Stop(StopReason.ALL_STOPPED if comparing else StopReason.DIVERGED)
                refresh_start = time.perf_counter()
                bar.update(race.t)
                self.refresh_views()
                await asyncio.sleep(0.002)  # the screen refreshes here
                overhead = min(time.perf_counter() - refresh_start, FRAME / 2)
        finally:
            if self.race is race:
                if len(kept) == len(race.sessions):
                    race.drop_ahead(kept)  # the history ends where the run stopped
                self._run_finished()
        if stop is None and race.t >= self.max_steps:
            stop = Stop(StopReason.LIMIT)
        elif stop is None and race.t >= limit and (target is None or target > race.t):
            stop = Stop(StopReason.MEMORY)
        self._report_stop(session, stop)

    def _advance_race(
        self, breakpoints: list[Expression], stop: int, open_ended: bool, stuck: set[int]
    ) -> Stop | None:
        """Compare mode's `_advance`: every run up to step `stop`, all of them back to the
        first step where a breakpoint holds in any run. With c (`open_ended`) the race ends
        once every run has stopped changing (a fixed point, a cycle, a divergence or its
        memory limit: `stuck` collects them), while a run that stops alone lets the others
        go on."""
        from tui.expressions import first_hit

        race = self.race
        before = race.t
        was = [race.stopped(i) for i in range(len(race.runners))]
        hits = [first_hit(s, breakpoints, before, stop) for s in race.sessions]
        found = [(hit[0], i) for i, hit in enumerate(hits) if hit is not None]
        if found:
            step, run = min(found)
            race.goto(step)
            self.notify_runs_stopped(was)
            return Stop(StopReason.BREAKPOINT, hits[run][1], run=run)
        if open_ended:
            for i, s in enumerate(race.sessions):
                if s.t < stop or s.first_fixed_point(before) or first_cycle(s, before):
                    stuck.add(i)
        race.goto(stop)
        self.notify_runs_stopped(was)
        if len(stuck) == len(race.runners) or race.t < stop:
            return Stop(StopReason.ALL_STOPPED)
        return None

    @staticmethod
    def _stuck(session: Session) -> Stop | None:
        """Why c cannot go anywhere new from the cursor: θ stopped changing, or the state is
        one it was in a few steps before (None: neither)."""
        if session.converged:
            return Stop(StopReason.CONVERGED)
        period = int(periods(session, session.t, session.t)[0])
        return Stop(StopReason.CYCLE, period=period) if period > 1 else None

    def _race_stuck(self) -> bool:
        """Whether no run of compare mode can go anywhere new from the cursor: each one
        stopped short, or stopped changing, or repeats a cycle (as `_stuck` for one run)."""
        race = self.race
        return all(
            race.stopped(i) is not None or self._stuck(session) is not None
            for i, session in enumerate(race.sessions)
        )

    def _advance(
        self, session: Session, breakpoints: list[Expression], stop: int, at_fixed_point: bool
    ) -> Stop | None:
        """Updates up to step `stop`; why the run must end where it is (None: it goes on)."""
        from tui.expressions import first_hit

        before = session.t
        found = first_hit(session, breakpoints, before, stop)
        fixed = session.first_fixed_point(before) if at_fixed_point else None
        cycle = first_cycle(session, before) if at_fixed_point else None
        if fixed is not None and (cycle is None or fixed <= cycle[0]):
            session.goto(fixed)
            return Stop(StopReason.CONVERGED)
        if cycle is not None:
            session.goto(cycle[0])
            return Stop(StopReason.CYCLE, period=cycle[1])
        if found is not None:
            return Stop(StopReason.BREAKPOINT, found[1])
        if session.diverged and session.t == session.last:
            return Stop(StopReason.DIVERGED)
        return None

    def _report_stop(self, session: Session, stop: Stop | None) -> None:
        """Say why the run stopped, with the app's precision at this moment: the run is a task
        of its own, started before `p` may have been pressed during it."""
        with precision(self.precision):
            self._say_why_stopped(session, stop)

    def _say_why_stopped(self, session: Session, stop: Stop | None) -> None:
        why = None if stop is None else stop.reason
        if self.comparing and why is StopReason.BREAKPOINT and stop.breakpoint is not None:
            runner = self.race.runners[stop.run]
            self.notify(
                f"Breakpoint at step {self.race.t:,} in run {stop.run} ({runner.label}): "
                f"{stop.breakpoint.text}",
                title="Breakpoint",
                timeout=6,
            )
        elif why is StopReason.BREAKPOINT and stop.breakpoint is not None:
            self.notify(
                f"Breakpoint at step {session.t:,}: {stop.breakpoint.text}",
                title="Breakpoint",
                timeout=6,
            )
        elif why is StopReason.ALL_STOPPED:
            self.notify(
                f"Every run stopped changing by step {self.race.t:,} (a fixed point, a cycle, "
                "a divergence or its memory limit): the runs panel says where.",
                title="Race over",
                timeout=6,
            )
        elif why is StopReason.DIVERGED and session.diverged and session.t == session.last:
            self.notify_divergence()
        elif why is StopReason.CONVERGED:
            t = session.t
            if not session.grad(t - 1).any():
                title, reason = "Converged", "the batch gradient is exactly 0"
            else:
                title, reason = "θ stopped changing", "η·g is below the rounding of θ"
            self.notify(
                f"The update at step {t - 1:,} left θ as it was (θ_{t:,} = θ_{t - 1:,}): {reason}.",
                title=title,
                timeout=6,
            )
        elif why is StopReason.CYCLE:
            self.notify(self._cycle_text(session, stop.period), title="Oscillating", timeout=10)
        elif why is StopReason.LIMIT:
            self.notify(f"Stopped at the step limit, {self.max_steps:,} (--max-steps).")
        elif why is StopReason.MEMORY:
            self.notify(memory_limit_text(session), title="Memory limit", timeout=10)

    def _cycle_text(self, session: Session, period: int) -> str:
        """Where the run is back where it was `period` steps before, and how η compares with
        2/λ_max at the state of the cycle where the curvature is largest."""
        k = session.t
        lr = session.lr(k)
        limit, at = min(
            (self.curvatures.get(session.objective, session.theta(t)).lr_limit, t)
            for t in range(k - period, k)
        )
        relation = (
            f"η = {num(lr)} is past 2/λ_max = {num(limit)} at θ_{at:,}"
            if lr > limit
            else f"η = {num(lr)} is below 2/λ_max on all of them (at least {num(limit)})"
        )
        return (
            f"Bouncing between {period} states since step {k - period:,}: θ_{k:,} = "
            f"θ_{k - period:,} bit for bit, with the same optimizer state, so c would run on "
            f"for ever. {relation}."
        )

    def notify_divergence(self) -> None:
        session = self.session
        t = session.t
        lr = session.lr(t - 1)
        limit = self.curvatures.get(session.objective, session.theta(t - 1)).lr_limit
        suggestion = num(limit) if limit < lr else num(lr / 10)
        self.notify(
            f"Diverged at step {t:,} with η = {num(lr)}: the loss or θ is no longer finite. "
            f"Press b to step back, then try η < {suggestion}.",
            title="Diverged",
            severity="error",
            timeout=8,
        )


def memory_limit_text(session: Session) -> str:
    """Why a run stopped at the memory limit, and what to do."""
    return (
        f"Stopped at step {session.limit:,}: the history would pass the memory limit, "
        f"{memory_text(session.memory)} (--max-memory). Save the session (S) and reopen it "
        "with a larger --max-memory to go further."
    )
