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


def _magnitude(ordered: FloatArray) -> float:
    """The largest finite absolute value of rows in descending order (NaN last): at one end
    of each row's present values."""
    last = np.maximum(np.count_nonzero(~np.isnan(ordered), axis=1) - 1, 0)
    ends = np.abs(np.concatenate([ordered[:, 0], ordered[np.arange(len(ordered)), last]]))
    ends = ends[np.isfinite(ends)]
    return float(ends.max()) if ends.size else 0.0


def _new_ties(ordered: FloatArray, tolerance: float, magnitude: float) -> npt.NDArray[np.bool_]:
    """Where a new tie starts along each row of ``ordered`` (rows in sort order).

    As :func:`egov_score.kernels.rank._merge_close`: one pass finds the neighbours closer than
    ``tolerance`` times ``magnitude`` (the largest finite absolute value), and the exact test
    runs on those few.
    """
    new = np.ones(ordered.shape, dtype=bool)
    a, b = ordered[:, 1:], ordered[:, :-1]
    np.not_equal(a, b, out=new[:, 1:])
    if tolerance > 0 and ordered.shape[1] > 1:
        with np.errstate(invalid="ignore"):
            diff = np.subtract(b, a)
            np.abs(diff, out=diff)
            rows, cols = np.nonzero((diff <= tolerance * magnitude) & new[:, 1:])
            d, x, y = diff[rows, cols], a[rows, cols], b[rows, cols]
            close = (d <= tolerance * np.maximum(np.abs(x), np.abs(y))) & np.isfinite(d)
        new[rows[close], cols[close] + 1] = False
    return new


def _competition(
    new_tie: npt.NDArray[np.bool_], start: npt.NDArray[np.int32] | None
) -> npt.NDArray[np.int32]:
    """Competition ranks along each row from where ties (and groups, ``start``) begin."""
    m = new_tie.shape[1]
    tie_start = np.where(new_tie, np.arange(m, dtype=np.int32), np.int32(0))
    np.maximum.accumulate(tie_start, axis=1, out=tie_start)
    if start is not None:
        tie_start -= start
    tie_start += 1
    return tie_start


def _labels(parent: IntArray) -> npt.NDArray[np.integer]:
    """Parent labels in the narrowest type numpy's stable sort takes as a radix sort."""
    top = int(parent.max()) + 1 if len(parent) else 0
    return parent.astype(np.uint16) if top < (1 << 16) - 1 else parent.astype(np.int64)


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
    ranks = np.zeros((runs, n), dtype=np.int32)
    if n == 0:
        return ranks, (None if parent is None else ranks.copy())
    offsets = (np.arange(runs, dtype=np.intp) * n)[:, np.newaxis]
    order = np.argsort(-scores, axis=1)  # NaN last; ties in any order share their rank
    order += offsets  # flat positions from here on
    ordered = scores.reshape(-1).take(order)
    present = ~np.isnan(ordered)
    magnitude = _magnitude(ordered) if tolerance > 0 else 0.0
    level = _competition(_new_ties(ordered, tolerance, magnitude), None)
    level[~present] = 0
    ranks.reshape(-1)[order] = level
    del level
    if parent is None:
        return ranks, None
    labels = _labels(parent)
    top = np.iinfo(labels.dtype).max
    by = labels.take(order - offsets)
    by[~present] = top
    perm = np.argsort(by, axis=1, kind="stable")
    perm += offsets
    order = order.reshape(-1).take(perm)
    ordered = ordered.reshape(-1).take(perm)
    by = by.reshape(-1).take(perm)
    present = present.reshape(-1).take(perm)
    del perm
    new_group = np.ones((runs, n), dtype=bool)
    np.not_equal(by[:, 1:], by[:, :-1], out=new_group[:, 1:])
    new_tie = _new_ties(ordered, tolerance, magnitude)
    new_tie |= new_group
    start = np.where(new_group, np.arange(n, dtype=np.int32), np.int32(0))
    np.maximum.accumulate(start, axis=1, out=start)
    within = _competition(new_tie, start)
    within[~present] = 0
    in_parent = np.zeros((runs, n), dtype=np.int32)
    in_parent.reshape(-1)[order] = within
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
    ordered = np.sort(ranks.T, axis=1)  # a unit's runs in a row; the unranked zeros first
    count = np.count_nonzero(ordered, axis=1).astype(np.intp)
    skip = runs - count
    units = np.arange(n)
    some = count > 0
    out: list[npt.NDArray[np.int64]] = []
    for q in quantiles:  # a loop over the two or three quantiles asked for
        k = np.maximum(np.ceil(count * q).astype(np.intp) - 1, 0)
        at = np.minimum(skip + k, runs - 1)
        out.append(np.where(some, ordered[units, at], 0).astype(np.int64))
    lo = np.minimum(skip + (count - 1) // 2, runs - 1)
    hi = np.minimum(skip + count // 2, runs - 1)
    median = np.where(
        some, (ordered[units, lo].astype(np.float64) + ordered[units, hi]) / 2.0, np.nan
    )
    return out, median, count
