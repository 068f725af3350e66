"""Breakpoint and watch expressions: the grammar, its refusals, the values of a step, first_hit."""

from __future__ import annotations

import builtins
import contextlib
import math
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tui.expressions.breakpoints as breakpoints
import tui.expressions.quantities as quantities
from tui import config, data
from tui.engine import diagnostics
from tui.engine.diagnostics import diagnose
from tui.engine.session import Session
from tui.expressions import (
    EXPENSIVE,
    MAX_LENGTH,
    Breakpoint,
    Expression,
    ExpressionError,
    evaluate_at,
    first_hit,
    names_for,
    parse,
    step_values,
)

NAN, INF = math.nan, math.inf


def sample(name: str, **given: str) -> Session:
    dataset = data.load(name)
    cfg, _ = config.make_config(dataset, given)
    return Session(dataset.x, dataset.y, cfg)


def values_1d(**over: float) -> dict[str, float]:
    """A hand-made step for d = 1: every name, with distinct values."""
    values = {
        "step": 7.0,
        "loss": 0.25,
        "dloss": -0.5,
        "w": 2.0,
        "w1": 2.0,
        "b": -3.0,
        "dw": 0.125,
        "dw1": 0.125,
        "db": -0.75,
        "grad_norm": 1.5,
        "lr": 0.1,
        "cos_beta": -1.0,
        "dl1": -0.4,
        "dl2": -0.45,
        "lambda_max": 4.0,
    }
    values.update(over)
    return values


