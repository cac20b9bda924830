"""Ranking and banding kernels.

Ranks are "competition" ranks (1, 2, 2, 4): ties share the lowest rank number; missing values
get rank 0 (unranked). A level's ranks and its ranks within parents share one sort of the
values: the second is a stable integer sort of the first's order by parent.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray

__all__ = ["UNRANKED", "band", "rank_in_groups", "rank_two_ways"]

#: The rank given to a missing score.
UNRANKED = 0
RankArray = npt.NDArray[np.int64]


def _ranks_from_order(
    n: int, present: IntArray, key: FloatArray, order: IntArray, groups: IntArray | None
) -> RankArray:
    """Competition ranks given ``order`` (positions into ``present``) sorted by group, then
    key; ``groups`` are the labels of the present values. Written in place, to keep the
    temporaries of a million-row ranking few."""
    ranks = np.zeros(n, dtype=np.int64)
    if len(order) == 0:
        return ranks
    new_tie = np.empty(len(order), dtype=bool)
    new_tie[0] = True
    sv = key[order]
    np.not_equal(sv[1:], sv[:-1], out=new_tie[1:])
    del sv
    group_start = None
    if groups is not None:
        sg = groups[order]
        new_group = np.empty(len(order), dtype=bool)
        new_group[0] = True
        np.not_equal(sg[1:], sg[:-1], out=new_group[1:])
        del sg
        new_tie |= new_group
        group_start = np.arange(len(order))
        group_start[~new_group] = 0
        del new_group
        np.maximum.accumulate(group_start, out=group_start)
    tie_start = np.arange(len(order))
    tie_start[~new_tie] = 0
    del new_tie
    np.maximum.accumulate(tie_start, out=tie_start)
    if group_start is not None:
        tie_start -= group_start
        del group_start
    tie_start += 1
    ranks[present[order]] = tie_start
    return ranks


def _group_order(order: IntArray, groups: IntArray) -> IntArray:
    """Re-sort ``order`` by group, stably, so each group keeps the key order.

    numpy's stable sort is a radix sort for 16-bit keys, several times faster than its merge
    sort for wider ones; group labels are sorted 16 bits at a time (least significant first,
    each pass stable), which gives the same order.
    """
    g = groups[order]
    top = int(g.max()) if len(g) else 0
    if top >= 1 << 32:
        return order[np.argsort(g, kind="stable")]
    if top >= 1 << 16:
        low = np.argsort((g & 0xFFFF).astype(np.uint16), kind="stable")
        order, g = order[low], g[low]
        g = g >> 16
    return order[np.argsort(g.astype(np.uint16), kind="stable")]


#: Below this many values a plain ``argsort`` is as fast as the radix passes.
RADIX_MIN = 1 << 15

#: Buckets of the radix pre-sort: 32 bits, a little under 2**32 so rounding cannot overflow.
_BUCKETS = float((1 << 32) - (1 << 12))


def _argsort_radix(key: FloatArray) -> IntArray | None:
    """An order that sorts ``key`` (finite floats, no NaN), or None if the range is unusable.

    The values are mapped monotonically onto 32-bit buckets (``(x - min) * scale``: rounding
    cannot reverse two values, it can only merge them) and sorted by two stable 16-bit radix
    passes, which numpy runs in linear time. Values sharing a bucket are then put in order by
    a stable sort of the nearly sorted result (timsort finishes it in about one pass), so the
    order is exact whatever the distribution: a clustered one only makes that last step work
    harder.
    """
    if len(key) < 2:
        return None
    lo, hi = key.min(), key.max()
    span = float(hi) - float(lo)
    scale = _BUCKETS / span if span > 0 else math.inf
    if not (math.isfinite(span) and math.isfinite(scale)):
        return None  # all equal, an infinite value, or a span too small to scale
    q = np.subtract(key, lo)
    q *= scale
    bucket = q.astype(np.uint32)
    del q
    order = np.argsort(bucket.astype(np.uint16), kind="stable")
    high = (bucket >> 16).astype(np.uint16)
    del bucket
    order = order[np.argsort(high[order], kind="stable")]
    del high
    ordered = key[order]
    if (ordered[1:] < ordered[:-1]).any():  # values that shared a bucket
        order = order[np.argsort(ordered, kind="stable")]
    return order.astype(np.intp, copy=False)


def _argsort(key: FloatArray) -> IntArray:
    """An order that sorts ``key`` (no NaN): radix passes for long columns, else argsort."""
    if len(key) >= RADIX_MIN:
        order = _argsort_radix(key)
        if order is not None:
            return order
    return np.argsort(key).astype(np.intp, copy=False)


def _sort(values: FloatArray, descending: bool) -> tuple[IntArray, FloatArray, IntArray]:
    """The present positions, their sort keys, and the order that sorts the keys."""
    present = np.flatnonzero(~np.isnan(values))
    key = values[present]
    if descending:
        np.negative(key, out=key)
    return present, key, _argsort(key)


def rank_two_ways(
    values: FloatArray,
    level_groups: IntArray | None,
    parent_groups: IntArray | None,
    *,
    descending: bool = True,
) -> tuple[RankArray, RankArray]:
    """Ranks within ``level_groups`` and within ``parent_groups`` from one sort of ``values``."""
    present, key, by_key = _sort(values, descending)
    lg = None if level_groups is None else level_groups[present]
    level_order = by_key if lg is None else _group_order(by_key, lg)
    in_level = _ranks_from_order(len(values), present, key, level_order, lg)
    del level_order, lg  # one order alive at a time
    pg = None if parent_groups is None else parent_groups[present]
    parent_order = by_key if pg is None else _group_order(by_key, pg)
    in_parent = _ranks_from_order(len(values), present, key, parent_order, pg)
    return in_level, in_parent


def rank_in_groups(
    values: FloatArray, groups: IntArray | None = None, *, descending: bool = True
) -> RankArray:
    """Competition ranks (1, 2, 2, 4) of ``values`` within each group.

    Args:
        values: float64 scores; NaN is unranked (rank 0).
        groups: a group label per value (e.g. the parent index); None = one group.
        descending: rank 1 is the highest value (True) or the lowest (False).

    Returns:
        int64 ranks, 0 where the value is missing.
    """
    present, key, by_key = _sort(values, descending)
    g = None if groups is None else groups[present]
    order = by_key if g is None else _group_order(by_key, g)
    return _ranks_from_order(len(values), present, key, order, g)


def band(
    scores: FloatArray, edges: tuple[float, ...] | npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """The band index of every score: the number of ``edges`` ``<=`` the score; -1 if missing."""
    out = np.zeros(len(scores), dtype=np.intp)
    for edge in np.asarray(edges, dtype=np.float64).tolist():  # a few edges: one pass each
        out += scores >= edge
    out[np.isnan(scores)] = -1
    return out
