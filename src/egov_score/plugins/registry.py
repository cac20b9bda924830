"""The plugin registry: the schemes and methods of one plugin manager, and their scheme data.

A :class:`Registry` wraps one plugin manager (:func:`~egov_score.plugins.manager.
make_plugin_manager`), so two apps in one process can use different plugin sets.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pluggy

from egov_score._arrays import FloatArray
from egov_score.engine import Engine
from egov_score.exceptions import FrameworkError, InputError, PluginError
from egov_score.io.table import Table, format_problems
from egov_score.kernels.aggregate import BUILTIN_AGGREGATORS, Aggregator
from egov_score.kernels.normalise import BUILTIN_NORMALISERS, Normaliser
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Diagnostic, Result
from egov_score.model.values import LevelValues
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.scheme import Problem, Scheme, check_table
from egov_score.plugins.section import Section

__all__ = [
    "CheckedTables",
    "PluginInfo",
    "Registry",
    "SchemeData",
]


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One registered plugin, for ``egov-score plugins``."""

    name: str
    package: str
    version: str
    schemes: tuple[str, ...]


@attrs.frozen(kw_only=True)
class CheckedTables:
    """Raw tables that passed their checks (bad rows dropped if asked), ready to load."""

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


@attrs.frozen(kw_only=True)
class SchemeData:
    """Field columns loaded from schemes' raw tables for one period, with what was dropped."""

    levels: tuple[LevelValues, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[str, ...]


def _plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    return pm.get_name(plugin) or repr(plugin)


def _call(
    pm: pluggy.PluginManager, hook: str, *, first: bool = False, **kwargs: Any
) -> list[tuple[str, Any]]:
    """Call ``hook`` plugin by plugin in registration order, so a failure names the plugin that
    failed; with ``first``, stop at the first non-None result."""
    results = []
    for impl in getattr(pm.hook, hook).get_hookimpls():
        name = _plugin_name(pm, impl.plugin)
        try:
            result = impl.function(*(kwargs[a] for a in impl.argnames))
        except Exception as exc:
            raise PluginError(f"plugin {name!r} failed in hook {hook!r}: {exc!r}") from exc
        if result is not None:
            results.append((name, result))
            if first:
                break
    return results


class Registry:
    """The schemes and methods of one set of plugins.

    Args:
        pm: a plugin manager; default: :func:`make_plugin_manager` with its defaults.

    Raises:
        PluginError: two plugins declare the same scheme, field, indicator or method name, or a
            plugin's declaration is not what the hook promises.
    """

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm if pm is not None else make_plugin_manager()
        self.schemes: dict[str, Scheme] = {}
        self.owner: dict[str, str] = {}
        field_owner: dict[str, tuple[str, str]] = {}
        for plugin, declared in _call(self.pm, "egov_score_schemes"):
            for scheme in declared:
                if not isinstance(scheme, Scheme):
                    raise PluginError(
                        f"plugin {plugin!r}, hook 'egov_score_schemes': must return Scheme "
                        f"records; got {type(scheme).__name__}"
                    )
                if scheme.code in self.schemes:
                    raise PluginError(
                        f"scheme codes must be unique; {scheme.code!r} is declared by plugins "
                        f"{self.owner[scheme.code]!r} and {plugin!r}"
                    )
                for code in [f.code for f in scheme.fields] + [i.code for i in scheme.indicators]:
                    if code in field_owner and field_owner[code][0] != scheme.code:
                        other_scheme, other_plugin = field_owner[code]
                        raise PluginError(
                            f"field and indicator codes must be unique across schemes; {code!r} "
                            f"is declared by plugin {other_plugin!r} (scheme {other_scheme!r}) "
                            f"and plugin {plugin!r} (scheme {scheme.code!r})"
                        )
                    field_owner[code] = (scheme.code, plugin)
                self.schemes[scheme.code] = scheme
                self.owner[scheme.code] = plugin
        self.normalisers: dict[str, Normaliser] = self._methods(
            "egov_score_normalisers", BUILTIN_NORMALISERS
        )
        self.aggregators: dict[str, Aggregator] = self._methods(
            "egov_score_aggregators", BUILTIN_AGGREGATORS
        )

    def _methods(self, hook: str, builtin: Mapping[str, Callable[..., Any]]) -> dict[str, Any]:
        methods: dict[str, Any] = dict(builtin)
        source = dict.fromkeys(builtin, "egov_score (built in)")
        for plugin, contributed in _call(self.pm, hook):
            for name, fn in contributed.items():
                if name in methods:
                    raise PluginError(
                        f"method names must be unique; {name!r} from plugin {plugin!r} is "
                        f"already provided by {source[name]!r}"
                    )
                if not callable(fn):
                    raise PluginError(
                        f"plugin {plugin!r}, hook {hook!r}: method {name!r} must be callable"
                    )
                methods[name] = fn
                source[name] = f"plugin {plugin!r}"
        return methods

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
        dists = {id(p): d for p, d in self.pm.list_plugin_distinfo()}
        out = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            dist = dists.get(id(plugin))
            if dist is not None:
                package, version = dist.project_name, dist.version
            else:
                package = "egov-score"
                try:
                    version = metadata.version("egov-score")
                except metadata.PackageNotFoundError:  # a source tree
                    version = "0+unknown"
            schemes = tuple(s for s, owner in self.owner.items() if owner == name)
            out.append(PluginInfo(name=name, package=package, version=version, schemes=schemes))
        return out

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
        overrides = dict(overrides or {})
        codes = list(self.schemes) if active is None else list(active)
        unknown = [c for c in codes if c not in self.schemes]
        if unknown:
            raise FrameworkError(
                f"active schemes must be among {sorted(self.schemes)!r}; got {unknown!r} ({source})"
            )
        data: dict[str, Any] = {
            "levels": list(levels),
            "field": [],
            "indicator": [],
            "group": [{"code": "index", "name": "e-Governance score", "name_hi": "ई-गवर्नेंस स्कोर"}],
        }
        for key in ("bands", "name", "name_hi"):
            if key in overrides:
                data[key] = overrides.pop(key)
        for code in codes:
            scheme = self.schemes[code]
            data["field"] += [_clean(attrs.asdict(f)) for f in scheme.fields]
            for ind in scheme.indicators:
                raw = _clean(attrs.asdict(ind, recurse=True))
                raw["normalise"] = _flat(raw["normalise"])
                data["indicator"].append(raw)
            data["group"].append(
                {
                    "code": scheme.code,
                    "name": scheme.name,
                    "name_hi": scheme.name_hi,
                    "parent": "index",
                    "weight": scheme.weight,
                    "aggregate": _flat(attrs.asdict(scheme.aggregate)),
                    "min_coverage": scheme.min_coverage,
                }
            )
        _apply_overrides(data, overrides, source)
        return Framework.from_dict(
            data,
            source=source,
            normalisers=self.normalisers,
            aggregators=self.aggregators,
        )

    def framework_from_toml(self, path: str | os.PathLike[str], levels: Sequence[str]) -> Framework:
        """Load a framework file: a full framework, or (with a ``schemes`` key) overrides of the
        schemes' defaults (``docs/plugins.md``)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError:
            raise FrameworkError(f"framework file must exist; got {str(path)!r}") from None
        except tomllib.TOMLDecodeError as exc:
            raise FrameworkError(f"{path}: framework must be valid TOML; {exc}") from None
        if "schemes" not in data:
            return Framework.from_dict(
                data,
                source=str(path),
                text=text,
                normalisers=self.normalisers,
                aggregators=self.aggregators,
            )
        active = data.pop("schemes")
        if not isinstance(active, list):
            raise FrameworkError(f"schemes must be a list of scheme codes; got {active!r} ({path})")
        lv = data.pop("levels", list(levels))
        return self.framework(lv, active=active, overrides=data, source=str(path))

    def report_sections(
        self, result: Result, hierarchy: Hierarchy, code: str, level: str
    ) -> list[Section]:
        """Every plugin's extra sections for one report card, in registration order.

        Raises:
            PluginError: a plugin returned something other than Section records.
        """
        found = _call(
            self.pm,
            "egov_score_report_sections",
            result=result,
            hierarchy=hierarchy,
            code=code,
            level=level,
        )
        return _sections("egov_score_report_sections", found)

    def review_sections(self, result: Result, hierarchy: Hierarchy) -> list[Section]:
        """Every plugin's tables for the divisional review, in registration order.

        Raises:
            PluginError: a plugin returned something other than Section records.
        """
        found = _call(self.pm, "egov_score_review_sections", result=result, hierarchy=hierarchy)
        return _sections("egov_score_review_sections", found)

    def catalogues(self) -> tuple[Path, ...]:
        """The plugins' message catalogue folders, in registration order.

        Raises:
            PluginError: a plugin named something that is not a folder.
        """
        folders = []
        for plugin, folder in _call(self.pm, "egov_score_catalogues"):
            if folder is None:
                continue
            if not Path(folder).is_dir():
                raise PluginError(
                    f"plugin {plugin!r}, hook 'egov_score_catalogues': must return a folder of "
                    f"<lang>.po files; got {folder!r}"
                )
            folders.append(Path(folder))
        return tuple(folders)

    # -- scheme data ----------------------------------------------------------------------------

    def check(self, scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy) -> list[Problem]:
        """Every problem of one raw table: the declared rules plus the plugins' own checks."""
        problems = check_table(scheme.table(name), table, hierarchy)
        if any(p.row == 0 for p in problems):
            return problems  # a missing column: the plugins' checks would only trip over it
        for plugin, found in _call(
            self.pm,
            "egov_score_check_table",
            scheme=scheme,
            name=name,
            table=table,
            hierarchy=hierarchy,
        ):
            for p in found:
                if not isinstance(p, Problem):
                    raise PluginError(
                        f"plugin {plugin!r}, hook 'egov_score_check_table': must return Problem "
                        f"records; got {type(p).__name__}"
                    )
            problems.extend(found)
        return problems

    def read_tables(self, folder: str | os.PathLike[str]) -> dict[str, dict[str, Table]]:
        """Read every scheme's tables from ``folder``: ``<table>.csv`` or ``<table>.xlsx`` (an
        Excel export; the ``excel`` extra); absent tables are skipped.

        Returns:
            scheme code -> table name -> :class:`Table`, for schemes with at least one file.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(f"scheme data must be a folder; got {str(folder)!r}")
        out: dict[str, dict[str, Table]] = {}
        for code, scheme in self.schemes.items():
            tables = {}
            for spec in scheme.tables:
                found = [folder / f"{spec.name}{ext}" for ext in (".csv", ".xlsx")]
                found = [p for p in found if p.exists()]
                if len(found) > 1:
                    names = [str(p) for p in found]
                    raise InputError(f"table {spec.name!r} must come from one file; got {names!r}")
                if found:
                    tables[spec.name] = Table.read(found[0])
            if tables:
                out[code] = tables
        return out

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
        diagnostics: list[Diagnostic] = []
        sources: list[str] = []
        all_problems: list[Problem] = []
        checked: dict[str, dict[str, Table]] = {}
        for code, by_name in tables.items():
            if code not in self.schemes:
                raise InputError(
                    f"scheme data must be for a registered scheme {sorted(self.schemes)!r}; "
                    f"got {code!r}"
                )
            scheme = self.schemes[code]
            missing = [t.name for t in scheme.tables if t.name not in by_name]
            if missing:
                raise InputError(
                    f"scheme {code!r} needs tables {missing!r}; got {sorted(by_name)!r}"
                )
            checked[code] = {}
            for name, table in by_name.items():
                problems = self.check(scheme, name, table, hierarchy)
                sources.append(table.source)
                if problems and drop_bad_rows and not any(p.row == 0 for p in problems):
                    bad_rows = sorted({p.row for p in problems})
                    table = table.select(~np.isin(table.rows, np.asarray(bad_rows)))
                    diagnostics.append(
                        Diagnostic(
                            kind="dropped_rows",
                            level=scheme.table(name).level,
                            code=code,
                            units=(),
                            message=(
                                f"{table.source}: dropped {len(bad_rows)} row(s) that failed "
                                f"their checks: " + "; ".join(str(p) for p in problems)
                            ),
                        )
                    )
                else:
                    all_problems.extend(problems)
                checked[code][name] = table
        if all_problems:
            raise InputError(
                format_problems([str(p) for p in all_problems], "scheme data failed its checks")
            )
        return CheckedTables(tables=checked, diagnostics=tuple(diagnostics), sources=tuple(sources))

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
        levels: list[LevelValues] = [{} for _ in hierarchy.levels]
        for code, by_name in tables.tables.items():
            scheme = self.schemes[code]
            if not any(f.code in framework.fields for f in scheme.fields):
                continue  # the scheme is not active in this framework
            period_tables = {name: _period_rows(t, period) for name, t in by_name.items()}
            columns = self._load_one(scheme, period_tables, hierarchy)
            for field in scheme.fields:
                if field.code in framework.fields:
                    levels[framework.levels.index(field.level)][field.code] = columns[field.code]
        return SchemeData(
            levels=tuple(levels), diagnostics=tables.diagnostics, sources=tables.sources
        )

    def _load_one(
        self, scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
    ) -> dict[str, FloatArray]:
        plugin = self.owner[scheme.code]
        hook = "egov_score_load_scheme"
        results = _call(
            self.pm, hook, first=True, scheme=scheme, tables=tables, hierarchy=hierarchy
        )
        if not results:
            raise PluginError(f"no plugin loaded scheme {scheme.code!r} (owner {plugin!r})")
        loader, columns = results[0]
        where = f"plugin {loader!r}, hook {hook!r}, scheme {scheme.code!r}"
        if not isinstance(columns, Mapping):
            raise PluginError(f"{where}: must return a mapping; got {type(columns).__name__}")
        declared = {f.code: f for f in scheme.fields}
        if set(columns) != set(declared):
            raise PluginError(
                f"{where}: must return exactly the declared fields {sorted(declared)!r}; "
                f"missing {sorted(set(declared) - set(columns))!r}, "
                f"undeclared {sorted(set(columns) - set(declared))!r}"
            )
        out: dict[str, FloatArray] = {}
        for code, col in columns.items():
            arr = np.asarray(col)
            n = len(hierarchy.level(declared[code].level))
            if arr.shape != (n,):
                raise PluginError(
                    f"{where}: field {code!r} must have shape ({n},) (one value per "
                    f"{declared[code].level!r}); got {arr.shape}"
                )
            if arr.dtype.kind not in "fiub":
                raise PluginError(f"{where}: field {code!r} must be numeric; got dtype {arr.dtype}")
            arr = arr.astype(np.float64)
            if np.isinf(arr).any():
                raise PluginError(f"{where}: field {code!r} must be finite or NaN; got inf")
            out[code] = arr
        return out


def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    """A record's dict as TOML would give it: no empty values, tuples as lists."""
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in d.items()
        if v is not None and v != {} and v != ()
    }


