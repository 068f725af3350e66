"""The loss surface: the full-data L(w, b) on a grid around the path θ_0 … θ_t (one feature),
with the path, and the view that keeps its range and grid from step to step. Numpy only."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tui.app.plots.axes import RANGE_LIMIT, smallest_positive
from tui.app.plots.curves import one_feature
from tui.engine.model import sigmoid
from tui.engine.objective import Objective
from tui.engine.session import Session
from tui.format import num

SURFACE_POINTS = 2000
"""The surface sums over at most this many points (an even stride through the data)."""

PATH_POINTS = 2000
"""The path on the surface keeps at most this many θ (always θ_0 and θ_t)."""

MARGIN = 0.3
"""The surface spans the path's bounding box plus this fraction of it on each side …"""

MIN_HALF_WIDTH = 1.0
"""… and at least ±this around θ_t."""

GRID_BLOCK = 1 << 16
"""Entries of z (cells × points) per numpy pass over the surface grid."""


# ---- the loss surface -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Surface:
    """L(w, b) over every point (or an even-stride subsample) on a rows × columns grid,
    with the path θ_0 … θ_t over it."""

    ws: np.ndarray  # (columns,) increasing
    bs: np.ndarray  # (rows,) increasing
    loss: np.ndarray  # (rows, columns): loss[r, c] = L(ws[c], bs[r])
    level: np.ndarray  # (rows, columns): log10 L scaled to [0, 1] over the grid; nan: not finite
    log_lo: float  # log10 L at level 0 …
    log_hi: float  # … and at level 1
    path_w: np.ndarray  # θ_0 … θ_t, at most PATH_POINTS of them (always θ_0 and θ_t); …
    path_b: np.ndarray  # … as they are: not finite, or beyond the grid (past ±RANGE_LIMIT)
    w: float  # θ_t
    b: float
    points: int  # the points the grid sums over
    subsampled_from: int | None  # N when `points` < N

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return float(self.ws[0]), float(self.ws[-1]), float(self.bs[0]), float(self.bs[-1])


def _finite_path(session: Session) -> np.ndarray:
    """θ_0 … θ_t without the θ that are not finite (a diverged last state); (0, 0) when
    none is (θ_0 itself may be inf)."""
    path = session.thetas()
    if not np.isfinite(path).all():
        path = path[np.isfinite(path[:, 0]) & np.isfinite(path[:, 1])]
    return path if len(path) else np.zeros((1, 2))


def _clip(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, -RANGE_LIMIT), RANGE_LIMIT)


def _span(lo: float, hi: float, centre: float) -> tuple[float, float]:
    """[lo, hi] plus MARGIN of its width on each side, and at least ±MIN_HALF_WIDTH (or a
    relative width where ±1 is lost in the rounding) around centre."""
    margin = MARGIN * (hi - lo)
    half = max(MIN_HALF_WIDTH, abs(centre) * 1e-9)
    lo, hi = _clip(min(lo - margin, centre - half)), _clip(max(hi + margin, centre + half))
    if not hi > lo:  # only at the ±RANGE_LIMIT edge
        lo, hi = _clip(lo - RANGE_LIMIT * 1e-9), _clip(hi + RANGE_LIMIT * 1e-9)
    return lo, hi


def loss_grid(
    objective: Objective, x: np.ndarray, y: np.ndarray, ws: np.ndarray, bs: np.ndarray
) -> np.ndarray:
    """L(w, b) over the points (x, y) for every w in ws and b in bs, (len(bs), len(ws)):
    the objective's ℓ, σ and reduction, with z = w·x + b as `linear` computes it.
    """
    with np.errstate(all="ignore"):
        u = np.multiply.outer(ws, x)  # (columns, n): w·x_i
    out = np.empty((len(bs), len(ws)))
    _loss_rows(objective, u, y, bs, out)
    return out