def same(a: object, b: object) -> bool:
    """Equal values of equal type (bool vs float), nan equal to nan, ±0 told apart."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    assert isinstance(a, float) and isinstance(b, float), (a, b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


# ---- allowed constructs -----------------------------------------------------------------------

ALLOWED = [
    # numbers and names
    ("3", {}, 3.0),
    ("1e-3", {}, 0.001),
    ("2.5E2", {}, 250.0),
    ("0x10", {}, 16.0),
    ("1_000", {}, 1000.0),
    ("1e999", {}, INF),
    ("9" * 400, {}, INF),
    ("loss", {}, 0.25),
    ("step", {}, 7.0),
    ("w", {}, 2.0),
    ("w1", {}, 2.0),
    ("dw", {}, 0.125),
    ("dw1", {}, 0.125),
    ("b", {}, -3.0),
    ("db", {}, -0.75),
    ("lr", {}, 0.1),
    ("grad_norm", {}, 1.5),
    ("cos_beta", {}, -1.0),
    ("dl1", {}, -0.4),
    ("dl2", {}, -0.45),
    ("dloss", {}, -0.5),
    ("lambda_max", {}, 4.0),
    # arithmetic and precedence
    ("-loss", {}, -0.25),
    ("+b", {}, -3.0),
    ("- -b", {}, -3.0),
    ("loss + 1", {}, 1.25),
    ("loss - 1", {}, -0.75),
    ("2 * w", {}, 4.0),
    ("b / 2", {}, -1.5),
    ("1 + 2 * 3", {}, 7.0),
    ("(1 + 2) * 3", {}, 9.0),
    ("8 / 4 / 2", {}, 1.0),
    ("8 - 4 - 2", {}, 2.0),
    ("-2 * -3", {}, 6.0),
    ("2 / lr", {}, 2 / 0.1),
    ("dl2 - dl1", {}, -0.45 - -0.4),
    # abs
    ("abs(b)", {}, 3.0),
    ("abs(-0.0)", {}, 0.0),
    ("abs(dl1 - dloss) / abs(dloss)", {}, abs(-0.4 - -0.5) / 0.5),
    # division by zero, IEEE style
    ("1 / 0", {}, INF),
    ("-1 / 0", {}, -INF),
    ("1 / -0.0", {}, -INF),
    ("0 / 0", {}, NAN),
    ("loss / (w - 2)", {}, INF),
    ("dloss / 0", {"dloss": NAN}, NAN),
    ("dloss / 0", {"dloss": -INF}, -INF),
    # comparisons, chained like Python
    ("loss < 1", {}, True),
    ("loss <= 0.25", {}, True),
    ("loss > 0.25", {}, False),
    ("loss >= 0.25", {}, True),
    ("loss == 0.25", {}, True),
    ("loss != 0.25", {}, False),
    ("0 < loss < 1", {}, True),
    ("0 < loss < 0.1", {}, False),
    ("1 < 2 > 0", {}, True),
    ("b < w > loss > 0 != dloss", {}, True),
    ("1 / 0 > 1e308", {}, True),
    # nan compares false, except !=
    ("dloss < 1", {"dloss": NAN}, False),
    ("dloss >= 1", {"dloss": NAN}, False),
    ("dloss == dloss", {"dloss": NAN}, False),
    ("dloss != dloss", {"dloss": NAN}, True),
    # and, or, not: Python's values, nan false
    ("loss < 1 and step > 5", {}, True),
    ("loss < 1 and step > 9", {}, False),
    ("loss > 1 or step > 5", {}, True),
    ("2 and 3", {}, 3.0),
    ("0 and 3", {}, 0.0),
    ("0 or 5", {}, 5.0),
    ("4 or 5", {}, 4.0),
    ("dloss or 5", {"dloss": NAN}, 5.0),
    ("dloss and 5", {"dloss": NAN}, NAN),
    ("not 0", {}, True),
    ("not loss", {}, False),
    ("not dloss", {"dloss": NAN}, True),
    ("not not loss", {}, True),
    ("not loss < 0", {}, True),
    ("loss < 0 or loss > 1 or step == 7", {}, True),
    ("(loss < 1) + (step > 5)", {}, 2.0),
    ("-(loss < 1)", {}, -1.0),
    ("abs(loss > 1)", {}, 0.0),
    ("(loss < 1) * 10 > 5", {}, True),
    ("(0 or loss < 1) + 1", {}, 2.0),
]


@pytest.mark.parametrize(("text", "over", "expected"), ALLOWED)
def test_allowed_constructs(text: str, over: dict[str, float], expected: float | bool) -> None:
    e = parse(text, 1)
    got = e.evaluate(values_1d(**over))
    assert same(got, expected), (text, got, expected)
    truth = expected == expected and expected != 0
    assert e.holds(values_1d(**over)) == truth
    arrays = {n: np.array([x, 1.0]) for n, x in values_1d(**over).items()}
    assert e.holds_many(arrays, 2)[0] == truth  # the many-steps evaluator agrees


def test_names_are_the_quantities_used() -> None:
    assert parse("loss < 1 and abs(dw) > 2 * lr", 1).names == {"loss", "dw", "lr"}
    assert parse("w1 + w2 > b", 2).names == {"w1", "w2", "b"}
    assert parse("1 < 2", 1).names == frozenset()
    assert not parse("loss < 1", 1).expensive
    assert parse("step > 3 or lambda_max > 2", 1).expensive


def test_holds_treats_nan_as_false() -> None:
    v = values_1d(dloss=NAN)
    assert not parse("dloss", 1).holds(v)
    assert not parse("dloss > 0", 1).holds(v)
    assert not parse("dloss <= 0", 1).holds(v)
    assert parse("dloss != 0", 1).holds(v)
    assert parse("1 / 0", 1).holds(v)
    assert not parse("0 / 0", 1).holds(v)


def test_numpy_values_give_floats() -> None:
    v = {k: np.float64(x) for k, x in values_1d().items()}
    got = parse("loss / 0 + w", 1).evaluate(v)
    assert type(got) is float and got == INF


def test_evaluate_never_raises_on_extreme_values() -> None:
    e = parse("loss * 1e308 * 10 - loss / 0 + abs(b) / (dl1 - dl1) < lr or not dloss", 1)
    for x in (0.0, -0.0, 1e-320, 1e308, INF, -INF, NAN):
        v = values_1d(loss=x, b=x, dl1=x, lr=x, dloss=x)
        assert isinstance(e.evaluate(v), float | bool)


def test_several_features() -> None:
    e = parse("w1 * 2 + w2 - dw1 + dw2 > b", 2)
    assert e.names == {"w1", "w2", "dw1", "dw2", "b"}
    v = {"w1": 1.0, "w2": 2.0, "dw1": 0.5, "dw2": 0.25, "b": 3.0}
    assert e.evaluate(v) is True  # 2 + 2 - 0.5 + 0.25 = 3.75 > 3
    assert parse("w30 + dw30", 30).names == {"w30", "dw30"}
    assert "w" not in names_for(2) and "w1" in names_for(1) and "w" in names_for(1)


def test_expression_is_a_value() -> None:
    a, b = parse("loss < 1", 1), parse("loss < 1", 1)
    assert a == b and hash(a) == hash(b) and str(a) == "loss < 1"
    bp = Breakpoint(a)
    assert bp.enabled and not bp.toggled().enabled and bp.toggled().toggled() == bp


# ---- refused constructs -----------------------------------------------------------------------


def caret(error: ExpressionError) -> tuple[int, int]:
    """The 1-based column of the first ^ and how many there are, from the message itself."""
    lines = str(error).split("\n")
    assert len(lines) == 3, str(error)
    assert lines[1] == "  " + error.text
    marks = lines[2][2:]
    assert set(marks.strip()) == {"^"}
    start = marks.index("^")
    return start + 1, len(marks) - start


REFUSED = [
    # text, d, words the message must contain, caret column, caret width
    ("__import__('os')", 1, ["call of '__import__'", "abs(x)"], 1, 10),
    ("loss.__class__", 1, ["attribute access '.__class__'"], 5, 10),
    ("(loss).real", 1, ["attribute access '.real'"], 7, 5),
    ("w[0]", 1, ["subscript '[0]'"], 2, 3),
    ('"a"', 1, ['string "a"', "only numbers"], 1, 3),
    ("loss < 'x'", 1, ["string 'x'"], 8, 3),
    ("b'x'", 1, ["bytes"], 1, 4),
    ("2**3", 1, ["operator '**'"], 2, 2),
    ("loss ** 2", 1, ["operator '**'"], 6, 2),
    ("(loss)**(2)", 1, ["operator '**'"], 7, 2),
    ("loss % 2", 1, ["operator '%'"], 6, 1),
    ("loss // 2", 1, ["operator '//'"], 6, 2),
    ("loss | 1", 1, ["operator '|'", "use 'or'"], 6, 1),
    ("loss & 1", 1, ["operator '&'", "use 'and'"], 6, 1),
    ("loss ^ 1", 1, ["operator '^'"], 6, 1),
    ("loss << 1", 1, ["operator '<<'"], 6, 2),
    ("loss @ w", 1, ["operator '@'"], 6, 1),
    ("~step", 1, ["operator '~'"], 1, 1),
    ("lambda: 1", 1, ["lambda"], 1, 9),
    ("los < 1", 1, ["unknown name 'los'", "did you mean 'loss'", "names: step, loss"], 1, 3),
    ("loss < 1 and stpe > 2", 1, ["unknown name 'stpe'", "did you mean 'step'"], 14, 4),
    ("w", 2, ["unknown name 'w'", "2 features", "w1, w2"], 1, 1),
    ("dw3 > 0", 2, ["unknown name 'dw3'", "2 features", "dw1, dw2"], 1, 3),
    ("loss + w4", 3, ["unknown name 'w4'", "w1…w3"], 8, 2),
    ("w0", 1, ["unknown name 'w0'", "w or w1"], 1, 2),
    ("w2", 1, ["unknown name 'w2'", "1 feature"], 1, 2),
    ("abs", 1, ["'abs' is a function", "abs(x)"], 1, 3),
    ("abs(1, 2)", 1, ["abs takes 1 argument, not 2"], 1, 9),
    ("abs()", 1, ["abs takes 1 argument, not 0"], 1, 5),
    ("abs(x=1)", 1, ["keyword argument 'x='"], 5, 3),
    ("abs(*w)", 1, ["'*' unpacking"], 5, 2),
    ("abs(**w)", 1, ["'**' unpacking"], 5, 3),
    ("print(loss)", 1, ["call of 'print'"], 1, 5),
    ("(lambda: 1)()", 1, ["call is not allowed"], 1, 13),
    ("loss.x()", 1, ["call is not allowed"], 1, 8),
    ("True", 1, ["'True'", "only numbers"], 1, 4),
    ("None", 1, ["'None'"], 1, 4),
    ("...", 1, ["'...'"], 1, 3),
    ("1j", 1, ["complex number 1j"], 1, 2),
    ("loss is 1", 1, ["operator 'is'"], 6, 2),
    ("loss is not 1", 1, ["operator 'is not'"], 6, 6),
    ("loss in w", 1, ["operator 'in'"], 6, 2),
    ("loss not in w", 1, ["operator 'not in'"], 6, 6),
    ("(x := 1)", 1, ["assignment ':='"], 2, 6),
    ('f"{loss}"', 1, ["f-string"], 1, 9),
    ("[w for w in b]", 1, ["list comprehension"], 1, 14),
    ("(w for w in b)", 1, ["generator expression"], 1, 14),
    ("{w for w in b}", 1, ["set comprehension"], 1, 14),
    ("{w: b for w in b}", 1, ["dict comprehension"], 1, 17),
    ("[1]", 1, ["list"], 1, 3),
    ("1, 2", 1, ["tuple"], 1, 4),
    ("{1: 2}", 1, ["dict"], 1, 6),
    ("{1}", 1, ["set"], 1, 3),
    ("1 if loss else 2", 1, ["conditional expression"], 1, 16),
    ("loss < -(lambda: 0)", 1, ["lambda"], 10, 9),
    ("(1", 1, ["'(' was never closed"], 1, 1),
    ("", 1, ["empty expression"], 1, 1),
    ("   ", 1, ["empty expression"], 4, 1),
    ("loss <", 1, ["incomplete expression"], 7, 1),
    ("1 +* 2", 1, ["invalid syntax"], 4, 1),
    ("loss = 1", 1, ["invalid syntax", "compare with =="], 6, 1),
    ("loss\n< 1", 1, ["character U+000A"], 5, 1),
    ("loss\x00", 1, ["character U+0000"], 5, 1),
    ("λ < 1", 1, ["unknown name 'λ'"], 1, 1),
    ("漢字 + 1", 1, ["unknown name '漢字'"], 1, 4),  # wide characters: 2 cells each
    ("'λλ' ** 3", 1, ["operator '**'"], 6, 2),  # columns count characters, not UTF-8 bytes
]


@pytest.mark.parametrize(("text", "d", "words", "column", "width"), REFUSED)
def test_refused_constructs(text: str, d: int, words: list[str], column: int, width: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text, d)
    error = info.value
    first_line = str(error).split("\n")[0]
    for word in words:
        assert word in first_line, (word, first_line)
    assert f"at column {column}" in first_line
    assert error.column == column
    assert caret(error) == (column, width), str(error)


def test_error_message_examples() -> None:
    with pytest.raises(ExpressionError) as info:
        parse("los < 1", 1)
    assert str(info.value) == (
        "unknown name 'los' at column 1 (did you mean 'loss'? names: step, loss, dloss, w, w1, "
        "b, dw, dw1, db, grad_norm, lr, period, run, cos_beta, dl1, dl2, lambda_max)\n"
        "  los < 1\n"
        "  ^^^"
    )
    assert info.value.problem == "unknown name 'los'"
    assert (info.value.start, info.value.end) == (0, 3)
    with pytest.raises(ExpressionError) as info:
        parse("loss.__class__", 1)
    assert str(info.value) == (
        "attribute access '.__class__' is not allowed at column 5\n"
        "  loss.__class__\n"
        "      ^^^^^^^^^^"
    )


def test_over_long_and_deep_input() -> None:
    parse("1" + " + 1" * ((MAX_LENGTH - 1) // 4), 1)  # long is fine up to the limit
    with pytest.raises(ExpressionError, match="too long: 501 characters"):
        parse("1" * (MAX_LENGTH + 1), 1)
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("-" * 400 + "loss", 1)
    assert parse("-" * 100 + "loss", 1).evaluate(values_1d()) == 0.25


def test_expression_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("import os", 1)


# ---- never anything but ExpressionError, never code -------------------------------------------


@contextlib.contextmanager
def no_code_runs() -> Iterator[list[str]]:
    """builtins.__import__, open, eval, exec and breakpoint raise while inside; the names of
    any called are collected. One import is let through: CPython's parser itself imports
    `unicodedata` to normalize non-ASCII identifiers (NFKC)."""
    called: list[str] = []
    saved = {n: getattr(builtins, n) for n in ("__import__", "open", "eval", "exec", "breakpoint")}
    real_import = saved["__import__"]

    def trap(name: str) -> Callable[..., object]:
        def refuse(*args: object, **kwargs: object) -> object:
            if name == "__import__" and args[:1] == ("unicodedata",):
                return real_import(*args, **kwargs)
            called.append(f"{name}({args[0]!r})" if args else name)
            raise AssertionError(f"{name} called")

        return refuse

    for name in saved:
        setattr(builtins, name, trap(name))
    try:
        yield called
    finally:
        for name, value in saved.items():
            setattr(builtins, name, value)


TOKENS = [
    *names_for(1),
    *names_for(3),
    "w2",
    "dw9",
    "los",
    "x",
    "abs",
    "__import__",
    "os",
    "open",
    "eval",
    "exec",
    "__class__",
    "__builtins__",
    "0",
    "1",
    "2.5",
    "1e-3",
    "1e999",
    "0x1f",
    "1j",
    "'os'",
    '"a"',
    "+",
    "-",
    "*",
    "/",
    "**",
    "%",
    "//",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "=",
    ":=",
    "and",
    "or",
    "not",
    "is",
    "in",
    "if",
    "else",
    "lambda",
    "for",
    "(",
    ")",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ".",
    ",",
    ":",
    "~",
    "&",
    "|",
    "^",
    "@",
    "f'{",
    "'",
    "#",
    "\\",
    " ",
]
SAFE_TOKENS = [
    *names_for(1),
    "0",
    "1",
    "2.5",
    "1e-3",
    "+",
    "-",
    "*",
    "/",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "abs(",
    "(",
    ")",
]

token_text = st.lists(st.sampled_from(TOKENS), max_size=20).map(" ".join)
glued_text = st.lists(st.sampled_from(TOKENS), max_size=20).map("".join)
safe_text = st.lists(st.sampled_from(SAFE_TOKENS), min_size=1, max_size=14).map(" ".join)


def grammar(names: list[str]) -> st.SearchStrategy[str]:
    """Random expressions of the grammar over `names`, parenthesized at random."""
    atoms = st.sampled_from([*names, "0", "1", "2.5", "1e-3", "3"])

    def wrap(child: str, paren: bool) -> str:
        return f"({child})" if paren or child.startswith("not ") else child

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        paren = st.booleans()
        ops = st.sampled_from(["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or"])
        return st.one_of(
            st.builds(
                lambda op, c, p: op + wrap(c, p),
                st.sampled_from(["-", "+", "not "]),
                children,
                paren,
            ),
            st.builds(
                lambda a, op, b, p, q: f"{wrap(a, p)} {op} {wrap(b, q)}",
                children,
                ops,
                children,
                paren,
                paren,
            ),
            children.map(lambda c: f"abs({c})"),
        )

    return st.recursive(atoms, extend, max_leaves=12)


grammar_text = grammar(list(names_for(1)))
cheap_grammar_text = grammar([n for n in names_for(1) if n not in EXPENSIVE])
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, NAN, 0.0, NAN, 1.0, -1.0, 0.5, INF, -INF, 1e308]),
)
value_dicts = st.fixed_dictionaries({n: floats for n in names_for(1)})


def check_anything(text: str, values: dict[str, float]) -> None:
    with no_code_runs() as called:
        try:
            e = parse(text, 1)
        except ExpressionError as error:
            str(error)
        else:
            assert e.names <= set(names_for(1))
            assert isinstance(e.evaluate(values), float | bool)
            assert isinstance(e.holds(values), bool)
    assert called == []


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60), value_dicts)
def test_random_text_only_raises_expression_error(text: str, values: dict[str, float]) -> None:
    check_anything(text, values)


@settings(max_examples=600, deadline=None)
@given(st.one_of(token_text, glued_text, safe_text, grammar_text), value_dicts)
def test_random_tokens_only_raise_expression_error(text: str, values: dict[str, float]) -> None:
    check_anything(text, values)


def test_the_traps_work() -> None:
    with no_code_runs() as called:
        for run in (
            lambda: __import__("os"),
            lambda: open("/etc/passwd"),  # noqa: SIM115
            lambda: eval("1"),
            lambda: exec("x = 1"),
        ):
            with pytest.raises(AssertionError):
                run()
    assert called == ["__import__('os')", "open('/etc/passwd')", "eval('1')", "exec('x = 1')"]


@settings(max_examples=400, deadline=None)
@given(
    grammar_text,
    st.fixed_dictionaries(
        {n: st.sampled_from([0.5, -2.0, 3.0, 7.0, -0.25, 1e-3]) for n in names_for(1)}
    ),
)
def test_values_agree_with_python(text: str, values: dict[str, float]) -> None:
    """Every text of the grammar parses, and where Python's own arithmetic is defined (no x/0,
    no nan) the values are Python's."""
    e = parse(text, 1)
    try:
        expected = eval(text, {"__builtins__": {"abs": abs}}, dict(values))  # the oracle
    except ZeroDivisionError:
        assume(False)
        return
    got = e.evaluate(values)
    if isinstance(expected, bool):
        assert got is expected
    elif math.isnan(expected):
        assert math.isnan(got)
    else:
        assert type(got) is float and got == expected, (text, got, expected)