def _flat(d: Mapping[str, Any]) -> dict[str, Any]:
    out = _clean(d)
    out.update(out.pop("params", {}))
    return out


def _period_rows(table: Table, period: str) -> Table:
    if "period" not in table.columns:
        return table
    return table.select(table.columns["period"] == period)


def _apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], source: str) -> None:
    nodes = {n["code"]: n for n in [*data["indicator"], *data["group"]]}
    indicators = {n["code"]: n for n in data["indicator"]}
    groups = {n["code"]: n for n in data["group"]}
    tables: dict[str, tuple[dict[str, Any], str]] = {
        "weights": (nodes, "weight"),
        "targets": (indicators, "target"),
        "normalise": (indicators, "normalise"),
        "aggregate": (groups, "aggregate"),
        "min_coverage": (groups, "min_coverage"),
    }
    unknown = sorted(set(overrides) - set(tables))
    if unknown:
        raise FrameworkError(
            f"override keys must be among {sorted([*tables, 'schemes', 'levels', 'bands'])!r}; "
            f"got {unknown!r} ({source})"
        )
    for key, (targets, attr) in tables.items():
        for code, value in dict(overrides.get(key, {})).items():
            if code not in targets:
                raise FrameworkError(
                    f"[{key}] must name an active code {sorted(targets)!r}; got {code!r} ({source})"
                )
            targets[code][attr] = value


def _sections(hook: str, found: list[tuple[str, Any]]) -> list[Section]:
    """The sections returned by ``hook``, checked to be Section records."""
    sections: list[Section] = []
    for plugin, returned in found:
        for section in returned:
            if not isinstance(section, Section):
                raise PluginError(
                    f"plugin {plugin!r}, hook {hook!r}: must return Section records; got "
                    f"{type(section).__name__}"
                )
        sections.extend(returned)
    return sections
