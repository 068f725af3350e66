"""The direction dial (u, "try a direction"): at θ_t, the gradient step turned by β from ∇L,
with ΔL₁ (the article's ∇Lᵀu term), ΔL₂ and the actual ΔL, a sweep over every β, and Enter to
take that step (tui.engine.dial computes every number; this is the keys and the mode).

The dial belongs to one state: the session, its step t and θ_t. Any key that changes them
(n, b, g, c, r, o, E, a run) leaves the dial, with a note, so its numbers are never shown for
another θ; a new η (+, -, e) keeps it and rescales the step, as Δθ(β) = η‖g‖·u(β)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui.app.plots.dial import Dialled, beta_text
from tui.engine.dial import START, DialError, check_angle, dial, sweep
from tui.engine.session import Session

TURNS = {"wide": 15.0, "fine": 1.0}
"""← / → turn the dial by 15°, shift+← / shift+→ by 1°."""


@dataclass(frozen=True)
class Dialing:
    """The dial at step `t` of `session`, θ_t as bytes, turned to `beta` degrees; the plot
    mode it replaced, given back when it ends."""

    session: Session
    t: int
    theta: bytes
    beta: float
    plot_mode: str

    def is_at(self, session: Session) -> bool:
        return (
            session is self.session
            and session.t == self.t
            and session.theta().tobytes() == self.theta
        )


def wrap(beta: float) -> float:
    """β mod 360 in [0, 360) (a tiny negative β mod 360 rounds to 360.0: that is 0)."""
    turned = float(beta) % 360.0
    return 0.0 if turned == 360.0 else turned


class DialMode:
    """The dial's keys and numbers (a mixin of GdstepApp)."""

    dialing: Dialing | None = None
    _dial_numbers: tuple[tuple, Dialled] | None = None

    def dialing_now(self) -> Dialing | None:
        """The dial, if it is on and still at the session's state."""
        if self.dialing is None or not self.dialing.is_at(self.session):
            return None
        return self.dialing

    def dialled(self) -> Dialled | None:
        """The dial's numbers at its β and its sweep (None: not dialing). The sweep, 72
        passes over the data, is computed once per θ_t and η; turning costs one pass."""
        mode = self.dialing_now()
        if mode is None:
            return None
        session = self.session
        key = (session, session.t, mode.theta, session.lr())
        known = self._dial_numbers
        if known is None or known[0] != key:
            swept = sweep(session, self.curvatures)
        elif known[1].beta == mode.beta:
            return known[1]
        else:
            swept = known[1].sweep
        current = dial(session, self.curvatures, [mode.beta])
        self._dial_numbers = (key, Dialled(current, swept))
        return self._dial_numbers[1]

    def leave_stale_dial(self) -> None:
        """Leave a dial whose state has gone (a step, an edit, a run, …), with a note, and
        hide its panel and arrows at once (during a run the other panels redraw only every
        second: they must not show the dial of an older θ meanwhile)."""
        if self.dialing is not None and self.dialing_now() is None:
            beta = beta_text(self.dialing.beta)
            self._end_dial(f"Left the direction dial: θ_t changed (β = {beta} was not taken).")

    def sync_dial(self) -> Dialled | None:
        """The dial's numbers (None: the dial is off, or was left here as its θ is gone)."""
        self.leave_stale_dial()
        try:
            return self.dialled()
        except DialError as error:  # only if θ_t or g changed under it; never shown stale
            self._end_dial(f"Left the direction dial: {error}.")
            return None

    def _end_dial(self, note: str | None) -> None:
        mode, self.dialing = self.dialing, None
        self.dial_panel.show(self.session, None)
        self.plot_panel.dialled = None
        if mode is not None and self.plot_panel.mode in ("dial", "surface"):
            self.plot_panel.mode = mode.plot_mode
        self.screen_stack[0].refresh_bindings()
        if note:
            self.notify(note, timeout=3)
        self.refresh_views()

    def action_dial(self) -> None:
        """u: the dial at θ_t, starting at the gradient step (β = 180°); u again leaves."""
        self.stop_run()
        if self.dialing_now() is not None:
            self.action_dial_leave()
            return
        if self.comparing:
            self.notify(
                "The direction dial turns one run's step: remove the compared runs (A) to use "
                "it, or try it with gdstep on that run alone.",
                timeout=5,
            )
            return
        session = self.session
        try:
            dial(session, self.curvatures, [START])
        except DialError as error:
            self.notify(f"No direction dial at step {session.t:,}: {error}.", timeout=4)
            return
        self.into = None  # step into belongs to the update the dial replaces
        previous = self.plot_panel.mode
        self.dialing = Dialing(session, session.t, session.theta().tobytes(), START, previous)
        self.plot_panel.mode = "dial"
        self.screen_stack[0].refresh_bindings()
        self.refresh_views()

    def action_dial_turn(self, degrees: float) -> None:
        mode = self.dialing_now()
        if mode is not None:
            self.dialing = replace(mode, beta=wrap(mode.beta + degrees))
            self.refresh_views()

    def action_dial_angle(self) -> None:
        """a: type β in degrees (any finite number, taken mod 360)."""
        from tui.app.screens.number_dialog import NumberDialog

        mode = self.dialing_now()
        if mode is None:
            return

        def chosen(beta: float | None) -> None:
            now = self.dialing_now()
            if beta is not None and now is not None:
                self.dialing = replace(now, beta=wrap(beta))
                self.refresh_views()

        self.open_dialog(NumberDialog("Direction β in degrees (mod 360)", mode.beta), chosen)

    def action_dial_take(self) -> None:
        """Enter: take the step along β, recorded in the history as a step of its own."""
        mode = self.dialing_now()
        if mode is None:
            return
        session = self.session
        if session.t >= self.max_steps:
            self.notify(f"At the step limit, {self.max_steps:,} (--max-steps).", timeout=3)
            return
        dropped = session.last - session.t
        try:
            session.step_along(check_angle(mode.beta))
        except ValueError as error:  # DialError too: g = 0 or not finite
            self._end_dial(f"The step was not taken: {error}.")
            return
        after = f"; the {dropped:,} later steps are dropped" if dropped else ""
        self._end_dial(
            f"Step {session.t:,} taken by hand along β = {beta_text(mode.beta)}; the optimizer "
            f"state carries over{after}. b goes back to step {session.t - 1:,}."
        )

    def action_dial_leave(self) -> None:
        """escape: leave the dial; θ stays as it was."""
        if self.dialing_now() is not None:
            self._end_dial("Left the direction dial: θ unchanged.")

    def cycle_dial_plot(self) -> bool:
        """t while dialing: the sweep ↔ the loss surface with the dial's arrows (one
        feature). Returns whether the dial took the key."""
        if self.dialing_now() is None:
            return False
        plot = self.plot_panel
        if self.session.d > 1:
            plot.mode = "dial"
            self.notify("The surface needs one feature: the dial shows its sweep.", timeout=3)
        else:
            plot.mode = "surface" if plot.mode == "dial" else "dial"
        return True
