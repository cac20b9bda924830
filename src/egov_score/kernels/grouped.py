"""Group reductions over integer group labels: the kernels behind roll-ups and peer statistics.

Every function takes ``values`` (float64, NaN = missing) and ``groups`` (intp labels in
``[0, n_groups)``) and returns one float64 per group. Missing values are skipped; a group with no
present value gets NaN (never 0). No Python loop over units: ``np.bincount`` and ``ufunc.at``.
"""

from __future__ import annotations

import numpy as np

from egov_score._arrays import FloatArray, IntArray

__all__ = [
    "Grouping",
    "group_count",
    "group_max",
    "group_mean",
    "group_min",
    "group_std",
]


def group_count(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Number of present (non-NaN) values in each group, as float64."""
    present = ~np.isnan(values)
    return np.bincount(groups, weights=present, minlength=n_groups).astype(np.float64)


def group_mean(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Mean of the present values of each group; NaN where a group has none."""
    present = ~np.isnan(values)
    total = np.bincount(groups, weights=np.where(present, values, 0.0), minlength=n_groups)
    count = np.bincount(groups, weights=present, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1.0), np.nan)


def group_std(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Sample standard deviation (n - 1) of each group; NaN where a group has fewer than two."""
    present = ~np.isnan(values)
    count = np.bincount(groups, weights=present, minlength=n_groups)
    mean = group_mean(values, groups, n_groups)
    # Two-pass: deviations from the group mean, so large offsets do not cancel precision away.
    dev = np.where(present, values - mean[groups], 0.0)
    ss = np.bincount(groups, weights=dev * dev, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 1, np.sqrt(ss / np.maximum(count - 1.0, 1.0)), np.nan)


def _whole(values: FloatArray, reduce: str) -> FloatArray:
    """One group: a plain NaN-skipping reduction, far faster than a scatter."""
    ufunc = np.fmin if reduce == "min" else np.fmax
    if not len(values):
        return np.array([np.nan])
    return np.array([ufunc.reduce(values)], dtype=np.float64)


def group_min(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Minimum of the present values of each group; NaN where a group has none."""
    if n_groups == 1:
        return _whole(values, "min")
    out = np.full(n_groups, np.inf)
    present = ~np.isnan(values)
    np.minimum.at(out, groups[present], values[present])
    return np.where(np.isinf(out) & (out > 0), np.nan, out)


def group_max(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Maximum of the present values of each group; NaN where a group has none."""
    if n_groups == 1:
        return _whole(values, "max")
    out = np.full(n_groups, -np.inf)
    present = ~np.isnan(values)
    np.maximum.at(out, groups[present], values[present])
    return np.where(np.isinf(out) & (out < 0), np.nan, out)


class Grouping:
    """Group labels prepared once for many reductions.

    When the labels are sorted (units stored parent by parent, the usual layout of a unit
    file), sums, minima and maxima run as contiguous ``ufunc.reduceat`` passes, which read
    memory in order instead of scattering; otherwise they fall back to ``bincount`` and
    ``ufunc.at``. Both give the same values.
    """

    def __init__(self, groups: IntArray, n_groups: int) -> None:
        self.groups = groups
        self.n_groups = n_groups
        self.is_sorted = bool(len(groups) == 0 or (groups[1:] >= groups[:-1]).all())
        counts = np.bincount(groups, minlength=n_groups)
        self.nonempty = counts > 0
        self.starts = (np.cumsum(counts) - counts)[self.nonempty]

    def sum(self, values: FloatArray | np.ndarray[tuple[int], np.dtype[np.bool_]]) -> FloatArray:
        """The sum of ``values`` per group (0 for an empty group); NaN must be masked first."""
        if not self.is_sorted or len(self.groups) == 0:
            return np.asarray(
                np.bincount(self.groups, weights=values, minlength=self.n_groups),
                dtype=np.float64,
            )
        out = np.zeros(self.n_groups)
        out[self.nonempty] = np.add.reduceat(values, self.starts, dtype=np.float64)
        return out

    def min(self, values: FloatArray) -> FloatArray:
        """The minimum of the present values per group; NaN where none."""
        if not self.is_sorted or len(self.groups) == 0:
            return group_min(values, self.groups, self.n_groups)
        out = np.full(self.n_groups, np.nan)
        out[self.nonempty] = np.fmin.reduceat(values, self.starts)
        return out

    def max(self, values: FloatArray) -> FloatArray:
        """The maximum of the present values per group; NaN where none."""
        if not self.is_sorted or len(self.groups) == 0:
            return group_max(values, self.groups, self.n_groups)
        out = np.full(self.n_groups, np.nan)
        out[self.nonempty] = np.fmax.reduceat(values, self.starts)
        return out
