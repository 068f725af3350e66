"""Conditional breakpoints and watches: small expressions over the quantities of a step.

An expression is what a user types after "break if" or "watch"::

    loss < 1e-3
    dloss > 0 and step > 10
    abs(dl1 - dloss) > 0.5 * abs(dloss)
    lr > 2 / lambda_max

The grammar is a tiny subset of Python's expressions: numbers, the names below, unary and
binary ``+ - * /``, ``abs(x)``, comparisons (chained as in Python), ``and``, ``or``, ``not``
and parentheses. The text is parsed with :func:`ast.parse` and every node is checked against a
whitelist; the checked tree is turned into closures. User text is never compiled to code that
runs (no ``eval``, ``exec`` or ``compile``), so an expression can do nothing but arithmetic.

Values are floats and evaluation never raises: ``x/0`` is ±inf (nan for ``0/0``) as in IEEE,
comparisons with nan are false, and nan counts as false where a truth value is needed.

The names, for step t (θ_t = (w, b), g_t the batch gradient update t uses):

======================  ===========================================================
``step``                t
``loss``                L(θ_t), full data
``dloss``               L(θ_t) − L(θ_{t−1}) (nan at step 0)
``w`` / ``w1`` … ``wd``  the weights (``w`` only when there is one feature)
``b``                   the bias
``dw`` / ``dw1`` …      g_t's weight part (``dw`` only when there is one feature)
``db``                  g_t's bias part
``lr``                  η of update t
``grad_norm``           ‖∇L(θ_t)‖, full data
``cos_beta``            cos β of the update t−1 → t (nan at step 0)
``dl1``, ``dl2``        ΔL₁, ΔL₂ of the update t−1 → t (nan at step 0)
``lambda_max``          λ_max of the Hessian at θ_t
======================  ===========================================================

The last five (:data:`EXPENSIVE`) cost full passes over the data at every step checked.

This module does not import textual.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tui.diagnostics import Curvature, CurvatureCache, norm, taylor
from tui.errors import InputError
from tui.format import printable
from tui.model import weight_names
from tui.session import Session

__all__ = [
    "EXPENSIVE",
    "MAX_LENGTH",
    "Breakpoint",
    "Expression",
    "ExpressionError",
    "evaluate_at",
    "first_hit",
    "names_for",
    "parse",
    "step_values",
]

MAX_LENGTH = 500
"""The longest expression text accepted (characters)."""

MAX_DEPTH = 200
"""The deepest nesting of operations accepted (keeps the evaluator far from Python's
recursion limit)."""

EXPENSIVE = frozenset({"grad_norm", "cos_beta", "dl1", "dl2", "lambda_max"})
"""Names that need full passes over the data (the gradient, the Hessian) at each step."""

FIRST_CHUNK = 64
MAX_CHUNK = 8192
"""`first_hit` computes states in chunks that double from FIRST_CHUNK up to MAX_CHUNK, so at
most about as many states are computed past a hit as before it."""

Outcome = float | bool
"""What an expression gives: a number, or a truth value (a comparison, and, or, not)."""


# ---- names ------------------------------------------------------------------------------------


def names_for(d: int) -> tuple[str, ...]:
    """Every name an expression may use when the data has d features, in display order."""
    weights = [*weight_names(d), "w1"] if d == 1 else weight_names(d)  # w1 is w's other name
    grads = [f"d{name}" for name in weights]
    return (
        "step",
        "loss",
        "dloss",
        *weights,
        "b",
        *grads,
        "db",
        "grad_norm",
        "lr",
        "cos_beta",
        "dl1",
        "dl2",
        "lambda_max",
    )


def names_line(d: int) -> str:
    """The names an expression may use with d features (names_for(d)), with the runs
    w1…wd and dw1…dwd written short from three features on: the list the dialogs show and
    an unknown name's message gives."""
    names = list(names_for(d))
    if d >= 3:
        for prefix in ("w", "dw"):
            first = names.index(f"{prefix}1")
            names[first : first + d] = [f"{prefix}1…{prefix}{d}"]
    return ", ".join(names)


def _feature_index(name: str) -> tuple[str, int] | None:
    """("w", j) for "wj", ("dw", j) for "dwj" (j ≥ 0 as written), else None."""
    for prefix in ("dw", "w"):
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest.isdigit() and rest.isascii():
            return prefix, int(rest)
    return None


# ---- errors -----------------------------------------------------------------------------------


