"""The keys that ask for something in a dialog: go to, η, breakpoints, watches, edit θ,
the model in the file's units, help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tui.engine.model import weight_names
from tui.format import count, num

if TYPE_CHECKING:
    from tui.expressions import Breakpoint, Expression


class Dialogs:
    """Dialog actions (a mixin of GdstepApp)."""

    def action_goto(self) -> None:
        from tui.app.screens.number_dialog import NumberDialog

        def chosen(step: float | None) -> None:
            if step is None:
                return
            target = min(int(step), self.max_steps)
            if target < step:
                self.notify(f"Going to the step limit, {self.max_steps:,} (--max-steps).")
            race = self.race
            if target <= race.t or all(target <= s.last for s in race.sessions):
                race.goto(target)
                self.refresh_views()
            else:
                self.start_run(target)

        self.stop_run()
        dialog = NumberDialog("Go to step", self.race.t, integer=True, minimum=0)
        self.open_dialog(dialog, chosen)

    def action_set_lr(self) -> None:
        from tui.app.screens.number_dialog import NumberDialog

        def chosen(lr: float | None) -> None:
            if lr is not None:
                self.change_lr(lr)

        dialog = NumberDialog(
            "Learning rate η", self.session.lr(), minimum=0.0, exclusive_minimum=True
        )
        self.open_dialog(dialog, chosen)

    def action_scale_lr(self, factor: float) -> None:
        self.change_lr(self.session.lr() * factor)

    def change_lr(self, lr: float) -> None:
        if not (0.0 < lr < float("inf")):
            self.notify(
                f"η = {lr!r} is not a finite number > 0; η stays {num(self.session.lr())}",
                severity="error",
            )
            return
        session = self.session
        dropped = session.last - session.t  # computed with the old η: set_lr drops them
        session.set_lr(lr)
        self.clear_notifications()
        after = f"; the {count(dropped, 'later step')} computed with the old η are dropped"
        self.notify(
            f"η = {lr!r} from step {session.t:,} on{after if dropped else ''}",
            timeout=4 if dropped else 2,
        )
        self.refresh_views()

    def action_breakpoints(self) -> None:
        from tui.app.screens.breakpoints_dialog import BreakpointsDialog

        def chosen(breakpoints: list[Breakpoint] | None) -> None:
            if breakpoints is not None:
                self.breakpoints = breakpoints

        self.open_dialog(BreakpointsDialog(self.breakpoints, self.session.d), chosen)

    def action_watches(self) -> None:
        from tui.app.screens.watches_dialog import WatchesDialog

        def chosen(watches: list[Expression] | None) -> None:
            if watches is not None:
                self.watches = watches
                self.refresh_views()

        self.open_dialog(WatchesDialog(self.watches, self.session.d), chosen)

    def action_edit(self) -> None:
        from tui.app.screens.edit_dialog import EditDialog

        def chosen(theta: np.ndarray | None) -> None:
            if theta is not None:
                self.session.edit(theta)
                self.notify(
                    f"θ set at step {self.session.t:,}; the later history is dropped", timeout=3
                )
                self.refresh_views()

        self.stop_run()
        session = self.session
        names = weight_names(session.d)
        self.open_dialog(EditDialog([*names, "b"], session.theta().tolist()), chosen)

    def action_units(self) -> None:
        standardization = self.dataset.standardization
        if standardization is None:
            self.notify(
                "The data is not standardized: w and b are already in the file's own units "
                "(start with --standardize to rescale the features).",
                timeout=4,
            )
            return
        from tui.app.screens.units_screen import UnitsScreen

        session = self.session
        screen = UnitsScreen(standardization, session.w().tolist(), session.b(), session.t)
        self.open_dialog(screen)

    def action_help(self) -> None:
        from tui.app.screens.help_screen import HelpScreen

        self.open_dialog(HelpScreen())
