"""Data sets that ship with egov_score, loadable in one call.

- ``jaipur``: the Jaipur division of 2021 (real districts and blocks with LGD codes) with 2995
  synthetic e-Mitra Plus machines and twelve months (February 2020 - January 2021) of raw
  tables for all six built-in schemes; January 2021 matches the commissioner's review exactly
  (2995 installed, 2621 inspected and repaired, 2939 transacting). See ``docs/data.md``.
- ``small``: a two-district slice with ten machines and a plain values file, for examples.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import attrs

from egov_score._table import Table
from egov_score.exceptions import InputError
from egov_score.framework import Framework
from egov_score.hierarchy import Hierarchy
from egov_score.registry import Registry, make_plugin_manager
from egov_score.values import Values

__all__ = ["DATASETS", "Dataset", "export", "load", "path"]

#: The names of the shipped data sets.
DATASETS = ("jaipur", "small")
_LEVELS = ("division", "district", "block", "machine")


@attrs.frozen
class Dataset:
    """A framework, a hierarchy and the data that belong together.

    Attributes:
        name: the data set's name.
        framework: the indicator tree.
        hierarchy: the unit tree.
        values: field values (a values CSV), if the data set has them.
        tables: scheme raw tables (scheme -> table name -> table), if it has them.
        registry: the plugin registry the framework was built with (built-in plugins only).
    """

    name: str
    framework: Framework
    hierarchy: Hierarchy
    values: Values | None = None
    tables: Mapping[str, Mapping[str, Table]] | None = None
    registry: Registry | None = None


def path(name: str) -> Path:
    """The folder holding data set ``name``'s files.

    Raises:
        InputError: no such data set.
    """
    if name not in DATASETS:
        raise InputError(f"data set must be one of {list(DATASETS)!r}; got {name!r}")
    return Path(str(resources.files("egov_score.datasets").joinpath(name)))


def load(name: str = "jaipur") -> Dataset:
    """Load data set ``name`` in one call.

    The ``jaipur`` data set is read with the built-in plugins only (no entry points), so the
    review it shows is the same on every machine.
    """
    folder = path(name)
    if name == "small":
        framework = Framework.from_toml(folder / "framework.toml")
        hierarchy = Hierarchy.from_csv(folder / "units.csv", framework.levels)
        values = Values.from_csv(folder / "values.csv", hierarchy, framework)
        return Dataset(name, framework, hierarchy, values=values)
    registry = Registry(make_plugin_manager(autoload=False))
    framework = registry.framework_from_toml(folder / "framework.toml", _LEVELS)
    hierarchy = Hierarchy.from_csv(folder / "units.csv", framework.levels)
    tables = registry.read_tables(folder)
    return Dataset(name, framework, hierarchy, tables=tables, registry=registry)


def export(name: str, out_dir: str | Path) -> list[Path]:
    """Copy data set ``name``'s files into ``out_dir``, as a template to start from."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(path(name).iterdir()):
        if src.is_file():
            written.append(Path(shutil.copy2(src, out / src.name)))
    return written