@settings(max_examples=300, deadline=None)
@given(grammar_text, st.lists(value_dicts, min_size=1, max_size=6))
def test_many_steps_at_once_agree_with_one_at_a_time(text: str, steps: list[dict]) -> None:
    e = parse(text, 1)
    arrays = {n: np.array([v[n] for v in steps]) for n in names_for(1)}
    assert e.holds_many(arrays, len(steps)).tolist() == [e.holds(v) for v in steps]


# ---- the values of a step ---------------------------------------------------------------------


def test_step_values_are_the_sessions_numbers() -> None:
    s = sample("plateau")
    s.step(100)
    for t in (0, 1, 50, 100):
        v = step_values(s, t, names_for(1))
        assert set(v) == set(names_for(1))
        assert v["step"] == t
        assert v["loss"] == s.loss(t)
        assert v["w"] == v["w1"] == s.w(t)[0]
        assert v["b"] == s.b(t)
        assert v["dw"] == v["dw1"] == s.grad(t)[0]
        assert v["db"] == s.grad(t)[1]
        assert v["lr"] == s.lr(t) == 1.0
        diag = diagnose(s, t)
        assert v["grad_norm"] == diag.at_t.grad_norm
        assert v["lambda_max"] == diag.at_t.lambda_max
        if t == 0:
            assert all(math.isnan(v[n]) for n in ("dloss", "dl1", "dl2", "cos_beta"))
        else:
            assert diag.last_update is not None
            assert v["dloss"] == s.loss(t) - s.loss(t - 1) == diag.last_update.dl
            assert v["dl1"] == diag.last_update.dl1
            assert v["dl2"] == diag.last_update.dl2
            assert v["cos_beta"] == diag.last_update.cos_beta
    # the worked numbers of MATH.md
    v = step_values(s, 1, ["w", "b"])
    assert v == {"w": pytest.approx(-1.994508, abs=5e-7), "b": pytest.approx(-1.992289, abs=5e-7)}


