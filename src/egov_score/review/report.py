"""Report cards: the data of one unit's monthly progress card, built from a panel.

:func:`build_report` gathers, for one unit and period, what the card shows: score, band, ranks,
change since last month, scheme scores and ranks, the strongest and weakest indicators among
peers, a 12-month trend, the peers' scores for a bar chart, and sections added by plugins (the
e-Mitra plugin adds the machines that need action). Rendering lives in ``render.py``.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path

import attrs
import numpy as np

from egov_score._arrays import FloatArray, IntArray
from egov_score.exceptions import InputError
from egov_score.kernels.rank import rank_in_groups
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import LevelResult, Result
from egov_score.plugins.registry import Registry
from egov_score.plugins.section import Section
from egov_score.review.actions import FIRST_ROWS, ActionTable, card_sections
from egov_score.review.awards import (
    AwardRules,
    Candidate,
    Reason,
    award_window,
    select_awards,
)
from egov_score.review.maps import BandMap, PointMap
from egov_score.review.panel import Panel
from egov_score.review.progress import Progress, progress
from egov_score.review.robustness import RankInterval

__all__ = [
    "AwardStanding",
    "Bar",
    "Standing",
    "TrendPoint",
    "UnitReport",
    "build_report",
]

#: How many strongest and weakest indicators a card lists.
N_EXTREMES = 3
#: How many months the trend covers.
TREND_MONTHS = 12


@attrs.frozen(kw_only=True)
class Standing:
    """Where the unit stands on one indicator or scheme among its peers (its level).

    Attributes:
        code, name, name_hi, unit: the indicator or scheme.
        value: the indicator's value (NaN for a scheme).
        score: the normalised score or group score (0-100, NaN if missing).
        rank: rank among the level's units (1 = best; 0 if missing).
        peers: how many units of the level have a score.
        best_value: the value (or score, for a scheme) of the best peer.
        best_name: the best peer's name.
        best_name_hi: the best peer's Hindi name, or ``""``.
        change: change in score since the previous period (NaN if unknown).
        estimated: the unit's value was imputed (an estimate, not reported; the framework's
            ``impute`` step, ``docs/analysis.md``).
    """

    code: str
    name: str
    name_hi: str
    unit: str
    value: float
    score: float
    rank: int
    peers: int
    best_value: float
    best_name: str
    change: float
    best_name_hi: str = ""
    estimated: bool = False


@attrs.frozen(kw_only=True)
class TrendPoint:
    """The unit's composite and rank in one period."""

    period: str
    score: float
    rank: int
    band: str


@attrs.frozen(kw_only=True)
class Bar:
    """One peer in the card's bar chart (``name_hi``: its Hindi name, or ``""``)."""

    code: str
    name: str
    score: float
    is_self: bool
    name_hi: str = ""


@attrs.frozen(kw_only=True)
class AwardStanding:
    """Where the unit stands in the current award window, so far.

    Attributes:
        occasion: ``independence_day`` or ``republic_day``.
        year: the year of the occasion.
        window: the first and last month counted so far.
        place: the unit's place among all candidates of its level by the award criterion so far
            (0 if it has no score).
        candidates: how many candidates have a score.
        eligible: whether it meets every eligibility rule so far.
        reasons: the rules it does not meet yet, as data (the renderer words them).
    """

    occasion: str
    year: int
    window: tuple[str, str]
    place: int
    candidates: int
    eligible: bool
    reasons: tuple[Reason, ...]


