"""Compare mode's keys: tab selects a run, `a` adds one, `A` removes the selected one; and
the lock-step moves that n, b, g, c and r make when there is more than one run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.engine.race import MAX_RUNS, RaceError
from tui.engine.session import Config, Session
from tui.format import count

if TYPE_CHECKING:
    from tui.engine.race import Race


class Compare:
    """The runs of compare mode (a mixin of GdstepApp, whose `race` holds them)."""

    race: Race

    @property
    def session(self) -> Session:
        """The selected run's session: the one the per-run panels show and η keys change."""
        return self.race.current

    @property
    def comparing(self) -> bool:
        return len(self.race.runners) > 1

    def action_next_run(self) -> None:
        """tab: the next run is the one shown (the per-point table, update, Taylor and state
        panels) and the one η keys and E change."""
        if not self.comparing:
            self.notify("One run only: a adds a run to compare with it.", timeout=3)
            return
        self.stop_run()
        self.race.select(self.race.selected + 1)
        self.into = None  # step into belongs to the run it started in
        runner = self.race.runners[self.race.selected]
        self.notify(f"Run {self.race.selected} ({runner.label}) selected.", timeout=2)
        self.refresh_views()

    def action_add_run(self) -> None:
        """a: a dialog for the options of a run to add (refused past MAX_RUNS)."""
        from tui.app.screens.run_dialog import RunDialog
        from tui.config import vs_config

        self.stop_run()
        if len(self.race.runners) >= MAX_RUNS:
            self.notify(f"At most {MAX_RUNS} runs: remove one first (A).", severity="warning")
            return

        def chosen(made: tuple[Config, str, str] | None) -> None:
            if made is not None:
                self.add_run(*made)

        def check(text: str) -> tuple[Config, str]:
            return vs_config(self.dataset, self.race.base.config, text)

        self.open_dialog(RunDialog(check), chosen)

    def add_run(self, config: Config, label: str, text: str) -> None:
        """A run of these options, brought to the shared step, and selected."""
        session = Session(self.dataset.x, self.dataset.y, config)
        try:
            index = self.race.add(session, label, text)
        except RaceError as error:
            self.notify(str(error), severity="warning")
            return
        self.race.select(index)
        self.notify(f"Run {index} ({label}) added at step {self.race.t:,}.", timeout=3)
        self.refresh_views()

    def action_remove_run(self) -> None:
        """A: remove the selected run (not the base: every other run is a variation of it),
        after a yes when it has a history beyond step 0."""
        from tui.app.screens.confirm_dialog import Choice, ConfirmDialog

        self.stop_run()
        index = self.race.selected
        if index == 0:
            why = "select another run with tab" if self.comparing else "add one with a"
            self.notify(f"The base run cannot be removed: {why}.", timeout=3)
            return
        runner = self.race.runners[index]
        session = runner.session

        def remove() -> None:
            self.race.remove(index)
            self.into = None
            self.notify(f"Run {index} ({runner.label}) removed.", timeout=2)
            self.refresh_views()

        if not (session.last or session.events):
            remove()
            return
        dropped = count(session.last, "step")
        choices = [Choice(("y",), "remove", True), Choice(("n",), "cancel", False)]
        question = f"Removing run {index} ({runner.label}) drops its {dropped}. Remove?"
        dialog = ConfirmDialog("Remove run", question, choices)
        self.open_dialog(dialog, lambda yes: remove() if yes else None)

    def notify_runs_stopped(self, before: list[str | None]) -> None:
        """Say which runs stopped short of the shared step since `before` (each run's
        `Race.stopped` then): the others went on."""
        race = self.race
        for index, runner in enumerate(race.runners):
            why = race.stopped(index)
            if why is None or (index < len(before) and before[index] == why):
                continue
            what = "diverged" if why == "diverged" else "reached its memory limit"
            self.notify(
                f"Run {index} ({runner.label}) {what} at step {race.reach(index):,}; "
                "the other runs go on.",
                title="Run stopped",
                severity="warning",
                timeout=6,
            )
