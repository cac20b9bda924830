"""Ranking and banding kernels.

Ranks are "competition" ranks (1, 2, 2, 4): ties share the lowest rank number; missing values
get rank 0 (unranked). A level's ranks and its ranks within parents share one sort of the
values: the second is a stable integer sort of the first's order by parent.
"""

from __future__ import annotations

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
    """Competition ranks given ``order`` (positions into ``present``) sorted by group, then key."""
    ranks = np.zeros(n, dtype=np.int64)
    if len(order) == 0:
        return ranks
    sv = key[order]
    idx = np.arange(len(order))
    new_group = np.zeros(len(order), dtype=bool)
    new_group[0] = True
    if groups is not None:
        sg = groups[present][order]
        new_group[1:] = sg[1:] != sg[:-1]
    new_tie = new_group.copy()
    new_tie[1:] |= sv[1:] != sv[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
    tie_start = np.maximum.accumulate(np.where(new_tie, idx, 0))
    ranks[present[order]] = tie_start - group_start + 1
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


def rank_two_ways(
    values: FloatArray,
    level_groups: IntArray | None,
    parent_groups: IntArray | None,
    *,
    descending: bool = True,
) -> tuple[RankArray, RankArray]:
    """Ranks within ``level_groups`` and within ``parent_groups`` from one sort of ``values``."""
    present = np.flatnonzero(~np.isnan(values))
    key = -values[present] if descending else values[present]
    by_key = np.argsort(key).astype(np.intp)
    lg = None if level_groups is None else level_groups[present]
    pg = None if parent_groups is None else parent_groups[present]
    level_order = by_key if lg is None else _group_order(by_key, lg)
    parent_order = by_key if pg is None else _group_order(by_key, pg)
    return (
        _ranks_from_order(len(values), present, key, level_order, level_groups),
        _ranks_from_order(len(values), present, key, parent_order, parent_groups),
    )


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
    return rank_two_ways(values, groups, None, descending=descending)[0]


def band(
    scores: FloatArray, edges: tuple[float, ...] | npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """The band index of every score: the number of ``edges`` ``<=`` the score; -1 if missing."""
    idx = np.searchsorted(np.asarray(edges, dtype=np.float64), scores, side="right")
    return np.where(np.isnan(scores), -1, idx).astype(np.intp)