def _loss_rows(
    objective: Objective, u: np.ndarray, y: np.ndarray, bs: np.ndarray, out: np.ndarray
) -> None:
    """out[r, c] = L(ws[c], bs[r]) from u = outer(ws, x), a block of rows at a time."""
    loss = objective.loss
    divisor = objective.divisor(u.shape[1])
    block = max(1, GRID_BLOCK // max(1, u.size))
    with np.errstate(all="ignore"):
        for r in range(0, len(bs), block):
            z = u[None, :, :] + bs[r : r + block, None, None]
            residual = sigmoid(z) - y
            out[r : r + block] = loss.point_loss(z, y, residual, np).sum(axis=-1) / divisor


def _levels(loss: np.ndarray) -> tuple[np.ndarray, float, float]:
    """log10 L scaled to [0, 1] over the finite cells (L ≤ 0 as the smallest positive L)."""
    finite = np.isfinite(loss)
    if not finite.any():
        return np.full(loss.shape, np.nan), 0.0, 0.0
    with np.errstate(all="ignore"):
        log_loss = np.log10(np.maximum(loss, smallest_positive(loss)))
    lo = float(log_loss[finite].min())
    hi = float(log_loss[finite].max())
    level = (log_loss - lo) / (hi - lo) if hi > lo else np.full(loss.shape, 0.5)
    return np.where(finite, level, np.nan), lo, hi


class SurfaceView:
    """The loss surface as one plot shows it, step after step: its range, which only widens
    (so the map stays put while the path moves inside it), and the last grid computed (reused
    while the range and the size stay). It belongs to one session at a time: another session
    starts it afresh."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self.bounds: tuple[float, float, float, float] | None = None
        self._key: tuple | None = None
        self._grid: tuple = ()

    def _follow(self, session: Session) -> None:
        if session is not self.session:
            self.session, self.bounds, self._key, self._grid = session, None, None, ()

    def range(
        self, session: Session, others: tuple[Session, ...] = ()
    ) -> tuple[float, float, float, float]:
        """(w_lo, w_hi, b_lo, b_hi): the path's bounding box (with the paths of `others`,
        compare mode's runs) plus MARGIN on each side and at least ±1 around θ_t, widened
        only when a path leaves the range shown so far."""
        one_feature(session)
        self._follow(session)
        path = _finite_path(session)
        centre = path[-1]
        if others:
            path = np.concatenate([path, *(_finite_path(other) for other in others)])
        w, b = path[:, 0], path[:, 1]  # column by column: 20× faster than min(axis=0)
        lo, hi = (w.min(), b.min()), (w.max(), b.max())
        old = self.bounds
        inside = old is not None and (
            old[0] <= lo[0] and hi[0] <= old[1] and old[2] <= lo[1] and hi[1] <= old[3]
        )
        if not inside:
            w_lo, w_hi = _span(float(lo[0]), float(hi[0]), float(centre[0]))
            b_lo, b_hi = _span(float(lo[1]), float(hi[1]), float(centre[1]))
            if old is not None:
                w_lo, w_hi = min(w_lo, old[0]), max(w_hi, old[1])
                b_lo, b_hi = min(b_lo, old[2]), max(b_hi, old[3])
            self.bounds = (w_lo, w_hi, b_lo, b_hi)
        return self.bounds

    def surface(
        self, session: Session, columns: int, rows: int, others: tuple[Session, ...] = ()
    ) -> Surface:
        """The full-data L(w, b) on `columns` w × `rows` b over `range` (which holds the
        paths of `others` too), with the path.

        Over more than SURFACE_POINTS points the grid sums over an even-stride subsample (an
        Objective on those points, same loss and reduction) and `subsampled_from` says so."""
        bounds = self.range(session, others)
        columns, rows = max(1, int(columns)), max(1, int(rows))
        objective = session.objective
        key = (bounds, columns, rows)
        if self._key != key:
            stride = max(1, -(-objective.n // SURFACE_POINTS))
            x, y = objective.x[::stride, 0], objective.y[::stride]
            ws = np.linspace(bounds[0], bounds[1], columns)
            bs = np.linspace(bounds[2], bounds[3], rows)
            loss = loss_grid(objective, x, y, ws, bs)
            level, log_lo, log_hi = _levels(loss)
            subsampled_from = objective.n if stride > 1 else None
            self._key = key
            self._grid = (ws, bs, loss, level, log_lo, log_hi, len(x), subsampled_from)
        ws, bs, loss, level, log_lo, log_hi, points, subsampled_from = self._grid
        path = path_of(session)
        return Surface(
            ws=ws,
            bs=bs,
            loss=loss,
            level=level,
            log_lo=log_lo,
            log_hi=log_hi,
            path_w=path[:, 0],
            path_b=path[:, 1],
            w=float(path[-1, 0]),
            b=float(path[-1, 1]),
            points=points,
            subsampled_from=subsampled_from,
        )


def path_of(session: Session) -> np.ndarray:
    """θ_0 … θ_t, at most PATH_POINTS of them evenly spread (always θ_0 and θ_t)."""
    path = session.thetas()
    if len(path) > PATH_POINTS:
        path = path[np.unique(np.linspace(0, len(path) - 1, PATH_POINTS).round().astype(int))]
    return path


def band_grid(surface: Surface, bands: int) -> np.ndarray:
    """The colour band of each cell, (rows, columns): 0 … bands−1 from the lowest log10 L
    to the highest, and −1 where L is not finite."""
    finite = np.isfinite(surface.level)
    band = np.full(surface.level.shape, -1)
    band[finite] = np.minimum((surface.level[finite] * bands).astype(int), bands - 1)
    return band


def describe_loss_range(surface: Surface) -> str:
    """`L 0.00286123…0.158046`: the loss at the two ends of the colour ramp, the grid's own
    values (10^log10 L would not read back exactly), written as every number is (`num`: 6
    figures, or exact with p)."""
    loss = surface.loss
    finite = loss[np.isfinite(loss)]
    if not finite.size:
        return "L not finite"
    lowest = max(float(finite.min()), smallest_positive(loss))  # the ramp's floor, as _levels
    return f"L {num(lowest)}…{num(float(finite.max()))}"
