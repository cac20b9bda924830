"""Values tables: validation that never drops or coerces a cell silently."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import ValuesError

UNITS = """
level,code,name,parent
district,D1,Alwar,
block,B1,Bansur,D1
block,B2,Behror,D1
"""
FW = """
levels = ["district", "block"]
[[field]]
code = "installed"
level = "block"
[[field]]
code = "inspected"
level = "block"
[[field]]
code = "grievances"
level = "district"
[[indicator]]
code = "rate"
numerator = "inspected"
denominator = "installed"
parent = "index"
[[group]]
code = "index"
"""


@pytest.fixture
def trees(write):
    fw = eg.Framework.from_toml(write("fw.toml", FW))
    return fw, eg.Hierarchy.from_csv(write("u.csv", UNITS), fw.levels)


def load(write, trees, text):
    fw, h = trees
    return eg.Values.from_csv(write("v.csv", text), h, fw)


def test_rows_of_several_levels_and_periods(write, trees):
    v = load(
        write,
        trees,
        "code,period,installed,inspected,grievances\n"
        "B1,2021-01,10,8,\nB2,2021-01,5,,\nD1,2021-01,,,42\nB1,2020-12,10,7,\n",
    )
    assert v.period_list == ("2020-12", "2021-01")
    district, block = v.at("2021-01")
    np.testing.assert_array_equal(block["installed"], [10, 5])
    np.testing.assert_array_equal(block["inspected"], [8, np.nan])
    np.testing.assert_array_equal(district["grievances"], [42])
    _, block = v.at("2020-12")
    np.testing.assert_array_equal(block["installed"], [10, np.nan])


def test_typo_in_column_name_is_an_error(write, trees):
    with pytest.raises(ValuesError, match=r"got unknown column\(s\) \['inspectd'\]"):
        load(write, trees, "code,period,installed,inspectd\nB1,P,1,1\n")


def test_unknown_code(write, trees):
    with pytest.raises(ValuesError, match=r"row 3, column 'code': .* got 'B9'"):
        load(write, trees, "code,period,installed\nB1,P,1\nB9,P,1\n")


def test_duplicate_unit_and_period(write, trees):
    with pytest.raises(
        ValuesError, match=r"row 3: one row per unit .* got 'B1' for period 'P' again"
    ):
        load(write, trees, "code,period,installed\nB1,P,1\nB1,P,2\n")


def test_not_a_number(write, trees):
    with pytest.raises(
        ValuesError, match=r"row 2, column 'installed': expected a finite number; got 'ten'"
    ):
        load(write, trees, "code,period,installed\nB1,P,ten\nB2,P,inf\n")


def test_every_problem_listed_together(write, trees):
    with pytest.raises(ValuesError, match="3 problems") as info:
        # periods are months: a label such as 'P' would be one more problem
        load(write, trees, "code,period,installed\nB1,2021-01,ten\nB2,2021-01,inf\nB7,2021-01,1\n")
    assert "'inf'" in str(info.value)
    assert "'B7'" in str(info.value)


def test_cell_for_a_field_of_another_level(write, trees):
    with pytest.raises(
        ValuesError,
        match=r"row 2, column 'installed': field 'installed' is measured per 'block'.* "
        r"got '3' for 'district' unit 'D1'",
    ):
        load(write, trees, "code,period,installed\nD1,P,3\n")


def test_period_choice(write, trees):
    v = load(write, trees, "code,period,installed\nB1,2021-01,1\nB1,2020-12,1\n")
    with pytest.raises(
        ValuesError, match=r"a period must be chosen .* got \['2020-12', '2021-01'\]"
    ):
        v.resolve_period(None)
    with pytest.raises(ValuesError, match=r"period must be one of .*; got '2021-02'"):
        v.resolve_period("2021-02")
    single = load(write, trees, "code,installed\nB1,4\n")
    assert single.resolve_period(None) == ""


def test_from_columns(trees):
    fw, h = trees
    v = eg.Values.from_columns(
        {"code": ["B1", "B2"], "period": ["P", "P"], "installed": [3, None]}, h, fw
    )
    np.testing.assert_array_equal(v.at("P")[1]["installed"], [3, np.nan])


def test_fast_and_careful_readers_agree(write, trees):
    fw, h = trees
    text = (
        "code,period,installed,inspected,grievances\n"
        "B1,2021-01,10,8,\nB2,2021-01,5,,\nD1,2021-01,,,42\n"
    )
    fast = eg.Values.from_csv(write("a.csv", text), h, fw)
    careful = eg.Values.from_table(eg.Table.from_text(text, source="a.csv"), h, fw)
    for col in ("installed", "inspected", "grievances"):
        np.testing.assert_array_equal(fast.columns[col], careful.columns[col])
    # quotes, CRLF line ends and trailing empty cells
    quoted = (
        'code,period,installed,inspected,grievances\r\n"B1",2021-01,10,8,\r\nB2,2021-01,5,,\r\n'
    )
    np.testing.assert_array_equal(
        eg.Values.from_csv(write("b.csv", quoted), h, fw).columns["installed"], [10, 5]
    )


def test_written_nan_is_not_a_number_on_the_fast_path(write, trees):
    with pytest.raises(ValuesError, match=r"row 3, column 'installed': expected a finite number"):
        load(write, trees, "code,period,installed\nB1,P,1\nB2,P,nan\n")


def test_excel_workbooks(tmp_path, trees):
    import openpyxl

    fw, h = trees
    book = openpyxl.Workbook()
    ws = book.active
    for row in (
        ["code", "period", "installed", "inspected"],
        ["B1", "2021-01", 10, 8.0],
        ["B2", "2021-01", 5, None],
    ):
        ws.append(row)
    book.save(tmp_path / "v.xlsx")
    v = eg.Values.from_csv(tmp_path / "v.xlsx", h, fw)
    np.testing.assert_array_equal(v.at("2021-01")[1]["installed"], [10, 5])
    np.testing.assert_array_equal(v.at("2021-01")[1]["inspected"], [8, np.nan])
    ws.append(["B9", "2021-01", "ten", None])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ValuesError) as info:
        eg.Values.from_csv(tmp_path / "bad.xlsx", h, fw)
    assert "row 4, column 'code'" in str(info.value)
    assert "row 4, column 'installed': expected a finite number; got 'ten'" in str(info.value)


def test_excel_without_the_extra_names_it(tmp_path, hide_module):
    hide_module("openpyxl")
    with pytest.raises(eg.InputError, match=r"pip install 'egov-score\[excel\]'"):
        eg.Table.from_excel(tmp_path / "x.xlsx")
