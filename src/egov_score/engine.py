"""The scoring run: roll up -> indicators -> normalise -> aggregate -> rank and band.

:class:`Engine` ties a :class:`~egov_score.framework.Framework` and a
:class:`~egov_score.hierarchy.Hierarchy` to the kernels. Every step works on whole columns; the
Python loops here run over levels, fields, indicators and groups, never over units. The
semantics are documented in ``docs/method.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np

from egov_score._arrays import FloatArray, IntArray, readonly
from egov_score._table import Table
from egov_score.aggregate import BUILTIN_AGGREGATORS, Aggregator, NegativeInputError, coverage
from egov_score.exceptions import FrameworkError, InputError, PluginError, ScoringError
from egov_score.framework import Framework, Indicator
from egov_score.hierarchy import Hierarchy
from egov_score.normalise import BUILTIN_NORMALISERS, Normalised, Normaliser
from egov_score.rank import band, rank_in_groups
from egov_score.result import Diagnostic, LevelResult, Provenance, Result
from egov_score.rollup import roll_up
from egov_score.values import LevelValues, Values

if TYPE_CHECKING:
    from egov_score.registry import CheckedTables, Registry

__all__ = ["Engine", "score"]

#: How many unit codes a diagnostic message names before it says "and N more".
_NAMED_UNITS = 10


def _version() -> str:
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
        self.registry: Registry | None = None
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
        self._ancestors = {
            (lo, hi): hierarchy.ancestors(framework.levels[lo], framework.levels[hi])
            for lo in range(len(framework.levels))
            for hi in range(lo)
        }

    def score(self, values: Values, period: str | None = None) -> Result:
        """Score one period of ``values``.

        Args:
            values: validated values (:meth:`Values.from_csv`).
            period: the period to score; may be omitted when the values hold only one.

        Returns:
            A :class:`~egov_score.result.Result` with every level's columns.

        Raises:
            ScoringError: the data cannot be scored as the framework asks (e.g. a negative
                score into a geometric mean); the message names the unit and group.
        """
        period = values.resolve_period(period)
        return self.score_level_values(values.at(period), period, sources=(values.source,))

    @classmethod
    def from_registry(
        cls, framework: Framework, hierarchy: Hierarchy, registry: Registry
    ) -> Engine:
        """An engine using a plugin registry's normalisation and aggregation methods."""
        engine = cls(
            framework,
            hierarchy,
            normalisers=registry.normalisers,
            aggregators=registry.aggregators,
            plugins=registry.plugin_names,
        )
        engine.registry = registry
        return engine

    def score_tables(
        self,
        tables: CheckedTables | Mapping[str, Mapping[str, Table]],
        period: str,
        *,
        values: Values | None = None,
        drop_bad_rows: bool = False,
    ) -> Result:
        """Score schemes' raw tables (and optionally field values) for one period.

        Args:
            tables: scheme code -> table name -> :class:`~egov_score.Table` (see
                :meth:`Registry.read_tables`), or tables already checked
                (:meth:`Registry.check_tables`), so that many periods check them once.
            period: the period to score.
            values: further field values (a values CSV), merged with the schemes' fields.
            drop_bad_rows: drop raw rows that fail their checks, listing them in the
                diagnostics, instead of refusing the tables.

        Raises:
            InputError: a table failed its checks; PluginError: a plugin misbehaved.
        """
        if self.registry is None:
            raise PluginError("scoring raw scheme tables needs an engine built with a registry")
        data = self.registry.load(
            tables, self.hierarchy, self.framework, period, drop_bad_rows=drop_bad_rows
        )
        levels = [dict(lv) for lv in data.levels]
        sources = data.sources
        if values is not None:
            for d, cols in enumerate(values.at(period)):
                clash = sorted(set(cols) & set(levels[d]))
                if clash:
                    raise InputError(
                        f"fields must come from one source; {clash!r} are in both the values "
                        f"and the scheme tables"
                    )
                levels[d].update(cols)
            sources = (*sources, values.source)
        return self.score_level_values(
            levels, period, sources=sources, diagnostics=data.diagnostics
        )

    def score_level_values(
        self,
        level_values: Sequence[LevelValues],
        period: str,
        *,
        sources: tuple[str, ...] = (),
        diagnostics: Sequence[Diagnostic] = (),
    ) -> Result:
        """Score field columns already spread per level (top first); see :meth:`score`."""
        run = _Run(self, level_values)
        run.diagnostics[:0] = diagnostics
        levels = tuple(run.level_result(d) for d in range(len(self.framework.levels)))
        provenance = Provenance(
            version=_version(),
            framework_digest=self.framework.digest(),
            period=period,
            plugins=self.plugins,
            sources=sources,
        )
        return Result(
            levels=levels,
            framework=self.framework,
            diagnostics=tuple(run.diagnostics),
            provenance=provenance,
        )


