"""A conformance check plugin authors run in their own tests: ``check_plugin(plugin)``.

It registers the plugin alone, validates its declarations, loads its documented sample tables
through the same path the engine uses, and scores them, so a plugin that passes here works in a
real run.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from egov_score.exceptions import EgovScoreError, PluginError
from egov_score.io.table import Table
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Result
from egov_score.plugins.contracts import CheckedAggregator, CheckedNormaliser, PluginMethod
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.plugins.scheme import Scheme

__all__ = ["DEFAULT_LEVELS", "check_plugin"]

#: The levels sample tables are checked against, unless the caller names others.
DEFAULT_LEVELS = ("division", "district", "block", "machine")
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def check_plugin(plugin: object, *, levels: Sequence[str] = DEFAULT_LEVELS) -> list[str]:
    """Check that ``plugin`` honours the hook contracts, on its own sample tables.

    Every hook the plugin implements is called, and what it returns checked against the hook's
    contract: the plugin registers alone with no unknown hook; it declares at least one scheme;
    every scheme, indicator and table is documented with Hindi names in Devanagari; every
    table has a ``code`` column and a sample; the samples pass their checks (the declared
    rules and ``egov_score_check_table``), load into exactly the declared fields (float64,
    one per unit, finite or NaN, within the declared range, a number where the same-named
    column has one) and score, with every indicator present for at least one unit on its own
    level; the report sections (for the first unit of every level) and the review sections
    of the scored samples are ``Section`` records, and the action reasons and the maps'
    locations ``ActionReasons`` and ``Locations`` records over the units of a known level;
    every contributed normalisation method returns scores in 0-100 (NaN only where the input
    is missing or the peer group constant), and every aggregation method stays within each
    unit's children's range (NaN only where no weighted child is present), on realistic
    inputs with missing values, two peer groups and both directions (a method whose
    parameters have no defaults is called only through the samples); the catalogue folder
    exists.

    Args:
        plugin: the plugin module or object.
        levels: the unit levels, top first, that the sample units use.

    Returns:
        The codes of the schemes checked.

    Raises:
        PluginError: listing every failed check.
    """
    pm = make_plugin_manager([plugin], builtins=False, autoload=False)
    registry = Registry(pm)
    failures: list[str] = []
    if not registry.schemes:
        raise PluginError(f"plugin {plugin!r} must declare at least one scheme; got none")
    for code, scheme in registry.schemes.items():
        failures += _check_declaration(code, scheme)
        if scheme.sample_units is None or not scheme.sample_units.exists():
            failures.append(
                f"scheme {code!r}: sample_units must be a file; got {scheme.sample_units!r}"
            )
            continue
        missing = [t.name for t in scheme.tables if t.name not in scheme.samples]
        if missing:
            failures.append(f"scheme {code!r}: every table needs a sample; none for {missing!r}")
            continue
        try:
            framework = registry.framework(levels, active=[code])
            hierarchy = Hierarchy.from_csv(scheme.sample_units, framework.levels)
            tables = {name: Table.read(path) for name, path in scheme.samples.items()}
            period = scheme.sample_period
            data = registry.load({code: tables}, hierarchy, framework, period)
            result = registry.engine(framework, hierarchy).score_level_values(
                data.levels, period, sources=data.sources, diagnostics=data.diagnostics
            )
        except EgovScoreError as exc:
            failures.append(f"scheme {code!r}: the samples must load and score; {exc}")
            continue
        for ind in scheme.indicators:
            level = result.levels[framework.indicator_depth(ind.code)]
            if np.isnan(level.indicators[ind.code]).all():
                failures.append(
                    f"scheme {code!r}: indicator {ind.code!r} must have a value for some "
                    f"{level.level!r} unit of the samples; all are missing"
                )
        failures += _check_sections(code, registry, result, hierarchy, tables)
    failures += _check_methods(registry)
    try:
        registry.catalogues()
    except PluginError as exc:
        failures.append(str(exc))
    if failures:
        raise PluginError(
            f"plugin {plugin!r} failed {len(failures)} check(s):\n  " + "\n  ".join(failures)
        )
    return list(registry.schemes)


def _check_declaration(code: str, scheme: Scheme) -> list[str]:
    out = []
    if not _DEVANAGARI.search(scheme.name_hi):
        out.append(f"scheme {code!r}: name_hi must be Hindi in Devanagari; got {scheme.name_hi!r}")
    for ind in scheme.indicators:
        if not _DEVANAGARI.search(ind.name_hi):
            out.append(
                f"scheme {code!r}: indicator {ind.code!r} needs name_hi in Devanagari; "
                f"got {ind.name_hi!r}"
            )
        if ind.parent != code:
            out.append(
                f"scheme {code!r}: indicator {ind.code!r} must have parent {code!r}; "
                f"got {ind.parent!r}"
            )
    declared = {f.code for f in scheme.fields}
    for ind in scheme.indicators:
        unknown = [f for f in ind.fields if f not in declared]
        if unknown:
            out.append(
                f"scheme {code!r}: indicator {ind.code!r} reads undeclared fields {unknown!r}"
            )
    for table in scheme.tables:
        if not any(c.kind == "code" for c in table.columns):
            out.append(f"scheme {code!r}: table {table.name!r} needs a 'code' column")
    return out


def _check_sections(
    code: str,
    registry: Registry,
    result: Result,
    hierarchy: Hierarchy,
    tables: Mapping[str, Table],
) -> list[str]:
    """The report sections of the first unit of every level, the review sections, the action
    reasons (``egov_score_action_reasons``) and the maps' locations (``egov_score_locations``),
    checked by the registry as in a review."""
    out = []
    try:
        for level in hierarchy.levels:
            if len(level):
                registry.report_sections(result, hierarchy, str(level.codes[0]), level.name)
        registry.review_sections(result, hierarchy)
        registry.action_reasons(result, hierarchy, {code: tables})
        registry.locations(result, hierarchy, {code: tables})
    except EgovScoreError as exc:
        out.append(f"scheme {code!r}: the sections of the scored samples must build; {exc}")
    return out


#: Realistic method inputs: 20 units in two peer groups, some missing.
_VALUES = np.array([np.nan if i % 7 == 3 else 10.0 + 4.5 * ((i * 37) % 19) for i in range(20)])
_GROUPS = (np.arange(20) % 2).astype(np.intp)
#: 12 units x 3 children of 0-100 scores, some missing, one unit with none.
_SCORES = np.array(
    [
        [np.nan if (i + j) % 5 == 4 else float((i * 29 + j * 41) % 101) for j in range(3)]
        for i in range(12)
    ]
)
_SCORES[7] = np.nan
_WEIGHTS = np.array([1.0, 2.0, 1.0])


def _needs_parameters(method: PluginMethod, given: int) -> bool:
    """Whether the method's function has a parameter beyond the first ``given`` without a
    default (it can only be called with the parameters a framework gives)."""
    try:
        params = list(inspect.signature(method.function).parameters.values())[given:]
    except (TypeError, ValueError):  # no signature to read: call it and see
        return False
    return any(
        p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        for p in params
    )


def _check_methods(registry: Registry) -> list[str]:
    """Call every contributed normalisation and aggregation method on realistic inputs."""
    out = []
    calls: list[tuple[PluginMethod, int, Callable[[], object]]] = []
    for norm in registry.normalisers.values():
        if isinstance(norm, CheckedNormaliser):
            for direction in (1, -1):
                norm_call = functools.partial(norm, _VALUES.copy(), _GROUPS, 2, direction)
                calls.append((norm, 4, norm_call))
    for agg in registry.aggregators.values():
        if isinstance(agg, CheckedAggregator):
            calls.append((agg, 2, functools.partial(agg, _SCORES.copy(), _WEIGHTS)))
    failed: set[str] = set()
    for method, given, call in calls:
        if method.where in failed or _needs_parameters(method, given):
            continue
        try:
            call()
        except EgovScoreError as exc:
            failed.add(method.where)
            out.append(f"method {method.name!r} must keep its contract on realistic inputs; {exc}")
    return out
