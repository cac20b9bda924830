"""Ranks (competition ties) and bands."""

from __future__ import annotations

import numpy as np

from egov_score.rank import band, rank_in_groups


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
