"""The e-governance awards of 15 August (Independence Day) and 26 January (Republic Day).

:func:`select_awards` ranks the candidates of every level over the award window — by default
the months since the previous occasion — after checking each one against the eligibility rules,
and returns the winners with a one-line citation, the runners-up, and why each near miss was not
eligible. The rules, the criterion and the tie-break are in ``docs/progress.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from egov_score._arrays import LazyColumns
from egov_score.exceptions import InputError
from egov_score.io.periods import as_period
from egov_score.model.framework import Bands
from egov_score.review.panel import Panel
from egov_score.review.progress import series

__all__ = [
    "OCCASIONS",
    "AwardRules",
    "Awards",
    "Candidate",
    "CandidateColumns",
    "Reason",
    "award_window",
    "latest_occasion",
    "select_awards",
]

#: occasion -> (month, day). Their names are the catalogue's ``occasion.<occasion>``.
OCCASIONS = {
    "independence_day": (8, 15),
    "republic_day": (1, 26),
}
CRITERIA = ("mean", "improvement", "mix")
#: The eligibility rules a candidate may fail (message ``reason.<rule>``).
REASONS = ("min_months", "no_data", "min_coverage", "min_band")


def _share(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= 1


def _count(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _first_broken(*checks: tuple[bool, str, str]) -> tuple[str, str] | None:
    """The (rule, attribute) of the first check that does not hold, or None."""
    return next(((rule, attr) for ok, rule, attr in checks if not ok), None)


def latest_occasion(period: str) -> tuple[str, int]:
    """The most recent occasion up to the end of month ``period`` (``YYYY-MM``): Independence
    Day of that year from August on, else Republic Day of that year.

    Raises:
        InputError: ``period`` is not ``YYYY-MM``.
    """
    year, _, month = period.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise InputError(f"period must be a month YYYY-MM; got {period!r}")
    return ("independence_day" if int(month) >= 8 else "republic_day"), int(year)


def award_window(occasion: str, year: int) -> tuple[str, str]:
    """The default window: the months from the previous occasion up to the month before this
    one — Republic Day ``Y``: August to December of ``Y - 1``; Independence Day ``Y``: January
    to July of ``Y``.

    Raises:
        InputError: an unknown occasion.
    """
    if occasion == "republic_day":
        return f"{year - 1}-08", f"{year - 1}-12"
    if occasion == "independence_day":
        return f"{year}-01", f"{year}-07"
    raise InputError(f"occasion must be one of {sorted(OCCASIONS)!r}; got {occasion!r}")


@attrs.frozen(kw_only=True)
class AwardRules:
    """How awards are decided; every field is configurable.

    Attributes:
        levels: the levels that get awards (district CEO, block BDO, machine nodal officer).
        winners: how many winners per level.
        runners_up: how many runners-up per level.
        criterion: ``mean`` (mean composite over the window, default), ``improvement``
            (composite at the last month with data minus the first) or ``mix``
            (``mix * mean + (1 - mix) * improvement``).
        mix: the weight of the mean in ``mix``.
        min_coverage: the mean data coverage (0-1) a candidate needs over the window.
        min_band: no month with data may fall below this band (None = no rule).
        min_months: the months with a score a candidate needs in the window.
        window: ``(first, last)`` period; default :func:`award_window`.
    """

    levels: tuple[str, ...] = ("district", "block", "machine")
    winners: dict[str, int] = attrs.field(factory=lambda: {"district": 1, "block": 3, "machine": 5})
    runners_up: int = 2
    criterion: str = "mean"
    mix: float = 0.5
    min_coverage: float = 0.75
    min_band: str | None = "Performer"
    min_months: int = 3
    window: tuple[str, str] | None = None

    def __attrs_post_init__(self) -> None:
        problem = _first_broken(
            (
                self.criterion in CRITERIA,
                f"criterion must be one of {list(CRITERIA)!r}",
                "criterion",
            ),
            (_share(self.mix), "mix must be a number in [0, 1]", "mix"),
            (_share(self.min_coverage), "min_coverage must be a number in [0, 1]", "min_coverage"),
            (_count(self.runners_up), "runners_up must be a whole number >= 0", "runners_up"),
            (_count(self.min_months), "min_months must be a whole number >= 0", "min_months"),
            (
                all(_count(n) for n in self.winners.values()),
                "winners must map levels to whole numbers >= 0",
                "winners",
            ),
            (
                bool(self.levels) and len(set(self.levels)) == len(self.levels),
                "levels must name at least one level, each once",
                "levels",
            ),
        )
        if problem is not None:
            rule, attr = problem
            raise InputError(f"{rule}; got {getattr(self, attr)!r} in the award rules")


@attrs.frozen(kw_only=True)
class Reason:
    """One eligibility rule a candidate does not meet; the renderer words it (message
    ``reason.<rule>``).

    Attributes:
        rule: ``min_months``, ``no_data``, ``min_coverage`` or ``min_band``.
        got: what the candidate has (months with a score, mean coverage 0-1); NaN if none.
        needs: what the rule needs (months, coverage 0-1); NaN for ``no_data`` and
            ``min_band``.
        band: for ``min_band``, the band (framework label) no month may fall below.
    """

    rule: str
    got: float = math.nan
    needs: float = math.nan
    band: str = ""

    def __attrs_post_init__(self) -> None:
        if self.rule not in REASONS:
            raise InputError(f"reason rule must be one of {list(REASONS)!r}; got {self.rule!r}")


@attrs.frozen(kw_only=True)
class Candidate:
    """One unit considered for an award, with every rule's outcome."""

    level: str
    code: str
    name: str
    name_hi: str
    parent_name: str
    parent_name_hi: str
    months: int
    mean_score: float
    improvement: float
    first_period: str
    last_period: str
    lowest_band: str
    mean_coverage: float
    criterion_value: float
    eligible: bool
    reasons: tuple[Reason, ...]
    place: int  # 1-based among eligible candidates; 0 if not eligible


