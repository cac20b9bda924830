"""The generic XLSX writer (``egov_score.io.xlsx``): cell types, formats, safe sheet names,
formula neutralisation and the format's limits, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from egov_score.exceptions import InputError
from egov_score.io.xlsx import MAX_ROWS, MAX_TEXT, sheet_names, write_xlsx


def _read(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def test_numbers_text_empty_integers_and_booleans(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {
            "data": {
                "name": np.array(["Alwar", "", "Dausa"]),
                "score": np.array([70.51917151427686, np.nan, 0.1]),
                "rank": np.array([2, 1, 3], dtype=np.int64),
                "ok": np.array([True, False, True]),
                "rank_gaps": np.array([1, None, 2], dtype=object),
                "masked": np.ma.masked_array([4, 0, 5], mask=[False, True, False]),
            }
        },
    )
    ws = _read(path)["data"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["name", "score", "rank", "ok", "rank_gaps", "masked"]
    assert rows[1] == ["Alwar", 70.51917151427686, 2, True, 1, 4]
    assert rows[2] == [None, None, 1, False, None, None]
    assert rows[3] == ["Dausa", 0.1, 3, True, 2, 5]
    assert [c.data_type for c in ws[2]] == ["s", "n", "n", "b", "n", "n"]
    assert isinstance(ws["F2"].value, int)
    assert isinstance(ws["C2"].value, int)


def test_empty_and_wholly_masked_columns(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {
            "gaps": {"rank": np.ma.masked_array([0, 0], mask=True), "x": np.array([1.0, 2.0])},
            "empty": {"code": np.array([], dtype=np.str_), "rank": np.array([], dtype=np.int64)},
        },
    )
    book = _read(path)
    assert [c.value for c in book["gaps"]["A"]] == ["rank", None, None]
    assert [[c.value for c in row] for row in book["empty"].iter_rows()] == [["code", "rank"]]


def test_infinities_are_empty_cells(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"s": {"x": np.array([np.inf, -np.inf, 1.5])}})
    assert [c.value for c in _read(path)["s"]["A"]] == ["x", None, None, 1.5]


def test_number_formats_frozen_header_and_widths(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {"a": {"code": np.array(["B-0574"]), "score": np.array([70.519])}},
        number_formats={"score": "0.0"},
    )
    ws = _read(path)["a"]
    assert ws.freeze_panes == "A2"
    assert ws["B2"].number_format == "0.0"
    assert ws["B2"].value == 70.519  # the full number is kept; only the display is rounded
    assert ws["A2"].number_format == "General"
    assert 6 <= ws.column_dimensions["A"].width <= 62
    unfrozen = write_xlsx(tmp_path / "u.xlsx", {"a": {"x": [1]}}, freeze_header=False)
    assert _read(unfrozen)["a"].freeze_panes is None


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2-3", "@SUM(A1)", "  =1+1"],
)
def test_formula_text_is_written_as_a_string(tmp_path: Path, text: str) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {
            "s": {
                "name": np.array([text, "plain"]),
                "mixed": np.array([text, 3], dtype=object),
                text: np.array([1.0, 2.0]),
            }
        },
    )
    ws = _read(path)["s"]
    for cell in (ws["A2"], ws["B2"], ws["C1"]):
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    assert ws["A3"].data_type == "s"
    assert not ws["A3"].quotePrefix
    assert ws["B3"].value == 3


def test_links_and_numbers_in_text_stay_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"s": {"x": np.array(["http://a.example", "0087"])}})
    ws = _read(path)["s"]
    assert (ws["A2"].value, ws["A2"].hyperlink) == ("http://a.example", None)
    assert (ws["A3"].value, ws["A3"].data_type) == ("0087", "s")


def test_nul_characters_are_dropped(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"s": {"x": np.array(["a\x00b"])}})
    assert _read(path)["s"]["A2"].value == "ab"


def test_sheet_names_are_made_safe() -> None:
    assert sheet_names(["a/b", "x[1]:*?", "'quoted'", "", "History"]) == [
        "a_b",
        "x_1____",
        "quoted",
        "sheet",
        "History_",
    ]
    long = sheet_names(["m" * 40, "M" * 40])
    assert long == ["m" * 31, "M" * 29 + "~2"]
    assert sheet_names(["notes"], reserved=["Notes"]) == ["notes~2"]


def test_unsafe_sheet_names_are_written(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"a/b": {"x": [1]}, "A_B": {"x": [2]}})
    assert _read(path).sheetnames == ["a_b", "A_B~2"]


def test_a_text_cell_longer_than_excel_holds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    cells = np.array(["ok", "x" * (MAX_TEXT + 1)])
    with pytest.raises(InputError) as err:
        write_xlsx(path, {"units": {"name": cells}})
    message = str(err.value)
    for fragment in (
        str(path),
        "sheet 'units'",
        "row 3",
        "column 'name'",
        "a text cell must be at most 32,767 characters (Excel's limit)",
        "got 32,768",
    ):
        assert fragment in message
    assert not path.exists()


def test_text_length_counts_utf16_units(tmp_path: Path) -> None:
    # 20,000 characters beyond U+FFFF are 40,000 UTF-16 units: too long for Excel.
    with pytest.raises(InputError, match="got 40,000"):
        write_xlsx(tmp_path / "t.xlsx", {"s": {"x": np.array(["\U0001f600" * 20_000])}})


def test_too_many_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        write_xlsx(tmp_path / "t.xlsx", {"machine": {"x": np.zeros(MAX_ROWS)}})
    assert "sheet 'machine': a sheet must have at most 1,048,575 rows below its header" in str(
        err.value
    )
    assert "got 1,048,576" in str(err.value)


def test_columns_of_different_lengths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="all columns must have the same length"):
        write_xlsx(tmp_path / "t.xlsx", {"s": {"a": [1, 2], "b": [1]}})


def test_writing_needs_no_extra(tmp_path: Path, hide_module) -> None:
    # The writer is egov_score's own since issue 11's vectorised writer: XlsxWriter is not
    # imported (this test asserted the 'excel' extra's message before).
    hide_module("xlsxwriter")
    path = write_xlsx(tmp_path / "t.xlsx", {"s": {"a": [1]}})
    book = openpyxl.load_workbook(path, read_only=True)
    assert list(book["s"].iter_rows(values_only=True)) == [("a",), (1,)]
    book.close()


def test_an_unwritable_path_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="No such file"):
        write_xlsx(tmp_path / "missing" / "t.xlsx", {"s": {"a": [1]}})


def test_floats_read_back_to_16_significant_digits(tmp_path: Path) -> None:
    values = np.random.default_rng(7).random(2000) * 100
    values[:3] = [70.51917151427686, 1e-300, 12345678901234.5]
    path = write_xlsx(tmp_path / "t.xlsx", {"s": {"x": values}})
    book = openpyxl.load_workbook(path, read_only=True)
    back = np.array([row[0] for row in book["s"].iter_rows(min_row=2, values_only=True)], float)
    book.close()
    np.testing.assert_allclose(back, values, rtol=1e-15, atol=0)
    assert back[0] == 70.51917151427686


def test_the_examples_of_docs_excel_md_run(tmp_path: Path, monkeypatch) -> None:
    import re

    text = (Path(__file__).parent.parent / "docs" / "excel.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", text, re.S | re.M)
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "docs/excel.md", "exec"), {})
    assert openpyxl.load_workbook("scores.xlsx", read_only=True).sheetnames[-1] == "notes"
    ws = _read(tmp_path / "actions.xlsx")["Alwar"]
    assert [c.value for c in ws[3]] == ["M-0002", 1, None, None]
