"""Uncertainty analysis: how much of a ranking is the data and how much the method.

:func:`analyse_sensitivity` scores every requested period many times, each run under one set
of plausible method choices drawn from the declared :class:`~egov_score.model.uncertainty.
Uncertainty` (Monte Carlo over a uniform design, :mod:`egov_score.engine.batch`), and reports
per level and unit the rank statistics of :class:`~egov_score.model.sensitivity.
RankStatistics`: the nominal rank, the median rank, the rank interval, the top-k and bottom-k
shares, among the level's units and among the parent's children.

**The interval rule.** ``low`` and ``high`` are the ``interval`` quantiles of the unit's ranks
over the runs that rank it, by numpy's ``inverted_cdf`` rule (the smallest rank r such that
at least the share q of those runs rank the unit r or better), so both ends are ranks some
run gave. The median is numpy's median (the mean of the two middle ranks for an even count).
``top_share``, ``bottom_share`` and ``ranked_share`` count over all runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray
from egov_score.engine.batch import (
    CHUNK_CELLS,
    BatchScorer,
    Choices,
    LevelRuns,
    PeriodBatch,
    design_rng,
)
from egov_score.engine.removal import removal_importances
from egov_score.engine.run import Engine
from egov_score.engine.sobol import rank_sobol
from egov_score.exceptions import InputError
from egov_score.io.periods import as_period
from egov_score.kernels.rank_runs import RunRanks, rank_quantiles
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.sensitivity import (
    LevelSensitivity,
    RankStatistics,
    Sensitivity,
    SobolIndices,
)
from egov_score.model.uncertainty import Uncertainty
from egov_score.model.values import LevelValues, Values
from egov_score.pipeline import Pipeline

__all__ = ["analyse_sensitivity", "rank_statistics", "with_removal"]

#: A count of runs per unit.
Counts = npt.NDArray[np.int64]


def _counts(
    ranks: RunRanks, group: IntArray | None, n_groups: int, top_k: int, bottom_k: int
) -> tuple[Counts, Counts, Counts]:
    """Per unit, how many runs rank it within the top k, within the bottom k, and at all;
    ``group``: the scope's group per unit (None: one group). Chunked over runs."""
    runs, n = ranks.shape
    top = np.zeros(n, dtype=np.int64)
    bottom = np.zeros(n, dtype=np.int64)
    ranked = np.zeros(n, dtype=np.int64)
    if group is not None:  # the units by group, and where each group starts
        by_group = np.argsort(group, kind="stable")
        sizes = np.bincount(group, minlength=n_groups)
        starts = (np.cumsum(sizes) - sizes)[sizes > 0]
        owner = np.flatnonzero(sizes > 0)
    step = max(1, CHUNK_CELLS // max(n, 1))
    for start in range(0, runs, step):  # a loop over chunks of runs, to bound memory
        part = ranks[start : start + step]
        present = part > 0
        if group is None:
            m = np.count_nonzero(present, axis=1)[:, np.newaxis]
        else:
            counts = np.zeros((len(part), n_groups), dtype=np.int32)
            counts[:, owner] = np.add.reduceat(
                present[:, by_group].astype(np.int32), starts, axis=1
            )
            m = counts[:, group]
        top += np.count_nonzero(present & (part <= top_k), axis=0)
        bottom += np.count_nonzero(present & (part > m - bottom_k), axis=0)
        ranked += np.count_nonzero(present, axis=0)
    return top, bottom, ranked


def rank_statistics(
    level: str,
    scope: str,
    codes: StrArray,
    nominal: IntArray,
    ranks: RunRanks,
    *,
    interval: tuple[float, float],
    top_k: int,
    bottom_k: int,
    group: IntArray | None = None,
    n_groups: int = 1,
) -> RankStatistics:
    """The :class:`RankStatistics` of a level's runs x units ranks in one scope.

    Args:
        level: the level's name.
        scope: ``level`` or ``parent``.
        codes: the units' codes.
        nominal: the nominal ranks.
        ranks: runs x units ranks (0 = unranked in that run).
        interval: the quantiles of the interval.
        top_k, bottom_k: the k of the top-k and bottom-k shares.
        group: for ``parent``, each unit's parent index; ``n_groups`` parents.
    """
    runs, n = ranks.shape
    low = np.zeros(n, dtype=np.int64)
    high = np.zeros(n, dtype=np.int64)
    median = np.full(n, np.nan)
    step = max(1, CHUNK_CELLS // max(runs, 1))
    for start in range(0, n, step):  # a loop over chunks of units, to bound memory
        cols = slice(start, start + step)
        (lo, hi), med, _ = rank_quantiles(ranks[:, cols], interval)
        low[cols], high[cols], median[cols] = lo, hi, med
    top, bottom, ranked = _counts(ranks, group, n_groups, top_k, bottom_k)
    return RankStatistics(
        level=level,
        scope=scope,
        codes=codes,
        nominal=np.asarray(nominal, dtype=np.int64),
        median=median,
        low=low,
        high=high,
        top_share=top / float(runs),
        bottom_share=bottom / float(runs),
        ranked_share=ranked / float(runs),
    )


def _periods(
    source: Pipeline | Engine, values: Values | None, periods: Sequence[str] | None
) -> tuple[str, ...]:
    if periods is not None:
        # In order and once each: the last is the month the Sobol' indices and the removal
        # importance are computed on ("the last month analysed").
        found = tuple(sorted({as_period(p) for p in periods}))
    elif values is not None:
        found = values.period_list
    elif isinstance(source, Pipeline):
        found = source.periods()
    else:
        found = ()
    if not found:
        raise InputError("an uncertainty analysis needs values of at least one period; got none")
    return found


def _level_values(
    source: Pipeline | Engine, values: Values | None, period: str
) -> Sequence[LevelValues]:
    if values is not None:
        return values.at(values.resolve_period(period))
    if isinstance(source, Pipeline):
        return source.gather(period).levels
    raise InputError("an uncertainty analysis of an engine needs values; got None")


def analyse_sensitivity(
    pipeline_or_engine: Pipeline | Engine,
    values: Values | None = None,
    *,
    periods: Sequence[str] | None = None,
    uncertainty: Uncertainty | None = None,
    runs: int | None = None,
    seed: int | None = None,
    keep_scores_max_units: int = 10_000,
    sobol_samples: int | None = None,
) -> Sensitivity:
    """Score every requested period under the declared uncertainty and report the ranks.

    Args:
        pipeline_or_engine: what scores: a :class:`~egov_score.pipeline.Pipeline` (its
            tables and values) or an :class:`~egov_score.engine.Engine`.
        values: the values to score (with a pipeline: instead of its own data).
        periods: the periods to analyse (default: every period of the data).
        uncertainty: what varies (default: the framework's ``[uncertainty]`` table, else
            nothing: every run is the nominal one).
        runs: how many runs (default: the declaration's).
        seed: the seed (default: the declaration's).
        keep_scores_max_units: keep the runs x units composite scores of the levels with at
            most this many units (for award win shares across runs).
        sobol_samples: the base sample size N of the Sobol' indices, computed on the last
            period analysed from a Saltelli design of ``N * (choices + 2)`` runs (default:
            ``runs // (choices + 2)``, so about as many runs again; 0: none).

    Returns:
        A :class:`~egov_score.model.sensitivity.Sensitivity` with a
        :class:`~egov_score.model.sensitivity.LevelSensitivity` per period and level, and
        the Sobol' indices of every level (none when nothing is uncertain); no removal
        importance (:func:`with_removal` adds it).

    Raises:
        InputError: no period to analyse, or a bad declaration (an unknown method, PCA
            weights).
        ScoringError: a run cannot be scored (a negative score into a geometric mean).
    """
    engine = (
        pipeline_or_engine.engine
        if isinstance(pipeline_or_engine, Pipeline)
        else pipeline_or_engine
    )
    declared = uncertainty or engine.framework.uncertainty or Uncertainty()
    declared = attrs.evolve(
        declared,
        runs=declared.runs if runs is None else runs,
        seed=declared.seed if seed is None else seed,
    )
    scorer = BatchScorer(engine, declared)
    design = design_rng(declared.seed).random((declared.runs, len(declared.choices)))
    choices = scorer.design_choices(design)
    h = engine.hierarchy
    levels: dict[tuple[str, str], LevelSensitivity] = {}
    sobol: dict[str, SobolIndices] = {}
    analysed = _periods(pipeline_or_engine, values, periods)
    for period in analysed:  # a loop over periods
        batch = scorer.period(_level_values(pipeline_or_engine, values, period), period)
        nominal = batch.score(Choices.nominal(1), keep_scores_max_units=0)
        if period == analysed[-1]:
            sobol = _sobol(batch, nominal, declared, sobol_samples)
        found = batch.score(choices, keep_scores_max_units=keep_scores_max_units)
        for depth, (runs_of, nominal_of) in enumerate(zip(found, nominal, strict=True)):
            levels[(period, runs_of.level)] = _level(
                runs_of, nominal_of, h.levels[depth].codes, h, depth, period, declared
            )
    return Sensitivity(
        runs=declared.runs,
        seed=declared.seed,
        choices=declared.choices,
        interval=declared.interval,
        top_k=declared.top_k,
        bottom_k=declared.bottom_k,
        robust_share=declared.robust_share,
        levels=levels,
        sobol=sobol,
    )


def _sobol(
    batch: PeriodBatch,
    nominal: Sequence[LevelRuns],
    declared: Uncertainty,
    samples: int | None,
) -> dict[str, SobolIndices]:
    """Sobol' indices of the declared choices for every level's ranks in ``batch``'s period,
    through :func:`~egov_score.engine.sobol.rank_sobol` (its design from stream 2 of the
    seed); none when nothing is uncertain or ``samples`` is 0."""
    d = len(declared.choices)
    n = declared.runs // (d + 2) if samples is None else samples
    if not d or n < 2:  # a Saltelli design needs a base sample of at least 2
        return {}

    def score_design(design: FloatArray) -> dict[str, RunRanks]:
        return {lv.level: lv.rank for lv in batch.score_design(design, keep_scores_max_units=0)}

    return rank_sobol(
        score_design,
        {lv.level: lv.rank[0] for lv in nominal},
        declared.choices,
        n,
        np.random.default_rng([declared.seed, 2]),
    )


def _level(
    runs_of: LevelRuns,
    nominal_of: LevelRuns,
    codes: StrArray,
    hierarchy: Hierarchy,
    depth: int,
    period: str,
    declared: Uncertainty,
) -> LevelSensitivity:
    stats = rank_statistics(
        runs_of.level,
        "level",
        codes,
        nominal_of.rank[0],
        runs_of.rank,
        interval=declared.interval,
        top_k=declared.top_k,
        bottom_k=declared.bottom_k,
    )
    parent_stats = None
    if depth > 0:
        parent_stats = rank_statistics(
            runs_of.level,
            "parent",
            codes,
            nominal_of.rank_in_parent[0],
            runs_of.rank_in_parent,
            interval=declared.interval,
            top_k=declared.top_k,
            bottom_k=declared.bottom_k,
            group=hierarchy.levels[depth].parent,
            n_groups=len(hierarchy.levels[depth - 1]),
        )
    return LevelSensitivity(
        level=runs_of.level,
        period=period,
        ranks=stats,
        parent_ranks=parent_stats,
        scores=runs_of.scores,
    )


def with_removal(
    analysis: Sensitivity,
    pipeline_or_engine: Pipeline | Engine,
    values: Values | None = None,
    *,
    period: str | None = None,
) -> Sensitivity:
    """``analysis`` with COINr's remove-one-element importance added (``Sensitivity.removal``).

    Each indicator, and each group directly under the root, is left out in turn (one re-score
    each, :func:`~egov_score.engine.removal.removal_importances`) in ``period`` (default: the
    last period analysed), for every level of more than one unit. Left out when there is
    nothing to compare: indicators when the framework has one, groups when the root has one
    child.

    Raises:
        InputError: as :func:`~egov_score.engine.removal.removal_importance` (values given
            with a pipeline, an unknown period).
    """
    engine = (
        pipeline_or_engine if isinstance(pipeline_or_engine, Engine) else pipeline_or_engine.engine
    )
    framework = engine.framework
    levels = tuple(lv.name for lv in engine.hierarchy.levels if len(lv.codes) > 1)
    chosen = period if period is not None else analysis.periods[-1]
    kinds: list[tuple[str, int | None]] = []
    if len(framework.indicators) > 1:
        kinds.append(("indicators", None))
    if len(framework.children(framework.root)) > 1:
        kinds.append(("groups", 1))
    removal = dict(analysis.removal)
    for elements, depth in kinds:  # a loop over two kinds of element
        found = removal_importances(
            pipeline_or_engine, values, levels=levels, period=chosen, elements=elements, depth=depth
        )
        removal.update({(level, r.kind): r for level, r in found.items()})
    return attrs.evolve(analysis, removal=removal)
