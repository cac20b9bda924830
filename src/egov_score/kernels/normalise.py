"""Normalisation kernels: put an indicator on a common scale among peers, 100 = best.

Each kernel takes the indicator's values (float64, NaN = missing), the peer group of every unit
(``groups``, ``n_groups``: all units of a level, or the units under each parent) and the
indicator's direction, and returns float64 scores. Peer statistics are group reductions, so a
whole level is normalised in a few array operations. The formulas are in ``docs/method.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.exceptions import ScoringError
from egov_score.kernels.grouped import (
    group_count,
    group_max,
    group_mean,
    group_min,
    group_std,
)
from egov_score.kernels.rank import rank_in_groups

__all__ = [
    "BUILTIN_NORMALISERS",
    "DISTANCE_FORMS",
    "DISTANCE_REFERENCES",
    "HANDBOOK_CATEGORY_SCORES",
    "HANDBOOK_PERCENTILES",
    "PEER_RELATIVE",
    "PERCENTILE_FORMS",
    "Normalised",
    "Normaliser",
    "categorical",
    "distance",
    "fracmax",
    "goalposts",
    "minmax",
    "none",
    "percentile",
    "rank",
    "target",
    "zscore",
]


@attrs.frozen
class Normalised:
    """Normalised scores plus the peer groups whose scores could not be computed.

    Attributes:
        scores: float64, one per unit, NaN = missing.
        constant_groups: peer groups in which the indicator is constant (or has a single
            value), so the method is undefined there; their units are missing.
        undefined_groups: peer groups where the method has no scale for another reason
            (``fracmax``, lower is better, with a 0 among values that are not all 0); their
            units are missing and ``undefined_reason`` says why.
        undefined_reason: why, for the diagnostic.
    """

    scores: FloatArray
    constant_groups: IntArray
    undefined_groups: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.intp))
    undefined_reason: str = ""


Normaliser = Callable[..., Normalised]


def _per_unit(stat: FloatArray, groups: IntArray, n_groups: int) -> FloatArray | np.float64:
    """A per-group statistic broadcast back to every unit: a scalar when there is one group
    (no gather)."""
    return stat[0] if n_groups == 1 else stat[groups]


#: Peers whose spread is within this share of their magnitude are constant: values that differ
#: only by floating-point rounding (a mean computed in another order) must not score 0 and 100.
RELATIVE_TOLERANCE = 1e-12


def _no_spread(span: FloatArray, magnitude: FloatArray) -> npt.NDArray[np.bool_]:
    """Where a peer group's span (max - min) is zero up to rounding."""
    return span <= RELATIVE_TOLERANCE * magnitude


def _no_constant() -> IntArray:
    return np.zeros(0, dtype=np.intp)


def _oriented(values: FloatArray, direction: int) -> FloatArray:
    return values if direction > 0 else -values


def minmax(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    direction: int,
    range: tuple[float, float] | None = None,
) -> Normalised:
    """``(x - min) / (max - min) * 100`` among peers (``(max - x) / ...`` if lower is better).

    With ``range = (l, u)``: ``(x - min) / (max - min) * (u - l) + l`` (COINr ``n_minmax`` with
    ``l_u``), so the worst unit scores ``l`` and the best ``u``.

    A peer group where max == min (up to rounding: :data:`RELATIVE_TOLERANCE`) is constant: its
    units are missing and the group is reported.
    """
    x = _oriented(values, direction)
    lo, hi = group_min(x, groups, n_groups), group_max(x, groups, n_groups)
    span = hi - lo
    flat = _no_spread(span, np.maximum(np.abs(lo), np.abs(hi)))
    constant = np.flatnonzero(flat).astype(np.intp)
    with np.errstate(invalid="ignore", divide="ignore"):
        # (x - min) / span * 100 in one buffer; divide, then scale, so that the best unit
        # scores exactly 100 (x * (100 / span) may not)
        # x is a copy already when lower is better: write into it
        scores = np.subtract(x, _per_unit(lo, groups, n_groups), out=None if x is values else x)
        scores /= _per_unit(span, groups, n_groups)
        if range is None:
            scores *= 100.0
        else:
            scores *= range[1] - range[0]
            scores += range[0]
    if len(constant):
        scores[flat[groups]] = np.nan
    return Normalised(scores, constant)


