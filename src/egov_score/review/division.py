"""The divisional review: one month of a panel, with the hierarchy and plugins behind it."""

from __future__ import annotations

import attrs

from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Result
from egov_score.plugins.registry import Registry
from egov_score.review.panel import Panel
from egov_score.review.report import UnitReport, build_report

__all__ = ["Review"]


@attrs.frozen(kw_only=True)
class Review:
    """One month's divisional review.

    Attributes:
        panel: the scored months.
        period: the review month.
        hierarchy: the unit tree.
        registry: the plugins (for report-card sections), if any.
        top: the level reviewed as a whole (the division), and the two below it.
    """

    panel: Panel
    period: str
    hierarchy: Hierarchy
    registry: Registry | None = None
    # Cards built once and kept: a run writes each card in several formats and languages.
    _cards: dict[str, UnitReport] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    @property
    def result(self) -> Result:
        """The review month's result."""
        return self.panel.result(self.period)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels reviewed: the top, the districts, the blocks (as far as they exist)."""
        return self.result.framework.levels[:3]

    def report(self, code: str) -> UnitReport:
        """The report card of unit ``code`` for the review month (data in no language: the
        renderers choose it); built on first use and kept."""
        if code not in self._cards:
            self._cards[code] = build_report(
                self.panel, code, self.period, hierarchy=self.hierarchy, registry=self.registry
            )
        return self._cards[code]
