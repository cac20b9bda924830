"""Ranks of a level's columns, per period: within the level and within each parent.

Ranks are always per period. A stacked column holds its periods one after the other, so each
period's rows are one contiguous slice: every period is ranked on its own slice, exactly as
that period scored alone is, and written into the stacked rank columns. No label array as
long as the stack is built, and no sort runs over all periods at once (which would then have
to be re-sorted by period): a period's slice is sorted in the cache, its temporaries are a
period long.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import wait
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from egov_score._arrays import FloatArray, IntArray, readonly
from egov_score.engine.stack import Stack
from egov_score.kernels.rank import RANK_TOLERANCE, RankArray, SortedScores, rank_two_ways

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["PeriodRanks"]

#: A column's ranks within the level and within parents, each per period.
TwoRanks = tuple[RankArray, RankArray]

_T = TypeVar("_T")


class PeriodRanks:
    """Ranks the stacked columns of one level, period by period.

    Args:
        stack: the run's row layout.
        depth: the level.
        parent: the parent index of every unit of the level (None on the top level, where
            ranks within parents are ranks within the level).
    """

    def __init__(self, stack: Stack, depth: int, parent: IntArray | None) -> None:
        self.n_periods = stack.n_periods
        self.n = stack.sizes[depth]
        self.parent = parent

    def _slices(self, periods: range) -> list[slice]:
        return [slice(p * self.n, (p + 1) * self.n) for p in periods]

    def _into(self, values: FloatArray, out: TwoRanks, periods: range) -> None:
        """Rank ``periods`` of ``values`` into the two stacked rank columns ``out``."""
        for rows in self._slices(periods):  # a loop over periods, not units
            level, parent = rank_two_ways(values[rows], None, self.parent, tolerance=RANK_TOLERANCE)
            out[0][rows] = level
            out[1][rows] = parent

    def __call__(self, values: FloatArray) -> TwoRanks:
        """The ranks of ``values`` (a stacked column of the level) within the level and
        within parents, per period (0 where a value is missing), read-only."""
        if self.n_periods == 1:
            a, b = rank_two_ways(values, None, self.parent, tolerance=RANK_TOLERANCE)
            return readonly(a), readonly(b)
        out = _empty(len(values))
        self._into(values, out, range(self.n_periods))
        return readonly(out[0]), readonly(out[1])

    def rank(
        self, values: FloatArray, beside: Executor | None, meanwhile: Callable[[], _T]
    ) -> tuple[TwoRanks, _T]:
        """What :meth:`__call__` gives for ``values``, and what ``meanwhile`` (other work of
        the caller's) gives, run once on this thread.

        Without an executor, ``meanwhile`` runs first, then the ranking. With one, part of
        the ranking runs on ``beside`` and ``meanwhile`` after this thread's share of it: for
        one period, this thread sorts, then the ranks within parents are made there while
        this thread makes those within the level and then runs ``meanwhile``; for several
        periods, the first half of the periods runs there while this thread ranks the second
        half and then runs ``meanwhile``. An error is raised once the work on ``beside`` has
        ended.
        """
        if beside is None:
            done = meanwhile()
            return self(values), done
        if self.n_periods == 1:
            sorted_ = SortedScores(values, tolerance=RANK_TOLERANCE)
            within_parents = beside.submit(sorted_.ranks, self.parent)
            try:
                within_level = readonly(sorted_.ranks(None))
                done = meanwhile()
            finally:
                wait([within_parents])
            return (within_level, readonly(within_parents.result())), done
        out = _empty(len(values))
        half = self.n_periods // 2
        first = beside.submit(self._into, values, out, range(half))
        try:
            self._into(values, out, range(half, self.n_periods))
            done = meanwhile()
        finally:
            wait([first])
        first.result()
        return (readonly(out[0]), readonly(out[1])), done


def _empty(rows: int) -> TwoRanks:
    return np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
