"""The composition of plugins and engine: one scoring job's inputs, loaded and checked once.

The engine knows values and kernels only; the plugin layer knows schemes, raw tables and
methods. :class:`Pipeline` joins them: it holds an :class:`~egov_score.engine.Engine` built with
the plugins' methods, the schemes' raw tables (checked once for every period) and/or a values
table, and turns a period into field columns for the engine. :func:`load` builds one from files.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs
import numpy as np

from egov_score.engine import Engine
from egov_score.exceptions import EgovScoreError, InputError
from egov_score.io import Table
from egov_score.io.periods import as_period
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import Problem
from egov_score.model.result import Diagnostic, Result
from egov_score.model.values import LevelValues, Values
from egov_score.plugins.filling import fill_from_values
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import CheckedTables, Registry
from egov_score.plugins.tables import REJECTS_FILE

__all__ = ["Gathered", "Pipeline", "levels_of", "load"]

_log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class Gathered:
    """One period's field columns per level (top first), with where they came from.

    Attributes:
        levels: field code -> column, per level.
        sources: the input files or descriptions.
        diagnostics: what loading noticed (cells rejected at the caller's request).
        rejected: the input cells set aside as implausible (``drop_bad_rows``).
    """

    levels: tuple[LevelValues, ...]
    sources: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    rejected: tuple[Problem, ...] = ()


@attrs.frozen(kw_only=True)
class Pipeline:
    """A scoring job: an engine and the data it scores, loaded and checked once.

    Build one with :func:`load` (files) or :meth:`build` (objects in memory).

    Attributes:
        engine: the engine (framework, hierarchy, and the plugins' methods).
        registry: the plugins, when raw scheme tables are scored.
        tables: the schemes' raw tables, checked once for all their periods.
        values: further field values (a values table).
    """

    engine: Engine
    registry: Registry | None = None
    tables: CheckedTables | None = None
    values: Values | None = None

    @classmethod
    def build(
        cls,
        framework: Framework,
        hierarchy: Hierarchy,
        *,
        registry: Registry | None = None,
        tables: CheckedTables | Mapping[str, Mapping[str, Table]] | None = None,
        values: Values | None = None,
        drop_bad_rows: bool = False,
        parallel: bool = True,
    ) -> Pipeline:
        """Join a framework, a hierarchy, plugins and data.

        Args:
            framework: the indicator tree.
            hierarchy: the unit tree.
            registry: the plugins (needed for raw scheme tables and plugin methods).
            tables: scheme code -> table name -> table, or tables already checked.
            values: field values.
            drop_bad_rows: set aside the raw cells that fail their checks (each cell becomes
                missing and is listed in :attr:`rejected` and on every result; a bad unit
                code or period drops its row) instead of refusing the tables.
            parallel: see :class:`~egov_score.engine.Engine`.

        Raises:
            InputError: raw tables without a registry, or a table failed its checks.
        """
        if registry is None:
            if tables is not None:
                raise InputError("scoring raw scheme tables needs the plugins (a registry)")
            engine = Engine(framework, hierarchy, parallel=parallel)
        else:
            engine = registry.engine(framework, hierarchy, parallel=parallel)
            if tables is not None and not isinstance(tables, CheckedTables):
                tables = registry.check_tables(tables, hierarchy, drop_bad_rows=drop_bad_rows)
        return cls(engine=engine, registry=registry, tables=tables, values=values)

    @property
    def rejected(self) -> tuple[Problem, ...]:
        """The input cells set aside as implausible (``drop_bad_rows``), table by table."""
        tables = self.tables.rejected if self.tables is not None else ()
        values = self.values.rejected if self.values is not None else ()
        return (*tables, *values)

    @property
    def framework(self) -> Framework:
        """The indicator tree."""
        return self.engine.framework

    @property
    def hierarchy(self) -> Hierarchy:
        """The unit tree."""
        return self.engine.hierarchy

    def periods(self) -> tuple[str, ...]:
        """Every period of the tables and values, sorted."""
        found: set[str] = set(self.values.period_list) if self.values is not None else set()
        if self.tables is not None:
            found |= set(self.tables.periods())
        return tuple(sorted(found))

    def gather(self, period: str) -> Gathered:
        """One period's field columns per level from the tables and the values (``period`` in
        any accepted form, see :mod:`egov_score.io.periods`).

        Raises:
            InputError: a field comes from both the tables and the values.
            PluginError: a plugin failed or broke its hook's contract.
        """
        period = as_period(period)
        levels: list[LevelValues] = [{} for _ in self.framework.levels]
        sources: tuple[str, ...] = ()
        diagnostics: tuple[Diagnostic, ...] = ()
        if self.tables is not None and self.registry is not None:
            data = self.registry.load(self.tables, self.hierarchy, self.framework, period)
            levels = [dict(lv) for lv in data.levels]
            sources, diagnostics = data.sources, data.diagnostics
        if self.values is not None:
            for d, cols in enumerate(self.values.at(period)):
                clash = sorted(set(cols) & set(levels[d]))
                if clash:
                    raise InputError(
                        f"fields must come from one source; {clash!r} are in both the values "
                        f"and the scheme tables"
                    )
                levels[d].update(cols)
            sources = (*sources, self.values.source)
            if self.values.rejected:
                diagnostics = (*diagnostics, _rejected_note(self.values))
        return Gathered(
            levels=tuple(levels), sources=sources, diagnostics=diagnostics, rejected=self.rejected
        )

    def score(self, period: str | None = None) -> Result:
        """Score one period (may be omitted when the data hold only one; any accepted form,
        see :mod:`egov_score.io.periods`).

        Raises:
            InputError: no period given while the data hold several, or none at all.
            ScoringError: as :meth:`Engine.score <egov_score.engine.Engine.score>`.
        """
        if period is not None:
            period = as_period(period)
        if self.tables is None and self.values is not None:
            period = self.values.resolve_period(period)
        elif period is None:
            periods = self.periods()
            if len(periods) != 1:
                raise InputError(
                    f"a period must be chosen when the data hold several; got {list(periods)!r}"
                )
            period = periods[0]
        _log.info("scoring %s", period, extra={"egov_step": "scoring"})
        data = self.gather(period)
        return self.engine.score_level_values(
            data.levels,
            period,
            sources=data.sources,
            diagnostics=data.diagnostics,
            rejected=data.rejected,
        )


def _rejected_note(values: Values) -> Diagnostic:
    """The short note of a values table's rejected cells (the cells are in the rejects)."""
    return Diagnostic(
        kind="dropped_rows",
        level="",
        code="",
        units=(),
        message=f"{values.source}: {len(values.rejected)} cells rejected; see {REJECTS_FILE}",
    )


def levels_of(units: str | os.PathLike[str]) -> tuple[str, ...]:
    """The level order of a units file, top first, read from its parent links.

    Raises:
        InputError: the file lacks ``level``, ``code`` or ``parent``, or its top-level units
            are of more than one level.
    """
    return _levels_of_table(Table.read(units), units)


def _levels_of_table(table: Table, units: str | os.PathLike[str]) -> tuple[str, ...]:
    """:func:`levels_of` on the units file already read (it is read once for both)."""
    table.require("level", "code", "parent")
    level, parent = table.columns["level"], table.columns["parent"]
    roots = np.unique(level[parent == ""])
    if len(roots) != 1:
        raise InputError(
            f"{units}: top-level units must all be of one level; got {roots.tolist()!r} "
            f"(give a framework with levels = [...])"
        )
    # The level of each row's parent, via one vectorised lookup, gives the level below it.
    order_codes = np.argsort(table.columns["code"], kind="stable")
    pos = np.searchsorted(table.columns["code"], parent, sorter=order_codes)
    pos = order_codes[np.minimum(pos, len(order_codes) - 1)]
    linked = table.columns["code"][pos] == parent
    # The distinct (parent level, level) pairs, found with one unique over joined labels.
    pairs = np.unique(np.char.add(np.char.add(level[pos][linked], "\x1f"), level[linked]))
    below = dict(p.split("\x1f") for p in pairs.tolist())
    order = [str(roots[0])]
    while order[-1] in below and below[order[-1]] not in order:
        order.append(below[order[-1]])
    return tuple(order)


def _units_and_values(
    units: str | os.PathLike[str],
    values: str | os.PathLike[str],
    framework: Framework,
    *,
    drop_bad_rows: bool,
) -> tuple[Hierarchy, Values]:
    """The hierarchy and the values of a plain values file. A values CSV is parsed in a
    second thread while this one reads the hierarchy (the parse needs no hierarchy; polars
    and numpy leave the interpreter's lock for part of both: at a million rows the two take
    ~1.3 s together against ~1.45 s one after the other), then matched to the units here.
    A problem of the units file is raised before one of the values file, as when they are
    read one after the other."""
    if Path(values).suffix.lower() != ".csv":
        hierarchy = Hierarchy.from_csv(units, framework.levels)
        return hierarchy, Values.from_csv(
            values, hierarchy, framework, drop_bad_cells=drop_bad_rows
        )
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="egov-values") as pool:
        parsing = pool.submit(Values.parse_csv, values, framework)
        hierarchy = Hierarchy.from_csv(units, framework.levels)
        try:
            parsed: Table | None = parsing.result()
        except EgovScoreError:
            parsed = None  # read again below, to fail (or recover) exactly as alone
    checked = Values.from_csv(
        values, hierarchy, framework, drop_bad_cells=drop_bad_rows, parsed=parsed
    )
    return hierarchy, checked


