"""Ranks of many runs at once: a runs x units matrix of scores ranked row by row.

The ranks are those of :func:`~egov_score.kernels.rank.rank_two_ways` applied to every row on
its own (competition ranks, ties = min, NaN unranked = 0, neighbours in sort order within a
relative ``tolerance`` of each other tie), made from one sort along the units axis; ranks
within parents come from a stable re-sort of that order by the parent labels. Nothing loops
over runs or units.

The quantile rule of :func:`rank_quantiles` is numpy's ``inverted_cdf`` (Hyndman and Fan's
definition 1): the smallest rank at or below which at least the share ``q`` of the runs lie,
so an interval's ends are always ranks some run gave.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray

__all__ = ["RunRanks", "rank_quantiles", "rank_runs"]

#: A runs x units matrix of ranks (0 = unranked).
RunRanks = npt.NDArray[np.int32]


def _new_ties(ordered: FloatArray, tolerance: float) -> npt.NDArray[np.bool_]:
    """Where a new tie starts along each row of ``ordered`` (rows in sort order)."""
    new = np.ones(ordered.shape, dtype=bool)
    a, b = ordered[:, 1:], ordered[:, :-1]
    np.not_equal(a, b, out=new[:, 1:])
    if tolerance > 0 and ordered.shape[1] > 1:
        with np.errstate(invalid="ignore"):
            d = np.abs(a - b)
            close = (d <= tolerance * np.maximum(np.abs(a), np.abs(b))) & np.isfinite(d)
        new[:, 1:] &= ~close
    return new


def _competition(new_tie: npt.NDArray[np.bool_], start: IntArray | None) -> IntArray:
    """Competition ranks along each row from where ties (and groups, ``start``) begin."""
    m = new_tie.shape[1]
    tie_start = np.where(new_tie, np.arange(m), 0)
    np.maximum.accumulate(tie_start, axis=1, out=tie_start)
    if start is not None:
        tie_start -= start
    tie_start += 1
    return tie_start


def rank_runs(
    scores: FloatArray,
    parent: IntArray | None = None,
    *,
    tolerance: float = 0.0,
) -> tuple[RunRanks, RunRanks | None]:
    """Each row's ranks within the row and within parents (descending: 1 = highest).

    Args:
        scores: runs x units float64, NaN = unranked.
        parent: a parent label per unit (None: no ranks within parents are made).
        tolerance: relative tolerance within which neighbours in sort order tie.

    Returns:
        int32 ranks within the row, and within the unit's parent (None without ``parent``).
    """
    runs, n = scores.shape
    order = np.argsort(-scores, axis=1, kind="stable")  # NaN last
    ordered = np.take_along_axis(scores, order, axis=1)
    present = ~np.isnan(ordered)
    ranks = np.zeros((runs, n), dtype=np.int32)
    if n == 0:
        return ranks, (None if parent is None else ranks.copy())
    level = _competition(_new_ties(ordered, tolerance), None)
    np.put_along_axis(ranks, order, np.where(present, level, 0).astype(np.int32), axis=1)
    del level
    if parent is None:
        return ranks, None
    labels = np.where(present, parent[order], np.iinfo(np.intp).max)
    perm = np.argsort(labels, axis=1, kind="stable")
    order = np.take_along_axis(order, perm, axis=1)
    ordered = np.take_along_axis(ordered, perm, axis=1)
    labels = np.take_along_axis(labels, perm, axis=1)
    present = np.take_along_axis(present, perm, axis=1)
    new_group = np.ones((runs, n), dtype=bool)
    np.not_equal(labels[:, 1:], labels[:, :-1], out=new_group[:, 1:])
    new_tie = _new_ties(ordered, tolerance) | new_group
    start = np.where(new_group, np.arange(n), 0)
    np.maximum.accumulate(start, axis=1, out=start)
    within = _competition(new_tie, start)
    in_parent = np.zeros((runs, n), dtype=np.int32)
    np.put_along_axis(in_parent, order, np.where(present, within, 0).astype(np.int32), axis=1)
    return ranks, in_parent


def rank_quantiles(
    ranks: RunRanks, quantiles: tuple[float, ...]
) -> tuple[list[npt.NDArray[np.int64]], FloatArray, IntArray]:
    """Per unit (column), quantiles and the median of its ranks over the runs it is ranked in.

    Args:
        ranks: runs x units, 0 = unranked in that run.
        quantiles: the shares ``q`` wanted, each in [0, 1].

    Returns:
        For each ``q``, the rank by numpy's ``inverted_cdf`` rule (0 where never ranked); the
        median (the mean of the two middle ranks for an even count; NaN where never ranked);
        and how many runs ranked each unit.
    """
    runs, n = ranks.shape
    ordered = np.sort(ranks, axis=0)  # the unranked zeros first
    count = np.count_nonzero(ordered, axis=0).astype(np.intp)
    skip = runs - count
    cols = np.arange(n)
    some = count > 0
    out: list[npt.NDArray[np.int64]] = []
    for q in quantiles:  # a loop over the two or three quantiles asked for
        k = np.maximum(np.ceil(count * q).astype(np.intp) - 1, 0)
        at = np.minimum(skip + k, runs - 1)
        out.append(np.where(some, ordered[at, cols], 0).astype(np.int64))
    lo = np.minimum(skip + (count - 1) // 2, runs - 1)
    hi = np.minimum(skip + count // 2, runs - 1)
    median = np.where(
        some, (ordered[lo, cols].astype(np.float64) + ordered[hi, cols]) / 2.0, np.nan
    )
    return out, median, count
