"""Weights from data: PCA-derived weights (OECD/JRC Handbook) and effective weights.

Both take a matrix ``scores`` (units x children, float64, NaN = missing) and use the rows
where every child is present. numpy only: the eigen-decomposition is ``numpy.linalg.eigh``
and the varimax rotation is Kaiser's iteration (a loop over iterations, never over units).
The formulas are in ``docs/method.md``.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray
from egov_score.exceptions import ScoringError

__all__ = ["PcaWeights", "effective_weights", "pca_weights", "varimax"]

Matrix = npt.NDArray[np.float64]


@attrs.frozen
class PcaWeights:
    """The weights a principal component analysis gives a group's children.

    Attributes:
        weights: one per child, summing to 1.
        eigenvalues: of the children's correlation matrix, largest first.
        loadings: children x retained factors, after the varimax rotation.
        factor: the retained factor each child is assigned to (its largest squared loading).
        explained: the variance each retained factor explains after rotation (the column sums
            of the squared rotated loadings).
        rows: how many units (complete rows) the analysis used.
    """

    weights: FloatArray = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    eigenvalues: FloatArray = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    loadings: Matrix = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    factor: npt.NDArray[np.intp] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    explained: FloatArray = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    rows: int


def varimax(loadings: Matrix, *, normalise: bool = True, tol: float = 1e-13) -> Matrix:
    """Kaiser's varimax rotation of ``loadings`` (variables x factors), with Kaiser's row
    normalisation by default, by the iteration of R's ``stats::varimax`` started from the
    unrotated loadings; it stops when no element of the rotation moves by more than ``tol``
    (at most 1000 iterations)."""
    p, k = loadings.shape
    if k < 2:
        return loadings.copy()
    scale = np.sqrt((loadings**2).sum(axis=1)) if normalise else np.ones(p)
    scale = np.where(scale > 0, scale, 1.0)
    x = loadings / scale[:, np.newaxis]
    rotation = np.eye(k)
    for _ in range(1000):  # iterations of the rotation, not units
        z = x @ rotation
        b = x.T @ (z**3 - z * ((z**2).sum(axis=0) / p))
        u, _, vt = np.linalg.svd(b)
        previous, rotation = rotation, u @ vt
        if np.abs(rotation - previous).max() <= tol:
            break
    return np.asarray((x @ rotation) * scale[:, np.newaxis], dtype=np.float64)


def pca_weights(scores: Matrix) -> PcaWeights:
    """Weights by the OECD/JRC Handbook's rule (section 6.1, the TAI example).

    On the rows where every child is present: the children's correlation matrix is
    eigen-decomposed; the factors with eigenvalue > 1 are retained (the first one at least)
    and rotated by varimax; each factor's squared loadings are scaled to unity sum; each child
    is assigned to the factor it loads most on (largest scaled squared loading) and weighted by
    that scaled squared loading times the factor's share of the variance the retained factors
    explain. The weights are scaled to sum to 1.

    Raises:
        ScoringError: fewer than three complete rows or two children, or a child constant
            over the complete rows (its correlations are undefined).
    """
    complete = scores[~np.isnan(scores).any(axis=1)]
    n, k = complete.shape
    if k < 2 or n < 3:
        raise ScoringError(
            f"PCA weights need at least 2 children and 3 units with every child present; "
            f"got {k} children and {n} complete units"
        )
    sd = complete.std(axis=0, ddof=1)
    flat = np.flatnonzero(~(sd > 1e-12 * np.maximum(np.abs(complete).max(axis=0), 1e-300)))
    if len(flat):
        raise ScoringError(
            f"PCA weights need every child to vary over the complete units; got child "
            f"{int(flat[0])} constant"
        )
    corr = np.corrcoef(complete, rowvar=False)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    keep = max(1, int((values > 1.0).sum()))
    # Signs: each factor's loadings summing to a positive number, so results are reproducible.
    signs = np.where(vectors[:, :keep].sum(axis=0) < 0, -1.0, 1.0)
    loadings = vectors[:, :keep] * np.sqrt(values[:keep]) * signs
    rotated = varimax(loadings)
    squared = rotated**2
    explained = squared.sum(axis=0)
    scaled = squared / explained
    factor = np.argmax(scaled, axis=1).astype(np.intp)
    rows = np.arange(k)
    weights = scaled[rows, factor] * (explained[factor] / explained.sum())
    weights = weights / weights.sum()
    return PcaWeights(
        weights=np.asarray(weights, dtype=np.float64),
        eigenvalues=np.asarray(values, dtype=np.float64),
        loadings=np.asarray(rotated, dtype=np.float64),
        factor=factor,
        explained=np.asarray(explained, dtype=np.float64),
        rows=n,
    )


def effective_weights(scores: Matrix, weights: FloatArray) -> FloatArray:
    """Each child's share of the variance of the weighted arithmetic mean of the children.

    With ``y = sum(w_i x_i) / sum(w)`` over the rows where every child is present, child
    ``i``'s share is ``cov(w_i x_i / sum(w), y) / var(y)``; the shares sum to 1. Nominal
    weights say what a child is meant to count; these say what it does count, given how its
    scores spread and correlate (a child with weight 1/2 whose scores barely vary moves the
    composite little). NaN for every child when fewer than two complete rows remain or the
    mean is constant.
    """
    k = scores.shape[1]
    complete = scores[~np.isnan(scores).any(axis=1)]
    total = float(weights.sum())
    if len(complete) < 2 or total <= 0:
        return np.full(k, np.nan)
    terms = complete * (weights / total)
    y = terms.sum(axis=1)
    var = float(y.var(ddof=1))
    if not var > 1e-12 * max(float(np.abs(y).max()), 1e-300) ** 2:
        return np.full(k, np.nan)
    cov = ((terms - terms.mean(axis=0)) * (y - y.mean())[:, np.newaxis]).sum(axis=0) / (len(y) - 1)
    return np.asarray(cov / var, dtype=np.float64)
