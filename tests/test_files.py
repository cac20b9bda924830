"""Files a clerk's machine writes: encodings, NUL bytes, huge cells, open quotes, empty and
header-only files, renamed columns, Excel formulas without a stored value. Each is read
correctly or refused with an ``InputError`` naming the file, never a ``csv`` or decoding error."""

from __future__ import annotations

import codecs
import contextlib
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.exceptions import InputError, ValuesError
from egov_score.io.table import FIELD_LIMIT, Table, closest_column
from egov_score.pipeline import levels_of
from egov_score.plugins.tables import read_tables
from tests.test_readers import no_polars

TEXT = "code,name,a\nB1,Bassi,1.5\nB2,Chomu,2\n"


def readers(path: Path) -> list[object]:
    """Every way a CSV is read: the careful reader, the numeric fast path, by suffix."""
    return [
        lambda: Table.from_csv(path),
        lambda: Table.from_csv_numeric(path, ["a"]),
        lambda: Table.read(path),
    ]


def refused(path: Path, *fragments: str) -> None:
    """Every reader refuses ``path`` with all ``fragments``, with polars and without."""
    for hidden in (contextlib.nullcontext(), no_polars()):
        with hidden:
            for read in readers(path):
                with pytest.raises(InputError) as caught:
                    read()  # type: ignore[operator]
                for fragment in (str(path), *fragments):
                    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "bom",
    [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF8],
    ids=["utf-16-le", "utf-16-be", "utf-32-le", "utf-8"],
)
def test_a_file_with_a_byte_order_mark_is_read_in_its_encoding(tmp_path, bom):
    codec = {
        codecs.BOM_UTF16_LE: "utf-16-le",
        codecs.BOM_UTF16_BE: "utf-16-be",
        codecs.BOM_UTF32_LE: "utf-32-le",
        codecs.BOM_UTF8: "utf-8",
    }[bom]
    path = tmp_path / "t.csv"
    path.write_bytes(bom + TEXT.replace("Bassi", "बस्सी").encode(codec))
    for read in readers(path):
        table = read()  # type: ignore[operator]
        assert table.header == ("code", "name", "a")
        assert table.columns["name"].tolist() == ["बस्सी", "Chomu"]
        np.testing.assert_array_equal(table.floats("a"), [1.5, 2.0])


def test_a_windows_1252_file_is_named_with_how_to_resave_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.replace("Chomu", "Chomū – Jaipur’s").encode("cp1252", "replace"))
    refused(path, "must be UTF-8 text", "Windows-1252 (cp1252)", "line 3", "CSV UTF-8", "iconv")


def test_a_latin_1_file_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.encode() + b"B3,Caf\xe9\x81,3\n")  # 0x81 is not cp1252
    refused(path, "Latin-1 (ISO-8859-1)", "line 4", "0xE9", "Caf")


def test_utf_16_without_a_byte_order_mark_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.encode("utf-16-le"))
    refused(path, "NUL", "UTF-16 text saved without a byte-order mark")


def test_a_nul_byte_is_refused_by_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.encode() + b"B3,x\x00y,3\n")
    refused(path, "must hold no NUL bytes", "line 4", "binary file")


def test_a_workbook_saved_as_csv_is_named(tmp_path):
    book = tmp_path / "t.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("[Content_Types].xml", "<x/>" + "\u00e9" * 10)
    path = tmp_path / "t.csv"
    path.write_bytes(book.read_bytes())
    refused(path, "a ZIP archive", ".xlsx")


def test_a_cell_over_the_field_limit_is_refused_by_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TEXT + f"B3,{'x' * (FIELD_LIMIT + 1)},3\n", encoding="utf-8")
    refused(path, "row 4", "a cell must be at most 131,072 characters (128 KiB)")


def test_an_unterminated_quote_is_refused_by_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TEXT + 'B3,"Sanganer,3\nB4,Amer,4\n', encoding="utf-8")
    refused(path, "row 4", 'a quoted cell must end with a closing quote (")')


def test_a_long_unterminated_quote_is_named_as_a_likely_cause(tmp_path):
    path = tmp_path / "t.csv"
    rows = "".join(f"B{i},Amer,{i}\n" for i in range(20_000))
    path.write_text(TEXT + 'B3,"Sanganer,3\n' + rows, encoding="utf-8")
    refused(path, "row 4", "128 KiB", "never closed")


