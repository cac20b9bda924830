"""One cell grammar: the careful reader, numpy's and polars' fast paths and Excel give the same
values for the same cells, or the same error (``egov_score.io.cells``)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io.cells import cell_problem, is_missing, is_number
from egov_score.io.table import POLARS_MIN_CELLS, Table
from tests.test_readers import HEADER, NUMERIC, no_polars, number_cells, odd_cells, text_cells

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("polars", reason="the fastcsv extra (polars) is part of the test extra")

#: Numbers too large for a float64, infinities and NaNs spelled every way, tiny numbers.
EXTREME = ("1e400", "-1e309", "1.8e308", "1.7e308", "1e-400", "-7.7e-308", "-0.77e-307")
SPELLED = ("Infinity", "-inf", "+INF", "NaN", "-nan", "nan(1)", "infinity")
extreme_cells = st.sampled_from([*EXTREME, *SPELLED, "#5", "5#3", "1 000", "٣", "1_0"])


def _excel_exact(cell: str) -> str:
    """A number with more digits than a workbook holds (openpyxl writes 16 significant
    digits), rounded as it would be; other cells unchanged."""
    if not is_number(cell) or float(f"{float(cell):.16g}") == float(cell):
        return cell
    return f"{float(cell):.16g}"


cells = st.one_of(number_cells, odd_cells, extreme_cells).map(_excel_exact)
codes = text_cells.filter(str.strip)


def values_or_error(read: object) -> list[np.ndarray] | str:
    """The numeric columns ``read()`` gives, or its error with the file name taken out."""
    try:
        table = read()  # type: ignore[operator]
        return [np.asarray(table.floats(name)) for name in NUMERIC]
    except InputError as exc:
        return str(exc).replace("t.xlsx", "t.csv")


def write_workbook(path: Path, rows: list[list[str]]) -> None:
    """Rows of cells into a workbook as a clerk's sheet holds them: numbers as numbers, the
    rest (and every text column) as text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in rows:
        typed: list[object] = []
        for i, cell in enumerate(row):
            number = HEADER.split(",")[i] in NUMERIC and is_number(cell)
            typed.append(float(cell) if number else (cell or None))
        sheet.append(typed)
    book.save(path)


def assert_same(got: list[np.ndarray] | str, want: list[np.ndarray] | str, path: str) -> None:
    if isinstance(want, str):
        assert got == want, path
        return
    assert not isinstance(got, str), f"{path}: {got}"
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w, err_msg=path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Every row has a code: a workbook cannot tell a trailing row of empty cells from no row.
@given(st.lists(st.tuples(codes, cells, text_cells, cells), min_size=1, max_size=10))
def test_every_reader_path_gives_the_same_values_or_error(rows):
    rows = [list(r) for r in rows]
    text = HEADER + "\n" + "".join(",".join(r) + "\n" for r in rows)
    with tempfile.TemporaryDirectory() as folder:
        csv_path, xlsx_path = Path(folder) / "t.csv", Path(folder) / "t.xlsx"
        csv_path.write_bytes(text.encode("utf-8"))
        write_workbook(xlsx_path, rows)
        careful = values_or_error(lambda: Table.from_csv(csv_path))
        for name, read in [
            ("polars", lambda: Table.from_csv_numeric(csv_path, NUMERIC)),
            ("excel", lambda: Table.from_excel(xlsx_path)),
        ]:
            assert_same(values_or_error(read), careful, name)
        with no_polars():
            numpy_path = values_or_error(lambda: Table.from_csv_numeric(csv_path, NUMERIC))
            without = values_or_error(lambda: Table.from_csv(csv_path))
        assert_same(numpy_path, careful, "numpy")
        assert_same(without, careful, "careful, without polars")


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("1e400", "got '1e400', too large for a 64-bit float"),
        ("-1e309", "too large for a 64-bit float"),
        ("inf", "got 'inf' (infinity is not a number here)"),
        ("-Infinity", "infinity is not a number here"),
        ("NaN", "got 'NaN' (nan is not a number here: leave the cell empty"),
        ("ten", "expected a finite number; got 'ten'"),
    ],
)
def test_a_cell_that_is_not_a_number_is_named(cell, fragment):
    table = Table.from_text(f"code,a\nB1,1\nB2,{cell}\n", source="v.csv")
    with pytest.raises(InputError, match=r"v\.csv") as caught:
        table.floats("a")
    assert "row 3, column 'a'" in str(caught.value)
    assert fragment in str(caught.value)


def test_the_grammar():
    for cell in ("", "  \t"):
        assert is_missing(cell), cell
    assert not is_missing("0")
    for cell in (" 7 ", "1e5", "-0", "1.7e308", "1_0"):
        assert is_number(cell), cell
    for cell in ("1e400", "1.8e308", "inf", "nan", "infinity", "", "ten", "0x10"):
        assert not is_number(cell), cell
    assert cell_problem("x") == "expected a finite number; got 'x'"


def test_overflow_in_a_long_column_is_an_error_on_the_polars_path(tmp_path):
    """Polars parses long columns; 1e400 must not become inf there (it did)."""
    n = POLARS_MIN_CELLS + 1
    cells = ["1"] * n
    cells[-1] = "1e400"
    text = "code,a\n" + "".join(f"B,{c}\n" for c in cells)
    path = tmp_path / "long.csv"
    path.write_text(text, encoding="utf-8")
    for read in (
        lambda: Table.from_text(text, source=str(path)),
        lambda: Table.from_csv(path),
        lambda: Table.from_csv_numeric(path, ["a"]),
    ):
        with pytest.raises(InputError, match=rf"row {n + 1}, column 'a'.*too large"):
            read().floats("a")


def test_a_hash_is_data_on_the_numpy_path(tmp_path):
    """numpy's reader took ``#`` as a comment: ``6#7`` read as 6 and ``B#1`` as ``B``."""
    path = tmp_path / "v.csv"
    path.write_text("code,a\nB#1,5\nB2,6#7\n", encoding="utf-8")
    with no_polars():
        table = Table.from_csv_numeric(path, ["a"])
        assert table.columns["code"].tolist()[0] == "B#1"
        with pytest.raises(InputError, match=r"row 3, column 'a'.*got '6#7'"):
            table.floats("a")


def test_a_number_equal_to_the_empty_cell_marker_is_kept(tmp_path):
    """The numpy path writes a marker into empty cells; a number equal to it is no gap."""
    path = tmp_path / "v.csv"
    path.write_text("code,a,b\nB1,-0.77e-307,\nB2,,1\n", encoding="utf-8")
    with no_polars():
        table = Table.from_csv_numeric(path, ["a", "b"])
    np.testing.assert_array_equal(table.floats("a"), [-7.7e-308, math.nan])
    np.testing.assert_array_equal(table.floats("b"), [math.nan, 1.0])
