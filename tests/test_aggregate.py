"""Known-answer tests of the aggregation kernels (COINr, OECD/JRC Handbook)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.kernels import aggregate as ag


def row(*xs):
    return np.array([xs], dtype=np.float64)


def test_weighted_geometric_mean_coinr():
    out = ag.geometric(row(1, 2, 3), np.array([1.0, 1.0, 2.0]))
    assert round(float(out[0]), 6) == 2.059767


def test_weighted_harmonic_mean_coinr():
    out = ag.harmonic(row(1, 2, 3), np.array([2.0, 1.0, 1.0]))
    assert round(float(out[0]), 6) == 1.411765


def test_arithmetic_with_coverage_threshold_coinr():
    nan = np.nan
    m = np.array([[1, 3, 1], [2, nan, nan], [3, nan, 1]], dtype=np.float64)
    w = np.ones(3)
    values = ag.arithmetic(m, w)
    cov = ag.coverage(m, w)
    kept = np.where(cov + 1e-12 >= 2 / 3, values, np.nan)
    np.testing.assert_allclose(kept, [1.666667, nan, 2.0], rtol=1e-6)


@pytest.mark.parametrize(
    ("values", "geometric", "arithmetic"),
    [((21, 1, 1, 1), 2.1407, 6.0), ((21, 2, 1, 1), 2.5457, 6.25), ((6, 7, 6, 6), 6.2357, 6.25)],
)
def test_geometric_penalises_imbalance_handbook(values, geometric, arithmetic):
    w = np.ones(4)
    assert round(float(ag.geometric(row(*values), w)[0]), 4) == geometric
    assert float(ag.arithmetic(row(*values), w)[0]) == arithmetic


def test_generalised_mean_reduces_to_the_named_means():
    m, w = row(1, 2, 3), np.array([1.0, 1.0, 2.0])
    assert ag.generalised(m, w, p=0.0)[0] == pytest.approx(ag.geometric(m, w)[0])
    assert ag.generalised(m, w, p=-1.0)[0] == pytest.approx(ag.harmonic(m, w)[0])
    assert ag.generalised(m, w, p=1.0)[0] == pytest.approx(ag.arithmetic(m, w)[0])
    # quadratic mean by hand: sqrt((1 + 4 + 2*9) / 4)
    assert ag.generalised(m, w, p=2.0)[0] == pytest.approx(np.sqrt(23 / 4))


def test_weights_renormalised_over_children_present():
    m = np.array([[80.0, np.nan, 40.0]])
    w = np.array([1.0, 5.0, 3.0])
    assert ag.arithmetic(m, w)[0] == pytest.approx((80 + 3 * 40) / 4)
    assert ag.coverage(m, w)[0] == pytest.approx(4 / 9)


def test_zero_child_makes_geometric_and_harmonic_zero():
    m = row(0, 50, 100)
    w = np.ones(3)
    assert ag.geometric(m, w)[0] == 0.0
    assert ag.harmonic(m, w)[0] == 0.0
    assert ag.generalised(m, w, p=-2.0)[0] == 0.0
    # a zero-weight child scoring 0 does not count
    assert ag.geometric(m, np.array([0.0, 1.0, 1.0]))[0] == pytest.approx(np.sqrt(5000))


def test_negative_input_is_an_error_naming_row_and_child():
    with pytest.raises(ag.NegativeInputError, match=r"got -1.5 \(row 1, child 2\)"):
        ag.geometric(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, -1.5]]), np.ones(3))


def test_all_missing_row_is_missing_not_zero():
    m = np.array([[np.nan, np.nan]])
    for kernel in (ag.arithmetic, ag.geometric, ag.harmonic):
        assert np.isnan(kernel(m, np.ones(2))[0])


# -- the fused arithmetic mean over separate columns ---------------------------------------------


@st.composite
def children(draw):
    k = draw(st.integers(1, 18))  # past 16 children the matrix path is taken
    n = draw(st.integers(0, 12))
    cell = st.one_of(st.just(np.nan), st.floats(0, 100))
    columns = [np.array(draw(st.lists(cell, min_size=n, max_size=n))) for _ in range(k)]
    weights = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]), min_size=k, max_size=k))
    )
    return columns, weights


@settings(max_examples=200, deadline=None)
@given(children(), st.sampled_from([0.0, 0.5, 2 / 3, 1.0]))
def test_fused_arithmetic_is_the_matrix_mean_with_coverage(kids, min_coverage):
    columns, weights = kids
    matrix = np.column_stack(columns) if len(columns[0]) else np.zeros((0, len(columns)))
    cov = ag.coverage(matrix, weights)
    want = np.where(cov + 1e-12 >= min_coverage, ag.arithmetic(matrix, weights), np.nan)
    got = ag.arithmetic_columns(columns, weights, min_coverage)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ag.coverage_columns(columns, weights), cov, rtol=1e-12)


def _masked_mean_by_row(columns, weights, min_coverage):
    """Slow reference: every row's weighted sum from 0.0 in the children's order, a missing
    child adding 0.0, over the present weight (from the kernel's pattern table)."""
    present_weight, cov_table = ag._pattern_tables(weights)
    out = []
    for row in range(len(columns[0])):
        total, pattern = 0.0, 0
        for j, col in enumerate(columns):
            x = float(col[row])
            if math.isnan(x):
                total += 0.0
            else:
                pattern |= 1 << j
                total += x * float(weights[j])
        usable = present_weight[pattern] > 0 and cov_table[pattern] + 1e-12 >= min_coverage
        out.append(total / present_weight[pattern] if usable else math.nan)
    return np.array(out, dtype=np.float64)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            st.lists(
                st.lists(
                    st.one_of(
                        st.just(np.nan),
                        st.sampled_from([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf]),
                        st.floats(-1e3, 1e3),
                    ),
                    min_size=k,
                    max_size=k,
                ),
                max_size=30,
            ),
            st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 1 / 3]), min_size=k, max_size=k),
        )
    ),
    st.sampled_from([0.0, 0.5, 2 / 3, 1.0]),
)
def test_fused_arithmetic_gives_the_masked_sum_bit_for_bit(case, min_coverage):
    # Every row must be what the slow masked sum gives, to the bit (signed zeros,
    # infinities and a 0 weight times an infinity included), and the coverage made with it
    # what coverage_columns gives.
    rows, weights = case
    k = len(weights)
    columns = [np.array([r[j] for r in rows], dtype=np.float64) for j in range(k)]
    with np.errstate(all="ignore"):
        got = ag.arithmetic_columns(columns, np.array(weights), min_coverage)
        want = _masked_mean_by_row(columns, np.array(weights), min_coverage)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    number = ~np.isnan(want)  # NaN payloads aside, every bit: -0.0 is not 0.0 in a CSV
    assert got[number].tobytes() == want[number].tobytes()
    with np.errstate(all="ignore"):
        both, cov = ag.arithmetic_with_coverage(columns, np.array(weights), min_coverage)
    assert both.tobytes() == got.tobytes()
    assert cov.tobytes() == ag.coverage_columns(columns, np.array(weights)).tobytes()


def test_fused_arithmetic_known_answer():
    nan = np.nan
    cols = [np.array([1.0, 2.0, 3.0]), np.array([3.0, nan, nan]), np.array([1.0, nan, 1.0])]
    got = ag.arithmetic_columns(cols, np.ones(3), 2 / 3)
    np.testing.assert_allclose(got, [5 / 3, nan, 2.0])
    np.testing.assert_allclose(ag.coverage_columns(cols, np.ones(3)), [1.0, 1 / 3, 2 / 3])
