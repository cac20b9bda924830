"""Sobol' indices (``kernels/sensitivity.py``): the Saltelli design, the Saltelli 2010 and
Jansen estimators against analytic answers and a slow pure-Python reference, the bootstrap,
discrete choices and the mean absolute rank shift."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from egov_score.exceptions import InputError
from egov_score.kernels.sensitivity import (
    bootstrap_rows,
    choice_index,
    design_blocks,
    max_abs_rank_shift,
    mean_abs_rank_shift,
    saltelli_design,
    sobol_for,
    sobol_indices,
)

# -- a slow reference, written from the formulas with loops ---------------------------------


def ref_indices(y, n, d, rows=None):
    """S_i and ST_i of one output from the design's outputs ``y`` (a list), using the design
    rows ``rows`` (default 0..n-1; a bootstrap resample repeats some)."""
    rows = list(range(n)) if rows is None else list(rows)
    ya = [y[j] for j in rows]
    yb = [y[n + j] for j in rows]
    both = ya + yb
    mean = sum(both) / len(both)
    var = sum((v - mean) ** 2 for v in both) / (len(both) - 1)
    first, total = [], []
    for i in range(d):
        yab = [y[(2 + i) * n + j] for j in rows]
        s = sum(b * (ab - a) for a, b, ab in zip(ya, yb, yab, strict=True)) / n
        t = sum((a - ab) ** 2 for a, ab in zip(ya, yab, strict=True)) / (2 * n)
        first.append(s / var if var > 0 else math.nan)
        total.append(t / var if var > 0 else math.nan)
    return first, total


def ref_quantile(xs, q):
    """numpy's default (linear) quantile of a list."""
    xs = sorted(xs)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# -- the design -------------------------------------------------------------------------------


def test_the_design_has_its_documented_row_blocks():
    n, d = 5, 3
    design = saltelli_design(n, d, 7)
    assert design.shape == (n * (d + 2), d)
    base = np.random.default_rng(7).random((n, 2 * d))
    a, b, ab = design_blocks(design, n, d)
    np.testing.assert_array_equal(a, base[:, :d])
    np.testing.assert_array_equal(b, base[:, d:])
    for i in range(d):
        block = design[(2 + i) * n : (3 + i) * n]
        np.testing.assert_array_equal(ab[i], block)
        for col in range(d):
            np.testing.assert_array_equal(block[:, col], (b if col == i else a)[:, col])
    assert ((design >= 0) & (design < 1)).all()


def test_the_same_seed_gives_the_same_design():
    np.testing.assert_array_equal(saltelli_design(8, 2, 3), saltelli_design(8, 2, 3))
    assert not np.array_equal(saltelli_design(8, 2, 3), saltelli_design(8, 2, 4))


# -- known answers ----------------------------------------------------------------------------

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(u):
    x = -math.pi + 2 * math.pi * u  # each input uniform on [-pi, pi]
    a, b = ISHIGAMI_A, ISHIGAMI_B
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a, b):
    """The analytic indices (Ishigami and Homma 1990; Saltelli et al. 2008, Primer, 4.9):
    V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225,
    V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2."""
    pi = math.pi
    v1 = (1 + b * pi**4 / 5) ** 2 / 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    assert math.isclose(v, v1 + v2 + v13)  # the decomposition adds up
    first = [v1 / v, v2 / v, 0.0]
    total = [(v1 + v13) / v, v2 / v, v13 / v]
    return first, total


def test_the_closed_forms_give_the_published_ishigami_values():
    first, total = ishigami_indices(ISHIGAMI_A, ISHIGAMI_B)
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=5e-5)


def _within_sampling_error(est, low, high, truth, confidence):
    """|estimate - truth| within 4 bootstrap standard errors, the standard error read off the
    percentile interval (its half-width over the normal quantile of the confidence); the
    error itself below 0.03, so a wide interval cannot pass the test on its own."""
    z = {0.95: 1.959964}[confidence]
    se = (np.asarray(high) - np.asarray(low)) / (2 * z)
    assert (se < 0.03).all(), se
    assert (np.abs(np.asarray(est) - truth) <= 4 * se + 1e-12).all(), (est, truth, se)


def test_ishigami_indices_are_recovered_within_sampling_error():
    first, total = ishigami_indices(ISHIGAMI_A, ISHIGAMI_B)
    est = sobol_for(ishigami, 3, 2**14, 2026, resamples=200, confidence=0.95)
    _within_sampling_error(est.first, est.first_low, est.first_high, first, 0.95)
    _within_sampling_error(est.total, est.total_low, est.total_high, total, 0.95)
    # the analytic variance of the output, too
    v = ISHIGAMI_A**2 / 8 + ISHIGAMI_B * math.pi**4 / 5 + ISHIGAMI_B**2 * math.pi**8 / 18 + 0.5
    assert abs(est.variance - v) / v < 0.05