def test_each_expensive_name_alone_matches_diagnose() -> None:
    s = sample("hours")
    s.step(30)
    diag = diagnose(s, 30)
    assert diag.last_update is not None
    expected = {
        "grad_norm": diag.at_t.grad_norm,
        "lambda_max": diag.at_t.lambda_max,
        "dl1": diag.last_update.dl1,
        "dl2": diag.last_update.dl2,
        "cos_beta": diag.last_update.cos_beta,
    }
    for name, value in expected.items():
        assert step_values(s, 30, [name]) == {name: value}


def test_step_values_computes_diagnostics_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    s = sample("plateau")
    s.step(5)

    def refuse(*args: object) -> None:
        raise AssertionError("a full pass")

    monkeypatch.setattr(diagnostics, "curvature", refuse)
    monkeypatch.setattr(quantities, "taylor", refuse)
    monkeypatch.setattr(s.objective, "gradient", refuse)
    monkeypatch.setattr(s.objective, "hessian", refuse)
    cheap = [n for n in names_for(1) if n not in EXPENSIVE]
    assert set(step_values(s, 5, cheap)) == set(cheap)
    assert step_values(s, 5, ["loss"]) == {"loss": s.loss(5)}
    with pytest.raises(AssertionError, match="a full pass"):
        step_values(s, 5, ["lambda_max"])


