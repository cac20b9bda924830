"""Progress over time: changes, delta ranks, band transitions, streaks, gap to target closed.

Every measure is computed for all units of a level at once from the panel's columns. Formulas
and the reasons behind the defaults are in ``docs/progress.md``.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq
from egov_score.exceptions import InputError
from egov_score.kernels.rank import rank_in_groups
from egov_score.review.panel import Panel

__all__ = [
    "Progress",
    "gap_closed",
    "percentage_change",
    "progress",
    "series",
    "streaks",
    "transitions",
]

RankArray = npt.NDArray[np.int64]


def series(panel: Panel, level: str, what: str = "score") -> tuple[StrArray, FloatArray]:
    """A level's codes and a periods x units matrix of ``what`` over the panel.

    Args:
        panel: the scored periods.
        level: the level.
        what: ``"score"`` (the composite), ``"rank"``, ``"band"`` (band index, -1 missing),
            ``"coverage"``, a group code (its score), an indicator code (its value),
            ``"norm:<indicator>"`` (its normalised score) or ``"rank:<group or indicator>"``
            (its rank within the level).

    Raises:
        InputError: ``what`` is none of these.
    """
    first = panel.results[0].level(level)
    rows = []
    for result in panel.results:
        lv = result.level(level)
        if what == "score":
            rows.append(lv.score)
        elif what == "rank":
            rows.append(np.where(lv.rank > 0, lv.rank, np.nan))
        elif what == "band":
            rows.append(lv.band.astype(np.float64))
        elif what == "coverage":
            rows.append(lv.coverage)
        elif what in lv.groups:
            rows.append(lv.groups[what])
        elif what in lv.indicators:
            rows.append(lv.indicators[what])
        elif what.startswith("norm:") and what[5:] in lv.normalised:
            rows.append(lv.normalised[what[5:]])
        elif what.startswith("rank:") and what[5:] in lv.groups:
            rows.append(np.where(lv.group_ranks[what[5:]] > 0, lv.group_ranks[what[5:]], np.nan))
        elif what.startswith("rank:") and what[5:] in lv.normalised:
            ranks = rank_in_groups(lv.normalised[what[5:]])
            rows.append(np.where(ranks > 0, ranks, np.nan))
        else:
            raise InputError(
                f"what must be 'score', 'rank', 'band', 'coverage', a group or an indicator "
                f"of level {level!r}; got {what!r}"
            )
    return first.codes, np.vstack(rows).astype(np.float64)


def percentage_change(now: FloatArray, base: FloatArray) -> FloatArray:
    """``(now - base) / base * 100``; missing where the baseline is 0 or missing."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base != 0, (now - base) / np.where(base != 0, base, 1.0) * 100.0, np.nan)


def gap_closed(now: FloatArray, base: FloatArray, target: float | FloatArray) -> FloatArray:
    """Share of the gap to target closed, ``(now - base) / (target - base) * 100``.

    Missing where the baseline already meets the target (no gap to close). Works for
    lower-is-better targets too (a target below the baseline).
    """
    gap = np.asarray(target, dtype=np.float64) - base
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(gap != 0, (now - base) / np.where(gap != 0, gap, 1.0) * 100.0, np.nan)


def transitions(before: IntArray, after: IntArray) -> StrArray:
    """Band transitions: ``up``, ``down``, ``same``, ``new`` (no band before), ``lost`` (no band
    now) or ``""`` (no band either time). Bands are indices, -1 = missing."""
    out = np.full(len(after), "", dtype="<U4")
    both = (before >= 0) & (after >= 0)
    out[both & (after > before)] = "up"
    out[both & (after < before)] = "down"
    out[both & (after == before)] = "same"
    out[(before < 0) & (after >= 0)] = "new"
    out[(before >= 0) & (after < 0)] = "lost"
    return out


def streaks(matrix: FloatArray) -> npt.NDArray[np.int64]:
    """Per unit, how many consecutive periods up to the last row improved on the one before.

    ``matrix`` is periods x units; a missing value ends a streak.
    """
    if len(matrix) < 2:
        return np.zeros(matrix.shape[1], dtype=np.int64)
    with np.errstate(invalid="ignore"):
        improved = matrix[1:] > matrix[:-1]  # NaN compares False
    # Count trailing True per column: cumulative product from the last period backwards.
    counts: npt.NDArray[np.int64] = np.cumprod(improved[::-1], axis=0).sum(axis=0).astype(np.int64)
    return counts


