"""The words of uncertainty where decisions are made: rank intervals, "not robust" flags.

Shared by the cards (:mod:`~egov_score.render.card`), the division page
(:mod:`~egov_score.render.review`), the awards (:mod:`~egov_score.render.awards`) and the
sensitivity page (:mod:`~egov_score.render.sensitivity`); every word comes from the message
catalogue of the language asked for (``rank_interval*``, ``robust.*``).
"""

from __future__ import annotations

import numpy as np

from egov_score._arrays import StrArray
from egov_score.render.messages import gettext
from egov_score.render.numbers import format_count, format_number
from egov_score.review.division import Review
from egov_score.review.robustness import (
    CallRobustness,
    RankInterval,
    call_robustness,
)

__all__ = [
    "call_flag",
    "call_text",
    "interval_table",
    "interval_text",
    "percent_text",
    "win_text",
    "with_interval",
]


def percent_text(share: float, lang: str) -> str:
    """A share 0-1 as a whole percentage in ``lang``'s digits: ``0.725`` → ``"72 %"``."""
    return f"{format_number(100 * share, lang, 0)} %"


def interval_text(interval: RankInterval | None, lang: str) -> str:
    """The interval after a rank: ``"(2–5 under plausible method choices)"``, ``"(the same
    under every plausible method choice)"`` or ``"(not ranked under any plausible method
    choice)"``, with ``"; not ranked in 12 % of runs"`` for a unit left unranked in some runs;
    ``""`` without an interval."""
    if interval is None:
        return ""
    if interval.never_ranked:
        return f"({gettext(lang, 'rank_interval.never')})"
    low, high = format_count(interval.low, lang), format_count(interval.high, lang)
    key = "rank_interval.same" if interval.low == interval.high else "rank_interval"
    parts = [gettext(lang, key, low=low, high=high)]
    if interval.sometimes_unranked:
        unranked = percent_text(1 - interval.ranked_share, lang)
        parts.append(gettext(lang, "rank_interval.unranked", share=unranked))
    return f"({'; '.join(parts)})"


def with_interval(rank_text: str, interval: RankInterval | None, lang: str) -> str:
    """``rank_text`` followed by its interval (:func:`interval_text`), or alone."""
    extra = interval_text(interval, lang)
    return f"{rank_text} {extra}" if extra else rank_text


def call_text(call: CallRobustness | None, lang: str) -> str:
    """``"(not robust: among the bottom 3 in 45 % of runs)"`` for a call that does not hold
    in enough runs; ``""`` for a robust one or without an analysis."""
    if call is None or call.robust:
        return ""
    words = gettext(
        lang,
        f"robust.{call.call}",
        k=format_count(call.k, lang),
        share=percent_text(call.share, lang),
    )
    return f"({words})"


def win_text(share: float, robust: bool, lang: str) -> str:
    """``"wins in 72 % of runs"``, and ``"; not robust"`` below the threshold."""
    text = gettext(lang, "robust.wins", share=percent_text(share, lang))
    return text if robust else f"{text}; {gettext(lang, 'robust.not_robust')}"


def call_flag(rv: Review, code: str, call: str, lang: str) -> str:
    """`` (not robust: …)`` after a division-page call on district ``code`` (``weak`` or
    ``strong``) that holds in fewer than ``robust_share`` of the runs; ``""`` otherwise."""
    sensitivity = rv.sensitivity
    if sensitivity is None:
        return ""
    level = rv.result.levels[1].level
    text = call_text(call_robustness(sensitivity, level, code, rv.period, call), lang)
    return f" {text}" if text else ""


def interval_table(rv: Review, level: str, lang: str) -> tuple[list[str], list[list[str]]] | None:
    """A level's units by nominal rank with their rank intervals, median rank and top-k /
    bottom-k shares (the division page's table of the districts); None without an analysis
    of the level in the review month."""
    sensitivity = rv.sensitivity
    found = None if sensitivity is None else sensitivity.levels.get((rv.period, level))
    if sensitivity is None or found is None:
        return None
    stats = found.ranks
    lv = rv.result.level(level)
    names = lv.names_hi if lang == "hi" else lv.names
    shown = _names(stats.codes, lv.codes, names, lv.names)
    header = [
        gettext(lang, "rank"),
        gettext(lang, level),
        gettext(lang, "robust.interval"),
        gettext(lang, "robust.median"),
        gettext(lang, "robust.top", k=format_count(sensitivity.top_k, lang)),
        gettext(lang, "robust.bottom", k=format_count(sensitivity.bottom_k, lang)),
    ]
    order = np.lexsort((stats.codes, np.where(stats.nominal > 0, stats.nominal, 1 << 30)))
    rows = []
    for i in order:  # one row per district: a handful
        low, high = int(stats.low[i]), int(stats.high[i])
        rows.append(
            [
                format_count(int(stats.nominal[i]), lang) if stats.nominal[i] else "–",
                shown[i],
                f"{format_count(low, lang)}–{format_count(high, lang)}" if low else "–",
                format_number(float(stats.median[i]), lang, 1),
                percent_text(float(stats.top_share[i]), lang),
                percent_text(float(stats.bottom_share[i]), lang),
            ]
        )
    return header, rows


def _names(
    codes: StrArray, level_codes: StrArray, names: StrArray, fallback: StrArray
) -> list[str]:
    """The name of each code in ``lang`` (the English one where the Hindi is blank), the code
    itself where the level does not hold it."""
    sorter = np.argsort(level_codes, kind="stable")
    at = np.minimum(np.searchsorted(level_codes, codes, sorter=sorter), len(level_codes) - 1)
    j = sorter[at]
    known = level_codes[j] == codes
    chosen = np.where(names[j] != "", names[j], fallback[j])
    shown: list[str] = np.where(known, chosen, codes).tolist()
    return shown