@attrs.frozen(kw_only=True)
class CandidateColumns:
    """Every candidate of one level as columns, best first (the order of
    ``Awards.candidates``): what :class:`Candidate` records hold, for all candidates at once.

    Attributes:
        outcome: ``winner``, ``runner_up``, ``eligible`` or ``not_eligible``.
        place: 1-based among eligible candidates; 0 if not eligible.
        lowest_band: the framework label of the lowest band with data; ``""`` if none.
        first_period, last_period: the first and last month with a score; ``""`` if none.
        failed: per rule of ``REASONS``, whether each candidate fails it.
        got: per rule with a value (``min_months``, ``min_coverage``), what each candidate has.
        needs: per rule with a value, what the rule needs.
        band: the band ``min_band`` names (``""`` without the rule).
    """

    level: str
    codes: np.ndarray[Any, Any]
    names: np.ndarray[Any, Any]
    names_hi: np.ndarray[Any, Any]
    parent_names: np.ndarray[Any, Any]
    parent_names_hi: np.ndarray[Any, Any]
    months: np.ndarray[Any, Any]
    mean_score: np.ndarray[Any, Any]
    improvement: np.ndarray[Any, Any]
    first_period: np.ndarray[Any, Any]
    last_period: np.ndarray[Any, Any]
    lowest_band: np.ndarray[Any, Any]
    mean_coverage: np.ndarray[Any, Any]
    criterion_value: np.ndarray[Any, Any]
    eligible: np.ndarray[Any, Any]
    place: np.ndarray[Any, Any]
    outcome: np.ndarray[Any, Any]
    failed: Mapping[str, np.ndarray[Any, Any]]
    got: Mapping[str, np.ndarray[Any, Any]]
    needs: Mapping[str, float]
    band: str


@attrs.frozen(kw_only=True)
class Awards:
    """The outcome of an award selection."""

    occasion: str
    year: int
    window: tuple[str, str]
    periods: tuple[str, ...]
    rules: AwardRules
    winners: dict[str, tuple[Candidate, ...]]
    runners_up: dict[str, tuple[Candidate, ...]]
    near_misses: dict[str, tuple[Candidate, ...]]
    candidates: Mapping[str, tuple[Candidate, ...]]  # every candidate, best first; built on use
    columns: Mapping[str, CandidateColumns]  # the same candidates as columns; built on use
    bands: Bands  # the framework's bands, for naming them


