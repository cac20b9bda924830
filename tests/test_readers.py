"""The fast CSV readers (polars, numpy) against the careful one: same table or a step aside."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io import table as table_module
from egov_score.io.table import Table, _numeric_fast_path, _polars_fast_path, _polars_floats

pytest.importorskip("polars", reason="the fastcsv extra (polars) is part of the test extra")

NUMERIC = ("a", "b")
HEADER = "code,a,period,b"

number_cells = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e9, 1e9, allow_nan=False).map(repr),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.3e}"),
    st.sampled_from(["", "", "0", "-0", "+5", ".5", "5.", " 7 ", "1e5", "2E-3"]),
)
odd_cells = st.sampled_from(["nan", "inf", "-Infinity", "1_000", "ten", "  ", "0x10", "1e", "--1"])
text_cells = st.sampled_from(["B1", "B2", " B3 ", "", "2021-01", "x y"])


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 12))
    odd = draw(st.booleans())
    numbers = st.one_of(number_cells, odd_cells) if odd else number_cells
    lines = [
        ",".join([draw(text_cells), draw(numbers), draw(text_cells), draw(numbers)])
        for _ in range(n)
    ]
    sep = draw(st.sampled_from(["\n", "\r\n"]))
    last = draw(st.sampled_from([sep, ""]))  # with or without a final line end
    return HEADER + sep + sep.join(lines) + last


def careful(text: str) -> Table | None:
    """The careful reader's table with its numbers parsed; None if it rejects a cell."""
    try:
        table = Table.from_text(text, source="t.csv")
        for name in NUMERIC:
            table.floats(name)
    except InputError:
        return None
    return table


def same(fast: Table, slow: Table) -> None:
    assert fast.header == slow.header
    np.testing.assert_array_equal(fast.rows, slow.rows)
    for name in NUMERIC:
        np.testing.assert_array_equal(fast.floats(name), slow.floats(name))
    for name in ("code", "period"):
        np.testing.assert_array_equal(fast.columns[name], slow.columns[name])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_texts())
def test_fast_readers_give_the_careful_table_or_step_aside(text):
    slow = careful(text)
    for reader in (_polars_fast_path, _numeric_fast_path):
        fast = reader(text, "t.csv", NUMERIC)
        if slow is None:  # a cell the careful reader rejects: the fast one must not take it
            assert fast is None, reader.__name__
        elif fast is not None:
            same(fast, slow)


def test_plain_file_takes_the_polars_path():
    text = f"{HEADER}\nB1,1.5,2021-01,\nB2,,2021-01,7\n"
    fast = _polars_fast_path(text, "t.csv", NUMERIC)
    assert fast is not None
    np.testing.assert_array_equal(fast.floats("a"), [1.5, np.nan])
    np.testing.assert_array_equal(fast.floats("b"), [np.nan, 7.0])


@pytest.mark.parametrize(
    "text",
    [
        f'{HEADER}\n"B1",1,P,2\n',  # quotes
        f"{HEADER}\nB1,1,P,2\n\nB2,1,P,2\n",  # a blank line
        f"{HEADER}\nB1,1,P\n",  # a short row
        f"{HEADER}\nB1,1,P,2,9\n",  # a long row
        f"{HEADER}\nB1,inf,P,2\n",  # not a finite number
    ],
)
def test_files_the_careful_reader_must_see_are_left_to_it(text):
    assert _polars_fast_path(text, "t.csv", NUMERIC) is None
    assert _numeric_fast_path(text, "t.csv", NUMERIC) is None


def test_without_polars_the_numpy_reader_is_used(tmp_path, hide_module):
    hide_module("polars")
    path = tmp_path / "v.csv"
    path.write_text(f"{HEADER}\nB1,1.5,P,\n")
    assert _polars_fast_path(path.read_text(), str(path), NUMERIC) is None
    table = Table.from_csv_numeric(path, NUMERIC)
    np.testing.assert_array_equal(table.floats("a"), [1.5])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(number_cells, odd_cells), min_size=1, max_size=30))
def test_long_columns_parse_by_polars_as_python_does(monkeypatch_polars_cells, cells):
    by_polars = _polars_floats(tuple(cells))
    try:
        by_python = [float(c) if c else float("nan") for c in cells]
    except ValueError:
        by_python = None
    all_plain = all(c == "" or re.match(table_module._PLAIN_NUMBER, c) for c in cells)
    assert (by_polars is not None) == all_plain  # it steps aside exactly for other spellings
    if by_polars is not None:
        assert by_python is not None
        np.testing.assert_array_equal(by_polars, by_python)


@pytest.fixture(scope="module")
def monkeypatch_polars_cells():
    """polars parses columns of any length."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(table_module, "POLARS_MIN_CELLS", 0)
        yield
