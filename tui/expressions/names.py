"""The names an expression may use: the quantities of a step, and which of them cost
full passes over the data."""

from __future__ import annotations

from tui.engine.model import weight_names

EXPENSIVE = frozenset({"grad_norm", "cos_beta", "dl1", "dl2", "lambda_max"})
"""Names that need full passes over the data (the gradient, the Hessian) at each step."""


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
        "period",
        "run",
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


def feature_index(name: str) -> tuple[str, int] | None:
    """("w", j) for "wj", ("dw", j) for "dwj" (j ≥ 0 as written), else None."""
    for prefix in ("dw", "w"):
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest.isdigit() and rest.isascii():
            return prefix, int(rest)
    return None
