"""Step into (s): walking through one update a point at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.engine.session import Session

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class SteppedInto:
    """Step into (s): how many points of the batch of update `t` of `session` it has walked
    through. It belongs to that update only: any other step or session ends it."""

    session: Session
    t: int
    points: int

    def is_at(self, session: Session) -> bool:
        return session is self.session and session.t == self.t


class StepInto:
    """The step-into keys (a mixin of GdstepApp)."""

    def points_stepped_into(self) -> int | None:
        """How many points of the current update `s` has walked through (None: not stepping
        into this update)."""
        if self.into is None or not self.into.is_at(self.session):
            self.into = None
            return None
        return self.into.points

    def action_step_into(self) -> None:
        self.stop_run()
        session = self.session
        if session.diverged and session.t == session.last:
            self.notify_divergence()
            return
        k = self.points_stepped_into() or 0
        if k == len(session.batch_rows()):
            self.into = None
            self.action_step()
            return
        self.into = SteppedInto(session, session.t, k + 1)
        self.refresh_views()

    def action_leave_step_into(self) -> None:
        if self.points_stepped_into() is not None:
            self.into = None
            self.refresh_views()