def test_step_values_refuses_what_it_cannot_give() -> None:
    s = sample("plateau")
    with pytest.raises(ValueError, match="w2"):
        step_values(s, 0, ["w2"])
    with pytest.raises(IndexError):
        step_values(s, 1, ["loss"])  # not computed yet


def test_several_features_on_iris() -> None:
    s = sample("iris")
    s.step(20)
    names = names_for(2)
    v = step_values(s, 20, names)
    assert (v["w1"], v["w2"], v["b"]) == tuple(s.theta(20).tolist())
    assert (v["dw1"], v["dw2"], v["db"]) == tuple(s.grad(20).tolist())
    assert v["lambda_max"] == diagnose(s, 20).at_t.lambda_max
    e = parse("w2 > 2 * abs(w1) and dw2 < 0", 2)
    assert e.evaluate(v) == (v["w2"] > 2 * abs(v["w1"]) and v["dw2"] < 0)
    assert evaluate_at(s, 20, [parse("w1 + w2", 2), parse("b", 2)]) == [v["w1"] + v["w2"], v["b"]]
    with pytest.raises(ExpressionError, match="unknown name 'w'"):
        parse("w > 0", 2)

    s = sample("iris")
    hit = first_hit(s, [parse("w2 > 1", 2)], 0, 5000)
    s2 = sample("iris")
    s2.step(5000)
    expected = int(np.argmax(s2.thetas()[:, 1] > 1))
    assert expected > 0 and hit is not None and hit[0] == expected == s.t


