"""How numbers are written on screen: compact, aligned, and exact where it matters."""

from __future__ import annotations

import math
from collections.abc import Sequence


def num(value: float, digits: int = 6) -> str:
    """A float with `digits` significant digits; nan and ±inf spelled out, −0 written 0."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value + 0.0:.{digits}g}"  # + 0.0 turns −0.0 into 0.0 and leaves the rest


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
