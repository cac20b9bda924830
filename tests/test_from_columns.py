"""``Values.from_columns`` and ``Table.from_mapping``: numbers kept as numbers (a float64 array
without a copy), text read by the cell grammar, the same values and messages as before."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import egov_score as eg
from egov_score.io.table import Table

FW = eg.Framework.from_dict(
    {
        "levels": ["district", "block"],
        "field": [
            {"code": "x", "level": "block"},
            {"code": "flag", "level": "block", "kind": "flag"},
        ],
        "indicator": [{"code": "xi", "field": "x", "parent": "index"}],
        "group": [{"code": "index"}],
    }
)
UNITS = (
    eg.Unit(level="district", code="007", name="D"),
    eg.Unit(level="block", code="B1", name="B1", parent="007"),
    eg.Unit(level="block", code="B2", name="B2", parent="007"),
)


def hierarchy() -> eg.Hierarchy:
    # built per test: tests/test_pickle.py walks every object a result reaches, globals too
    return eg.Hierarchy.from_units(UNITS, FW.levels)


def values(**columns: object) -> eg.Values:
    return eg.Values.from_columns({"code": ["B1", "B2"], **columns}, hierarchy(), FW)


def test_a_float64_array_is_used_without_a_copy():
    x = np.array([1.5, np.nan])
    got = values(x=x).columns["x"]
    assert np.shares_memory(got, x)
    np.testing.assert_array_equal(got, [1.5, np.nan])


@pytest.mark.parametrize(
    "cells",
    [
        [1.5, None],
        [1.5, float("nan")],
        ["1.5", ""],
        [" 1.5 ", None],
        np.array([1.5, np.nan], dtype=np.float32).astype(np.float64),
        np.array(["1.5", ""]),
        np.array([1.5, None], dtype=object),
    ],
    ids=["floats-none", "floats-nan", "text", "spaces", "array", "text-array", "objects"],
)
def test_every_spelling_gives_the_same_numbers(cells):
    np.testing.assert_array_equal(values(x=cells).columns["x"], [1.5, np.nan])


def test_whole_numbers_and_booleans():
    np.testing.assert_array_equal(values(x=np.array([3, 4])).columns["x"], [3.0, 4.0])
    np.testing.assert_array_equal(values(flag=np.array([True, False])).columns["flag"], [1, 0])
    np.testing.assert_array_equal(values(flag=[True, None]).columns["flag"], [1, np.nan])


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        (["nan", "1"], "got 'nan' (nan is not a number here"),
        ([float("inf"), 1.0], "got 'inf' (infinity is not a number here)"),
        (np.array([1.0, -np.inf]), "got '-inf' (infinity is not a number here)"),
        (["a", 1.0], "row 1, column 'x': expected a finite number; got 'a'"),
    ],
)
def test_bad_cells_are_named_as_before(cells, words):
    with pytest.raises(eg.ValuesError, match=r"values rejected") as err:
        values(x=cells)
    assert words in str(err.value)


def test_implausible_number_is_quoted_as_written():
    with pytest.raises(eg.ValuesError, match=r"row 2, column 'flag': must be a flag .*; got '7'"):
        values(flag=np.array([1.0, 7.0]))
    with pytest.raises(eg.ValuesError, match=r"got '2.5'"):
        values(flag=[1.0, 2.5])


def test_text_columns_stay_text():
    table = Table.from_mapping(
        {"code": ["007", None], "n": np.array([101, 7]), "x": np.array([2.5, np.nan])},
        source="t",
        numeric=["x"],
    )
    assert table.columns["code"].tolist() == ["007", ""]
    assert table.columns["n"].tolist() == ["101", "7"]
    assert table.columns["x"].tolist() == ["2.5", ""]
    np.testing.assert_array_equal(table.floats("x"), [2.5, np.nan])
    v = eg.Values.from_columns({"code": np.array(["007"]), "period": ["P"]}, hierarchy(), FW)
    assert v.depth.tolist() == [0]


def test_duplicate_rows_named_with_both_rows():
    with pytest.raises(eg.ValuesError, match=r"row 3: one row per unit and period .* 'B1' .*"):
        eg.Values.from_columns(
            {"code": ["B1", "B2", "B1"], "period": ["P", "P", "P"], "x": [1, 2, 3]}, hierarchy(), FW
        )
    # the same unit in two periods is two rows, not a duplicate
    v = eg.Values.from_columns(
        {"code": ["B1", "B1"], "period": ["P", "Q"], "x": [1, 2]}, hierarchy(), FW
    )
    assert v.period_list == ("P", "Q")


def test_codes_in_any_order_are_found():
    rng = np.random.default_rng(3)
    n = 20_000  # above the size where the codes are sorted before the search
    units = [eg.Unit(level="district", code="D", name="D")] + [
        eg.Unit(level="block", code=f"B{i}", name="b", parent="D") for i in range(n)
    ]
    h = eg.Hierarchy.from_units(units, FW.levels)
    order = rng.permutation(n)
    codes = np.array([f"B{i}" for i in order])
    v = eg.Values.from_columns({"code": codes, "x": order.astype(float)}, h, FW)
    np.testing.assert_array_equal(v.index, order)
    np.testing.assert_array_equal(v.at("")[1]["x"], np.arange(n))


@pytest.mark.parametrize(
    "prefix", ["B", "Blk-", "ब्लॉक", "a-long-block-code-"], ids=["short", "eight", "hindi", "long"]
)
def test_codes_of_every_kind_in_any_order_are_found(prefix):
    """Short ASCII codes are looked up by integer keys, others by strings: the same units."""
    n = 12_000
    units = [eg.Unit(level="district", code="D", name="D")] + [
        eg.Unit(level="block", code=f"{prefix}{i}", name="b", parent="D") for i in range(n)
    ]
    h = eg.Hierarchy.from_units(units, FW.levels)
    order = np.random.default_rng(5).permutation(n)
    codes = np.array([f"{prefix}{i}" for i in order] + ["nope", f"{prefix}{n}"])
    depth, index = h.locate(codes)
    np.testing.assert_array_equal(index[:n], order)
    assert depth[:n].tolist() == [1] * n
    assert index[n:].tolist() == [-1, -1]


@given(st.lists(st.integers(0, 50), max_size=60), st.sampled_from([0, 10**12]))
def test_repeated_row_keys_are_found_counted_or_sorted(keys: list[int], shift: int) -> None:
    """A repeated (unit, period) key is found whether the keys are counted (a narrow span)
    or sorted (a wide one)."""
    from egov_score.model.values import _has_repeats

    arr = np.array([k * (1 + shift) for k in keys] or [0], dtype=np.int64)
    assert _has_repeats(arr) == (len(set(arr.tolist())) < len(arr))