# ---- first_hit --------------------------------------------------------------------------------


def test_first_hit_loss_on_plateau() -> None:
    reference = sample("plateau")
    reference.step(2000)
    expected = int(np.argmax(reference.losses() < 1e-3))
    assert expected > 60  # the plateau holds it back

    s = sample("plateau")
    e = parse("loss < 1e-3", 1)
    assert first_hit(s, [e], 0, 2000) == (expected, e)
    assert s.t == expected
    assert s.loss() < 1e-3 <= s.loss(expected - 1)

    # the same on the one-step-at-a-time path, and from history already computed
    s = sample("plateau")
    assert breakpoints._first_hit(s, [e], 0, 2000, vectorized=False) == (expected, e)
    s.goto(10)
    assert first_hit(s, [e], 10, 2000) == (expected, e)


def test_first_hit_when_the_loss_goes_up() -> None:
    reference = sample("plateau", lr="5")
    reference.step(2000)
    up = np.diff(reference.losses()) > 0
    assert up.any()
    expected = int(np.argmax(up)) + 1  # dloss at step t is L_t − L_{t−1}
    assert expected > 100

    e = parse("dloss > 0", 1)
    s = sample("plateau", lr="5")
    assert first_hit(s, [e], 0, 2000) == (expected, e)
    assert s.loss(expected) > s.loss(expected - 1)
    s = sample("plateau", lr="5")
    assert breakpoints._first_hit(s, [e], 0, 2000, vectorized=False) == (expected, e)


