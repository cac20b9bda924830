"""Schemes' raw tables: reading a folder of them, checking them (the declared column rules plus
the plugins' ``egov_score_check_table``), and setting aside the cells that failed, if asked.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np
import pluggy

from egov_score.exceptions import InputError
from egov_score.io.periods import ACCEPTED, normalise_period_column
from egov_score.io.table import Table, closest_column, format_problems, write_csv
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import row_positions
from egov_score.model.result import Diagnostic
from egov_score.plugins.hooks import collect_records
from egov_score.plugins.scheme import Problem, Scheme, TableSpec, check_table, problems_where

__all__ = [
    "EXTENSIONS",
    "REJECTS_FILE",
    "CheckedTables",
    "check_scheme_table",
    "check_tables",
    "read_tables",
    "without_bad_cells",
    "write_rejects",
]

#: The file types a raw table is read from, in the order looked for.
EXTENSIONS = (".csv", ".xlsx")
#: The file the command line writes the rejected cells to, beside its output.
REJECTS_FILE = "rejects.csv"


@attrs.frozen(kw_only=True)
class CheckedTables:
    """Raw tables that passed their checks (bad cells set aside if asked), ready to load.

    Attributes:
        tables: scheme code -> table name -> table (all periods).
        diagnostics: the ``dropped_rows`` notes, one a table with rejected cells.
        sources: every table's source, in the order checked.
        rejected: every cell set aside (file, row, column, value, rule), table by table.
    """

    tables: Mapping[str, Mapping[str, Table]]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[str, ...]
    rejected: tuple[Problem, ...] = ()

    #: The last month cut by :meth:`month`, as ``[(period, tables)]`` (at most one: a panel's
    #: months are not all held at once).
    _last_month: list[tuple[str, dict[str, dict[str, Table]]]] = attrs.field(
        factory=list, init=False, eq=False, repr=False
    )

    def month(self, period: str) -> dict[str, dict[str, Table]]:
        """The rows of ``period`` of every table (:func:`period_rows`). The last month asked
        for is kept: a review asks for one month's action reasons and then its locations, and
        the plugins then see the very same tables (e-Mitra judges the geo-tags once)."""
        if self._last_month and self._last_month[0][0] == period:
            return self._last_month[0][1]
        month = {
            code: {name: period_rows(t, period) for name, t in by_name.items()}
            for code, by_name in self.tables.items()
        }
        self._last_month[:] = [(period, month)]
        return month

    def periods(self) -> tuple[str, ...]:
        """The distinct periods of all tables (``YYYY-MM``, normalised when checked), in
        order."""
        found: set[str] = set()
        for by_name in self.tables.values():
            for t in by_name.values():
                if "period" in t.columns:
                    found.update(np.unique(t.columns["period"]).tolist())
        return tuple(sorted(found))


def period_rows(table: Table, period: str) -> Table:
    """The rows of ``period`` (a table without a ``period`` column is taken whole)."""
    if "period" not in table.columns:
        return table
    return table.select(table.columns["period"] == period)


def _table_file(folder: Path, name: str) -> Path | None:
    """The one file of table ``name`` in ``folder``, if any."""
    found = [folder / f"{name}{ext}" for ext in EXTENSIONS if (folder / f"{name}{ext}").exists()]
    if len(found) > 1:
        names = [str(p) for p in found]
        raise InputError(f"table {name!r} must come from one file; got {names!r}")
    return found[0] if found else None


def read_tables(
    schemes: Mapping[str, Scheme], folder: str | os.PathLike[str]
) -> dict[str, dict[str, Table]]:
    """Read every scheme's tables from ``folder``: ``<table>.csv`` or ``<table>.xlsx`` (an
    Excel export; the ``excel`` extra); absent tables are skipped.

    Returns:
        scheme code -> table name -> :class:`Table`, for schemes with at least one file.

    Raises:
        InputError: ``folder`` is not a folder, a table is in both file types, or a table
            holds only its header.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"scheme data must be a folder; got {str(folder)!r}")
    out: dict[str, dict[str, Table]] = {}
    for code, scheme in schemes.items():
        files = {spec.name: _table_file(folder, spec.name) for spec in scheme.tables}
        tables = {name: Table.read(path) for name, path in files.items() if path is not None}
        for table in tables.values():  # an empty table would drop its scheme silently
            table.require_rows(f"table of scheme {code!r}")
        if tables:
            out[code] = tables
    return out


