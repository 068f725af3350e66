"""Restoring a checked session: its data, its configuration, its events replayed from step 0
(bit for bit), its breakpoints and watches."""

from __future__ import annotations

from collections.abc import Callable

from tui import data
from tui.config import ConfigError, check_targets, vs_config
from tui.data import DataError, Dataset
from tui.engine import session as engine_session
from tui.engine.race import Race
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
    """`checked`, then the session's events replayed up to its step."""
    dataset, session = checked(saved, max_steps)
    replay_base(saved, session)
    return dataset, session


def checked(saved: SavedSession, max_steps: int | None = None) -> tuple[Dataset, Session]:
    """Load the session's data and replay its events up to its step: the same states, bit for
    bit, as when it was saved (`replay_base`; this checks all it can first, without
    replaying). `max_steps` (the app's limit) refuses a session that goes
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
    return dataset, session


def replay_base(saved: SavedSession, session: Session) -> None:
    """The base run's events replayed up to its step (SessionFileError naming the event)."""
    try:
        session.replay(saved.events, saved.step)
    except ReplayError as e:
        where = "the session's" if e.index is None else f"events[{e.index}]:"
        raise SessionFileError(f"{saved.label}: {where} {e.problem}") from None


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


def restore_race(
    saved: SavedSession,
    max_steps: int | None = None,
    replaying: Callable[[], None] | None = None,
) -> tuple[Dataset, Race]:
    """`restore`, with compare mode's runs: each run's Config is the base's changed by its
    options (checked as `--vs` is), its events replayed up to its own step, bit for bit,
    within its share of the memory. Raises SessionFileError naming the run. Every run is
    checked before any is replayed, and `replaying` is called in between (a long replay is
    announced only once nothing is left to refuse)."""
    dataset, base = checked(saved, max_steps)
    share = engine_session.max_memory // (1 + len(saved.runs))
    runs = [
        _checked_run(saved, i, dataset, base.config, share, max_steps)
        for i in range(len(saved.runs))
    ]
    if replaying is not None:
        replaying()
    replay_base(saved, base)
    for i, (session, _) in enumerate(runs):
        _replay_run(saved, i, session)
    sessions = [base, *(session for session, _ in runs)]
    shared = max(session.t for session in sessions)
    for i, session in enumerate(sessions):
        if session.t < shared and not (session.diverged or session.full):
            where = "step" if i == 0 else f"runs[{i - 1}].step"
            raise SessionFileError(
                f"{saved.label}: {where} is {session.t}, short of the other runs' step "
                f"{shared}: compared runs go in lock-step, and only one that diverged stops short"
            )
    race = Race(base)
    for (session, label), run in zip(runs, saved.runs, strict=True):
        race.add(session, label, run.options)
    race.select(saved.selected_run)
    return dataset, race


def _checked_run(
    saved: SavedSession,
    i: int,
    dataset: Dataset,
    base: Config,
    memory: int,
    max_steps: int | None,
) -> tuple[Session, str]:
    """Run i of the saved runs, checked but not replayed yet, and its label."""
    run = saved.runs[i]
    name = f"{saved.label}: runs[{i}]"
    furthest = max([run.step, *(e.step for e in run.events)])
    if max_steps is not None and furthest > max_steps:
        raise SessionFileError(
            f"{name}: the run goes to step {furthest}, past the limit of {max_steps} steps"
        )
    try:
        config, label = vs_config(dataset, base, run.options)
    except ConfigError as e:
        raise SessionFileError(f"{name}.options: {e}") from None
    session = Session(dataset.x, dataset.y, config, memory=memory)
    if furthest > session.limit:
        raise SessionFileError(
            f"{name}: the run goes to step {furthest:,}, past its share of the memory limit, "
            f"{memory_text(memory)} (--max-memory), which holds {session.limit:,} steps"
        )
    return session, label


def _replay_run(saved: SavedSession, i: int, session: Session) -> None:
    """Run i's events replayed up to its step (SessionFileError naming the event)."""
    run = saved.runs[i]
    try:
        session.replay(run.events, run.step)
    except ReplayError as e:
        where = "" if e.index is None else f".events[{e.index}]"
        raise SessionFileError(f"{saved.label}: runs[{i}]{where}: {e.problem}") from None
