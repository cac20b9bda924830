"""egov_score: measure, score, rank and report the e-governance performance of a hierarchy.

Build or load the two trees (:class:`Hierarchy`, :class:`Framework`), load :class:`Values`, and
call :func:`score` (or :meth:`Engine.score`) to get a :class:`Result` with every unit's
indicators, normalised scores, group scores, composite, ranks and band at every level.

Importing the package does no work: no plugin discovery, no file reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from egov_score.result import Diagnostic, LevelResult, Provenance, Result, UnitScore
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


#: Public names whose modules load on first use: the plugin machinery (pluggy) is not needed
#: to score, so ``import egov_score`` does not pay for it.
_LAZY = {
    "Column": "egov_score.scheme",
    "Problem": "egov_score.scheme",
    "Registry": "egov_score.registry",
    "Scheme": "egov_score.scheme",
    "TableSpec": "egov_score.scheme",
    "hookimpl": "egov_score.hookspecs",
    "make_plugin_manager": "egov_score.registry",
}

if TYPE_CHECKING:
    from egov_score.hookspecs import hookimpl
    from egov_score.registry import Registry, make_plugin_manager
    from egov_score.scheme import Column, Problem, Scheme, TableSpec


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("egov-score")
        except PackageNotFoundError:  # running from a source tree
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
