"""The command line: `gdstep [DATA]` (the app), `gdstep trace DATA`, `gdstep samples`."""

from __future__ import annotations

import argparse
import codecs
import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import tui
from tui import data
from tui.cli.options import (
    Parser,
    UsageError,
    add_run_options,
    check_room,
    note,
    prepare,
    race_sessions,
    refuse_with_session,
)
from tui.cli.trace_command import trace_main
from tui.config import parse_int, parse_memory
from tui.engine import session as engine_session
from tui.errors import InputError
from tui.format import quoted

if TYPE_CHECKING:
    from tui.app import GdstepApp

EXIT_BAD_INPUT = 2
DEFAULT_MAX_STEPS = 10_000_000
NUMBER_OPTIONS = {
    "--lr",
    "--w0",
    "--b0",
    "--steps",
    "--every",
    "--batch-size",
    "--seed",
    "--max-steps",
    "--max-memory",
}
"""Options whose value may start with a minus sign: `--max-memory -5M` is refused by its
check (a size must be positive), not by argparse ("expected one argument")."""


def app_parser() -> Parser:
    parser = Parser(
        prog="gdstep",
        description="A terminal step-through debugger for gradient descent on a sigmoid "
        "neuron ŷ = σ(w·x + b).",
        epilog="commands:\n"
        "  gdstep [DATA] [options]        open the debugger (DATA: a CSV or a sample; "
        "default seed)\n"
        "  gdstep trace DATA [options]    print the trajectory (see gdstep trace --help)\n"
        "  gdstep samples                 list the bundled samples\n"
        "  gdstep serve [DATA] [options]  serve the debugger to browsers "
        "(see gdstep serve --help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", nargs="?", default="seed", metavar="DATA")
    parser.add_argument("--version", action="version", version=f"gdstep {tui.__version__}")
    add_run_options(parser)
    add_app_options(parser)
    # Given by `gdstep serve` to each app it serves: what `o` may open (tui.serve).
    parser.add_argument("--data-dir", metavar="DIR", help=argparse.SUPPRESS)
    return parser


def add_app_options(parser: argparse.ArgumentParser) -> None:
    """The options of the app that `gdstep serve` passes on to every app it serves."""
    parser.add_argument("--session", metavar="FILE", help="reopen a session saved with S")
    parser.add_argument(
        "--max-steps",
        metavar="N",
        default=str(DEFAULT_MAX_STEPS),
        help=f"where a run (c) stops at the latest (default {DEFAULT_MAX_STEPS:,})",
    )
    parser.add_argument(
        "--max-memory",
        metavar="SIZE",
        help="the history's memory limit, e.g. 800M or 2G (default: a quarter of the RAM); "
        "a run stops before it",
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="the colours: gdstep-light for a projector or a bright room, textual-dark "
        "(the default), or another theme of ctrl+p → Theme",
    )


APP_OPTIONS = ("max_steps", "max_memory", "theme", "data_dir")
"""What the app takes beside --session: how far and in what memory it runs, and its looks."""


def samples_main(argv: Sequence[str]) -> int:
    Parser(prog="gdstep samples", description="List the bundled samples.").parse_args(argv)
    rows = [data.load(name) for name in data.sample_names()]
    width = max(len(d.name) for d in rows)
    print(f"{'name':<{width}}  {'rows':>5}  {'features':>8}  description")
    for d in rows:
        print(f"{d.name:<{width}}  {d.n:>5}  {d.d:>8}  {d.description}")
    return 0


WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
"""The driver that textual-serve names in TEXTUAL_DRIVER for the apps it serves."""


def served() -> bool:
    """Whether this process is an app that textual-serve runs for a browser (on pipes)."""
    return os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


def app_main(argv: Sequence[str]) -> int:
    from tui.app.themes import check_theme

    args = app_parser().parse_args(argv)
    max_steps = parse_int(args.max_steps, "max_steps", 1)
    if args.max_memory is not None:
        engine_session.max_memory = parse_memory(args.max_memory)
    theme = None if args.theme is None else check_theme(args.theme)
    if args.session:
        refuse_with_session(args, app_parser(), APP_OPTIONS)
    app = reopen(args.session, max_steps) if args.session else new_app(args, max_steps)
    if theme is not None:
        app.theme = theme
    if served():
        from tui.app import Served

        app.served = Served(None if args.data_dir is None else Path(args.data_dir))
        return run_app(app)
    if not sys.stdin.isatty():
        raise UsageError("the debugger needs a terminal; for a headless run use `gdstep trace`")
    if not sys.stderr.isatty():
        raise UsageError(
            "the debugger draws on stderr, which is redirected here: leave stderr on the "
            "terminal, or use `gdstep trace` for a headless run"
        )
    return run_app(app)


def run_app(app: GdstepApp) -> int:
    """Run the app; a bug inside it ends with exit status 1 and one line on stderr that says
    where the full traceback was written (Textual would print it over the shell and exit 0)."""
    from rich.console import Console

    report = io.StringIO()
    app.error_console = Console(file=report, width=120, color_system=None, markup=False)
    app.run()
    if not app.return_code:
        return 0
    path = write_crash_report(report.getvalue())
    print(f"gdstep: internal error: the app stopped; the traceback is in {path}", file=sys.stderr)
    return 1


