"""The update rules of MATH.md (torch.optim's, with its defaults), one small function each.

A rule takes θ_t, the batch gradient g_t, the state vectors it kept after update t−1 (zeros
before the first update), η and t, and returns θ_{t+1} and its new state. Rules use arithmetic
operators only, so the same function updates one coordinate (floats) or all (numpy arrays);
squares and roots are element-wise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tui.engine.model import Value
from tui.format import num

MU = 0.9
ADAGRAD_EPS = 1e-10
RMSPROP_ALPHA, RMSPROP_EPS = 0.99, 1e-8
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8

State = tuple[Value, ...]
Result = tuple[Value, State]


def gd(theta: Value, g: Value, state: State, lr: float, t: int) -> Result:
    """θ_{t+1} = θ_t − η·g_t."""
    return theta - lr * g, state


def momentum(theta: Value, g: Value, state: State, lr: float, t: int) -> Result:
    """v_t = μ·v_{t−1} + g_t; θ_{t+1} = θ_t − η·v_t."""
    v = MU * state[0] + g
    return theta - lr * v, (v,)


def nesterov(theta: Value, g: Value, state: State, lr: float, t: int) -> Result:
    """v_t = μ·v_{t−1} + g_t; θ_{t+1} = θ_t − η·(g_t + μ·v_t)."""
    v = MU * state[0] + g
    return theta - lr * (g + MU * v), (v,)


def adagrad(theta: Value, g: Value, state: State, lr: float, t: int) -> Result:
    """s_t = s_{t−1} + g_t²; θ_{t+1} = θ_t − η·g_t / (√s_t + ε)."""
    s = state[0] + g * g
    return theta - lr * g / (s**0.5 + ADAGRAD_EPS), (s,)


def rmsprop(theta: Value, g: Value, state: State, lr: float, t: int) -> Result:
    """s_t = α·s_{t−1} + (1−α)·g_t²; θ_{t+1} = θ_t − η·g_t / (√s_t + ε)."""
    s = RMSPROP_ALPHA * state[0] + (1.0 - RMSPROP_ALPHA) * g * g
    return theta - lr * g / (s**0.5 + RMSPROP_EPS), (s,)


def adam(theta: Value, g: Value, state: State, lr: float, t: int) -> Result:
    """m_t, v_t moving averages of g and g²; θ_{t+1} = θ_t − η·m̂_t / (√v̂_t + ε)."""
    m = ADAM_BETA1 * state[0] + (1.0 - ADAM_BETA1) * g
    v = ADAM_BETA2 * state[1] + (1.0 - ADAM_BETA2) * g * g
    m_hat = m / (1.0 - ADAM_BETA1 ** (t + 1))
    v_hat = v / (1.0 - ADAM_BETA2 ** (t + 1))
    return theta - lr * m_hat / (v_hat**0.5 + ADAM_EPS), (m, v)


@dataclass(frozen=True)
class Optimizer:
    """An update rule, how many state vectors it keeps, and how the screen writes it (its
    constants written by `num`, as every number on screen: 1e−8, not 1e-08)."""

    name: str
    rule: Callable[[Value, Value, State, float, int], Result]
    state_names: tuple[str, ...]
    formula: str

    @property
    def state_rows(self) -> int:
        return len(self.state_names)


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("gd", gd, (), "θ ← θ − η·g"),
        Optimizer("sgd", gd, (), "θ ← θ − η·g   (g from one point)"),
        Optimizer("minibatch", gd, (), "θ ← θ − η·g   (g from a batch)"),
        Optimizer("momentum", momentum, ("v",), f"v ← {num(MU)}·v + g;  θ ← θ − η·v"),
        Optimizer(
            "nesterov", nesterov, ("v",), f"v ← {num(MU)}·v + g;  θ ← θ − η·(g + {num(MU)}·v)"
        ),
        Optimizer(
            "adagrad", adagrad, ("s",), f"s ← s + g²;  θ ← θ − η·g/(√s + {num(ADAGRAD_EPS)})"
        ),
        Optimizer(
            "rmsprop",
            rmsprop,
            ("s",),
            f"s ← {num(RMSPROP_ALPHA)}·s + {num(1 - RMSPROP_ALPHA)}·g²;  "
            f"θ ← θ − η·g/(√s + {num(RMSPROP_EPS)})",
        ),
        Optimizer(
            "adam",
            adam,
            ("m", "v"),
            f"m ← {num(ADAM_BETA1)}·m + {num(1 - ADAM_BETA1)}·g;  v ← {num(ADAM_BETA2)}·v + "
            f"{num(1 - ADAM_BETA2)}·g²;  θ ← θ − η·m̂/(√v̂ + {num(ADAM_EPS)})",
        ),
    )
}
