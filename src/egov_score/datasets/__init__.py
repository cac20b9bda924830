"""Data sets that ship with egov_score, loadable in one call.

``small``: a two-district slice of the Jaipur division with ten e-Mitra Plus machines and two
months (December 2020, January 2021), for examples and tests.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import attrs

from egov_score.exceptions import InputError
from egov_score.framework import Framework
from egov_score.hierarchy import Hierarchy
from egov_score.values import Values

__all__ = ["DATASETS", "Dataset", "export", "load", "path"]

#: The names of the shipped data sets.
DATASETS = ("small",)


@attrs.frozen
class Dataset:
    """A framework, a hierarchy and values that belong together."""

    name: str
    framework: Framework
    hierarchy: Hierarchy
    values: Values


def path(name: str) -> Path:
    """The folder holding data set ``name``'s files (``framework.toml``, ``units.csv``,
    ``values.csv``).

    Raises:
        InputError: no such data set.
    """
    if name not in DATASETS:
        raise InputError(f"data set must be one of {list(DATASETS)!r}; got {name!r}")
    return Path(str(resources.files("egov_score.datasets").joinpath(name)))


def load(name: str = "small") -> Dataset:
    """Load data set ``name`` (framework, hierarchy and values) in one call."""
    folder = path(name)
    framework = Framework.from_toml(folder / "framework.toml")
    hierarchy = Hierarchy.from_csv(folder / "units.csv", framework.levels)
    values = Values.from_csv(folder / "values.csv", hierarchy, framework)
    return Dataset(name, framework, hierarchy, values)


def export(name: str, out_dir: str | Path) -> list[Path]:
    """Copy data set ``name``'s files into ``out_dir``, as a template to start from."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(path(name).iterdir()):
        if src.is_file():
            written.append(Path(shutil.copy2(src, out / src.name)))
    return written