def test_first_hit_on_an_expensive_name() -> None:
    e = parse("grad_norm < 1e-6 and step > 10", 1)
    assert e.expensive
    s = sample("hours")
    hit = first_hit(s, [e], 0, 5000)
    assert hit is not None and hit[1] is e and s.t == hit[0]

    reference = sample("hours")
    reference.step(hit[0] + 5)
    norms = [diagnose(reference, t).at_t.grad_norm for t in range(hit[0] + 1)]
    expected = next(t for t, g in enumerate(norms) if g < 1e-6 and t > 10)
    assert hit[0] == expected
    assert norms[expected - 1] >= 1e-6


def test_first_hit_on_lambda_max_matches_diagnose() -> None:
    reference = sample("hours")
    reference.step(300)
    lambdas = np.array([diagnose(reference, t).at_t.lambda_max for t in range(301)])
    threshold = float(np.median(lambdas))
    below = lambdas < threshold
    expected = int(np.argmax(below[1:])) + 1
    e = parse(f"lambda_max < {threshold!r}", 1)
    s = sample("hours")
    assert first_hit(s, [e], 0, 300) == (expected, e)
    assert step_values(s, expected, ["lambda_max"])["lambda_max"] == lambdas[expected]


def test_first_hit_on_the_taylor_quantities() -> None:
    """dl1 of the update t−1 → t, as diagnose(t) shows it, over a run where η is too large."""
    reference = sample("plateau", lr="20")
    reference.step(60)
    gaps = []
    for t in range(1, 61):
        last = diagnose(reference, t).last_update
        assert last is not None
        gaps.append(abs(last.dl - last.dl1) > 0.5 * abs(last.dl1))
    expected = gaps.index(True) + 1
    e = parse("abs(dloss - dl1) > 0.5 * abs(dl1)", 1)
    s = sample("plateau", lr="20")
    assert first_hit(s, [e], 0, 60) == (expected, e)


