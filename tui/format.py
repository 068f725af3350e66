"""How numbers and quoted text are written on screen: compact, aligned, and exact where it
matters; text from files never reaches the terminal raw.

One function, `num`, writes every number the screen shows, in one of two precisions: 6
significant figures (ROUNDED, the default) or the shortest text that reads back as the same
double (EXACT, Python's repr). The precision is not a parameter of each call but a setting of
the code that draws: `with precision(EXACT): …` writes every number inside the block exactly,
and the block's end restores what was there before. The setting is a `ContextVar`, so it
belongs to the task (or thread) that set it, and a block that ends leaves nothing behind: no
test can leak a precision into another. The one state is the app's (`GdstepApp.precision`,
switched by `p`); the app enters it around each redraw of its panels and each key, action and
callback it handles, and the widgets that draw their lines later (the point table, the plot)
keep the precision they were last shown with, so a switch redraws every panel in the new one.
Nothing else needs to know: a panel calls `num(x)`, with the signature it always had.

Both precisions write a number the same way otherwise: `0` for 0.0 and −0.0, no `.0` on a
whole number, `−` (U+2212, the minus sign of the formulas on screen) for a negative sign and a
negative exponent, no `+` or leading zeros in an exponent (`1e16`, `2.5e−7`), `nan`, `inf`,
`−inf`. Exports and traces use `exact` (ASCII, what Python reads back), never `num`."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum

MINUS = "\u2212"
"""The minus sign of the formulas on screen (θ_t − θ_{t−1}), and of every negative number."""


class Precision(Enum):
    """How many digits `num` writes."""

    ROUNDED = "6 significant figures"
    EXACT = "exact (shortest repr)"

    def other(self) -> Precision:
        """The precision the `p` key switches to."""
        return Precision.EXACT if self is Precision.ROUNDED else Precision.ROUNDED


DIGITS = 6
"""Significant figures of a ROUNDED number."""

_precision: ContextVar[Precision] = ContextVar("gdstep_precision", default=Precision.ROUNDED)


def current_precision() -> Precision:
    """The precision `num` writes with here (ROUNDED unless inside `precision(…)`)."""
    return _precision.get()


@contextmanager
def precision(mode: Precision) -> Iterator[None]:
    """Write numbers with `mode` inside the block; the precision before it comes back after,
    whatever happens inside."""
    token = _precision.set(mode)
    try:
        yield
    finally:
        _precision.reset(token)


def num(value: float, digits: int = DIGITS) -> str:
    """`value` as the screen writes it: with `digits` significant figures (or its shortest
    exact form when that is no longer: 1e−320, not 9.99989e−321), or, inside
    `precision(EXACT)`, always in its shortest exact form (`digits` is then ignored)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else MINUS + "inf"
    value = float(value) + 0.0  # −0.0 becomes 0.0; nothing else changes
    shortest = _tidy(repr(value))
    if _precision.get() is Precision.EXACT:
        return shortest
    rounded = _tidy(f"{value:.{digits}g}")
    return shortest if len(shortest) < len(rounded) else rounded


def num_exact(value: float) -> str:
    """`value` as `num` writes it after `p` (exact, `−`), whatever the precision: what a
    dialog fills its box with, beside the panel's number, and reads back as the same double."""
    with precision(Precision.EXACT):
        return num(value)


def num_above(value: float, digits: int = 2) -> str:
    """An upper bound written short: `value` rounded UP to `digits` significant figures, so
    that it stays a bound (4.66294e−17 → 4.7e−17; 4.64e−17 → 4.7e−17 too, where rounding to
    nearest would write 4.6e−17), or exactly inside `precision(EXACT)`. For a finite value
    ≥ 0. The comparison with the double is exact (integers), not another rounding."""
    if not math.isfinite(value) or value <= 0 or _precision.get() is Precision.EXACT:
        return num(value)
    mantissa, _, exponent = f"{value:.{digits - 1}e}".partition("e")
    m, e = int(mantissa.replace(".", "")), int(exponent) - (digits - 1)  # value ≈ m·10^e
    n, d = value.as_integer_ratio()
    below = m * 10**e * d < n if e >= 0 else m * d < n * 10**-e
    if below:
        m += 1
    figures = str(m)
    if len(figures) > digits:  # 99 + 1 = 100: one figure fewer, one place up
        figures, e = figures[:digits], e + 1
    power = e + len(figures) - 1
    if -5 <= power < digits:  # written without an exponent, as `num` would: 0.25, 47
        return _tidy(f"{float(f'{figures}e{e}'):.{digits}g}")
    tail = figures[1:].rstrip("0")  # the text itself: no double to round (5e−324 is 4.94e−324)
    return _tidy(f"{figures[0]}{'.' if tail else ''}{tail}e{power}")


def operand(value: float) -> str:
    """`value` written as an operand in a formula: a negative one in brackets, so that
    `2·(−0.0103)` never reads as a subtraction."""
    text = num(value)
    return f"({text})" if text.startswith(MINUS) else text


def _tidy(text: str) -> str:
    """Python's `-0.25`, `1.0`, `1e+16`, `2.5e-07` written `−0.25`, `1`, `1e16`, `2.5e−7`."""
    mantissa, e, exponent = text.partition("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    if e:
        sign = "-" if exponent.startswith("-") else ""
        exponent = sign + (exponent.lstrip("+-").lstrip("0") or "0")
    return (mantissa + e + exponent).replace("-", MINUS)


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
