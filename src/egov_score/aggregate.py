"""Aggregation kernels: combine the children's scores of a group, row by row.

Each kernel takes a matrix ``scores`` (units x children, float64, NaN = missing) and the
children's ``weights`` and returns one float64 per unit. Weights are renormalised over the
children present in each row; a row with no child present is missing. Coverage (the share of
weight present) is computed by :func:`coverage`; the minimum-coverage rule is applied by the
engine. Formulas and the zero rule are in ``docs/method.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray
from egov_score.exceptions import ScoringError

__all__ = [
    "BUILTIN_AGGREGATORS",
    "Aggregator",
    "NegativeInputError",
    "arithmetic",
    "coverage",
    "generalised",
    "geometric",
    "harmonic",
]

Matrix = npt.NDArray[np.float64]
Aggregator = Callable[..., FloatArray]


class NegativeInputError(ScoringError):
    """A geometric, harmonic or generalised mean met a negative score.

    Attributes:
        row: the unit's row in the matrix.
        column: the child's column in the matrix.
        value: the offending score.
    """

    def __init__(self, method: str, row: int, column: int, value: float) -> None:
        self.row, self.column, self.value = row, column, value
        super().__init__(
            f"a {method} mean needs scores >= 0; got {value!r} (row {row}, child {column})"
        )


def coverage(scores: Matrix, weights: FloatArray) -> FloatArray:
    """Share of the children's total weight that is present in each row (0-1).

    If all weights are zero, the share of children present is used instead.
    """
    present = ~np.isnan(scores)
    total = float(weights.sum())
    if total > 0:
        return (present @ weights) / total
    return present.mean(axis=1) if scores.shape[1] else np.zeros(scores.shape[0])


def _present_weights(scores: Matrix, weights: FloatArray) -> tuple[Matrix, FloatArray]:
    w = np.where(np.isnan(scores), 0.0, weights[np.newaxis, :])
    return w, w.sum(axis=1)


def _check_non_negative(scores: Matrix, method: str) -> None:
    negative = scores < 0
    if negative.any():
        row, col = np.argwhere(negative)[0]
        raise NegativeInputError(method, int(row), int(col), float(scores[row, col]))


def arithmetic(scores: Matrix, weights: FloatArray) -> FloatArray:
    """Weighted arithmetic mean ``sum(w x) / sum(w)`` over the children present."""
    present = ~np.isnan(scores)
    # Two matrix-vector products instead of a weighted copy of the matrix.
    wsum = present @ weights
    total = np.where(present, scores, 0.0) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, total / np.where(wsum > 0, wsum, 1.0), np.nan)


def geometric(scores: Matrix, weights: FloatArray) -> FloatArray:
    """Weighted geometric mean ``exp(sum(w log x) / sum(w))`` over the children present.

    A present child scoring 0 with positive weight makes the mean 0 (its limit).

    Raises:
        NegativeInputError: a present score is negative.
    """
    _check_non_negative(scores, "geometric")
    w, wsum = _present_weights(scores, weights)
    zero = ((scores == 0) & (w > 0)).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.where(w > 0, np.log(np.where(w > 0, scores, 1.0)), 0.0)
        mean = np.exp((logs * w).sum(axis=1) / np.where(wsum > 0, wsum, 1.0))
    return np.where(wsum > 0, np.where(zero, 0.0, mean), np.nan)


def harmonic(scores: Matrix, weights: FloatArray) -> FloatArray:
    """Weighted harmonic mean ``sum(w) / sum(w / x)`` over the children present.

    A present child scoring 0 with positive weight makes the mean 0 (its limit).

    Raises:
        NegativeInputError: a present score is negative.
    """
    _check_non_negative(scores, "harmonic")
    w, wsum = _present_weights(scores, weights)
    zero = ((scores == 0) & (w > 0)).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(w > 0, w / np.where(w > 0, scores, 1.0), 0.0).sum(axis=1)
        mean = wsum / inv
    return np.where(wsum > 0, np.where(zero, 0.0, mean), np.nan)


def generalised(scores: Matrix, weights: FloatArray, p: float) -> FloatArray:
    """Weighted power mean ``(sum(w x^p) / sum(w))^(1/p)``; p = 0 is the geometric mean.

    For p < 0 a zero child makes the mean 0 (its limit), as for the harmonic mean.

    Raises:
        NegativeInputError: a present score is negative.
    """
    if p == 0:
        return geometric(scores, weights)
    if p == 1:
        return arithmetic(scores, weights)
    _check_non_negative(scores, f"generalised (p={p:g})")
    w, wsum = _present_weights(scores, weights)
    zero = ((scores == 0) & (w > 0)).any(axis=1) if p < 0 else np.zeros(len(scores), bool)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        powered = np.where(w > 0, np.where(w > 0, scores, 1.0) ** p, 0.0)
        mean = ((powered * w).sum(axis=1) / np.where(wsum > 0, wsum, 1.0)) ** (1.0 / p)
    return np.where(wsum > 0, np.where(zero, 0.0, mean), np.nan)


#: The built-in aggregation kernels by method name.
BUILTIN_AGGREGATORS: dict[str, Aggregator] = {
    "arithmetic": arithmetic,
    "geometric": geometric,
    "harmonic": harmonic,
    "generalised": generalised,
}
