"""The gdstep app: the engine's state on screen, keys turned into calls on the session.

GdstepApp is made of one class per concern: the keys (bindings.py, keys.py), runs
(runs.py), step into (step_into.py), the direction dial (dial.py), dialogs (dialogs.py), files
and confirmations (keeping.py); here, the layout and the view, which every panel re-reads
from the session."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import Reactive
from textual.widgets import Footer, Header, Static

from tui.app.plots.plot_panel import PlotPanel
from tui.app.widgets.compare_panel import ComparePanel
from tui.app.widgets.dial_panel import DialPanel
from tui.app.widgets.point_table import PointTable
from tui.app.widgets.progress_line import ProgressLine
from tui.app.widgets.state_panel import StatePanel
from tui.app.widgets.taylor_panel import TaylorPanel
from tui.app.widgets.update_panel import UpdatePanel
from tui.app.widgets.watch_panel import WatchPanel
from tui.data import Dataset
from tui.engine.diagnostics import CurvatureCache, Diagnostics, diagnose
from tui.engine.race import Race
from tui.engine.session import Config, Session
from tui.format import Precision, precision

if TYPE_CHECKING:
    from tui.app.app import GdstepApp
    from tui.expressions import Breakpoint, Expression

from tui.app.bindings import APP_BINDINGS, MAIN_SCREEN_ACTIONS, Palette
from tui.app.compare import Compare
from tui.app.dial import DialMode
from tui.app.dialogs import Dialogs
from tui.app.keeping import Keeping, Source
from tui.app.keys import KeyBursts
from tui.app.runs import Runs
from tui.app.step_into import StepInto, SteppedInto
from tui.app.themes import BROWSER_ICON, GDSTEP_LIGHT, LIGHT_ANSI

MIN_WIDTH, MIN_HEIGHT = 60, 16
"""Below this terminal size the app asks for a larger window instead of drawing its panels."""

SIDE_BY_SIDE = 80
"""From this terminal width the plot sits beside the state and Taylor panels; below it, under
them at the full width (beside them it would be a few columns wide)."""

SLOW_INTERVAL = 1.0
"""While a run goes on, the panels other than the state panel redraw at most this often
(seconds)."""

BORDER_TITLES = {
    "#state": "state at step t",
    "#taylor": "why the step lowers L (Taylor)",
    "#plot": "plot (t: cycle, l: log)",
    "#update": "the batch gradient g = (Δw, Δb) and the coming update",
    "#watches": "watches (W)",
    "#compare": "runs at step t (tab: select, a: add, A: remove)",
}

BACKGROUND_DIAGNOSTICS = 200_000
"""From this many numbers in the data (N·d), ∇L and H are computed off the UI thread."""


class GdstepApp(KeyBursts, Runs, StepInto, DialMode, Dialogs, Keeping, Compare, Palette, App[None]):
    """A sigmoid neuron learning one keypress at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "gdstep"
    ansi_theme_light = Reactive(LIGHT_ANSI, init=False)  # see tui.app.themes
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        dataset: Dataset,
        config: Config,
        max_steps: int = 10_000_000,
        *,
        session: Session | None = None,
        race: Race | None = None,
        source: Source | None = None,
        breakpoints: Iterable[Breakpoint] = (),
        watches: Iterable[Expression] = (),
    ) -> None:
        super().__init__()
        self.register_theme(GDSTEP_LIGHT)
        self._after_delivery = {}  # see Keeping.deliver
        self.dataset = dataset
        # Compare mode's runs (tui.engine.race); `session` is the selected one's.
        self.race = race or Race(session or Session(dataset.x, dataset.y, config))
        self.source = source or Source(dataset.name)
        self.breakpoints = list(breakpoints)
        self.watches = list(watches)
        self.max_steps = max_steps
        self.into: SteppedInto | None = None
        self.precision = Precision.ROUNDED  # how every panel writes numbers (p switches)
        self.running = False
        self._refresh_pending = False
        self._steps_due = 0  # n presses not yet taken (see take_steps)
        self._early_keys: list[events.Key] | None = None  # held while a dialog opens
        self._diagnostics: tuple[tuple, Diagnostics] | None = None
        self.curvatures = CurvatureCache()
        self._last_slow = 0.0
        self._slow_timer = None
        self.state_panel = StatePanel(id="state")
        self.taylor_panel = TaylorPanel(id="taylor")
        self.dial_panel = DialPanel(id="dial")
        self.watch_panel = WatchPanel(id="watches")
        self.plot_panel = PlotPanel(id="plot")
        self.point_table = PointTable(id="table")
        self.point_table.can_focus = False  # keys go straight to the app, which scrolls it
        self.update_panel = UpdatePanel(id="update")
        self.compare_panel = ComparePanel(id="compare")

    def compose(self) -> ComposeResult:
        self.mark_saved()  # the session as it starts has nothing to lose
        # The browser's fonts lack Textual's ⭘; a terminal keeps Textual's own icon.
        yield Header(icon=BROWSER_ICON if self.served is not None else None)
        # Never focused, so that arrows and page keys always reach the app (the table).
        with VerticalScroll(id="main", can_focus=False):
            with Horizontal(id="top"):
                with Vertical(id="info"):
                    yield self.state_panel
                    yield self.taylor_panel
                    yield self.dial_panel
                    yield self.watch_panel
                yield self.plot_panel
            yield self.compare_panel
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
        if action.startswith("dial_") and self.dialing_now() is None:
            return False  # the dial's keys (← → …) are the usual ones when it is off
        if len(self.screen_stack) > 1 and action in MAIN_SCREEN_ACTIONS:
            return None  # disabled, yet still listed (the help screen lists them)
        return True

    async def on_event(self, event: events.Event) -> None:
        """Every key, action and callback of the app (the notifications they give, the
        dialogs they open) writes numbers with the app's precision."""
        with precision(self.precision):
            await super().on_event(event)

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
        self.leave_stale_dial()
        session = self.session
        diagnostics = self.diagnostics() if not self.running else None
        with precision(self.precision):
            self.state_panel.show(session, self.dataset, diagnostics)
            self.compare_panel.display = self.comparing
            title = BORDER_TITLES["#state"]
            if self.comparing:
                self.compare_panel.show(self.race, self.current_theme.dark)
                runner = self.race.runners[self.race.selected]
                title += f" · run {self.race.selected} ({runner.label})"
            self.state_panel.border_title = title
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
            bounds = None if diagnostics is None else diagnostics.grad_bounds
            self.update_panel.show(session, into, bounds)
            self.taylor_panel.show(session, diagnostics)
            self.watch_panel.show(session, self.watches)
            dialled = self.sync_dial()
            self.dial_panel.show(session, dialled)
            self.plot_panel.show(session, self.dataset, dialled, self.race)
        elif self._slow_timer is None:
            self._slow_timer = self.set_timer(wait, self._slow_timer_fired)

    def _slow_timer_fired(self) -> None:
        self._slow_timer = None
        self._last_slow = 0.0  # due now, running or not
        with precision(self.precision):
            self._show_slow()

    def diagnostics(self) -> Diagnostics | None:
        """The Taylor quantities of the current step; for big data, None until a worker has
        them (the step itself shows at once)."""
        session = self.session
        t = session.t
        # What diagnose reads: the session (held, not its id), θ at t and t − 1, whether θ_t
        # was set by hand and the η of the last update, so that an edit, an η change or
        # another data set never shows the numbers of an older state.
        before = session.theta(t - 1).tobytes() if t else None
        key = (session, t, session.theta(t).tobytes(), before, session.edited_at(t))
        key += (session.lr(t - 1) if t else None, session.direction_at(t))
        if self._diagnostics is not None and self._diagnostics[0] == key:
            return self._diagnostics[1]
        if session.n * session.d < BACKGROUND_DIAGNOSTICS:
            self._diagnostics = (key, diagnose(session, cache=self.curvatures))
            return self._diagnostics[1]
        # Started after the next refresh, so that the step itself shows first.
        self.call_after_refresh(self._diagnose_in_background, session, key)
        return None

    @work(thread=True, exclusive=True, group="diagnostics")
    def _diagnose_in_background(self, session: Session, key: tuple) -> None:
        result = diagnose(session, key[1], self.curvatures)
        self.call_from_thread(self._diagnosed, key, result)

    def _diagnosed(self, key: tuple, result: Diagnostics) -> None:
        self._diagnostics = (key, result)
        self.refresh_views()

    def action_back(self) -> None:
        self.stop_run()
        self.race.back()
        self.refresh_views()

    def action_cycle_plot(self) -> None:
        if self.cycle_dial_plot():
            return
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

    def action_toggle_precision(self) -> None:
        """Every number on screen with 6 significant figures, or exact (shortest repr): one
        setting of the app, and every panel drawn again with it."""
        self.precision = self.precision.other()
        self.screen_stack[0].set_class(self.precision is Precision.EXACT, "-exact")
        self._last_slow = 0.0  # all the panels now, even during a run
        self.refresh_views()
        self.notify(f"Numbers: {self.precision.value} (p switches back)", timeout=3)

    def action_toggle_factors(self) -> None:
        """Show or hide the chain rule's factor columns in the point table."""
        self.point_table.toggle_factors()
