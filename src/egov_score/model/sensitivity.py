"""What an uncertainty and sensitivity analysis returns: rank statistics, Sobol' indices, removals.

A sensitivity analysis scores the same data many times (*runs*), each run under one plausible
set of method choices (weights, normalisation, aggregation, imputation, outlier treatment) drawn
from the uncertainty a framework declares, and reports how the ranks move. These records hold
the answer, column by column (struct of arrays): :class:`RankStatistics` per level and scope
(ranks among the level's units, or among the parent's children), :class:`SobolIndices` of each
uncertain choice, :class:`RemovalImportance` of each indicator or group, gathered per period
and level in :class:`Sensitivity`.

Ranks count from 1 (best); 0 means unranked, as in :class:`~egov_score.model.result.LevelResult`.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, StrArray, array_eq
from egov_score.exceptions import InputError

__all__ = [
    "RANK_SCOPES",
    "REMOVAL_KINDS",
    "LevelSensitivity",
    "RankStatistics",
    "RemovalImportance",
    "Sensitivity",
    "SobolIndices",
]

RankArray = npt.NDArray[np.int64]

#: Whose ranks a :class:`RankStatistics` describes: among all units of the level, or among the
#: children of the same parent.
RANK_SCOPES = ("level", "parent")
#: What a :class:`RemovalImportance` removed, one element at a time.
REMOVAL_KINDS = ("indicator", "group")


def _same_length(record: str, n: int, **columns: np.ndarray) -> None:
    for name, column in columns.items():
        if column.shape != (n,):
            raise InputError(
                f"{record}.{name} must hold one value per unit ({n}); got shape {column.shape}"
            )


def _share_column(record: str, name: str, column: FloatArray) -> None:
    bad = ~np.isnan(column) & ((column < 0) | (column > 1))
    if bad.any():
        raise InputError(f"{record}.{name} must be a share between 0 and 1; got {column[bad][0]!r}")


def _optional_arrays_equal(a: FloatArray | None, b: FloatArray | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b, equal_nan=True))


#: attrs comparison for an optional float matrix (NaN equals NaN).
_optional_eq = attrs.cmp_using(eq=_optional_arrays_equal)


@attrs.frozen(kw_only=True)
class RankStatistics:
    """One level's ranks over the runs of an analysis, in one scope, a column per statistic.

    Attributes:
        level: the level's name.
        scope: ``level`` (rank among all units of the level) or ``parent`` (among the parent's
            children).
        codes: the units' codes, in the level's order.
        nominal: the rank under the framework's own (nominal) choices; 0 if unranked.
        median: the median rank over the runs in which the unit is ranked; NaN if never ranked.
        low: the better end of the rank interval (the lower quantile of the runs' ranks,
            rounded to a rank); 0 if never ranked.
        high: the worse end of the interval; 0 if never ranked. ``low <= nominal <= high`` is
            not guaranteed: the nominal choices may be an outlier among the plausible ones.
        top_share: share of runs in which the unit ranks within the top ``top_k``.
        bottom_share: share of runs in which it ranks within the bottom ``bottom_k`` of the
            units ranked in that run.
        ranked_share: share of runs in which the unit is ranked at all.
    """

    level: str
    scope: str
    codes: StrArray = attrs.field(eq=array_eq)
    nominal: RankArray = attrs.field(eq=array_eq)
    median: FloatArray = attrs.field(eq=array_eq)
    low: RankArray = attrs.field(eq=array_eq)
    high: RankArray = attrs.field(eq=array_eq)
    top_share: FloatArray = attrs.field(eq=array_eq)
    bottom_share: FloatArray = attrs.field(eq=array_eq)
    ranked_share: FloatArray = attrs.field(eq=array_eq)

    def __attrs_post_init__(self) -> None:
        if self.scope not in RANK_SCOPES:
            raise InputError(
                f"RankStatistics.scope must be one of {list(RANK_SCOPES)!r}; got {self.scope!r}"
            )
        n = len(self.codes)
        _same_length(
            "RankStatistics",
            n,
            nominal=self.nominal,
            median=self.median,
            low=self.low,
            high=self.high,
            top_share=self.top_share,
            bottom_share=self.bottom_share,
            ranked_share=self.ranked_share,
        )
        if (self.low > self.high).any():
            i = int(np.flatnonzero(self.low > self.high)[0])
            raise InputError(
                "RankStatistics: low must not be worse than high; got "
                f"{int(self.low[i])} > {int(self.high[i])} for {self.codes[i]!r}"
            )
        for name in ("top_share", "bottom_share", "ranked_share"):
            _share_column("RankStatistics", name, getattr(self, name))

    def index(self, code: str) -> int:
        """The position of the unit ``code``; an :class:`InputError` if it is not here."""
        found = np.flatnonzero(self.codes == code)
        if not found.size:
            raise InputError(f"unit must be one of level {self.level!r}'s units; got {code!r}")
        return int(found[0])

    def interval(self, code: str) -> tuple[int, int]:
        """``(low, high)`` of the unit ``code``; ``(0, 0)`` if it is never ranked."""
        i = self.index(code)
        return int(self.low[i]), int(self.high[i])


@attrs.frozen(kw_only=True)
class SobolIndices:
    """Sobol' first- and total-order indices of each uncertain choice, for one level's ranks.

    The output whose variance is apportioned is named by ``output`` (for composite ranks, the
    mean absolute rank shift of the level's units from their nominal ranks, as COINr's
    ``get_sensitivity`` does). ``first_low``/``first_high`` and ``total_low``/``total_high``
    are bootstrap confidence bounds (NaN when not computed).

    Attributes:
        level: the level's name.
        output: what the indices apportion.
        choices: the uncertain choices, in the framework's declared order.
        first, total: one index per choice.
        first_low, first_high, total_low, total_high: confidence bounds per choice.
        confidence: the confidence level of the bounds (e.g. 0.95).
        samples: the base sample size N of the design.
    """

    level: str
    output: str
    choices: tuple[str, ...]
    first: FloatArray = attrs.field(eq=array_eq)
    total: FloatArray = attrs.field(eq=array_eq)
    first_low: FloatArray = attrs.field(eq=array_eq)
    first_high: FloatArray = attrs.field(eq=array_eq)
    total_low: FloatArray = attrs.field(eq=array_eq)
    total_high: FloatArray = attrs.field(eq=array_eq)
    confidence: float
    samples: int

    def __attrs_post_init__(self) -> None:
        _same_length(
            "SobolIndices",
            len(self.choices),
            first=self.first,
            total=self.total,
            first_low=self.first_low,
            first_high=self.first_high,
            total_low=self.total_low,
            total_high=self.total_high,
        )
        if not 0 < self.confidence < 1:
            raise InputError(
                "SobolIndices.confidence must lie strictly between 0 and 1; "
                f"got {self.confidence!r}"
            )
        if self.samples < 1:
            raise InputError(f"SobolIndices.samples must be at least 1; got {self.samples!r}")


@attrs.frozen(kw_only=True)
class RemovalImportance:
    """How much one level's ranks move when one element of the framework is left out.

    COINr's ``remove_elements``: each indicator (or each group) is dropped in turn, the rest
    re-scored with the siblings' weights renormalised, and the units' ranks compared with the
    nominal ranks.

    Attributes:
        level: the level whose ranks are compared.
        kind: ``indicator`` or ``group``.
        elements: the codes of the elements removed, one per entry.
        mean_abs_rank_change: mean over the level's units ranked both times of
            ``|rank without the element - nominal rank|``.
        max_abs_rank_change: the largest such change.
    """

    level: str
    kind: str
    elements: tuple[str, ...]
    mean_abs_rank_change: FloatArray = attrs.field(eq=array_eq)
    max_abs_rank_change: FloatArray = attrs.field(eq=array_eq)

    def __attrs_post_init__(self) -> None:
        if self.kind not in REMOVAL_KINDS:
            raise InputError(
                f"RemovalImportance.kind must be one of {list(REMOVAL_KINDS)!r}; got {self.kind!r}"
            )
        _same_length(
            "RemovalImportance",
            len(self.elements),
            mean_abs_rank_change=self.mean_abs_rank_change,
            max_abs_rank_change=self.max_abs_rank_change,
        )


@attrs.frozen(kw_only=True)
class LevelSensitivity:
    """One level in one period: its rank statistics in each scope and, when kept, its runs.

    Attributes:
        level: the level's name.
        period: the period (``YYYY-MM``).
        ranks: statistics of the ranks among all the level's units.
        parent_ranks: statistics of the ranks among the parent's children (None on the top
            level).
        scores: the composite scores of every run, runs × units (NaN where missing), kept for
            the levels small enough to hold them (None otherwise); what awards across runs use.
    """

    level: str
    period: str
    ranks: RankStatistics
    parent_ranks: RankStatistics | None = None
    scores: FloatArray | None = attrs.field(default=None, eq=_optional_eq)

    def __attrs_post_init__(self) -> None:
        n = len(self.ranks.codes)
        if self.parent_ranks is not None and len(self.parent_ranks.codes) != n:
            raise InputError(
                f"LevelSensitivity {self.level!r}: parent_ranks must cover the same {n} units; "
                f"got {len(self.parent_ranks.codes)}"
            )
        if self.scores is not None and (self.scores.ndim != 2 or self.scores.shape[1] != n):
            raise InputError(
                f"LevelSensitivity {self.level!r}: scores must be runs × {n} units; "
                f"got shape {self.scores.shape}"
            )


@attrs.frozen(kw_only=True)
class Sensitivity:
    """The whole answer of an uncertainty and sensitivity analysis.

    Attributes:
        runs: how many runs were scored (the nominal run not counted).
        seed: the seed every random draw came from.
        choices: the uncertain choices, in declared order (``weights``, ``normalisation``,
            ``aggregation``, ``imputation``, ``treatment`` or a subset).
        interval: the quantiles of the rank interval, e.g. ``(0.05, 0.95)``.
        top_k, bottom_k: the k of the top-k and bottom-k shares.
        robust_share: the share of runs below which a call (a win, a "strong" or "weak"
            verdict) is flagged as not robust.
        levels: per ``(period, level)``, the level's :class:`LevelSensitivity`.
        sobol: per level, the :class:`SobolIndices` (empty when not computed).
        removal: per ``(level, kind)``, the :class:`RemovalImportance` (empty when not
            computed).
    """

    runs: int
    seed: int
    choices: tuple[str, ...]
    interval: tuple[float, float]
    top_k: int
    bottom_k: int
    robust_share: float
    levels: Mapping[tuple[str, str], LevelSensitivity]
    sobol: Mapping[str, SobolIndices] = attrs.field(factory=dict)
    removal: Mapping[tuple[str, str], RemovalImportance] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        low, high = self.interval
        if not 0 <= low < high <= 1:
            raise InputError(
                f"Sensitivity.interval must be two quantiles 0 <= low < high <= 1; "
                f"got {self.interval!r}"
            )
        if self.runs < 1:
            raise InputError(f"Sensitivity.runs must be at least 1; got {self.runs!r}")
        if self.top_k < 1 or self.bottom_k < 1:
            raise InputError(
                f"Sensitivity.top_k and bottom_k must be at least 1; got {self.top_k!r}, "
                f"{self.bottom_k!r}"
            )
        if not 0 < self.robust_share <= 1:
            raise InputError(
                f"Sensitivity.robust_share must lie in (0, 1]; got {self.robust_share!r}"
            )

    @property
    def periods(self) -> tuple[str, ...]:
        """The periods analysed, in order."""
        return tuple(sorted({period for period, _ in self.levels}))

    def level(self, level: str, period: str | None = None) -> LevelSensitivity:
        """The :class:`LevelSensitivity` of ``level`` in ``period`` (default: the last)."""
        periods = self.periods
        period = period if period is not None else (periods[-1] if periods else "")
        try:
            return self.levels[(period, level)]
        except KeyError:
            have = sorted({lv for _, lv in self.levels})
            raise InputError(
                f"level and period must be analysed ({have!r} in {list(periods)!r}); "
                f"got {level!r} in {period!r}"
            ) from None
