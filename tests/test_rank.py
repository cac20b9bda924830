"""Ranks (competition ties) and bands."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.kernels.rank import RADIX_MIN, SortedScores, band, rank_in_groups, rank_two_ways


def test_ties_share_the_lowest_rank_number():
    x = np.array([90.0, 80.0, 80.0, 70.0])
    assert rank_in_groups(x).tolist() == [1, 2, 2, 4]
    assert rank_in_groups(x, descending=False).tolist() == [4, 2, 2, 1]


def test_missing_is_unranked_and_skipped():
    x = np.array([np.nan, 50.0, 60.0, np.nan])
    assert rank_in_groups(x).tolist() == [0, 2, 1, 0]


def test_ranks_within_groups_in_one_pass():
    x = np.array([10.0, 99.0, 20.0, 5.0, 20.0, 1.0])
    groups = np.array([0, 1, 0, 1, 0, 2], dtype=np.intp)
    assert rank_in_groups(x, groups).tolist() == [3, 1, 1, 2, 1, 1]


def test_ranks_use_unrounded_scores():
    x = np.array([64.999, 65.0])
    assert rank_in_groups(x).tolist() == [2, 1]


def test_sdg_india_bands():
    edges = (50.0, 65.0, 100.0)
    scores = np.array([0.0, 49.99, 50.0, 64.99, 65.0, 99.99, 100.0, np.nan])
    assert band(scores, edges).tolist() == [0, 0, 1, 1, 2, 2, 3, -1]


# -- the radix path of long columns, checked against a plain sort ------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)

#: Long enough for the radix path (:data:`RADIX_MIN` present values and more).
LONG = RADIX_MIN + 999


def reference_ranks(values, groups, descending=True):
    """Competition ranks by a plain sort per group: 1 + the number of better values."""
    out = np.zeros(len(values), dtype=np.int64)
    present = ~np.isnan(values)
    for g in np.unique(groups):  # a few groups
        rows = np.flatnonzero((groups == g) & present)
        key = -values[rows] if descending else values[rows]
        out[rows] = np.searchsorted(np.sort(key), key, side="left") + 1
    return out


@st.composite
def long_columns(draw):
    """A long column drawn from a few values (ties, zeros of both signs, tiny and wide
    spans), some rows spread out by noise, some missing; and up to four groups."""
    pool = draw(
        st.lists(
            st.one_of(finite, st.sampled_from([0.0, -0.0, 50.0, 100.0, 1e-300])),
            min_size=1,
            max_size=20,
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.choice(np.array(pool, dtype=np.float64), size=LONG)
    noisy = rng.random(LONG) < draw(st.sampled_from([0.0, 0.1, 1.0]))
    values[noisy] += rng.normal(scale=draw(st.sampled_from([1e-9, 1.0, 1e5])), size=noisy.sum())
    values[rng.random(LONG) < draw(st.sampled_from([0.0, 0.01, 0.5]))] = np.nan
    groups = rng.integers(0, draw(st.integers(1, 4)), size=LONG).astype(np.intp)
    return values, groups


@settings(max_examples=60, deadline=None)
@given(long_columns())
def test_a_long_column_sorts_and_ranks_as_a_plain_sort(column):
    values, groups = column
    present = np.flatnonzero(~np.isnan(values))
    for descending in (False, True):
        sorted_ = SortedScores(values, descending)
        assert sorted(sorted_.rows.tolist()) == present.tolist()  # missing rows left out
        np.testing.assert_array_equal(sorted_.ordered, values[sorted_.rows])
        steps = np.diff(sorted_.ordered)
        assert (steps <= 0).all() if descending else (steps >= 0).all()
        np.testing.assert_array_equal(
            rank_in_groups(values, descending=descending),
            reference_ranks(values, np.zeros(LONG, dtype=np.intp), descending),
        )
        np.testing.assert_array_equal(
            rank_in_groups(values, groups, descending=descending),
            reference_ranks(values, groups, descending),
        )


@settings(max_examples=20, deadline=None)
@given(long_columns())
def test_rankings_of_one_sort_side_by_side_match(column):
    values, groups = column
    got_level, got_parent = rank_two_ways(values, None, groups)
    sorted_ = SortedScores(values)
    with ThreadPoolExecutor(1) as pool:  # rankings of one sort side by side: the same ranks
        in_parent = pool.submit(sorted_.ranks, groups)
        np.testing.assert_array_equal(sorted_.ranks(None), got_level)
        np.testing.assert_array_equal(in_parent.result(), got_parent)
    np.testing.assert_array_equal(got_parent, reference_ranks(values, groups))


def test_a_long_column_survives_clustered_values_huge_ranges_and_infinities():
    one_group = np.zeros(LONG + 2, dtype=np.intp)
    clustered = np.concatenate([1.0 + np.arange(LONG) * 1e-13, [1e300, -1e300]])
    # The last rows swapped in among the first, so the order is not the input's.
    clustered[[0, -1]] = clustered[[-1, 0]]
    infinite = np.concatenate([np.linspace(0.0, 1.0, LONG), [np.inf, -np.inf]])
    for values in (clustered, infinite):
        for descending in (False, True):
            np.testing.assert_array_equal(
                rank_in_groups(values, descending=descending),
                reference_ranks(values, one_group, descending),
            )
            steps = np.diff(SortedScores(values, descending).ordered)
            assert (steps <= 0).all() if descending else (steps >= 0).all()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.just(math.nan), st.integers(0, 20).map(float), finite), max_size=80),
    st.data(),
)
def test_ranks_of_short_columns_match_counting(xs, data):
    values = np.array(xs, dtype=np.float64)
    groups = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(xs), max_size=len(xs))))
    got_level, got_parent = rank_two_ways(values, None, groups.astype(np.intp))
    for i, x in enumerate(xs):
        if math.isnan(x):
            assert got_level[i] == 0
            assert got_parent[i] == 0
            continue
        peers = [y for y in xs if not math.isnan(y)]
        in_group = [y for y, g in zip(xs, groups, strict=True) if g == groups[i] and y == y]
        assert got_level[i] == 1 + sum(y > x for y in peers)
        assert got_parent[i] == 1 + sum(y > x for y in in_group)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.just(math.nan), st.integers(0, 20).map(float)), max_size=60),
    st.data(),
)
def test_ranks_within_wide_group_labels_match_counting(xs, data):
    # Labels past 16 bits (a level of more than 65,536 parents) are re-sorted 16 bits at a time.
    labels = st.sampled_from([0, 1, 2**16, 2**16 + 1, 2**32 + 7, 2**40])
    groups = np.array(
        data.draw(st.lists(labels, min_size=len(xs), max_size=len(xs))), dtype=np.intp
    )
    values = np.array(xs, dtype=np.float64)
    got = rank_in_groups(values, groups)
    for i, x in enumerate(xs):
        in_group = [y for y, g in zip(xs, groups, strict=True) if g == groups[i] and y == y]
        assert got[i] == (0 if math.isnan(x) else 1 + sum(y > x for y in in_group))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.just(math.nan), st.floats(0, 100)), max_size=50),
    st.lists(st.floats(0, 100), min_size=1, max_size=5, unique=True).map(sorted),
)
def test_bands_count_the_edges_at_or_below(xs, edges):
    scores = np.array(xs, dtype=np.float64)
    want = [-1 if math.isnan(x) else sum(e <= x for e in edges) for x in xs]
    assert band(scores, edges).tolist() == want
