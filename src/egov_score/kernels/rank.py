"""Ranking and banding kernels.

Ranks are "competition" ranks (1, 2, 2, 4): ties share the lowest rank number; missing values
get rank 0 (unranked). With a relative tolerance (the engine's composites and groups use
:data:`RANK_TOLERANCE`), values that differ by float noise tie: in sort order, a value within
``tolerance * max(|a|, |b|)`` of the value just before it shares its rank. A level's ranks and
its ranks within parents share one sort of the values: the second is a stable integer sort of
the first's order by parent.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, stable_order

__all__ = ["RANK_TOLERANCE", "SortedScores", "band", "rank_in_groups", "rank_two_ways"]

#: Relative tolerance within which the engine ranks two scores as equal (ties = min):
#: 74.86666666666667 and 74.86666666666666, the same mean summed in another order, share a rank.
RANK_TOLERANCE = 1e-9

RankArray = npt.NDArray[np.int64]


def _ranks_from_rows(
    n: int,
    rows: IntArray,
    ordered: FloatArray,
    ordered_groups: npt.NDArray[np.integer] | None,
    tolerance: float = 0.0,
    magnitude: float = 0.0,
) -> RankArray:
    """Competition ranks of ``n`` rows given ``rows`` (the present rows sorted by group, then
    by key) and their values (and group labels) in that order. Written in place, to keep the
    temporaries of a million-row ranking few."""
    ranks = np.zeros(n, dtype=np.int64)
    m = len(rows)
    if m == 0:
        return ranks
    new_tie = np.empty(m, dtype=bool)
    new_tie[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_tie[1:])
    if tolerance > 0 and m > 1:
        _merge_close(new_tie, ordered, tolerance, magnitude)
    group_start = None
    if ordered_groups is not None:
        new_group = np.empty(m, dtype=bool)
        new_group[0] = True
        np.not_equal(ordered_groups[1:], ordered_groups[:-1], out=new_group[1:])
        new_tie |= new_group
        group_start = np.arange(m)
        np.logical_not(new_group, out=new_group)
        np.putmask(group_start, new_group, 0)
        del new_group
        np.maximum.accumulate(group_start, out=group_start)
    tie_start = np.arange(m)
    np.logical_not(new_tie, out=new_tie)
    np.putmask(tie_start, new_tie, 0)
    del new_tie
    np.maximum.accumulate(tie_start, out=tie_start)
    if group_start is not None:
        tie_start -= group_start
        del group_start
    tie_start += 1
    ranks[rows] = tie_start
    return ranks


def _merge_close(
    new_tie: npt.NDArray[np.bool_], ordered: FloatArray, tolerance: float, magnitude: float
) -> None:
    """Clear ``new_tie[i]`` where ``ordered[i]`` is within ``tolerance * max(|a|, |b|)`` of
    ``ordered[i - 1]`` (an infinity is never close to a finite value).

    One pass finds the candidates, neighbours closer than ``tolerance`` times ``magnitude``
    (the column's largest absolute value); the exact test then runs on those few only.
    """
    with np.errstate(invalid="ignore"):
        diff = np.subtract(ordered[1:], ordered[:-1])
        np.abs(diff, out=diff)
        bound = tolerance * magnitude
        # neighbours in sort order within a group; across groups new_tie is set again later
        idx = np.flatnonzero(diff <= bound)
        if not len(idx):
            return
        idx = idx[new_tie[1:][idx]]
        d = diff[idx]
        a, b = ordered[idx + 1], ordered[idx]
        close = (d <= tolerance * np.maximum(np.abs(a), np.abs(b))) & np.isfinite(d)
    new_tie[idx[close] + 1] = False


def _by_group(rows: IntArray, groups: IntArray) -> tuple[IntArray, npt.NDArray[np.integer]]:
    """A stable re-sort of ``rows`` by their group labels, and the labels in the new order.

    numpy's stable sort is a radix sort for 16-bit keys, several times faster than its merge
    sort for wider ones; wider labels are sorted 16 bits at a time
    (:func:`~egov_score._arrays.stable_order`), which gives the same order.
    """
    top = int(groups.max()) if len(groups) else 0
    if top < 1 << 16:  # the usual case: gather from a small copy of the labels
        small = groups.astype(np.uint16)[rows]
        perm = np.argsort(small, kind="stable")
        return rows[perm], small[perm]
    g = groups[rows]
    perm = stable_order(g)
    return rows[perm], g[perm]


#: Below this many values a plain ``argsort`` is as fast as the radix passes.
RADIX_MIN = 1 << 15

#: Buckets of the radix pre-sort: 32 bits, a little under 2**32 so rounding cannot overflow;
#: missing values go to a bucket of their own after every other.
_BUCKETS = float((1 << 32) - (1 << 12))
_MISSING_BUCKET = float((1 << 32) - 1)


def _order_radix(
    values: FloatArray, missing: npt.NDArray[np.bool_], m: int, descending: bool
) -> tuple[IntArray, FloatArray] | None:
    """The ``m`` present rows of ``values`` in sort order and their values, or None if the
    range cannot be scaled (fewer than two values, all equal, an infinite value, a vanishing
    span).

    The values are mapped monotonically onto 32-bit buckets (``(x - min) * scale``, or
    ``(max - x) * scale`` for descending order: rounding cannot reverse two values, only merge
    them), missing values into a last bucket, and sorted by two stable 16-bit radix passes,
    which numpy runs in linear time. Values sharing a bucket are then put in order by a stable
    sort of the nearly sorted result (timsort finishes it in about one pass), so the order is
    exact whatever the distribution: a clustered one only makes that last step work harder.
    """
    if m < 2:
        return None
    lo, hi = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))  # skip NaN
    span = hi - lo
    scale = _BUCKETS / span if span > 0 else math.inf
    if not (math.isfinite(span) and math.isfinite(scale)):
        return None
    q = np.subtract(hi, values) if descending else np.subtract(values, lo)
    q *= scale
    np.putmask(q, missing, _MISSING_BUCKET)
    bucket = q.astype(np.uint32)
    del q
    order = np.argsort(bucket.astype(np.uint16), kind="stable")  # the low 16 bits
    bucket >>= 16
    high = bucket.astype(np.uint16)
    del bucket
    rows = order[np.argsort(high[order], kind="stable")][:m]  # the missing rows are last
    del high, order
    ordered = values[rows]
    shared = ordered[1:] > ordered[:-1] if descending else ordered[1:] < ordered[:-1]
    if shared.any():  # values that shared a bucket
        fix = np.argsort(-ordered if descending else ordered, kind="stable")
        rows, ordered = rows[fix], ordered[fix]
    return rows.astype(np.intp, copy=False), ordered


def _order(values: FloatArray, descending: bool) -> tuple[IntArray, FloatArray]:
    """The present (not NaN) rows of ``values`` in sort order, and their values: radix passes
    for long columns, else numpy's argsort."""
    missing = np.isnan(values)
    m = len(values) - int(np.count_nonzero(missing))
    if m >= RADIX_MIN:
        done = _order_radix(values, missing, m, descending)
        if done is not None:
            return done
    present = np.flatnonzero(~missing)
    key = values[present]
    if descending:
        np.negative(key, out=key)
    rows = present[np.argsort(key)]
    return rows, values[rows]


class SortedScores:
    """The present (not NaN) values of a column in sort order: one sort, shared by every
    ranking made from it (within the level, within parents), which may then run side by
    side.

    Args:
        values: float64 scores; NaN is unranked.
        descending: rank 1 is the highest value (True) or the lowest (False).
        tolerance: relative tolerance within which neighbouring values tie (0: exact).
    """

    def __init__(
        self, values: FloatArray, descending: bool = True, *, tolerance: float = 0.0
    ) -> None:
        self.values = values
        self.tolerance = tolerance
        self.n = len(values)
        self.rows, self.ordered = _order(values, descending)

    def ranks(self, groups: IntArray | None) -> RankArray:
        """Competition ranks within ``groups`` (a label per row; None = one group)."""
        if groups is None:
            return _ranks_from_rows(
                self.n, self.rows, self.ordered, None, self.tolerance, self._magnitude()
            )
        rows, ordered_groups = _by_group(self.rows, groups)
        return _ranks_from_rows(
            self.n, rows, self.values[rows], ordered_groups, self.tolerance, self._magnitude()
        )

    def _magnitude(self) -> float:
        """The largest absolute value present: at one end of the sort order."""
        if not len(self.ordered):
            return 0.0
        return max(abs(float(self.ordered[0])), abs(float(self.ordered[-1])))


def rank_two_ways(
    values: FloatArray,
    level_groups: IntArray | None,
    parent_groups: IntArray | None,
    *,
    descending: bool = True,
    tolerance: float = 0.0,
) -> tuple[RankArray, RankArray]:
    """Ranks within ``level_groups`` and within ``parent_groups`` from one sort of ``values``
    (neighbours within relative ``tolerance`` tie)."""
    sorted_ = SortedScores(values, descending, tolerance=tolerance)
    return sorted_.ranks(level_groups), sorted_.ranks(parent_groups)


def rank_in_groups(
    values: FloatArray,
    groups: IntArray | None = None,
    *,
    descending: bool = True,
    tolerance: float = 0.0,
) -> RankArray:
    """Competition ranks (1, 2, 2, 4) of ``values`` within each group.

    Args:
        values: float64 scores; NaN is unranked (rank 0).
        groups: a group label per value (e.g. the parent index); None = one group.
        descending: rank 1 is the highest value (True) or the lowest (False).
        tolerance: relative tolerance within which neighbouring values in sort order tie
            (0: exact; the engine uses :data:`RANK_TOLERANCE`).

    Returns:
        int64 ranks, 0 where the value is missing.
    """
    return SortedScores(values, descending, tolerance=tolerance).ranks(groups)


def band(
    scores: FloatArray, edges: tuple[float, ...] | npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """The band index of every score: the number of ``edges`` ``<=`` the score; -1 if missing."""
    out = np.zeros(len(scores), dtype=np.intp)
    for edge in np.asarray(edges, dtype=np.float64).tolist():  # a few edges: one pass each
        out += scores >= edge
    out[np.isnan(scores)] = -1
    return out
