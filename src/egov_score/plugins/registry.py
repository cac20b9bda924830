"""The plugin registry: the schemes and methods of one plugin manager, and their scheme data.

A :class:`Registry` wraps one plugin manager (:func:`~egov_score.plugins.manager.
make_plugin_manager`), so two apps in one process can use different plugin sets. It is a thin
facade over the modules that do the work:

* :mod:`.hooks` calls hooks plugin by plugin, in pluggy's order, naming a plugin that fails;
* :mod:`.catalogue` gathers the plugins' schemes and methods, and describes the plugins;
* :mod:`.assembly` assembles a framework from the schemes' defaults and overrides;
* :mod:`.tables` reads and checks schemes' raw tables;
* :mod:`.loading` loads one period of them into field columns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from egov_score.engine import Engine
from egov_score.exceptions import PluginError
from egov_score.io.table import Table
from egov_score.kernels.aggregate import BUILTIN_AGGREGATORS, Aggregator
from egov_score.kernels.normalise import BUILTIN_NORMALISERS, Normaliser
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Result
from egov_score.plugins import assembly, loading
from egov_score.plugins import tables as raw_tables
from egov_score.plugins.actions import ActionReasons, ActionSettings
from egov_score.plugins.catalogue import (
    PluginInfo,
    describe_plugins,
    gather_methods,
    gather_schemes,
)
from egov_score.plugins.hooks import call_all, collect_records, records_of, reject_wrappers
from egov_score.plugins.loading import SchemeData
from egov_score.plugins.locations import Locations
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.scheme import Problem, Scheme
from egov_score.plugins.section import Section
from egov_score.plugins.tables import CheckedTables

__all__ = [
    "CheckedTables",
    "PluginInfo",
    "Registry",
    "SchemeData",
]


class Registry:
    """The schemes and methods of one set of plugins.

    Args:
        pm: a plugin manager; default: :func:`make_plugin_manager` with its defaults.

    Attributes:
        pm: the plugin manager.
        schemes: scheme code -> scheme, in plugin registration order.
        owner: scheme code -> the name of the plugin declaring it.
        normalisers: the built-in and the plugins' normalisation methods, by name.
        aggregators: the built-in and the plugins' aggregation methods, by name.

    Raises:
        PluginError: two plugins declare the same scheme, field, indicator or method name, a
            plugin's declaration is not what the hook promises, or a plugin implements a hook
            as a wrapper (not supported).
    """

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm if pm is not None else make_plugin_manager()
        reject_wrappers(self.pm)
        self.schemes: dict[str, Scheme]
        self.owner: dict[str, str]
        self.schemes, self.owner = gather_schemes(self.pm)
        self.normalisers: dict[str, Normaliser] = gather_methods(
            self.pm, "egov_score_normalisers", BUILTIN_NORMALISERS
        )
        self.aggregators: dict[str, Aggregator] = gather_methods(
            self.pm, "egov_score_aggregators", BUILTIN_AGGREGATORS
        )

    def engine(
        self, framework: Framework, hierarchy: Hierarchy, *, parallel: bool = True
    ) -> Engine:
        """An engine that knows the plugins' normalisation and aggregation methods.

        Raises:
            FrameworkError: as :class:`~egov_score.engine.Engine`.
        """
        return Engine(
            framework,
            hierarchy,
            normalisers=self.normalisers,
            aggregators=self.aggregators,
            plugins=self.plugin_names,
            parallel=parallel,
        )

    @property
    def plugin_names(self) -> tuple[str, ...]:
        """Names of the registered plugins, in registration order."""
        return tuple(name for name, plugin in self.pm.list_name_plugin() if plugin is not None)

    def describe(self) -> list[PluginInfo]:
        """Every registered plugin with its package, version and schemes."""
        return describe_plugins(self.pm, self.owner)

    # -- the framework --------------------------------------------------------------------------

    def framework(
        self,
        levels: Sequence[str],
        *,
        active: Sequence[str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        source: str = "<schemes>",
    ) -> Framework:
        """Assemble a framework from the schemes' defaults: each scheme a group under ``index``.

        Args:
            levels: the unit levels, top first.
            active: the scheme codes to include (default: all, in registration order).
            overrides: ``weights`` (code -> weight), ``targets`` (indicator -> target),
                ``normalise`` (indicator -> table), ``aggregate`` (group -> table),
                ``min_coverage`` (group -> share), ``bands``, ``name``, ``name_hi``.
            source: a name for messages.

        Raises:
            FrameworkError: an unknown scheme or code in the overrides, or any framework rule.
        """
        return assembly.framework_from_schemes(
            self.schemes,
            levels,
            normalisers=self.normalisers,
            aggregators=self.aggregators,
            active=active,
            overrides=overrides,
            source=source,
        )

    def framework_from_toml(self, path: str | os.PathLike[str], levels: Sequence[str]) -> Framework:
        """Load a framework file: a full framework, or (with a ``schemes`` key) overrides of the
        schemes' defaults (``docs/plugins.md``).

        Raises:
            FrameworkError: as :func:`~egov_score.plugins.assembly.framework_from_toml`.
        """
        return assembly.framework_from_toml(
            self.schemes,
            path,
            levels,
            normalisers=self.normalisers,
            aggregators=self.aggregators,
        )

    def report_sections(
        self, result: Result, hierarchy: Hierarchy, code: str, level: str
    ) -> list[Section]:
        """Every plugin's extra sections for one report card, in registration order.

        Raises:
            PluginError: a plugin returned something other than Section records.
        """
        return collect_records(
            self.pm,
            "egov_score_report_sections",
            Section,
            result=result,
            hierarchy=hierarchy,
            code=code,
            level=level,
        )

    def review_sections(self, result: Result, hierarchy: Hierarchy) -> list[Section]:
        """Every plugin's tables for the divisional review, in registration order.

        Raises:
            PluginError: a plugin returned something other than Section records.
        """
        return collect_records(
            self.pm, "egov_score_review_sections", Section, result=result, hierarchy=hierarchy
        )

    def action_reasons(
        self,
        result: Result,
        hierarchy: Hierarchy,
        tables: CheckedTables | Mapping[str, Mapping[str, Table]] | None = None,
        settings: ActionSettings | None = None,
    ) -> list[ActionReasons]:
        """Every plugin's reasons for action in ``result``'s month, in registration order.

        Args:
            result: the month, scored.
            hierarchy: the unit tree.
            tables: the checked raw tables of all months (the month's rows are passed on), or
                None when the run scored values only.
            settings: the user's choices for the checks (boundaries, geo-tag thresholds);
                None: the defaults, no boundaries.

        Raises:
            PluginError: a plugin raised, returned something other than
                :class:`~egov_score.plugins.actions.ActionReasons`, named a level the
                hierarchy lacks, gave columns of the wrong length, or reused another's key
                (naming the plugin).
        """
        month = _month_tables(tables, result.period)
        hook = "egov_score_action_reasons"
        answers = call_all(
            self.pm,
            hook,
            result=result,
            hierarchy=hierarchy,
            tables=month,
            settings=settings if settings is not None else ActionSettings(),
        )
        return _level_records(hook, answers, ActionReasons, hierarchy, "action-reasons")

    def locations(
        self,
        result: Result,
        hierarchy: Hierarchy,
        tables: CheckedTables | Mapping[str, Mapping[str, Table]] | None = None,
        settings: ActionSettings | None = None,
    ) -> list[Locations]:
        """Every plugin's unit locations and statuses in ``result``'s month, for the maps, in
        registration order (arguments as :meth:`action_reasons`).

        Raises:
            PluginError: a plugin raised, returned something other than
                :class:`~egov_score.plugins.locations.Locations`, named a level the hierarchy
                lacks, gave columns of the wrong length, or reused another's key (naming the
                plugin).
        """
        hook = "egov_score_locations"
        answers = call_all(
            self.pm,
            hook,
            result=result,
            hierarchy=hierarchy,
            tables=_month_tables(tables, result.period),
            settings=settings if settings is not None else ActionSettings(),
        )
        return _level_records(hook, answers, Locations, hierarchy, "locations")

    def catalogues(self) -> tuple[Path, ...]:
        """The plugins' message catalogue folders, in registration order.

        Raises:
            PluginError: a plugin named something that is not a folder.
        """
        folders = []
        for plugin, folder in call_all(self.pm, "egov_score_catalogues"):
            if folder is None:
                continue
            if not isinstance(folder, str | os.PathLike) or not Path(folder).is_dir():
                raise PluginError(
                    f"plugin {plugin!r}, hook 'egov_score_catalogues': must return a folder of "
                    f"<lang>.po files; got {folder!r}"
                )
            folders.append(Path(folder))
        return tuple(folders)

    # -- scheme data ----------------------------------------------------------------------------

    def check(self, scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy) -> list[Problem]:
        """Every problem of one raw table: the declared rules plus the plugins' own checks.

        Raises:
            PluginError: a plugin failed or returned something other than problems.
        """
        return raw_tables.check_scheme_table(self.pm, scheme, name, table, hierarchy)

    def read_tables(self, folder: str | os.PathLike[str]) -> dict[str, dict[str, Table]]:
        """Read every scheme's tables from ``folder``: ``<table>.csv`` or ``<table>.xlsx`` (an
        Excel export; the ``excel`` extra); absent tables are skipped.

        Returns:
            scheme code -> table name -> :class:`Table`, for schemes with at least one file.

        Raises:
            InputError: ``folder`` is not a folder, or a table is in both file types.
        """
        return raw_tables.read_tables(self.schemes, folder)

    def check_tables(
        self,
        tables: Mapping[str, Mapping[str, Table]],
        hierarchy: Hierarchy,
        *,
        drop_bad_rows: bool = False,
    ) -> CheckedTables:
        """Check schemes' raw tables once, for loading any number of periods.

        Args:
            tables: scheme code -> table name -> table (all periods).
            hierarchy: the unit tree.
            drop_bad_rows: drop rows with problems (listed in the diagnostics as
                ``dropped_rows``) instead of refusing the tables.

        Raises:
            InputError: a table failed its checks (every problem of every table listed), a
                required table is absent, or the scheme is unknown.
        """
        return raw_tables.check_tables(
            self.pm, self.schemes, tables, hierarchy, drop_bad_rows=drop_bad_rows
        )

    def load(
        self,
        tables: CheckedTables | Mapping[str, Mapping[str, Table]],
        hierarchy: Hierarchy,
        framework: Framework,
        period: str,
        *,
        drop_bad_rows: bool = False,
    ) -> SchemeData:
        """Load one period of schemes' raw tables into field columns per level.

        Args:
            tables: tables checked by :meth:`check_tables`, or raw tables (checked here).
            hierarchy: the unit tree.
            framework: the framework being scored (fields it lacks are not loaded).
            period: the period to load (a ``period`` column selects rows; a table without one
                is taken whole).
            drop_bad_rows: with raw tables, see :meth:`check_tables`.

        Raises:
            InputError: a table failed its checks.
            PluginError: a plugin failed or returned columns that break the hook's contract.
        """
        if not isinstance(tables, CheckedTables):
            tables = self.check_tables(tables, hierarchy, drop_bad_rows=drop_bad_rows)
        return loading.load_period(
            self.pm, self.schemes, self.owner, tables, hierarchy, framework, period
        )


def _month_tables(
    tables: CheckedTables | Mapping[str, Mapping[str, Table]] | None, period: str
) -> dict[str, dict[str, Table]]:
    """The rows of ``period`` of every raw table (none when the run scored values only);
    checked tables keep the last month cut (:meth:`CheckedTables.month`)."""
    if isinstance(tables, CheckedTables):
        return tables.month(period)
    return {
        code: {name: loading.period_rows(t, period) for name, t in by_name.items()}
        for code, by_name in (tables or {}).items()
    }


_Level = TypeVar("_Level", ActionReasons, Locations)


def _level_records(
    hook: str,
    answers: list[tuple[str, Any]],
    record: type[_Level],
    hierarchy: Hierarchy,
    what: str,
) -> list[_Level]:
    """The plugins' records of columns over one level's units, checked: a level the hierarchy
    has, one value per unit of it (when the record has columns), keys unique."""
    out: list[_Level] = []
    seen: dict[str, str] = {}
    for plugin, returned in answers:
        for item in records_of(plugin, hook, returned, record):
            where = f"plugin {plugin!r}, hook {hook!r}"
            if item.level not in hierarchy.level_names:
                raise PluginError(
                    f"{where}: level must be one of {list(hierarchy.level_names)!r}; got "
                    f"{item.level!r} for {item.key!r}"
                )
            n = len(hierarchy.level(item.level))
            has_columns = not isinstance(item, ActionReasons) or bool(item.reasons)
            if has_columns and item.n_units != n:
                raise PluginError(
                    f"{where}: every column must have one value per {item.level!r} unit "
                    f"({n}); got {item.n_units} for {item.key!r}"
                )
            if item.key in seen:
                raise PluginError(
                    f"{where}: {what} keys must be unique; got {item.key!r}, "
                    f"also from plugin {seen[item.key]!r}"
                )
            seen[item.key] = plugin
            out.append(item)
    return out
