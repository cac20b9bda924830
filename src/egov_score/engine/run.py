"""The scoring run: roll up -> indicators -> normalise -> aggregate -> rank and band.

:class:`Engine` ties a :class:`~egov_score.model.framework.Framework` and a
:class:`~egov_score.model.hierarchy.Hierarchy` to the kernels. Every step works on whole
columns; the Python loops here run over levels, fields, indicators and groups, never
over units. The semantics are documented in ``docs/method.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from egov_score._arrays import FloatArray, IntArray, LazyColumns, readonly
from egov_score.exceptions import FrameworkError, InputError, ScoringError
from egov_score.kernels.aggregate import (
    BUILTIN_AGGREGATORS,
    Aggregator,
    NegativeInputError,
    arithmetic,
    arithmetic_columns,
    coverage_columns,
)
from egov_score.kernels.grouped import Grouping
from egov_score.kernels.normalise import BUILTIN_NORMALISERS, Normalised, Normaliser
from egov_score.kernels.rank import RankArray, SortedScores, band, rank_two_ways
from egov_score.kernels.rollup import Partials, combine, finish, partials
from egov_score.model.framework import Framework, Indicator
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Diagnostic, LevelResult, Provenance, Result
from egov_score.model.values import LevelValues, Values

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor


__all__ = ["Engine", "score"]

#: An indicator on one level: raw values, normalised scores, and the diagnostics they raised.
Measured = tuple[FloatArray, FloatArray, list[Diagnostic]]

#: How many unit codes a diagnostic message names before it says "and N more".
_NAMED_UNITS = 10

#: A bottom level of at least this many rows (units x periods) is scored on a second thread
#: while the levels above are rolled up; below it, a thread costs more than it saves.
PARALLEL_MIN_ROWS = 50_000


@functools.cache
def _version() -> str:
    from importlib import metadata  # only when a result is made, not at import

    try:
        return metadata.version("egov-score")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def _name_units(codes: np.ndarray[Any, Any]) -> str:
    shown = ", ".join(repr(str(c)) for c in codes[:_NAMED_UNITS])
    more = len(codes) - _NAMED_UNITS
    return shown + (f" and {more} more" if more > 0 else "")


class Engine:
    """Scores values against a framework over a hierarchy.

    Args:
        framework: the indicator tree.
        hierarchy: the unit tree; its levels must be the framework's levels.
        normalisers: extra normalisation kernels by method name (from plugins).
        aggregators: extra aggregation kernels by method name (from plugins).
        plugins: names of the plugins that took part, for provenance.
        parallel: score a large bottom level on a second thread while the levels above are
            rolled up (the results are identical either way; see ``docs/performance.md``).

    Raises:
        FrameworkError: the hierarchy's levels differ from the framework's, or the framework
            names a method no kernel implements.
    """

    def __init__(
        self,
        framework: Framework,
        hierarchy: Hierarchy,
        *,
        normalisers: Mapping[str, Normaliser] | None = None,
        aggregators: Mapping[str, Aggregator] | None = None,
        plugins: Sequence[str] = (),
        parallel: bool = True,
    ) -> None:
        if hierarchy.level_names != framework.levels:
            raise FrameworkError(
                f"the hierarchy's levels must be the framework's {list(framework.levels)!r}; "
                f"got {list(hierarchy.level_names)!r}"
            )
        self.framework = framework
        self.hierarchy = hierarchy
        self.normalisers: dict[str, Normaliser] = {**BUILTIN_NORMALISERS, **(normalisers or {})}
        self.aggregators: dict[str, Aggregator] = {**BUILTIN_AGGREGATORS, **(aggregators or {})}
        self.plugins = tuple(plugins)
        self.parallel = parallel
        for ind in framework.indicators.values():
            if ind.normalise.method not in self.normalisers:
                raise FrameworkError(
                    f"normalise method must be one of {sorted(self.normalisers)!r}; "
                    f"got {ind.normalise.method!r} for {ind.code!r}"
                )
        for grp in framework.groups.values():
            if grp.aggregate.method not in self.aggregators:
                raise FrameworkError(
                    f"aggregate method must be one of {sorted(self.aggregators)!r}; "
                    f"got {grp.aggregate.method!r} for {grp.code!r}"
                )

    def score(self, values: Values, period: str | None = None) -> Result:
        """Score one period of ``values``.

        Args:
            values: validated values (:meth:`Values.from_csv`).
            period: the period to score; may be omitted when the values hold only one.

        Returns:
            A :class:`~egov_score.model.result.Result` with every level's columns.

        Raises:
            ScoringError: the data cannot be scored as the framework asks (e.g. a negative
                score into a geometric mean); the message names the unit and group.
        """
        period = values.resolve_period(period)
        return self.score_level_values(values.at(period), period, sources=(values.source,))

    def score_level_values(
        self,
        level_values: Sequence[LevelValues],
        period: str,
        *,
        sources: tuple[str, ...] = (),
        diagnostics: Sequence[Diagnostic] = (),
    ) -> Result:
        """Score field columns already spread per level (top first); see :meth:`score`."""
        return self.score_stacked(
            [level_values], [period], sources=sources, diagnostics=diagnostics
        )[0]

    def score_stacked(
        self,
        periods_values: Sequence[Sequence[LevelValues]],
        periods: Sequence[str],
        *,
        normalisation: str = "period",
        sources: tuple[str, ...] = (),
        diagnostics: Sequence[Diagnostic] = (),
    ) -> list[Result]:
        """Score several periods in one vectorised run.

        The periods are stacked into one set of columns (period-major); roll-ups, indicators
        and aggregation run once over all of them. Peers for normalisation are the units of
        the same period (``normalisation="period"``, the same as scoring each period alone) or
        of every period together (``"global"``, fixed bounds so scores compare over time, as
        COINr's panels do). Ranks and bands are always per period.

        Args:
            periods_values: per period, the field columns per level (top first).
            periods: the period names, in the same order.
            normalisation: ``"period"`` or ``"global"``.
            sources: input descriptions for provenance.
            diagnostics: diagnostics from loading, kept with every period's result.

        Raises:
            InputError: an unknown normalisation choice or mismatched lengths.
            ScoringError: as :meth:`score`, naming the unit and period.
        """
        if normalisation not in ("period", "global"):
            raise InputError(f"normalisation must be 'period' or 'global'; got {normalisation!r}")
        if len(periods_values) != len(periods) or not periods:
            raise InputError(
                f"one set of values per period is needed; got {len(periods_values)} for "
                f"{len(periods)} periods"
            )
        run = _Run(self, periods_values, tuple(periods), normalisation == "global")
        stacked = run.level_results(self.parallel)
        digest = self.framework.digest()
        results = []
        for p, period in enumerate(periods):
            provenance = Provenance(
                version=_version(),
                framework_digest=digest,
                period=period,
                plugins=self.plugins,
                sources=sources,
                normalisation=normalisation,
            )
            results.append(
                Result(
                    levels=tuple(_slice(lv, p, len(periods)) for lv in stacked),
                    framework=self.framework,
                    diagnostics=(
                        *diagnostics,
                        *(d for d in run.diagnostics if d.period in ("", period)),
                    ),
                    provenance=provenance,
                )
            )
        return results


def _slice(lv: LevelResult, p: int, n_periods: int) -> LevelResult:
    """Period ``p``'s rows of a stacked level result."""
    n = len(lv.codes) // n_periods
    rows = slice(p * n, (p + 1) * n)

    if n_periods == 1:
        return lv

    def cut(cols: Mapping[str, Any]) -> dict[str, Any]:
        return {k: readonly(v[rows]) for k, v in cols.items()}

    def cut_lazily(cols: Mapping[str, Any]) -> LazyColumns[Any]:
        return LazyColumns(tuple(cols), lambda k: readonly(cols[k][rows]))

    return LevelResult(
        level=lv.level,
        codes=lv.codes[rows],
        names=lv.names[rows],
        names_hi=lv.names_hi[rows],
        parent=lv.parent[rows],
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
    )


class _Run:
    """One scoring run over ``P`` stacked periods: every level's columns hold ``P * n`` rows,
    period-major, so one pass of each kernel scores every period."""

    def __init__(
        self,
        engine: Engine,
        periods_values: Sequence[Sequence[LevelValues]],
        periods: tuple[str, ...],
        global_norm: bool,
    ) -> None:
        self.engine = engine
        self.fw = engine.framework
        self.h = engine.hierarchy
        self.periods = periods
        self.P = len(periods)
        self.global_norm = global_norm
        self.diagnostics: list[Diagnostic] = []  # about the inputs; then each level's notes
        self.notes: list[list[Diagnostic]] = [[] for _ in self.fw.levels]
        self.sizes = [len(lv) for lv in self.h.levels]
        self.raw: dict[str, FloatArray] = {}
        for code, field in self.fw.fields.items():
            d = self.fw.levels.index(field.level)
            cols = [pv[d].get(code) for pv in periods_values]
            for p, col in enumerate(cols):
                if col is None:
                    self.diagnostics.append(
                        Diagnostic(
                            kind="missing_field",
                            level=field.level,
                            code=code,
                            units=(),
                            message=f"field {code!r} has no values for period {periods[p]!r}",
                            period=periods[p],
                        )
                    )
            present = [np.full(self.sizes[d], np.nan) if c is None else c for c in cols]
            # One period scores its input columns as they are: no copy.
            self.raw[code] = present[0] if self.P == 1 else np.concatenate(present)
        self._rolled: dict[tuple[str, int], FloatArray] = {}
        self._partials: dict[tuple[str, str | None, int], Partials] = {}
        self._groupings: dict[int, Grouping] = {}
        self._zero_rows: dict[tuple[str, int], IntArray] = {}
        self.pool: ThreadPoolExecutor | None = None  # while levels are scored side by side

    # -- helpers over stacked rows --------------------------------------------------------------

    def period_of(self, depth: int) -> IntArray:
        """The period index of every stacked row of level ``depth`` (row r: r // n)."""
        return np.repeat(np.arange(self.P), self.sizes[depth])

    def stacked(self, depth: int, per_unit: IntArray, n_groups: int) -> IntArray:
        """A per-unit group label made distinct per period (``period * n_groups + label``)."""
        if self.P == 1:
            return per_unit
        return np.tile(per_unit, self.P) + self.period_of(depth) * n_groups

    def grouping(self, depth: int) -> Grouping:
        """The units of level ``depth + 1`` grouped by their parent on ``depth``, prepared once."""
        if depth not in self._groupings:
            n = self.sizes[depth]
            labels = self.stacked(depth + 1, self.h.levels[depth + 1].parent, n)
            self._groupings[depth] = Grouping(labels, self.P * n)
        return self._groupings[depth]

    def tile(self, arr: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """A per-unit column repeated for every period (the column itself for one period)."""
        return arr if self.P == 1 else np.tile(arr, self.P)

    def codes(self, depth: int, rows: IntArray) -> dict[int, np.ndarray[Any, Any]]:
        """The unit codes of the (ascending) stacked ``rows``, per period index."""
        codes = self.h.levels[depth].codes
        n = self.sizes[depth]
        out: dict[int, np.ndarray[Any, Any]] = {}
        bounds = np.searchsorted(rows, np.arange(self.P + 1) * n)
        for p in range(self.P):  # a loop over periods, not units
            hit = rows[bounds[p] : bounds[p + 1]] - p * n
            if len(hit):
                out[p] = codes[hit]
        return out

    def note(
        self,
        kind: str,
        depth: int,
        code: str,
        where: np.ndarray[Any, Any],
        what: str,
        into: list[Diagnostic],
    ) -> None:
        """One diagnostic per period for the units where the mask ``where`` holds, or at the
        ascending row indices ``where``, put ``into`` a list: the level's notes, or the notes of
        work that may run on another thread, which are put in the framework's order afterwards
        (so a threaded run lists them as a serial one does)."""
        rows = np.flatnonzero(where) if where.dtype == np.bool_ else where
        for p, units in self.codes(depth, rows).items():
            into.append(
                Diagnostic(
                    kind=kind,
                    level=self.fw.levels[depth],
                    code=code,
                    units=tuple(units.tolist()),
                    message=what.format(n=len(units), units=_name_units(units)),
                    period=self.periods[p],
                )
            )

    # -- step 1: roll up ------------------------------------------------------------------------

    def _parts(self, code: str, depth: int, paired: str | None) -> Partials:
        """Roll-up partials of field ``code`` on level ``depth``, climbing one level at a time
        from the field's own level; ``paired`` masks units that did not report that field."""
        key = (code, paired, depth)
        if key not in self._partials:
            field = self.fw.fields[code]
            own = self.fw.levels.index(field.level)
            if depth == own:
                # Not kept: the own level's partials are as long as the input and are only
                # needed once, to climb to the level above.
                col = self.raw[code]
                present = ~np.isnan(col)
                if paired is not None:
                    present &= ~np.isnan(self.raw[paired])
                weights = None if field.weight is None else self.raw[field.weight]
                return partials(col, field.rollup, weights, present)
            else:
                below = self._parts(code, depth + 1, paired)
                n = self.sizes[depth]
                self._partials[key] = combine(below, self.grouping(depth), self.P * n, field.rollup)
        return self._partials[key]

    def _roll(self, code: str, depth: int, paired: str | None = None) -> FloatArray:
        """Field ``code`` on level ``depth`` (only units that also reported ``paired``)."""
        field = self.fw.fields[code]
        if depth == self.fw.levels.index(field.level):  # a unit's own value, not a roll-up
            col = self.raw[code]
            return col if paired is None else np.where(np.isnan(self.raw[paired]), np.nan, col)
        return finish(self._parts(code, depth, paired), field.rollup)

    def field(self, code: str, depth: int) -> FloatArray:
        """Field ``code`` on level ``depth``, read-only: the input column itself on its own
        level (a read-only view: the caller's array is neither copied nor locked), else its
        roll-up."""
        key = (code, depth)
        if key not in self._rolled:
            self._rolled[key] = readonly(self._roll(code, depth).view())
        return self._rolled[key]

    # -- step 2: indicators ---------------------------------------------------------------------

    def zero_rows(self, code: str, depth: int) -> IntArray:
        """The rows where field ``code`` is 0 on level ``depth`` (shared by every ratio that
        divides by it)."""
        key = (code, depth)
        if key not in self._zero_rows:
            self._zero_rows[key] = np.flatnonzero(self.field(code, depth) == 0)
        return self._zero_rows[key]

    def indicator(self, ind: Indicator, depth: int, notes: list[Diagnostic]) -> FloatArray:
        if ind.field is not None:
            col = self.field(ind.field, depth)
            return col if ind.scale == 1 else col * ind.scale
        num_code, den_code = str(ind.numerator), str(ind.denominator)
        num_level = self.fw.levels.index(self.fw.fields[num_code].level)
        den_level = self.fw.levels.index(self.fw.fields[den_code].level)
        if num_level == den_level and depth < num_level:
            # Pairwise complete: a unit counts in both sums only where it reported both.
            num = self._roll(num_code, depth, paired=den_code)
            den = self._roll(den_code, depth, paired=num_code)
            zero = np.flatnonzero(den == 0)
        else:  # on their own level a missing side makes the ratio missing by itself
            num, den = self.field(num_code, depth), self.field(den_code, depth)
            zero = self.zero_rows(den_code, depth)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.divide(num, den)
        if len(zero):
            out[zero] = np.nan  # undefined, not infinite
            reported = zero[~np.isnan(num[zero])]
            if len(reported):
                self.note(
                    "division_by_zero",
                    depth,
                    ind.code,
                    reported,
                    f"{ind.code!r} is missing for {{n}} unit(s) whose {den_code!r} is 0: {{units}}",
                    into=notes,
                )
        if ind.scale != 1:
            out *= ind.scale
        return out

    # -- step 3: normalise ----------------------------------------------------------------------

    def peers(self, depth: int, within: str) -> tuple[IntArray, int]:
        """Peer groups for normalisation: per period unless normalisation is global."""
        if within == "parent" and depth > 0:
            label, n = self.h.levels[depth].parent, self.sizes[depth - 1]
        else:
            label, n = np.zeros(self.sizes[depth], dtype=np.intp), 1
        if self.global_norm:
            return self.tile(label), n
        return self.stacked(depth, label, n), self.P * n

    def rank_groups(self, depth: int, within: str) -> IntArray | None:
        """Groups for ranking, always per period; None for one group."""
        if within == "parent" and depth > 0:
            return self.stacked(depth, self.h.levels[depth].parent, self.sizes[depth - 1])
        return None if self.P == 1 else self.period_of(depth)

    def normalise(
        self, ind: Indicator, values: FloatArray, depth: int, notes: list[Diagnostic]
    ) -> FloatArray:
        spec = ind.normalise
        groups, n_groups = self.peers(depth, spec.within)
        kwargs: dict[str, Any] = dict(spec.params)
        if spec.method == "goalposts":
            kwargs.update(lower=spec.lower, upper=spec.upper)
        elif spec.method == "target":
            kwargs.update(target=spec.target if spec.target is not None else ind.target)
            kwargs.update(cap=spec.cap)
        elif spec.method == "zscore":
            kwargs.update(rescale=spec.rescale)
        kernel = self.engine.normalisers[spec.method]
        try:
            out: Normalised = kernel(values, groups, n_groups, ind.direction, **kwargs)
        except ScoringError as exc:
            raise ScoringError(
                f"indicator {ind.code!r} on level {self.fw.levels[depth]!r}: {exc}"
            ) from None
        if len(out.constant_groups):
            affected = np.isin(groups, out.constant_groups) & ~np.isnan(values)
            peers = "its level" if spec.within == "level" or depth == 0 else "its parent"
            self.note(
                "constant_indicator",
                depth,
                ind.code,
                affected,
                f"{ind.code!r} is constant among the peers in {peers} under {spec.method!r}, "
                f"so it is missing for {{n}} unit(s): {{units}}",
                into=notes,
            )
        return np.asarray(out.scores, dtype=np.float64)

    # -- steps 4 and 5: aggregate, rank, band ---------------------------------------------------

    def aggregate(
        self,
        gcode: str,
        kids: list[str],
        columns: list[FloatArray],
        weights: FloatArray,
        depth: int,
    ) -> tuple[FloatArray, Callable[[], FloatArray]]:
        """Group ``gcode``'s scores on a level (NaN below its minimum coverage), and a function
        giving its coverage (computed only when it is wanted)."""
        spec = self.fw.groups[gcode]
        kernel = self.engine.aggregators[spec.aggregate.method]
        if kernel is arithmetic and not spec.aggregate.params:
            # The built-in arithmetic mean, fused: no units x children matrix.
            scores = arithmetic_columns(columns, weights, spec.min_coverage)
            return scores, lambda: coverage_columns(columns, weights)
        matrix = np.column_stack(columns)
        kwargs: dict[str, Any] = dict(spec.aggregate.params)
        if spec.aggregate.method == "generalised":
            kwargs["p"] = spec.aggregate.p
        try:
            scores = kernel(matrix, weights, **kwargs)
        except NegativeInputError as exc:
            n = self.sizes[depth]
            unit = str(self.h.levels[depth].codes[exc.row % n])
            period = self.periods[exc.row // n]
            raise ScoringError(
                f"group {gcode!r} on level {self.fw.levels[depth]!r}: a "
                f"{spec.aggregate.method} mean needs scores >= 0; got {exc.value!r} for "
                f"{kids[exc.column]!r} of unit {unit!r} in "
                f"period {period!r} (use a bounded normalisation, or an arithmetic mean)"
            ) from None
        cov = coverage_columns(columns, weights)
        scores = np.where(cov + 1e-12 >= spec.min_coverage, scores, np.nan)
        return np.asarray(scores, dtype=np.float64), lambda: cov

    def level_results(self, parallel: bool) -> list[LevelResult]:
        """Every level's result, top first; the diagnostics are complete afterwards.

        With ``parallel``, a large bottom level is scored on worker threads while this one
        rolls the fields up and scores the levels above. The bottom level reads only its own
        fields and the levels above only their roll-ups; the few cache entries two threads may
        both fill (a bottom-level field view, its zero rows) get the same value from either.
        numpy releases the GIL in its loops, every column is computed exactly as it would be
        alone, and diagnostics are listed in the framework's order.
        """
        bottom = len(self.fw.levels) - 1
        if not parallel or bottom == 0 or self.P * self.sizes[bottom] < PARALLEL_MIN_ROWS:
            out = [self.level_result(d) for d in range(bottom + 1)]
        else:
            # Two workers beside this thread. The bottom level's indicators are measured half
            # on a worker, half here; the bottom level then goes on on that worker (sorting
            # its composite on the other while bands are made) while this thread rolls the
            # fields up and scores the levels above.
            codes = self.measured_on(bottom)
            half = len(codes) // 2
            from concurrent.futures import ThreadPoolExecutor  # only when a level is large

            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="egov-score") as pool:
                self.pool = pool
                first = pool.submit(self.measure, bottom, codes[:half])
                second = self.measure(bottom, codes[half:])
                last = pool.submit(lambda: self.level_result(bottom, {**first.result(), **second}))
                out = [self.level_result(d) for d in range(bottom)]
                out.append(last.result())
            self.pool = None
        for notes in self.notes:  # in level order, however the levels were scheduled
            self.diagnostics.extend(notes)
        return out

    def measured_on(self, depth: int) -> list[str]:
        """The indicators measured on level ``depth``, in the framework's order."""
        return [c for c in self.fw.indicators if self.fw.indicator_depth(c) >= depth]

    def measure(self, depth: int, codes: list[str]) -> dict[str, Measured]:
        """Indicators ``codes`` on level ``depth``: raw, normalised, and their diagnostics."""
        out: dict[str, Measured] = {}
        for code in codes:
            notes: list[Diagnostic] = []
            ind = self.fw.indicators[code]
            raw = readonly(self.indicator(ind, depth, notes))
            out[code] = (raw, readonly(self.normalise(ind, raw, depth, notes)), notes)
        return out

    def level_result(
        self, depth: int, measured: Mapping[str, Measured] | None = None
    ) -> LevelResult:
        """Level ``depth``'s result; ``measured``: its indicators, if measured already."""
        fw, level = self.fw, self.h.levels[depth]
        level_name = fw.levels[depth]
        rows = self.P * self.sizes[depth]
        # Fields rolled up from the levels below are computed when read (a roll-up that an
        # indicator needs is computed and kept by the indicator), so a million machines are
        # not summed once more per field for columns a caller may never read.
        fields = LazyColumns(
            tuple(c for c, f in fw.fields.items() if fw.levels.index(f.level) >= depth),
            lambda code: self.field(code, depth),
        )
        codes = self.measured_on(depth)
        if measured is None:
            measured = self.measure(depth, codes)
        indicators = {code: measured[code][0] for code in codes}
        normalised = {code: measured[code][1] for code in codes}
        for code in codes:  # in the framework's order, whichever thread measured them
            self.notes[depth].extend(measured[code][2])
        groups: dict[str, FloatArray] = {}
        inputs: dict[str, tuple[list[str], FloatArray]] = {}

        def children(gcode: str) -> list[FloatArray]:
            return [normalised[c] if c in normalised else groups[c] for c in inputs[gcode][0]]

        root_cov: FloatArray | None = None
        for gcode in fw.groups_bottom_up():
            kids = [c for c in fw.children(gcode) if c in normalised or c in groups]
            if not kids:
                continue  # nothing under this group is measured on this level
            weights = np.array([fw.weight(c) for c in kids], dtype=np.float64)
            inputs[gcode] = (kids, weights)
            scores, coverage_of = self.aggregate(gcode, kids, children(gcode), weights, depth)
            groups[gcode] = readonly(scores)
            if gcode == fw.root:
                root_cov = coverage_of()
            del scores, coverage_of

        # Coverage of every group is recomputed from the stored children when read, so a
        # million machines do not carry one more column per group.
        group_cov = LazyColumns(
            tuple(groups), lambda g: readonly(coverage_columns(children(g), inputs[g][1]))
        )
        root = fw.root
        score = groups[root] if root in groups else np.full(rows, np.nan)
        cov = np.zeros(rows) if root_cov is None else root_cov
        in_level, in_parent = self.rank_groups(depth, "level"), self.rank_groups(depth, "parent")

        # A large level's composite is sorted on the run's other worker while this thread
        # bands it; its ranks within the level and within parents are then made side by side.
        sorting = None
        if self.pool is not None and root in groups and rows >= PARALLEL_MIN_ROWS:
            sorting = self.pool.submit(SortedScores, score)

        def two_ways(code: str) -> tuple[RankArray, RankArray]:
            if code == root and sorting is not None and self.pool is not None:
                sorted_ = sorting.result()
                within_parents = self.pool.submit(sorted_.ranks, in_parent)
                a, b = sorted_.ranks(in_level), within_parents.result()
            else:  # sub-groups: ranked when read
                a, b = rank_two_ways(groups[code], in_level, in_parent)
            return readonly(a), readonly(b)

        # The composite is ranked now; other groups only when a caller reads their ranks.
        both = LazyColumns(tuple(groups), two_ways)
        ranks = LazyColumns(tuple(groups), lambda g: both[g][0])
        ranks_in_parent = LazyColumns(tuple(groups), lambda g: both[g][1])
        band_idx = band(score, fw.bands.edges)
        insufficient = np.isnan(score)
        if insufficient.any() and root in groups:
            self.note(
                "insufficient_data",
                depth,
                root,
                insufficient,
                f"{{n}} {level_name} unit(s) have too little data for a composite score: {{units}}",
                into=self.notes[depth],
            )
        return LevelResult(
            level=level_name,
            codes=self.tile(level.codes),
            names=self.tile(level.names),
            names_hi=self.tile(level.names_hi),
            parent=self.tile(level.parent),
            parent_level_codes=(
                self.h.levels[depth - 1].codes if depth > 0 else np.array([], dtype=np.str_)
            ),
            fields=fields,
            indicators=indicators,
            normalised=normalised,
            groups=groups,
            group_coverage=group_cov,
            group_ranks=ranks,
            group_ranks_in_parent=ranks_in_parent,
            score=readonly(score),
            rank=ranks[root] if root in groups else np.zeros(rows, dtype=np.int64),
            rank_in_parent=(
                ranks_in_parent[root] if root in groups else np.zeros(rows, dtype=np.int64)
            ),
            band=readonly(band_idx),
            band_labels=fw.bands.labels,
            coverage=readonly(cov),
        )


def score(
    hierarchy: Hierarchy, framework: Framework, values: Values, period: str | None = None
) -> Result:
    """Score ``values`` for ``period`` with the built-in methods (see :class:`Engine`)."""
    return Engine(framework, hierarchy).score(values, period)
