"""`gdstep trace`: the exact trajectory on stdout, what happened on the way on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.cli.options import (
    Parser,
    UsageError,
    add_run_options,
    note,
    prepare,
    race_sessions,
    refuse_with_session,
)
from tui.config import parse_int
from tui.data import Dataset
from tui.engine.session import Session

if TYPE_CHECKING:
    from tui.files.trace import Stop

EXIT_DIVERGED = 3


def trace_parser() -> Parser:
    parser = Parser(
        prog="gdstep trace",
        description="Print the exact trajectory, one row per state: "
        "step,w,b,loss,dw,db (w1…wd, dw1…dwd when d > 1). Floats are Python's repr. "
        "With --vs (compare mode) a first column `run` (0: the base run) and, for each step, "
        "every run's row in turn.",
    )
    parser.add_argument("data", nargs="?", metavar="DATA", help="a CSV file or a sample name")
    add_run_options(parser)
    parser.add_argument(
        "--session",
        metavar="FILE",
        help="instead of DATA and the run options: the states 0 … step of a session saved "
        "with S, with a column `event` naming each change made by hand",
    )
    parser.add_argument("--steps", metavar="N", help="updates to make (default 100)")
    parser.add_argument("--every", metavar="K", default="1", help="print every K-th state")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    return parser


def trace_main(argv: Sequence[str]) -> int:
    from tui.files import trace

    args = trace_parser().parse_args(argv)
    every = parse_int(args.every, "every", 1)
    if args.session is not None:
        return trace_session(args, every)
    if args.data is None:
        raise UsageError("give DATA (a CSV file or a sample name) or --session FILE")
    run = prepare(args)
    for warning in run.dataset.warnings:
        note(warning)
    sessions = race_sessions(run)
    stops = trace.write_runs(
        sessions,
        run.steps,
        sys.stdout,
        every=every,
        fmt=args.format,
        breakpoints=run.breakpoints,
        watches=run.watches,
    )
    sys.stdout.flush()
    labels = ["", *(f"run {i} ({other.label}): " for i, other in enumerate(run.others, 1))]
    if run.others:
        labels[0] = "run 0 (base): "
    diverged = [
        trace_notes(session, stop, label, run.dataset)
        for session, stop, label in zip(sessions, stops, labels, strict=True)
    ]
    return EXIT_DIVERGED if any(diverged) else 0


def trace_notes(session: Session, stop: Stop, label: str, dataset: Dataset) -> bool:
    """What the trace says on stderr about one run's end (`label` names the run in compare
    mode); True when the run diverged."""
    if (standardization := dataset.standardization) is not None:
        model = standardization.describe_model(session.w(stop.step), session.b(stop.step))
        note(f"{label}at step {stop.step} in the file's own units: {model}")
    if stop.breakpoint is not None:
        note(f"{label}stopped at step {stop.step}: breakpoint '{stop.breakpoint.text}' holds")
    elif session.diverged and stop.step == session.last:
        note(
            f"{label}diverged at step {stop.step} with η = {session.lr(stop.step - 1)!r}: the "
            "loss or θ is no longer finite; try a smaller --lr"
        )
        return True
    elif stop.cycle is not None:
        k, period = stop.cycle
        note(
            f"{label}from step {k - period} on the run repeats {period} states for ever: "
            f"θ_{k} = θ_{k - period} bit for bit, with the same optimizer state "
            f"(break at it with --break 'period == {period}')"
        )
    return False


def trace_session(args: argparse.Namespace, every: int) -> int:
    """`gdstep trace --session FILE`: the saved session replayed, its states 0 … its step."""
    from tui.files import sessionfile, trace

    refuse_with_session(args, trace_parser(), ("every", "format"))
    saved = sessionfile.load(args.session)
    _, race = sessionfile.restore_race(saved)
    steps = [session.t for session in race.sessions]
    sys.stdout.writelines(trace.lines_of_runs(race.sessions, steps, every, args.format))
    return 0
