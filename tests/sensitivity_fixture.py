"""A sensitivity analysis built by hand for the tests of the cards, division page, awards and
sensitivity page: every run's composite scores are the nominal scores plus seeded noise, and
the rank statistics are computed the slow, obvious way (a loop over runs and units)."""

from __future__ import annotations

import numpy as np

from egov_score.model.sensitivity import LevelSensitivity, RankStatistics, Sensitivity
from egov_score.review.panel import Panel


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks (1 = best) of one run's scores, ties by position; 0 for NaN."""
    out = np.zeros(len(scores), dtype=np.int64)
    ranked = [i for i in range(len(scores)) if not np.isnan(scores[i])]
    ranked.sort(key=lambda i: (-scores[i], i))
    for place, i in enumerate(ranked, start=1):
        out[i] = place
    return out


def stats_of(
    level: str,
    scope: str,
    codes: np.ndarray,
    nominal: np.ndarray,
    runs: np.ndarray,
    interval: tuple[float, float],
    k: int,
) -> RankStatistics:
    """Rank statistics of ``runs`` (runs × units ranks, 0 unranked), the slow way."""
    n = runs.shape[1]
    median, low, high = np.full(n, np.nan), np.zeros(n, np.int64), np.zeros(n, np.int64)
    top, bottom, ranked = np.zeros(n), np.zeros(n), np.zeros(n)
    for u in range(n):
        got = runs[:, u][runs[:, u] > 0]
        ranked[u] = len(got) / runs.shape[0]
        if len(got):
            median[u] = float(np.median(got))
            low[u] = int(np.round(np.quantile(got, interval[0])))
            high[u] = int(np.round(np.quantile(got, interval[1])))
        for r in range(runs.shape[0]):
            m = int((runs[r] > 0).sum())
            if runs[r, u] > 0:
                top[u] += runs[r, u] <= k
                bottom[u] += runs[r, u] > m - k
        top[u] /= runs.shape[0]
        bottom[u] /= runs.shape[0]
    return RankStatistics(
        level=level,
        scope=scope,
        codes=codes,
        nominal=nominal.astype(np.int64),
        median=median,
        low=low,
        high=high,
        top_share=top,
        bottom_share=bottom,
        ranked_share=ranked,
    )


def hand_sensitivity(
    panel: Panel,
    *,
    runs: int = 40,
    noise: float = 3.0,
    seed: int = 7,
    levels: tuple[str, ...] = ("district", "block"),
    k: int = 1,
    robust_share: float = 0.6,
    drop: float = 0.0,
) -> Sensitivity:
    """Every period and level of ``panel`` analysed with ``runs`` noisy runs; ``drop`` is the
    chance a unit's score is missing in a run (so it goes unranked there)."""
    rng = np.random.default_rng(seed)
    found = {}
    for result in panel.results:
        for level in levels:
            lv = result.level(level)
            base = lv.score
            scores = base[None, :] + rng.normal(0.0, noise, size=(runs, len(base)))
            scores[rng.random(scores.shape) < drop] = np.nan
            ranks = np.stack([_ranks(row) for row in scores])
            stats = stats_of(level, "level", lv.codes, lv.rank, ranks, (0.05, 0.95), k)
            parent_ranks = np.zeros_like(ranks)
            for p in np.unique(lv.parent):
                members = np.flatnonzero(lv.parent == p)
                for r in range(runs):
                    parent_ranks[r, members] = _ranks(scores[r, members])
            parent = stats_of(
                level, "parent", lv.codes, lv.rank_in_parent, parent_ranks, (0.05, 0.95), k
            )
            found[(result.period, level)] = LevelSensitivity(
                level=level, period=result.period, ranks=stats, parent_ranks=parent, scores=scores
            )
    return Sensitivity(
        runs=runs,
        seed=seed,
        choices=("weights", "normalisation"),
        interval=(0.05, 0.95),
        top_k=k,
        bottom_k=k,
        robust_share=robust_share,
        levels=found,
    )
