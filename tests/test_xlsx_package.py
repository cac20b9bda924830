"""The XLSX package egov_score writes itself has XlsxWriter's parts and XML: the same part
names in the same order, every part byte for byte equal (the documents' timestamps aside),
and it opens cleanly."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from egov_score.io.xlsx import write_xlsx
from egov_score.io.xlsx_xml import column_letters, quote_sheet_name
from tests.xlsx_reference import write_reference

_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _masked(values: list[int], mask: list[bool]) -> Any:
    return np.ma.masked_array(np.array(values), mask=mask)


CASES: dict[str, tuple[dict[str, dict[str, Any]], dict[str, str], bool]] = {
    "every kind": (
        {
            "machine": {
                "code": np.array(["M1", "=x", "a&b<c>_x0041_\x01", " lead", "trail\t"]),
                "score": np.array([1.5, np.nan, 70.51917151427686, np.inf, 0.1]),
                "rank": _masked([1, 2, 0, 3, 4], [False, False, True, False, False]),
                "ok": np.array([True, False, True, True, False]),
                "mixed": np.array([1, "t", None, 2.5, "@home"], dtype=object),
            },
            "notes": {"item": np.array(["a"]), "value": np.array(["b"])},
            "empty": {},
        },
        {"score": "0.0", "rank": "0", "mixed": "0.00"},
        True,
    ),
    "quoted first, formats later": (
        {"s": {"t": np.array(["+1", "x"]), "v": np.array([np.nan, 2.0])}},
        {"v": '0.0" pts"', "t": "General"},
        True,
    ),
    "a format no cell uses": (
        {"s": {"v": np.array([np.nan, np.nan])}, "t": {"w": np.array([1.0])}},
        {"v": "0.000", "w": "0.0"},
        False,
    ),
    "header only and empty rows": (
        {
            "zero": {"a": np.array([], float), "b": np.array([], str)},
            "gaps": {"a": np.array([np.nan, 1.0, np.nan]), "b": np.array(["", "x", ""])},
            "one": {"a": np.array([np.nan, np.nan])},
        },
        {},
        False,
    ),
    "names that need quotes": (
        {
            name: {"x": np.array([1])}
            for name in ["my sheet", "A1", "R1C1", "it's", "1st", "R", "rc", "XFE1", "Ok_9"]
        },
        {},
        True,
    ),
    "many sheets": ({f"s{i}": {"x": np.array([i])} for i in range(12)}, {}, True),
    "wide": (
        {"w": {f"c{i}": np.arange(3) * i for i in range(30)}},
        {f"c{i}": "0.0" for i in range(0, 30, 7)},
        True,
    ),
}


def _parts(path: Path) -> list[tuple[str, bytes, int]]:
    """Each part's name, XML (timestamps masked) and compression. The entries' times are
    not compared: Excel's 1980-01-01 here, XlsxWriter's 1980-01-31 when it writes a file
    from temporary files."""
    with zipfile.ZipFile(path) as zf:
        return [
            (
                info.filename,
                _STAMP.sub("T", zf.read(info).decode()).encode(),
                info.compress_type,
            )
            for info in zf.infolist()
        ]


@pytest.mark.parametrize("case", list(CASES))
def test_every_part_equals_xlsxwriters(case: str, tmp_path: Path) -> None:
    sheets, formats, freeze = CASES[case]
    mine = _parts(
        write_xlsx(tmp_path / "m.xlsx", sheets, number_formats=formats, freeze_header=freeze)
    )
    theirs = _parts(
        write_reference(tmp_path / "r.xlsx", sheets, number_formats=formats, freeze_header=freeze)
    )
    assert [p[0] for p in mine] == [p[0] for p in theirs]
    with zipfile.ZipFile(tmp_path / "m.xlsx") as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    for (name, xml, *meta), (_, ref_xml, *ref_meta) in zip(mine, theirs, strict=True):
        assert meta == ref_meta, name
        assert xml.decode() == ref_xml.decode(), name


def test_numbers_differ_only_in_their_form(tmp_path: Path) -> None:
    # XlsxWriter writes %.16G (1E-300, and 0.30000000000000004 as 0.3); the writer writes the
    # shortest text that reads back as the same float.
    sheets = {"s": {"x": np.array([1e-300, 0.1 + 0.2, 2.0, 1e16])}}
    with zipfile.ZipFile(write_xlsx(tmp_path / "m.xlsx", sheets)) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r"<v>([^<]*)</v>", xml) == ["1e-300", "0.30000000000000004", "2", "1e+16"]


@pytest.mark.parametrize("case", list(CASES))
def test_the_package_opens_cleanly(case: str, tmp_path: Path) -> None:
    sheets, formats, freeze = CASES[case]
    path = write_xlsx(tmp_path / "m.xlsx", sheets, number_formats=formats, freeze_header=freeze)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = openpyxl.load_workbook(path)
        book.close()
        book = openpyxl.load_workbook(path, read_only=True)
        for ws in book.worksheets:
            list(ws.iter_rows(values_only=True))
        book.close()
    assert [str(w.message) for w in caught] == []


def test_the_filter_is_a_hidden_defined_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", {"my sheet": {"a": [1, 2], "b": [3, 4]}})
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        "'my sheet'!$A$1:$B$3</definedName>"
    ) in workbook
    ws = openpyxl.load_workbook(path)["my sheet"]
    assert ws.auto_filter.ref == "A1:B3"
    assert ws.freeze_panes == "A2"


def test_large_sheets_are_written_in_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_score.io.xlsx as xlsx

    monkeypatch.setattr(xlsx, "_CHUNK", 7)
    n = 50
    sheets = {
        "s": {
            "x": np.where(np.arange(n) % 9 == 0, np.nan, np.arange(n) / 4),
            "t": np.array([f"=r{i}" if i % 5 == 0 else f"r{i}" for i in range(n)]),
        }
    }
    parts = _parts(write_xlsx(tmp_path / "m.xlsx", sheets, number_formats={"x": "0.0"}))
    ref = _parts(write_reference(tmp_path / "r.xlsx", sheets, number_formats={"x": "0.0"}))
    assert parts == ref


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("machine", "machine"),
        ("my sheet", "'my sheet'"),
        ("it's", "'it''s'"),
        ("A1", "'A1'"),
        ("XFD1048576", "'XFD1048576'"),
        ("XFE1", "XFE1"),
        ("R12", "'R12'"),
        ("RC", "'RC'"),
        ("C3x", "'C3x'"),
        ("1st", "'1st'"),
        (".x", "'.x'"),
        ("Ok_9", "Ok_9"),
        ("आलवर", "आलवर"),
    ],
)
def test_sheet_names_in_formulas(name: str, quoted: str) -> None:
    from xlsxwriter.utility import quote_sheetname

    assert quote_sheet_name(name) == quoted == quote_sheetname(name)


def test_column_letters() -> None:
    letters = column_letters(16_384)
    assert letters[:3] == ["A", "B", "C"]
    assert letters[25:28] == ["Z", "AA", "AB"]
    assert letters[701:703] == ["ZZ", "AAA"]
    assert letters[-1] == "XFD"


def test_a_sheet_that_may_pass_2_gib_is_written_as_zip64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_score.io.xlsx as xlsx

    monkeypatch.setattr(xlsx, "_CELL_BYTES", 2**40)  # as if every cell were huge
    sheets = {"s": {"x": np.array([1.5, 2.0]), "t": np.array(["a", "=b"])}}
    path = write_xlsx(tmp_path / "m.xlsx", sheets)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.extract_version >= 45  # ZIP64's version
    ws = openpyxl.load_workbook(path)["s"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["x", "t"], [1.5, "a"], [2, "=b"]]