@attrs.frozen(kw_only=True)
class UnitReport:
    """The data of one unit's report card for one period.

    Ranks count from 1 (best); 0 means unranked. ``rank_change`` is positive when the unit
    moved up. ``sections`` hold message ids and data; ``catalogues`` are the folders of the
    plugins' message catalogues, which the renderer merges to translate them. ``no_data``
    names the schemes whose tables hold no rows for the card's month (their scores are
    missing for that reason, not for a gap the reader should guess at).
    """

    code: str
    level: str
    name: str
    name_hi: str
    officer: str
    parent_code: str
    parent_name: str
    parent_name_hi: str
    period: str
    previous_period: str | None
    score: float
    band: str
    rank: int
    peers: int
    rank_in_parent: int
    parent_peers: int
    coverage: float
    score_change: float
    rank_change: int | None
    delta_rank: int
    delta_peers: int
    streak: int
    award: AwardStanding | None
    schemes: tuple[Standing, ...]
    strongest: tuple[Standing, ...]
    weakest: tuple[Standing, ...]
    trend: tuple[TrendPoint, ...]
    bars: tuple[Bar, ...]
    framework: Framework = attrs.field(eq=False, repr=False)
    result: Result = attrs.field(eq=False, repr=False)
    hierarchy: Hierarchy = attrs.field(eq=False, repr=False)
    sections: tuple[Section, ...] = ()
    catalogues: tuple[Path, ...] = ()
    no_data: tuple[str, ...] = ()
    #: The maps of the units under this one, set by the review (none for a card built alone):
    #: the units one level below by band (:func:`~egov_score.review.maps.child_map`), then
    #: each plugin's located units by status (:meth:`~egov_score.review.maps.ReviewMaps.
    #: card_maps`).
    maps: tuple[BandMap | PointMap, ...] = attrs.field(default=(), eq=False, repr=False)
    #: The rank among the level's units and among the parent's children under plausible
    #: method choices, set by a review that has a sensitivity analysis (None: the card shows
    #: the ranks alone).
    interval: RankInterval | None = None
    parent_interval: RankInterval | None = None

    def descendants(self, level: str) -> IntArray:
        """Indices, on ``level``, of the units below this one."""
        depth = self.hierarchy.depth(self.level)
        own = int(self.hierarchy.levels[depth].index([self.code])[0])
        return np.flatnonzero(self.hierarchy.ancestors(level, self.level) == own)


def _index(lv: LevelResult, code: str) -> int:
    hits = np.flatnonzero(lv.codes == code)
    if not len(hits):
        raise InputError(f"code must name a {lv.level!r} unit; got {code!r}")
    return int(hits[0])


@attrs.frozen
class _Column:
    """One scheme's or indicator's column on a level, ranked once for every card of it."""

    scores: FloatArray
    values: FloatArray
    ranks: IntArray
    peers: int
    best: int  # the best-scoring unit, or -1 when none is ranked


def _column(scores: FloatArray, values: FloatArray) -> _Column:
    ranks = rank_in_groups(scores)
    peers = int((ranks > 0).sum())
    best = int(np.argmax(np.where(np.isnan(scores), -np.inf, scores))) if peers else -1
    return _Column(scores=scores, values=values, ranks=ranks, peers=peers, best=best)


@attrs.frozen
class _LevelFacts:
    """What every card of one level in one month reads, computed once for the level: the
    schemes' and the varying indicators' columns ranked, and the units' progress."""

    schemes: dict[str, _Column]
    indicators: dict[str, _Column]
    moves: Progress


#: The last few levels' facts (the panel held weakly): a review builds every card of a level
#: in one month, so each level's columns are ranked once, not once per card.
_FACTS: list[tuple[weakref.ref[Panel], tuple[str, str, str | None], _LevelFacts]] = []
_FACTS_KEPT = 4


def _level_facts(
    panel: Panel, result: Result, lv: LevelResult, baseline: str | None
) -> _LevelFacts:
    key = (result.period, lv.level, baseline)
    for ref, cached_key, value in _FACTS:
        if ref() is panel and cached_key == key:
            return value
    fw = result.framework
    nan = np.full(len(lv), np.nan)
    # An indicator on which every peer scores the same says nothing about a unit.
    varying = [
        c
        for c in lv.normalised
        if np.nanmax(lv.normalised[c], initial=-np.inf)
        > np.nanmin(lv.normalised[c], initial=np.inf)
    ]
    value = _LevelFacts(
        schemes={g: _column(lv.groups[g], nan) for g in fw.children(fw.root) if g in lv.groups},
        indicators={c: _column(lv.normalised[c], lv.indicators[c]) for c in varying},
        moves=progress(panel, lv.level, result.period, baseline=baseline),
    )
    _FACTS[:] = [*_FACTS[-(_FACTS_KEPT - 1) :], (weakref.ref(panel), key, value)]
    return value


def _standing(
    code: str,
    fw: Framework,
    lv: LevelResult,
    prev: LevelResult | None,
    i: int,
    scores: FloatArray,
    values: FloatArray,
) -> Standing:
    """Unit ``i``'s standing on the column ``scores`` (``values``: the values shown)."""
    j = np.flatnonzero(prev.codes == lv.codes[i]) if prev is not None else np.zeros(0, np.intp)
    return _standing_on(code, fw, lv, prev, i, j, _column(scores, values))


