"""Roll-up kernels: carry a field from the level where it is measured to a level above.

Every rule is taken over all the units at the field's own level below each target unit (a
district's ``mean`` is the mean over its machines, not a mean of block means). Missing values
are skipped; a unit with no reporting unit below it is missing, never 0.
"""

from __future__ import annotations

import numpy as np

from egov_score._arrays import FloatArray, IntArray
from egov_score._grouped import (
    group_max,
    group_mean,
    group_min,
    group_sum,
)
from egov_score.exceptions import ScoringError

__all__ = ["roll_up"]


def roll_up(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    rule: str,
    weights: FloatArray | None = None,
) -> FloatArray:
    """Roll ``values`` up into ``n_groups`` ancestors with ``rule``.

    Args:
        values: the field on its own level (NaN = missing).
        groups: for every unit of that level, the index of its ancestor on the target level.
        n_groups: the number of units on the target level.
        rule: ``sum``, ``mean``, ``min``, ``max`` or ``weighted_mean``.
        weights: for ``weighted_mean``, the weighting field on the same level; a unit counts
            only where both its value and its weight are present.

    Returns:
        float64, one value per target unit; NaN where no unit below reported.

    Raises:
        ScoringError: an unknown rule, a missing or negative weight column.
    """
    if rule == "sum":
        return group_sum(values, groups, n_groups)
    if rule == "mean":
        return group_mean(values, groups, n_groups)
    if rule == "min":
        return group_min(values, groups, n_groups)
    if rule == "max":
        return group_max(values, groups, n_groups)
    if rule == "weighted_mean":
        if weights is None:
            raise ScoringError("a weighted_mean roll-up needs weights; got none")
        if (weights < 0).any():
            bad = float(weights[weights < 0][0])
            raise ScoringError(f"weighted_mean weights must be >= 0; got {bad!r}")
        both = ~np.isnan(values) & ~np.isnan(weights)
        w = np.where(both, weights, 0.0)
        num = np.bincount(groups, weights=np.where(both, values, 0.0) * w, minlength=n_groups)
        den = np.bincount(groups, weights=w, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    raise ScoringError(f"rollup must be one of sum, mean, min, max, weighted_mean; got {rule!r}")
