"""PCA-derived weights (OECD/JRC Handbook rule) and effective weights, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from egov_score.exceptions import ScoringError
from egov_score.kernels import weights as kw
from tests.reference import reference_effective_weights


def with_correlation(corr, n=50, seed=0):
    """n rows whose columns have exactly the correlation matrix ``corr``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(corr)))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)  # orthonormal, centred columns
    return q @ np.linalg.cholesky(corr).T * 10 + 50


def two_blocks(a, b):
    corr = np.eye(4)
    corr[0, 1] = corr[1, 0] = a
    corr[2, 3] = corr[3, 2] = b
    return corr


def test_two_blocks_by_hand():
    # Correlations a = 0.8 within children 1-2, b = 0.4 within 3-4, none across: eigenvalues
    # 1.8, 1.4, 0.6, 0.2, so two factors are kept, each loading on one pair with squared
    # loadings (1 + a) / 2 each, scaled to 1/2 each. The factors explain 1.8 and 1.4 of 3.2:
    # children 1 and 2 weigh 0.5 * 1.8 / 3.2 = 0.28125, children 3 and 4 0.5 * 1.4 / 3.2.
    pca = kw.pca_weights(with_correlation(two_blocks(0.8, 0.4)))
    np.testing.assert_allclose(pca.eigenvalues, [1.8, 1.4, 0.6, 0.2], atol=1e-12)
    np.testing.assert_allclose(pca.weights, [0.28125, 0.28125, 0.21875, 0.21875], atol=1e-12)
    np.testing.assert_allclose(sorted(pca.explained), [1.4, 1.8], atol=1e-12)
    assert pca.factor[0] == pca.factor[1] != pca.factor[2] == pca.factor[3]
    assert pca.rows == 50


def test_one_factor_weights_by_squared_loadings():
    # Two children: eigenvalues 1 + r and 1 - r; one factor with equal loadings: 1/2 each.
    pca = kw.pca_weights(with_correlation(np.array([[1.0, 0.6], [0.6, 1.0]])))
    np.testing.assert_allclose(pca.weights, [0.5, 0.5], atol=1e-12)
    assert pca.loadings.shape == (2, 1)


def test_rows_with_a_missing_child_are_left_out():
    x = with_correlation(two_blocks(0.8, 0.4))
    holed = np.vstack([x, [[np.nan, 1.0, 2.0, 3.0]]])
    assert kw.pca_weights(holed) == kw.pca_weights(x)


@pytest.mark.parametrize("degrees", [10, 30, 60, 100])
def test_varimax_does_not_depend_on_the_starting_rotation(degrees):
    loadings = np.array([[0.9, 0.1], [0.8, 0.0], [0.2, 0.7], [0.0, 0.9], [0.4, 0.3]])
    t = math.radians(degrees)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    out, base = kw.varimax(loadings @ rot), kw.varimax(loadings)
    np.testing.assert_allclose(
        np.sort(np.abs(out), axis=1), np.sort(np.abs(base), axis=1), atol=1e-9
    )
    # a rotation keeps each variable's communality
    np.testing.assert_allclose((out**2).sum(axis=1), (loadings**2).sum(axis=1))


def test_varimax_without_normalisation_recovers_a_simple_structure():
    simple = np.array([[0.9, 0.0], [0.8, 0.0], [0.0, 0.7], [0.0, 0.9]])
    t = math.radians(30)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    out = kw.varimax(simple @ rot, normalise=False)
    np.testing.assert_allclose(np.sort(np.abs(out), axis=1), np.sort(simple, axis=1), atol=1e-9)


@pytest.mark.parametrize(
    ("matrix", "match"),
    [
        (np.ones((2, 3)), "3 units with every child present; got 3 children and 2"),
        (np.ones((5, 1)), "at least 2 children"),
        (np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]]), "child 0 constant"),
    ],
)
def test_pca_weights_refuse_too_little_data(matrix, match):
    with pytest.raises(ScoringError, match=match):
        kw.pca_weights(matrix)


def test_effective_weights_by_hand():
    # Two uncorrelated children with equal weight and variances 16/3 and 4/3: the composite's
    # variance is split 16 : 4, so 0.8 and 0.2, although both weigh 1/2.
    x = np.array([[2.0, 1.0], [-2.0, 1.0], [2.0, -1.0], [-2.0, -1.0]])
    np.testing.assert_allclose(kw.effective_weights(x, np.array([1.0, 1.0])), [0.8, 0.2])
    # weights 1 : 2 make it 16 : 16
    np.testing.assert_allclose(kw.effective_weights(x, np.array([1.0, 2.0])), [0.5, 0.5])


def test_effective_weights_sum_to_one_and_match_the_reference():
    rng = np.random.default_rng(3)
    x = rng.random((30, 4)) * [1, 10, 100, 5]
    w = np.array([1.0, 2.0, 0.5, 3.0])
    out = kw.effective_weights(x, w)
    assert math.isclose(out.sum(), 1.0)
    np.testing.assert_allclose(out, reference_effective_weights(x.tolist(), w.tolist()))


def test_effective_weights_undefined_without_spread():
    assert np.isnan(kw.effective_weights(np.ones((4, 2)), np.array([1.0, 1.0]))).all()
    assert np.isnan(kw.effective_weights(np.ones((1, 2)), np.array([1.0, 1.0]))).all()
