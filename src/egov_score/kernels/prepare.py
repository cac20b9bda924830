"""Data preparation before normalisation: imputation, outlier treatment and screening.

Every function takes whole columns and group labels (``groups``: an intp label per row in
``[0, n_groups)``; the peers of a row are the rows with its label) and returns whole columns.
The only Python loops run over the few winsorisation steps (at most ``winmax``) and over
quantiles, never over rows. The formulas are COINr's (``R/impute.R``, ``R/treat.R``); the
documentation is ``docs/analysis.md``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.kernels.grouped import group_max, group_mean, group_min

__all__ = [
    "TREATMENTS",
    "Treated",
    "boxcox",
    "carry_forward",
    "coinr_treat",
    "group_kurtosis",
    "group_quantile",
    "group_skewness",
    "impute_in_groups",
    "log_ct",
    "present_share",
    "trim",
]

#: What happened to a cell, by the int8 code of a treated column (0: nothing).
TREATMENTS = ("", "winsorised_high", "winsorised_low", "transformed", "trimmed")

BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int8]
#: A treated column and, per cell, the index into :data:`TREATMENTS` of what was done.
Treated = tuple[FloatArray, CodeArray]


def group_quantile(values: FloatArray, groups: IntArray, n_groups: int, q: float) -> FloatArray:
    """The ``q`` quantile of the present values of each group (linear interpolation, R's
    type 7 and numpy's default); NaN where a group has none."""
    present = ~np.isnan(values)
    order = np.lexsort((values, groups))  # NaN sorts last within its group
    counts = np.bincount(groups[present], minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(np.bincount(groups, minlength=n_groups))[:-1]))
    out = np.full(n_groups, np.nan)
    has = counts > 0
    pos = (counts[has] - 1) * q
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, counts[has] - 1)
    sorted_values = values[order]
    a, b = sorted_values[starts[has] + lo], sorted_values[starts[has] + hi]
    out[has] = a + (b - a) * (pos - lo)
    return out


def impute_in_groups(
    values: FloatArray, groups: IntArray, n_groups: int, method: str
) -> tuple[FloatArray, BoolArray]:
    """Missing values replaced by the mean or median of the present values of their group
    (COINr ``i_mean``/``i_median``, and ``i_mean_grp``/``i_median_grp`` when the groups are
    the parents); a group with no value leaves its rows missing.

    Returns:
        The imputed column and a mask of the cells filled.
    """
    if method == "mean":
        fill = group_mean(values, groups, n_groups)
    elif method == "median":
        fill = group_quantile(values, groups, n_groups, 0.5)
    else:
        raise ValueError(f"imputation method must be 'mean' or 'median'; got {method!r}")
    out = values.copy()
    missing = np.isnan(values)
    out[missing] = fill[groups[missing]]
    return out, missing & ~np.isnan(out)


def carry_forward(values: FloatArray, n_periods: int, ages: IntArray, max_age: int) -> Treated:
    """Last observation carried forward along a panel stacked period-major.

    Args:
        values: ``n_periods * n`` rows, period ``p``'s units at rows ``p * n .. p * n + n``.
        n_periods: the number of periods, in chronological order.
        ages: the time index of each period (months), ascending.
        max_age: the oldest observation that may be carried, in the units of ``ages``.

    Returns:
        The filled column and an int8 mask (1 where a value was carried forward).
    """
    grid = values.reshape(n_periods, -1)
    present = ~np.isnan(grid)
    t = np.asarray(ages, dtype=np.int64)[:, None]
    last = np.where(present, np.arange(n_periods)[:, None], -1)
    last = np.maximum.accumulate(last, axis=0)
    cols = np.arange(grid.shape[1])[None, :]
    seen = last >= 0
    source = grid[np.maximum(last, 0), cols]
    age = t - np.asarray(ages, dtype=np.int64)[np.maximum(last, 0)]
    fill = ~present & seen & (age <= max_age)
    out = np.where(fill, source, grid)
    return out.reshape(-1), fill.reshape(-1).astype(np.int8)


