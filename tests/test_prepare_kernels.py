"""The data preparation kernels: known answers from COINr's documentation and by hand, and
Hypothesis properties against the pure-Python reference (tests/reference.py).

COINr figures are quoted from the vignettes of bluefoxr/COINr (version 1.1.14) as rendered in
its repository: ``docs/articles/treat.html`` (from ``vignettes/treat.Rmd``) and
``docs/articles/imputation.html`` (``vignettes/imputation.Rmd``).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.kernels.prepare import (
    TREATMENTS,
    boxcox,
    carry_forward,
    coinr_treat,
    group_kurtosis,
    group_quantile,
    group_skewness,
    impute_in_groups,
    log_ct,
    present_share,
    trim,
)
from egov_score.model.result import TREATED_LABELS
from tests.reference import (
    reference_carry_forward,
    reference_coinr_treat,
    reference_impute,
    reference_kurt,
    reference_quantile,
    reference_skew,
)

ASEM = Path(__file__).resolve().parent.parent / "examples" / "asem" / "data" / "ASEM_iData.csv"
NaN = math.nan


def one(values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(values, dtype=np.float64), np.zeros(len(values), dtype=np.intp)


def asem_column(code: str) -> np.ndarray:
    with open(ASEM, encoding="utf-8", newline="") as f:
        return np.array([float(r[code]) if r[code] else NaN for r in csv.DictReader(f)])


def test_treatment_labels_are_the_results():
    assert TREATMENTS == TREATED_LABELS


# -- COINr's published figures -----------------------------------------------------------------


def test_skew_and_kurtosis_of_coinr_example():
    # docs/articles/treat.html: x <- c(1:10, 30, 100); skew(x) 3.063241, kurt(x) 9.741391
    x, g = one([*range(1, 11), 30, 100])
    assert group_skewness(x, g, 1)[0] == pytest.approx(3.063241, abs=5e-7)
    assert group_kurtosis(x, g, 1)[0] == pytest.approx(9.741391, abs=5e-7)


def test_winsorise_two_points_of_coinr_example():
    # docs/articles/treat.html: Treat(x, f1 = "winsorise", f1_para = list(winmax = 2)) gives
    # skew 1.712038 and kurtosis 1.815781 (here without the log fallback: it passes).
    x, g = one([*range(1, 11), 30, 100])
    out, code = coinr_treat(x, g, 1, winmax=2)
    assert out.tolist() == [*range(1, 11), 30, 30]  # 100 -> 30, then it passes
    assert code.tolist() == [0] * 11 + [1]
    assert group_skewness(out, g, 1)[0] == pytest.approx(1.712038, abs=5e-7)
    assert group_kurtosis(out, g, 1)[0] == pytest.approx(1.815781, abs=5e-7)


@pytest.mark.parametrize(
    ("code", "skew", "kurt", "rows", "skew1", "kurt1"),
    [
        # docs/articles/treat.html, l_treat$Dets_Table and l_treat$Treated_Points of
        # Treat(ASEM_iData[c("Flights", "Goods", "Services")]), rows 1-based
        ("Flights", 2.103287, 4.508879, [30], 1.900658, 3.3360647),
        ("Goods", 2.649973, 8.266610, [11, 35], 1.140608, 0.1572047),
        ("Services", 1.701085, 2.375656, [], 1.701085, 2.375656),
        # docs/articles/treat.html, head(coin$Analysis$Treated$Dets_Table) on the Raw dset
        ("LPI", -0.3042681, -0.6567514, [], -0.3042681, -0.6567514),
        ("Bord", 2.1482360, 5.7914905, [48], 1.899211, 4.346298),
        ("Elec", 2.2252736, 5.7910268, None, 1.717744, 2.586062),
        ("Gas", 2.8294486, 10.3346494, [21], 1.602518, 1.525576),
    ],
)
def test_coinr_treatment_of_asem_raw_columns(code, skew, kurt, rows, skew1, kurt1):
    x = asem_column(code)
    g = np.zeros(len(x), dtype=np.intp)
    assert group_skewness(x, g, 1)[0] == pytest.approx(skew, abs=5e-7)
    assert group_kurtosis(x, g, 1)[0] == pytest.approx(kurt, abs=5e-7)
    out, treated = coinr_treat(x, g, 1)
    if rows is not None:
        assert (np.flatnonzero(treated) + 1).tolist() == rows
    assert set(treated.tolist()) <= {0, 1}
    assert group_skewness(out, g, 1)[0] == pytest.approx(skew1, abs=5e-6)
    assert group_kurtosis(out, g, 1)[0] == pytest.approx(kurt1, abs=5e-6)


# ASEM_iData[37:46, 36:39] of docs/articles/imputation.html (Pat, CultServ, CultGood, Tourist)
DF1 = {
    "Pat": [23.7, 583.5, 3.6, 249.8, NaN, 64.2, 0.3, NaN, 46.5, 7.2],
    "CultServ": [
        0.13405,
        2.20754,
        0.05780,
        1.79800,
        NaN,
        1.15292,
        0.00266,
        0.08905,
        0.34615,
        0.03553,
    ],
    "CultGood": [NaN, 16.182, 0.985, NaN, NaN, 7.555, 0.046, NaN, 1.213, 1.256],
}


def test_mean_imputation_of_coinr_example():
    # docs/articles/imputation.html: Impute(df1, f_i = "i_mean")
    expected = {"Pat": 122.35, "CultServ": 0.6470778, "CultGood": 4.5395}
    for code, column in DF1.items():
        x, g = one(column)
        out, filled = impute_in_groups(x, g, 1, "mean")
        assert filled.tolist() == np.isnan(x).tolist()
        assert out[filled] == pytest.approx(expected[code], abs=5e-7)


def test_group_median_imputation_of_coinr_example():
    # docs/articles/imputation.html: Impute(df1, f_i = "i_median_grp", f_i_para = list(f =
    # groups)) with groups a (rows 1-5) and b (rows 6-10)
    groups = np.repeat(np.arange(2, dtype=np.intp), 5)
    expected = {
        "Pat": [136.75, 26.85],
        "CultServ": [0.966025, 0.089050],
        "CultGood": [8.5835, 1.2345],
    }
    for code, column in DF1.items():
        x = np.array(column)
        out, filled = impute_in_groups(x, groups, 2, "median")
        for g in (0, 1):
            got = out[filled & (groups == g)]
            assert got == pytest.approx(expected[code][g], abs=5e-7)


# -- hand calculations -------------------------------------------------------------------------


def test_group_mean_imputation_by_hand():
    # group 0: 1, 3, missing -> 2; group 1: 10, missing -> 10; group 2: only missing -> missing
    x = np.array([1, 3, NaN, 10, NaN, NaN])
    g = np.array([0, 0, 0, 1, 1, 2], dtype=np.intp)
    out, filled = impute_in_groups(x, g, 3, "mean")
    np.testing.assert_array_equal(out, [1, 3, 2, 10, 10, NaN])
    assert filled.tolist() == [False, False, True, False, True, False]


def test_carry_forward_by_hand():
    # three months, two units; unit 0 misses months 2 and 3, unit 1 month 2 only
    x = np.array([5, 7, NaN, NaN, NaN, 8], dtype=np.float64)
    months = np.array([0, 1, 2], dtype=np.intp)
    out, filled = carry_forward(x, 3, months, max_age=1)
    np.testing.assert_array_equal(out, [5, 7, 5, 7, NaN, 8])  # month 3: 5 is 2 months old
    assert filled.tolist() == [0, 0, 1, 1, 0, 0]
    out, _ = carry_forward(x, 3, months, max_age=2)
    np.testing.assert_array_equal(out, [5, 7, 5, 7, 5, 8])


def test_log_ct_and_boxcox_by_hand():
    x, g = one([1.0, 2.0, 11.0])
    # log_CT: log(x - 1 + 0.01 * 10) = log(0.1), log(1.1), log(10.1)
    np.testing.assert_allclose(log_ct(x, g, 1), np.log([0.1, 1.1, 10.1]))
    # boxcox lambda 0.5 after the shift x - 1 + 1: (y^0.5 - 1) / 0.5 for y = 1, 2, 11
    np.testing.assert_allclose(boxcox(x, g, 1, 0.5), (np.sqrt([1, 2, 11]) - 1) / 0.5)
    np.testing.assert_allclose(boxcox(x, g, 1, 0.0), np.log([1, 2, 11]))


def test_trim_by_hand():
    # 0, 10, ..., 90 and 1000 (11 values): the type 7 quantiles at 0.1 and 0.9 fall on the
    # 2nd and 10th sorted values, 10 and 90; 0 and 1000 are set to them
    x, g = one([*range(0, 91, 10), 1000])
    out, code = trim(x, g, 1, 0.1, 0.9)
    np.testing.assert_array_equal(out, [10, *range(10, 91, 10), 90])
    assert code.tolist() == [4] + [0] * 9 + [4]


def test_a_column_winsorised_to_a_constant_is_left_as_it_was():
    # [0] * 9 + [1]: skewed; winsorising the 1 makes it constant, which COINr cannot test, so
    # it returns the column untreated
    x, g = one([0.0] * 9 + [1.0])
    out, code = coinr_treat(x, g, 1)
    np.testing.assert_array_equal(out, x)
    assert not code.any()


def test_still_skewed_after_winmax_is_log_transformed():
    # winmax 1 cannot tame two far outliers: log_CT of the original values instead
    x, g = one([*range(1, 21), 500, 1000])
    out, code = coinr_treat(x, g, 1, winmax=1)
    np.testing.assert_allclose(out, log_ct(x, g, 1))
    assert set(code.tolist()) == {3}


def test_present_share():
    present = np.array([[True, False, True, True], [False, False, False, True]])
    np.testing.assert_allclose(present_share(present), [0.75, 0.25])
    assert present_share(np.zeros((2, 0), dtype=bool)).tolist() == [1.0, 1.0]


# -- properties against the reference ----------------------------------------------------------

cells = st.one_of(st.none(), st.integers(-50, 50).map(float))
grouped = st.lists(st.tuples(cells, st.integers(0, 2)), min_size=1, max_size=30)


def as_arrays(pairs):
    x = np.array([NaN if v is None else v for v, _ in pairs])
    return x, np.array([g for _, g in pairs], dtype=np.intp)


def as_list(x):
    return [None if math.isnan(v) else float(v) for v in x]


@given(grouped, st.sampled_from(["mean", "median"]))
def test_impute_matches_reference(pairs, method):
    x, g = as_arrays(pairs)
    out, filled = impute_in_groups(x, g, 3, method)
    expected = reference_impute([v for v, _ in pairs], [k for _, k in pairs], method)
    got = as_list(out)
    assert [e is None for e in expected] == [v is None for v in got]
    np.testing.assert_allclose(
        [v for v in got if v is not None], [e for e in expected if e is not None], rtol=1e-12
    )
    assert filled.tolist() == [
        v is None and e is not None for (v, _), e in zip(pairs, expected, strict=True)
    ]


@given(grouped, st.floats(0, 1))
def test_quantile_matches_reference(pairs, q):
    x, g = as_arrays(pairs)
    got = group_quantile(x, g, 3, q)
    for k in range(3):
        peers = [v for v, gg in pairs if gg == k and v is not None]
        if peers:
            assert got[k] == pytest.approx(reference_quantile(peers, q), rel=1e-12, abs=1e-12)
        else:
            assert math.isnan(got[k])


@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(st.lists(cells, min_size=n, max_size=n), min_size=1, max_size=6)
    ),
    st.integers(1, 4),
)
def test_carry_forward_matches_reference(panel, max_age):
    x = np.array([NaN if v is None else v for row in panel for v in row])
    out, filled = carry_forward(x, len(panel), np.arange(len(panel), dtype=np.intp), max_age)
    expected = reference_carry_forward(panel, max_age)
    assert as_list(out) == [v for row in expected for v in row]
    assert filled.astype(bool).tolist() == [
        a is None and b is not None
        for ra, rb in zip(panel, expected, strict=True)
        for a, b in zip(ra, rb, strict=True)
    ]


skewed = st.lists(
    st.one_of(
        st.integers(0, 20).map(float),
        st.integers(0, 20).map(float),
        st.integers(100, 5000).map(float),
        st.none(),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200)
@given(skewed, st.integers(0, 6))
def test_coinr_treat_matches_reference(values, winmax):
    x = np.array([NaN if v is None else v for v in values])
    g = np.zeros(len(x), dtype=np.intp)
    out, code = coinr_treat(x, g, 1, winmax=winmax)
    expected, codes = reference_coinr_treat(values, winmax=winmax)
    assert code.tolist() == codes
    got = as_list(out)
    assert [v is None for v in got] == [e is None for e in expected]
    np.testing.assert_allclose(
        [v for v in got if v is not None], [e for e in expected if e is not None], rtol=1e-12
    )


@given(
    st.lists(st.tuples(st.integers(0, 30).map(float), st.integers(0, 1)), min_size=1, max_size=40)
)
def test_coinr_treat_per_group_is_treat_of_each_group(pairs):
    x, g = as_arrays(pairs)
    out, code = coinr_treat(x, g, 2)
    for k in range(2):
        rows = g == k
        alone, alone_code = coinr_treat(x[rows], np.zeros(rows.sum(), dtype=np.intp), 1)
        np.testing.assert_array_equal(out[rows], alone)
        np.testing.assert_array_equal(code[rows], alone_code)


@given(grouped)
def test_skew_and_kurtosis_match_reference(pairs):
    x, g = as_arrays(pairs)
    s, k = group_skewness(x, g, 3), group_kurtosis(x, g, 3)
    for grp in range(3):
        peers = [v for v, gg in pairs if gg == grp and v is not None]
        for got, ref in ((s[grp], reference_skew(peers)), (k[grp], reference_kurt(peers))):
            if ref is None:
                assert math.isnan(got)
            else:
                assert got == pytest.approx(ref, rel=1e-9, abs=1e-9)
