"""Settings from the command line and from a sample's `# gdstep:` line, checked in one place.

Every value arrives as a string; the command line overrides the sample's recommendation,
which overrides the defaults (w₀ = b₀ = 0, η = 1, mse, mean, gd, 100 steps).
"""

from __future__ import annotations

import math
import re
import shlex

from tui.data import Dataset
from tui.engine.model import LOSSES, REDUCTIONS
from tui.engine.optimizers import OPTIMIZERS
from tui.engine.schedule import BATCHES, Batches, BatchSizeError, batch_size
from tui.engine.session import Config
from tui.errors import InputError
from tui.format import quoted

DEFAULT_STEPS = 100
SETTINGS = ("loss", "reduction", "optimizer", "lr", "w0", "b0", "batch_size", "steps")


class ConfigError(InputError):
    """A bad option value: the message names the option and what is wrong."""


def option(key: str) -> str:
    return "--" + key.replace("_", "-")


def parse_lr(text: str, key: str = "lr") -> float:
    """η: a finite number > 0."""
    value = parse_float(text, key)
    if not value > 0:
        raise ConfigError(f"{option(key)} must be a finite number > 0, not {quoted(text)}")
    return value


def parse_float(text: str, key: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{option(key)} must be a number, not {quoted(text)}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{option(key)} must be a finite number, not {quoted(text)}")
    return value


def parse_int(text: str, key: str, minimum: int) -> int:
    """A whole number: digits, or a power as people type a large count (1e30, 2.5e3, 10^30,
    10**30), read exactly, as an integer."""
    value = whole_number(text)
    if value is None:
        raise ConfigError(
            f"{option(key)} must be a whole number (such as 1000, 1e6 or 10^6), not {quoted(text)}"
        )
    if value < minimum:
        raise ConfigError(f"{option(key)} must be at least {minimum}, not {value}")
    return value


POWER = re.compile(r"([0-9]+)\s*(?:\^|\*\*)\s*([0-9]+)")
"""10^30, 10**30: a whole base to a whole exponent."""

MOST_DIGITS = 4300
"""The longest whole number read (Python's own limit for int(text))."""


def whole_number(text: str) -> int | None:
    """The whole number `text` writes, exactly (1e30 is 10**30, not the double 1e30), or None
    (not a whole number, or more than MOST_DIGITS digits long)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    if power := POWER.fullmatch(text):
        base, exponent = int(power[1]), int(power[2])
        if base > 1 and exponent * math.log10(base) >= MOST_DIGITS:
            return None
        return base**exponent
    from decimal import Decimal, InvalidOperation  # only for a count written as 1e6 or 2.5e3

    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.adjusted() >= MOST_DIGITS:
        return None
    return int(value) if value == value.to_integral_value() else None


MEMORY_UNITS = {
    **{"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6},
    **{"g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12},
}


def parse_memory(text: str, key: str = "max_memory") -> int:
    """A number of bytes, with an optional unit: 800M, 1.5G, 2GB, 1T, 500000000."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-z]*)\s*", text.lower())
    if match is None or match[2] not in MEMORY_UNITS:
        raise ConfigError(f"{option(key)} must be a size such as 800M or 2G, not {quoted(text)}")
    size = float(match[1]) * MEMORY_UNITS[match[2]]
    if not 1e6 <= size < 1e18:
        raise ConfigError(f"{option(key)} must be between 1M and 1e18 bytes, not {quoted(text)}")
    return int(size)


