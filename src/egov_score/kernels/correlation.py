"""Correlation kernels for the analysis report: Pearson, Spearman and Cronbach's alpha.

Each takes a units x columns matrix (float64, NaN = missing) and returns arrays. Correlations
and covariances use pairwise-complete observations (COINr's ``get_corr`` and
``get_cronbach`` default, R's ``use = "pairwise.complete.obs"``). The loops run over pairs of
columns, never over units. The formulas are in ``docs/analysis.md``.
"""

from __future__ import annotations

import numpy as np

from egov_score._arrays import FloatArray

__all__ = [
    "average_ranks",
    "covariance_matrix",
    "cronbach_alpha",
    "pearson",
    "pearson_matrix",
    "spearman_matrix",
]


def pearson(x: FloatArray, y: FloatArray) -> float:
    """Pearson's r of ``x`` and ``y`` over the rows where both are present; NaN when fewer
    than two such rows remain or either is constant on them."""
    both = ~(np.isnan(x) | np.isnan(y))
    if np.count_nonzero(both) < 2:
        return float("nan")
    a, b = x[both], y[both]
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    if not den > 0:
        return float("nan")
    # Clipped: rounding may put a perfect correlation a hair outside [-1, 1].
    return float(np.clip(np.dot(a, b) / den, -1.0, 1.0))


def average_ranks(x: FloatArray) -> FloatArray:
    """Ranks 1..n of ``x`` (ascending), ties given their average rank, as Spearman's rho needs;
    NaN stays NaN."""
    out = np.full(len(x), np.nan)
    present = np.flatnonzero(~np.isnan(x))
    if not len(present):
        return out
    order = present[np.argsort(x[present], kind="stable")]
    ordered = x[order]
    m = len(order)
    start = np.empty(m, dtype=bool)
    start[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=start[1:])
    run = np.cumsum(start) - 1  # the tie run of each sorted position
    first = np.flatnonzero(start)
    last = np.append(first[1:], m) - 1
    mean_rank = (first + last) / 2.0 + 1.0
    out[order] = mean_rank[run]
    return out


def pearson_matrix(matrix: FloatArray) -> FloatArray:
    """Pearson's r between every two columns of ``matrix`` (pairwise-complete rows); 1 on the
    diagonal of a column with spread, NaN where undefined."""
    k = matrix.shape[1]
    out = np.full((k, k), np.nan)
    for i in range(k):  # a loop over pairs of columns
        for j in range(i, k):
            out[i, j] = out[j, i] = pearson(matrix[:, i], matrix[:, j])
    return out


def spearman_matrix(matrix: FloatArray) -> FloatArray:
    """Spearman's rho between every two columns: Pearson's r of their average ranks, ranked
    over the rows where both are present (pairwise-complete, as R's ``cor``).

    A column's ranks are made once and reused for every pair that drops none of its rows
    (the usual case); only a pair that does is ranked again over its own rows.
    """
    k = matrix.shape[1]
    present = [~np.isnan(matrix[:, i]) for i in range(k)]
    counts = [int(np.count_nonzero(p)) for p in present]
    ranks = [average_ranks(matrix[:, i]) for i in range(k)]
    out = np.full((k, k), np.nan)
    for i in range(k):  # a loop over pairs of columns
        for j in range(i, k):
            both = present[i] & present[j]
            n = int(np.count_nonzero(both))
            a = ranks[i] if n == counts[i] else average_ranks(np.where(both, matrix[:, i], np.nan))
            b = ranks[j] if n == counts[j] else average_ranks(np.where(both, matrix[:, j], np.nan))
            out[i, j] = out[j, i] = pearson(a, b)
    return out


def covariance_matrix(matrix: FloatArray) -> FloatArray:
    """Sample covariances (n - 1) between every two columns over their pairwise-complete
    rows (R's ``cov(use = "pairwise.complete.obs")``); NaN with fewer than two such rows."""
    k = matrix.shape[1]
    out = np.full((k, k), np.nan)
    for i in range(k):  # a loop over pairs of columns
        for j in range(i, k):
            both = ~(np.isnan(matrix[:, i]) | np.isnan(matrix[:, j]))
            n = int(np.count_nonzero(both))
            if n >= 2:
                a, b = matrix[both, i], matrix[both, j]
                out[i, j] = out[j, i] = float(np.dot(a - a.mean(), b - b.mean())) / (n - 1)
    return out


def cronbach_alpha(matrix: FloatArray) -> tuple[float, int]:
    """Cronbach's alpha of the columns of ``matrix``, as COINr's ``get_cronbach``, and how
    many rows have every column present.

    ``alpha = k / (k - 1) * (1 - sum(diag C) / sum(C))`` where ``C`` is the covariance matrix
    over pairwise-complete rows (undefined entries left out of the sums). On complete data
    this is the classic ``k / (k - 1) * (1 - sum(var(column)) / var(row sums))``. NaN with
    fewer than two columns or no spread.
    """
    complete = int(np.count_nonzero(np.logical_not(np.isnan(matrix).any(axis=1))))
    k = matrix.shape[1]
    if k < 2:
        return float("nan"), complete
    cov = covariance_matrix(matrix)
    total = float(np.nansum(cov))
    if not total > 0 or np.isnan(np.diag(cov)).all():
        return float("nan"), complete
    diagonal = float(np.nansum(np.diag(cov)))
    return k / (k - 1) * (1.0 - diagonal / total), complete
