"""Timings of the methods of issue 14 points 4 and 5 on a million rows (Copeland, which
compares every pair of peers, on 5,000: a district- or block-sized level)."""

from __future__ import annotations

import numpy as np

from egov_score.kernels import normalise, ordinal, weights

ROWS = 1_000_000
RNG = np.random.default_rng(14)
X = RNG.random(ROWS) * 100
ONE = np.zeros(ROWS, dtype=np.intp)
MATRIX = RNG.random((ROWS, 4)) * 100
W = np.array([1.0, 1.0, 2.0, 0.5])


def test_step_distance_to_mean(benchmark):
    assert len(benchmark(normalise.distance, X, ONE, 1, 1, "mean").scores) == ROWS


def test_step_categorical(benchmark):
    assert len(benchmark(normalise.categorical, X, ONE, 1, 1).scores) == ROWS


def test_step_median(benchmark):
    assert len(benchmark(ordinal.median, MATRIX, W)) == ROWS


def test_step_borda(benchmark):
    assert len(benchmark(ordinal.borda, MATRIX, W)) == ROWS


def test_step_copeland_5000(benchmark):
    assert len(benchmark(ordinal.copeland, MATRIX[:5000], W)) == 5000


def test_step_pca_weights(benchmark):
    mixed = MATRIX @ RNG.random((4, 4))
    assert len(benchmark(weights.pca_weights, mixed).weights) == 4


def test_step_effective_weights(benchmark):
    assert len(benchmark(weights.effective_weights, MATRIX, W)) == 4