def check_scheme_table(
    pm: pluggy.PluginManager, scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy
) -> list[Problem]:
    """Every problem of one raw table: the declared rules plus the plugins' own checks.

    The plugins are not asked when a required column is missing.

    Raises:
        PluginError: a plugin failed or returned something other than problems.
    """
    problems = check_table(scheme.table(name), table, hierarchy)
    if any(p.row == 0 for p in problems):
        return problems  # a missing column: the plugins' checks would only trip over it
    problems.extend(
        collect_records(
            pm,
            "egov_score_check_table",
            Problem,
            scheme=scheme,
            name=name,
            table=table,
            hierarchy=hierarchy,
        )
    )
    return problems


def without_bad_cells(table: Table, problems: Sequence[Problem], keys: Collection[str]) -> Table:
    """``table`` with the cells that have problems blanked (missing), found column by column.

    A problem in a key column (``keys``: the unit code, the period) or in a column the table
    lacks drops its whole row, since the row cannot be placed without it.

    Args:
        table: the raw table.
        problems: its problems, each naming a row (> 0) and a column.
        keys: the columns whose problems drop the row.
    """
    at = {
        col: row_positions(table.rows, [p.row for p in problems if p.column == col])
        for col in {p.column for p in problems}
    }
    drop = np.zeros(table.n_rows, dtype=bool)
    blank: dict[str, np.ndarray] = {}
    for col, index in at.items():
        if col in keys or col not in table.columns:
            drop[index] = True
        else:
            blank[col] = np.zeros(table.n_rows, dtype=bool)
            blank[col][index] = True
    columns = {
        c: np.where(blank[c], "", table.columns[c]) if c in blank else table.columns[c]
        for c in table.header
    }
    out = Table(table.source, table.header, columns, table.rows)
    for col, parsed in table._parsed.items():  # numbers already parsed are kept, blanked
        values = np.where(blank[col], np.nan, parsed) if col in blank else parsed
        values.setflags(write=False)
        out._parsed[col] = values
    return out.select(~drop) if drop.any() else out


def write_rejects(
    rejected: Sequence[Problem], path: str | os.PathLike[str], *, bom: bool = True
) -> None:
    """Write rejected cells as a CSV ``file,row,column,value,rule``, one a line (through the
    one CSV writer, so a hostile cell cannot become a formula; with a UTF-8 byte-order mark
    for Excel unless ``bom=False``)."""
    write_csv(
        path,
        {
            "file": [p.source for p in rejected],
            "row": np.array([p.row for p in rejected], dtype=np.int64),
            "column": [p.column for p in rejected],
            "value": [p.value for p in rejected],
            "rule": [p.rule for p in rejected],
        },
        bom=bom,
    )


def _rejected_note(
    code: str, level: str, table: Table, problems: Sequence[Problem], keys: Collection[str]
) -> Diagnostic:
    """The short note of a table's rejected cells (the cells themselves are in the rejects):
    how many, and how many rows went with them because a key cell (unit code, period) or the
    row as a whole was bad."""
    n = len({(p.row, p.column) for p in problems})
    rows = len({p.row for p in problems if p.column in keys or p.column not in table.header})
    dropped = f" ({rows} rows dropped: their unit or period is unusable)" if rows else ""
    return Diagnostic(
        kind="dropped_rows",
        level=level,
        code=code,
        units=(),
        message=f"{table.source}: {n} cells rejected{dropped}; see {REJECTS_FILE}",
    )


