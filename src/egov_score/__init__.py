"""egov_score: measure, score, rank and report the e-governance performance of a hierarchy.

Build or load the two trees (:class:`Hierarchy`, :class:`Framework`), load :class:`Values`, and
call :func:`score` (or :meth:`Engine.score`) to get a :class:`Result` with every unit's
indicators, normalised scores, group scores, composite, ranks and band at every level.

Importing the package does no work: no plugin discovery, no file reads.
"""

from __future__ import annotations

from typing import Any

from egov_score._table import Table
from egov_score.engine import Engine, score
from egov_score.exceptions import (
    EgovScoreError,
    FrameworkError,
    HierarchyError,
    InputError,
    PluginError,
    ScoringError,
    ValuesError,
)
from egov_score.framework import (
    Aggregation,
    Bands,
    Field,
    Framework,
    Group,
    Indicator,
    Normalisation,
)
from egov_score.hierarchy import Block, District, Division, Hierarchy, Level, Machine, Unit
from egov_score.hookspecs import hookimpl
from egov_score.registry import Registry, make_plugin_manager
from egov_score.result import Diagnostic, LevelResult, Provenance, Result, UnitScore
from egov_score.scheme import Column, Problem, Scheme, TableSpec
from egov_score.values import Values

__all__ = [
    "Aggregation",
    "Bands",
    "Block",
    "Column",
    "Diagnostic",
    "District",
    "Division",
    "EgovScoreError",
    "Engine",
    "Field",
    "Framework",
    "FrameworkError",
    "Group",
    "Hierarchy",
    "HierarchyError",
    "Indicator",
    "InputError",
    "Level",
    "LevelResult",
    "Machine",
    "Normalisation",
    "PluginError",
    "Problem",
    "Provenance",
    "Registry",
    "Result",
    "Scheme",
    "ScoringError",
    "Table",
    "TableSpec",
    "Unit",
    "UnitScore",
    "Values",
    "ValuesError",
    "hookimpl",
    "make_plugin_manager",
    "score",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("egov-score")
        except PackageNotFoundError:  # running from a source tree
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