def _reasons(
    months: int, cov: float, lowest: int, rules: AwardRules, band_index: int
) -> tuple[Reason, ...]:
    """The rules a candidate does not meet, as data."""
    out = []
    if months < rules.min_months:
        out.append(Reason(rule="min_months", got=months, needs=rules.min_months))
    if math.isnan(cov):
        out.append(Reason(rule="no_data"))
    elif cov < rules.min_coverage:
        out.append(Reason(rule="min_coverage", got=cov, needs=rules.min_coverage))
    if rules.min_band is not None and 0 <= lowest < band_index:
        out.append(Reason(rule="min_band", band=rules.min_band))
    return tuple(out)


class _LevelVerdicts:
    """Every candidate of one level over the award window, as columns, with records built
    only for the candidates a reader sees."""

    def __init__(
        self, panel: Panel, sub: Panel, level: str, rules: AwardRules, band_index: int
    ) -> None:
        fw = sub.results[0].framework
        periods = sub.periods
        codes, scores = series(sub, level, "score")
        _, bands = series(sub, level, "band")
        _, cov = series(sub, level, "coverage")
        last = sub.results[-1].level(level)
        names, names_hi = last.names, last.names_hi
        parent_names, parent_names_hi = _parent_names(panel, level)
        has = ~np.isnan(scores)
        months = has.sum(axis=0)
        with np.errstate(invalid="ignore"):
            mean = np.where(months > 0, np.nansum(scores, axis=0) / np.maximum(months, 1), np.nan)
            # Coverage over the months with a score only: a month without one is the
            # min_months rule's business, so the two rules decide independently.
            cov_sum = np.where(has, np.nan_to_num(cov), 0.0).sum(axis=0)
            mean_cov = np.where(months > 0, cov_sum / np.maximum(months, 1), np.nan)
        first_i = np.argmax(has, axis=0)
        last_i = len(periods) - 1 - np.argmax(has[::-1], axis=0)
        cols = np.arange(scores.shape[1])
        first_s, last_s = scores[first_i, cols], scores[last_i, cols]
        improvement = np.where(months > 0, last_s - first_s, np.nan)
        lowest = np.where(has, bands, np.inf).min(axis=0)
        lowest = np.where(np.isinf(lowest), -1, lowest).astype(int)
        if rules.criterion == "mean":
            crit = mean
        elif rules.criterion == "improvement":
            crit = improvement
        else:
            crit = rules.mix * mean + (1 - rules.mix) * improvement
        # Eligibility as masks over all candidates; the words of a verdict are written only for
        # the candidates a reader sees.
        no_data = np.isnan(mean_cov)
        below_band = (lowest >= 0) & (lowest < band_index)  # band_index is 0 without the rule
        failing = (
            (months < rules.min_months) | no_data | (mean_cov < rules.min_coverage) | below_band
        )
        eligible = ~failing & ~np.isnan(crit)
        # Tie-break, never input order: criterion, last month's score, mean, then code.
        order = np.lexsort(
            (
                codes,
                -np.nan_to_num(mean, nan=-np.inf),
                -np.nan_to_num(last_s, nan=-np.inf),
                -np.nan_to_num(crit, nan=-np.inf),
            )
        )
        place = np.zeros(len(codes), dtype=int)
        ranked_eligible = order[eligible[order]]
        place[ranked_eligible] = np.arange(1, len(ranked_eligible) + 1)
        labels = [*fw.bands.labels]

        self.level, self.rules, self.band_index, self.periods = level, rules, band_index, periods
        self.codes, self.names, self.names_hi = codes, names, names_hi
        self.parent_names, self.parent_names_hi = parent_names, parent_names_hi
        self.months, self.mean, self.improvement, self.lowest = months, mean, improvement, lowest
        self.first_i, self.last_i, self.mean_cov, self.crit = first_i, last_i, mean_cov, crit
        self.eligible, self.place, self.labels = eligible, place, labels
        self.order, self.ranked_eligible = order, ranked_eligible

    def failed(self) -> dict[str, np.ndarray[Any, Any]]:
        """Per rule of ``REASONS``, whether each candidate (column index) fails it; as
        :func:`_reasons` decides for one."""
        rules = self.rules
        no_data = np.isnan(self.mean_cov)
        with np.errstate(invalid="ignore"):
            below_cov = ~no_data & (self.mean_cov < rules.min_coverage)
        below_band = (
            (self.lowest >= 0) & (self.lowest < self.band_index)
            if rules.min_band is not None
            else np.zeros(len(self.codes), dtype=bool)
        )
        return {
            "min_months": self.months < rules.min_months,
            "no_data": no_data,
            "min_coverage": below_cov,
            "min_band": below_band,
        }

    def columns(self, n_win: int, n_run: int) -> CandidateColumns:
        """Every candidate, best first, as columns (``n_win`` winners, then ``n_run``
        runners-up among the eligible): :meth:`candidate` for all at once."""
        o = self.order
        months = self.months[o]
        has = months > 0
        periods = np.asarray((*self.periods, ""), dtype=np.str_)
        blank = len(self.periods)
        labels = np.asarray([*self.labels, ""], dtype=np.str_)
        lowest = self.lowest[o]
        top = self.ranked_eligible[: n_win + n_run]
        won = np.isin(self.codes[o], self.codes[top[:n_win]])
        ran = np.isin(self.codes[o], self.codes[top[n_win:]])
        eligible = self.eligible[o]
        outcome = np.where(
            won,
            "winner",
            np.where(ran, "runner_up", np.where(eligible, "eligible", "not_eligible")),
        )
        return CandidateColumns(
            level=self.level,
            codes=np.asarray(self.codes[o]).astype(np.str_),
            names=np.asarray(self.names)[o].astype(np.str_),
            names_hi=np.asarray(self.names_hi)[o].astype(np.str_),
            parent_names=np.asarray(self.parent_names)[o].astype(np.str_),
            parent_names_hi=np.asarray(self.parent_names_hi)[o].astype(np.str_),
            months=months.astype(int),
            mean_score=self.mean[o].astype(float),
            improvement=self.improvement[o].astype(float),
            first_period=periods[np.where(has, self.first_i[o], blank)],
            last_period=periods[np.where(has, self.last_i[o], blank)],
            lowest_band=labels[np.where(lowest >= 0, lowest, len(self.labels))],
            mean_coverage=self.mean_cov[o].astype(float),
            criterion_value=self.crit[o].astype(float),
            eligible=eligible.astype(bool),
            place=self.place[o].astype(int),
            outcome=outcome,
            failed={rule: mask[o] for rule, mask in self.failed().items()},
            got={
                "min_months": months.astype(int),
                "min_coverage": self.mean_cov[o].astype(float),
            },
            needs={"min_months": self.rules.min_months, "min_coverage": self.rules.min_coverage},
            band=self.rules.min_band or "",
        )

    def candidate(self, i: int) -> Candidate:
        """The record of candidate ``i`` (a column index)."""
        months, mean_cov, lowest = self.months, self.mean_cov, self.lowest
        verdict = (int(months[i]), float(mean_cov[i]), int(lowest[i]), self.rules, self.band_index)
        codes, names, names_hi = self.codes, self.names, self.names_hi
        parent_names, parent_names_hi = self.parent_names, self.parent_names_hi
        mean, improvement, crit, periods = self.mean, self.improvement, self.crit, self.periods
        first_i, last_i, labels = self.first_i, self.last_i, self.labels
        eligible, place, level = self.eligible, self.place, self.level
        return Candidate(
            level=level,
            code=str(codes[i]),
            name=str(names[i]),
            name_hi=str(names_hi[i]),
            parent_name=str(parent_names[i]),
            parent_name_hi=str(parent_names_hi[i]),
            months=int(months[i]),
            mean_score=float(mean[i]),
            improvement=float(improvement[i]),
            first_period=periods[int(first_i[i])] if months[i] else "",
            last_period=periods[int(last_i[i])] if months[i] else "",
            lowest_band=labels[lowest[i]] if lowest[i] >= 0 else "",
            mean_coverage=float(mean_cov[i]),
            criterion_value=float(crit[i]),
            eligible=bool(eligible[i]),
            reasons=_reasons(*verdict),
            place=int(place[i]),
        )