def load(
    data: str | os.PathLike[str] | None = None,
    *,
    units: str | os.PathLike[str] | None = None,
    framework: str | os.PathLike[str] | None = None,
    values: str | os.PathLike[str] | None = None,
    registry: Registry | None = None,
    block: Iterable[str] = (),
    drop_bad_rows: bool = False,
    parallel: bool = True,
) -> Pipeline:
    """Load a scoring job from files.

    Either a folder of the schemes' raw tables (``data``, laid out as ``egov-score demo
    --export`` writes it: ``units.csv``, an optional ``framework.toml`` and one file per raw
    table, CSV or Excel), or a plain values file with its framework and units, or both.

    Args:
        data: the folder of scheme tables; ``units`` and ``framework`` default to the files of
            those names in it.
        units: the units file.
        framework: a framework TOML: a full framework, or overrides of the schemes' defaults.
            Without one, every scheme with tables is active with its default weights.
        values: a values file (``code,period,<field>,…``).
        registry: the plugins; default: the built-in ones and the installed entry points.
        block: plugin names not to load (with the default registry).
        drop_bad_rows: see :meth:`Pipeline.build`; a values file's implausible cells (a
            field's kind, ``min``, ``max``, a bounded ratio) are set aside the same way.
        parallel: see :class:`~egov_score.engine.Engine`.

    Raises:
        InputError: no data, no units file, a missing framework for plain values, or bad
            input (every problem named with file, row, column and value).
        FrameworkError: the framework is not valid.
    """
    folder = Path(data) if data is not None else None
    _log.info(
        "reading %s",
        ", ".join(str(p) for p in (data, units, values) if p is not None),
        extra={"egov_step": "reading"},
    )
    if folder is None and values is None:
        raise InputError("scheme data (a folder), a values file or both are needed; got neither")
    if units is None:
        if folder is None:
            raise InputError("a units file is needed with a values file alone")
        units = _existing(folder, "units")
    if framework is None and folder is not None and (folder / "framework.toml").exists():
        framework = folder / "framework.toml"
    if folder is None:
        if framework is None:
            raise InputError("a framework file is needed with a values file alone")
        fw = Framework.from_toml(framework)
        assert values is not None
        hierarchy, checked = _units_and_values(units, values, fw, drop_bad_rows=drop_bad_rows)
        return Pipeline.build(fw, hierarchy, values=checked, parallel=parallel)
    if registry is None:
        registry = Registry(make_plugin_manager(block=block))
    tables = registry.read_tables(folder)
    if not tables:
        names = sorted(f"{t.name}.csv" for s in registry.schemes.values() for t in s.tables)
        raise InputError(f"{folder}: no scheme table found; expected files among {names!r}")
    units_table = Table.read(units)
    levels = _levels_of_table(units_table, units)
    if framework is not None:
        fw = registry.framework_from_toml(framework, levels)
    else:
        fw = registry.framework(levels, active=list(tables))
    hierarchy = Hierarchy.from_table(units_table, fw.levels)  # the same rows: read once
    del units_table  # its string columns are not held while the scheme tables are checked
    extra = (
        Values.from_csv(values, hierarchy, fw, drop_bad_cells=drop_bad_rows)
        if values is not None
        else None
    )
    if extra is not None:  # a values field may fill a table's absent optional column
        tables, extra = fill_from_values(registry.schemes, tables, extra, hierarchy)
    return Pipeline.build(
        fw,
        hierarchy,
        registry=registry,
        tables=tables,
        values=extra,
        drop_bad_rows=drop_bad_rows,
        parallel=parallel,
    )


def _existing(folder: Path, stem: str) -> Path:
    """``folder/stem.csv`` or ``folder/stem.xlsx``, whichever exists (the CSV if neither)."""
    for ext in (".csv", ".xlsx"):
        if (folder / f"{stem}{ext}").exists():
            return folder / f"{stem}{ext}"
    return folder / f"{stem}.csv"
