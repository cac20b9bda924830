"""Periods stacked into one set of columns, and cut apart again.

A run scores several periods at once: every level's columns hold ``n_periods * n`` rows,
period-major (row ``r`` is unit ``r % n`` in period ``r // n``), so one pass of each kernel
scores every period.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from egov_score._arrays import IntArray, LazyColumns, readonly
from egov_score.model.hierarchy import Level
from egov_score.model.result import LevelResult

__all__ = ["Stack", "period_rows"]


class Stack:
    """The row layout of a run: ``n_periods`` periods of ``sizes[depth]`` units per level.

    Args:
        periods: the period names, in stacking order.
        sizes: the number of units of every level, top first.
    """

    def __init__(self, periods: tuple[str, ...], sizes: Sequence[int]) -> None:
        self.periods = periods
        self.n_periods = len(periods)
        self.sizes = tuple(sizes)

    def rows(self, depth: int) -> int:
        """The number of stacked rows of level ``depth``."""
        return self.n_periods * self.sizes[depth]

    def period_of(self, depth: int) -> IntArray:
        """The period index of every stacked row of level ``depth`` (row r: r // n)."""
        return np.repeat(np.arange(self.n_periods), self.sizes[depth])

    def labels(self, depth: int, per_unit: IntArray, n_groups: int) -> IntArray:
        """A per-unit group label made distinct per period (``period * n_groups + label``)."""
        if self.n_periods == 1:
            return per_unit
        # One pass: each period's row of a (periods x units) array is the labels plus its
        # offset (not a tile, a repeat and a sum, each as long as the stack).
        out = np.empty((self.n_periods, self.sizes[depth]), dtype=np.intp)
        offsets = np.arange(self.n_periods, dtype=np.intp) * n_groups
        np.add(per_unit, offsets[:, None], out=out)
        return out.reshape(-1)

    def tile(self, arr: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """A per-unit column repeated for every period (the column itself for one period)."""
        return arr if self.n_periods == 1 else np.tile(arr, self.n_periods)

    def per_period(
        self,
        depth: int,
        step: Callable[[slice], np.ndarray[Any, Any]],
        dtype: type[np.generic] = np.float64,
    ) -> np.ndarray[Any, Any]:
        """A row-wise step on level ``depth`` (``step(rows)`` gives its ``dtype`` values on
        the stacked ``rows``) run on one period's rows at a time and stacked; the step's own
        result for one period.

        The values are those of one call on every row; but a period's temporaries are a
        period long, reused from one period to the next in memory the process holds, where
        a call on every row would map (and fault in) stack-long ones afresh for every step.
        """
        if self.n_periods == 1:
            return step(slice(None))
        n = self.sizes[depth]
        out = np.empty(self.rows(depth), dtype=dtype)
        for p in range(self.n_periods):  # a loop over periods, not units
            rows = slice(p * n, (p + 1) * n)
            out[rows] = step(rows)
        return out

    def placeholder(self, arr: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """A per-unit column of the level's units (codes, names, parents) for a stacked level
        result: the column itself for one period; for several, a read-only view of the
        stacked length that takes no memory and holds the first unit's value on every row.
        :func:`period_rows` puts the level's own column in every period's result, so a
        million codes are not copied once a month."""
        if self.n_periods == 1:
            return arr
        rows = self.n_periods * len(arr)
        view: np.ndarray[Any, Any] = np.lib.stride_tricks.as_strided(
            arr[:1], shape=(rows,), strides=(0,), writeable=False
        )
        return view

    def rows_by_period(self, depth: int, rows: IntArray) -> dict[int, IntArray]:
        """The (ascending) stacked ``rows`` of level ``depth`` as unit positions in the level,
        per period index (periods without such rows are left out)."""
        n = self.sizes[depth]
        out: dict[int, IntArray] = {}
        bounds = np.searchsorted(rows, np.arange(self.n_periods + 1) * n)
        for p in range(self.n_periods):  # a loop over periods, not units
            hit = rows[bounds[p] : bounds[p + 1]]
            if len(hit):
                out[p] = hit - p * n if p else hit
        return out

    def by_period(
        self, depth: int, codes: np.ndarray[Any, Any], rows: IntArray
    ) -> dict[int, np.ndarray[Any, Any]]:
        """The unit ``codes`` of the (ascending) stacked ``rows`` of level ``depth``, per
        period index (periods without such rows are left out)."""
        return {p: codes[hit] for p, hit in self.rows_by_period(depth, rows).items()}


def period_rows(lv: LevelResult, p: int, n_periods: int, units: Level) -> LevelResult:
    """Period ``p``'s rows of a stacked level result (the result itself for one period), with
    the codes, names and parents of ``units``, the level's units."""
    if n_periods == 1:
        return lv
    n = len(lv.codes) // n_periods
    rows = slice(p * n, (p + 1) * n)

    def cut(cols: Mapping[str, Any]) -> dict[str, Any]:
        return {k: readonly(v[rows]) for k, v in cols.items()}

    def cut_lazily(cols: Mapping[str, Any]) -> LazyColumns[Any]:
        return LazyColumns(tuple(cols), lambda k: readonly(cols[k][rows]))

    return LevelResult(
        level=lv.level,
        codes=units.codes,
        names=units.names,
        names_hi=units.names_hi,
        parent=units.parent,
        parent_level_codes=lv.parent_level_codes,
        fields=cut_lazily(lv.fields),
        indicators=cut(lv.indicators),
        normalised=cut(lv.normalised),
        groups=cut(lv.groups),
        group_coverage=cut_lazily(lv.group_coverage),
        group_ranks=cut_lazily(lv.group_ranks),
        group_ranks_in_parent=cut_lazily(lv.group_ranks_in_parent),
        score=readonly(lv.score[rows]),
        rank=readonly(lv.rank[rows]),
        rank_in_parent=readonly(lv.rank_in_parent[rows]),
        band=readonly(lv.band[rows]),
        band_labels=lv.band_labels,
        coverage=readonly(lv.coverage[rows]),
        imputed=cut(lv.imputed),
        treated=cut(lv.treated),
        screened_out=None if lv.screened_out is None else readonly(lv.screened_out[rows]),
    )
