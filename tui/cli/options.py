"""The options the app, `gdstep trace` and `gdstep serve` share, and what they make of them:
argparse that refuses in one line (UsageError), the run options, the Run they describe (its
dataset, Config, expressions and the runs of compare mode) and its sessions within a memory
budget."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui import data
from tui.config import make_config, vs_config
from tui.data import Dataset
from tui.engine import session as engine_session
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.race import MAX_RUNS
from tui.engine.session import Config, Session, memory_text

if TYPE_CHECKING:
    from tui.expressions import Expression


class UsageError(Exception):
    """A command line that argparse refuses."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line on stderr and exit status 2, via UsageError."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by the app and `trace` (values are checked by tui.config)."""
    g = parser.add_argument_group("run")
    g.add_argument("--lr", metavar="ETA", help="learning rate η, a number > 0 (default 1)")
    g.add_argument("--w0", metavar="W", help="starting w: one number, or d separated by commas")
    g.add_argument("--b0", metavar="B", help="starting b (default 0)")
    g.add_argument("--loss", metavar="mse|bce", help="loss: mse (½(ŷ−y)², default) or bce")
    g.add_argument("--reduction", metavar="mean|sum", help="mean (default) or sum over points")
    g.add_argument("--optimizer", metavar="NAME", help="|".join(OPTIMIZERS) + " (default gd)")
    g.add_argument("--batch-size", metavar="K", help="points per update (minibatch, momentum, …)")
    g.add_argument("--shuffle", action="store_true", help="a fresh order of points each epoch")
    g.add_argument("--seed", metavar="S", help="seed of the shuffle (default 0)")
    g.add_argument(
        "--break",
        dest="breaks",
        metavar="EXPR",
        action="append",
        default=[],
        help="stop at the first step where EXPR holds, e.g. 'loss < 1e-3' (repeatable)",
    )
    g.add_argument(
        "--watch",
        dest="watches",
        metavar="EXPR",
        action="append",
        default=[],
        help="show EXPR at every step, e.g. 'dloss' (repeatable)",
    )
    g.add_argument(
        "--vs",
        dest="vs",
        metavar="OPTIONS",
        action="append",
        default=[],
        help="compare mode: one more run, the base run's options changed by OPTIONS, e.g. "
        "--vs '--optimizer momentum' (any of --lr --optimizer --batch-size --shuffle --seed "
        f"--loss --reduction --w0 --b0; at most {MAX_RUNS - 1} --vs)",
    )
    d = parser.add_argument_group("data")
    d.add_argument("--target", metavar="NAME", help="the target column (default: the last)")
    d.add_argument(
        "--standardize", action="store_true", help="rescale each feature to mean 0, std 1"
    )


@dataclass(frozen=True)
class Run:
    dataset: Dataset
    config: Config
    steps: int
    breakpoints: list[Expression]
    watches: list[Expression]
    others: list[Other] = ()


@dataclass(frozen=True)
class Other:
    """A run of compare mode besides the base: its Config, label and `--vs` text."""

    config: Config
    label: str
    text: str


def prepare(args: argparse.Namespace) -> Run:
    """Load the data and check the options (what was changed on the way is in
    `dataset.warnings`: the trace prints them, the app shows them)."""
    dataset = data.load(args.data, target=args.target, standardize=args.standardize)
    given = {
        "loss": args.loss,
        "reduction": args.reduction,
        "optimizer": args.optimizer,
        "lr": args.lr,
        "w0": args.w0,
        "b0": args.b0,
        "batch_size": args.batch_size,
        "steps": getattr(args, "steps", None),
    }
    config, steps = make_config(dataset, given, shuffle=args.shuffle, seed=args.seed)
    if len(args.vs) >= MAX_RUNS:
        raise UsageError(f"at most {MAX_RUNS - 1} --vs (four runs in all), not {len(args.vs)}")
    others = [Other(*vs_config(dataset, config, text), text) for text in args.vs]
    return Run(
        dataset,
        config,
        steps,
        expressions(args.breaks, dataset.d),
        expressions(args.watches, dataset.d),
        others,
    )


def expressions(texts: list[str], d: int) -> list[Expression]:
    if not texts:
        return []
    from tui.expressions import parse

    return [parse(text, d) for text in texts]


def note(message: str) -> None:
    print(f"gdstep: {message}", file=sys.stderr)


def race_sessions(run: Run, memory: int | None = None) -> list[Session]:
    """The base run's session, then one per `--vs`, each with its share of the memory
    (`memory`, else the process's budget)."""
    configs = [run.config, *(other.config for other in run.others)]
    share = (engine_session.max_memory if memory is None else memory) // len(configs)
    sessions = [Session(run.dataset.x, run.dataset.y, c, memory=share) for c in configs]
    for index, session in enumerate(sessions):
        session.run = index
    return sessions


MIN_ROOM = 1000
"""Steps the app's history must hold within --max-memory, or the budget is refused at the
start (a run that could not take a step would be of no use)."""


def check_room(sessions: list[Session], dataset: Dataset) -> None:
    """UsageError when a session's history holds fewer than MIN_ROOM steps within its
    memory budget, naming the smallest --max-memory that holds them."""
    if all(session.capacity >= MIN_ROOM for session in sessions):
        return
    least = len(sessions) * max(session.history.min_memory(MIN_ROOM + 1) for session in sessions)
    optimizers = " and ".join(dict.fromkeys(s.config.optimizer for s in sessions))
    room = min(session.capacity for session in sessions)
    raise UsageError(
        f"--max-memory {memory_text(sum(s.memory for s in sessions))} holds only "
        f"{room:,} steps of {dataset.name} with {optimizers}: it needs at least "
        f"{memory_text(least)}"
    )


def refuse_with_session(
    args: argparse.Namespace, parser: argparse.ArgumentParser, allowed: Sequence[str]
) -> None:
    """UsageError naming the options given beside --session other than `allowed`: a saved
    session replays its data, run options and expressions as they were, so DATA, --lr, --vs,
    --break … would be ignored without a word."""
    given = [
        dest
        for dest, value in vars(args).items()
        if dest != "session" and dest not in allowed and value != parser.get_default(dest)
    ]
    if given:
        names = ", ".join(("DATA" if o == "data" else "--" + o.replace("_", "-")) for o in given)
        raise UsageError(f"--session replays the saved run as it was: {names} cannot go with it")