def parse_choice(text: str, key: str, choices: tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise ConfigError(f"{option(key)} must be one of {', '.join(choices)}, not {quoted(text)}")
    return value


def parse_w0(text: str, d: int) -> tuple[float, ...]:
    """One number for every feature, or d numbers separated by commas."""
    parts = text.split(",")
    if len(parts) not in (1, d):
        wanted = "1 number" if d == 1 else f"1 number or {d} (one per feature)"
        raise ConfigError(f"--w0 needs {wanted}, but {quoted(text)} has {len(parts)}")
    return tuple(parse_float(p, "w0") for p in parts)


def make_config(
    dataset: Dataset,
    given: dict[str, str | None],
    shuffle: bool = False,
    seed: str | None = None,
) -> tuple[Config, int]:
    """The run's Config and step count from command-line values (None: not given) over the
    sample's settings."""
    values = {k: v for k, v in dataset.settings.items() if k in SETTINGS}
    values.update({k: v for k, v in given.items() if v is not None})
    try:
        config, steps = _parse(values, dataset, shuffle, seed)
    except ConfigError as error:
        from_sample = [k for k in dataset.settings if k in SETTINGS and given.get(k) is None]
        if any(option(k) in str(error) for k in from_sample):
            raise ConfigError(f"{error} (in the settings of {dataset.name})") from None
        raise
    check_targets(dataset, config.loss)
    return config, steps


BATCH_SIZE_MESSAGES = {
    Batches.EVERY_POINT: "--optimizer gd uses every point; for batches use --optimizer "
    "minibatch --batch-size K",
    Batches.ONE_POINT: "--optimizer sgd uses one point a step; use minibatch for more",
    Batches.SIZED: "--optimizer minibatch needs --batch-size K",
}
"""What the command line says for each rule of tui.engine.schedule.batch_size."""


def _parse(
    values: dict[str, str], dataset: Dataset, shuffle: bool, seed: str | None
) -> tuple[Config, int]:
    optimizer = parse_choice(values.get("optimizer", "gd"), "optimizer", tuple(OPTIMIZERS))
    given = values.get("batch_size")
    try:
        size = batch_size(optimizer, None if given is None else parse_int(given, "batch_size", 1))
    except BatchSizeError as error:
        raise ConfigError(BATCH_SIZE_MESSAGES[error.rule]) from None
    config = Config(
        loss=parse_choice(values.get("loss", "mse"), "loss", tuple(LOSSES)),
        reduction=parse_choice(values.get("reduction", "mean"), "reduction", REDUCTIONS),
        optimizer=optimizer,
        lr=parse_lr(values.get("lr", "1")),
        w0=parse_w0(values.get("w0", "0"), dataset.d),
        b0=parse_float(values.get("b0", "0"), "b0"),
        batch_size=size,
        shuffle=shuffle,
        seed=0 if seed is None else parse_int(seed, "seed", 0),
    )
    steps = parse_int(values.get("steps", str(DEFAULT_STEPS)), "steps", 0)
    return config, steps


def check_targets(dataset: Dataset, loss: str) -> None:
    """`bce` needs 0 ≤ y ≤ 1 (raises); `mse` takes any y (with a note in `dataset.warnings`)."""
    if loss == "bce" and (outside := dataset.targets_outside()):
        raise ConfigError(f"{outside}; --loss bce needs every target in [0, 1]")


# ---- compare mode: the runs of `--vs` --------------------------------------------------------

VS_OPTIONS = ("lr", "optimizer", "batch_size", "shuffle", "seed", "loss", "reduction", "w0", "b0")
"""What a `--vs` run may change of the base run (the data and the step count are shared)."""


def vs_overrides(text: str) -> dict[str, str]:
    """The options of one `--vs` text, e.g. "--optimizer momentum --lr 0.5", as
    {key: value} (`shuffle` as "true"), in the order given. Raises ConfigError naming the
    text for an option outside VS_OPTIONS, a missing value, an option given twice or no
    option at all (the values are checked by vs_config)."""
    try:
        tokens = shlex.split(text)
    except ValueError as error:
        raise ConfigError(f"--vs {quoted(text)}: {error}") from None
    given: dict[str, str] = {}
    tokens.reverse()
    while tokens:
        token = tokens.pop()
        name, equals, value = token.partition("=")
        key = name[2:].replace("-", "_") if name.startswith("--") else ""
        if key not in VS_OPTIONS:
            allowed = ", ".join(option(k) for k in VS_OPTIONS)
            raise ConfigError(f"--vs {quoted(text)}: {quoted(token)} is not one of {allowed}")
        if key in given:
            raise ConfigError(f"--vs {quoted(text)}: {option(key)} is given twice")
        if key == "shuffle":
            if equals:
                raise ConfigError(f"--vs {quoted(text)}: --shuffle takes no value")
            value = "true"
        elif not equals:
            if not tokens:
                raise ConfigError(f"--vs {quoted(text)}: {option(key)} needs a value")
            value = tokens.pop()
        given[key] = value
    if not given:
        raise ConfigError(f"--vs {quoted(text)}: give at least one option, e.g. --lr 0.5")
    return given


def given_of(config: Config) -> dict[str, str | None]:
    """A Config as the command-line values that make it again (every double by its repr)."""
    return {
        "loss": config.loss,
        "reduction": config.reduction,
        "optimizer": config.optimizer,
        "lr": repr(config.lr),
        "w0": ",".join(map(repr, config.w0)),
        "b0": repr(config.b0),
        "batch_size": None if config.batch_size is None else str(config.batch_size),
    }


def vs_config(dataset: Dataset, base: Config, text: str) -> tuple[Config, str]:
    """The Config of a `--vs` run: the base run's options overridden by the text's, checked
    as the command line checks them (an error names the text), and the run's label, its
    overriding options. A run that changes --optimizer to one that takes no batch size (gd,
    sgd) leaves the base's --batch-size behind."""
    overrides = vs_overrides(text)
    given = given_of(base)
    optimizer = overrides.get("optimizer", "").strip().lower()
    if BATCHES.get(optimizer) in (Batches.EVERY_POINT, Batches.ONE_POINT):
        given["batch_size"] = None
    given.update({k: v for k, v in overrides.items() if k not in ("shuffle", "seed")})
    shuffle = base.shuffle or "shuffle" in overrides
    try:
        config, _ = make_config(
            dataset, given, shuffle=shuffle, seed=overrides.get("seed", str(base.seed))
        )
    except ConfigError as error:
        raise ConfigError(f"--vs {quoted(text)}: {error}") from None
    return config, label_of(overrides)


def label_of(overrides: dict[str, str]) -> str:
    """A run's label: its overriding options as typed, e.g. `--optimizer momentum --lr 0.5`."""
    return " ".join(
        option(k) if k == "shuffle" else f"{option(k)} {v}" for k, v in overrides.items()
    )
