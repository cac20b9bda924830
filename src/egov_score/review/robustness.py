"""How robust the review's calls are under plausible method choices (issue 15, points 4-5).

An uncertainty and sensitivity analysis (:class:`~egov_score.model.sensitivity.Sensitivity`)
scores the same data many times, each run under one plausible set of method choices. This
module turns its answer into what the review shows where decisions are made, as data (the
render layer words it):

- :func:`rank_interval`: a unit's rank with its interval for its report card;
- :func:`call_robustness`: whether the division page's "told to improve" (weak) and "praised"
  (strong) calls hold in enough runs;
- :func:`award_robustness`: how often each award candidate wins across the runs, the award
  criterion applied to every run's composite scores over the award window.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from egov_score._arrays import FloatArray, StrArray, array_eq, readonly
from egov_score.exceptions import InputError
from egov_score.model.sensitivity import RankStatistics, Sensitivity
from egov_score.review.awards import Awards

__all__ = [
    "AwardRobustness",
    "CallRobustness",
    "RankInterval",
    "award_robustness",
    "call_robustness",
    "rank_interval",
    "robustness_by_level",
    "win_shares",
]


@attrs.frozen(kw_only=True)
class RankInterval:
    """One unit's rank under the nominal choices and under the plausible ones.

    Attributes:
        scope: ``level`` (among all units of the level) or ``parent`` (among the parent's
            children).
        nominal: the rank under the framework's own choices (0: unranked).
        low, high: the better and the worse end of the rank interval (0: never ranked).
        median: the median rank over the runs in which the unit is ranked (NaN: never).
        ranked_share: the share of runs in which the unit is ranked at all.
        runs: how many runs the analysis scored.
        interval: the quantiles of the interval, e.g. ``(0.05, 0.95)``.
    """

    scope: str
    nominal: int
    low: int
    high: int
    median: float
    ranked_share: float
    runs: int
    interval: tuple[float, float]

    @property
    def never_ranked(self) -> bool:
        """The unit is ranked in no run."""
        return self.ranked_share == 0

    @property
    def sometimes_unranked(self) -> bool:
        """The unit is left unranked in some runs, but not all."""
        return 0 < self.ranked_share < 1


def _statistics(
    sensitivity: Sensitivity, level: str, period: str, scope: str
) -> RankStatistics | None:
    found = sensitivity.levels.get((period, level))
    if found is None:
        return None
    return found.ranks if scope == "level" else found.parent_ranks


def rank_interval(
    sensitivity: Sensitivity, level: str, code: str, period: str, scope: str = "level"
) -> RankInterval | None:
    """The rank interval of unit ``code`` of ``level`` in ``period``; None when the analysis
    does not cover that level, period or scope (the card then shows the rank alone).

    Raises:
        InputError: the level is analysed but ``code`` is not one of its units.
    """
    stats = _statistics(sensitivity, level, period, scope)
    if stats is None:
        return None
    i = stats.index(code)
    return RankInterval(
        scope=scope,
        nominal=int(stats.nominal[i]),
        low=int(stats.low[i]),
        high=int(stats.high[i]),
        median=float(stats.median[i]),
        ranked_share=float(stats.ranked_share[i]),
        runs=sensitivity.runs,
        interval=sensitivity.interval,
    )


@attrs.frozen(kw_only=True)
class CallRobustness:
    """Whether a "weak" or "strong" call on one unit holds across the runs.

    A unit told to improve is among the bottom ``k`` of its level (``k`` =
    ``Sensitivity.bottom_k``) in ``share`` of the runs; a unit praised is among the top ``k``
    (``Sensitivity.top_k``). The call is robust when ``share >= robust_share``.

    Attributes:
        call: ``weak`` or ``strong``.
        k: the k of the top or bottom k.
        share: the share of runs in which the unit is among them.
        robust_share: the threshold.
    """

    call: str
    k: int
    share: float
    robust_share: float

    @property
    def robust(self) -> bool:
        """Whether the call holds in at least ``robust_share`` of the runs."""
        return self.share >= self.robust_share


def call_robustness(
    sensitivity: Sensitivity, level: str, code: str, period: str, call: str
) -> CallRobustness | None:
    """How robust the ``call`` (``weak`` or ``strong``) on unit ``code`` is; None when the
    analysis does not cover the level and period.

    Raises:
        InputError: an unknown call, or a unit the analysed level does not hold.
    """
    if call not in ("weak", "strong"):
        raise InputError(f"call must be 'weak' or 'strong'; got {call!r}")
    stats = _statistics(sensitivity, level, period, "level")
    if stats is None:
        return None
    i = stats.index(code)
    strong = call == "strong"
    share = stats.top_share[i] if strong else stats.bottom_share[i]
    return CallRobustness(
        call=call,
        k=sensitivity.top_k if strong else sensitivity.bottom_k,
        share=0.0 if np.isnan(share) else float(share),
        robust_share=sensitivity.robust_share,
    )


@attrs.frozen(kw_only=True)
class AwardRobustness:
    """How often each candidate of one level wins the award across the runs.

    In every run the award criterion (``mean``, ``improvement`` or ``mix``, as in
    :class:`~egov_score.review.awards.AwardRules`) is applied to that run's composite scores
    over the award window; the candidates eligible in the nominal selection are ranked with
    the nominal tie-break (criterion, last month's score, mean score, code), and the first
    ``winners`` of them win that run.

    Attributes:
        level: the level.
        codes: every candidate, in the awards' order (best first).
        win_share: the share of runs each candidate wins (0 for an ineligible one).
        winners: how many win per run.
        runs: how many runs.
        robust_share: below this share of runs a winner is flagged as not robust.
    """

    level: str
    codes: StrArray = attrs.field(eq=array_eq)
    win_share: FloatArray = attrs.field(eq=array_eq)
    winners: int
    runs: int
    robust_share: float

    def share(self, code: str) -> float:
        """The share of runs ``code`` wins; an :class:`InputError` for an unknown code."""
        found = np.flatnonzero(self.codes == code)
        if not found.size:
            raise InputError(
                f"code must be one of the {self.level!r} award candidates; got {code!r}"
            )
        return float(self.win_share[found[0]])

    def robust(self, code: str) -> bool:
        """Whether ``code`` wins in at least ``robust_share`` of the runs."""
        return self.share(code) >= self.robust_share


def _window_scores(
    sensitivity: Sensitivity, level: str, periods: tuple[str, ...], codes: StrArray
) -> FloatArray | None:
    """periods × runs × candidates: every run's composite scores over the window, columns in
    the candidates' order; None when a period or its runs' scores are missing."""
    stacked = []
    for period in periods:  # a loop over the window's months
        found = sensitivity.levels.get((period, level))
        if found is None or found.scores is None:
            return None
        have = found.ranks.codes
        sorter = np.argsort(have, kind="stable")
        at = np.searchsorted(have, codes, sorter=sorter)
        at = np.minimum(at, len(have) - 1)
        column = sorter[at] if len(have) else np.zeros(len(codes), dtype=np.intp)
        known = (have[column] == codes) if len(have) else np.zeros(len(codes), dtype=bool)
        scores = np.where(known, found.scores[:, column], np.nan)
        stacked.append(scores)
    return np.stack(stacked) if stacked else None


def win_shares(
    scores: FloatArray,
    eligible: np.ndarray,
    order_of_code: np.ndarray,
    *,
    criterion: str,
    mix: float,
    winners: int,
) -> FloatArray:
    """The share of runs each candidate wins, as matrix operations over runs × candidates.

    Args:
        scores: periods × runs × candidates composite scores (NaN: no score that month).
        eligible: per candidate, whether it is eligible (as in the nominal selection).
        order_of_code: per candidate, its place when the codes are sorted (the last
            tie-break).
        criterion: ``mean``, ``improvement`` or ``mix``.
        mix: the weight of the mean in ``mix``.
        winners: how many win each run.

    Returns:
        One share per candidate.
    """
    n_periods, runs, n = scores.shape
    if runs == 0 or n == 0 or winners == 0:
        return np.zeros(n)
    has = ~np.isnan(scores)
    months = has.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(months > 0, np.nansum(scores, axis=0) / np.maximum(months, 1), np.nan)
    first_i = np.argmax(has, axis=0)
    last_i = n_periods - 1 - np.argmax(has[::-1], axis=0)
    first_s = np.take_along_axis(scores, first_i[None], axis=0)[0]
    last_s = np.take_along_axis(scores, last_i[None], axis=0)[0]
    improvement = np.where(months > 0, last_s - first_s, np.nan)
    if criterion == "mean":
        crit = mean
    elif criterion == "improvement":
        crit = improvement
    else:
        crit = mix * mean + (1 - mix) * improvement
    out_of_it = ~eligible[None, :] | np.isnan(crit)
    # Only the candidates at or above each run's winners-th best criterion can win it: found
    # by a partition (linear), then ordered by the full tie-break among themselves.
    key = np.where(out_of_it, -np.inf, crit)
    nth = min(winners, n) - 1
    bar = -np.partition(-key, nth, axis=1)[:, nth]
    rows, cols = np.nonzero((key >= bar[:, None]) & ~out_of_it)
    order = np.lexsort(
        (
            order_of_code[cols],
            -mean[rows, cols],
            -last_s[rows, cols],
            -crit[rows, cols],
            rows,
        )
    )
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, rows, side="left")  # where each run's contenders begin
    place = np.arange(len(rows)) - starts
    won = np.zeros((runs, n), dtype=bool)
    keep = place < winners
    won[rows[keep], cols[keep]] = True
    shares: FloatArray = won.mean(axis=0)
    return shares


def award_robustness(awards: Awards, sensitivity: Sensitivity) -> dict[str, AwardRobustness]:
    """How often each candidate wins across the runs, per award level.

    A level is left out when the analysis did not keep every run's composite scores
    (``LevelSensitivity.scores``) for every month of the award window.

    Args:
        awards: the nominal selection (its rules, window and eligibility are used).
        sensitivity: the analysis, with runs' scores kept for the award levels.

    Returns:
        level -> :class:`AwardRobustness`.
    """
    out = {}
    for level in awards.rules.levels:  # a loop over levels
        cols = awards.columns[level]
        codes = np.asarray(cols.codes, dtype=np.str_)
        scores = _window_scores(sensitivity, level, awards.periods, codes)
        if scores is None:
            continue
        n_win = awards.rules.winners.get(level, 1)
        order_of_code = np.empty(len(codes), dtype=np.intp)
        order_of_code[np.argsort(codes, kind="stable")] = np.arange(len(codes))
        shares = win_shares(
            scores,
            np.asarray(cols.eligible, dtype=bool),
            order_of_code,
            criterion=awards.rules.criterion,
            mix=awards.rules.mix,
            winners=n_win,
        )
        out[level] = AwardRobustness(
            level=level,
            codes=readonly(codes),
            win_share=readonly(shares.astype(np.float64)),
            winners=n_win,
            runs=int(scores.shape[1]),
            robust_share=sensitivity.robust_share,
        )
    return out


def robustness_by_level(
    awards: Awards | None, sensitivity: Sensitivity | None
) -> Mapping[str, AwardRobustness]:
    """:func:`award_robustness`, or an empty mapping without awards or an analysis."""
    if awards is None or sensitivity is None:
        return {}
    return award_robustness(awards, sensitivity)
