"""egov_score: measure, score, rank and report the e-governance performance of a hierarchy.

The tasks an embedding app needs, in one screen (``docs/api.md`` has a runnable example of each):

- load a job from files: :func:`load` (scheme tables and/or values, units, framework) gives a
  :class:`Pipeline`; :meth:`Pipeline.score` scores a month with the plugins;
- score values you hold in memory: :func:`score` (or :class:`Engine`);
- score every month at once: :func:`score_panel` gives a :class:`Panel`;
- change over time: :func:`progress`; the 15 August and 26 January awards: :func:`select_awards`;
- a unit's report card: :func:`build_report`, rendered by :func:`render_card` to HTML,
  Markdown, JSON, CSV or text, in English or Hindi; the awards by :func:`render_awards`;
- the whole monthly review of a data folder (division page, every card, awards, an index
  page), as ``egov-score review`` writes it: :func:`run_review`.

Importing the package does no work: no plugin discovery, no file reads; the plugin, review and
render layers load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from egov_score.io import Table
from egov_score.model import (
    Aggregation,
    Bands,
    Block,
    Diagnostic,
    District,
    Division,
    Field,
    Framework,
    Group,
    Hierarchy,
    Imputation,
    Indicator,
    Level,
    LevelResult,
    Machine,
    Normalisation,
    Provenance,
    Result,
    Screening,
    Treatment,
    Unit,
    UnitCodes,
    UnitScore,
    Values,
)

__all__ = [
    "ActionReasons",
    "ActionSettings",
    "Aggregation",
    "Analysis",
    "AwardRules",
    "Awards",
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
    "Imputation",
    "Indicator",
    "InputError",
    "Level",
    "LevelResult",
    "Machine",
    "Normalisation",
    "Panel",
    "Pipeline",
    "PluginError",
    "Problem",
    "Progress",
    "Provenance",
    "Registry",
    "Result",
    "Review",
    "ReviewRun",
    "Scheme",
    "ScoringError",
    "Screening",
    "Section",
    "Table",
    "TableSpec",
    "Treatment",
    "Unit",
    "UnitCodes",
    "UnitReport",
    "UnitScore",
    "Values",
    "ValuesError",
    "analyse",
    "build_report",
    "check_plugin",
    "hookimpl",
    "load",
    "make_plugin_manager",
    "progress",
    "render_awards",
    "render_card",
    "run_review",
    "score",
    "score_panel",
    "select_awards",
    "write_action_lists",
]


#: Public names whose modules load on first use, so ``import egov_score`` pays only for the
#: scoring core (numpy, attrs): the plugin machinery (pluggy), the review and the renderers
#: come in when an app first asks for them.
_LAZY = {
    "ActionReasons": "egov_score.plugins.actions",
    "Analysis": "egov_score.review.analysis",
    "analyse": "egov_score.review.analysis",
    "ActionSettings": "egov_score.plugins.actions",
    "AwardRules": "egov_score.review.awards",
    "Awards": "egov_score.review.awards",
    "Column": "egov_score.plugins.scheme",
    "Panel": "egov_score.review.panel",
    "Pipeline": "egov_score.pipeline",
    "Problem": "egov_score.plugins.scheme",
    "Progress": "egov_score.review.progress",
    "Registry": "egov_score.plugins.registry",
    "Review": "egov_score.review.division",
    "ReviewRun": "egov_score.render.review_run",
    "Scheme": "egov_score.plugins.scheme",
    "Section": "egov_score.plugins.section",
    "TableSpec": "egov_score.plugins.scheme",
    "UnitReport": "egov_score.review.report",
    "build_report": "egov_score.review.report",
    "check_plugin": "egov_score.plugins.testing",
    "hookimpl": "egov_score.plugins.hookspecs",
    "load": "egov_score.pipeline",
    "make_plugin_manager": "egov_score.plugins.manager",
    "progress": "egov_score.review.progress",
    "render_awards": "egov_score.render.awards",
    "render_card": "egov_score.render.card",
    "run_review": "egov_score.render.review_run",
    "score_panel": "egov_score.review.panel",
    "select_awards": "egov_score.review.awards",
    "write_action_lists": "egov_score.render.actions",
}

if TYPE_CHECKING:
    from egov_score.pipeline import Pipeline, load
    from egov_score.plugins.actions import ActionReasons, ActionSettings
    from egov_score.plugins.hookspecs import hookimpl
    from egov_score.plugins.manager import make_plugin_manager
    from egov_score.plugins.registry import Registry
    from egov_score.plugins.scheme import Column, Problem, Scheme, TableSpec
    from egov_score.plugins.section import Section
    from egov_score.plugins.testing import check_plugin
    from egov_score.render.actions import write_action_lists
    from egov_score.render.awards import render_awards
    from egov_score.render.card import render_card
    from egov_score.render.review_run import ReviewRun, run_review
    from egov_score.review.analysis import Analysis, analyse
    from egov_score.review.awards import AwardRules, Awards, select_awards
    from egov_score.review.division import Review
    from egov_score.review.panel import Panel, score_panel
    from egov_score.review.progress import Progress, progress
    from egov_score.review.report import UnitReport, build_report


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


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
