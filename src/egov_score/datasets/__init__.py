"""Data sets that ship with egov_score, loadable in one call.

- ``jaipur``: the Jaipur division of 2021 (real districts and blocks with LGD codes) with 2995
  synthetic e-Mitra Plus machines and twelve months (February 2020 - January 2021) of raw
  tables for all six built-in schemes; January 2021 matches the commissioner's review exactly
  (2995 installed, 2621 inspected and repaired, 2939 transacting). See ``docs/data.md``.
- ``small``: a two-district slice with ten machines and a plain values file, for examples.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from egov_score.exceptions import InputError
from egov_score.pipeline import Pipeline
from egov_score.pipeline import load as load_files
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry

__all__ = ["DATASETS", "export", "load", "path"]

#: The names of the shipped data sets.
DATASETS = ("jaipur", "small")


def path(name: str) -> Path:
    """The folder holding data set ``name``'s files.

    Raises:
        InputError: no such data set.
    """
    if name not in DATASETS:
        raise InputError(f"data set must be one of {list(DATASETS)!r}; got {name!r}")
    return Path(str(resources.files("egov_score.datasets").joinpath(name)))


def load(name: str = "jaipur") -> Pipeline:
    """Load data set ``name`` as a scoring job in one call.

    The ``jaipur`` data set is read with the built-in plugins only (no entry points), so the
    review it shows is the same on every machine; ``small`` is a values file with its own
    framework.

    Raises:
        InputError: no such data set.
    """
    folder = path(name)
    if name == "small":
        return load_files(
            units=folder / "units.csv",
            framework=folder / "framework.toml",
            values=folder / "values.csv",
        )
    return load_files(folder, registry=Registry(make_plugin_manager(autoload=False)))


def export(name: str, out_dir: str | Path) -> list[Path]:
    """Copy data set ``name``'s files into ``out_dir``, as a template to start from."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(path(name).iterdir()):
        if src.is_file():
            written.append(Path(shutil.copy2(src, out / src.name)))
    return written