def _cells(text: str) -> int:
    """Terminal cells `text` takes: wide characters two, combining marks none."""
    width = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        width += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return width


class ExpressionError(InputError):
    """An expression that cannot be used. ``str(error)`` is the problem with its column, then
    the text with ``^`` under the offending part::

        unknown name 'los' at column 1 (did you mean 'loss'? names: step, loss, …)
          los < 1
          ^^^

    ``problem`` is the first part without the column, ``start``/``end`` the offending
    characters (0-based, end exclusive; None when the error has no place in the text).
    """

    def __init__(
        self,
        problem: str,
        text: str = "",
        start: int | None = None,
        end: int | None = None,
        hint: str = "",
    ) -> None:
        self.problem = problem
        self.text = text
        self.start = start
        self.end = end
        self.hint = hint
        super().__init__(self._format())

    @property
    def column(self) -> int | None:
        """The 1-based column of the offending part."""
        return None if self.start is None else self.start + 1

    def _format(self) -> str:
        if self.start is None:
            return self.problem + (f" ({self.hint})" if self.hint else "")
        line = f"{self.problem} at column {self.start + 1}"
        if self.hint:
            line += f" ({self.hint})"
        start = min(self.start, len(self.text))
        end = max(start + 1, min(self.end if self.end is not None else start + 1, len(self.text)))
        # control characters written as escapes, so that the echo cannot steer the terminal
        pad = " " * _cells(printable(self.text[:start]))
        carets = "^" * max(1, _cells(printable(self.text[start:end])))
        return f"{line}\n  {printable(self.text)}\n  {pad}{carets}"


# ---- the checked tree -------------------------------------------------------------------------
# Nodes are tuples: ("const", x), ("name", n), ("neg" | "pos" | "not" | "abs", a),
# ("bin", op, a, b), ("and" | "or", (a, b, …)), ("cmp", (a, b, …), (op, …)).

Node = tuple

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_REFUSED_BINARY = {
    ast.Pow: ("**", "no powers: write x*x"),
    ast.Mod: ("%", ""),
    ast.FloorDiv: ("//", ""),
    ast.MatMult: ("@", ""),
    ast.LShift: ("<<", ""),
    ast.RShift: (">>", ""),
    ast.BitOr: ("|", "use 'or'"),
    ast.BitAnd: ("&", "use 'and'"),
    ast.BitXor: ("^", ""),
}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_REFUSED_COMPARE = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
_OPERATORS_HINT = "operators: + - * / < <= > >= == != and or not abs()"
_DESCRIPTIONS = {
    ast.Lambda: "lambda",
    ast.IfExp: "conditional expression 'if … else'",
    ast.NamedExpr: "assignment ':='",
    ast.JoinedStr: "f-string",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slice",
}


