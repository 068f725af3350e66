"""An expression: its text, the names it uses, and its two compiled forms."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from tui.expressions.compile import (
    ARRAYS,
    FLOATS,
    Outcome,
    Scalar,
    Vector,
    compile_tree,
    truth,
    truths,
)
from tui.expressions.grammar import MAX_LENGTH, Checker, ExpressionError, syntax_error
from tui.expressions.names import EXPENSIVE


@dataclass(frozen=True)
class Expression:
    """A checked expression; build one with :func:`parse`."""

    text: str
    names: frozenset[str]  # the quantities it uses
    _scalar: Scalar = field(repr=False, compare=False)
    _vector: Vector = field(repr=False, compare=False)

    @property
    def expensive(self) -> bool:
        """True when it uses a quantity that costs full passes over the data."""
        return not self.names.isdisjoint(EXPENSIVE)

    def evaluate(self, values: Mapping[str, float]) -> Outcome:
        """The value for `values` (which must hold every name in `names`): a float, or a bool
        for comparisons and `not`. Never raises for any floats, nan and inf included."""
        return self._scalar(values)

    def holds(self, values: Mapping[str, float]) -> bool:
        """True when the value is true: a true comparison or a number that is neither 0 nor
        nan (comparisons with nan are false, as in IEEE)."""
        return truth(self._scalar(values))

    def holds_many(self, values: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """`holds` for n steps at once: `values` maps each name to an array of n floats."""
        with np.errstate(all="ignore"):
            held = truths(self._vector(values))
        return np.broadcast_to(np.asarray(held, dtype=bool), (n,))

    def __str__(self) -> str:
        return self.text


def parse(text: str, d: int) -> Expression:
    """Check `text` against the grammar for data with d features (which decides between `w`
    and `w1`…`wd`). Raises ExpressionError naming the problem and its column."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long: {len(text)} characters (at most {MAX_LENGTH})")
    for i, c in enumerate(text):
        if not c.isprintable():
            raise ExpressionError(
                f"character U+{ord(c):04X} is not allowed", text.replace(c, " "), i, i + 1
            )
    if not text.strip():
        raise ExpressionError("empty expression", text, len(text), len(text) + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise syntax_error(error, text) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply", text, 0, len(text)) from None
    checker = Checker(text, d)
    try:
        checked = checker.check(tree.body)
    except RecursionError:
        raise ExpressionError("expression nested too deeply", text, 0, len(text)) from None
    scalar, vector = compile_tree(checked, FLOATS), compile_tree(checked, ARRAYS)
    return Expression(text, frozenset(checker.names), scalar, vector)


@dataclass(frozen=True)
class Breakpoint:
    """A breakpoint: an expression and whether it is on."""

    expression: Expression
    enabled: bool = True

    def toggled(self) -> Breakpoint:
        return replace(self, enabled=not self.enabled)
