"""The grammar: user text parsed with ast and checked node by node against a whitelist,
into a small tree of tuples; what is refused gets a message with a caret under it."""

from __future__ import annotations

import ast
import difflib
import math
import unicodedata

from tui.errors import InputError
from tui.expressions.names import feature_index, names_for, names_line
from tui.format import printable

MAX_LENGTH = 500
"""The longest expression text accepted (characters)."""

MAX_DEPTH = 200
"""The deepest nesting of operations accepted (keeps the evaluator far from Python's
recursion limit)."""


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


class Checker:
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
        feature = feature_index(name)
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


def kind(node: Node) -> str:
    """ "num" (a float), "bool", or "any" (and/or over both kinds)."""
    tag = node[0]
    if tag in ("not", "cmp"):
        return "bool"
    if tag in ("and", "or"):
        kinds = {kind(v) for v in node[1]}
        return kinds.pop() if len(kinds) == 1 else "any"
    return "num"


def syntax_error(error: SyntaxError, text: str) -> ExpressionError:
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
