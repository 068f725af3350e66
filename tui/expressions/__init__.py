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
``dloss``               L(θ_t) − L(θ_{t−1}) (nan at step 0 and where θ_t was set by hand)
``w`` / ``w1`` … ``wd``  the weights (``w`` only when there is one feature)
``b``                   the bias
``dw`` / ``dw1`` …      g_t's weight part (``dw`` only when there is one feature)
``db``                  g_t's bias part
``lr``                  η of update t
``period``              p when step t is exactly where the run was p steps before
                        (θ, optimizer state and η bit for bit, the batch too), the
                        smallest such p ≤ 8; else 0. From there the run repeats those
                        p states for ever (1 is a fixed point; see tui.engine.cycles)
``run``                 the run's index in compare mode (0: the base run; 0 alone)
``grad_norm``           ‖∇L(θ_t)‖, full data
``cos_beta``            cos β of the update t−1 → t (nan where there is none: step 0, an edit)
``dl1``, ``dl2``        ΔL₁, ΔL₂ of the update t−1 → t (nan where there is none)
``lambda_max``          λ_max of the Hessian at θ_t
======================  ===========================================================

The last five (:data:`EXPENSIVE`) cost full passes over the data at every step checked.

This module does not import textual.
"""

from tui.expressions.breakpoints import first_hit
from tui.expressions.compile import Outcome
from tui.expressions.expression import Breakpoint, Expression, parse
from tui.expressions.grammar import MAX_LENGTH, ExpressionError
from tui.expressions.names import EXPENSIVE, names_for, names_line
from tui.expressions.quantities import evaluate_at, step_values

__all__ = [
    "EXPENSIVE",
    "MAX_LENGTH",
    "Breakpoint",
    "Expression",
    "ExpressionError",
    "Outcome",
    "evaluate_at",
    "first_hit",
    "names_for",
    "names_line",
    "parse",
    "step_values",
]
