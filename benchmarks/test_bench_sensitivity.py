"""Sobol' indices and remove-one-element importance (issue 15 point 3); nothing asserts a time.

``sobol_indices`` on the outputs of a Saltelli design with N = 2^12 and d = 5 uncertain
choices for 100 outputs at once, with and without 100 bootstrap resamples; removal importance
of every indicator and every group of the Jaipur demo on its block level.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.demo import DEMO_MONTH

from egov_score import datasets
from egov_score.engine.removal import removal_importance
from egov_score.kernels.sensitivity import mean_abs_rank_shift, saltelli_design, sobol_indices

N, D, OUTPUTS = 2**12, 5, 100


@pytest.fixture(scope="module")
def outputs() -> np.ndarray:
    design = saltelli_design(N, D, 2026)
    # 100 outputs mixing the inputs differently, with interactions
    mix = np.random.default_rng(1).random((D, OUTPUTS))
    return np.sin(design @ mix) + (design[:, :1] * design[:, 1:2]) @ mix[:1]


@pytest.mark.parametrize("resamples", [0, 100], ids=["no-bootstrap", "bootstrap=100"])
def test_sobol_indices_100_outputs(benchmark, outputs, resamples):
    est = benchmark(lambda: sobol_indices(outputs, N, D, resamples=resamples, rng=3))
    assert est.first.shape == (D, OUTPUTS)


def test_mean_abs_rank_shift_runs_by_units(benchmark):
    rng = np.random.default_rng(0)
    ranks = rng.integers(0, 3073, (N * (D + 2) // 8, 3073))
    got = benchmark(lambda: mean_abs_rank_shift(ranks, ranks[0]))
    assert got[0] == 0


@pytest.fixture(scope="module")
def jaipur():
    return datasets.load("jaipur")


@pytest.mark.parametrize("elements", ["indicators", "groups"])
def test_removal_importance_jaipur(benchmark, jaipur, elements):
    got = benchmark(
        lambda: removal_importance(jaipur, level="block", period=DEMO_MONTH, elements=elements)
    )
    assert len(got.elements) == (30 if elements == "indicators" else 6)
