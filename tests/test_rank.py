"""Ranks (competition ties) and bands."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.kernels import rank as rank_module
from egov_score.kernels.rank import band, rank_in_groups


@pytest.fixture(scope="module")
def monkeypatch_radix():
    """Every column takes the radix path, however short."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rank_module, "RADIX_MIN", 0)
        yield


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


# -- the radix path of long columns, checked on short ones against a plain sort -----------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(finite, st.sampled_from([0.0, -0.0, 50.0, 100.0, 1e-300])), max_size=200))
def test_radix_order_sorts_any_values(monkeypatch_radix, xs):
    values = np.array(xs, dtype=np.float64)
    values[::7] = np.nan  # missing rows are left out of the order
    for descending in (False, True):
        rows, ordered = rank_module._order(values, descending)  # radix unless it can't scale
        present = np.flatnonzero(~np.isnan(values))
        assert sorted(rows.tolist()) == present.tolist()
        np.testing.assert_array_equal(ordered, values[rows])
        steps = np.diff(ordered)
        assert (steps <= 0).all() if descending else (steps >= 0).all()
    m = len(present)
    if m > 1 and 1e-200 < np.ptp(values[present]) < 1e300:  # the radix path was taken
        missing = np.isnan(values)
        assert rank_module._order_radix(values, missing, m, descending=False) is not None


def test_radix_order_survives_clustered_values_and_huge_ranges():
    key = np.concatenate([np.full(1000, 1.0) + np.arange(1000) * 1e-13, [1e300, -1e300]])
    done = rank_module._order_radix(key, np.isnan(key), len(key), descending=True)
    assert done is not None
    assert (np.diff(key[done[0]]) <= 0).all()
    inf = np.array([1.0, np.inf])
    assert rank_module._order_radix(inf, np.isnan(inf), 2, descending=False) is None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.just(math.nan), st.integers(0, 20).map(float), finite), max_size=80),
    st.data(),
)
def test_ranks_through_the_radix_path_match_counting(monkeypatch_radix, xs, data):
    values = np.array(xs, dtype=np.float64)
    groups = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(xs), max_size=len(xs))))
    got_level, got_parent = rank_module.rank_two_ways(values, None, groups.astype(np.intp))
    sorted_ = rank_module.SortedScores(values)
    with ThreadPoolExecutor(1) as pool:  # rankings of one sort side by side: the same ranks
        in_parent = pool.submit(sorted_.ranks, groups.astype(np.intp))
        np.testing.assert_array_equal(sorted_.ranks(None), got_level)
        np.testing.assert_array_equal(in_parent.result(), got_parent)
    for i, x in enumerate(xs):
        if math.isnan(x):
            assert got_level[i] == 0
            assert got_parent[i] == 0
            continue
        peers = [y for y in xs if not math.isnan(y)]
        in_group = [y for y, g in zip(xs, groups, strict=True) if g == groups[i] and y == y]
        assert got_level[i] == 1 + sum(y > x for y in peers)
        assert got_parent[i] == 1 + sum(y > x for y in in_group)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.just(math.nan), st.floats(0, 100)), max_size=50),
    st.lists(st.floats(0, 100), min_size=1, max_size=5, unique=True).map(sorted),
)
def test_bands_count_the_edges_at_or_below(xs, edges):
    scores = np.array(xs, dtype=np.float64)
    want = [-1 if math.isnan(x) else sum(e <= x for e in edges) for x in xs]
    assert band(scores, edges).tolist() == want
