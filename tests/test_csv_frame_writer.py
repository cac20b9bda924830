"""The score tables written as one polars frame by one call of its CSV writer (issue 16):
float columns formatted by the writer itself, ranks as nullable integers, a parent's code
and a band as labels indexed per unit, and still the bytes of the cell-by-cell writer of
issue 13 (``tests/test_csv_writer_bytes.py``'s reference) on every path."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.io import csv_rows
from egov_score.io import table as table_module
from egov_score.io.csv_rows import IndexedText, write_rows
from egov_score.io.table import write_csv
from egov_score.model.result import LevelResult, _csv_columns
from tests.test_csv_writer_bytes import SPECIAL_FLOATS, TRICKY_TEXT, reference_csv

#: Floats whose text is easy to get wrong: repr's exponent forms at both ends, -0.0, the
#: largest and smallest, and numbers that are not scores at all.
EDGE_FLOATS = [
    *SPECIAL_FLOATS,
    1e-300,
    1e22,
    123456789012345680.0,
    -1e-300,
    0.0001,
    9.999e-05,
    1e15,
    9999999999999998.0,
    33.333333333333336,
    66.66666666666667,
]
#: Names and labels a spreadsheet or a CSV reader could trip on.
EDGE_TEXT = [*TRICKY_TEXT, "=1+1", "+91 98", "-", "@home", 'a "b", c', "x\ny", 'Zila, "A"']

floats = st.one_of(
    st.sampled_from(EDGE_FLOATS), st.floats(allow_nan=True, allow_infinity=True, width=64)
)
texts = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=6))


def _written(columns: dict[str, Any], polars: Any) -> bytes:
    header, cells = table_module._columns_cells(columns)
    buf = io.BytesIO()
    write_rows(buf, header, cells, polars=polars)
    return buf.getvalue()


@st.composite
def level_results(draw: st.DrawFn, *, allow_cr: bool = True) -> LevelResult:
    """A level's result with every kind of output column: codes and names, a parent's code
    and a band from labels, scores and coverage, groups, indicators and normalised values,
    ranks with unranked units."""
    n = draw(st.integers(1, 10))

    def cells(k: int) -> np.ndarray:
        drawn = draw(st.lists(texts, min_size=k, max_size=k))
        return np.array([c if allow_cr else c.replace("\r", "") for c in drawn], dtype=np.str_)

    def column() -> np.ndarray:
        return np.array(draw(st.lists(floats, min_size=n, max_size=n)), dtype=np.float64)

    def ranks() -> np.ndarray:
        return np.array(draw(st.lists(st.integers(0, n), min_size=n, max_size=n)), np.int64)

    above = draw(st.integers(0, 3))  # 0: the top level, no parent
    labels = tuple(draw(st.lists(texts, min_size=1, max_size=4)))
    indicators = {f"i{k}": column() for k in range(draw(st.integers(0, 3)))}
    return LevelResult(
        level="block",
        codes=cells(n),
        names=cells(n),
        names_hi=cells(n),
        parent=np.array(
            draw(st.lists(st.integers(0, max(above - 1, 0)), min_size=n, max_size=n)), np.intp
        ),
        parent_level_codes=cells(above),
        fields={},
        indicators=indicators,
        normalised=dict(indicators),
        groups={"g": column()},
        group_coverage={},
        group_ranks={},
        group_ranks_in_parent={},
        score=column(),
        rank=ranks(),
        rank_in_parent=ranks(),
        band=np.array(
            draw(st.lists(st.integers(-1, len(labels) - 1), min_size=n, max_size=n)), np.intp
        ),
        band_labels=labels,
        coverage=column(),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level_results())
def test_a_level_is_written_as_its_table_by_the_old_writer(lv: LevelResult) -> None:
    """Both paths write a level's columns (ranks as integers, parent and band indexed) as the
    writer of issue 13 wrote the level's table of strings."""
    want = reference_csv(lv.table())
    assert _written(_csv_columns(lv), pl) == want
    assert _written(_csv_columns(lv), None) == want


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(texts, min_size=1, max_size=5),
    st.lists(st.integers(0, 4), min_size=1, max_size=12),
    st.lists(floats, min_size=12, max_size=12),
)
def test_indexed_text_writes_its_cells(labels: list[str], picks: list[int], values: list[float]):
    """An indexed column writes ``labels[index]``: a label no row uses (one holding a carriage
    return, say) changes nothing, on either path."""
    index = np.array([p % len(labels) for p in picks], dtype=np.intp)
    unused = np.array([*labels, "never\rused", "=never"], dtype=np.str_)
    column = IndexedText(unused, index)
    expanded = np.array(labels, dtype=np.str_)[index]
    numbers = np.array(values[: len(index)], dtype=np.float64)
    want = reference_csv({"label": expanded, "x": numbers})
    assert _written({"label": column, "x": numbers}, pl) == want
    assert _written({"label": column, "x": numbers}, None) == want
    negative = IndexedText(unused[: len(labels)], index - len(labels))  # counted from the end
    assert _written({"label": negative, "x": numbers}, pl) == want


