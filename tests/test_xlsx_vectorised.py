"""The vectorised XLSX writer against the slow reference (XlsxWriter, one call per cell):
random sheets of every kind of column, read back with openpyxl, equal cell by cell."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.io.xlsx import write_xlsx
from egov_score.io.xlsx_xml import escape_text, number_text
from tests.xlsx_reference import write_reference

#: Text that tests the escapes: formulas, markup, XML's forbidden characters, Excel's own
#: ``_xHHHH_`` escapes written literally, whitespace at the ends, astral characters.
_PIECES = st.sampled_from(
    [
        "=",
        "+",
        "-",
        "@",
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x01",
        "\x1f",
        "\x0b",
        "\ufffe",
        "\uffff",
        "\xa0",
        "\u3000",
        "&",
        "<",
        ">",
        '"',
        "'",
        "_x0041_",
        "_x00",
        "_X0041_",
        "_x004g_",
        "x",
        "_",
        "आलवर",
        "𝔘",
        "😀",
        "http://e.x",
        "a",
        "Z9",
    ]
)
TEXT = st.one_of(
    st.lists(_PIECES, max_size=5).map("".join),
    st.text(max_size=8),
)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
FLOATS = st.one_of(FINITE, st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 0.1, 2.0]))
INTS = st.integers(-(10**15), 10**15)
CELLS = st.one_of(st.none(), TEXT, FLOATS, INTS, st.booleans())
FORMATS = st.sampled_from(["0.0", "0", "0.00", "General", '0.0" pts"', "#,##0"])


@st.composite
def columns(draw: st.DrawFn, n: int) -> Any:
    """One column of ``n`` cells, of any kind the writer takes."""
    kind = draw(
        st.sampled_from(["float", "int", "bool", "text", "object", "masked", "list", "uint"])
    )
    if kind == "float":
        return np.array(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype=np.float64)
    if kind == "int":
        return np.array(draw(st.lists(INTS, min_size=n, max_size=n)), dtype=np.int64)
    if kind == "uint":
        return np.array(draw(st.lists(st.integers(0, 255), min_size=n, max_size=n)), np.uint8)
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "text":
        return np.array(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype=np.str_)
    if kind == "list":
        return draw(st.lists(st.one_of(st.none(), TEXT, INTS), min_size=n, max_size=n))
    mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    if kind == "masked":
        inner = draw(st.sampled_from(["float", "int", "text", "bool"]))
        strategy = {"float": FLOATS, "int": INTS, "text": TEXT, "bool": st.booleans()}[inner]
        data = draw(st.lists(strategy, min_size=n, max_size=n))
        dtype = {"float": np.float64, "int": np.int64, "text": np.str_, "bool": bool}[inner]
        return np.ma.masked_array(np.array(data, dtype=dtype), mask=mask)
    cells = np.empty(n, dtype=object)
    cells[:] = draw(st.lists(CELLS, min_size=n, max_size=n))
    if draw(st.booleans()):
        return np.ma.masked_array(cells, mask=mask)
    return cells


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Sheets (some empty, some of one row) and number formats for some of their columns."""
    names = st.one_of(st.sampled_from(["score", "rank", "=x", "", "a b", "name"]), TEXT)
    sheets: dict[str, dict[str, Any]] = {}
    for sheet in draw(st.lists(st.text(max_size=6), min_size=1, max_size=3)):
        n = draw(st.sampled_from([0, 1, 2, 5]))
        keys = draw(st.lists(names, max_size=4, unique=True))
        sheets[sheet + str(len(sheets))] = {k: draw(columns(n)) for k in keys}
    every = sorted({k for cols in sheets.values() for k in cols})
    formatted = draw(st.lists(st.sampled_from(every), unique=True)) if every else []
    return sheets, {k: draw(FORMATS) for k in formatted}


def _cells(path: Path) -> dict[str, Any]:
    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {}
    for ws in book.worksheets:
        cells = {
            cell.coordinate: (
                cell.value,
                cell.data_type,
                cell.number_format,
                bool(cell.quotePrefix),
                bool(cell.font.b),
            )
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None or cell.has_style
        }
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        styles = {k: ws.column_dimensions[k].number_format for k in widths}
        out[ws.title] = (cells, ws.freeze_panes, ws.auto_filter.ref, widths, styles)
    book.close()
    return out


