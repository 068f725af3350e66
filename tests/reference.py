"""An independent, deliberately plain implementation of MATH.md, to check the engine against.

It shares no code with `tui`: every formula is written again from MATH.md, the way a course
or a notebook would, one point at a time with Python floats and `math`.
"""

from __future__ import annotations

import math

import numpy as np


def sigma(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def point(w: list[float], b: float, x: list[float], y: float, loss: str):
    """(ℓ_i, dℓ_i/dw, dℓ_i/db) for one point."""
    z = sum(wj * xj for wj, xj in zip(w, x, strict=True)) + b
    y_hat = sigma(z)
    r = y_hat - y
    if loss == "mse":
        value = 0.5 * r * r
        g = r * y_hat * (1 - y_hat)
    else:
        value = (max(z, 0.0) - y * z) + math.log1p(math.exp(-abs(z)))
        g = r
    return value, [g * xj for xj in x], g


def loss_and_grad(theta, X, Y, loss, reduction, rows):
    d = len(theta) - 1
    w, b = list(theta[:d]), theta[d]
    total = sum(point(w, b, X[i], Y[i], loss)[0] for i in range(len(X)))
    gw, gb = [0.0] * d, 0.0
    for i in rows:
        _, dw, db = point(w, b, X[i], Y[i], loss)
        gw = [a + c for a, c in zip(gw, dw, strict=True)]
        gb += db
    n_all, n_batch = (len(X), len(rows)) if reduction == "mean" else (1, 1)
    return total / n_all, np.array([*gw, gb]) / n_batch


def batches(n, size, shuffle, seed):
    """Yield the rows of update 0, 1, 2, … as MATH.md says."""
    rng = np.random.default_rng(seed)
    while True:
        order = list(rng.permutation(n)) if shuffle else list(range(n))
        for start in range(0, n, size):
            yield order[start : start + size]


def run(
    X,
    Y,
    *,
    loss="mse",
    reduction="mean",
    optimizer="gd",
    lr=1.0,
    w0=0.0,
    b0=0.0,
    batch_size=None,
    shuffle=False,
    seed=0,
    steps=10,
):
    """The rows (theta_t, L_t, g_t) for t = 0 … steps."""
    X = [list(map(float, x)) for x in X]
    n, d = len(X), len(X[0])
    size = n if batch_size is None else min(batch_size, n)
    if size >= n:
        shuffle = False
    w_start = [w0] * d if isinstance(w0, float) else list(w0)
    theta = np.array([*w_start, b0], dtype=float)
    sched = batches(n, size, shuffle, seed)
    m = np.zeros(d + 1)
    v = np.zeros(d + 1)
    out = []
    for t in range(steps + 1):
        L, g = loss_and_grad(theta, X, Y, loss, reduction, next(sched))
        out.append((theta.copy(), L, g))
        if t == steps:
            break
        if optimizer in ("gd", "sgd", "minibatch"):
            theta = theta - lr * g
        elif optimizer == "momentum":
            m = 0.9 * m + g
            theta = theta - lr * m
        elif optimizer == "nesterov":
            m = 0.9 * m + g
            theta = theta - lr * (g + 0.9 * m)
        elif optimizer == "adagrad":
            v = v + g**2
            theta = theta - lr * g / (np.sqrt(v) + 1e-10)
        elif optimizer == "rmsprop":
            v = 0.99 * v + 0.01 * g**2
            theta = theta - lr * g / (np.sqrt(v) + 1e-8)
        elif optimizer == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            m_hat = m / (1 - 0.9 ** (t + 1))
            v_hat = v / (1 - 0.999 ** (t + 1))
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return out
