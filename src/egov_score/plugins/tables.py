"""Schemes' raw tables: reading a folder of them, checking them (the declared column rules plus
the plugins' ``egov_score_check_table``), and dropping the rows that failed, if asked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs
import numpy as np
import pluggy

from egov_score.exceptions import InputError
from egov_score.io.table import Table, format_problems
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Diagnostic
from egov_score.plugins.hooks import collect_records
from egov_score.plugins.scheme import Problem, Scheme, check_table

__all__ = ["EXTENSIONS", "CheckedTables", "check_scheme_table", "check_tables", "read_tables"]

#: The file types a raw table is read from, in the order looked for.
EXTENSIONS = (".csv", ".xlsx")


@attrs.frozen(kw_only=True)
class CheckedTables:
    """Raw tables that passed their checks (bad rows dropped if asked), ready to load.

    Attributes:
        tables: scheme code -> table name -> table (all periods).
        diagnostics: the ``dropped_rows`` notes.
        sources: every table's source, in the order checked.
    """

    tables: Mapping[str, Mapping[str, Table]]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[str, ...]

    def periods(self) -> tuple[str, ...]:
        """The distinct periods of all tables, sorted."""
        found: set[str] = set()
        for by_name in self.tables.values():
            for t in by_name.values():
                if "period" in t.columns:
                    found.update(np.unique(t.columns["period"]).tolist())
        return tuple(sorted(found))


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


def _without_bad_rows(
    code: str, scheme: Scheme, name: str, table: Table, problems: list[Problem]
) -> tuple[Table, Diagnostic]:
    """``table`` without the rows that have problems, and the note listing them."""
    bad_rows = np.unique(np.asarray([p.row for p in problems]))
    kept = table.select(~np.isin(table.rows, bad_rows))
    note = Diagnostic(
        kind="dropped_rows",
        level=scheme.table(name).level,
        code=code,
        units=(),
        message=(
            f"{kept.source}: dropped {len(bad_rows)} row(s) that failed their checks: "
            + "; ".join(str(p) for p in problems)
        ),
    )
    return kept, note


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
        drop_bad_rows: drop rows with problems (listed in the diagnostics as
            ``dropped_rows``) instead of refusing the tables; a missing column is still refused.

    Raises:
        InputError: a table failed its checks (every problem of every table listed), a
            required table is absent, or the scheme is unknown.
        PluginError: as :func:`check_scheme_table`.
    """
    diagnostics: list[Diagnostic] = []
    sources: list[str] = []
    refused: list[Problem] = []
    checked: dict[str, dict[str, Table]] = {}
    for code, by_name in tables.items():
        scheme = _scheme_of(schemes, code, list(by_name))
        checked[code] = {}
        for name, table in by_name.items():
            problems = check_scheme_table(pm, scheme, name, table, hierarchy)
            sources.append(table.source)
            if problems and drop_bad_rows and not any(p.row == 0 for p in problems):
                table, note = _without_bad_rows(code, scheme, name, table, problems)
                diagnostics.append(note)
            else:
                refused.extend(problems)
            checked[code][name] = table
    if refused:
        raise InputError(
            format_problems([str(p) for p in refused], "scheme data failed its checks")
        )
    return CheckedTables(tables=checked, diagnostics=tuple(diagnostics), sources=tuple(sources))
