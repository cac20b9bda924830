"""The engine's entry points: :class:`Engine` and :func:`score`.

:class:`Engine` ties a :class:`~egov_score.model.framework.Framework` and a
:class:`~egov_score.model.hierarchy.Hierarchy` to the kernels and runs the steps: roll up
(:mod:`.fields`) -> indicators and normalisation (:mod:`.indicators`) -> aggregation, ranks and
bands per level (:mod:`.levels`), on the threads :mod:`.schedule` picks, over periods stacked
by :mod:`.stack`. Every step works on whole columns; the Python loops run over levels, fields,
indicators and groups, never over units. The semantics are documented in ``docs/method.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from egov_score.engine.fields import FieldColumns, stack_inputs
from egov_score.engine.indicators import Indicators
from egov_score.engine.levels import LevelScorer
from egov_score.engine.notes import Notes
from egov_score.engine.pages import keep_freed_memory, ordinary_pages
from egov_score.engine.schedule import PARALLEL_MIN_ROWS, score_levels
from egov_score.engine.stack import Stack, period_rows
from egov_score.exceptions import FrameworkError, InputError
from egov_score.kernels.aggregate import BUILTIN_AGGREGATORS, Aggregator
from egov_score.kernels.normalise import BUILTIN_NORMALISERS, Normaliser
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import Problem
from egov_score.model.result import Diagnostic, LevelResult, Provenance, Result
from egov_score.model.values import LevelValues, Values

__all__ = ["PARALLEL_MIN_ROWS", "Engine", "score"]


@functools.cache
def _version() -> str:
    from importlib import metadata  # only when a result is made, not at import

    try:
        return metadata.version("egov-score")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


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
        parallel_min_rows: how many rows (units x periods) the bottom level needs to be
            scored on a second thread; below it, a thread costs more than it saves.

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
        parallel_min_rows: int = PARALLEL_MIN_ROWS,
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
        self.parallel_min_rows = parallel_min_rows
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
        rejected: Sequence[Problem] = (),
    ) -> Result:
        """Score field columns already spread per level (top first); see :meth:`score`."""
        return self.score_stacked(
            [level_values], [period], sources=sources, diagnostics=diagnostics, rejected=rejected
        )[0]

    def score_stacked(
        self,
        periods_values: Sequence[Sequence[LevelValues]],
        periods: Sequence[str],
        *,
        normalisation: str = "period",
        sources: tuple[str, ...] = (),
        diagnostics: Sequence[Diagnostic] = (),
        rejected: Sequence[Problem] = (),
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
            diagnostics: diagnostics from loading, kept with the result of their period (or
                of every period, for a diagnostic without one).
            rejected: the input cells loading set aside, kept with every period's result.

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
        stacked, run_diagnostics = self._score_levels(periods_values, tuple(periods), normalisation)
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
                    levels=tuple(
                        period_rows(lv, p, len(periods), units)
                        for lv, units in zip(stacked, self.hierarchy.levels, strict=True)
                    ),
                    framework=self.framework,
                    diagnostics=(
                        *(d for d in diagnostics if d.period in ("", period)),
                        *(d for d in run_diagnostics if d.period in ("", period)),
                    ),
                    provenance=provenance,
                    rejected=tuple(rejected),
                )
            )
        return results

    def _score_levels(
        self,
        periods_values: Sequence[Sequence[LevelValues]],
        periods: tuple[str, ...],
        normalisation: str,
    ) -> tuple[list[LevelResult], list[Diagnostic]]:
        """Every level's stacked result, top first, and the run's diagnostics.

        The objects of the run live only as long as this call: a level result keeps only its
        own columns and what its lazily computed columns read.
        """
        h = self.hierarchy
        stack = Stack(periods, [len(lv) for lv in h.levels])
        rows = sum(stack.rows(d) for d in range(len(h.levels)))
        keep_freed_memory(rows)
        with ordinary_pages(rows):
            return self._score_stack(periods_values, stack, normalisation)

    def _score_stack(
        self,
        periods_values: Sequence[Sequence[LevelValues]],
        stack: Stack,
        normalisation: str,
    ) -> tuple[list[LevelResult], list[Diagnostic]]:
        """:meth:`_score_levels` on the stack of its periods."""
        fw, h = self.framework, self.hierarchy
        parents = [lv.parent for lv in h.levels]
        inputs, diagnostics = stack_inputs(fw, periods_values, stack)
        fields = FieldColumns(fw, inputs, parents, stack, [lv.codes for lv in h.levels])
        notes = Notes(fw.levels, [lv.codes for lv in h.levels], stack)
        indicators = Indicators(
            fw,
            fields,
            self.normalisers,
            parents,
            stack,
            notes,
            global_peers=normalisation == "global",
        )
        scorer = LevelScorer(fw, h, self.aggregators, stack, fields, indicators, notes)
        levels = score_levels(scorer, parallel=self.parallel, min_rows=self.parallel_min_rows)
        return levels, [*diagnostics, *scorer.diagnostics()]


def score(
    hierarchy: Hierarchy, framework: Framework, values: Values, period: str | None = None
) -> Result:
    """Score ``values`` for ``period`` with the built-in methods (see :class:`Engine`)."""
    return Engine(framework, hierarchy).score(values, period)
