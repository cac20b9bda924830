"""The fast CSV readers (polars, numpy) against the careful one: the same table or error."""

from __future__ import annotations

import builtins
import contextlib
import math
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io.table import Table

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


@contextlib.contextmanager
def no_polars() -> Iterator[None]:
    """Importing polars fails inside, as if the ``fastcsv`` extra were not installed."""
    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "polars":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builtins, "__import__", fake_import)
        # importlib.import_module does not go through __import__: None in sys.modules stops it.
        mp.setitem(sys.modules, "polars", None)
        yield


def parsed(read: Callable[[], Table]) -> Table | str:
    """The table ``read`` gives, its numbers parsed; or the message of the error it raises."""
    try:
        table = read()
        for name in NUMERIC:
            table.floats(name)
    except InputError as exc:
        return str(exc)
    return table


def same(fast: Table | str, slow: Table | str) -> None:
    if isinstance(slow, str):  # the careful reader rejects the file: so must the fast one
        assert fast == slow
        return
    assert isinstance(fast, Table), fast
    assert fast.header == slow.header
    np.testing.assert_array_equal(fast.rows, slow.rows)
    for name in NUMERIC:
        np.testing.assert_array_equal(fast.floats(name), slow.floats(name))
    for name in ("code", "period"):
        np.testing.assert_array_equal(fast.columns[name], slow.columns[name])


def assert_fast_readers_agree(text: str) -> None:
    """``Table.from_csv_numeric`` (polars' reader, then numpy's with polars missing) gives the
    careful reader's table, or its error."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        slow = parsed(lambda: Table.from_csv(path))
        same(parsed(lambda: Table.from_csv_numeric(path, NUMERIC)), slow)
        with no_polars():
            same(parsed(lambda: Table.from_csv_numeric(path, NUMERIC)), slow)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_texts())
def test_fast_readers_give_the_careful_table(text):
    assert_fast_readers_agree(text)


def test_plain_file_reads_fast(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{HEADER}\nB1,1.5,2021-01,\nB2,,2021-01,7\n")
    for hidden in (contextlib.nullcontext(), no_polars()):
        with hidden:
            table = Table.from_csv_numeric(path, NUMERIC)
        np.testing.assert_array_equal(table.floats("a"), [1.5, np.nan])
        np.testing.assert_array_equal(table.floats("b"), [np.nan, 7.0])
        np.testing.assert_array_equal(table.columns["code"], ["B1", "B2"])


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
def test_files_the_careful_reader_must_see_are_read_as_it_does(text):
    assert_fast_readers_agree(text)


def test_without_polars_the_numpy_reader_is_used(tmp_path, hide_module):
    hide_module("polars")
    path = tmp_path / "v.csv"
    path.write_text(f"{HEADER}\nB1,1.5,P,\n")
    table = Table.from_csv_numeric(path, NUMERIC)
    np.testing.assert_array_equal(table.floats("a"), [1.5])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(number_cells, odd_cells), min_size=1, max_size=30))
def test_columns_parse_as_python_does_with_or_without_polars(cells):
    """A column parses as Python's ``float`` reads each cell (empty or blank = missing) when
    every other cell is a finite number, else it is an error: with polars (which parses
    columns of plain numbers once it is imported, as it is here) and without."""
    text = "code,a\n" + "".join(f"x,{c}\n" for c in cells)

    def floats() -> np.ndarray | str:
        try:
            return Table.from_text(text, source="t.csv").floats("a")
        except InputError as exc:
            return str(exc)

    try:
        want: list[float] | None = [float(c) if c.strip() else math.nan for c in cells]
    except ValueError:
        want = None
    if want is not None and not all(
        math.isfinite(x) for x, c in zip(want, cells, strict=True) if c.strip()
    ):
        want = None
    with_polars = floats()
    with no_polars():
        without = floats()
    if want is None:
        assert isinstance(with_polars, str)
        assert with_polars == without
    else:
        np.testing.assert_array_equal(with_polars, want)
        np.testing.assert_array_equal(without, want)
