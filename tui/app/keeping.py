"""What the user made, kept: export and save, opening another data set, and asking before
reset, open or quit drops a history."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work

from tui import data
from tui.config import make_config
from tui.data import Dataset
from tui.engine.race import Race
from tui.engine.session import Session
from tui.errors import InputError
from tui.format import count, num, quoted

if TYPE_CHECKING:
    from tui.expressions import Expression


@dataclass(frozen=True)
class Source:
    """Where the data came from, as a saved session names it."""

    spec: str
    target: str | None = None
    standardize: bool = False


MAX_OFFERED_FILES = 500
"""At most this many CSV files of the served data directory are offered by `o`."""


@dataclass(frozen=True)
class Served:
    """The app served to a browser (`gdstep serve`), for a room of students: `o` offers the
    bundled samples and the CSV files under `data_dir` only, and `x` and `S` send their file
    to the browser as a download; nothing is read or written at other paths of the server."""

    data_dir: Path | None = None

    def files(self) -> list[Path]:
        """The CSV files under `data_dir` (not those that a link takes outside it), sorted."""
        if self.data_dir is None:
            return []
        root = self.data_dir.resolve()
        try:
            found = sorted(p for p in root.rglob("*.csv") if p.resolve().is_relative_to(root))
        except OSError:
            return []
        return [p for p in found if p.is_file()][:MAX_OFFERED_FILES]


def _fits(expression: Expression, d: int) -> bool:
    """Whether an expression still parses for data with d features."""
    from tui.expressions import ExpressionError, parse

    try:
        parse(expression.text, d)
    except ExpressionError:
        return False
    return True


class Keeping:
    """Files, data sets and confirmations (a mixin of GdstepApp)."""

    served: Served | None = None
    """Set when the app is served to a browser (see Served); None in a terminal."""

    _after_delivery: dict[str, Callable[[], object]]

    def action_reset(self) -> None:
        def reset() -> None:
            self.race.reset()
            self.refresh_views()

        self.stop_run()
        self.ask_before_dropping("Reset", "Reset", reset)

    def action_open(self) -> None:
        from tui.app.screens.open_dialog import OpenDialog

        def chosen(spec: str | None) -> None:
            if spec:
                self.open_dataset(spec)

        self.stop_run()
        self.open_dialog(OpenDialog(served=self.served), chosen)

    @work(thread=True, exclusive=True, group="open")
    def open_dataset(self, spec: str) -> None:
        """Load off the UI thread; a bad file is a notification and the current data stays."""
        spec = spec.strip().strip("'\"")
        try:
            dataset = data.load(spec)
            config, _ = make_config(dataset, {})
            session = Session(dataset.x, dataset.y, config)
        except InputError as error:
            self.call_from_thread(self.notify, str(error), title="Cannot open", severity="error")
            return
        self.call_from_thread(self._loaded, spec, dataset, session)

    def _loaded(self, spec: str, dataset: Dataset, session: Session) -> None:
        """A data set that loaded replaces the current one, once the user agrees to drop the
        history (asked only now: a file that cannot be opened never asks)."""
        opening = f"Opening {quoted(spec)}"
        self.ask_before_dropping("Open", opening, lambda: self._opened(spec, dataset, session))

    def _opened(self, spec: str, dataset: Dataset, session: Session) -> None:
        self.stop_run()
        dropped_runs = len(self.race.runners) - 1
        self.dataset, self.race = dataset, Race(session)
        self.source = Source(spec)
        self.breakpoints = [b for b in self.breakpoints if _fits(b.expression, dataset.d)]
        self.watches = [w for w in self.watches if _fits(w, dataset.d)]
        self.sub_title = dataset.name
        c = session.config
        whose = (
            "the file's # gdstep: line"
            if dataset.settings
            else f"the defaults; others with gdstep {spec} --lr … --loss …"
        )
        about = f"{dataset.description}\n" if dataset.description else ""
        self.notify(
            f"{about}Settings: {c.loss} · {c.reduction} · {c.optimizer}, η = {num(c.lr)} ({whose})",
            title=f"Opened {dataset.name}",
            timeout=5,
        )
        self.notify_warnings(dataset)
        if dropped_runs:
            self.notify(f"The {count(dropped_runs, 'compared run')} stayed with the old data.")
        self.refresh_views()

    def notify_warnings(self, dataset: Dataset) -> None:
        """What loading changed or found (standardized features, targets σ never reaches):
        a notification, besides the state panel's data line."""
        for warning in dataset.warnings:
            self.notify(warning, title=f"Note on {dataset.name}", severity="warning", timeout=10)

    def action_export(self) -> None:
        from tui.app.screens.file_dialog import FileDialog
        from tui.files import sessionfile

        if self.served is not None:
            text = sessionfile.csv_text(self.race, self.watches)
            self.deliver(text, "gdstep-trace.csv", f"steps 0…{self.race.t:,}")
            return

        def chosen(path: str | None) -> None:
            if path is None:
                return
            try:
                written = sessionfile.export_csv(self.race, path, self.watches)
            except InputError as error:
                self.notify(str(error), title="Export failed", severity="error")
                return
            runs = f" of {len(self.race.runners)} runs" if self.comparing else ""
            self.notify(f"Wrote steps 0…{self.race.t:,}{runs} to {written}", timeout=4)

        self.open_dialog(FileDialog("Export the trace so far (CSV)", "gdstep-trace.csv"), chosen)

    def action_save(self, then: Callable[[], object] | None = None) -> None:
        """Save the session to a file named in a dialog; then, if saved, call `then`."""
        from tui.app.screens.file_dialog import FileDialog

        def chosen(path: str | None) -> None:
            if path is None:
                return
            from tui.files.safe import write_atomic

            try:
                written = write_atomic(path, self._session_text())
            except InputError as error:
                self.notify(str(error), title="Save failed", severity="error")
                return
            self.mark_saved()
            self.notify(
                f"Saved the session at step {self.race.t:,} to {written}; "
                f"reopen it with gdstep --session {written}",
                timeout=5,
            )
            if then is not None:
                then()

        self.stop_run()
        if self.served is not None:
            self._save_to_browser(then)
            return
        self.open_dialog(FileDialog("Save the session (JSON)", "gdstep-session.json"), chosen)

    def _session_text(self) -> str:
        """The session file's text; raises InputError (a number that is not finite)."""
        from tui.files import sessionfile

        source = self.source
        return sessionfile.to_json(
            self.race.base,
            source.spec,
            source.target,
            source.standardize,
            [(b.expression.text, b.enabled) for b in self.breakpoints],
            [w.text for w in self.watches],
            [(runner.text, runner.session) for runner in self.race.runners[1:]],
            self.race.selected,
        )

    def _save_to_browser(self, then: Callable[[], object] | None) -> None:
        """S when served: the session file goes to the browser. Once it has arrived, the
        session as sent counts as saved and `then` (quit) is called: quitting cannot cut the
        download short, and a download that fails leaves the session unsaved."""
        try:
            text = self._session_text()
        except InputError as error:
            self.notify(str(error), title="Save failed", severity="error")
            return
        sent = self._work()

        def arrived() -> None:
            self._saved = sent
            if then is not None:
                then()

        key = self.deliver(text, "gdstep-session.json", f"the session at step {self.session.t:,}")
        if key is not None:
            self._after_delivery[key] = arrived

    def deliver(self, text: str, filename: str, what: str) -> str | None:
        """Send `text` to the browser as a download named `filename` (nothing is written on
        the server); returns the delivery key."""
        mime_type = "text/csv" if filename.endswith(".csv") else "application/json"
        key = self.deliver_text(io.StringIO(text), save_filename=filename, mime_type=mime_type)
        self.notify(f"Sent {what} to your browser as {filename}", timeout=4)
        return key

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        then = self._after_delivery.pop(event.key, None)
        if then is not None:
            then()

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        self._after_delivery.pop(event.key, None)
        self.notify(
            f"The download did not reach the browser: {event.exception}",
            title="Download failed",
            severity="error",
        )

    def _work(self) -> tuple:
        """What the user made that a saved session keeps: the step and the history (None for
        a session still at step 0 with nothing computed or changed), the breakpoints and the
        watches. The data set is one key away, and not counted."""
        history = tuple(
            None if s.last == 0 and not s.events else (s, s.t, s.last, tuple(s.events))
            for s in self.race.sessions
        )
        history = None if history == (None,) else history
        breakpoints = tuple((b.expression.text, b.enabled) for b in self.breakpoints)
        return history, breakpoints, tuple(w.text for w in self.watches)

    def mark_saved(self) -> None:
        """The session as it is now is safe (saved, or as it started)."""
        self._saved = self._work()

    def unsaved(self) -> bool:
        """Whether the session changed since it started or was last saved with S."""
        return self._work() != self._saved

    def ask_before_dropping(self, title: str, doing: str, then: Callable[[], object]) -> None:
        """Call `then`, which drops the session's history, at once when the history holds
        nothing beyond step 0 (no steps, η changes or edits); else only after a yes to
        `Reset drops 1,234 steps and 2 η changes. Reset?`."""
        from tui.app.screens.confirm_dialog import Choice, ConfirmDialog, history_text

        sessions = self.race.sessions
        if not any(session.last or session.events for session in sessions):
            then()
            return
        kinds = [event.kind for session in sessions for event in session.events]
        counts = (kinds.count(kind) for kind in ("lr", "edit", "direction"))
        dropped = history_text(sum(session.last for session in sessions), *counts)
        if len(sessions) > 1:
            dropped += f" in {len(sessions)} runs"
        choices = [Choice(("y",), title.lower(), True), Choice(("n",), "cancel", False)]
        dialog = ConfirmDialog(title, f"{doing} drops {dropped}. {title}?", choices)
        self.open_dialog(dialog, lambda yes: then() if yes else None)

    def action_quit(self) -> None:
        """Quit at once when nothing is unsaved; else ask: save then quit, quit, or stay."""
        from tui.app.screens.confirm_dialog import Choice, ConfirmDialog

        if not self.unsaved():
            self.exit()
            return

        def chosen(answer: str | None) -> None:
            if answer == "save":
                self.action_save(then=self.exit)
            elif answer == "quit":
                self.exit()

        choices = [
            Choice(("s",), "save, then quit", "save"),
            Choice(("y",), "quit without saving", "quit"),
            Choice(("n",), "cancel", None),
        ]
        message = f"The session at step {self.session.t:,} has changes that are not saved."
        self.open_dialog(ConfirmDialog("Quit", message, choices), chosen)