def select_awards(
    panel: Panel, occasion: str, year: int, rules: AwardRules | None = None
) -> Awards:
    """Select the award winners of ``occasion`` in ``year`` from ``panel``.

    Candidates are ranked by the criterion, then — never by input order — by the last month's
    score, the mean score and finally the unit code, all descending but the code.

    Raises:
        InputError: an unknown occasion or level, a window with no scored month, or a
            ``min_band`` the framework does not have.
    """
    rules = rules or AwardRules()
    first, last = rules.window or award_window(occasion, year)
    window = (as_period(first), as_period(last))  # compared as YYYY-MM strings below
    if occasion not in OCCASIONS:
        raise InputError(f"occasion must be one of {sorted(OCCASIONS)!r}; got {occasion!r}")
    periods = tuple(p for p in panel.periods if window[0] <= p <= window[1])
    if not periods:
        raise InputError(
            f"the award window {window[0]}..{window[1]} must hold scored months; the panel has "
            f"{list(panel.periods)!r}"
        )
    fw = panel.results[0].framework
    band_index = 0
    if rules.min_band is not None:
        if rules.min_band not in fw.bands.labels:
            raise InputError(
                f"min_band must be one of {list(fw.bands.labels)!r}; got {rules.min_band!r}"
            )
        band_index = fw.bands.labels.index(rules.min_band)
    rows = [panel.periods.index(p) for p in periods]
    sub = Panel(periods, tuple(panel.results[i] for i in rows))
    unknown = [level for level in rules.levels if level not in fw.levels]
    if unknown:
        raise InputError(f"award levels must be among {list(fw.levels)!r}; got {unknown!r}")
    verdicts = {
        level: _LevelVerdicts(panel, sub, level, rules, band_index) for level in rules.levels
    }
    winners, runners, misses = {}, {}, {}
    for level, v in verdicts.items():
        n_win = rules.winners.get(level, 1)
        top = v.ranked_eligible[: n_win + rules.runners_up]
        winners[level] = tuple(v.candidate(int(i)) for i in top[:n_win])
        runners[level] = tuple(v.candidate(int(i)) for i in top[n_win:])
        # Near misses: ineligible candidates whose criterion would have placed them among the
        # winners and runners-up.
        if n_win + rules.runners_up == 0:
            bar = np.inf  # no place to miss: no near misses
        else:
            bar = v.crit[top[-1]] if len(top) == n_win + rules.runners_up else -np.inf
        with np.errstate(invalid="ignore"):
            missed = v.order[(~v.eligible & ~np.isnan(v.crit) & (v.crit >= bar))[v.order]]
        misses[level] = tuple(v.candidate(int(i)) for i in missed)

    def all_candidates(level: str) -> tuple[Candidate, ...]:
        v = verdicts[level]
        return tuple(v.candidate(int(i)) for i in v.order)

    def all_columns(level: str) -> CandidateColumns:
        return verdicts[level].columns(rules.winners.get(level, 1), rules.runners_up)

    return Awards(
        occasion=occasion,
        year=year,
        window=window,
        periods=periods,
        rules=rules,
        winners=winners,
        runners_up=runners,
        near_misses=misses,
        candidates=LazyColumns(tuple(verdicts), all_candidates),
        columns=LazyColumns(tuple(verdicts), all_columns),
        bands=fw.bands,
    )


def _parent_names(panel: Panel, level: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    result = panel.results[-1]
    d = result.framework.levels.index(level)
    lv = result.level(level)
    if d == 0:
        blank = np.full(len(lv), "", dtype=np.str_)
        return blank, blank
    above = result.levels[d - 1]
    return above.names[lv.parent], above.names_hi[lv.parent]
