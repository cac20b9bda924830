"""The CSV writer's bytes: the column-wise writer (numpy and Python, or polars with the
``fastcsv`` extra) writes exactly the bytes the cell-by-cell writer of issue 13 wrote: floats
as ``repr``, NaN and unranked cells empty, formula-like text neutralised, quoting as Python's
csv module quotes."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.io import csv_rows
from egov_score.io import table as table_module
from egov_score.io.csv_rows import Cells, rows_text, write_rows
from egov_score.io.table import csv_text, strip_nul, write_csv
from egov_score.pipeline import load

SMALL = datasets.path("small")

#: The UTF-8 byte-order mark every CSV file meant for Excel starts with (issue 12).
UTF8_BOM = "\ufeff".encode()


# -- the writer of issue 13, cell by cell: the reference ---------------------------------------


def _old_neutralise(cells: Any) -> Any:
    cells = np.asarray(cells, dtype=np.str_)
    if len(cells) == 0:
        return cells
    first = np.strings.slice(np.strings.lstrip(cells, " "), 0, 1)
    risky = np.zeros(len(cells), dtype=bool)
    for start in ("=", "+", "-", "@", "\t", "\r", "\n"):
        risky |= first == start
    if risky.any():
        risky[risky] = ~table_module.is_plain_number(cells[risky])
    return np.where(risky, np.strings.add("'", cells), cells)


def _old_format(values: Any) -> Any:
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return np.where(np.isnan(arr), "", arr.astype(np.str_))
    if arr.dtype.kind in "iub":
        return (
            arr.astype(np.int64).astype(np.str_) if arr.dtype.kind != "b" else arr.astype(np.str_)
        )
    if arr.dtype.kind == "O":
        arr = np.where(arr == None, "", arr)  # noqa: E711
    return _old_neutralise(strip_nul(arr.astype(np.str_)))


def reference_csv(columns: dict[str, Any]) -> bytes:
    """The bytes the writer of issue 13 wrote (per-column formatting, then ``csv.writer``)."""
    formatted = [_old_format(np.asarray(col)) for col in columns.values()]
    header = _old_neutralise(np.array(list(columns), dtype=np.str_))
    has_cr = any(bool((np.strings.find(c, "\r") >= 0).any()) for c in (header, *formatted))
    buf = io.StringIO()
    writer = csv.writer(
        buf, lineterminator="\n", quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL
    )
    writer.writerow(header.tolist())
    if formatted and len(formatted[0]):
        writer.writerows(zip(*(c.tolist() for c in formatted), strict=True))
    return buf.getvalue().encode("utf-8")


# -- generated tables --------------------------------------------------------------------------

SPECIAL_FLOATS = [
    float("nan"),
    -0.0,
    0.0,
    1e-05,
    -1.5e-05,
    9.999999999999999e-05,
    1e-07,
    5e-324,
    1e16,
    -1.2345678901234568e17,
    1.7976931348623157e308,
    float("inf"),
    float("-inf"),
    100.0,
    1 / 3,
]
TRICKY_TEXT = [
    "",
    " ",
    "=SUM(A1)",
    "  =HYPERLINK(1)",
    "+1",
    "-2.5",
    " -3 ",
    "@x",
    "\tcalc",
    'say "hi"',
    "a,b",
    "two\nlines",
    "cr\rhere",
    "nul\x00x",
    "CEO, Zila Parishad",
    "जयपुर",
    "1e5",
    "'",
    '"',
]

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIAL_FLOATS))
texts = st.one_of(st.text(max_size=8), st.sampled_from(TRICKY_TEXT))


@st.composite
def tables(draw: st.DrawFn, *, allow_cr: bool = True) -> dict[str, Any]:
    """Columns of one length: float64, text, whole numbers and masked whole numbers."""
    n = draw(st.integers(0, 12))
    k = draw(st.integers(1, 5))
    names = draw(st.lists(texts, min_size=k, max_size=k, unique=True))
    columns: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(["float", "text", "int", "masked"]))
        if kind == "float":
            columns[name] = np.array(draw(st.lists(floats, min_size=n, max_size=n)), np.float64)
        elif kind == "text":
            cells = draw(st.lists(texts, min_size=n, max_size=n))
            if not allow_cr:
                cells = [c.replace("\r", "") for c in cells]
            columns[name] = np.array(cells, dtype=np.str_)
        else:
            ints = draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n))
            values = np.array(ints, dtype=np.int64)
            columns[name] = (
                np.ma.masked_array(values, mask=values <= 0) if kind == "masked" else values
            )
    return columns


def _as_reference_input(columns: dict[str, Any]) -> dict[str, Any]:
    """Masked whole numbers as the text the old writer was given (unranked: empty)."""
    return {
        k: np.where(v.mask, "", v.data.astype(np.str_)) if np.ma.isMaskedArray(v) else v
        for k, v in columns.items()
    }


def _written(columns: dict[str, Any], polars: Any) -> bytes:
    header, cells = table_module._columns_cells(columns)
    buf = io.BytesIO()
    write_rows(buf, header, cells, polars=polars)
    return buf.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_numpy_path_writes_the_reference_bytes(columns: dict[str, Any]) -> None:
    assert _written(columns, None) == reference_csv(_as_reference_input(columns))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_polars_path_writes_the_reference_bytes(columns: dict[str, Any]) -> None:
    assert _written(columns, pl) == reference_csv(_as_reference_input(columns))


@settings(max_examples=100, deadline=None)
@given(tables())
def test_csv_text_is_the_reference_text(columns: dict[str, Any]) -> None:
    assert csv_text(columns).encode("utf-8") == reference_csv(_as_reference_input(columns))


@settings(deadline=None)
@given(st.lists(floats, min_size=1, max_size=50))
def test_floats_are_written_as_repr_on_both_paths(values: list[float]) -> None:
    arr = np.array(values, dtype=np.float64)
    want = ["" if np.isnan(x) else repr(x) for x in values]
    assert csv_rows._float_texts(arr) == want
    assert csv_rows._polars_float_text(pl, arr).fill_null("").to_list() == want


def test_numpy_formats_floats_as_repr() -> None:
    """The writer of issue 13 formatted with numpy; the new one with repr: the same text."""
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2**63, 200_000, dtype=np.uint64).view(np.float64)
    scaled = rng.standard_normal(200_000) * 10.0 ** rng.integers(-30, 30, 200_000)
    values = np.concatenate([bits, -bits, scaled, np.array(SPECIAL_FLOATS)])
    values = values[~np.isnan(values)]
    assert values.astype(np.str_).tolist() == list(map(repr, values.tolist()))


def test_a_long_column_of_few_values_is_written_per_distinct_value() -> None:
    """Columns long enough for the distinct-value path (flags, bands) keep -0.0, NaN and order."""
    rng = np.random.default_rng(3)
    values = rng.choice(np.array([0.0, -0.0, 100.0, np.nan, 1e-05, 2.5]), 20_000)
    want = ["" if np.isnan(x) else repr(x) for x in values.tolist()]
    assert csv_rows._distinct_pays(values.view(np.int64))
    assert csv_rows._float_texts(values) == want
    bands = rng.choice(np.array(["Good", "=bad", "a,b", ""]), 20_000)
    columns = {"band": bands, "score": values, "rank": np.arange(20_000)}
    assert _written(columns, pl) == _written(columns, None) == reference_csv(columns)


def test_a_polars_that_writes_floats_its_own_way_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake(pl_module: Any, values: Any) -> Any:
        return pl_module.Series(values).cast(pl_module.String)  # polars' own: 0.00001, NaN

    monkeypatch.setattr(csv_rows, "_polars_float_text", fake)
    csv_rows._polars_writes_repr.cache_clear()
    try:
        assert not csv_rows._polars_writes_repr(pl)
        columns = {"a": np.array([1e-05, np.nan]), "b": np.array(["x", "y"])}
        assert _written(columns, pl) == reference_csv(columns)
    finally:
        csv_rows._polars_writes_repr.cache_clear()


def test_one_column_empty_cells_are_quoted_as_the_csv_module_does() -> None:
    assert rows_text(np.array([""]), [Cells("text", np.array(["", "a"]))]) == '""\n""\na\n'
    assert csv_text({"x": np.array([np.nan, 1.0])}) == 'x\n""\n1.0\n'


def test_a_run_writes_the_same_score_tables_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Result written with polars, then without: the bytes of the reference writer."""
    result = load(
        units=SMALL / "units.csv", framework=SMALL / "framework.toml", values=SMALL / "values.csv"
    ).score("2021-01")
    monkeypatch.setattr(table_module, "POLARS_MIN_CELLS", 0)
    monkeypatch.setattr(table_module, "POLARS_MIN_WRITTEN_ROWS", 0)
    used: list[bool] = []
    real = csv_rows.write_rows

    def spy(fh: Any, header: Any, cells: Any, *, polars: Any = None) -> None:
        used.append(polars is not None)
        real(fh, header, cells, polars=polars)

    monkeypatch.setattr(table_module, "write_rows", spy)
    fast = result.write_csv(tmp_path / "polars")
    assert used == [True] * len(result.levels)
    monkeypatch.setattr(table_module, "_polars", lambda size, threshold: None)
    plain = result.write_csv(tmp_path / "plain")
    for lv, a, b in zip(result.levels, fast, plain, strict=True):
        want = UTF8_BOM + reference_csv(lv.table())  # files for Excel start with a BOM
        assert a.read_bytes() == want
        assert b.read_bytes() == want


def test_write_csv_writes_the_reference_bytes(tmp_path: Path) -> None:
    columns = {"=code": np.array(["+1", "a,b", "x"]), "v": np.array([np.nan, -0.0, 1e-05])}
    write_csv(tmp_path / "t.csv", columns)
    assert (tmp_path / "t.csv").read_bytes() == UTF8_BOM + reference_csv(columns)
    write_csv(tmp_path / "bare.csv", columns, bom=False)
    assert (tmp_path / "bare.csv").read_bytes() == reference_csv(columns)
