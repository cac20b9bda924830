"""Loading one period of checked scheme tables into field columns, through the plugins'
``egov_score_load_scheme``, and validating what they return.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pluggy

from egov_score._arrays import FloatArray
from egov_score.exceptions import PluginError
from egov_score.io.periods import as_period, month_label
from egov_score.io.table import Table
from egov_score.model.framework import Field, Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import exceeds, violations
from egov_score.model.result import Diagnostic
from egov_score.model.values import LevelValues
from egov_score.plugins.contracts import SHOWN
from egov_score.plugins.hooks import call_first
from egov_score.plugins.scheme import Scheme
from egov_score.plugins.tables import CheckedTables, period_rows

__all__ = ["LOAD_HOOK", "SchemeData", "load_period", "load_scheme", "no_data_note", "period_rows"]

#: The hook that turns a scheme's tables into field columns.
LOAD_HOOK = "egov_score_load_scheme"


@attrs.frozen(kw_only=True)
class SchemeData:
    """Field columns loaded from schemes' raw tables for one period, with what was dropped.

    Attributes:
        levels: per level, top first: field code -> float64 column over its units.
        diagnostics: the ``dropped_rows`` notes of the tables and a ``no_data`` note for
            every scheme whose tables hold no rows for the period.
        sources: every table's source.
    """

    levels: tuple[LevelValues, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[str, ...]


def _offending(
    where: str,
    field: Field,
    rule: str,
    bad: npt.NDArray[np.bool_],
    values: FloatArray,
    hierarchy: Hierarchy,
) -> PluginError:
    """The error for the units where ``bad`` holds: the first few units and their values."""
    rows = np.flatnonzero(bad)
    codes = hierarchy.level(field.level).codes
    got = ", ".join(f"{float(values[r])!r} for unit {str(codes[r])!r}" for r in rows[:SHOWN])
    more = f" ({len(rows)} in all)" if len(rows) > SHOWN else ""
    return PluginError(f"{where}: field {field.code!r}: {rule}; got {got}{more}")


def _field_column(where: str, field: Field, column: Any, hierarchy: Hierarchy) -> FloatArray:
    """A loader's column for ``field`` as float64, refusing a wrong shape or dtype, an inf, or
    a value outside the field's declared range."""
    arr = np.asarray(column)
    n = len(hierarchy.level(field.level))
    if arr.shape != (n,):
        raise PluginError(
            f"{where}: field {field.code!r} must have shape ({n},) (one value per "
            f"{field.level!r}); got {arr.shape}"
        )
    if arr.dtype.kind != "f":
        raise PluginError(
            f"{where}: field {field.code!r} must be numeric, float64 with NaN = missing; "
            f"got dtype {arr.dtype}"
        )
    out = arr.astype(np.float64, copy=False)
    infinite = np.isinf(out)
    if infinite.any():
        raise _offending(where, field, "must be finite or NaN", infinite, out, hierarchy)
    for bad, rule in violations(out, field.kind, field.min, field.max)[:1]:
        raise _offending(where, field, rule, bad, out, hierarchy)
    return out


def _lost_cells(
    where: str,
    scheme: Scheme,
    tables: Mapping[str, Table],
    columns: Mapping[str, FloatArray],
    hierarchy: Hierarchy,
) -> None:
    """Refuse NaN for a field whose same-named numeric column of a table on its level has the
    cell: a unit with ``installed = 3`` in its row must not come back missing.

    Counting first keeps it cheap: the units are looked up only when the field has fewer
    numbers than the column has cells.
    """
    for spec in scheme.tables:
        table = tables.get(spec.name)
        # the header, not ``columns``: a period's columns are cut when first read
        if table is None or "code" not in table.header:
            continue
        for field in scheme.fields:
            if field.level != spec.level or field.code not in table.header:
                continue
            if not any(c.name == field.code and c.numeric for c in spec.columns):
                continue
            cells = ~np.isnan(table.floats(field.code))
            values = columns[field.code]
            if np.count_nonzero(~np.isnan(values)) >= np.count_nonzero(cells):
                continue
            units = hierarchy.level(spec.level).find(table.columns["code"][cells])
            units = units[units >= 0]
            lost = np.zeros(len(values), dtype=bool)
            lost[units] = True
            lost &= np.isnan(values)
            if lost.any():
                raise _offending(
                    where,
                    field,
                    f"must be a number where its column in {table.source} has one",
                    lost,
                    values,
                    hierarchy,
                )