@attrs.frozen(kw_only=True)
class Progress:
    """Every progress measure of a level's units for one period against a baseline.

    Changes are in score points; ``rank_change`` is positive when a unit moved up. Delta
    ranks rank the change since the baseline (largest improvement = 1), within the level and
    within the parent; units missing either score are unranked (0).
    """

    level: str
    what: str
    period: str
    baseline: str
    previous: str | None
    codes: StrArray = attrs.field(eq=array_eq)
    score: FloatArray = attrs.field(eq=array_eq)
    base_score: FloatArray = attrs.field(eq=array_eq)
    change: FloatArray = attrs.field(eq=array_eq)
    change_since_base: FloatArray = attrs.field(eq=array_eq)
    rank_change: FloatArray = attrs.field(eq=array_eq)
    percentage_change: FloatArray = attrs.field(eq=array_eq)
    gap_closed: FloatArray = attrs.field(eq=array_eq)
    delta_rank: RankArray = attrs.field(eq=array_eq)
    delta_rank_in_parent: RankArray = attrs.field(eq=array_eq)
    transition: StrArray = attrs.field(eq=array_eq)
    streak: npt.NDArray[np.int64] = attrs.field(eq=array_eq)
    present: npt.NDArray[np.bool_] = attrs.field(eq=array_eq)


def progress(
    panel: Panel,
    level: str,
    period: str,
    *,
    baseline: str | None = None,
    target: float = 100.0,
    what: str = "score",
) -> Progress:
    """Progress of every unit of ``level`` at ``period``.

    Args:
        panel: the scored periods.
        level: the level.
        period: the period measured.
        baseline: the period compared with (default: the panel's first).
        target: the target of the share of the gap closed (default 100, the best score).
        what: ``"score"`` (the composite, default), a group code (its score) or an indicator
            code (its normalised score). Band transitions are always the composite's.

    Raises:
        InputError: a period or baseline not in the panel, or a baseline after the period.
    """
    panel.result(period)
    baseline = baseline or panel.periods[0]
    panel.result(baseline)
    p, b = panel.periods.index(period), panel.periods.index(baseline)
    if b > p:
        raise InputError(f"baseline must not come after the period; got {baseline!r} > {period!r}")
    lv = panel.results[0].level(level)
    if what == "score":
        measure, ranked = "score", "rank"
    elif what in lv.groups:
        measure, ranked = what, f"rank:{what}"
    elif what in lv.normalised:
        measure, ranked = f"norm:{what}", f"rank:{what}"
    else:
        raise InputError(
            f"what must be 'score', a group or an indicator of level {level!r}; got {what!r}"
        )
    codes, scores = series(panel, level, measure)
    _, ranks = series(panel, level, ranked)
    _, bands = series(panel, level, "band")
    now, base = scores[p], scores[b]
    prev = scores[p - 1] if p > 0 else np.full(len(now), np.nan)
    since_base = now - base
    parents = panel.results[p].level(level).parent
    return Progress(
        level=level,
        what=what,
        period=period,
        baseline=baseline,
        previous=panel.periods[p - 1] if p > 0 else None,
        codes=codes,
        score=now,
        base_score=base,
        change=now - prev,
        change_since_base=since_base,
        rank_change=(ranks[p - 1] - ranks[p]) if p > 0 else np.full(len(now), np.nan),
        percentage_change=percentage_change(now, base),
        gap_closed=gap_closed(now, base, target),
        delta_rank=rank_in_groups(since_base),
        delta_rank_in_parent=rank_in_groups(since_base, parents if parents.min() >= 0 else None),
        transition=transitions(
            bands[p - 1].astype(np.intp) if p > 0 else np.full(len(now), -1, dtype=np.intp),
            bands[p].astype(np.intp),
        ),
        streak=streaks(scores[: p + 1]),
        present=~np.isnan(now),
    )