def _standing_on(
    code: str,
    fw: Framework,
    lv: LevelResult,
    prev: LevelResult | None,
    i: int,
    j: IntArray,
    col: _Column,
) -> Standing:
    """Unit ``i``'s standing on one column; ``j``: the unit's row in ``prev`` (none or one)."""
    node = fw.indicators.get(code) or fw.groups[code]
    scores = col.scores
    best = col.best if col.best >= 0 else i
    change = np.nan
    if prev is not None:
        table = prev.normalised if code in fw.indicators else prev.groups
        if len(j) and code in table:
            change = float(scores[i] - table[code][j[0]])
    return Standing(
        code=code,
        name=node.name,
        name_hi=node.name_hi,
        unit=getattr(node, "unit", ""),
        value=float(col.values[i]),
        score=float(scores[i]),
        rank=int(col.ranks[i]),
        peers=col.peers,
        best_value=float(col.values[best]),
        best_name=str(lv.names[best]),
        best_name_hi=str(lv.names_hi[best]),
        change=change,
        estimated=bool(lv.imputed[code][i]) if code in lv.imputed else False,
    )


@attrs.frozen
class _Standings:
    """Every candidate of one level in one award window, by code, and their places."""

    periods: tuple[str, ...]
    by_code: dict[str, Candidate]
    place: dict[str, int]
    ranked: int


#: The last panel's award standings (one entry, the panel held weakly): a review builds every
#: card of a level against the same window, so the window's candidates are ranked once, not
#: once per card.
_STANDINGS: list[tuple[weakref.ref[Panel], tuple[str, str, int, str, str], _Standings | None]] = []


def _standings(
    panel: Panel, level: str, occasion: str, year: int, window: tuple[str, str]
) -> _Standings | None:
    key = (level, occasion, year, *window)
    for ref, cached_key, value in _STANDINGS:
        if ref() is panel and cached_key == key:
            return value
    rules = AwardRules(levels=(level,), winners={level: 1}, runners_up=0, window=window)
    try:
        awards = select_awards(panel, occasion, year, rules)
    except InputError:
        value = None
    else:
        everyone = awards.candidates[level]
        ranked = [c for c in everyone if not np.isnan(c.criterion_value)]
        value = _Standings(
            periods=awards.periods,
            by_code={c.code: c for c in everyone},
            place={c.code: n for n, c in enumerate(ranked, start=1)},
            ranked=len(ranked),
        )
    _STANDINGS[:] = [(weakref.ref(panel), key, value)]
    return value


def _award_standing(panel: Panel, level: str, code: str, period: str) -> AwardStanding | None:
    """The unit's standing in the award window that ``period`` falls in, so far."""
    year, _, month = period.partition("-")
    if not (year.isdigit() and month.isdigit()):
        return None
    occasion = "independence_day" if int(month) <= 7 else "republic_day"
    occasion_year = int(year) if occasion == "independence_day" else int(year) + 1
    start, _ = award_window(occasion, occasion_year)
    standings = _standings(panel, level, occasion, occasion_year, (start, period))
    if standings is None:
        return None
    me = standings.by_code[code]
    return AwardStanding(
        occasion=occasion,
        year=occasion_year,
        window=(standings.periods[0], standings.periods[-1]),
        place=standings.place.get(code, 0),
        candidates=standings.ranked,
        eligible=me.eligible,
        reasons=me.reasons,
    )