class _Checker:
    """Turns an ast into the checked tree, refusing anything outside the grammar."""

    def __init__(self, text: str, d: int) -> None:
        self.text = text
        self.d = d
        self.allowed = frozenset(names_for(d))
        self.names: set[str] = set()
        self.encoded = text.encode("utf-8")

    # positions: ast counts UTF-8 bytes, messages count characters
    def _char(self, byte_offset: int) -> int:
        return len(self.encoded[:byte_offset].decode("utf-8", errors="ignore"))

    def _span(self, node: ast.AST) -> tuple[int, int]:
        start = self._char(node.col_offset)  # type: ignore[attr-defined]
        end = self._char(node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def _between(self, left: ast.AST, right: ast.AST | None) -> tuple[int, int]:
        """The text between two nodes (an operator), without spaces and parentheses."""
        start = self._char(left.end_col_offset)  # type: ignore[attr-defined]
        end = len(self.text) if right is None else self._char(right.col_offset)  # type: ignore[attr-defined]
        while start < end and self.text[start] in " )(":
            start += 1
        while end > start and self.text[end - 1] in " )(":
            end -= 1
        return start, max(end, start + 1)

    def error(self, problem: str, span: tuple[int, int], hint: str = "") -> ExpressionError:
        return ExpressionError(problem, self.text, span[0], span[1], hint)

    def check(self, node: ast.AST, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise self.error(f"expression nested more than {MAX_DEPTH} deep", self._span(node))
        deeper = depth + 1
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                start, _ = self._span(node)
                raise self.error("operator '~' is not allowed", (start, start + 1), "use 'not'")
            tag = {ast.USub: "neg", ast.UAdd: "pos", ast.Not: "not"}[type(node.op)]
            return (tag, self.check(node.operand, deeper))
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op in _REFUSED_BINARY:
                symbol, hint = _REFUSED_BINARY[op]
                span = self._between(node.left, node.right)
                raise self.error(f"operator {symbol!r} is not allowed", span, hint)
            left = self.check(node.left, deeper)
            right = self.check(node.right, deeper)
            return ("bin", _BINARY[op], left, right)
        if isinstance(node, ast.BoolOp):
            tag = "and" if isinstance(node.op, ast.And) else "or"
            return (tag, tuple(self.check(v, deeper) for v in node.values))
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            ops = []
            for i, op in enumerate(node.ops):
                if type(op) in _REFUSED_COMPARE:
                    span = self._between(operands[i], operands[i + 1])
                    word = _REFUSED_COMPARE[type(op)]
                    raise self.error(f"operator {word!r} is not allowed", span, _OPERATORS_HINT)
                ops.append(_COMPARE[type(op)])
            checked = tuple(self.check(o, deeper) for o in operands)
            return ("cmp", checked, tuple(ops))
        if isinstance(node, ast.Call):
            return ("abs", self._abs_argument(node, deeper))
        if isinstance(node, ast.Attribute):
            span = self._between(node.value, None)
            span = (span[0], self._span(node)[1])
            name = self.text[span[0] : span[1]]
            raise self.error(f"attribute access {name!r} is not allowed", span)
        if isinstance(node, ast.Subscript):
            span = (self._between(node.value, node.slice)[0], self._span(node)[1])
            raise self.error(
                f"subscript {self.text[span[0] : span[1]]!r} is not allowed",
                span,
                "the weights are " + ("w" if self.d == 1 else f"w1…w{self.d}"),
            )
        what = _DESCRIPTIONS.get(type(node), f"'{type(node).__name__}'")
        span = self._span(node) if hasattr(node, "col_offset") else (0, len(self.text))
        raise self.error(f"{what} is not allowed", span)

    def _constant(self, node: ast.Constant) -> Node:
        value = node.value
        span = self._span(node)
        source = self.text[span[0] : span[1]]
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.error(f"{source!r} is not allowed", span, "only numbers")
        if isinstance(value, int):
            try:
                return ("const", float(value))
            except OverflowError:
                return ("const", math.inf)
        if isinstance(value, float):
            return ("const", value)
        kind = {str: "string", bytes: "bytes", complex: "complex number"}.get(
            type(value), "constant"
        )
        raise self.error(f"{kind} {source} is not allowed", span, "only numbers")

    def _name(self, node: ast.Name) -> Node:
        name = node.id
        if name in self.allowed:
            self.names.add(name)
            return ("name", name)
        span = self._span(node)
        if name == "abs":
            raise self.error("'abs' is a function", span, "write abs(x)")
        feature = _feature_index(name)
        if name in ("w", "dw") or feature is not None:
            prefix = feature[0] if feature else name
            if self.d == 1:
                options = f"{prefix} or {prefix}1"
            elif self.d == 2:
                options = f"{prefix}1, {prefix}2"
            else:
                options = f"{prefix}1…{prefix}{self.d}"
            features = "1 feature" if self.d == 1 else f"{self.d} features"
            raise self.error(
                f"unknown name {name!r}", span, f"the data has {features}: use {options}"
            )
        close = difflib.get_close_matches(name, names_for(self.d), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise self.error(f"unknown name {name!r}", span, f"{hint}names: {names_line(self.d)}")

    def _abs_argument(self, node: ast.Call, depth: int) -> Node:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.error("call is not allowed", self._span(node), "the only function is abs(x)")
        if func.id != "abs":
            raise self.error(
                f"call of {func.id!r} is not allowed",
                self._span(func),
                "the only function is abs(x)",
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("'*' unpacking is not allowed", self._span(arg))
        if node.keywords:
            keyword = node.keywords[0]
            what = "'**' unpacking" if keyword.arg is None else f"keyword argument '{keyword.arg}='"
            raise self.error(f"{what} is not allowed", self._span(keyword), "write abs(x)")
        if len(node.args) != 1:
            raise self.error(
                f"abs takes 1 argument, not {len(node.args)}", self._span(node), "write abs(x)"
            )
        return self.check(node.args[0], depth)


def _kind(node: Node) -> str:
    """ "num" (a float), "bool", or "any" (and/or over both kinds)."""
    tag = node[0]
    if tag in ("not", "cmp"):
        return "bool"
    if tag in ("and", "or"):
        kinds = {_kind(v) for v in node[1]}
        return kinds.pop() if len(kinds) == 1 else "any"
    return "num"


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


def _truth(x: Outcome) -> bool:
    """A value's truth: nonzero and not nan (bools are themselves)."""
    return x == x and x != 0


def _vtruth(x: Any) -> Any:
    return np.logical_and(np.equal(x, x), np.not_equal(x, 0))


def _scalar_boolean(parts: list[Compiled], is_or: bool, v: Mapping[str, Any]) -> Any:
    """`or` is its first true part, `and` its first false one, else the last part."""
    for part in parts[:-1]:
        x = part(v)
        if _truth(x) == is_or:
            return x
    return parts[-1](v)


def _vector_boolean(parts: list[Compiled], is_or: bool, v: Mapping[str, Any]) -> Any:
    """The same per element: a and b = where(a, b, a); a or b = where(a, a, b), from the
    right."""
    result = parts[-1](v)
    for part in reversed(parts[:-1]):
        x = part(v)
        result = np.where(_vtruth(x), x, result) if is_or else np.where(_vtruth(x), result, x)
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


_FLOATS = _Operations(
    name=lambda v, n: float(v[n]),
    number=float,
    unary={
        "neg": operator.neg,
        "pos": operator.pos,
        "abs": abs,
        "not": lambda x: not _truth(x),
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

_ARRAYS = _Operations(
    name=lambda v, n: v[n],
    number=lambda x: np.asarray(x, dtype=np.float64),
    unary={
        "neg": np.negative,
        "pos": np.positive,
        "abs": np.abs,
        "not": lambda x: np.logical_not(_vtruth(x)),
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


def _compile(node: Node, ops: _Operations) -> Compiled:
    """The checked tree as a function of the quantities' values, on `ops`' numbers."""
    tag = node[0]
    if tag == "const":
        c = node[1]
        return lambda v: c
    if tag == "name":
        n, name = node[1], ops.name
        return lambda v: name(v, n)
    if tag == "not":
        f, op = _compile(node[1], ops), ops.unary["not"]
        return lambda v: op(f(v))
    if tag in ("neg", "pos", "abs"):
        f, op = _number(node[1], ops), ops.unary[tag]
        return lambda v: op(f(v))
    if tag == "bin":
        op = ops.binary[node[1]]
        left, right = _number(node[2], ops), _number(node[3], ops)
        return lambda v: op(left(v), right(v))
    if tag in ("and", "or"):
        parts, is_or, boolean = [_compile(x, ops) for x in node[1]], tag == "or", ops.boolean
        return lambda v: boolean(parts, is_or, v)
    if tag == "cmp":
        operands = [_number(x, ops) for x in node[1]]
        compares, chain = [ops.compare[op] for op in node[2]], ops.chain
        return lambda v: chain(compares, operands, v)
    raise AssertionError(tag)


def _number(node: Node, ops: _Operations) -> Compiled:
    """`_compile`, with a truth value turned into a number (True + 1 is 2.0)."""
    f = _compile(node, ops)
    if _kind(node) == "num":
        return f
    number = ops.number
    return lambda v: number(f(v))


# ---- the public expression --------------------------------------------------------------------


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
        return _truth(self._scalar(values))

    def holds_many(self, values: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """`holds` for n steps at once: `values` maps each name to an array of n floats."""
        with np.errstate(all="ignore"):
            truth = _vtruth(self._vector(values))
        return np.broadcast_to(np.asarray(truth, dtype=bool), (n,))

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
        raise _syntax_error(error, text) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply", text, 0, len(text)) from None
    checker = _Checker(text, d)
    try:
        checked = checker.check(tree.body)
    except RecursionError:
        raise ExpressionError("expression nested too deeply", text, 0, len(text)) from None
    scalar, vector = _compile(checked, _FLOATS), _compile(checked, _ARRAYS)
    return Expression(text, frozenset(checker.names), scalar, vector)


def _syntax_error(error: SyntaxError, text: str) -> ExpressionError:
    """ast's SyntaxError with its (1-based, character) offset; 0 or none means the end."""
    message = error.msg or "invalid syntax"
    offset = error.offset or 0
    if offset < 1 or offset > len(text):
        if message == "invalid syntax":
            message = "incomplete expression"
        return ExpressionError(message, text, len(text), len(text) + 1)
    end = error.end_offset if error.end_offset and error.end_offset > offset else offset + 1
    hint = "compare with ==" if text[offset - 1] == "=" and text[offset : offset + 1] != "=" else ""
    return ExpressionError(message, text, offset - 1, min(end, len(text) + 1) - 1, hint)


@dataclass(frozen=True)
class Breakpoint:
    """A breakpoint: an expression and whether it is on."""

    expression: Expression
    enabled: bool = True

    def toggled(self) -> Breakpoint:
        return replace(self, enabled=not self.enabled)


# ---- the values of a step ---------------------------------------------------------------------


def _check_names(session: Session, names: Iterable[str]) -> frozenset[str]:
    names = frozenset(names)
    unknown = names - frozenset(names_for(session.d))
    if unknown:
        raise ValueError(
            f"unknown quantities for {session.d} features: {', '.join(sorted(unknown))}"
        )
    return names


def _cheap_value(session: Session, t: int, name: str) -> float:
    history = session.history
    if name == "step":
        return float(t)
    if name == "loss":
        return float(history.loss[t])
    if name == "dloss":
        return float(history.loss[t]) - float(history.loss[t - 1]) if t > 0 else math.nan
    if name == "b":
        return float(history.theta[t, -1])
    if name == "db":
        return float(history.grad[t, -1])
    if name == "lr":
        return float(history.lr[t])
    prefix, j = _feature_index(name) or (name, 1)  # "w" and "dw" are w1 and dw1
    return float((history.grad if prefix == "dw" else history.theta)[t, j - 1])


class _Curvatures:
    """curvature() at the steps of one session, through a CurvatureCache (keyed by θ: stepping
    forward reuses θ_t's curvature as the "before" of the update t → t+1)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache = CurvatureCache()

    def at(self, t: int) -> Curvature:
        return self.cache.get(self.session.objective, self.session.theta(t))

    def known(self, t: int) -> bool:
        return self.cache.known(self.session.objective, self.session.theta(t))


def _expensive_values(
    session: Session, t: int, names: frozenset[str], curvatures: _Curvatures
) -> dict[str, float]:
    """grad_norm, lambda_max (at θ_t) and dl1, dl2, cos_beta (of the update t−1 → t), as
    diagnose(session, t) computes them, for the names asked."""
    values: dict[str, float] = {}
    if names & {"grad_norm", "lambda_max"}:
        if "lambda_max" in names or curvatures.known(t):
            at_t = curvatures.at(t)
            values["grad_norm"], values["lambda_max"] = at_t.grad_norm, at_t.lambda_max
        else:  # the gradient alone: one pass instead of the Hessian's two
            values["grad_norm"] = norm(session.objective.gradient(session.theta(t)))
    if names & {"dl1", "dl2", "cos_beta"}:
        if t == 0:
            values["dl1"] = values["dl2"] = values["cos_beta"] = math.nan
        else:
            with np.errstate(all="ignore"):
                dtheta = session.theta(t) - session.theta(t - 1)
            update = taylor(curvatures.at(t - 1), dtheta, session.loss(t - 1), session.loss(t))
            values["dl1"], values["dl2"], values["cos_beta"] = (
                update.dl1,
                update.dl2,
                update.cos_beta,
            )
    return {n: values[n] for n in names & EXPENSIVE}


def step_values(session: Session, t: int, names: Iterable[str]) -> dict[str, float]:
    """The asked quantities of step t (0 ≤ t ≤ session.last). The diagnostics (full passes
    over the data) are computed only when grad_norm, cos_beta, dl1, dl2 or lambda_max is asked."""
    names = _check_names(session, names)
    if not 0 <= t <= session.last:
        raise IndexError(f"step {t} is not computed (steps 0…{session.last})")
    values = {n: _cheap_value(session, t, n) for n in names - EXPENSIVE}
    if names & EXPENSIVE:
        values.update(_expensive_values(session, t, names, _Curvatures(session)))
    return values


def evaluate_at(session: Session, t: int, expressions: Iterable[Expression]) -> list[Outcome]:
    """The watches' values at step t (one step_values call for all of them)."""
    expressions = list(expressions)
    names = frozenset().union(*(e.names for e in expressions))
    values = step_values(session, t, names)
    return [e.evaluate(values) for e in expressions]


class _LazyValues(Mapping[str, float]):
    """The values of one step, each computed when an expression first reads it (so
    `step > 10 and grad_norm < 1e-6` skips the gradient while step ≤ 10)."""

    def __init__(self, session: Session, t: int, curvatures: _Curvatures) -> None:
        self.session, self.t, self.curvatures = session, t, curvatures
        self.values: dict[str, float] = {}

    def __getitem__(self, name: str) -> float:
        value = self.values.get(name)
        if value is None:
            if name in EXPENSIVE:
                # dl1, dl2 and cos_beta come together; grad_norm alone skips the Hessian
                group = {"dl1", "dl2", "cos_beta"} if name in ("dl1", "dl2", "cos_beta") else {name}
                self.values.update(
                    _expensive_values(self.session, self.t, frozenset(group), self.curvatures)
                )
                value = self.values[name]
            else:
                value = self.values[name] = _cheap_value(self.session, self.t, name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def _history_arrays(session: Session, lo: int, hi: int, names: frozenset[str]) -> dict:
    """The cheap quantities of steps lo…hi (lo ≥ 1) as arrays, views of the history."""
    history = session.history
    rows = slice(lo, hi + 1)
    arrays: dict[str, np.ndarray] = {}
    for name in names:
        if name == "step":
            arrays[name] = np.arange(lo, hi + 1, dtype=np.float64)
        elif name == "loss":
            arrays[name] = history.loss[rows]
        elif name == "dloss":
            with np.errstate(all="ignore"):  # inf − inf after a divergence
                arrays[name] = history.loss[rows] - history.loss[lo - 1 : hi]
        elif name == "b":
            arrays[name] = history.theta[rows, -1]
        elif name == "db":
            arrays[name] = history.grad[rows, -1]
        elif name == "lr":
            arrays[name] = history.lr[rows]
        else:
            prefix, j = _feature_index(name) or (name, 1)
            arrays[name] = (history.grad if prefix == "dw" else history.theta)[rows, j - 1]
    return arrays


# ---- running to a breakpoint ------------------------------------------------------------------


def first_hit(
    session: Session, breakpoints: list[Expression], start: int, stop: int
) -> tuple[int, Expression] | None:
    """Step forward from step `start` (exclusive; the session goes there first) to at most
    `stop`, checking the breakpoints after each update. Returns the first step where one
    holds, with the first such breakpoint in list order, and leaves the cursor there; or
    None, with the cursor at `stop` or at the divergence that ended the run.

    States are computed in chunks (the history may run ahead of the cursor). Breakpoints over
    cheap quantities are checked over a chunk at once on the history arrays; when one uses an
    expensive quantity, every step is checked in turn, computing it only when read."""
    return _first_hit(session, breakpoints, start, stop, vectorized=True)


def _first_hit(
    session: Session, breakpoints: list[Expression], start: int, stop: int, vectorized: bool
) -> tuple[int, Expression] | None:
    names = _check_names(session, frozenset().union(*(e.names for e in breakpoints)))
    t = session.goto(start)
    if t != start:
        return None  # diverged before `start`
    if not breakpoints:
        session.goto(stop)
        return None
    vectorized = vectorized and names.isdisjoint(EXPENSIVE)
    curvatures = _Curvatures(session)
    computed = session.last
    chunk = computed - t if computed > t else FIRST_CHUNK  # the history ahead, in one go
    while t < stop:
        moved = session.step(min(chunk, stop - t))
        if moved == 0:
            break  # diverged at t
        lo, hi = t + 1, t + moved
        hit = (
            _check_arrays(session, breakpoints, names, lo, hi)
            if vectorized
            else _check_steps(session, breakpoints, lo, hi, curvatures)
        )
        if hit is not None:
            session.goto(hit[0])
            return hit
        t = hi
        chunk = FIRST_CHUNK if hi <= computed else min(2 * chunk, MAX_CHUNK)
    return None


def _check_arrays(
    session: Session, breakpoints: list[Expression], names: frozenset[str], lo: int, hi: int
) -> tuple[int, Expression] | None:
    arrays = _history_arrays(session, lo, hi, names)
    n = hi - lo + 1
    best: tuple[int, Expression] | None = None
    for expression in breakpoints:
        truth = expression.holds_many(arrays, n)
        i = int(truth.argmax())
        if truth[i] and (best is None or lo + i < best[0]):
            best = (lo + i, expression)
    return best


def _check_steps(
    session: Session, breakpoints: list[Expression], lo: int, hi: int, curvatures: _Curvatures
) -> tuple[int, Expression] | None:
    for s in range(lo, hi + 1):
        values = _LazyValues(session, s, curvatures)
        for expression in breakpoints:
            if expression.holds(values):
                return s, expression
    return None