def test_a_linear_additive_function_has_the_shares_of_its_variances():
    coef = np.array([1.0, 2.0, 3.0, 0.5])
    # x_i uniform on [-1/2, 1/2]: Var(a_i x_i) = a_i^2 / 12, no interactions: S_i = ST_i.
    # Centred, because the first-order estimator's error grows with the output's mean.
    expected = coef**2 / np.sum(coef**2)
    est = sobol_for(lambda u: (u - 0.5) @ coef, 4, 2**14, 11, resamples=200)
    _within_sampling_error(est.first, est.first_low, est.first_high, expected, 0.95)
    _within_sampling_error(est.total, est.total_low, est.total_high, expected, 0.95)


def test_a_function_of_one_factor_puts_everything_on_it():
    est = sobol_for(lambda u: np.sin(2 * math.pi * u[:, 1]), 3, 2**12, 5, resamples=200)
    # f(AB_i) = f(A) exactly for the other factors: their indices are exactly 0
    np.testing.assert_array_equal(est.first[[0, 2]], 0.0)
    np.testing.assert_array_equal(est.total[[0, 2]], 0.0)
    _within_sampling_error(est.first[1:2], est.first_low[1:2], est.first_high[1:2], 1.0, 0.95)
    _within_sampling_error(est.total[1:2], est.total_low[1:2], est.total_high[1:2], 1.0, 0.95)


def test_several_outputs_at_once_equal_each_alone():
    n, d = 64, 3
    design = saltelli_design(n, d, 1)
    y = np.column_stack([ishigami(design), design @ [1.0, 2.0, 3.0], np.sin(design[:, 0])])
    many = sobol_indices(y, n, d, resamples=30, rng=9)
    assert many.first.shape == (d, 3)
    assert many.variance.shape == (3,)
    for k in range(3):
        one = sobol_indices(y[:, k], n, d)
        np.testing.assert_allclose(many.first[:, k], one.first, rtol=1e-12)
        np.testing.assert_allclose(many.total[:, k], one.total, rtol=1e-12)


def test_a_constant_output_has_no_indices():
    est = sobol_indices(np.full(4 * 10, 3.0), 10, 2, resamples=5, rng=0)
    assert np.isnan(est.first).all()
    assert np.isnan(est.total).all()
    assert np.isnan(est.first_low).all()
    assert est.variance == 0


def test_a_nan_output_spoils_only_its_column():
    y = np.column_stack([np.arange(40.0), np.arange(40.0) ** 2])
    y[3, 1] = np.nan
    est = sobol_indices(y, 10, 2)
    assert np.isfinite(est.first[:, 0]).all()
    assert np.isnan(est.first[:, 1]).all()


def test_without_resamples_the_bounds_are_nan():
    est = sobol_indices(np.arange(40.0), 10, 2)
    assert np.isnan(est.first_low).all()
    assert np.isnan(est.total_high).all()


# -- properties against the reference ---------------------------------------------------------

# On a grid of quarters, so that outputs either tie exactly or differ by far more than
# rounding (a resample of equal outputs has no variance, in both computations).
finite = st.integers(-4000, 4000).map(lambda v: v / 4)


@st.composite
def outputs(draw):
    n = draw(st.integers(2, 12))
    d = draw(st.integers(1, 4))
    y = draw(hnp.arrays(np.float64, n * (d + 2), elements=finite))
    return y, n, d


