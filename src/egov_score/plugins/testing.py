"""A conformance check plugin authors run in their own tests: ``check_plugin(plugin)``.

It registers the plugin alone, validates its declarations, loads its documented sample tables
through the same path the engine uses, and scores them, so a plugin that passes here works in a
real run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from egov_score.exceptions import EgovScoreError, PluginError
from egov_score.io.table import Table
from egov_score.model.hierarchy import Hierarchy
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.plugins.scheme import Scheme

__all__ = ["DEFAULT_LEVELS", "check_plugin"]

#: The levels sample tables are checked against, unless the caller names others.
DEFAULT_LEVELS = ("division", "district", "block", "machine")
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def check_plugin(plugin: object, *, levels: Sequence[str] = DEFAULT_LEVELS) -> list[str]:
    """Check that ``plugin`` honours the hook contracts, on its own sample tables.

    Checks: the plugin registers alone with no unknown hook; it declares at least one scheme;
    every scheme, indicator and table is documented with Hindi names in Devanagari; every
    table has a ``code`` column and a sample; the samples pass their checks, load into exactly
    the declared fields (shape, dtype, finite or NaN) and score, with every indicator present
    for at least one unit on its own level.

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
            tables = {name: Table.from_csv(path) for name, path in scheme.samples.items()}
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
