"""The divisional review: one month of a panel, with the hierarchy and plugins behind it."""

from __future__ import annotations

import attrs
import numpy as np

from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Result
from egov_score.model.sensitivity import Sensitivity
from egov_score.plugins.actions import ActionSettings
from egov_score.plugins.registry import Registry
from egov_score.plugins.tables import CheckedTables
from egov_score.review.actions import ActionTable, action_tables
from egov_score.review.maps import ReviewMaps, child_map, review_maps
from egov_score.review.panel import Panel
from egov_score.review.report import UnitReport, build_report
from egov_score.review.robustness import rank_interval

__all__ = ["Review"]


@attrs.frozen(kw_only=True)
class Review:
    """One month's divisional review.

    Attributes:
        panel: the scored months.
        period: the review month.
        hierarchy: the unit tree.
        registry: the plugins (for report-card sections and action lists), if any.
        tables: the checked raw scheme tables the panel was scored from, if any (the action
            lists' text columns: nodal officers' names and phones).
        settings: the user's choices for the action lists' checks (unit boundaries for the
            geo-tag checks, thresholds); None: the defaults.
        sensitivity: an uncertainty and sensitivity analysis of the panel, if any: the cards
            then show each rank with its interval, the division page flags calls that are not
            robust (:mod:`~egov_score.review.robustness`).
    """

    panel: Panel
    period: str
    hierarchy: Hierarchy
    registry: Registry | None = None
    tables: CheckedTables | None = attrs.field(default=None, eq=False, repr=False)
    settings: ActionSettings | None = attrs.field(default=None, eq=False, repr=False)
    sensitivity: Sensitivity | None = attrs.field(default=None, eq=False, repr=False)
    _actions: tuple[ActionTable, ...] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )
    _maps: ReviewMaps | None = attrs.field(default=None, init=False, eq=False, repr=False)
    # Cards built once and kept: a run writes each card in several formats and languages.
    _cards: dict[str, UnitReport] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    @property
    def actions(self) -> tuple[ActionTable, ...]:
        """The review month's action lists, from every plugin's reasons (built once)."""
        if self._actions is None:
            built = (
                action_tables(
                    self.result, self.hierarchy, self.registry, self.tables, self.settings
                )
                if self.registry is not None
                else ()
            )
            object.__setattr__(self, "_actions", built)  # a cache on a frozen record
        return self._actions if self._actions is not None else ()

    @property
    def maps(self) -> ReviewMaps:
        """The month's maps: unit locations and statuses from every plugin (built once)."""
        maps = self._maps
        if maps is None:
            maps = review_maps(
                self.result, self.hierarchy, self.registry, self.tables, self.settings
            )
            object.__setattr__(self, "_maps", maps)  # a cache on a frozen record
        return maps

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
                self.panel,
                code,
                self.period,
                hierarchy=self.hierarchy,
                registry=self.registry,
                actions=self.actions,
            )
            card = self._cards[code]
            index = int(np.flatnonzero(self.result.level(card.level).codes == code)[0])
            bands = child_map(self.maps, self.result, card.level, index)
            maps = (
                *((bands,) if bands is not None else ()),
                *self.maps.card_maps(card.level, index),
            )
            if maps:
                self._cards[code] = attrs.evolve(card, maps=maps)
            if self.sensitivity is not None:
                self._cards[code] = attrs.evolve(
                    self._cards[code],
                    interval=rank_interval(self.sensitivity, card.level, code, self.period),
                    parent_interval=rank_interval(
                        self.sensitivity, card.level, code, self.period, "parent"
                    ),
                )
        return self._cards[code]