@settings(max_examples=60, deadline=None)
@given(outputs())
def test_the_estimators_match_the_reference(case):
    y, n, d = case
    est = sobol_indices(y, n, d)
    first, total = ref_indices(y.tolist(), n, d)
    np.testing.assert_allclose(est.first, first, rtol=1e-7, atol=1e-7, equal_nan=True)
    np.testing.assert_allclose(est.total, total, rtol=1e-7, atol=1e-7, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(outputs(), st.integers(1, 25), st.integers(0, 2**32 - 1))
def test_the_bootstrap_bounds_match_the_reference(case, resamples, seed):
    y, n, d = case
    est = sobol_indices(y, n, d, resamples=resamples, confidence=0.9, rng=seed)
    rows = bootstrap_rows(n, resamples, np.random.default_rng(seed))
    boot = [ref_indices(y.tolist(), n, d, r) for r in rows.tolist()]
    for i in range(d):
        for pos, (low, high) in enumerate(
            [(est.first_low, est.first_high), (est.total_low, est.total_high)]
        ):
            xs = [b[pos][i] for b in boot]
            if any(math.isnan(x) for x in xs):
                assert math.isnan(low[i])
                assert math.isnan(high[i])
                continue
            assert low[i] == pytest.approx(ref_quantile(xs, 0.05), rel=1e-6, abs=1e-6)
            assert high[i] == pytest.approx(ref_quantile(xs, 0.95), rel=1e-6, abs=1e-6)


def test_the_bootstrap_is_reproducible_and_blocked_the_same():
    y = np.random.default_rng(0).random(6 * 50)
    one = sobol_indices(y, 50, 4, resamples=40, rng=3)
    again = sobol_indices(y, 50, 4, resamples=40, rng=np.random.default_rng(3))
    for a, b in zip(one, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_bootstrap_in_small_blocks_equals_one_block(monkeypatch):
    import egov_score.kernels.sensitivity as ks

    y = np.random.default_rng(1).random(5 * 40)
    whole = sobol_indices(y, 40, 3, resamples=25, rng=8)
    monkeypatch.setattr(ks, "_BLOCK_CELLS", 40 * 3)  # three resamples per block
    blocked = sobol_indices(y, 40, 3, resamples=25, rng=8)
    for a, b in zip(whole, blocked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# -- discrete choices -------------------------------------------------------------------------


def test_choice_index_splits_the_unit_interval_equally():
    u = np.array([0.0, 0.249, 0.25, 0.5, 0.74, 0.75, 0.999, 1.0])
    np.testing.assert_array_equal(choice_index(u, 4), [0, 0, 1, 2, 2, 3, 3, 3])
    np.testing.assert_array_equal(choice_index(u, 1), 0)


@given(st.floats(0, 1), st.integers(1, 50))
def test_choice_index_is_the_bin_the_draw_falls_in(u, k):
    c = int(choice_index(np.array([u]), k)[0])
    assert 0 <= c < k
    assert c / k <= u
    assert u < (c + 1) / k or c == k - 1


def test_each_choice_is_drawn_about_equally_often():
    counts = np.bincount(choice_index(saltelli_design(3000, 1, 2)[:, 0], 3), minlength=3)
    np.testing.assert_allclose(counts / counts.sum(), 1 / 3, atol=0.02)


@pytest.mark.parametrize(
    ("u", "k", "words"),
    [
        ([0.5, 1.5], 3, "a draw must lie in [0, 1]; got 1.5 at position 1"),
        ([np.nan], 3, "got nan at position 0"),
        ([0.5], 0, "k must be a whole number >= 1; got 0"),
    ],
)
def test_choice_index_refuses_bad_draws(u, k, words):
    with pytest.raises(InputError, match=words.replace("[", r"\[").replace("]", r"\]")):
        choice_index(u, k)


# -- rank shifts ------------------------------------------------------------------------------


def ref_shifts(ranks, nominal):
    means, maxes = [], []
    for run in ranks:
        diffs = [abs(r - n) for r, n in zip(run, nominal, strict=True) if r > 0 and n > 0]
        means.append(sum(diffs) / len(diffs) if diffs else math.nan)
        maxes.append(max(diffs) if diffs else math.nan)
    return means, maxes


def test_the_mean_abs_rank_shift_by_hand():
    nominal = np.array([1, 2, 3, 0])
    ranks = np.array([[1, 2, 3, 4], [3, 1, 2, 1], [0, 0, 1, 2], [0, 0, 0, 1]])
    # run 2: |3-1| + |1-2| + |2-3| = 4 over 3 units; run 3: only unit 3 counts: |1-3| = 2
    np.testing.assert_array_equal(mean_abs_rank_shift(ranks, nominal), [0.0, 4 / 3, 2.0, np.nan])
    np.testing.assert_array_equal(max_abs_rank_shift(ranks, nominal), [0.0, 2.0, 2.0, np.nan])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(1, 9), st.data())
def test_rank_shifts_match_the_reference(runs, units, data):
    ranks = data.draw(hnp.arrays(np.int64, (runs, units), elements=st.integers(0, units)))
    nominal = data.draw(hnp.arrays(np.int64, units, elements=st.integers(0, units)))
    means, maxes = ref_shifts(ranks.tolist(), nominal.tolist())
    np.testing.assert_allclose(mean_abs_rank_shift(ranks, nominal), means, equal_nan=True)
    np.testing.assert_allclose(max_abs_rank_shift(ranks, nominal), maxes, equal_nan=True)


def test_rank_shifts_in_blocks_of_runs_equal_one_block(monkeypatch):
    import egov_score.kernels.sensitivity as ks

    rng = np.random.default_rng(4)
    ranks, nominal = rng.integers(0, 30, (50, 30)), rng.integers(0, 30, 30)
    whole = mean_abs_rank_shift(ranks, nominal)
    monkeypatch.setattr(ks, "_BLOCK_CELLS", 7 * 30)
    np.testing.assert_array_equal(mean_abs_rank_shift(ranks, nominal), whole)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: saltelli_design(1, 2, 0), "n must be a whole number >= 2; got 1"),
        (lambda: saltelli_design(4, 0, 0), "d must be a whole number >= 1; got 0"),
        (lambda: sobol_indices(np.ones(10), 4, 2), r"n \* \(d \+ 2\) = 4 \* 4 = 16\); got shape"),
        (lambda: sobol_indices(np.ones((2, 2, 2)), 1, 1), "got shape \\(2, 2, 2\\)"),
        (lambda: sobol_indices(np.ones(16), 4, 2, resamples=3), "needs a seed"),
        (lambda: sobol_indices(np.ones(16), 4, 2, resamples=-1), "resamples must be"),
        (lambda: sobol_indices(np.ones(16), 4, 2, confidence=1.0), "confidence must lie"),
        (lambda: mean_abs_rank_shift(np.ones((2, 3)), np.ones(4)), "runs x units"),
    ],
)
def test_bad_arguments_are_refused_with_what_was_got(call, words):
    with pytest.raises(InputError, match=words):
        call()