def zscore(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    direction: int,
    rescale: tuple[float, float] | None = None,
) -> Normalised:
    """``direction * (x - mean) / sd`` among peers, sample sd (n - 1); optionally ``z*sd' + mean'``.

    Not bounded to 0-100. A peer group with sd == 0 or fewer than two values is constant.
    """
    x = _oriented(values, direction)
    mean, sd = group_mean(x, groups, n_groups), group_std(x, groups, n_groups)
    count = group_count(x, groups, n_groups)
    bad = (count > 0) & ~(sd > RELATIVE_TOLERANCE * np.abs(mean))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x - mean[groups]) / sd[groups]
    z[bad[groups]] = np.nan
    if rescale is not None:
        z = z * rescale[1] + rescale[0]
    return Normalised(z, np.flatnonzero(bad).astype(np.intp))


def goalposts(
    values: FloatArray, groups: IntArray, n_groups: int, direction: int, lower: float, upper: float
) -> Normalised:
    """``(x - lower) / (upper - lower) * 100`` truncated to 0-100 (``(upper - x)`` if lower is
    better). Fixed goalposts: peers do not matter."""
    del groups, n_groups
    span = upper - lower
    raw = np.subtract(values, lower) if direction > 0 else np.subtract(upper, values)
    raw /= span
    np.clip(raw, 0.0, 1.0, out=raw)
    raw *= 100.0
    return Normalised(raw, _no_constant())