def test_float_columns_go_to_the_writer_as_numbers() -> None:
    """A score column is handed to polars as Float64 (NaN as null), not as text; a column
    holding a float below 1e-4 is made text by repr where polars' own form differs."""
    scores = csv_rows.Cells("float", np.array([1.5, np.nan, -0.0, 1e22]))
    series = csv_rows._polars_series(pl, "s", scores)
    assert series.dtype == pl.Float64
    assert series.null_count() == 1
    tiny = csv_rows.Cells("float", np.array([1.5, 1e-300, np.nan, 3e-05]))
    text = csv_rows._polars_series(pl, "t", tiny)
    assert text.dtype == pl.String
    assert text.to_list() == ["1.5", "1e-300", None, "3e-05"]
    ranks = csv_rows.Cells("int", np.array([3, 0, 1]), np.array([False, True, False]))
    assert csv_rows._polars_series(pl, "r", ranks).to_list() == [3, None, 1]


def test_a_polars_whose_writer_differs_from_repr_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The writer's text is probed once per process; a polars writing 1e16 as 1e16 (say) is
    not used, and the table is written by the careful path."""

    def differs(pl_module: Any, values: Any) -> list[str]:
        return ["1e16" if v == 1e16 else repr(v) for v in values.tolist()]

    monkeypatch.setattr(csv_rows, "_polars_writer_lines", differs)
    csv_rows._polars_writes_repr.cache_clear()
    try:
        assert not csv_rows._polars_writes_repr(pl)
        columns = {"a": np.array([1e16, np.nan]), "b": np.array(["x", "=y"])}
        assert _written(columns, pl) == reference_csv(columns)
    finally:
        monkeypatch.undo()
        csv_rows._polars_writes_repr.cache_clear()
    assert csv_rows._polars_writes_repr(pl)


def test_a_large_table_through_write_csv_is_the_reference(tmp_path: Any) -> None:
    """Above the row threshold (so polars is used without a patched threshold): the bytes of
    the reference writer, with the byte-order mark."""
    n = table_module.POLARS_MIN_WRITTEN_ROWS + 7
    rng = np.random.default_rng(16)
    values = rng.random(n) * 100
    values[rng.random(n) < 0.1] = np.nan
    values[:6] = [-0.0, 1e-300, 1e22, 123456789012345680.0, np.inf, 5e-324]
    ranks = rng.integers(0, 50, n)
    labels = np.array(["Good", "=bad", 'say "hi"', "a,b", ""])
    band = rng.integers(-1, len(labels) - 1, n)
    codes = np.char.add("M-", np.arange(n).astype(str))
    columns = {
        "code": codes,
        "score": values,
        "rank": np.ma.masked_array(ranks, mask=ranks <= 0),
        "band": IndexedText(labels, band),
    }
    write_csv(tmp_path / "t.csv", columns)
    want = reference_csv(
        {
            "code": codes,
            "score": values,
            "rank": np.where(ranks > 0, ranks.astype(str), ""),
            "band": labels[band],
        }
    )
    assert (tmp_path / "t.csv").read_bytes() == "\ufeff".encode() + want
