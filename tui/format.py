"""How numbers and quoted text are written on screen: compact, aligned, and exact where it
matters; text from files never reaches the terminal raw."""

from __future__ import annotations

import math
from collections.abc import Sequence


def num(value: float, digits: int = 6) -> str:
    """A float with `digits` significant digits, or its exact shortest form when that is no
    longer (1e-320, not 9.99989e-321); nan and ±inf spelled out, −0 written 0."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    value += 0.0  # −0.0 becomes 0.0; nothing else changes
    rounded, shortest = f"{value:.{digits}g}", repr(value)
    return shortest if len(shortest) < len(rounded) else rounded


def exact(value: float) -> str:
    """The shortest text that reads back as the same double (what `gdstep trace` prints)."""
    return repr(float(value))


def vector(values: Sequence[float], digits: int = 6, most: int = 4) -> str:
    """[a, b, c] for a short vector, else its first entries and how many there are."""
    shown = [num(v, digits) for v in values[:most]]
    more = f", … ({len(values)} in all)" if len(values) > most else ""
    return "[" + ", ".join(shown) + more + "]"


def count(n: int, noun: str) -> str:
    """`1 point`, `5 points`, `1,000,000 points`."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


QUOTED = 60
"""The most characters of a user's text (a cell, a value, a line) that a message repeats."""

PATH_QUOTED = 240
"""The most characters of a file path that a message repeats: real paths whole, a megabyte
of text given as a path cut short."""


def printable(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\t`), so that text
    from a file shown on screen or in a message cannot steer the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def quoted(text: str, most: int = QUOTED) -> str:
    """A user's text for a message: control characters escaped, shortened to `most`
    characters with `…` (a 60 MB value is quoted as its first line's worth), in quotes."""
    shown = printable(text[: most + 1])
    if len(text) > most or len(shown) > most:
        shown = shown[: most - 1] + "…"
    return f"'{shown}'"
