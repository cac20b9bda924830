"""Known-answer tests of the normalisation kernels (OECD/JRC Handbook, COINr)."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score.exceptions import ScoringError
from egov_score.kernels import normalise as nm

# OECD/JRC Handbook on Constructing Composite Indicators (2008), Table 15: mean years of
# schooling, 23 countries.
SCHOOLING = {
    "Finland": 10.0,
    "United States": 12.0,
    "Sweden": 11.4,
    "Japan": 9.5,
    "Korea": 10.8,
    "Netherlands": 9.4,
    "United Kingdom": 9.4,
    "Canada": 11.6,
    "Australia": 10.9,
    "Singapore": 7.1,
    "Germany": 10.2,
    "Norway": 11.9,
    "Ireland": 9.4,
    "Belgium": 9.3,
    "New Zealand": 11.7,
    "Austria": 8.4,
    "France": 7.9,
    "Israel": 9.6,
    "Spain": 7.3,
    "Italy": 7.2,
    "Czech Republic": 9.5,
    "Hungary": 9.1,
    "Slovenia": 7.1,
}
COUNTRIES = list(SCHOOLING)
X = np.array(list(SCHOOLING.values()))
ONE_GROUP = np.zeros(len(X), dtype=np.intp)


def at(scores, country):
    return scores[COUNTRIES.index(country)]


@pytest.mark.parametrize(
    ("country", "published"),
    [("Finland", 0.26), ("United States", 1.52), ("Singapore", -1.58), ("Austria", -0.76)],
)
def test_zscore_matches_handbook_table_15(country, published):
    z = nm.zscore(X, ONE_GROUP, 1, 1).scores
    assert round(at(z, country), 2) == published


@pytest.mark.parametrize(
    ("country", "published"),
    [("Finland", 0.59), ("Sweden", 0.88), ("Austria", 0.27), ("Israel", 0.51)],
)
def test_minmax_matches_handbook_table_15(country, published):
    s = nm.minmax(X, ONE_GROUP, 1, 1).scores
    assert round(at(s, country) / 100, 2) == published


@pytest.mark.parametrize(
    ("country", "published"),
    [("Netherlands", 9), ("Ireland", 9), ("Singapore", 1), ("Slovenia", 1), ("United States", 23)],
)
def test_rank_matches_handbook_table_15(country, published):
    r = nm.rank(X, ONE_GROUP, 1, 1).scores
    assert at(r, country) == published


def test_zscore_rescaled():
    z = nm.zscore(X, ONE_GROUP, 1, 1, rescale=(50.0, 10.0)).scores
    assert round(at(z, "United States"), 1) == 65.2
    assert np.isclose(z.mean(), 50.0)
    assert np.isclose(z.std(ddof=1), 10.0)


def test_lower_is_better_flips_minmax_and_zscore():
    s = nm.minmax(X, ONE_GROUP, 1, -1).scores
    assert round(at(s, "Finland") / 100, 2) == 0.41
    z = nm.zscore(X, ONE_GROUP, 1, -1).scores
    assert round(at(z, "Singapore"), 2) == 1.58


def g(n):
    return np.zeros(n, dtype=np.intp)


def test_target_higher_is_better_coinr():
    x = np.array([0.0, 5.0, 11.0])
    uncapped = nm.target(x, g(3), 1, 1, target=10.0, cap=False).scores / 100
    np.testing.assert_allclose(uncapped, [0.0, 0.5, 1.1])
    capped = nm.target(x, g(3), 1, 1, target=10.0).scores / 100
    np.testing.assert_allclose(capped, [0.0, 0.5, 1.0])


def test_target_lower_is_better_coinr():
    x = np.array([-1.0, 1.0, 10.0])
    uncapped = nm.target(x, g(3), 1, -1, target=0.0, cap=False).scores / 100
    np.testing.assert_allclose(uncapped, [1.1, 0.9, 0.0])
    capped = nm.target(x, g(3), 1, -1, target=0.0).scores / 100
    np.testing.assert_allclose(capped, [1.0, 0.9, 0.0])


def test_target_reached_by_every_peer_scores_100():
    x = np.array([95.0, 97.0])
    np.testing.assert_allclose(nm.target(x, g(2), 1, 1, target=90.0).scores, [100.0, 100.0])


def test_goalposts_coinr():
    x = np.array([1.0, 11.0, -1.0])
    s = nm.goalposts(x, g(3), 1, 1, lower=0.0, upper=10.0).scores / 100
    np.testing.assert_allclose(s, [0.1, 1.0, 0.0])
    s = nm.goalposts(x, g(3), 1, -1, lower=0.0, upper=10.0).scores / 100
    np.testing.assert_allclose(s, [0.9, 0.0, 1.0])


def test_percentile_and_fracmax_by_hand():
    x = np.array([10.0, 20.0, 20.0, 40.0, np.nan])
    np.testing.assert_allclose(
        nm.percentile(x, g(5), 1, 1).scores, [0.0, 100 / 3, 100 / 3, 100.0, np.nan]
    )
    np.testing.assert_allclose(nm.fracmax(x, g(5), 1, 1).scores, [25.0, 50.0, 50.0, 100.0, np.nan])
    # Lower is better with a 0 best: min / x would score every other unit 0; no scale, so
    # missing and reported (issue 14 point 7; this used to assert [100, 0, 0]).
    zero_best = nm.fracmax(np.array([0.0, 2.0, 8.0]), g(3), 1, -1)
    np.testing.assert_allclose(zero_best.scores, [np.nan, np.nan, np.nan])
    assert zero_best.undefined_groups.tolist() == [0]
    np.testing.assert_allclose(
        nm.fracmax(np.array([1.0, 2.0, 8.0]), g(3), 1, -1).scores, [100.0, 50.0, 12.5]
    )


def test_within_parent_peers():
    # two parents: (1, 3) and (10, 20, 30)
    x = np.array([1.0, 10.0, 3.0, 20.0, 30.0])
    groups = np.array([0, 1, 0, 1, 1], dtype=np.intp)
    np.testing.assert_allclose(nm.minmax(x, groups, 2, 1).scores, [0, 0, 100, 50, 100])


def test_constant_group_is_missing_and_reported():
    x = np.array([5.0, 5.0, 1.0, 3.0])
    groups = np.array([0, 0, 1, 1], dtype=np.intp)
    out = nm.minmax(x, groups, 2, 1)
    np.testing.assert_allclose(out.scores, [np.nan, np.nan, 0.0, 100.0])
    assert out.constant_groups.tolist() == [0]


def test_none_rejects_values_outside_0_100():
    with pytest.raises(ScoringError, match=r"values in \[0, 100\]; got 101.0"):
        nm.none(np.array([50.0, 101.0]), g(2), 1, 1)
    np.testing.assert_allclose(nm.none(np.array([30.0]), g(1), 1, -1).scores, [70.0])


def test_fracmax_rejects_negative_values():
    with pytest.raises(ScoringError, match=r"values >= 0; got -2\.0"):
        nm.fracmax(np.array([1.0, -2.0]), g(2), 1, 1)


def test_best_unit_scores_exactly_100():
    # (x - min) * (100 / span) gives 99.99999999999999 here; bands need the exact 100.
    x = np.array([2.0, 99.0])
    assert nm.minmax(x, g(2), 1, 1).scores.tolist() == [0.0, 100.0]
    assert nm.minmax(np.array([0.1, 0.7, 0.3]), g(3), 1, 1).scores[1] == 100.0


def test_rounding_noise_is_not_a_spread():
    x = np.array([0.1 + 0.2 + 0.12, 0.42])  # equal but for the last bit
    assert x[0] != x[1]
    out = nm.minmax(x, g(2), 1, 1)
    assert np.isnan(out.scores).all()
    assert out.constant_groups.tolist() == [0]
    assert np.isnan(nm.zscore(x, g(2), 1, 1).scores).all()


def test_target_reached_scores_exactly_100_for_the_achiever_band():
    # (x - min) / (T - min) * 100 divides before scaling; (x - min) * (100 / (T - min)) gives
    # 99.99999999999999 here and would cost a unit at the target its "Achiever" band.
    x = np.array([0.3, 0.7, 0.9])
    out = nm.target(x, g(3), 1, 1, target=0.9, cap=False).scores
    assert out[2] == 100.0
    assert out[0] == 0.0