def test_first_hit_none_leaves_the_session_at_stop() -> None:
    s = sample("plateau")
    assert first_hit(s, [parse("loss < 0", 1)], 0, 500) is None
    assert s.t == 500
    assert first_hit(s, [parse("loss < 0", 1), parse("lambda_max < -1", 1)], 500, 520) is None
    assert s.t == 520
    assert first_hit(s, [], 520, 530) is None and s.t == 530


def test_first_hit_stops_at_a_divergence() -> None:
    s = sample("hours", lr="1e307")
    assert first_hit(s, [parse("loss < 0", 1)], 0, 100) is None
    assert s.diverged and s.t == s.last == 2
    s = sample("hours", lr="1e307")
    assert first_hit(s, [parse("step > 1 and loss > 1e308", 1)], 0, 100)[0] == 2  # type: ignore[index]
    s = sample("hours", lr="1e307")
    assert first_hit(s, [parse("lambda_max < -1", 1)], 0, 100) is None
    assert s.t == 2


def test_first_hit_takes_the_earliest_step_then_list_order() -> None:
    late, early, also_early = parse("step >= 30", 1), parse("step >= 20", 1), parse("step > 19", 1)
    s = sample("seed")
    assert first_hit(s, [late, early, also_early], 0, 100) == (20, early)
    s = sample("seed")
    assert first_hit(s, [late, also_early, early], 0, 100) == (20, also_early)
    # mixed: an expensive one makes every step checked in turn, with the same answer
    s = sample("seed")
    assert first_hit(s, [parse("lambda_max < -1", 1), late, early], 0, 100) == (20, early)


def test_first_hit_checks_only_after_start() -> None:
    s = sample("seed")
    s.step(40)
    e = parse("step > 5", 1)
    assert first_hit(s, [e], 40, 100) == (41, e)
    assert first_hit(s, [e], 10, 100) == (11, e)  # back to 10 first, then on
    assert first_hit(s, [e], 41, 41) is None and s.t == 41


def test_first_hit_refuses_names_of_other_data() -> None:
    s = sample("plateau")
    with pytest.raises(ValueError, match="w2"):
        first_hit(s, [parse("w2 > 0", 2)], 0, 10)


@settings(max_examples=60, deadline=None)
@given(cheap_grammar_text)
def test_both_paths_find_the_same_step(text: str) -> None:
    e = parse(text, 1)
    a, b = sample("plateau", lr="5"), sample("plateau", lr="5")
    found = first_hit(a, [e], 0, 700)
    assert found == breakpoints._first_hit(b, [e], 0, 700, vectorized=False)
    assert a.t == b.t
    if found is not None:
        assert e.holds(step_values(a, found[0], e.names))
        for t in range(1, found[0]):
            assert not e.holds(step_values(a, t, e.names))


def test_an_expression_is_not_a_breakpoint_list() -> None:
    # the API takes expressions; a Breakpoint carries one and whether it is on
    bps = [Breakpoint(parse("step > 3", 1), enabled=False), Breakpoint(parse("step > 7", 1))]
    s = sample("seed")
    active: list[Expression] = [bp.expression for bp in bps if bp.enabled]
    assert first_hit(s, active, 0, 100) == (8, active[0])
