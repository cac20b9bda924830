"""Order-based aggregation: the weighted median, Borda's count and Copeland's rule.

Like the means of :mod:`.aggregate`, each kernel takes a matrix ``scores`` (units x children,
float64, NaN = missing) and the children's ``weights`` and returns one float64 per unit, on
0-100. Borda and Copeland compare a unit with its peers, so they also take the peer group of
every row (``groups``: the units of one period of a level); the weighted median is row by row.
The formulas are in ``docs/method.md``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.exceptions import ScoringError
from egov_score.kernels.grouped import group_count
from egov_score.kernels.rank import rank_in_groups

__all__ = ["COPELAND_MAX_PEERS", "borda", "copeland", "copeland_points", "median"]

Matrix = npt.NDArray[np.float64]

#: Copeland's rule compares every pair of peers: a peer group may hold at most this many units.
COPELAND_MAX_PEERS = 20_000
#: Elements of the (rows x peers x children) block compared at once by Copeland's rule.
_BLOCK_ELEMENTS = 4_000_000


def _present_weights(scores: Matrix, weights: FloatArray) -> Matrix:
    """Each child's weight where it is present in the row, else 0."""
    return np.where(np.isnan(scores), 0.0, weights[np.newaxis, :])


def _one_group(groups: IntArray | None, n: int) -> tuple[IntArray, int]:
    if groups is None or n == 0:
        return np.zeros(n, dtype=np.intp), 1 if n else 0
    return groups, int(groups.max()) + 1


def median(scores: Matrix, weights: FloatArray) -> FloatArray:
    """The weighted median of the children present in each row.

    Children sorted by score, the median is the first whose cumulative weight reaches half the
    weight present; where the cumulative weight equals half exactly (up to 1e-12 of the total),
    it is the mean of that score and the next one, so equal weights give the ordinary median.
    A child with weight 0 is left out; a row with no weight present is missing.
    """
    w = _present_weights(scores, weights)
    w[:, weights <= 0] = 0.0
    v = np.where(w > 0, scores, np.nan)
    order = np.argsort(v, axis=1)  # NaN (absent) last
    sorted_v = np.take_along_axis(v, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    n, k = scores.shape
    if k == 0:
        return np.full(n, np.nan)
    total = cum[:, -1]
    half = total / 2.0
    tol = 1e-12 * total
    at = (cum < (half - tol)[:, np.newaxis]).sum(axis=1)
    at = np.minimum(at, k - 1)
    rows = np.arange(n)
    lower = sorted_v[rows, at]
    exact = np.abs(cum[rows, at] - half) <= tol
    upper = sorted_v[rows, np.minimum(at + 1, k - 1)]
    out = np.where(exact & ~np.isnan(upper), (lower + upper) / 2.0, lower)
    out[~(total > 0)] = np.nan
    return np.asarray(out, dtype=np.float64)


def borda(scores: Matrix, weights: FloatArray, groups: IntArray | None = None) -> FloatArray:
    """Borda's count among peers, on 0-100.

    Each child gives a unit ``rank - 1`` points, its rank ascending among the peers that have
    the child (ties = min: COINr ``n_borda``), scaled by the ``n - 1`` points the best of ``n``
    gets: ``(rank - 1) / (n - 1) * 100``. A unit's score is the weighted mean of its points over
    its children present. Without missing data this is ``100 / (n - 1)`` times the weighted
    Borda count divided by the total weight, so units are ordered as by the Borda count. A
    child that only one peer has gives no points (missing).
    """
    n, k = scores.shape
    groups, n_groups = _one_group(groups, n)
    points = np.full((n, k), np.nan)
    for j in range(k):  # a loop over children
        col = np.ascontiguousarray(scores[:, j])
        ranks = rank_in_groups(col, groups, descending=False).astype(np.float64)
        peers = group_count(col, groups, n_groups)[groups]
        with np.errstate(invalid="ignore", divide="ignore"):
            p = (ranks - 1.0) / (peers - 1.0) * 100.0
        p[(ranks == 0) | (peers < 2)] = np.nan
        points[:, j] = p
    w = _present_weights(points, weights)
    wsum = w.sum(axis=1)
    total = (np.where(np.isnan(points), 0.0, points) * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, total / np.where(wsum > 0, wsum, 1.0), np.nan)


def copeland_points(
    scores: Matrix, weights: FloatArray, groups: IntArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Copeland's raw points and the number of peers each unit was compared with.

    A unit beats a peer when the weight of the children on which it scores higher exceeds the
    weight of those on which it scores lower, over the children both have (COINr's outranking
    matrix above 0.5); it scores +1 for each peer it beats, -1 for each that beats it, 0 for a
    draw. Units with no child present score NaN and are nobody's peer.

    Raises:
        ScoringError: a peer group holds more than :data:`COPELAND_MAX_PEERS` units.
    """
    n, k = scores.shape
    groups, n_groups = _one_group(groups, n)
    present = ~np.isnan(scores)
    active = present.any(axis=1) if k else np.zeros(n, dtype=bool)
    points = np.full(n, np.nan)
    peers = np.bincount(groups[active], minlength=n_groups).astype(np.float64)
    biggest = int(peers.max()) if n_groups else 0
    if biggest > COPELAND_MAX_PEERS:
        raise ScoringError(
            f"copeland compares every pair of peers, so a peer group may hold at most "
            f"{COPELAND_MAX_PEERS} units; got {biggest}"
        )
    order = np.argsort(groups[active], kind="stable")
    rows_all = np.flatnonzero(active)[order]
    bounds = np.concatenate(([0], np.cumsum(peers.astype(np.intp))))
    filled = np.where(present, scores, 0.0)
    for g in np.flatnonzero(peers):  # a loop over peer groups (periods), not units
        rows = rows_all[bounds[g] : bounds[g + 1]]
        x, p = filled[rows], present[rows]
        m = len(rows)
        block = max(1, _BLOCK_ELEMENTS // max(1, m * k))
        out = np.empty(m)
        for start in range(0, m, block):  # blocks of rows, each compared with all peers at once
            xb, pb = x[start : start + block], p[start : start + block]
            sign = np.sign(xb[:, np.newaxis, :] - x[np.newaxis, :, :])
            both = pb[:, np.newaxis, :] & p[np.newaxis, :, :]
            margin = np.where(both, sign, 0.0) @ weights
            out[start : start + block] = np.sign(margin).sum(axis=1)
        points[rows] = out
    return points, peers[groups] - 1.0


def copeland(scores: Matrix, weights: FloatArray, groups: IntArray | None = None) -> FloatArray:
    """Copeland's rule among peers, on 0-100: ``(c + m) / (2 m) * 100`` for a unit with ``c``
    points (:func:`copeland_points`) among ``m`` other peers, so beating every peer scores 100
    and losing to every peer 0. A unit with no peer to compare with is missing.
    """
    points, others = copeland_points(scores, weights, groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (points + others) / (2.0 * others) * 100.0
    out[~(others > 0)] = np.nan
    return np.asarray(out, dtype=np.float64)