def build_report(
    panel: Panel,
    code: str,
    period: str,
    *,
    hierarchy: Hierarchy,
    registry: Registry | None = None,
    actions: Sequence[ActionTable] = (),
    whole_lists: bool = False,
    linked_lists: bool = True,
) -> UnitReport:
    """Gather one unit's report card for ``period``.

    Args:
        panel: the scored periods (the previous one gives the changes, up to 12 the trend).
        code: the unit's code.
        period: the period of the card.
        hierarchy: the unit tree.
        registry: the plugins asked for extra sections (``egov_score_report_sections``) and
            their message catalogues (``egov_score_catalogues``).
        actions: the month's action lists (:func:`~egov_score.review.actions.action_tables`):
            a district or block card shows their counts per reason and first rows, linking
            to the full list.
        whole_lists: show every row of the action lists and no link (a card written alone,
            as the API may want it, has no lists beside it).
        linked_lists: link each action list's full file; false for a card written alone
            (``egov-score report``): its first rows and counts, no link, so it stays short.

    Raises:
        InputError: unknown unit or period.
    """
    result = panel.result(period)
    period = result.period  # as normalised by the panel
    fw = result.framework
    unit = result.unit(code)
    lv = result.level(unit.level)
    i = _index(lv, code)
    prev_result = panel.previous(period)
    prev = prev_result.level(unit.level) if prev_result is not None else None
    j = np.flatnonzero(prev.codes == code) if prev is not None else np.zeros(0, dtype=np.intp)
    score_change, rank_change = np.nan, None
    if prev is not None and len(j):
        score_change = float(lv.score[i] - prev.score[j[0]])
        if lv.rank[i] and prev.rank[j[0]]:
            rank_change = int(prev.rank[j[0]] - lv.rank[i])

    facts = _level_facts(panel, result, lv, prev_result.period if prev_result else None)
    schemes = tuple(_standing_on(g, fw, lv, prev, i, j, c) for g, c in facts.schemes.items())
    standings = [_standing_on(k, fw, lv, prev, i, j, c) for k, c in facts.indicators.items()]
    ranked = sorted((s for s in standings if s.rank > 0), key=lambda s: (s.rank / s.peers, s.code))
    strongest = tuple(ranked[:N_EXTREMES])
    weakest = tuple(reversed(ranked[-N_EXTREMES:])) if len(ranked) > N_EXTREMES else ()

    trend = []
    for r in panel.window(period, TREND_MONTHS):
        tl = r.level(unit.level)
        k = np.flatnonzero(tl.codes == code)
        if len(k):
            trend.append(
                TrendPoint(
                    period=r.period,
                    score=float(tl.score[k[0]]),
                    rank=int(tl.rank[k[0]]),
                    band=tl.band_of(int(k[0])),
                )
            )
    siblings = np.flatnonzero(lv.parent == lv.parent[i])
    bars = tuple(
        Bar(
            code=str(lv.codes[s]),
            name=str(lv.names[s]),
            score=float(lv.score[s]),
            is_self=bool(s == i),
            name_hi=str(lv.names_hi[s]),
        )
        for s in siblings[np.argsort(-np.nan_to_num(lv.score[siblings], nan=-1), kind="stable")]
    )
    record = hierarchy.unit(code)
    parent = hierarchy.unit(record.parent) if record.parent else None
    moves = facts.moves
    at = int(np.flatnonzero(moves.codes == code)[0])
    report = UnitReport(
        code=code,
        level=unit.level,
        name=unit.name,
        name_hi=unit.name_hi,
        officer=record.officer,
        parent_code=unit.parent,
        parent_name=parent.name if parent else "",
        parent_name_hi=parent.name_hi if parent else "",
        period=period,
        previous_period=prev_result.period if prev_result is not None else None,
        score=unit.score,
        band=unit.band,
        rank=unit.rank,
        peers=int((lv.rank > 0).sum()),
        rank_in_parent=unit.rank_in_parent,
        parent_peers=int((lv.rank_in_parent[siblings] > 0).sum()),
        coverage=unit.coverage,
        score_change=score_change,
        rank_change=rank_change,
        delta_rank=int(moves.delta_rank[at]) if prev_result is not None else 0,
        delta_peers=int((moves.delta_rank > 0).sum()) if prev_result is not None else 0,
        streak=int(moves.streak[at]),
        award=_award_standing(panel, unit.level, code, period),
        schemes=schemes,
        strongest=strongest,
        weakest=weakest,
        trend=tuple(trend),
        bars=bars,
        framework=fw,
        result=result,
        hierarchy=hierarchy,
        no_data=tuple(dict.fromkeys(d.code for d in result.diagnostics_of("no_data"))),
    )
    if registry is not None:
        sections = registry.report_sections(result, hierarchy, code, unit.level)
        first = None if whole_lists else FIRST_ROWS
        sections += card_sections(
            actions,
            unit.level,
            i,
            lv.codes.tolist(),
            first,
            names=lv.names.tolist(),
            linked=linked_lists,
        )
        report = attrs.evolve(report, sections=tuple(sections), catalogues=registry.catalogues())
    return report