def write_crash_report(text: str) -> str:
    """Save a traceback under $XDG_STATE_HOME/gdstep (else ~/.local/state/gdstep, else the
    temporary directory); returns the path written, or a note that nothing could be."""
    import tempfile
    import time

    from tui.files.safe import FileError, write_atomic

    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for directory in (os.path.join(state, "gdstep"), tempfile.gettempdir()):
        try:
            os.makedirs(directory, exist_ok=True)
            return str(write_atomic(os.path.join(directory, name), text))
        except (OSError, FileError):
            continue
    return "(nowhere: no directory could be written)"


def new_app(args: argparse.Namespace, max_steps: int) -> GdstepApp:
    from tui.app import GdstepApp, Source
    from tui.engine.race import Race
    from tui.expressions import Breakpoint

    run = prepare(args)
    sessions = race_sessions(run)
    check_room(sessions, run.dataset)
    race = Race(sessions[0])
    for other, session in zip(run.others, sessions[1:], strict=True):
        race.add(session, other.label, other.text)
    return GdstepApp(
        run.dataset,
        run.config,
        max_steps,
        race=race,
        source=Source(args.data, args.target, args.standardize),
        breakpoints=[Breakpoint(e) for e in run.breakpoints],
        watches=run.watches,
    )


def reopen(path: str, max_steps: int) -> GdstepApp:
    """The app on a saved session, at its step, with its breakpoints and watches."""
    from tui.app import GdstepApp, Source
    from tui.files import sessionfile

    saved = sessionfile.load(path)
    furthest = max([saved.step, *(event.step for event in saved.events)])

    def replaying() -> None:
        if furthest >= REPLAY_NOTICE:
            note(f"replaying {furthest:,} steps to reopen {saved.label} …")

    dataset, race = sessionfile.restore_race(saved, max_steps, replaying)
    breakpoints, watches = sessionfile.expressions(saved, dataset.d)
    return GdstepApp(
        dataset,
        race.base.config,
        max_steps,
        race=race,
        source=Source(saved.data, saved.target, saved.standardize),
        breakpoints=breakpoints,
        watches=watches,
    )


REPLAY_NOTICE = 10_000
"""From this many steps, reopening a session says that it is replaying them (it takes a while)."""


TEXT_OPTIONS = {"--vs"}
"""Options whose value is itself options (`--vs --shuffle`): the next token is always it."""


def join_option_values(argv: Sequence[str]) -> list[str]:
    """`--w0 -1,-2` as `--w0=-1,-2` and `--vs --shuffle` as `--vs=--shuffle`: argparse would
    take `-1,-2` and `--shuffle` for options."""
    out: list[str] = []
    for token in argv:
        if out and (
            out[-1] in TEXT_OPTIONS or (out[-1] in NUMBER_OPTIONS and re.match(r"-[\d.]", token))
        ):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def dispatch(argv: Sequence[str]) -> int:
    argv = join_option_values(argv)
    if argv and argv[0] == "trace":
        return trace_main(argv[1:])
    if argv and argv[0] == "samples":
        return samples_main(argv[1:])
    if argv and argv[0] == "serve":
        from tui.serve import serve_main

        return serve_main(argv[1:])
    return app_main(argv)


ASCII = {
    "η": "eta", "σ": "sigma", "θ": "theta", "β": "beta", "λ": "lambda", "μ": "mu",
    "α": "alpha", "ε": "eps", "Σ": "sum", "Δ": "d", "∇": "grad", "∂": "d", "ŷ": "y_hat",
    "½": "1/2", "²": "^2", "₀": "0", "₁": "1", "₂": "2", "−": "-", "–": "-", "—": "-",
    "…": "...", "·": "*", "×": "x", "≤": "<=", "≥": ">=", "≈": "~", "→": "->", "←": "<-",
    "‖": "||", "‘": "'", "’": "'", "“": '"', "”": '"',
}  # fmt: skip
"""How text is written on a terminal that cannot show these characters (LC_ALL=C)."""


def _in_ascii(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: the ASCII spelling of each character, else its escape."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(ASCII.get(c) or c.encode("ascii", "backslashreplace").decode() for c in text), (
        error.end
    )


codecs.register_error("gdstep-ascii", _in_ascii)


def spell_out_where_needed(stream: TextIO) -> None:
    """Let a stream that cannot encode η (an ASCII locale) write `eta` instead of failing."""
    try:
        "ηŷ½−…".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="gdstep-ascii")


def main(argv: Sequence[str] | None = None) -> int:
    """Run gdstep; bad input is one line on stderr and exit status 2, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    spell_out_where_needed(sys.stdout)
    spell_out_where_needed(sys.stderr)
    try:
        return dispatch(argv)
    except (UsageError, InputError) as error:
        print(f"gdstep: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `head`) went away: stop quietly, without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # the last guard: a bug must not show a traceback
        if os.environ.get("GDSTEP_DEBUG"):
            raise
        import traceback

        path = write_crash_report(traceback.format_exc())
        print(
            f"gdstep: internal error: {type(error).__name__}: {quoted(str(error))[1:-1]}; "
            f"the traceback is in {path}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    # `python -m tui` runs this file as __main__; the command line is tui.__main__ (which
    # `gdstep serve` imports too), so that its exceptions are the ones main catches.
    from tui.__main__ import main as gdstep_main

    sys.exit(gdstep_main())