def _skew_kurt(
    values: FloatArray, groups: IntArray, n_groups: int
) -> tuple[FloatArray, FloatArray]:
    """Per group, COINr's skewness and kurtosis from one pass over the deviations."""
    present = ~np.isnan(values)
    g, x = groups[present], values[present]
    n = np.bincount(g, minlength=n_groups).astype(np.float64)
    dev = x - group_mean(values, groups, n_groups)[g]
    d2 = dev * dev  # products, not powers: numpy's float pow is several times slower
    m2, m3, m4 = (
        np.bincount(g, d, minlength=n_groups).astype(np.float64) for d in (d2, d2 * dev, d2 * d2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.sqrt(n) * m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * m4 / m2**2
        kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    skew[(n < 3) | (m2 <= 0)] = np.nan
    kurt[(n < 4) | (m2 <= 0)] = np.nan
    return skew, kurt


def group_skewness(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """COINr's ``skew`` per group (e1071 type 2, the adjusted Fisher-Pearson G1):
    ``sqrt(n) m3 / m2^1.5 * sqrt(n (n - 1)) / (n - 2)`` over the present values, with ``mk``
    the sum of the k-th powers of the deviations; NaN for fewer than 3 values or no spread."""
    return _skew_kurt(values, groups, n_groups)[0]


def group_kurtosis(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """COINr's ``kurt`` per group (e1071 type 2, excess kurtosis G2):
    ``((n + 1)(r - 3) + 6)(n - 1) / ((n - 2)(n - 3))`` with ``r = n m4 / m2^2``; NaN for
    fewer than 4 values or no spread."""
    return _skew_kurt(values, groups, n_groups)[1]


def _fails(
    values: FloatArray, groups: IntArray, n_groups: int, skew_max: float, kurt_max: float
) -> tuple[BoolArray, FloatArray, BoolArray]:
    """Groups failing COINr's ``check_SkewKurt`` (|skew| >= skew_max and kurtosis >= kurt_max),
    the skews, and the groups where a statistic is undefined (COINr leaves those untreated)."""
    skew, kurt = _skew_kurt(values, groups, n_groups)
    undefined = np.isnan(skew) | np.isnan(kurt)
    with np.errstate(invalid="ignore"):
        fail = (np.abs(skew) >= skew_max) & (kurt >= kurt_max)
    return fail & ~undefined, skew, undefined


def log_ct(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """COINr's ``log_CT`` per group: ``log(x - min + 0.01 (max - min))``; a constant group
    (where COINr's would be -Inf) is left as it is."""
    lo, hi = group_min(values, groups, n_groups), group_max(values, groups, n_groups)
    flat = (hi == lo)[groups]
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.log(values - lo[groups] + 0.01 * (hi - lo)[groups])
    return np.where(flat, values, out)


def boxcox(values: FloatArray, groups: IntArray, n_groups: int, lam: float) -> FloatArray:
    """COINr's ``boxcox`` per group with ``makepos``: ``y = x - min + 1``, then
    ``(y^lambda - 1) / lambda`` (``log y`` for lambda 0)."""
    y = values - group_min(values, groups, n_groups)[groups] + 1
    if lam == 0:
        out: FloatArray = np.log(y)
        return out
    out = (y**lam - 1) / lam
    return out


def coinr_treat(
    values: FloatArray,
    groups: IntArray,
    n_groups: int,
    *,
    winmax: int = 5,
    skew_max: float = 2.0,
    kurt_max: float = 3.5,
) -> Treated:
    """COINr's default outlier treatment (``Treat`` with ``winsorise`` then ``log_CT``), per group.

    A group is treated when its |skewness| >= ``skew_max`` and its kurtosis >= ``kurt_max``.
    Its values are winsorised one step at a time: on the side the skew points to, every value
    equal to the extreme is set to the next value in; a step repeats while the group still
    fails and fewer than ``winmax`` points were winsorised, counted as COINr counts them
    (the points at the high extreme plus those at the low one in the last steps made on
    each side). A group that still fails is instead log-transformed from its original
    values with ``log_CT``. A group whose statistics become undefined on the way (every
    value winsorised to one) is left untreated, as COINr leaves a column it cannot treat.

    Returns:
        The treated column and, per cell, the index into :data:`TREATMENTS` of what was done.
    """
    x = values.copy()
    code = np.zeros(len(values), dtype=np.int8)
    fail, skew, _ = _fails(x, groups, n_groups, skew_max, kurt_max)
    initially = fail.copy()
    broke = np.zeros(n_groups, dtype=bool)
    active = fail.copy()
    n_high = np.zeros(n_groups, dtype=np.int64)
    n_low = np.zeros(n_groups, dtype=np.int64)
    last_high = np.zeros(len(x), dtype=bool)
    last_low = np.zeros(len(x), dtype=bool)
    while active.any() and winmax > 0:  # at most winmax steps: each adds >= 1 point
        rows = active[groups] & ~np.isnan(x)
        up = skew >= 0
        hi, lo = group_max(x, groups, n_groups), group_min(x, groups, n_groups)
        at_hi = rows & up[groups] & (x == hi[groups])
        at_lo = rows & ~up[groups] & (x == lo[groups])
        rest = np.where(at_hi | at_lo, np.nan, x)
        next_hi, next_lo = group_max(rest, groups, n_groups), group_min(rest, groups, n_groups)
        next_hi, next_lo = np.fmax(next_hi, lo), np.fmin(next_lo, hi)  # no value left: keep
        x = np.where(at_hi, next_hi[groups], np.where(at_lo, next_lo[groups], x))
        stepped_high, stepped_low = active & up, active & ~up
        n_high = np.where(stepped_high, np.bincount(groups[at_hi], minlength=n_groups), n_high)
        n_low = np.where(stepped_low, np.bincount(groups[at_lo], minlength=n_groups), n_low)
        last_high = np.where(stepped_high[groups], at_hi, last_high)
        last_low = np.where(stepped_low[groups], at_lo, last_low)
        fail, skew_now, undefined = _fails(x, groups, n_groups, skew_max, kurt_max)
        skew = np.where(active, skew_now, skew)
        broke |= active & undefined
        active = active & fail & (n_high + n_low < winmax)
    code[last_high] = TREATMENTS.index("winsorised_high")
    code[last_low] = TREATMENTS.index("winsorised_low")
    if broke.any():
        x = np.where(broke[groups], values, x)
        code[broke[groups]] = 0
    still = initially & fail & ~broke
    if still.any():
        logged = still[groups] & ~np.isnan(values)
        x = np.where(logged, log_ct(values, groups, n_groups), x)
        code[still[groups]] = 0
        code[logged] = TREATMENTS.index("transformed")
    return x, code


def trim(
    values: FloatArray, groups: IntArray, n_groups: int, lower: float, upper: float
) -> Treated:
    """Percentile trimming: values below the group's ``lower`` quantile or above its
    ``upper`` quantile are set to that quantile (R type 7 quantiles)."""
    lo = group_quantile(values, groups, n_groups, lower)[groups]
    hi = group_quantile(values, groups, n_groups, upper)[groups]
    out = np.clip(values, lo, hi)
    with np.errstate(invalid="ignore"):
        code = ((values < lo) | (values > hi)).astype(np.int8) * TREATMENTS.index("trimmed")
    return out, code


def present_share(present: BoolArray) -> FloatArray:
    """Each row's share of present columns of a units x indicators mask (COINr ``Screen``'s
    ``Dat_Avail``); 1 where there are no columns."""
    if present.shape[1] == 0:
        return np.ones(present.shape[0])
    out: FloatArray = present.mean(axis=1)
    return out
