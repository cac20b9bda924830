"""A values table filling a scheme table's optional column (the e-Mitra ``transactions``
from ``egov-score events``).

When a run has both scheme tables and a values table, and a table lacks an optional numeric
column that the values hold as a field on the table's level, the column is added to the raw
table from the values (matched by unit code and period) before the tables are checked, and the
field is taken out of the values. The plugin then reads the column as if the table had it, so
everything it derives from it (the e-Mitra ``transacting`` flag, the action lists, the maps)
follows. A column the table has is never replaced: a field in both is still an error.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from egov_score._arrays import FloatArray, StrArray
from egov_score.io.periods import normalise_period_column
from egov_score.io.table import Table
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import VALUE_KINDS
from egov_score.model.values import Values
from egov_score.plugins.scheme import Scheme

__all__ = ["fill_from_values"]

#: The column kinds a values field can fill (numbers).
_NUMERIC = (*VALUE_KINDS, "number")


def _cells(values: FloatArray) -> StrArray:
    """Numbers as cells: whole numbers without a decimal point, missing as empty."""
    whole = np.isfinite(values) & (values == np.round(values))
    safe = np.where(np.isfinite(values), values, 0.0)
    text = np.where(
        whole, safe.astype(np.int64).astype(np.str_), np.char.mod("%r", safe).astype(np.str_)
    )
    cells: StrArray = np.where(np.isnan(values), "", text).astype(np.str_)
    return cells


def _column_from(
    table: Table, values: Values, field: str, depth: int, hierarchy: Hierarchy
) -> StrArray:
    """The cells of ``field`` for every row of ``table`` (by code and period; empty where the
    values have none)."""
    level = hierarchy.levels[depth]
    n = len(level)
    periods = values.period_list
    rows = np.flatnonzero((values.depth == depth) & ~np.isnan(values.columns[field]))
    period_at = np.searchsorted(periods, values.periods[rows])
    keys = period_at.astype(np.int64) * n + values.index[rows]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    got = values.columns[field][rows][order]
    normalised, _ = normalise_period_column(table)
    if "period" in normalised.columns:
        table_periods = normalised.columns["period"]
    else:
        table_periods = np.full(table.n_rows, "", dtype=np.str_)
    filled = np.full(table.n_rows, np.nan)
    if not len(keys):
        return _cells(filled)
    known = np.asarray(periods, dtype=np.str_)
    unit = level.find(table.columns["code"])
    p = np.minimum(np.searchsorted(known, table_periods), len(known) - 1)
    wanted = p.astype(np.int64) * n + unit
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hit = (known[p] == table_periods) & (unit >= 0) & (keys[at] == wanted)
    filled[hit] = got[at[hit]]
    return _cells(filled)


def fill_from_values(
    schemes: Mapping[str, Scheme],
    tables: Mapping[str, Mapping[str, Table]],
    values: Values,
    hierarchy: Hierarchy,
) -> tuple[dict[str, dict[str, Table]], Values | None]:
    """Fill the scheme tables' absent optional columns from ``values`` (see the module).

    Returns:
        The tables (those filled replaced) and the values without the fields used (None when
        no field is left).
    """
    used: set[str] = set()
    out: dict[str, dict[str, Table]] = {}
    for code, by_name in tables.items():  # a loop over schemes and their tables
        out[code] = dict(by_name)
        scheme = schemes.get(code)
        if scheme is None:
            continue
        for spec in scheme.tables:
            table = by_name.get(spec.name)
            if table is None or spec.level not in hierarchy.level_names:
                continue
            depth = hierarchy.depth(spec.level)
            for column in spec.columns:
                if (
                    column.required
                    or column.kind not in _NUMERIC
                    or column.name in table.columns
                    or values.field_levels.get(column.name) != depth
                ):
                    continue
                cells = _column_from(table, values, column.name, depth, hierarchy)
                table = attrs.evolve(
                    table,
                    header=(*table.header, column.name),
                    columns={**table.columns, column.name: cells},
                    raw=None,
                )
                used.add(column.name)
            out[code][spec.name] = table
    if not used:
        return out, values
    left = {k: v for k, v in values.columns.items() if k not in used}
    if not left:
        return out, None
    kept = Values(
        source=values.source,
        periods=values.periods,
        depth=values.depth,
        index=values.index,
        columns=left,
        level_sizes=values.level_sizes,
        field_levels={k: v for k, v in values.field_levels.items() if k in left},
        rejected=values.rejected,
    )
    return out, kept