def target(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    direction: int,
    target: float,
    cap: bool = True,
) -> Normalised:
    """Distance to target as in the SDG India Index, capped at 100 by default.

    Higher is better: ``(x - min) / (T - min) * 100``; lower is better:
    ``(max - x) / (max - T) * 100``, with min and max among peers. A peer group whose min (or
    max) equals the target has no distance to cover: its units score 100 if they reach the
    target.
    """
    if direction > 0:
        ref = _per_unit(group_min(values, groups, n_groups), groups, n_groups)
        num, den = values - ref, target - ref
    else:
        ref = _per_unit(group_max(values, groups, n_groups), groups, n_groups)
        num, den = ref - values, ref - target
    if np.ndim(den) == 0:  # one peer group: a scalar map, no per-unit temporaries
        if den > 0:
            num /= den  # (x - min) / (T - min) * 100 exactly as written: 100 at the target
            num *= 100.0
        else:
            num = np.where(np.isnan(values), np.nan, 100.0)
        return Normalised(np.minimum(num, 100.0, out=num) if cap else num, _no_constant())
    den = np.broadcast_to(den, values.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(den > 0, num / np.where(den > 0, den, 1.0) * 100.0, 100.0)
    scores[np.isnan(values)] = np.nan
    if cap:
        scores = np.minimum(scores, 100.0)
    return Normalised(scores, _no_constant())


def rank(values: FloatArray, groups: IntArray, n_groups: int, direction: int) -> Normalised:
    """Rank among peers, ascending so that the best unit has the highest rank (ties = min).

    As in the OECD/JRC Handbook: the lowest value ranks 1 (for lower-is-better, the highest).
    Not bounded to 0-100: it runs from 1 to the number of peers.
    """
    del n_groups
    ranks = rank_in_groups(values, groups, descending=direction < 0).astype(np.float64)
    ranks[ranks == 0] = np.nan
    return Normalised(ranks, _no_constant())


#: The forms of the percentile method: ``(rank - 1) / (n - 1)`` (the default) and ``rank / n``.
PERCENTILE_FORMS = ("(rank-1)/(n-1)", "rank/n")


def percentile(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    direction: int,
    form: str | None = None,
) -> Normalised:
    """``(rank - 1) / (n - 1) * 100`` among ``n`` peers, rank ascending with ties = min; with
    ``form = "rank/n"``: ``rank / n * 100`` (the worst unit scores ``100 / n``, not 0).

    A peer group where all values are equal (or only one is present) is constant.
    """
    ranks = rank_in_groups(values, groups, descending=direction < 0).astype(np.float64)
    n = group_count(values, groups, n_groups)
    x = _oriented(values, direction)
    constant_mask = (n > 0) & (group_min(x, groups, n_groups) == group_max(x, groups, n_groups))
    with np.errstate(invalid="ignore", divide="ignore"):
        if form == "rank/n":
            scores = ranks / n[groups] * 100.0
        else:
            scores = (ranks - 1.0) / (n[groups] - 1.0) * 100.0
    scores[(ranks == 0) | constant_mask[groups]] = np.nan
    return Normalised(scores, np.flatnonzero(constant_mask).astype(np.intp))


def fracmax(values: FloatArray, groups: IntArray, n_groups: int, direction: int) -> Normalised:
    """``x / max * 100`` among peers; lower-is-better: ``min / x * 100`` (0 scores 100).

    Needs values >= 0. A peer group whose best value is 0 (higher is better) is constant.
    Lower is better: a peer group whose best value is 0 while others are not has no ratio
    scale (``0 / x`` would score every other unit 0), so its units are missing and the group
    is reported in ``undefined_groups``; a group of zeros only scores 100 throughout.
    """
    if (values < 0).any():
        bad = float(values[values < 0][0])
        raise ScoringError(f"fracmax needs values >= 0; got {bad!r}")
    if direction > 0:
        best = group_max(values, groups, n_groups)
        constant_mask = best == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = values / best[groups] * 100.0
    else:
        best = group_min(values, groups, n_groups)
        constant_mask = np.zeros(n_groups, dtype=bool)
        undefined = (best == 0) & (group_max(values, groups, n_groups) > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = np.where(values == 0, 100.0, best[groups] / values * 100.0)
        scores[np.isnan(values) | undefined[groups]] = np.nan
        if undefined.any():
            return Normalised(
                scores,
                _no_constant(),
                np.flatnonzero(undefined).astype(np.intp),
                "lower is better and the best value is 0, so x / best has no scale",
            )
    scores[constant_mask[groups]] = np.nan
    return Normalised(scores, np.flatnonzero(constant_mask).astype(np.intp))


def none(values: FloatArray, groups: IntArray, n_groups: int, direction: int) -> Normalised:
    """Values already on 0-100: kept (``100 - x`` if lower is better).

    Raises:
        ScoringError: a value lies outside 0-100.
    """
    del groups, n_groups
    outside = (values < 0) | (values > 100)
    if outside.any():
        bad = float(values[outside][0])
        raise ScoringError(f"normalise method 'none' needs values in [0, 100]; got {bad!r}")
    return Normalised(values.copy() if direction > 0 else 100.0 - values, _no_constant())


#: What ``distance`` measures against: a named unit, the peers' mean, best or worst value.
DISTANCE_REFERENCES = ("unit", "mean", "best", "worst")
#: The forms of ``distance``: ``100 + d`` (100 = as the reference) or ``d`` itself, where
#: ``d = direction * (x - ref) / |ref| * 100``.
DISTANCE_FORMS = ("ratio", "difference")


def distance(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    direction: int,
    to: str = "mean",
    form: str | None = None,
    reference: npt.NDArray[np.bool_] | None = None,
) -> Normalised:
    """Distance to a reference among peers (OECD/JRC Handbook, Table 3, "distance to a
    reference"): ``x / ref * 100``, or with ``form = "difference"`` ``(x - ref) / ref * 100``.

    The reference of a peer group is the unit marked in ``reference`` (``to = "unit"``), the
    peers' mean, their best or their worst value. Lower is better mirrors the distance:
    ``100 - (x - ref) / |ref| * 100``, so 100 always means "as the reference" and more is
    better. Not bounded to 0-100. A peer group whose reference is 0 or missing (the reference
    unit did not report) has no distance: it is reported as constant and its units are missing.

    Raises:
        ScoringError: ``to`` is not one of :data:`DISTANCE_REFERENCES`, or is ``"unit"``
            without ``reference``.
    """
    if to == "unit":
        if reference is None:
            raise ScoringError("distance to a unit needs the reference unit; got none")
        ref = group_mean(np.where(reference, values, np.nan), groups, n_groups)
    elif to == "mean":
        ref = group_mean(values, groups, n_groups)
    elif to in ("best", "worst"):
        highest = (to == "best") == (direction > 0)
        ref = (group_max if highest else group_min)(values, groups, n_groups)
    else:
        raise ScoringError(f"distance to must be one of {list(DISTANCE_REFERENCES)!r}; got {to!r}")
    bad = ~(np.abs(ref) > 0)  # 0 or NaN: no distance to measure
    with np.errstate(invalid="ignore", divide="ignore"):
        per_unit = ref[groups]
        scores = (values - per_unit) / np.abs(per_unit) * (100.0 * direction)
    if form != "difference":
        scores += 100.0
    scores[bad[groups]] = np.nan
    counted = bad & (group_count(values, groups, n_groups) > 0)
    return Normalised(scores, np.flatnonzero(counted).astype(np.intp))


#: The OECD/JRC Handbook's example of a categorical scale (Table 3): the percentiles that
#: bound the categories and the score of each category.
HANDBOOK_PERCENTILES = (15.0, 25.0, 65.0, 85.0, 95.0)
HANDBOOK_CATEGORY_SCORES = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)


def categorical(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    direction: int,
    percentiles: tuple[float, ...] = HANDBOOK_PERCENTILES,
    scores: tuple[float, ...] = HANDBOOK_CATEGORY_SCORES,
) -> Normalised:
    """Categorical percentile bands (OECD/JRC Handbook, Table 3, "categorical scales"): a unit
    scores ``scores[i]`` where ``i`` is the number of its peers' percentiles ``P_p`` (R's type 7
    quantile, linear interpolation) that its value reaches. The Handbook's example: 0 below
    P15, 20 from P15, 40 from P25, 60 from P65, 80 from P85 and 100 from P95.

    Lower is better reverses the scale (the percentiles of ``-x``). A peer group whose values
    are all equal is constant.
    """
    x = _oriented(values, direction)
    category = np.zeros(len(x), dtype=np.intp)
    # One sort of the peers for every percentile (R's type 7, as group_quantile computes it).
    order = np.lexsort((x, groups))  # NaN sorts last within its group
    sorted_x = x[order]
    counts = np.bincount(groups[~np.isnan(x)], minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(np.bincount(groups, minlength=n_groups))[:-1]))
    has = counts > 0
    q = np.full(n_groups, np.nan)
    for p in percentiles:  # a loop over the few percentiles, never over units
        pos = (counts[has] - 1) * (p / 100.0)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, counts[has] - 1)
        a, b = sorted_x[starts[has] + lo], sorted_x[starts[has] + hi]
        q[has] = a + (b - a) * (pos - lo)
        category += x >= _per_unit(q, groups, n_groups)
    out = np.asarray(scores, dtype=np.float64)[category]
    constant_mask = (group_count(x, groups, n_groups) > 0) & (
        group_min(x, groups, n_groups) == group_max(x, groups, n_groups)
    )
    out[np.isnan(x) | constant_mask[groups]] = np.nan
    return Normalised(out, np.flatnonzero(constant_mask).astype(np.intp))


#: The built-in methods that score a unit relative to its peers: a peer group with a single
#: present value has nothing to compare with, so the engine scores it missing under these
#: (with a ``no_peers`` diagnostic; ``docs/method.md``); ``distance`` and ``categorical``
#: measure against the peers too. ``goalposts`` and ``none`` use fixed
#: scales and score a lone unit as usual.
PEER_RELATIVE = frozenset(
    {"minmax", "zscore", "target", "rank", "percentile", "fracmax", "distance", "categorical"}
)

#: The built-in normalisation kernels by method name.
BUILTIN_NORMALISERS: dict[str, Normaliser] = {
    "minmax": minmax,
    "zscore": zscore,
    "goalposts": goalposts,
    "target": target,
    "rank": rank,
    "percentile": percentile,
    "fracmax": fracmax,
    "none": none,
    "distance": distance,
    "categorical": categorical,
}
