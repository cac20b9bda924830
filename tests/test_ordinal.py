"""Known answers of the order-based aggregations: weighted median, Borda and Copeland."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score.exceptions import ScoringError
from egov_score.kernels import ordinal
from egov_score.kernels.aggregate import BUILTIN_AGGREGATORS, PEER_AGGREGATORS

# The OECD/JRC Handbook's voting example (section 6.3, after Moulin): 21 voters rank four
# alternatives a, b, c, d. 3 vote a > b > c > d, 5 a > c > b > d, 7 b > d > c > a and
# 6 c > b > d > a. As an aggregation: the alternatives are units, each voting bloc a child
# weighted by its size, and a bloc's score of an alternative is its place from the bottom.
BLOCS = np.array(
    [
        # a, b, c, d per bloc, 3 = first choice
        [3.0, 2.0, 1.0, 0.0],
        [3.0, 1.0, 2.0, 0.0],
        [0.0, 3.0, 1.0, 2.0],
        [0.0, 2.0, 3.0, 1.0],
    ]
).T  # units (a, b, c, d) x children (blocs)
SIZES = np.array([3.0, 5.0, 7.0, 6.0])


def test_borda_count_of_the_handbook_voting_example():
    # Borda counts by hand: a = 3*3 + 5*3 = 24, b = 3*2 + 5*1 + 7*3 + 6*2 = 44,
    # c = 3*1 + 5*2 + 7*1 + 6*3 = 38, d = 7*2 + 6*1 = 20; Borda ranks b > c > a > d.
    counts = np.array([24.0, 44.0, 38.0, 20.0])
    out = ordinal.borda(BLOCS, SIZES)
    # on 0-100: count / total weight / (n - 1) * 100
    np.testing.assert_allclose(out, counts / SIZES.sum() / 3 * 100)


def test_copeland_of_the_handbook_voting_example():
    # Pairwise majorities by hand: c beats a (13-8), b (11-10) and d (14-7); b beats a (13-8)
    # and d (21-0); d beats a (13-8). Copeland: c = 3, b = 1, d = -1, a = -3: c is the
    # Condorcet winner although Borda picks b.
    points, others = ordinal.copeland_points(BLOCS, SIZES)
    np.testing.assert_array_equal(points, [-3.0, 1.0, 3.0, -1.0])
    np.testing.assert_array_equal(others, [3.0, 3.0, 3.0, 3.0])
    np.testing.assert_allclose(ordinal.copeland(BLOCS, SIZES), [0.0, 200 / 3, 100.0, 100 / 3])


def test_copeland_matches_coinr_outranking_without_missing_data():
    # COINr a_copeland: outranking matrix sum(w[>]) + sum(w[=]) / 2 with w summing to 1, then
    # > 0.5 -> 1, < 0.5 -> -1, = 0.5 -> 0, row sums. A tie on every child is a draw.
    x = np.array([[1.0, 5.0, 2.0], [2.0, 5.0, 1.0], [3.0, 0.0, 0.0]])
    w = np.array([1.0, 1.0, 2.0])
    ws = w / w.sum()
    orm = (x[:, None, :] > x[None, :, :]) @ ws + (x[:, None, :] == x[None, :, :]) @ ws / 2
    coinr = np.where(orm > 0.5, 1.0, np.where(orm < 0.5, -1.0, 0.0))
    np.fill_diagonal(coinr, 0.0)
    np.testing.assert_array_equal(ordinal.copeland_points(x, w)[0], coinr.sum(axis=1))


def test_borda_and_copeland_compare_within_peer_groups_only():
    x = np.array([[1.0], [2.0], [10.0], [20.0], [30.0]])
    groups = np.array([0, 0, 1, 1, 1], dtype=np.intp)
    w = np.array([1.0])
    np.testing.assert_allclose(ordinal.borda(x, w, groups), [0.0, 100.0, 0.0, 50.0, 100.0])
    np.testing.assert_allclose(ordinal.copeland(x, w, groups), [0.0, 100.0, 0.0, 50.0, 100.0])


def test_missing_children_and_lone_units():
    x = np.array([[1.0, np.nan], [2.0, 5.0], [np.nan, np.nan]])
    w = np.array([1.0, 1.0])
    # child 2 is had by one unit only: no points from it
    np.testing.assert_allclose(ordinal.borda(x, w), [0.0, 100.0, np.nan])
    np.testing.assert_allclose(ordinal.copeland(x, w), [0.0, 100.0, np.nan])
    assert np.isnan(ordinal.copeland(np.array([[4.0]]), np.array([1.0]))).all()


def test_copeland_refuses_a_peer_group_too_large(monkeypatch):
    monkeypatch.setattr(ordinal, "COPELAND_MAX_PEERS", 3)
    with pytest.raises(ScoringError, match="at most 3 units; got 4"):
        ordinal.copeland(np.arange(4.0)[:, None], np.array([1.0]))


def test_copeland_blocks_give_the_same_points(monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, size=(40, 3)).astype(float)
    whole = ordinal.copeland_points(x, np.array([1.0, 2.0, 1.0]))
    monkeypatch.setattr(ordinal, "_BLOCK_ELEMENTS", 7)
    np.testing.assert_array_equal(ordinal.copeland_points(x, np.array([1.0, 2.0, 1.0])), whole)


@pytest.mark.parametrize(
    ("row", "weights", "want"),
    [
        ([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 2.0),  # the ordinary median
        ([1.0, 2.0, 3.0, 10.0], [1.0, 1.0, 1.0, 1.0], 2.5),  # even count: mean of the middle
        ([1.0, 2.0, 3.0], [1.0, 1.0, 5.0], 3.0),  # a heavy child pulls the median
        ([1.0, 2.0, 3.0], [2.0, 1.0, 1.0], 1.5),  # half the weight exactly at 1
        ([1.0, np.nan, 3.0], [1.0, 9.0, 2.0], 3.0),  # weights of the children present only
        ([5.0, 1.0, 3.0], [0.0, 1.0, 1.0], 2.0),  # weight 0 leaves a child out
        ([np.nan, np.nan], [1.0, 1.0], np.nan),
    ],
)
def test_weighted_median_by_hand(row, weights, want):
    out = ordinal.median(np.array([row]), np.array(weights))
    np.testing.assert_allclose(out, [want])


def test_the_new_methods_are_built_in():
    assert {"median", "borda", "copeland"} <= set(BUILTIN_AGGREGATORS)
    assert {"borda", "copeland"} == PEER_AGGREGATORS