def _with_periods(table: Table) -> tuple[Table, list[Problem]]:
    """``table`` with its ``period`` column normalised to ``YYYY-MM``, and a problem for every
    period in no accepted form (see :mod:`egov_score.io.periods`)."""
    table, bad = normalise_period_column(table)
    if not bad.any():
        return table, []
    return table, problems_where(table, bad, "period", f"must be {ACCEPTED}")


def _renamed_columns(spec: TableSpec, table: Table) -> list[Problem]:
    """A problem for every column of ``table`` the spec does not declare that is a near miss
    of an optional column the table lacks (``service`` for ``services``): it would be ignored
    and the optional column read as absent. (An absent required column is refused by
    :func:`~egov_score.plugins.scheme.check_table`.)"""
    declared = [c.name for c in spec.columns]
    absent = [c.name for c in spec.columns if not c.required and c.name not in table.columns]
    problems = []
    for name in table.header:
        if name in declared:
            continue
        # stricter than a typo's 0.6: an extra column of the export must not be mistaken
        close = closest_column(name, absent, cutoff=0.8)
        if close is not None:
            problems.append(
                Problem(
                    source=table.source,
                    row=0,
                    column=name,
                    value=name,
                    rule=(
                        f"a column must be one of the declared {declared!r}, or be unlike "
                        f"them; did you mean {close!r}?"
                    ),
                )
            )
    return problems


def _scheme_of(schemes: Mapping[str, Scheme], code: str, names: list[str]) -> Scheme:
    """The registered scheme ``code``, refusing an unknown one or absent required tables."""
    if code not in schemes:
        raise InputError(
            f"scheme data must be for a registered scheme {sorted(schemes)!r}; got {code!r}"
        )
    scheme = schemes[code]
    missing = [t.name for t in scheme.tables if t.name not in names]
    if missing:
        raise InputError(f"scheme {code!r} needs tables {missing!r}; got {sorted(names)!r}")
    return scheme


def check_tables(
    pm: pluggy.PluginManager,
    schemes: Mapping[str, Scheme],
    tables: Mapping[str, Mapping[str, Table]],
    hierarchy: Hierarchy,
    *,
    drop_bad_rows: bool = False,
) -> CheckedTables:
    """Check schemes' raw tables once, for loading any number of periods.

    Args:
        pm: the plugin manager (for ``egov_score_check_table``).
        schemes: scheme code -> the registered scheme.
        tables: scheme code -> table name -> table (all periods).
        hierarchy: the unit tree.
        drop_bad_rows: set aside the cells with problems (each becomes missing and is
            listed in :attr:`CheckedTables.rejected`, with one ``dropped_rows`` note a table)
            instead of refusing the tables; a bad unit code or period drops its row; a
            missing column is still refused.

    Raises:
        InputError: a table failed its checks (every problem of every table listed), a
            required table is absent, or the scheme is unknown.
        PluginError: as :func:`check_scheme_table`.
    """
    diagnostics: list[Diagnostic] = []
    sources: list[str] = []
    refused: list[Problem] = []
    rejected: list[Problem] = []
    checked: dict[str, dict[str, Table]] = {}
    for code, by_name in tables.items():
        scheme = _scheme_of(schemes, code, list(by_name))
        checked[code] = {}
        for name, table in by_name.items():
            table, problems = _with_periods(table)
            problems.extend(_renamed_columns(scheme.table(name), table))
            problems.extend(check_scheme_table(pm, scheme, name, table, hierarchy))
            sources.append(table.source)
            if problems and drop_bad_rows and not any(p.row == 0 for p in problems):
                spec = scheme.table(name)
                keys = [c.name for c in spec.columns if c.kind in ("code", "period")]
                table = without_bad_cells(table, problems, keys)
                diagnostics.append(_rejected_note(code, spec.level, table, problems, keys))
                rejected.extend(problems)
            else:
                refused.extend(problems)
            checked[code][name] = table.compact()  # checked: the cells as read are let go
    if refused:
        raise InputError(
            format_problems([str(p) for p in refused], "scheme data failed its checks")
        )
    return CheckedTables(
        tables=checked,
        diagnostics=tuple(diagnostics),
        sources=tuple(sources),
        rejected=tuple(rejected),
    )
