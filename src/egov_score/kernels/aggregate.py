"""Aggregation kernels: combine the children's scores of a group, row by row.

Each kernel takes a matrix ``scores`` (units x children, float64, NaN = missing) and the
children's ``weights`` and returns one float64 per unit. Weights are renormalised over the
children present in each row; a row with no child present is missing. Coverage (the share of
weight present) is computed by :func:`coverage`; the minimum-coverage rule is applied by the
engine. Formulas and the zero rule are in ``docs/method.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray
from egov_score.exceptions import ScoringError
from egov_score.kernels.ordinal import borda, copeland, median

__all__ = [
    "BUILTIN_AGGREGATORS",
    "PEER_AGGREGATORS",
    "Aggregator",
    "NegativeInputError",
    "arithmetic",
    "arithmetic_columns",
    "arithmetic_with_coverage",
    "coverage",
    "coverage_columns",
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


#: Children beyond this many are aggregated through a matrix instead of presence patterns.
_MAX_PATTERN_CHILDREN = 16


def _patterns(columns: Sequence[FloatArray]) -> npt.NDArray[np.uint16]:
    """Which children are present in each row, as bits (child j = bit j)."""
    n = len(columns[0]) if columns else 0
    pattern = np.zeros(n, dtype=np.uint16)
    bit = np.empty(n, dtype=np.uint16)
    present = np.empty(n, dtype=bool)
    for j, col in enumerate(columns):
        np.isnan(col, out=present)
        np.logical_not(present, out=present)
        np.left_shift(present, j, out=bit, dtype=np.uint16)
        pattern |= bit
    return pattern


def _pattern_tables(weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """For every presence pattern: the weight present and the coverage."""
    k = len(weights)
    bits = (np.arange(1 << k)[:, np.newaxis] >> np.arange(k)) & 1
    present_weight = bits @ weights
    total = float(weights.sum())
    cov = present_weight / total if total > 0 else bits.mean(axis=1)
    return np.asarray(present_weight, dtype=np.float64), np.asarray(cov, dtype=np.float64)


def coverage_columns(columns: Sequence[FloatArray], weights: FloatArray) -> FloatArray:
    """:func:`coverage` of children given as separate columns, without building the matrix."""
    if not columns or len(columns) > _MAX_PATTERN_CHILDREN:
        return coverage(_matrix(columns), weights)
    return _pattern_tables(weights)[1][_patterns(columns)]


def _matrix(columns: Sequence[FloatArray]) -> Matrix:
    return np.column_stack(columns) if columns else np.zeros((0, 0))


def arithmetic_columns(
    columns: Sequence[FloatArray], weights: FloatArray, min_coverage: float = 0.0
) -> FloatArray:
    """:func:`arithmetic` of children given as separate columns, with the minimum-coverage
    rule applied, in one pass over each child and without a units x children matrix.

    The weight present in a row depends only on which children are present, so it is looked
    up from a table of the 2**k presence patterns instead of being summed row by row.

    Args:
        columns: one float64 column per child (NaN = missing), all of one length.
        weights: the children's weights.
        min_coverage: rows whose coverage (:func:`coverage`) is below this, less 1e-12 for
            rounding, are missing.

    Returns:
        float64 scores; NaN where no child with weight is present or coverage is too low.
    """
    return _fused_arithmetic(columns, weights, min_coverage, with_coverage=False)[0]


def arithmetic_with_coverage(
    columns: Sequence[FloatArray], weights: FloatArray, min_coverage: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """:func:`arithmetic_columns` and :func:`coverage_columns` of the same children in one
    go: the coverage is looked up from the presence patterns the mean has found."""
    scores, cov = _fused_arithmetic(columns, weights, min_coverage, with_coverage=True)
    assert cov is not None  # asked for
    return scores, cov


def _fused_arithmetic(
    columns: Sequence[FloatArray], weights: FloatArray, min_coverage: float, with_coverage: bool
) -> tuple[FloatArray, FloatArray | None]:
    """:func:`arithmetic_columns`, and with ``with_coverage`` :func:`coverage_columns`."""
    if not columns or len(columns) > _MAX_PATTERN_CHILDREN:
        matrix = _matrix(columns)
        share = coverage(matrix, weights)
        scores = np.where(share + 1e-12 >= min_coverage, arithmetic(matrix, weights), np.nan)
        return scores, share if with_coverage else None
    pattern = _patterns(columns)
    total = _weighted_sum(columns, weights.tolist(), pattern)
    present_weight, cov_table = _pattern_tables(weights)
    usable = (present_weight > 0) & (cov_table + 1e-12 >= min_coverage)
    total /= np.where(usable, present_weight, np.nan)[pattern]  # NaN where not usable
    return total, cov_table[pattern] if with_coverage else None


def _weighted_sum(
    columns: Sequence[FloatArray], weights: list[float], pattern: npt.NDArray[np.uint16]
) -> FloatArray:
    """``sum(w_j x_j)`` over the children, from 0.0 in the children's order, a missing
    child's term (its bit clear in the rows' presence ``pattern``) 0.0."""
    n = len(columns[0])
    total = np.zeros(n)
    term = np.empty(n)
    bit = np.empty(n, dtype=np.uint16)
    missing = np.empty(n, dtype=bool)
    for j, (col, w) in enumerate(zip(columns, weights, strict=True)):
        np.multiply(col, w, out=term)
        np.bitwise_and(pattern, 1 << j, out=bit)  # child j's bit: read 2 bytes, not 8
        np.equal(bit, 0, out=missing)
        np.putmask(term, missing, 0.0)
        total += term
    return total


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
    "median": median,
    "borda": borda,
    "copeland": copeland,
}
#: Aggregation methods that compare a unit with its peers: the engine passes them ``groups``.
PEER_AGGREGATORS = frozenset({"borda", "copeland"})