def load_scheme(
    pm: pluggy.PluginManager,
    scheme: Scheme,
    owner: str,
    tables: Mapping[str, Table],
    hierarchy: Hierarchy,
) -> dict[str, FloatArray]:
    """One period of one scheme's tables as field columns, from the first plugin (in pluggy's
    call order) that loads the scheme.

    Args:
        pm: the plugin manager.
        scheme: the scheme.
        owner: the name of the plugin declaring it, for messages.
        tables: table name -> the period's rows.
        hierarchy: the unit tree.

    Raises:
        PluginError: no plugin loaded the scheme, one failed, or its columns break the hook's
            contract: exactly the declared fields, each float64 with one value per unit,
            finite or NaN, within the field's declared kind, ``min`` and ``max``, and a
            number wherever a same-named numeric column of a table on the field's level has
            a cell for the unit.
    """
    answer = call_first(pm, LOAD_HOOK, scheme=scheme, tables=tables, hierarchy=hierarchy)
    if answer is None:
        raise PluginError(f"no plugin loaded scheme {scheme.code!r} (owner {owner!r})")
    loader, columns = answer
    where = f"plugin {loader!r}, hook {LOAD_HOOK!r}, scheme {scheme.code!r}"
    if not isinstance(columns, Mapping):
        raise PluginError(f"{where}: must return a mapping; got {type(columns).__name__}")
    declared = {f.code: f for f in scheme.fields}
    if set(columns) != set(declared):
        raise PluginError(
            f"{where}: must return exactly the declared fields {sorted(declared)!r}; "
            f"missing {sorted(set(declared) - set(columns))!r}, "
            f"undeclared {sorted(set(columns) - set(declared))!r}"
        )
    checked = {
        code: _field_column(where, declared[code], col, hierarchy) for code, col in columns.items()
    }
    _lost_cells(where, scheme, tables, checked, hierarchy)
    _broken_bounds(where, scheme, checked, hierarchy)
    return checked


def _broken_bounds(
    where: str, scheme: Scheme, columns: Mapping[str, FloatArray], hierarchy: Hierarchy
) -> None:
    """Refuse a loader's numerator above its denominator for every ratio the scheme declares
    ``bounded`` (both fields on one level, both measured): a loader returning 5x ``verified``
    must not score a 450 % verification rate."""
    fields = {f.code: f for f in scheme.fields}
    for ind in scheme.indicators:
        num, den = ind.numerator, ind.denominator
        if not ind.bounded or num not in columns or den not in columns:
            continue
        if num is None or den is None or fields[num].level != fields[den].level:
            continue
        bad = exceeds(columns[num], columns[den])
        if bad.any():
            rule = f"must not exceed {den!r} (indicator {ind.code!r} is bounded)"
            raise _offending(where, fields[num], rule, bad, columns[num], hierarchy)


def load_period(
    pm: pluggy.PluginManager,
    schemes: Mapping[str, Scheme],
    owner: Mapping[str, str],
    tables: CheckedTables,
    hierarchy: Hierarchy,
    framework: Framework,
    period: str,
) -> SchemeData:
    """Load one period of checked tables into field columns per level.

    Args:
        pm: the plugin manager.
        schemes: scheme code -> the registered scheme.
        owner: scheme code -> the name of the plugin declaring it.
        tables: the checked tables.
        hierarchy: the unit tree.
        framework: the framework being scored (fields it lacks are not loaded; a scheme
            without any of its fields in it is not loaded at all).
        period: the period to load (a ``period`` column selects rows; a table without one
            is taken whole).

    Raises:
        PluginError: as :func:`load_scheme`.
    """
    period = as_period(period)  # the tables' periods are normalised when checked
    levels: list[LevelValues] = [{} for _ in hierarchy.levels]
    notes: list[Diagnostic] = []
    for code, by_name in tables.tables.items():
        scheme = schemes[code]
        if not any(f.code in framework.fields for f in scheme.fields):
            continue  # the scheme is not active in this framework
        period_tables = {name: period_rows(t, period) for name, t in by_name.items()}
        note = no_data_note(scheme, period_tables, period)
        if note is not None:
            notes.append(note)
        columns = load_scheme(pm, scheme, owner[code], period_tables, hierarchy)
        for field in scheme.fields:
            if field.code in framework.fields:
                levels[framework.levels.index(field.level)][field.code] = columns[field.code]
    return SchemeData(
        levels=tuple(levels), diagnostics=(*tables.diagnostics, *notes), sources=tables.sources
    )


def no_data_note(scheme: Scheme, tables: Mapping[str, Table], period: str) -> Diagnostic | None:
    """A ``no_data`` note if any of ``scheme``'s tables holds no row for ``period`` (its fields
    are then missing for every unit: the reader must be told, not shown a gap).

    Args:
        scheme: the scheme.
        tables: table name -> the period's rows.
        period: the period loaded.
    """
    empty = [name for name, t in tables.items() if t.n_rows == 0]
    if not empty:
        return None
    month = month_label(period)
    if len(empty) == len(tables):
        message = f"{scheme.code}: no data for {month}"
    else:
        message = f"{scheme.code}: no data for {month} in table(s) {empty!r}"
    return Diagnostic(
        kind="no_data",
        level=scheme.table(empty[0]).level,
        code=scheme.code,
        units=(),
        message=message,
        period=period,
    )