def _xml(path: Path) -> dict[str, str]:
    """Every part's XML, the numbers' text and the timestamps masked (compared apart)."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name).decode() for name in zf.namelist()}
    return {
        name: re.sub(r"<v>[^<]*</v>", "<v/>", re.sub(r"\d{4}-\d\d-\d\dT[\d:]{8}Z", "T", xml))
        for name, xml in parts.items()
    }


def _same_parts(mine: dict[str, str], theirs: dict[str, str]) -> bool:
    """The same parts, but for quotes the writer puts around a sheet name in a defined name
    where the reference leaves it bare (XlsxWriter leaves names holding emoji and symbols such
    as © and ™ bare; a quoted name is always valid, and Excel reads both alike). A name the
    reference quotes must be quoted: only quotes the writer adds are forgiven."""
    if mine == theirs:
        return True
    book = mine.get("xl/workbook.xml", "")
    bare = re.sub(r"'((?:[^']|'')+)'!", lambda m: m[1].replace("''", "'") + "!", book)
    return {**mine, "xl/workbook.xml": bare} == theirs


def _same_number(mine: object, theirs: object) -> bool:
    """The reference writes 16 significant digits; the new writer the exact float."""
    if isinstance(mine, bool) or isinstance(theirs, bool):
        return mine == theirs
    assert isinstance(mine, int | float)
    assert isinstance(theirs, int | float)
    if math.isinf(theirs):  # 16 digits of the largest floats round up past the largest float
        return abs(mine) > 1.797693134862315e308 and math.copysign(1, mine) == math.copysign(
            1, theirs
        )
    return math.isclose(mine, theirs, rel_tol=1e-15, abs_tol=0.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=workbooks(), freeze=st.booleans())
def test_cells_equal_the_reference(book: Any, freeze: bool, tmp_path_factory: Any) -> None:
    sheets, formats = book
    tmp = tmp_path_factory.mktemp("xlsx")
    mine = _cells(
        write_xlsx(tmp / "mine.xlsx", sheets, number_formats=formats, freeze_header=freeze)
    )
    theirs = _cells(
        write_reference(tmp / "ref.xlsx", sheets, number_formats=formats, freeze_header=freeze)
    )
    assert _same_parts(_xml(tmp / "mine.xlsx"), _xml(tmp / "ref.xlsx"))
    assert list(mine) == list(theirs)
    for title in mine:
        cells, *rest = mine[title]
        ref_cells, *ref_rest = theirs[title]
        assert rest == ref_rest, title
        assert cells.keys() == ref_cells.keys(), title
        for at, (value, *style) in cells.items():
            ref_value, *ref_style = ref_cells[at]
            assert style == ref_style, (title, at)
            if style[0] == "n":
                assert _same_number(value, ref_value), (title, at, value, ref_value)
            else:
                assert value == ref_value, (title, at)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(FINITE, min_size=1, max_size=50))
def test_numbers_read_back_exactly(values: list[float], tmp_path_factory: Any) -> None:
    column = np.array(values, dtype=np.float64)
    path = write_xlsx(tmp_path_factory.mktemp("n") / "n.xlsx", {"s": {"x": column}})
    book = openpyxl.load_workbook(path, read_only=True)
    back = [row[0] for row in book["s"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert back == values  # exact: -0.0 == 0.0, and every other float is itself


@given(values=st.lists(FINITE, max_size=30))
def test_number_text_is_the_shortest_round_trip(values: list[float]) -> None:
    text = number_text(np.array(values, dtype=np.float64)).tolist()
    for value, written in zip(values, text, strict=True):
        assert float(written) == value
        expected = repr(value)
        if value == int(value) and abs(value) < 1e16:
            expected = str(int(value))
        assert written == expected


def _escape_reference(text: str) -> tuple[str, bool]:
    """XlsxWriter's rules, one string at a time."""
    import re

    text = re.sub("(_x[0-9a-fA-F]{4}_)", r"_x005F\1", text)
    text = re.sub("([\x00-\x08\x0b-\x1f])", lambda m: f"_x{ord(m[1]):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = bool(re.search(r"^\s", text) or re.search(r"\s$", text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


@given(texts=st.lists(TEXT.map(lambda t: t.replace("\x00", "")), max_size=20))
def test_escape_text_matches_the_reference(texts: list[str]) -> None:
    escaped, preserve = escape_text(np.array(texts, dtype=np.str_))
    assert [(e, bool(p)) for e, p in zip(escaped.tolist(), preserve, strict=True)] == [
        _escape_reference(t) for t in texts
    ]


@pytest.mark.parametrize(
    ("text", "xml"),
    [
        ("a&b<c>", "a&amp;b&lt;c&gt;"),
        ("&", "&amp;"),  # numpy 2.4's np.strings.replace cuts short fixed-width results:
        ("a&b", "a&amp;b"),  # "a&b" -> "a&amb"
        ("_x0041_", "_x005F_x0041_"),
        ("\x01", "_x0001_"),
        ("\r\n", "_x000D_\n"),
        ("\uffff", "_xFFFF_"),
        ("plain", "plain"),
    ],
)
def test_escape_text_known_answers(text: str, xml: str) -> None:
    assert escape_text(np.array([text]))[0].tolist() == [xml]
