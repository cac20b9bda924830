"""Known answers of the normalisation methods of issue 14 point 4: min-max to a range,
percentile as rank/N, distance to a reference, categorical percentile bands."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score.exceptions import ScoringError
from egov_score.kernels import normalise as nm
from egov_score.kernels.prepare import group_quantile
from tests.test_normalise import COUNTRIES, ONE_GROUP, X, at


def g(n):
    return np.zeros(n, dtype=np.intp)


def test_minmax_to_a_range_coinr_l_u():
    # COINr n_minmax(x, l_u = c(1, 10)): (x - min) / (max - min) * (u - l) + l, by hand
    x = np.array([1.0, 2.0, 3.0, 5.0, np.nan])
    out = nm.minmax(x, g(5), 1, 1, range=(1.0, 10.0)).scores
    np.testing.assert_allclose(out, [1.0, 3.25, 5.5, 10.0, np.nan])
    flipped = nm.minmax(x, g(5), 1, -1, range=(1.0, 10.0)).scores
    np.testing.assert_allclose(flipped, [10.0, 7.75, 5.5, 1.0, np.nan])


def test_minmax_without_a_range_is_unchanged():
    np.testing.assert_array_equal(
        nm.minmax(X, ONE_GROUP, 1, 1, range=None).scores, nm.minmax(X, ONE_GROUP, 1, 1).scores
    )


def test_minmax_to_a_range_on_handbook_table_15():
    # Handbook Table 15 min-max (0-1): Finland 0.59, Austria 0.27; on [0, 10]: 5.9 and 2.7
    out = nm.minmax(X, ONE_GROUP, 1, 1, range=(0.0, 10.0)).scores
    assert round(at(out, "Finland"), 1) == 5.9
    assert round(at(out, "Austria"), 1) == 2.7


def test_percentile_rank_over_n_by_hand():
    x = np.array([10.0, 20.0, 20.0, 40.0, np.nan])
    out = nm.percentile(x, g(5), 1, 1, form="rank/n").scores
    # ranks 1, 2, 2, 4 of n = 4 present
    np.testing.assert_allclose(out, [25.0, 50.0, 50.0, 100.0, np.nan])
    down = nm.percentile(x, g(5), 1, -1, form="rank/n").scores
    np.testing.assert_allclose(down, [100.0, 50.0, 50.0, 25.0, np.nan])
    default = nm.percentile(x, g(5), 1, 1).scores
    np.testing.assert_allclose(default, [0.0, 100 / 3, 100 / 3, 100.0, np.nan])


def test_distance_to_a_reference_unit_on_handbook_table_15():
    # Handbook Table 3 "distance to a reference": x / x_ref. The United States (12.0) as the
    # reference: Finland 10.0 / 12.0 = 0.833, Singapore 7.1 / 12.0 = 0.592.
    ref = np.array([c == "United States" for c in COUNTRIES])
    out = nm.distance(X, ONE_GROUP, 1, 1, to="unit", reference=ref).scores
    assert round(at(out, "Finland"), 1) == 83.3
    assert round(at(out, "Singapore"), 1) == 59.2
    assert at(out, "United States") == 100.0
    diff = nm.distance(X, ONE_GROUP, 1, 1, to="unit", form="difference", reference=ref).scores
    assert round(at(diff, "Finland"), 1) == -16.7


def test_distance_to_the_mean_best_and_worst_by_hand():
    x = np.array([2.0, 4.0, 6.0, np.nan])
    np.testing.assert_allclose(
        nm.distance(x, g(4), 1, 1, to="mean").scores, [50.0, 100.0, 150.0, np.nan]
    )
    np.testing.assert_allclose(
        nm.distance(x, g(4), 1, 1, to="best").scores, [100 / 3, 200 / 3, 100.0, np.nan]
    )
    np.testing.assert_allclose(
        nm.distance(x, g(4), 1, 1, to="worst").scores, [100.0, 200.0, 300.0, np.nan]
    )
    # lower is better mirrors the distance: 100 + (ref - x) / |ref| * 100; best is the minimum
    np.testing.assert_allclose(
        nm.distance(x, g(4), 1, -1, to="best").scores, [100.0, 0.0, -100.0, np.nan]
    )
    np.testing.assert_allclose(
        nm.distance(x, g(4), 1, -1, to="mean", form="difference").scores,
        [50.0, 0.0, -50.0, np.nan],
    )


def test_distance_per_peer_group_and_a_zero_reference():
    x = np.array([1.0, 3.0, 0.0, 0.0, 5.0])
    groups = np.array([0, 0, 1, 1, 2], dtype=np.intp)
    out = nm.distance(x, groups, 3, 1, to="mean")
    np.testing.assert_allclose(out.scores, [50.0, 150.0, np.nan, np.nan, 100.0])
    assert out.constant_groups.tolist() == [1]


def test_distance_to_a_unit_needs_the_unit():
    with pytest.raises(ScoringError, match="needs the reference unit"):
        nm.distance(X, ONE_GROUP, 1, 1, to="unit")
    with pytest.raises(ScoringError, match="must be one of"):
        nm.distance(X, ONE_GROUP, 1, 1, to="median")


def test_categorical_handbook_bands_by_hand():
    # 1..20: type-7 percentiles P15 = 3.85, P25 = 5.75, P65 = 13.35, P85 = 17.15, P95 = 19.05
    x = np.arange(1.0, 21.0)
    out = nm.categorical(x, g(20), 1, 1).scores
    want = [0] * 3 + [20] * 2 + [40] * 8 + [60] * 4 + [80] * 2 + [100]
    np.testing.assert_array_equal(out, want)
    down = nm.categorical(x, g(20), 1, -1).scores
    np.testing.assert_array_equal(down, want[::-1])


def test_categorical_own_bands_and_constant_peers():
    x = np.array([1.0, 2.0, 3.0, 4.0, np.nan, 7.0, 7.0])
    groups = np.array([0, 0, 0, 0, 0, 1, 1], dtype=np.intp)
    out = nm.categorical(x, groups, 2, 1, percentiles=(50.0,), scores=(0.0, 100.0))
    np.testing.assert_array_equal(out.scores, [0.0, 0.0, 100.0, 100.0, np.nan, np.nan, np.nan])
    assert out.constant_groups.tolist() == [1]


def test_categorical_thresholds_are_the_peers_type_7_quantiles():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 30, 500).astype(float)
    x[::7] = np.nan
    groups = rng.integers(0, 6, 500).astype(np.intp)
    category = np.zeros(len(x), dtype=np.intp)
    for p in nm.HANDBOOK_PERCENTILES:
        category += x >= group_quantile(x, groups, 6, p / 100)[groups]
    want = np.asarray(nm.HANDBOOK_CATEGORY_SCORES)[category]
    want[np.isnan(x)] = np.nan
    np.testing.assert_array_equal(nm.categorical(x, groups, 6, 1).scores, want)
