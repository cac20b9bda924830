"""Many runs of one period scored as a stacked batch, for an uncertainty analysis.

A run is the scoring of a period under one set of method choices (:class:`Choices`): a weight
set, a normalisation, an aggregation, imputation and outlier treatment on or off. The runs are
stacked the way a panel stacks periods, and what does not depend on a choice is done once:

- the fields and their roll-ups, and the raw indicator values, once per period
  (:class:`~egov_score.engine.fields.FieldColumns`, as :meth:`Engine.score
  <egov_score.engine.Engine.score>` builds them);
- the normalised indicator columns once per distinct (normalisation, imputation, treatment)
  combination, by the engine's own :class:`~egov_score.engine.indicators.Indicators`;
- the aggregation of every run of a combination at once: each group's score is a runs x units
  matrix. The built-in arithmetic mean works child column by child column on the whole matrix,
  with the engine's missing-data rule (a missing child's weight dropped, the rest
  renormalised, the minimum coverage applied) looked up by presence pattern from per-weight-set
  tables, exactly as :func:`~egov_score.kernels.aggregate.arithmetic_columns` does for one
  run. Other aggregation methods are called through the same kernels once per run (once in
  all when neither their inputs nor their weights vary);
- the ranks of every run by one sort along the units axis
  (:func:`~egov_score.kernels.rank_runs.rank_runs`, ties as the engine's).

A batch of one run with the nominal choices gives the composite scores and ranks of
:meth:`Engine.score <egov_score.engine.Engine.score>`, bit for bit.

**Design matrix.** Runs are drawn from the rows of a uniform design matrix ``U`` (runs x d in
[0, 1), one column per declared choice in :attr:`Uncertainty.choices
<egov_score.model.uncertainty.Uncertainty.choices>` order): the weights column picks one of a
list of weight sets drawn beforehand (``floor(u * n_sets)``, as COINr's ``get_sensitivity``
picks among noisy weights); a list of ``k`` methods picks ``floor(u * k)``; imputation and
treatment are on where ``u >= 0.5``. :meth:`PeriodBatch.score_design` is what a Sobol' driver
calls with a Saltelli design.

**Memory.** The runs are scored in chunks of :data:`CHUNK_CELLS` // (the largest level's
units) runs, so each runs x units float matrix of a chunk is at most 16 MB; the whole batch
keeps two int32 rank matrices per level (8 bytes per run and unit) and, for the levels asked
for, the float64 composite scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.engine.fields import FieldColumns, stack_inputs
from egov_score.engine.indicators import Indicators
from egov_score.engine.levels import LevelScorer
from egov_score.engine.notes import Notes
from egov_score.engine.run import Engine
from egov_score.engine.stack import Stack
from egov_score.exceptions import FrameworkError
from egov_score.kernels.aggregate import (
    arithmetic,
)
from egov_score.kernels.rank import RANK_TOLERANCE
from egov_score.kernels.rank_runs import RunRanks, rank_runs
from egov_score.model.framework import Aggregation, Framework, Normalisation
from egov_score.model.uncertainty import Uncertainty, UncertaintyError, check_methods
from egov_score.model.values import LevelValues

__all__ = [
    "CHUNK_CELLS",
    "BatchScorer",
    "Choices",
    "LevelRuns",
    "PeriodBatch",
    "design_rng",
    "draw_weight_sets",
    "weight_rng",
]

#: Runs x units cells of one chunk's float matrices (2**21: 16 MB each).
CHUNK_CELLS = 1 << 21
#: Children beyond this many are aggregated run by run (as the engine's matrix path).
_MAX_PATTERN_CHILDREN = 16

BoolArray = npt.NDArray[np.bool_]


@attrs.frozen
class Choices:
    """The method choices of a batch of runs, one entry per run.

    Attributes:
        weights: the row of the weight sets (0 = the framework's own weights).
        normalisation: the index into the declared normalisation methods (-1 = each
            indicator's own method).
        aggregation: the index into the declared aggregation methods (-1 = each group's own).
        imputation: imputation as declared (True) or none (False).
        treatment: outlier treatment as declared (True) or none (False).
    """

    weights: IntArray
    normalisation: IntArray
    aggregation: IntArray
    imputation: BoolArray
    treatment: BoolArray

    def __len__(self) -> int:
        return len(self.weights)

    @classmethod
    def nominal(cls, runs: int = 1) -> Choices:
        """``runs`` runs with the framework's own choices."""
        return cls(
            np.zeros(runs, dtype=np.intp),
            np.full(runs, -1, dtype=np.intp),
            np.full(runs, -1, dtype=np.intp),
            np.ones(runs, dtype=bool),
            np.ones(runs, dtype=bool),
        )

    @classmethod
    def from_design(cls, design: FloatArray, uncertainty: Uncertainty, n_sets: int) -> Choices:
        """The choices of each row of a uniform design matrix (runs x choices, in [0, 1)).

        Raises:
            UncertaintyError: the design has not one column per declared choice, or a value
                outside [0, 1].
        """
        names = uncertainty.choices
        u = np.asarray(design, dtype=np.float64)
        if u.ndim != 2 or u.shape[1] != len(names):
            raise UncertaintyError(
                f"a design must have one column per uncertain choice {list(names)!r}; got "
                f"shape {u.shape}"
            )
        if u.size and (np.isnan(u).any() or u.min() < 0 or u.max() > 1):
            raise UncertaintyError(
                "a design's values must lie in [0, 1]; got "
                f"{float(np.nanmin(u)) if not np.isnan(u).all() else float('nan')!r} to "
                f"{float(np.nanmax(u)) if not np.isnan(u).all() else float('nan')!r}"
            )
        out = cls.nominal(len(u))
        column = {name: u[:, j] for j, name in enumerate(names)}

        def pick(col: FloatArray, k: int) -> IntArray:
            return np.minimum(np.floor(col * k).astype(np.intp), k - 1)

        return cls(
            1 + pick(column["weights"], n_sets) if "weights" in column else out.weights,
            pick(column["normalisation"], len(uncertainty.normalisation))
            if "normalisation" in column
            else out.normalisation,
            pick(column["aggregation"], len(uncertainty.aggregation))
            if "aggregation" in column
            else out.aggregation,
            column["imputation"] >= 0.5 if "imputation" in column else out.imputation,
            column["treatment"] >= 0.5 if "treatment" in column else out.treatment,
        )

    def take(self, rows: IntArray | slice) -> Choices:
        """The choices of some runs."""
        return Choices(
            self.weights[rows],
            self.normalisation[rows],
            self.aggregation[rows],
            self.imputation[rows],
            self.treatment[rows],
        )


@attrs.frozen
class LevelRuns:
    """One level's runs: ranks (and scores) runs x units.

    Attributes:
        level: the level's name.
        rank: int32 ranks among the level's units per run (0 = unranked).
        rank_in_parent: int32 ranks among the parent's children per run.
        scores: float64 composite scores per run (NaN = missing); None when not kept.
    """

    level: str
    rank: RunRanks
    rank_in_parent: RunRanks
    scores: FloatArray | None


def _nominal_weights(framework: Framework, group: str) -> FloatArray:
    spec = framework.groups[group]
    kids = framework.children(group)
    if spec.weighting == "pca":
        raise UncertaintyError(
            "an uncertainty analysis needs weights known before scoring (weighting 'manual' "
            f"or 'equal'); got weighting 'pca' for group {group!r}"
        )
    if spec.weighting == "equal":
        return np.ones(len(kids))
    return np.array([framework.weight(c) for c in kids], dtype=np.float64)


def draw_weight_sets(
    framework: Framework, uncertainty: Uncertainty, rng: np.random.Generator
) -> dict[str, FloatArray]:
    """Per group, its children's weights: row 0 the nominal weights, then ``runs`` draws.

    ``share``: each weight times ``1 + share * (2u - 1)``, u uniform; ``dirichlet``: the
    children's shares from a Dirichlet with parameters ``concentration * w / sum(w)`` (a
    child weighted 0 stays 0), times the nominal total. The groups draw in the framework's
    order, so a seed gives the same sets every time.
    """
    noise = uncertainty.weights
    n = uncertainty.runs if noise is not None else 0
    out: dict[str, FloatArray] = {}
    for group in framework.groups:  # a loop over groups
        w = _nominal_weights(framework, group)
        sets = np.empty((n + 1, len(w)))
        sets[0] = w
        if noise is not None and noise.kind == "share":
            sets[1:] = w * (1 + noise.share * (2 * rng.random((n, len(w))) - 1))
        elif noise is not None:
            total = float(w.sum())
            alpha = noise.concentration * w / total
            draws = np.zeros((n, len(w)))
            live = alpha > 0
            g = rng.standard_gamma(alpha[live], size=(n, int(live.sum())))
            draws[:, live] = g / g.sum(axis=1, keepdims=True) * total
            sets[1:] = draws
        out[group] = sets
    return out


def weight_rng(seed: int) -> np.random.Generator:
    """The generator of the weight sets: stream 0 of ``seed`` (the design uses stream 1)."""
    return np.random.default_rng([seed, 0])


def design_rng(seed: int) -> np.random.Generator:
    """The generator of a Monte Carlo design: stream 1 of ``seed``."""
    return np.random.default_rng([seed, 1])


class BatchScorer:
    """Scores batches of runs of an engine's framework under a declared uncertainty.

    Args:
        engine: the engine (framework, hierarchy, methods) the runs vary.
        uncertainty: what varies; its seed draws the weight sets.

    Raises:
        UncertaintyError: a declared method is unknown, cannot apply to every indicator or
            group, or a group's weights come from PCA.
    """

    def __init__(self, engine: Engine, uncertainty: Uncertainty) -> None:
        fw = engine.framework
        check_methods(uncertainty, engine.normalisers, engine.aggregators)
        self.engine = engine
        self.uncertainty = uncertainty
        self.weight_sets = draw_weight_sets(fw, uncertainty, weight_rng(uncertainty.seed))
        self.n_sets = uncertainty.runs if uncertainty.weights is not None else 0
        self._frameworks: dict[tuple[int, bool, bool], Framework] = {}
        self._by_aggregation: dict[int, Framework] = {}
        # Turning off a step the framework does not declare changes nothing: such runs share
        # the normalised columns of the runs with it on.
        self.imputes = any(fw.imputation(c).method != "none" for c in fw.indicators)
        self.treats = any(fw.treatment(c).method != "none" for c in fw.indicators)
        try:
            self._aggregations = [Aggregation(method=m) for m in uncertainty.aggregation]
            for m in uncertainty.normalisation:
                Normalisation(method=m)
        except FrameworkError as exc:
            raise UncertaintyError(
                f"every declared alternative method must apply with its defaults: {exc}"
            ) from None
        self._tables: dict[tuple[str, tuple[int, ...]], tuple[FloatArray, FloatArray]] = {}

    def design_choices(self, design: FloatArray) -> Choices:
        """The runs' choices from a uniform design matrix (see :class:`Choices`)."""
        return Choices.from_design(design, self.uncertainty, max(self.n_sets, 1))

    def framework(self, normalisation: int, imputation: bool, treatment: bool) -> Framework:
        """The framework with one combination of normalisation, imputation and treatment."""
        key = (normalisation, imputation, treatment)
        if key not in self._frameworks:
            fw = self.engine.framework
            indicators = dict(fw.indicators)
            groups = dict(fw.groups)
            if normalisation >= 0:
                method = self.uncertainty.normalisation[normalisation]
                indicators = {
                    c: attrs.evolve(
                        i, normalise=Normalisation(method=method, within=i.normalise.within)
                    )
                    for c, i in indicators.items()
                }
            if not imputation:
                indicators = {c: attrs.evolve(i, impute=None) for c, i in indicators.items()}
                groups = {c: attrs.evolve(g, impute=None) for c, g in groups.items()}
            if not treatment:
                indicators = {c: attrs.evolve(i, treat=None) for c, i in indicators.items()}
                groups = {c: attrs.evolve(g, treat=None) for c, g in groups.items()}
            self._frameworks[key] = attrs.evolve(fw, indicators=indicators, groups=groups)
        return self._frameworks[key]

    def aggregation_framework(self, index: int) -> Framework:
        """The framework with every group aggregated by alternative ``index`` (-1: its own)."""
        if index < 0:
            return self.engine.framework
        if index not in self._by_aggregation:
            fw = self.engine.framework
            method = self._aggregations[index]
            groups = {c: attrs.evolve(g, aggregate=method) for c, g in fw.groups.items()}
            self._by_aggregation[index] = attrs.evolve(fw, groups=groups)
        return self._by_aggregation[index]

    def aggregation(self, index: int, group: str) -> Aggregation:
        """Group ``group``'s aggregation under the declared alternative ``index`` (-1: own)."""
        if index < 0:
            return self.engine.framework.groups[group].aggregate
        return self._aggregations[index]

    def tables(self, group: str, positions: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
        """For every weight set, the weight present under each presence pattern of the
        children at ``positions``, and the sets' total weights (computed once)."""
        key = (group, positions)
        if key not in self._tables:
            sets = self.weight_sets[group][:, list(positions)]
            k = len(positions)
            bits = (np.arange(1 << k)[:, np.newaxis] >> np.arange(k)) & 1
            present = np.empty((len(sets), 1 << k))
            for s in range(len(sets)):  # a loop over weight sets: exactly the engine's table
                present[s] = bits @ np.ascontiguousarray(sets[s])
            totals = np.array([float(w.sum()) for w in sets])
            self._tables[key] = (present, totals)
        return self._tables[key]

    def period(self, level_values: Sequence[LevelValues], period: str) -> PeriodBatch:
        """A period's field columns ready for batches of runs."""
        return PeriodBatch(self, level_values, period)


class PeriodBatch:
    """One period of data, scored for any batch of runs.

    Args:
        scorer: the batch scorer.
        level_values: the period's field columns per level, top first.
        period: the period's name.
    """

    def __init__(
        self, scorer: BatchScorer, level_values: Sequence[LevelValues], period: str
    ) -> None:
        engine = scorer.engine
        fw, h = engine.framework, engine.hierarchy
        self.scorer = scorer
        self.period = period
        self.stack = Stack((period,), [len(lv) for lv in h.levels])
        self.parents = [lv.parent for lv in h.levels]
        inputs, _ = stack_inputs(fw, [level_values], self.stack)
        codes = [lv.codes for lv in h.levels]
        self.fields = FieldColumns(fw, inputs, self.parents, self.stack, codes)
        self.notes = Notes(fw.levels, codes, self.stack)
        self._normalised: dict[tuple[int, bool, bool, int], dict[str, FloatArray]] = {}
        self._steps: dict[int, LevelScorer] = {}

    def normalised(
        self, normalisation: int, imputation: bool, treatment: bool, depth: int
    ) -> dict[str, FloatArray]:
        """Level ``depth``'s normalised indicators under one combination (computed once)."""
        key = (normalisation, imputation, treatment, depth)
        if key not in self._normalised:
            fw = self.scorer.framework(normalisation, imputation, treatment)
            indicators = Indicators(
                fw,
                self.fields,
                self.scorer.engine.normalisers,
                self.parents,
                self.stack,
                self.notes,
                global_peers=False,
            )
            codes = indicators.on_level(depth)
            measured = indicators.measure(depth, codes)
            self._normalised[key] = {c: measured[c].normalised for c in codes}
        return self._normalised[key]

    def score_design(
        self, design: FloatArray, *, keep_scores_max_units: int = 10_000
    ) -> list[LevelRuns]:
        """Score one run per row of a uniform design matrix (runs x declared choices).

        Returns:
            Per level (top first), the runs' ranks and, for levels of at most
            ``keep_scores_max_units`` units, their composite scores.
        """
        return self.score(
            self.scorer.design_choices(design), keep_scores_max_units=keep_scores_max_units
        )

    def score(self, choices: Choices, *, keep_scores_max_units: int = 10_000) -> list[LevelRuns]:
        """Score the runs ``choices`` describes; see :meth:`score_design`."""
        fw = self.scorer.engine.framework
        sizes = self.stack.sizes
        runs = len(choices)
        chunk = max(1, CHUNK_CELLS // max(max(sizes), 1))
        ranks = [np.zeros((runs, n), dtype=np.int32) for n in sizes]
        in_parent = [np.zeros((runs, n), dtype=np.int32) for n in sizes]
        kept = [np.empty((runs, n)) if n <= keep_scores_max_units else None for n in sizes]
        for start in range(0, runs, chunk):  # a loop over chunks of runs, to bound memory
            rows = slice(start, min(start + chunk, runs))
            part = choices.take(rows)
            scores = self._score_chunk(part)
            for depth, level_scores in enumerate(scores):  # a loop over levels
                parent = self.parents[depth] if depth else None
                a, b = rank_runs(level_scores, parent, tolerance=RANK_TOLERANCE)
                ranks[depth][rows] = a
                in_parent[depth][rows] = a if b is None else b
                if (keep := kept[depth]) is not None:
                    keep[rows] = level_scores
        return [LevelRuns(fw.levels[d], ranks[d], in_parent[d], kept[d]) for d in range(len(sizes))]

    def _score_chunk(self, choices: Choices) -> list[FloatArray]:
        """Every level's composite scores, runs x units, for a chunk of runs."""
        sizes = self.stack.sizes
        runs = len(choices)
        out = [np.full((runs, n), np.nan) for n in sizes]
        combos = np.column_stack(
            [
                choices.normalisation,
                (choices.imputation | (not self.scorer.imputes)).astype(np.intp),
                (choices.treatment | (not self.scorer.treats)).astype(np.intp),
                choices.aggregation,
            ]
        )
        distinct, which = np.unique(combos, axis=0, return_inverse=True)
        which = which.reshape(-1)
        for c, (norm, imp, treat, agg) in enumerate(distinct.tolist()):  # a loop over combos
            idx = np.flatnonzero(which == c)
            weights = choices.weights[idx]
            for depth in range(len(sizes)):  # a loop over levels
                normalised = self.normalised(norm, bool(imp), bool(treat), depth)
                root = self._aggregate(depth, normalised, weights, agg)
                if root is not None:
                    out[depth][idx] = root
        return out

    def _aggregate(
        self, depth: int, normalised: Mapping[str, FloatArray], weights: IntArray, agg: int
    ) -> FloatArray | None:
        """The root's scores on level ``depth`` (runs x units), every group bottom up, for
        runs using weight sets ``weights`` and aggregation alternative ``agg``; None when the
        root is not measured on the level."""
        scorer = self.scorer
        fw = scorer.engine.framework
        groups: dict[str, FloatArray] = {}
        for gcode in fw.groups_bottom_up():  # a loop over groups
            children = fw.children(gcode)
            kids = [c for c in children if c in normalised or c in groups]
            if not kids:
                continue
            positions = tuple(children.index(c) for c in kids)
            columns = [normalised[c] if c in normalised else groups[c] for c in kids]
            spec = scorer.aggregation(agg, gcode)
            kernel = scorer.engine.aggregators[spec.method]
            min_coverage = fw.groups[gcode].min_coverage
            if kernel is arithmetic and not spec.params and len(kids) <= _MAX_PATTERN_CHILDREN:
                groups[gcode] = self._arithmetic(gcode, positions, columns, weights, min_coverage)
            else:
                groups[gcode] = self._by_run(gcode, depth, kids, agg, columns, weights, positions)
        return groups.get(fw.root)

    def _arithmetic(
        self,
        group: str,
        positions: tuple[int, ...],
        columns: Sequence[FloatArray],
        weights: IntArray,
        min_coverage: float,
    ) -> FloatArray:
        """The weighted arithmetic mean of every run at once: the arithmetic of
        :func:`~egov_score.kernels.aggregate.arithmetic_columns` on runs x units."""
        runs = len(weights)
        n = max(c.shape[-1] for c in columns)
        sets = self.scorer.weight_sets[group][weights][:, list(positions)]
        # Presence bits of the children shared by every run (indicators) are a units-long
        # column; those of groups, which vary by run, a runs x units matrix.
        shared = np.zeros(n, dtype=np.uint16)
        varied: npt.NDArray[np.uint16] | None = None
        total = np.zeros((runs, n))
        term = np.empty((runs, n))
        for j, col in enumerate(columns):  # a loop over children
            present = ~np.isnan(col)
            bit = present.astype(np.uint16) << np.uint16(j)
            if col.ndim == 1:
                shared |= bit
                # A missing child adds 0.0, as the engine's masked term does (w >= 0).
                np.multiply(np.where(present, col, 0.0), sets[:, j : j + 1], out=term)
                total += term
            else:
                varied = bit if varied is None else varied | bit
                np.multiply(col, sets[:, j : j + 1], out=term)
                np.add(total, term, out=total, where=present)
        del term
        present_weight, totals = self.scorer.tables(group, positions)
        present_weight = present_weight[weights]
        totals = totals[weights]
        k = len(positions)
        bits = (np.arange(1 << k)[:, np.newaxis] >> np.arange(k)) & 1
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = np.where(
                totals[:, np.newaxis] > 0,
                present_weight / np.where(totals > 0, totals, 1.0)[:, np.newaxis],
                bits.mean(axis=1)[np.newaxis, :],
            )
        usable = (present_weight > 0) & (cov + 1e-12 >= min_coverage)
        denominator = np.where(usable, present_weight, np.nan)
        if varied is None:
            total /= denominator[:, shared]
        else:
            varied |= shared
            at = varied.astype(np.intp)
            at += (np.arange(runs, dtype=np.intp) << k)[:, np.newaxis]
            total /= denominator.reshape(-1).take(at)
        return total

    def _by_run(
        self,
        group: str,
        depth: int,
        kids: Sequence[str],
        agg: int,
        columns: Sequence[FloatArray],
        weights: IntArray,
        positions: tuple[int, ...],
    ) -> FloatArray:
        """Any other aggregation, by the engine's own step once per run (once in all when
        neither the inputs nor the weights vary over the runs)."""
        sets = self.scorer.weight_sets[group][:, list(positions)]
        step = self._level_scorer(agg)
        runs = len(weights)
        out = np.empty((runs, self.stack.sizes[depth]))
        same = all(c.ndim == 1 for c in columns) and bool((weights == weights[0]).all())
        for r in range(1 if same else runs):  # a loop over runs (see the module's docstring)
            cols = [c if c.ndim == 1 else c[r] for c in columns]
            w = np.ascontiguousarray(sets[weights[r]])
            out[r], _ = step._aggregate_group(group, list(kids), cols, w, depth)
        if same:
            out[1:] = out[0]
        return out

    def _level_scorer(self, agg: int) -> LevelScorer:
        """The engine's level step with the groups' aggregation alternative ``agg``."""
        if agg not in self._steps:
            scorer = self.scorer
            engine = scorer.engine
            fw = scorer.aggregation_framework(agg)
            indicators = Indicators(
                fw,
                self.fields,
                engine.normalisers,
                self.parents,
                self.stack,
                self.notes,
                global_peers=False,
            )
            self._steps[agg] = LevelScorer(
                fw,
                engine.hierarchy,
                engine.aggregators,
                self.stack,
                self.fields,
                indicators,
                self.notes,
            )
        return self._steps[agg]
