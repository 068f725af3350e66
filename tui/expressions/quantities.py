"""The values of a step that expressions read: cheap ones from the history, the costly ones
(EXPENSIVE) from tui.engine.diagnostics, one step at a time or as arrays over many."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from tui.engine.cycles import periods
from tui.engine.diagnostics import Curvature, CurvatureCache, norm, taylor
from tui.engine.session import Session
from tui.expressions.compile import Outcome
from tui.expressions.expression import Expression
from tui.expressions.names import EXPENSIVE, feature_index, names_for

# ---- the values of a step ---------------------------------------------------------------------


def check_names(session: Session, names: Iterable[str]) -> frozenset[str]:
    names = frozenset(names)
    unknown = names - frozenset(names_for(session.d))
    if unknown:
        raise ValueError(
            f"unknown quantities for {session.d} features: {', '.join(sorted(unknown))}"
        )
    return names


def _cheap_value(session: Session, t: int, name: str) -> float:
    if name == "step":
        return float(t)
    if name == "loss":
        return session.loss(t)
    if name == "dloss":  # the change an update made: none at step 0 or where θ was set by hand
        if t == 0 or session.edited_at(t):
            return math.nan
        return session.loss(t) - session.loss(t - 1)
    if name == "b":
        return session.b(t)
    if name == "db":
        return float(session.history.full(t)[1][-1])
    if name == "lr":
        return session.lr(t)
    if name == "period":
        return float(periods(session, t, t)[0])
    if name == "run":
        return float(session.run)
    prefix, j = feature_index(name) or (name, 1)  # "w" and "dw" are w1 and dw1
    if prefix == "dw":
        return float(session.history.full(t)[1][j - 1])
    return float(session.history.theta(t)[j - 1])


class Curvatures:
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
    session: Session, t: int, names: frozenset[str], curvatures: Curvatures
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
        if t == 0 or session.edited_at(t):  # no update to explain (as the Taylor panel)
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
    names = check_names(session, names)
    if not 0 <= t <= session.last:
        raise IndexError(f"step {t} is not computed (steps 0…{session.last})")
    values = {n: _cheap_value(session, t, n) for n in names - EXPENSIVE}
    if names & EXPENSIVE:
        values.update(_expensive_values(session, t, names, Curvatures(session)))
    return values


def evaluate_at(session: Session, t: int, expressions: Iterable[Expression]) -> list[Outcome]:
    """The watches' values at step t (one step_values call for all of them)."""
    expressions = list(expressions)
    names = frozenset().union(*(e.names for e in expressions))
    values = step_values(session, t, names)
    return [e.evaluate(values) for e in expressions]


class LazyValues(Mapping[str, float]):
    """The values of one step, each computed when an expression first reads it (so
    `step > 10 and grad_norm < 1e-6` skips the gradient while step ≤ 10)."""

    def __init__(self, session: Session, t: int, curvatures: Curvatures) -> None:
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


def history_arrays(session: Session, lo: int, hi: int, names: frozenset[str]) -> dict:
    """The cheap quantities of steps lo…hi (lo ≥ 1) as arrays, views of one block of the
    history (valid until it changes: the periods, which read blocks of their own, first)."""
    arrays: dict[str, np.ndarray] = {}
    if "period" in names:
        arrays["period"] = periods(session, lo, hi).astype(np.float64)
    block = session.history.block(lo, hi)
    loss = session.history.losses(lo - 1, hi)
    for name in names - {"period"}:
        if name == "step":
            arrays[name] = np.arange(lo, hi + 1, dtype=np.float64)
        elif name == "run":
            arrays[name] = np.full(hi - lo + 1, float(session.run))
        elif name == "loss":
            arrays[name] = block.loss
        elif name == "dloss":
            with np.errstate(all="ignore"):  # inf − inf after a divergence
                dloss = loss[1:] - loss[:-1]
            edited = [step - lo for step in session.edits_between(lo, hi)]
            dloss[edited] = math.nan  # θ set by hand there: no update's change
            arrays[name] = dloss
        elif name == "b":
            arrays[name] = block.theta[:, -1]
        elif name == "db":
            arrays[name] = block.grad[:, -1]
        elif name == "lr":
            arrays[name] = block.lr
        else:
            prefix, j = feature_index(name) or (name, 1)
            arrays[name] = (block.grad if prefix == "dw" else block.theta)[:, j - 1]
    return arrays