def test_a_character_after_a_closing_quote_is_read_as_spreadsheets_do(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('code,name,a\nB1,"Bassi" Tehsil,1\n', encoding="utf-8")
    assert Table.from_csv(path).columns["name"].tolist() == ["Bassi Tehsil"]


@pytest.mark.parametrize("text", ["", "\n", "  \r\n\n"], ids=["empty", "newline", "blank"])
def test_an_empty_file_is_refused(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    refused(path, "must have a header row; got an empty file")


def test_a_header_only_values_file_is_refused():
    small = datasets.path("small")
    h = eg.Hierarchy.from_csv(
        small / "units.csv", eg.Framework.from_toml(small / "framework.toml").levels
    )
    fw = eg.Framework.from_toml(small / "framework.toml")
    table = Table.from_text("code,period,installed\n", source="v.csv")
    with pytest.raises(ValuesError, match=r"v\.csv: a values table must hold at least one row"):
        eg.Values.from_table(table, h, fw)


def test_a_header_only_scheme_table_is_refused(tmp_path):
    from egov_score.plugins.registry import Registry

    schemes = Registry().schemes
    jaipur = datasets.path("jaipur")
    (tmp_path / "pension.csv").write_text(
        (jaipur / "pension.csv").read_text(encoding="utf-8").splitlines()[0] + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"pension.csv: a table of scheme 'pension' must hold"):
        read_tables(schemes, tmp_path)


def test_a_missing_column_lists_the_expected_ones_and_the_closest():
    table = Table.from_text("level,code,nmae,parnt\n", source="u.csv")
    with pytest.raises(InputError) as caught:
        table.require("level", "code", "name", "parent")
    message = str(caught.value)
    assert "u.csv: columns ['name', 'parent'] are required" in message
    assert "expected ['level', 'code', 'name', 'parent']" in message
    assert "for 'name', did you mean 'nmae'?" in message
    assert "for 'parent', did you mean 'parnt'?" in message


def test_closest_column():
    assert closest_column("services", ["code", "service", "period"]) == "service"
    assert closest_column("services", ["code", "period"]) is None


def test_a_renamed_scheme_column_suggests_the_declared_name(tmp_path):
    jaipur = datasets.path("jaipur")
    text = (jaipur / "pension.csv").read_text(encoding="utf-8")
    (tmp_path / "pension.csv").write_text(text.replace("pensioners", "pensionrs", 1))
    units = jaipur / "units.csv"
    with pytest.raises(InputError) as caught:
        eg.load(tmp_path, units=units).score("2021-01")
    assert "column 'pensioners': the column is required" in str(caught.value)
    assert "did you mean 'pensionrs'?" in str(caught.value)


def test_levels_of_an_empty_units_file_is_refused(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="got an empty file"):
        levels_of(path)


# -- Excel -----------------------------------------------------------------------------------


def test_a_formula_without_a_stored_value_is_refused_by_cell(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Machines"
    sheet.append(["code", "a"])
    for i in range(2, 8):
        sheet.append([f"B{i}", i])
    sheet["B7"] = "=SUM(B2:B6)"
    path = tmp_path / "t.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        Table.read(path)
    message = str(caught.value)
    assert f"{path}: a formula cell must hold its computed value" in message
    assert "Machines!B7" in message
    assert "open the workbook in Excel or LibreOffice and save it" in message


@pytest.mark.parametrize(
    ("formula", "stored", "want"),
    [("=1+1", ("n", "2"), [2.0]), ('=IF(1>2,1,"")', ("str", ""), [math.nan])],
    ids=["a number", "empty text"],
)
def test_a_formula_with_a_stored_value_is_read(tmp_path, formula, stored, want):
    """A stored value is read, even empty text (a formula that shows nothing): missing."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["code", "a"])
    book.active.append(["B1", formula])
    path = tmp_path / "t.xlsx"
    book.save(path)
    _store_values(path, {"B2": stored})
    np.testing.assert_array_equal(Table.read(path).floats("a"), want)


def _store_values(path: Path, values: dict[str, tuple[str, str]]) -> None:
    """Write stored formula values into a workbook, as Excel does when it saves."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for cell, (kind, value) in values.items():
        opening = f'<c r="{cell}" t="{kind}"><f>'
        xml = xml.replace(f'<c r="{cell}"><f>', opening)
        head, sep, tail = xml.partition(opening)
        assert sep, f"no formula in {cell}"
        xml = head + sep + tail.replace("<v />", f"<v>{value}</v>", 1)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_lines_ending_in_a_lone_carriage_return_are_read(tmp_path):
    """Old Mac files end lines in ``\\r``: read with universal newlines, not a csv error."""
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.replace("\n", "\r").encode())
    for read in readers(path):
        table = read()  # type: ignore[operator]
        assert table.columns["code"].tolist() == ["B1", "B2"]
        np.testing.assert_array_equal(table.floats("a"), [1.5, 2.0])
