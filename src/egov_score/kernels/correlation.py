"""Correlation kernels for the analysis report: Pearson, Spearman and Cronbach's alpha.

Each takes a units x columns matrix (float64, NaN = missing) and returns arrays. Correlations
use pairwise-complete observations (COINr's ``get_corr`` default, R's
``use = "pairwise.complete.obs"``); Cronbach's alpha uses the complete rows (COINr's
``get_cronbach``, ``na.omit``). The loops run over pairs of columns, never over units. The
formulas are in ``docs/analysis.md``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray

__all__ = ["average_ranks", "cronbach_alpha", "pearson", "pearson_matrix", "spearman_matrix"]


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
    over the rows where both are present (pairwise-complete, as R's ``cor``)."""
    k = matrix.shape[1]
    out = np.full((k, k), np.nan)
    for i in range(k):  # a loop over pairs of columns
        for j in range(i, k):
            both = ~(np.isnan(matrix[:, i]) | np.isnan(matrix[:, j]))
            a, b = matrix[both, i], matrix[both, j]
            out[i, j] = out[j, i] = pearson(average_ranks(a), average_ranks(b))
    return out


def cronbach_alpha(matrix: FloatArray) -> tuple[float, int]:
    """Cronbach's alpha of the columns of ``matrix`` over its complete rows, and how many rows
    that is.

    ``alpha = k / (k - 1) * (1 - sum(var(column)) / var(row sums))`` with sample variances
    (n - 1). NaN with fewer than two columns, fewer than two complete rows, or row sums
    without spread.
    """
    complete: npt.NDArray[np.bool_] = np.logical_not(np.isnan(matrix).any(axis=1))
    rows = matrix[complete]
    n, k = rows.shape
    if k < 2 or n < 2:
        return float("nan"), int(n)
    total_var = float(np.var(rows.sum(axis=1), ddof=1))
    if not total_var > 0:
        return float("nan"), int(n)
    item_var = float(np.var(rows, axis=0, ddof=1).sum())
    return k / (k - 1) * (1.0 - item_var / total_var), int(n)