class _Run:
    """The state of one scoring run: rolled-up fields and the diagnostics found so far."""

    def __init__(self, engine: Engine, level_values: Sequence[LevelValues]) -> None:
        self.engine = engine
        self.fw = engine.framework
        self.h = engine.hierarchy
        self.diagnostics: list[Diagnostic] = []
        self.raw: dict[str, FloatArray] = {}
        for code, field in self.fw.fields.items():
            d = self.fw.levels.index(field.level)
            col = level_values[d].get(code)
            if col is None:
                col = np.full(len(self.h.levels[d]), np.nan)
                self.diagnostics.append(
                    Diagnostic(
                        kind="missing_field",
                        level=field.level,
                        code=code,
                        units=(),
                        message=f"field {code!r} has no values for this period",
                    )
                )
            self.raw[code] = col
        self._rolled: dict[tuple[str, int], FloatArray] = {}

    # -- step 1: roll up ------------------------------------------------------------------------

    def _roll(self, code: str, depth: int, values: FloatArray | None = None) -> FloatArray:
        """Field ``code`` on level ``depth``; ``values`` replaces the raw column (masking)."""
        field = self.fw.fields[code]
        own = self.fw.levels.index(field.level)
        col = self.raw[code] if values is None else values
        if depth == own:
            return col
        groups = self.engine._ancestors[(own, depth)]
        weights = None if field.weight is None else self.raw[field.weight]
        return roll_up(col, groups, len(self.h.levels[depth]), field.rollup, weights)

    def field(self, code: str, depth: int) -> FloatArray:
        key = (code, depth)
        if key not in self._rolled:
            self._rolled[key] = readonly(self._roll(code, depth))
        return self._rolled[key]

    # -- step 2: indicators ---------------------------------------------------------------------

    def indicator(self, ind: Indicator, depth: int) -> FloatArray:
        if ind.field is not None:
            return self.field(ind.field, depth) * ind.scale
        num_code, den_code = str(ind.numerator), str(ind.denominator)
        same_level = self.fw.fields[num_code].level == self.fw.fields[den_code].level
        if same_level:
            # Pairwise complete: a unit counts in both sums only where it reported both.
            raw_n, raw_d = self.raw[num_code], self.raw[den_code]
            both = ~np.isnan(raw_n) & ~np.isnan(raw_d)
            num = self._roll(num_code, depth, np.where(both, raw_n, np.nan))
            den = self._roll(den_code, depth, np.where(both, raw_d, np.nan))
        else:
            num, den = self.field(num_code, depth), self.field(den_code, depth)
        zero = (den == 0) & ~np.isnan(num)
        if zero.any():
            codes = self.h.levels[depth].codes[zero]
            self.diagnostics.append(
                Diagnostic(
                    kind="division_by_zero",
                    level=self.fw.levels[depth],
                    code=ind.code,
                    units=tuple(codes.tolist()),
                    message=(
                        f"{ind.code!r} is missing for {len(codes)} unit(s) whose {den_code!r} "
                        f"is 0: {_name_units(codes)}"
                    ),
                )
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den != 0, num / np.where(den != 0, den, 1.0) * ind.scale, np.nan)

    # -- step 3: normalise ----------------------------------------------------------------------

    def peers(self, depth: int, within: str) -> tuple[IntArray, int]:
        n = len(self.h.levels[depth])
        if within == "parent" and depth > 0:
            return self.h.levels[depth].parent, len(self.h.levels[depth - 1])
        return np.zeros(n, dtype=np.intp), 1

    def normalise(self, ind: Indicator, values: FloatArray, depth: int) -> FloatArray:
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
            codes = self.h.levels[depth].codes[affected]
            if len(codes):
                peers = "its level" if n_groups == 1 else f"{len(out.constant_groups)} parent(s)"
                self.diagnostics.append(
                    Diagnostic(
                        kind="constant_indicator",
                        level=self.fw.levels[depth],
                        code=ind.code,
                        units=tuple(codes.tolist()),
                        message=(
                            f"{ind.code!r} is constant among the peers in {peers} under "
                            f"{spec.method!r}, so it is missing for {len(codes)} unit(s): "
                            f"{_name_units(codes)}"
                        ),
                    )
                )
        return np.asarray(out.scores, dtype=np.float64)

    # -- steps 4 and 5: aggregate, rank, band ---------------------------------------------------

    def level_result(self, depth: int) -> LevelResult:
        fw, level = self.fw, self.h.levels[depth]
        level_name = fw.levels[depth]
        fields = {
            code: self.field(code, depth)
            for code, f in fw.fields.items()
            if fw.levels.index(f.level) >= depth
        }
        indicators: dict[str, FloatArray] = {}
        normalised: dict[str, FloatArray] = {}
        for code, ind in fw.indicators.items():
            if fw.indicator_depth(code) >= depth:
                indicators[code] = readonly(self.indicator(ind, depth))
                normalised[code] = readonly(self.normalise(ind, indicators[code], depth))
        groups: dict[str, FloatArray] = {}
        group_cov: dict[str, FloatArray] = {}
        for gcode in fw.groups_bottom_up():
            kids = [c for c in fw.children(gcode) if c in normalised or c in groups]
            if not kids:
                continue  # nothing under this group is measured on this level
            matrix = np.column_stack(
                [normalised[c] if c in normalised else groups[c] for c in kids]
            )
            weights = np.array([fw.weight(c) for c in kids], dtype=np.float64)
            spec = fw.groups[gcode]
            cov = coverage(matrix, weights)
            kernel = self.engine.aggregators[spec.aggregate.method]
            kwargs: dict[str, Any] = dict(spec.aggregate.params)
            if spec.aggregate.method == "generalised":
                kwargs["p"] = spec.aggregate.p
            try:
                scores = kernel(matrix, weights, **kwargs)
            except NegativeInputError as exc:
                raise ScoringError(
                    f"group {gcode!r} on level {level_name!r}: a {spec.aggregate.method} mean "
                    f"needs scores >= 0; got {exc.value!r} for {kids[exc.column]!r} of unit "
                    f"{str(level.codes[exc.row])!r} (use a bounded normalisation, or an "
                    f"arithmetic mean)"
                ) from None
            scores = np.where(cov + 1e-12 >= spec.min_coverage, scores, np.nan)
            groups[gcode] = readonly(np.asarray(scores, dtype=np.float64))
            group_cov[gcode] = readonly(cov)

        root = fw.root
        n = len(level)
        score = groups.get(root, np.full(n, np.nan))
        cov = group_cov.get(root, np.zeros(n))
        parent_groups, _ = self.peers(depth, "parent")
        ranks = {g: readonly(rank_in_groups(v)) for g, v in groups.items()}
        ranks_in_parent = {g: readonly(rank_in_groups(v, parent_groups)) for g, v in groups.items()}
        band_idx = band(score, fw.bands.edges)
        labels = np.array([*fw.bands.labels, ""], dtype=np.str_)
        insufficient = np.isnan(score)
        if insufficient.any() and root in groups:
            codes = level.codes[insufficient]
            self.diagnostics.append(
                Diagnostic(
                    kind="insufficient_data",
                    level=level_name,
                    code=root,
                    units=tuple(codes.tolist()),
                    message=(
                        f"{len(codes)} {level_name} unit(s) have too little data for a composite "
                        f"score: {_name_units(codes)}"
                    ),
                )
            )
        parent_codes = (
            self.h.levels[depth - 1].codes[level.parent]
            if depth > 0
            else np.full(n, "", dtype=np.str_)
        )
        return LevelResult(
            level=level_name,
            codes=level.codes,
            names=level.names,
            names_hi=level.names_hi,
            parent=level.parent,
            parent_codes=readonly(np.asarray(parent_codes)),
            fields=fields,
            indicators=indicators,
            normalised=normalised,
            groups=groups,
            group_coverage=group_cov,
            group_ranks=ranks,
            group_ranks_in_parent=ranks_in_parent,
            score=readonly(np.array(score, dtype=np.float64)),
            rank=ranks.get(root, np.zeros(n, dtype=np.int64)),
            rank_in_parent=ranks_in_parent.get(root, np.zeros(n, dtype=np.int64)),
            band=readonly(band_idx),
            band_label=readonly(labels[band_idx]),
            coverage=readonly(np.array(cov, dtype=np.float64)),
        )


def score(
    hierarchy: Hierarchy, framework: Framework, values: Values, period: str | None = None
) -> Result:
    """Score ``values`` for ``period`` with the built-in methods (see :class:`Engine`)."""
    return Engine(framework, hierarchy).score(values, period)
