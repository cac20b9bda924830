"""Roll-up kernels: carry a field from the level where it is measured to a level above.

Every rule is taken over all the units at the field's own level below each target unit (a
district's ``mean`` is the mean over its machines, not a mean of block means). Missing values
are skipped; a unit with no reporting unit below it is missing, never 0.

The rules are computed through *partials* that combine exactly level by level — (sum, count)
for ``sum`` and ``mean``, (Σ w·x, Σ w) for ``weighted_mean``, the extreme for ``min`` and
``max`` — so the engine reads the units of the field's own level once and then climbs the
(much smaller) levels above: :func:`partials` at the own level, :func:`combine` one level up,
:func:`finish` to values. :func:`roll_up` does all three in one call.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.exceptions import ScoringError
from egov_score.kernels.grouped import Grouping

__all__ = ["RULES", "Partials", "combine", "finish", "partials", "roll_up"]

#: The roll-up rules.
RULES = ("sum", "mean", "min", "max", "weighted_mean")

#: The partial aggregates of one column on one level.
Partials = tuple[FloatArray, ...]


def _check_rule(rule: str) -> None:
    if rule not in RULES:
        raise ScoringError(f"rollup must be one of {list(RULES)!r}; got {rule!r}")


def partials(
    values: FloatArray,
    rule: str,
    weights: FloatArray | None = None,
    present: npt.NDArray[np.bool_] | None = None,
) -> Partials:
    """The partials of a column on its own level; ``present`` (default: not NaN) says which
    units count.

    Raises:
        ScoringError: an unknown rule; a ``weighted_mean`` without weights or with a negative
            weight.
    """
    _check_rule(rule)
    if present is None:
        present = ~np.isnan(values)
    if rule in ("min", "max"):
        return (np.where(present, values, np.nan),)
    if rule == "weighted_mean":
        if weights is None:
            raise ScoringError("a weighted_mean roll-up needs weights; got none")
        if (weights < 0).any():
            bad = float(weights[weights < 0][0])
            raise ScoringError(f"weighted_mean weights must be >= 0; got {bad!r}")
        both = present & ~np.isnan(weights)
        w = np.where(both, weights, 0.0)
        return np.where(both, values, 0.0) * w, w
    # bincount takes the bool mask as weights directly; no float copy is needed here
    return np.where(present, values, 0.0), present  # type: ignore[return-value]


def combine(parts: Partials, groups: IntArray | Grouping, n_groups: int, rule: str) -> Partials:
    """The partials one level up: ``groups`` gives each unit's parent index (or is a prepared
    :class:`~egov_score.kernels.grouped.Grouping` of them)."""
    grouping = groups if isinstance(groups, Grouping) else Grouping(groups, n_groups)
    if rule == "min":
        return (grouping.min(parts[0]),)
    if rule == "max":
        return (grouping.max(parts[0]),)
    return tuple(grouping.sum(p) for p in parts)


def finish(parts: Partials, rule: str) -> FloatArray:
    """Values from partials: NaN where no unit below reported (or the weights sum to 0)."""
    if rule in ("min", "max"):
        return parts[0]
    total, count = parts
    if rule == "sum":
        return np.where(count > 0, total, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)


def roll_up(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    rule: str,
    weights: FloatArray | None = None,
) -> FloatArray:
    """Roll ``values`` up into ``n_groups`` ancestors with ``rule`` in one step.

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
    return finish(combine(partials(values, rule, weights), groups, n_groups, rule), rule)
