"""Ranking and banding kernels.

Ranks are computed with one ``np.lexsort`` over (group, value); ties share the lowest rank
number (1, 2, 2, 4, "competition" ranking) and missing values get rank 0 (unranked).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray

__all__ = ["UNRANKED", "band", "rank_in_groups"]

#: The rank given to a missing score.
UNRANKED = 0


def rank_in_groups(
    values: FloatArray, groups: IntArray | None = None, *, descending: bool = True
) -> npt.NDArray[np.int64]:
    """Competition ranks (1, 2, 2, 4) of ``values`` within each group.

    Args:
        values: float64 scores; NaN is unranked (rank 0).
        groups: a group label per value (e.g. the parent index); None = one group.
        descending: rank 1 is the highest value (True) or the lowest (False).

    Returns:
        int64 ranks, 0 where the value is missing.
    """
    n = len(values)
    ranks = np.zeros(n, dtype=np.int64)
    present = np.flatnonzero(~np.isnan(values))
    if len(present) == 0:
        return ranks
    v = values[present]
    key = -v if descending else v
    g = np.zeros(len(present), dtype=np.intp) if groups is None else groups[present]
    order = np.lexsort((key, g))
    sv, sg = key[order], g[order]
    idx = np.arange(len(order))
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = sg[1:] != sg[:-1]
    new_tie = new_group.copy()
    new_tie[1:] |= sv[1:] != sv[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
    tie_start = np.maximum.accumulate(np.where(new_tie, idx, 0))
    ranks[present[order]] = tie_start - group_start + 1
    return ranks


def band(
    scores: FloatArray, edges: tuple[float, ...] | npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """The band index of every score: the number of ``edges`` ``<=`` the score; -1 if missing."""
    idx = np.searchsorted(np.asarray(edges, dtype=np.float64), scores, side="right")
    return np.where(np.isnan(scores), -1, idx).astype(np.intp)
