"""The checked tree as closures: one compiler over two tables of operations."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tui.expressions.grammar import Node, kind

Outcome = float | bool
"""What an expression gives: a number, or a truth value (a comparison, and, or, not)."""


# ---- evaluation: one compiler over two tables of operations ----------------------------------
# The same tree runs on Python floats (one step, `Scalar`) and on numpy arrays (many steps at
# once, `Vector`) with the same IEEE operations; only the tables differ. On floats `and`, `or`
# and chained comparisons stop at the first value that decides them (a costly quantity after
# it is never computed); on arrays every part is computed and combined element by element.

Scalar = Callable[[Mapping[str, float]], Outcome]
Vector = Callable[[Mapping[str, np.ndarray]], Any]
Compiled = Callable[[Mapping[str, Any]], Any]


def _div(a: float, b: float) -> float:
    """a / b with IEEE division by zero: ±inf, nan for 0/0 and nan/0."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        sign = math.copysign(1.0, a) * math.copysign(1.0, b)
        return math.copysign(math.inf, sign)
    return a / b


def truth(x: Outcome) -> bool:
    """A value's truth: nonzero and not nan (bools are themselves)."""
    return x == x and x != 0


def truths(x: Any) -> Any:
    return np.logical_and(np.equal(x, x), np.not_equal(x, 0))


def _scalar_boolean(parts: list[Compiled], is_or: bool, v: Mapping[str, Any]) -> Any:
    """`or` is its first true part, `and` its first false one, else the last part."""
    for part in parts[:-1]:
        x = part(v)
        if truth(x) == is_or:
            return x
    return parts[-1](v)


def _vector_boolean(parts: list[Compiled], is_or: bool, v: Mapping[str, Any]) -> Any:
    """The same per element: a and b = where(a, b, a); a or b = where(a, a, b), from the
    right."""
    result = parts[-1](v)
    for part in reversed(parts[:-1]):
        x = part(v)
        result = np.where(truths(x), x, result) if is_or else np.where(truths(x), result, x)
    return result


def _scalar_chain(compares: list[Callable], operands: list[Compiled], v: Mapping) -> Any:
    """a < b <= c: each comparison in turn, stopping at the first that fails."""
    a = operands[0](v)
    for op, operand in zip(compares, operands[1:], strict=True):
        b = operand(v)
        if not op(a, b):
            return False
        a = b
    return True


def _vector_chain(compares: list[Callable], operands: list[Compiled], v: Mapping) -> Any:
    values = [operand(v) for operand in operands]
    result = compares[0](values[0], values[1])
    for i in range(1, len(compares)):
        result = np.logical_and(result, compares[i](values[i], values[i + 1]))
    return result


@dataclass(frozen=True)
class _Operations:
    """What the compiler needs of the numbers it runs on."""

    name: Callable[[Mapping[str, Any], str], Any]  # a quantity's value
    number: Callable[[Any], Any]  # a truth value as a number (for +, <, abs, …)
    unary: Mapping[str, Callable[[Any], Any]]  # neg, pos, abs, not
    binary: Mapping[str, Callable[[Any, Any], Any]]  # + - * /
    compare: Mapping[str, Callable[[Any, Any], Any]]  # < <= > >= == !=
    boolean: Callable[[list[Compiled], bool, Mapping[str, Any]], Any]  # and, or
    chain: Callable[[list[Callable], list[Compiled], Mapping[str, Any]], Any]  # a < b < c


FLOATS = _Operations(
    name=lambda v, n: float(v[n]),
    number=float,
    unary={
        "neg": operator.neg,
        "pos": operator.pos,
        "abs": abs,
        "not": lambda x: not truth(x),
    },
    binary={"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _div},
    compare={
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
        "==": operator.eq,
        "!=": operator.ne,
    },
    boolean=_scalar_boolean,
    chain=_scalar_chain,
)

ARRAYS = _Operations(
    name=lambda v, n: v[n],
    number=lambda x: np.asarray(x, dtype=np.float64),
    unary={
        "neg": np.negative,
        "pos": np.positive,
        "abs": np.abs,
        "not": lambda x: np.logical_not(truths(x)),
    },
    binary={"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide},
    compare={
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
        "==": np.equal,
        "!=": np.not_equal,
    },
    boolean=_vector_boolean,
    chain=_vector_chain,
)


def compile_tree(node: Node, ops: _Operations) -> Compiled:
    """The checked tree as a function of the quantities' values, on `ops`' numbers."""
    tag = node[0]
    if tag == "const":
        c = node[1]
        return lambda v: c
    if tag == "name":
        n, name = node[1], ops.name
        return lambda v: name(v, n)
    if tag == "not":
        f, op = compile_tree(node[1], ops), ops.unary["not"]
        return lambda v: op(f(v))
    if tag in ("neg", "pos", "abs"):
        f, op = _number(node[1], ops), ops.unary[tag]
        return lambda v: op(f(v))
    if tag == "bin":
        op = ops.binary[node[1]]
        left, right = _number(node[2], ops), _number(node[3], ops)
        return lambda v: op(left(v), right(v))
    if tag in ("and", "or"):
        parts, is_or, boolean = [compile_tree(x, ops) for x in node[1]], tag == "or", ops.boolean
        return lambda v: boolean(parts, is_or, v)
    if tag == "cmp":
        operands = [_number(x, ops) for x in node[1]]
        compares, chain = [ops.compare[op] for op in node[2]], ops.chain
        return lambda v: chain(compares, operands, v)
    raise AssertionError(tag)


def _number(node: Node, ops: _Operations) -> Compiled:
    """`compile_tree`, with a truth value turned into a number (True + 1 is 2.0)."""
    f = compile_tree(node, ops)
    if kind(node) == "num":
        return f
    number = ops.number
    return lambda v: number(f(v))
