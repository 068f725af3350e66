"""The gdstep app: the engine's state on screen, keys turned into calls on the session."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui import data
from tui.config import make_config
from tui.data import Dataset
from tui.diagnostics import CurvatureCache, Diagnostics, diagnose
from tui.errors import InputError
from tui.format import count, num, quoted
from tui.session import Config, Session
from tui.widgets.plot_panel import PlotPanel
from tui.widgets.point_table import PointTable
from tui.widgets.progress_line import ProgressLine
from tui.widgets.state_panel import StatePanel
from tui.widgets.taylor_panel import TaylorPanel
from tui.widgets.update_panel import UpdatePanel
from tui.widgets.watch_panel import WatchPanel

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode
    from textual.driver import Driver

    from tui.expressions import Breakpoint, Expression

MIN_WIDTH, MIN_HEIGHT = 60, 16
"""Below this terminal size the app asks for a larger window instead of drawing its panels."""

SIDE_BY_SIDE = 80
"""From this terminal width the plot sits beside the state and Taylor panels; below it, under
them at the full width (beside them it would be a few columns wide)."""

FRAME = 0.047
"""Seconds from one screen refresh to the next while a run goes on (more than 20 a second)."""

CALL = 0.002
"""Seconds of engine work between two checks of the clock during a run."""

SLOW_INTERVAL = 1.0
"""While a run goes on, the panels other than the state panel redraw at most this often
(seconds)."""

BORDER_TITLES = {
    "#state": "state at step t",
    "#taylor": "why the step lowers L (Taylor)",
    "#plot": "plot (t: cycle, l: log)",
    "#table": "points: ŷ = σ(w·x + b), r = ŷ − y, Δw_i, Δb_i",
    "#update": "the batch gradient g = (Δw, Δb) and the coming update",
    "#watches": "watches (W)",
}

BACKGROUND_DIAGNOSTICS = 200_000
"""From this many numbers in the data (N·d), ∇L and H are computed off the UI thread."""


MAIN_SCREEN_BINDINGS = [
    Binding("n,right", "step", "Step", id="step", tooltip="One update: θ ← θ − η·g"),
    Binding("b,left", "back", "Back", id="back", tooltip="One update back (exact)"),
    Binding(
        "s",
        "step_into",
        "Step into",
        id="step_into",
        tooltip="Walk through the update one point at a time",
    ),
    Binding(
        "escape",
        "leave_step_into",
        "Leave step into",
        show=False,
        tooltip="Back to the whole update, without applying it",
    ),
    Binding(
        "g",
        "goto",
        "Go to",
        id="goto",
        tooltip="Go to step t: runs forward or rewinds",
    ),
    Binding(
        "c",
        "run",
        "Continue",
        id="run",
        tooltip="Run until c again, a breakpoint, a divergence, or θ stops changing",
    ),
    Binding(
        "question_mark",
        "help",
        "Help",
        id="help",
        key_display="?",
        tooltip="Every key and what it does",
    ),
    Binding(
        "plus",
        "scale_lr(2)",
        "η×2",
        id="lr_up",
        key_display="+",
        tooltip="Double the learning rate from this step on",
    ),
    Binding(
        "minus",
        "scale_lr(0.5)",
        "η÷2",
        id="lr_down",
        key_display="-",
        tooltip="Halve the learning rate from this step on",
    ),
    Binding(
        "e",
        "set_lr",
        "Set η",
        id="set_lr",
        tooltip="Type the learning rate exactly",
    ),
    Binding("r", "reset", "Reset", id="reset", tooltip="Back to step 0, starting w, b, η"),
    Binding("o", "open", "Open", id="open", tooltip="Open a sample or a CSV file"),
    Binding("t", "cycle_plot", "Plot", id="plot", tooltip="Loss curve, fit, loss surface"),
    Binding("l", "toggle_log", "Log", id="log", tooltip="Log scale on the loss plot"),
    Binding(
        "B",
        "breakpoints",
        "Breakpoints",
        id="breakpoints",
        show=False,
        tooltip="Add, toggle and delete breakpoints (c and g stop where one holds)",
    ),
    Binding(
        "W",
        "watches",
        "Watches",
        id="watches",
        show=False,
        tooltip="Add and delete watched expressions",
    ),
    Binding(
        "E",
        "edit",
        "Edit θ",
        id="edit",
        show=False,
        tooltip="Set w, b at this step; the later history is dropped",
    ),
    Binding(
        "m",
        "units",
        "Units",
        id="units",
        show=False,
        tooltip="With --standardize: m, s and the model in the file's own units",
    ),
    Binding(
        "x",
        "export",
        "Export CSV",
        id="export",
        show=False,
        tooltip="Write the trace so far, as gdstep trace prints it",
    ),
    Binding(
        "S",
        "save",
        "Save session",
        id="save",
        show=False,
        tooltip="Save data, settings, η changes, edits, breakpoints, watches, step",
    ),
    # The table's own keys, scrolling it from anywhere (it never takes the focus).
    *(
        Binding(b.key, f"table({b.action!r})", b.description, show=False)
        for b in PointTable.BINDINGS
    ),
    Binding("ctrl+down", "scroll_panels(3)", "Panels down", show=False),
    Binding("ctrl+up", "scroll_panels(-3)", "Panels up", show=False),
]
"""The keys of the main screen. They are priority bindings (`GdstepApp.BINDINGS`), handled
as they arrive instead of after a trip through the screen: all in the order they were typed,
a held `n` costs less, and the keys typed after a dialog key reach the dialog (see
`GdstepApp.open_dialog`). They act only on the main screen, never behind a dialog."""

MAIN_SCREEN_ACTIONS = frozenset(b.action.split("(")[0] for b in MAIN_SCREEN_BINDINGS)


@dataclass(frozen=True)
class Source:
    """Where the data came from, as a saved session names it."""

    spec: str
    target: str | None = None
    standardize: bool = False


def _fits(expression: Expression, d: int) -> bool:
    """Whether an expression still parses for data with d features."""
    from tui.expressions import ExpressionError, parse

    try:
        parse(expression.text, d)
    except ExpressionError:
        return False
    return True


class GdstepApp(App[None]):
    """A sigmoid neuron learning one keypress at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "gdstep"
    BINDINGS = [
        *(replace(binding, priority=True) for binding in MAIN_SCREEN_BINDINGS),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        dataset: Dataset,
        config: Config,
        max_steps: int = 10_000_000,
        *,
        session: Session | None = None,
        source: Source | None = None,
        breakpoints: Iterable[Breakpoint] = (),
        watches: Iterable[Expression] = (),
    ) -> None:
        super().__init__()
        self.dataset = dataset
        self.session = session or Session(dataset.x, dataset.y, config)
        self.source = source or Source(dataset.name)
        self.breakpoints = list(breakpoints)
        self.watches = list(watches)
        self.max_steps = max_steps
        self.into: tuple[Session, int, int] | None = None  # step into: session, step, points
        self._hit: Expression | None = None  # the breakpoint that ended the last run
        self.running = False
        self._refresh_pending = False
        self._steps_due = 0  # n presses not yet taken (see take_steps)
        self._early_keys: list[events.Key] | None = None  # held while a dialog opens
        self._diagnostics: tuple[tuple, Diagnostics] | None = None
        self._curvatures = CurvatureCache()
        self._last_slow = 0.0
        self._slow_timer = None
        self.state_panel = StatePanel(id="state")
        self.taylor_panel = TaylorPanel(id="taylor")
        self.watch_panel = WatchPanel(id="watches")
        self.plot_panel = PlotPanel(id="plot")
        self.point_table = PointTable(id="table")
        self.point_table.can_focus = False  # keys go straight to the app, which scrolls it
        self.update_panel = UpdatePanel(id="update")

    # ---- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.mark_saved()  # the session as it starts has nothing to lose
        yield Header()
        # Never focused, so that arrows and page keys always reach the app (the table).
        with VerticalScroll(id="main", can_focus=False):
            with Horizontal(id="top"):
                with Vertical(id="info"):
                    yield self.state_panel
                    yield self.taylor_panel
                    yield self.watch_panel
                yield self.plot_panel
            yield self.point_table
            yield self.update_panel
        yield ProgressLine(id="progress")
        yield Static(
            f"Make the window larger: gdstep needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            id="too-small",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = self.dataset.name
        for selector, title in BORDER_TITLES.items():
            self.query_one(selector).border_title = title
        self.refresh_views()
        self.notify_warnings(self.dataset)
        # The app's objects live as long as the process: leave them out of the cyclic garbage
        # collector's full passes, which otherwise cost ~30 ms each during runs (and the one
        # at exit). A process that runs more apps (the tests) calls gc.unfreeze() after each.
        self.call_after_refresh(gc.freeze)

    def on_resize(self, event: events.Resize) -> None:
        small = event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT
        main = self.screen_stack[0]
        if main.has_class("-too-small") != small:
            main.set_class(small, "-too-small")
            main.refresh_bindings()  # the footer: all the keys, or only help and quit
        main.set_class(event.size.width < SIDE_BY_SIDE, "-narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In a window too small to show the panels, only quitting and help work; the
        priority keys (MAIN_SCREEN_ACTIONS) work only on the main screen."""
        if self.screen_stack and self.screen_stack[0].has_class("-too-small"):
            return action in ("quit", "help", "command_palette")
        if len(self.screen_stack) > 1 and action in MAIN_SCREEN_ACTIONS:
            return None  # disabled, yet still listed (the help screen lists them)
        return True

    # ---- dialogs: the keys typed with the key that opens one go to it ----------------------
    def open_dialog(self, screen: Screen, callback: Callable | None = None) -> None:
        """Push a dialog. Keys that come before it is ready (typed in the same instant as
        the key that opened it: `g500⏎`) are held and then given to it, in order."""
        self._early_keys = []
        self.push_screen(screen, callback)
        self.call_after_refresh(self._replay_early_keys)

    def _replay_early_keys(self) -> None:
        keys, self._early_keys = self._early_keys or [], None
        for key in keys:
            self.post_message(events.Key(key.key, key.character))

    async def on_event(self, event: events.Event) -> None:
        if (
            self._early_keys is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
        ):
            self._early_keys.append(event)
            return
        await super().on_event(event)

    async def on_key(self, event: events.Key) -> None:
        """A main-screen key that reaches the app the long way, up from a dialog that closed
        after the key was sent to it (`? q n`: the n was sent to the help screen), runs now."""
        from tui.textual_adapter import bindings_for

        if len(self.screen_stack) > 1:
            return
        for binding in bindings_for(self, event.key):
            action, params = binding.action.split("(")[0], ()
            if binding.priority and self.check_action(action, params):
                event.stop()
                await self.run_action(binding.action)
                return

    # ---- the view: every panel re-reads the session ------------------------------------------
    def refresh_views(self) -> None:
        """Redraw the panels once, however many calls come before the next frame."""
        if not self._refresh_pending:
            self._refresh_pending = True
            self.call_later(self._show)

    def _show(self) -> None:
        """The state panel at every refresh; while a run goes on, the other panels (table,
        plot, Taylor, update, watches) at most every SLOW_INTERVAL: they are read, not
        watched, and a run is over before one can read a row at 20 refreshes a second."""
        self._refresh_pending = False
        self.take_steps()
        session = self.session
        diagnostics = self.diagnostics() if not self.running else None
        self.state_panel.show(session, self.dataset, diagnostics)
        self._show_slow()

    def _show_slow(self) -> None:
        wait = SLOW_INTERVAL - (time.monotonic() - self._last_slow)
        if wait <= 0 or not self.running:
            self._last_slow = time.monotonic()
            session = self.session
            diagnostics = self.diagnostics()
            into = self.points_stepped_into()
            row = None if into is None else int(session.batch_rows()[into - 1])
            self.point_table.show(session, self.dataset)
            self.point_table.highlight(row)
            self.update_panel.show(session, into)
            self.taylor_panel.show(session, diagnostics)
            self.watch_panel.show(session, self.watches)
            self.plot_panel.show(session, self.dataset)
        elif self._slow_timer is None:
            self._slow_timer = self.set_timer(wait, self._slow_timer_fired)

    def _slow_timer_fired(self) -> None:
        self._slow_timer = None
        self._last_slow = 0.0  # due now, running or not
        self._show_slow()

    def diagnostics(self) -> Diagnostics | None:
        """The Taylor quantities of the current step; for big data, None until a worker has
        them (the step itself shows at once)."""
        session = self.session
        t = session.t
        # What diagnose reads: the session (held, not its id) and θ at t and t − 1, so that an
        # edit, an η change or another data set never shows the numbers of an older θ.
        key = (session, t, session.theta(t).tobytes(), t and session.theta(t - 1).tobytes())
        if self._diagnostics is not None and self._diagnostics[0] == key:
            return self._diagnostics[1]
        if session.n * session.d < BACKGROUND_DIAGNOSTICS:
            self._diagnostics = (key, diagnose(session, cache=self._curvatures))
            return self._diagnostics[1]
        # Started after the next refresh, so that the step itself shows first.
        self.call_after_refresh(self._diagnose_in_background, session, key)
        return None

    @work(thread=True, exclusive=True, group="diagnostics")
    def _diagnose_in_background(self, session: Session, key: tuple) -> None:
        result = diagnose(session, key[1], self._curvatures)
        self.call_from_thread(self._diagnosed, key, result)

    def _diagnosed(self, key: tuple, result: Diagnostics) -> None:
        self._diagnostics = (key, result)
        self.refresh_views()

    # ---- keys -------------------------------------------------------------------------------
    def action_step(self) -> None:
        """One update. Presses that come faster than the screen refreshes are taken in one
        engine call before the next refresh or the next other key (`take_steps`)."""
        self.stop_run()
        self._steps_due += 1
        self.refresh_views()

    def take_steps(self) -> None:
        """The updates of the `n` presses not yet made, in one call."""
        due, self._steps_due = self._steps_due, 0
        if not due:
            return
        session = self.session
        if session.diverged and session.t == session.last:
            self.notify_divergence()
            return
        room = self.max_steps - session.t
        session.step(min(due, max(room, 0)))
        if session.diverged and session.t == session.last:
            self.notify_divergence()
        elif due > room:
            self.notify(f"At the step limit, {self.max_steps:,} (--max-steps).", timeout=3)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        if action != "step":
            self.take_steps()  # the n presses before this key come first
        return await super().run_action(action, default_namespace, namespaces)

    def points_stepped_into(self) -> int | None:
        """How many points of the current update `s` has walked through (None: not stepping
        into this update)."""
        if self.into is None:
            return None
        session, t, k = self.into
        if session is not self.session or t != session.t:
            self.into = None
            return None
        return k

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
        self.into = (session, session.t, k + 1)
        self.refresh_views()

    def action_leave_step_into(self) -> None:
        if self.points_stepped_into() is not None:
            self.into = None
            self.refresh_views()

    def action_back(self) -> None:
        self.stop_run()
        self.session.back()
        self.refresh_views()

    def action_goto(self) -> None:
        from tui.screens.number_dialog import NumberDialog

        def chosen(step: float | None) -> None:
            if step is None:
                return
            target = min(int(step), self.max_steps)
            if target < step:
                self.notify(f"Going to the step limit, {self.max_steps:,} (--max-steps).")
            if target <= self.session.last:
                self.session.goto(target)
                self.refresh_views()
            else:
                self.start_run(target)

        self.stop_run()
        dialog = NumberDialog("Go to step", self.session.t, integer=True, minimum=0)
        self.open_dialog(dialog, chosen)

    def action_run(self) -> None:
        if self.running:
            self.stop_run()
        else:
            self.start_run(None)

    def action_scale_lr(self, factor: float) -> None:
        self.change_lr(self.session.lr() * factor)

    def action_set_lr(self) -> None:
        from tui.screens.number_dialog import NumberDialog

        def chosen(lr: float | None) -> None:
            if lr is not None:
                self.change_lr(lr)

        dialog = NumberDialog(
            "Learning rate η", self.session.lr(), minimum=0.0, exclusive_minimum=True
        )
        self.open_dialog(dialog, chosen)

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

    def action_reset(self) -> None:
        def reset() -> None:
            self.session.reset()
            self.refresh_views()

        self.stop_run()
        self.ask_before_dropping("Reset", "Reset", reset)

    def action_open(self) -> None:
        from tui.screens.open_dialog import OpenDialog

        def chosen(spec: str | None) -> None:
            if spec:
                self.open_dataset(spec)

        self.stop_run()
        self.open_dialog(OpenDialog(), chosen)

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
        self.dataset, self.session = dataset, session
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
            f"{about}Settings: {c.loss} · {c.reduction} · {c.optimizer}, η = {c.lr!r} ({whose})",
            title=f"Opened {dataset.name}",
            timeout=5,
        )
        self.notify_warnings(dataset)
        self.refresh_views()

    def notify_warnings(self, dataset: Dataset) -> None:
        """What loading changed or found (standardized features, targets σ never reaches):
        a notification, besides the state panel's data line."""
        for warning in dataset.warnings:
            self.notify(warning, title=f"Note on {dataset.name}", severity="warning", timeout=10)

    def action_cycle_plot(self) -> None:
        mode = self.plot_panel.cycle()
        if self.session.d > 1 and mode == "loss":
            self.notify(
                f"The fit and the surface need one feature; this data has {self.session.d}.",
                timeout=3,
            )

    def action_toggle_log(self) -> None:
        if self.plot_panel.mode != "loss":
            self.plot_panel.mode = "loss"
        self.plot_panel.toggle_log()

    async def action_table(self, action: str) -> None:
        """Scroll the per-point table from anywhere (it never needs the focus)."""
        await self.point_table.run_action(action)

    def action_scroll_panels(self, lines: int) -> None:
        """Scroll the panels when the window is too short to show them all."""
        self.query_one("#main", VerticalScroll).scroll_relative(
            y=lines, animate=False, immediate=True
        )

    def action_breakpoints(self) -> None:
        from tui.screens.breakpoints_dialog import BreakpointsDialog

        def chosen(breakpoints: list[Breakpoint] | None) -> None:
            if breakpoints is not None:
                self.breakpoints = breakpoints

        self.open_dialog(BreakpointsDialog(self.breakpoints, self.session.d), chosen)

    def action_watches(self) -> None:
        from tui.screens.watches_dialog import WatchesDialog

        def chosen(watches: list[Expression] | None) -> None:
            if watches is not None:
                self.watches = watches
                self.refresh_views()

        self.open_dialog(WatchesDialog(self.watches, self.session.d), chosen)

    def action_edit(self) -> None:
        from tui.screens.edit_dialog import EditDialog

        def chosen(theta: np.ndarray | None) -> None:
            if theta is not None:
                self.session.edit(theta)
                self.notify(
                    f"θ set at step {self.session.t:,}; the later history is dropped", timeout=3
                )
                self.refresh_views()

        self.stop_run()
        session = self.session
        names = ["w"] if session.d == 1 else [f"w{j + 1}" for j in range(session.d)]
        self.open_dialog(EditDialog([*names, "b"], session.theta().tolist()), chosen)

    def action_export(self) -> None:
        from tui.screens.file_dialog import FileDialog

        def chosen(path: str | None) -> None:
            if path is None:
                return
            from tui import sessionfile

            try:
                written = sessionfile.export_csv(self.session, path, self.watches)
            except InputError as error:
                self.notify(str(error), title="Export failed", severity="error")
                return
            self.notify(f"Wrote steps 0…{self.session.t:,} to {written}", timeout=4)

        self.open_dialog(FileDialog("Export the trace so far (CSV)", "gdstep-trace.csv"), chosen)

    def action_save(self, then: Callable[[], object] | None = None) -> None:
        """Save the session to a file named in a dialog; then, if saved, call `then`."""
        from tui.screens.file_dialog import FileDialog

        def chosen(path: str | None) -> None:
            if path is None:
                return
            from tui import sessionfile

            source = self.source
            try:
                written = sessionfile.save(
                    path,
                    self.session,
                    source.spec,
                    source.target,
                    source.standardize,
                    [(b.expression.text, b.enabled) for b in self.breakpoints],
                    [w.text for w in self.watches],
                )
            except InputError as error:
                self.notify(str(error), title="Save failed", severity="error")
                return
            self.mark_saved()
            self.notify(
                f"Saved the session at step {self.session.t:,} to {written}; "
                f"reopen it with gdstep --session {written}",
                timeout=5,
            )
            if then is not None:
                then()

        self.stop_run()
        self.open_dialog(FileDialog("Save the session (JSON)", "gdstep-session.json"), chosen)

    def action_units(self) -> None:
        standardization = self.dataset.standardization
        if standardization is None:
            self.notify(
                "The data is not standardized: w and b are already in the file's own units "
                "(start with --standardize to rescale the features).",
                timeout=4,
            )
            return
        from tui.screens.units_screen import UnitsScreen

        session = self.session
        screen = UnitsScreen(standardization, session.w().tolist(), session.b(), session.t)
        self.open_dialog(screen)

    def action_help(self) -> None:
        from tui.screens.help_screen import HelpScreen

        self.open_dialog(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.action == "quit" or binding.action.startswith(("table(", "scroll_panels(")):
                continue  # Quit is in the palette already; the table scrolls with keys
            help_text = binding.tooltip or binding.description
            yield SystemCommand(
                binding.description,
                help_text,
                lambda action=binding.action: self.run_action(action),
            )

    # ---- runs -------------------------------------------------------------------------------
    def start_run(self, target: int | None) -> None:
        """Run to step `target` (None: until c again, a divergence or --max-steps)."""
        self.running = True
        self._run_worker = self._run(target)

    def stop_run(self) -> None:
        """Stop a run by hand (c, or any key that acts on the session), and say where."""
        if self.running:
            self.workers.cancel_group(self, "run")
            self._run_finished()
            self.notify(f"Run stopped at step {self.session.t:,}.", timeout=2)

    def _run_finished(self) -> None:
        self.running = False
        self.sub_title = self.dataset.name
        self.query_one(ProgressLine).remove_class("-running")
        self.refresh_views()

    @work(exclusive=True, group="run")
    async def _run(self, target: int | None) -> None:
        session = self.session
        goal = min(self.max_steps, self.max_steps if target is None else target)
        bar = self.query_one(ProgressLine)
        start = session.t
        bar.start(start, goal)
        bar.set_class(target is not None, "-running")
        self.sub_title = f"{self.dataset.name} · running (c to stop)"
        enabled = [b.expression for b in self.breakpoints if b.enabled]
        open_ended = target is None  # c stops where θ stops changing; g goes where it is told
        stop: str | None = "converged" if open_ended and session.converged else None
        per_call = 1
        overhead = 0.010  # the last refresh's cost: the engine gets the rest of the frame
        try:
            while stop is None and session.t < goal:
                frame_end = time.perf_counter() + FRAME - overhead
                while stop is None and session.t < goal and time.perf_counter() < frame_end:
                    t0, before = time.perf_counter(), session.t
                    stop = self._advance(session, enabled, min(before + per_call, goal), open_ended)
                    elapsed = max(time.perf_counter() - t0, 1e-9)
                    per_call = max(1, min(per_call * 2, int(per_call * CALL / elapsed)))
                    if stop is None and session.t == before:
                        stop = "diverged"
                refresh_start = time.perf_counter()
                bar.update(session.t)
                self.refresh_views()
                await asyncio.sleep(0.002)  # the screen refreshes here
                overhead = min(time.perf_counter() - refresh_start, FRAME / 2)
        finally:
            if self.session is session:
                self._run_finished()
        self._report_stop(session, stop if session.t < self.max_steps else stop or "limit")

    def _advance(
        self, session: Session, breakpoints: list[Expression], stop: int, at_fixed_point: bool
    ) -> str | None:
        """Updates up to step `stop`; why the run must end where it is (None: it goes on)."""
        from tui.expressions import first_hit

        before = session.t
        found = first_hit(session, breakpoints, before, stop)
        fixed = session.first_fixed_point(before) if at_fixed_point else None
        if fixed is not None:
            session.goto(fixed)
            return "converged"
        if found is not None:
            self._hit = found[1]
            return "breakpoint"
        if session.diverged and session.t == session.last:
            return "diverged"
        return None

    def _report_stop(self, session: Session, why: str | None) -> None:
        if why == "breakpoint":
            self.notify(
                f"Breakpoint at step {session.t:,}: {self._hit.text}", title="Breakpoint", timeout=6
            )
        elif why == "diverged" and session.diverged and session.t == session.last:
            self.notify_divergence()
        elif why == "converged":
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
        elif why == "limit":
            self.notify(f"Stopped at the step limit, {self.max_steps:,} (--max-steps).")

    def notify_divergence(self) -> None:
        session = self.session
        t = session.t
        lr = session.lr(t - 1)
        limit = self._curvatures.get(session.objective, session.theta(t - 1)).lr_limit
        suggestion = num(limit, 3) if limit < lr else num(lr / 10, 3)
        self.notify(
            f"Diverged at step {t:,} with η = {num(lr)}: the loss or θ is no longer finite. "
            f"Press b to step back, then try η < {suggestion}.",
            title="Diverged",
            severity="error",
            timeout=8,
        )

    # ---- nothing lost without asking ----------------------------------------------------------
    def _work(self) -> tuple:
        """What the user made that a saved session keeps: the step and the history (None for
        a session still at step 0 with nothing computed or changed), the breakpoints and the
        watches. The data set is one key away, and not counted."""
        session = self.session
        fresh = session.last == 0 and not session.events
        history = None if fresh else (session, session.t, session.last, tuple(session.events))
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
        from tui.screens.confirm_dialog import Choice, ConfirmDialog, history_text

        session = self.session
        if not (session.last or session.events):
            then()
            return
        lr_changes = sum(event.kind == "lr" for event in session.events)
        dropped = history_text(session.last, lr_changes, len(session.events) - lr_changes)
        choices = [Choice(("y",), title.lower(), True), Choice(("n",), "cancel", False)]
        dialog = ConfirmDialog(title, f"{doing} drops {dropped}. {title}?", choices)
        self.open_dialog(dialog, lambda yes: then() if yes else None)

    def action_quit(self) -> None:
        """Quit at once when nothing is unsaved; else ask: save then quit, quit, or stay."""
        from tui.screens.confirm_dialog import Choice, ConfirmDialog

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

    # ---- Textual workarounds (tui.textual_adapter; README, Known issues) --------------------
    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, its input parser made to drop what it cannot read."""
        from tui.textual_adapter import guard_input_parser

        guard_input_parser()
        return super().get_driver_class()

    def action_command_palette(self) -> None:
        """Textual's command palette, with its page keys safe before it is laid out."""
        from tui.textual_adapter import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))
