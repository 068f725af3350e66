"""Restoring a checked session: its data, its configuration, its events replayed from step 0
(bit for bit), its breakpoints and watches."""

from __future__ import annotations

from tui import data
from tui.config import ConfigError, check_targets
from tui.data import DataError, Dataset
from tui.engine.session import Config, ReplayError, Session, memory_text
from tui.expressions import Breakpoint, Expression, ExpressionError
from tui.expressions import parse as parse_expression
from tui.files.sessionfile.document import SavedSession, SessionFileError
from tui.files.sessionfile.write import data_digest
from tui.format import quoted


def config_of(saved: SavedSession) -> Config:
    """The Config of a saved session."""
    c = saved.config
    return Config(
        loss=c["loss"],
        reduction=c["reduction"],
        optimizer=c["optimizer"],
        lr=c["lr"],
        w0=tuple(c["w0"]),
        b0=c["b0"],
        batch_size=c["batch_size"],
        shuffle=c["shuffle"],
        seed=c["seed"],
    )


def restore(saved: SavedSession, max_steps: int | None = None) -> tuple[Dataset, Session]:
    """Load the session's data and replay its events up to its step: the same states, bit for
    bit, as when it was saved. `max_steps` (the app's limit) refuses a session that goes
    further, and so does the memory limit (`Session.limit`). Raises SessionFileError, naming
    the file, when the data set is missing or changed, the saved settings do not fit it, or an
    event cannot be made again where it says (past a divergence, an edit of the wrong size):
    nothing is moved or dropped."""
    label = saved.label
    furthest = max([saved.step, *(e.step for e in saved.events)])
    if max_steps is not None and furthest > max_steps:
        raise SessionFileError(
            f"{label}: the session goes to step {furthest}, past the limit of {max_steps} steps"
        )
    try:
        data.resolve(saved.data)
    except DataError as e:
        raise SessionFileError(f"{label}: the session's data set is missing: {e}") from None
    try:
        dataset = data.load(saved.data, target=saved.target, standardize=saved.standardize)
    except DataError as e:
        raise SessionFileError(f"{label}: the session's data set cannot be loaded: {e}") from None
    config = config_of(saved)
    try:
        check_targets(dataset, config.loss)
        session = Session(dataset.x, dataset.y, config)
    except (ConfigError, ValueError) as e:
        raise SessionFileError(f"{label}: the session does not fit its data set: {e}") from None
    if furthest > session.limit:
        raise SessionFileError(
            f"{label}: the session goes to step {furthest:,}, past the memory limit, "
            f"{memory_text(session.memory)} (--max-memory), which holds {session.limit:,} steps"
        )
    if saved.data_sha256 is not None and saved.data_sha256 != data_digest(
        session.objective.x, session.objective.y
    ):
        raise SessionFileError(
            f"{label}: the session's data set has changed since the session was saved: "
            f"{dataset.path}"
        )
    try:
        session.replay(saved.events, saved.step)
    except ReplayError as e:
        where = "the session's" if e.index is None else f"events[{e.index}]:"
        raise SessionFileError(f"{label}: {where} {e.problem}") from None
    return dataset, session


def expressions(saved: SavedSession, d: int) -> tuple[list[Breakpoint], list[Expression]]:
    """The session's breakpoints and watches, parsed for data with d features. Raises
    SessionFileError naming the file and the entry: `s.json: breakpoints[2]: …`."""

    def parse(text: str, name: str) -> Expression:
        try:
            return parse_expression(text, d)
        except ExpressionError as e:
            problem = str(e).partition("\n")[0]  # the line without the text and its ^^^
            raise SessionFileError(f"{saved.label}: {name} {quoted(text)}: {problem}") from None

    breakpoints = [
        Breakpoint(parse(text, f"breakpoints[{i}]"), enabled)
        for i, (text, enabled) in enumerate(saved.breakpoints)
    ]
    watches = [parse(text, f"watches[{i}]") for i, text in enumerate(saved.watches)]
    return breakpoints, watches
