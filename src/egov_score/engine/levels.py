"""Steps 4 and 5 on one level: aggregate the indicators into groups, rank and band."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from itertools import groupby
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from egov_score._arrays import FloatArray, LazyColumns, readonly
from egov_score.engine.fields import FieldColumns
from egov_score.engine.indicators import Indicators, Measured
from egov_score.engine.notes import Notes
from egov_score.engine.ranking import PeriodRanks
from egov_score.engine.stack import Stack
from egov_score.engine.weights import group_weights
from egov_score.exceptions import PluginOutputError, ScoringError
from egov_score.kernels.aggregate import (
    PEER_AGGREGATORS,
    Aggregator,
    NegativeInputError,
    arithmetic,
    arithmetic_columns,
    arithmetic_with_coverage,
    coverage_columns,
)
from egov_score.kernels.rank import RankArray, band
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Diagnostic, LevelResult

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["LevelScorer"]

#: A group's inputs on a level: its children's score columns and their weights.
GroupInputs = tuple[list[FloatArray], FloatArray]


class LevelScorer:
    """Scores the levels of a run, one at a time, in any order.

    Args:
        framework: the indicator tree, its weights, groups and bands.
        hierarchy: the units of every level.
        aggregators: the aggregation kernels by method name.
        stack: the run's row layout.
        fields: the run's fields on every level.
        indicators: measures the run's indicators.
        notes: writes the diagnostics.
    """

    def __init__(
        self,
        framework: Framework,
        hierarchy: Hierarchy,
        aggregators: Mapping[str, Aggregator],
        stack: Stack,
        fields: FieldColumns,
        indicators: Indicators,
        notes: Notes,
    ) -> None:
        self.framework = framework
        self.hierarchy = hierarchy
        self.aggregators = aggregators
        self.stack = stack
        self.fields = fields
        self.indicators = indicators
        self.notes = notes
        #: Every level's diagnostics, in the framework's order whichever thread made them.
        self.level_notes: list[list[Diagnostic]] = [[] for _ in framework.levels]

    def diagnostics(self) -> list[Diagnostic]:
        """The diagnostics of every level, in level order however the levels were scheduled."""
        return [d for notes in self.level_notes for d in notes]

    def score(
        self,
        depth: int,
        measured: Mapping[str, Measured] | None = None,
        beside: Executor | None = None,
    ) -> LevelResult:
        """Level ``depth``'s result.

        Args:
            depth: the level.
            measured: its indicators, if measured already; else they are measured now.
            beside: an executor for this level's groups aggregated side by side and for part
                of its composite's ranking (its bands made while the ranks within parents
                are).
        """
        fw, stack = self.framework, self.stack
        codes = self.indicators.on_level(depth)
        if measured is None:
            measured = self.indicators.measure(depth, codes)
        indicators = {code: measured[code].raw for code in codes}
        normalised = {code: measured[code].normalised for code in codes}
        for code in codes:  # in the framework's order, whichever thread measured them
            self.level_notes[depth].extend(measured[code].notes)
        imputed = {c: m.imputed for c in codes if (m := measured[c]).imputed is not None}
        treated = {c: m.treated for c in codes if (m := measured[c]).treated is not None}
        screened = self.indicators.screened(depth)
        if screened is not None and screened.any():
            self.notes.add(
                self.level_notes[depth],
                "screened_out",
                depth,
                fw.root,
                screened,
                f"{{n}} {fw.levels[depth]} unit(s) reported less than "
                f"{self.framework.screen.min_share if self.framework.screen else 0:g} of the "
                "indicators and are not scored: {units}",
            )

        groups, inputs, root_cov = self._aggregate(depth, normalised, beside)
        root = fw.root
        score = groups[root] if root in groups else np.full(stack.rows(depth), np.nan)
        ranker = PeriodRanks(stack, depth, self.hierarchy.levels[depth].parent if depth else None)

        def band_and_note() -> np.ndarray[Any, np.dtype[np.intp]]:
            # Made while the composite is ranked within parents on another thread, after
            # its sort rather than beside it (three threads on two cores slow the sort).
            insufficient = np.isnan(score)
            if insufficient.any() and root in groups:
                self.notes.add(
                    self.level_notes[depth],
                    "insufficient_data",
                    depth,
                    root,
                    insufficient,
                    f"{{n}} {fw.levels[depth]} unit(s) have too little data for a composite "
                    "score: {units}",
                )
            return stack.per_period(depth, lambda rows: band(score[rows], fw.bands.edges), np.intp)

        if root in groups:
            both, band_idx = ranker.rank(score, beside, band_and_note)
            ranked = {root: both}
        else:
            band_idx, ranked = band_and_note(), {}
        group_ranks, group_ranks_in_parent = _ranks_when_read(groups, ranker, ranked)
        unranked = np.zeros(stack.rows(depth), dtype=np.int64)
        level = self.hierarchy.levels[depth]
        return LevelResult(
            level=fw.levels[depth],
            codes=stack.placeholder(level.codes),
            names=stack.placeholder(level.names),
            names_hi=stack.placeholder(level.names_hi),
            parent=stack.placeholder(level.parent),
            parent_level_codes=(
                self.hierarchy.levels[depth - 1].codes if depth > 0 else np.array([], dtype=np.str_)
            ),
            fields=_fields_when_read(self.fields, depth),
            indicators=indicators,
            normalised=normalised,
            groups=groups,
            group_coverage=_coverage_when_read(inputs),
            group_ranks=group_ranks,
            group_ranks_in_parent=group_ranks_in_parent,
            score=readonly(score),
            rank=group_ranks[root] if root in groups else unranked,
            rank_in_parent=group_ranks_in_parent[root] if root in groups else unranked.copy(),
            band=readonly(band_idx),
            band_labels=fw.bands.labels,
            coverage=readonly(np.zeros(stack.rows(depth)) if root_cov is None else root_cov),
            imputed=imputed,
            treated=treated,
            screened_out=screened,
        )

    def _aggregate(
        self, depth: int, normalised: dict[str, FloatArray], beside: Executor | None = None
    ) -> tuple[dict[str, FloatArray], dict[str, GroupInputs], FloatArray | None]:
        """Every group measured on level ``depth``, bottom up: its scores, its inputs, and the
        root's coverage (None if the root is not measured here).

        Groups as deep in the tree as one another need none of each other's scores: with an
        executor ``beside``, all but the last of them are aggregated there while this thread
        aggregates the last (the same columns as one after the other; diagnostics and errors
        in the bottom-up order)."""
        fw = self.framework
        groups: dict[str, FloatArray] = {}
        inputs: dict[str, GroupInputs] = {}
        root_cov: FloatArray | None = None
        for wave in _waves(fw):  # a loop over the depths of the group tree
            planned = []
            for gcode in wave:
                kids = [c for c in fw.children(gcode) if c in normalised or c in groups]
                if not kids:
                    continue  # nothing under this group is measured on this level
                columns = [normalised[c] if c in normalised else groups[c] for c in kids]
                planned.append((gcode, kids, columns))
            work = [
                partial(self._weighted_group, depth, *plan, with_coverage=plan[0] == fw.root)
                for plan in planned
            ]
            done = _all_of(work, beside)
            for (gcode, _, columns), (weights, said, scores, coverage_of) in zip(
                planned, done, strict=True
            ):
                if said:
                    self.level_notes[depth].append(
                        Diagnostic(
                            kind="pca_weights",
                            level=fw.levels[depth],
                            code=gcode,
                            units=(),
                            message=said,
                        )
                    )
                inputs[gcode] = (columns, weights)
                groups[gcode] = readonly(scores)
                if gcode == fw.root:
                    root_cov = coverage_of()
            del done
        return groups, inputs, root_cov

    def _weighted_group(
        self,
        depth: int,
        gcode: str,
        kids: list[str],
        columns: list[FloatArray],
        with_coverage: bool = False,
    ) -> tuple[FloatArray, str, FloatArray, Callable[[], FloatArray]]:
        """Group ``gcode``'s weights, what choosing them said (PCA), its scores and its
        coverage function (``with_coverage``: the coverage made with the scores, now)."""
        weights, said = group_weights(self.framework, gcode, kids, columns)
        scores, coverage_of = self._aggregate_group(
            gcode, kids, columns, weights, depth, with_coverage=with_coverage
        )
        return weights, said, scores, coverage_of

    def _aggregate_group(
        self,
        gcode: str,
        kids: list[str],
        columns: list[FloatArray],
        weights: FloatArray,
        depth: int,
        with_coverage: bool = False,
    ) -> tuple[FloatArray, Callable[[], FloatArray]]:
        """Group ``gcode``'s scores on a level (NaN below its minimum coverage), and a function
        giving its coverage (computed when it is called, or ``with_coverage`` now)."""
        spec = self.framework.groups[gcode]
        kernel = self.aggregators[spec.aggregate.method]
        if kernel is arithmetic and not spec.aggregate.params:
            # The built-in arithmetic mean, fused: no units x children matrix.
            stack = self.stack
            scores, cov = _fused_mean(
                stack, depth, columns, weights, spec.min_coverage, with_coverage
            )
            if cov is not None:
                return scores, lambda: cov
            return scores, lambda: stack.per_period(
                depth, lambda rows: coverage_columns([c[rows] for c in columns], weights)
            )
        matrix = np.column_stack(columns)
        kwargs: dict[str, Any] = dict(spec.aggregate.params)
        if spec.aggregate.method == "generalised":
            kwargs["p"] = spec.aggregate.p
        elif spec.aggregate.method in PEER_AGGREGATORS:  # peers: the level's units in a period
            kwargs["groups"] = self.stack.period_of(depth) if self.stack.n_periods > 1 else None
        try:
            scores = kernel(matrix, weights, **kwargs)
        except NegativeInputError as exc:
            n = self.stack.sizes[depth]
            unit = str(self.hierarchy.levels[depth].codes[exc.row % n])
            period = self.stack.periods[exc.row // n]
            raise ScoringError(
                f"group {gcode!r} on level {self.framework.levels[depth]!r}: a "
                f"{spec.aggregate.method} mean needs scores >= 0; got {exc.value!r} for "
                f"{kids[exc.column]!r} of unit {unit!r} in "
                f"period {period!r} (use a bounded normalisation, or an arithmetic mean)"
            ) from None
        except PluginOutputError as exc:
            raise self.notes.plugin_output_error(exc, depth, f"group {gcode!r}") from exc
        cov = coverage_columns(columns, weights)
        scores = np.where(cov + 1e-12 >= spec.min_coverage, scores, np.nan)
        return np.asarray(scores, dtype=np.float64), lambda: cov


def _fused_mean(
    stack: Stack,
    depth: int,
    columns: list[FloatArray],
    weights: FloatArray,
    min_coverage: float,
    with_coverage: bool,
) -> tuple[FloatArray, FloatArray | None]:
    """The arithmetic mean of ``columns`` on level ``depth``, one period at a time (see
    :meth:`Stack.per_period`), and with ``with_coverage`` their coverage, made alongside."""
    if not with_coverage:
        return stack.per_period(
            depth,
            lambda rows: arithmetic_columns([c[rows] for c in columns], weights, min_coverage),
        ), None
    if stack.n_periods == 1:
        return arithmetic_with_coverage(columns, weights, min_coverage)
    cov = np.empty(stack.rows(depth))

    def step(rows: slice) -> FloatArray:
        scores, cov[rows] = arithmetic_with_coverage(
            [c[rows] for c in columns], weights, min_coverage
        )
        return scores

    return stack.per_period(depth, step), cov


def _waves(fw: Framework) -> list[list[str]]:
    """The groups bottom up, in waves of groups equally deep in the group tree (the order of
    :meth:`~egov_score.model.framework.Framework.groups_bottom_up` within each)."""
    return [list(wave) for _, wave in groupby(fw.groups_bottom_up(), key=fw.group_depth)]


_T = TypeVar("_T")


def _all_of(work: Sequence[Callable[[], _T]], beside: Executor | None) -> list[_T]:
    """The results of ``work`` in order: all but the last on ``beside`` while this thread runs
    the last, when there is an executor and more than one; an error is raised as running
    them in order would raise it (the first failing one's)."""
    if beside is None or len(work) < 2:
        return [w() for w in work]
    started = [beside.submit(w) for w in work[:-1]]
    try:
        last, failed = work[-1](), None
    except Exception as exc:  # raised after the earlier ones', as in order
        last, failed = None, exc
    done = [f.result() for f in started]
    if failed is not None:
        raise failed
    return [*done, cast(_T, last)]


# The lazily computed columns of a level result close over what they read and no more (not
# the scorer), so a result keeps only its own columns alive and pickles by computing them.


def _fields_when_read(fields: FieldColumns, depth: int) -> LazyColumns[FloatArray]:
    # Fields rolled up from the levels below are computed when read (a roll-up that an
    # indicator needs is computed and kept by the indicator), so a million machines are not
    # summed once more per field for columns a caller may never read.
    fw = fields.framework
    codes = tuple(c for c in fw.fields if fields.own_depth(c) >= depth)
    return LazyColumns(codes, lambda code: fields.field(code, depth))


def _coverage_when_read(inputs: dict[str, GroupInputs]) -> LazyColumns[FloatArray]:
    # Coverage of every group is recomputed from the stored children when read, so a million
    # machines do not carry one more column per group.
    return LazyColumns(tuple(inputs), lambda g: readonly(coverage_columns(*inputs[g])))


def _ranks_when_read(
    groups: dict[str, FloatArray],
    ranker: PeriodRanks,
    ranked: dict[str, tuple[RankArray, RankArray]],
) -> tuple[LazyColumns[RankArray], LazyColumns[RankArray]]:
    """Every group's ranks within the level and within parents; ``ranked``: those made already
    (the composite's), the others are made when a caller reads them."""
    both = LazyColumns(tuple(groups), lambda code: ranker(groups[code]), known=ranked)
    return (
        LazyColumns(
            tuple(groups), lambda g: both[g][0], known={g: r[0] for g, r in ranked.items()}
        ),
        LazyColumns(
            tuple(groups), lambda g: both[g][1], known={g: r[1] for g, r in ranked.items()}
        ),
    )
