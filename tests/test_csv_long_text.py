"""Long text columns through polars' writer: ASCII cells go over as one byte buffer, and the
whole-column checks (quotes, NUL) skip their per-row pass when no cell needs it; the bytes
stay those of the csv module."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.io import csv_rows
from egov_score.io import table as table_module
from egov_score.io.csv_rows import write_rows
from egov_score.io.table import strip_nul
from tests.test_csv_writer_bytes import reference_csv

#: Long enough for the byte-buffer path (and past the distinct-value sample).
ROWS = csv_rows._DISTINCT_MIN_ROWS + 5


def _written(columns: dict[str, Any]) -> bytes:
    header, cells = table_module._columns_cells(columns)
    buf = io.BytesIO()
    write_rows(buf, header, cells, polars=pl)
    return buf.getvalue()


_cells = st.lists(
    st.text(alphabet=st.sampled_from(list('ab 9,"\n=-é\x00Ж')), max_size=5), min_size=1, max_size=6
)


@settings(max_examples=40, deadline=None)
@given(_cells, _cells, st.integers(0, 2**32 - 1))
def test_long_text_columns_write_the_csv_modules_bytes(
    codes: list[str], names: list[str], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    columns = {
        "code": np.array(codes, dtype=np.str_)[rng.integers(0, len(codes), ROWS)],
        "name": np.array(names, dtype=np.str_)[rng.integers(0, len(names), ROWS)],
        "x": rng.random(ROWS),
    }
    assert _written(columns) == reference_csv(columns)


def test_ascii_codes_of_every_width_are_written_as_themselves() -> None:
    codes = np.char.add("M-", np.arange(ROWS).astype(np.str_))
    codes[::7] = ""
    columns = {"code": codes, "x": np.arange(ROWS, dtype=np.float64)}
    assert _written(columns) == reference_csv(columns)
    series = csv_rows._polars_text(pl, "code", codes)
    assert series.dtype == pl.String
    assert series.to_list() == codes.tolist()


def test_a_nul_inside_a_cell_is_dropped_and_padding_is_not_a_nul() -> None:
    cells = np.array(["a\x00b", "ab", "", "\x00c", "abc"])
    assert strip_nul(cells).tolist() == ["ab", "ab", "", "c", "abc"]
    assert strip_nul(np.array(["ab", "a"])).tolist() == ["ab", "a"]
