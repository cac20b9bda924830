"""The one-pass reader of plain CSV text gives the very table, or error, of the careful one."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io.table import FIELD_LIMIT, Table, _careful_table, _plain_text_table

#: Cells as scheme tables hold them: codes, periods, numbers, choices, Hindi names, and the
#: characters that make a file not plain (quotes, blank lines, carriage returns, commas).
CELL = st.one_of(
    st.sampled_from(["", " ", "EM-0001", "2021-03", "12", " 3.5 ", "-1e3", "yes", "no", "nan"]),
    st.sampled_from(["जयपुर", "Jaipur City", "=1+1", "#5", "a\u2028b", "\t7", "x\xa0"]),
    st.text(alphabet=st.sampled_from('ab1 ,"\r\n-.e'), max_size=4),
)
HEADERS = st.lists(
    st.sampled_from(["machine", "period", "services", "name", " flag", "", "period"]),
    min_size=1,
    max_size=5,
)


@st.composite
def scheme_csv(draw: st.DrawFn) -> str:
    """CSV text shaped like a scheme table, mostly plain, sometimes broken."""
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    if rows and draw(st.booleans()):  # a ragged row now and then
        rows[draw(st.integers(0, len(rows) - 1))].append(draw(CELL))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(header)] + [",".join(r) for r in rows]
    tail = draw(st.sampled_from(["", end, end + end, "\n\n\n"]))
    return end.join(lines) + tail


def _fast(text: str, source: str) -> Table:
    return Table.from_text(text, source=source)


def _outcome(read: Callable[[str, str], Table], text: str) -> tuple[str, object]:
    try:
        table = read(text, "<t.csv>")
    except InputError as exc:
        return "error", str(exc)
    columns = {h: (table.columns[h].tolist(), table.columns[h].dtype.kind) for h in table.header}
    # The cells as read (``raw``) are not compared: the one-pass reader cuts its columns from
    # the bytes and keeps no Python string per cell; the numbers are compared below.
    return "table", (table.source, table.header, table.rows.tolist(), columns)


@settings(max_examples=400, deadline=None)
@given(scheme_csv())
def test_fast_and_careful_readers_agree(text: str) -> None:
    """Same bytes, same table (header, rows, cells) or the same message."""
    assert _outcome(_fast, text) == _outcome(_careful_table, text)


@settings(max_examples=100, deadline=None)
@given(scheme_csv())
def test_floats_agree(text: str) -> None:
    """Numbers parse the same from either reader's table."""
    try:
        fast, careful = Table.from_text(text, source="t"), _careful_table(text, "t")
    except InputError:
        return
    for name in fast.header:
        try:
            got: object = fast.floats(name)
        except InputError as exc:
            got = str(exc)
        try:
            want: object = careful.floats(name)
        except InputError as exc:
            want = str(exc)
        if isinstance(got, np.ndarray) and isinstance(want, np.ndarray):
            np.testing.assert_array_equal(got, want)
        else:
            assert got == want


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n1,"2"x\n',  # text after a closing quote
        'a,b\n1,x"2\n',  # a quote inside an unquoted cell
        'a,b\n"1\n2",3\n',  # a line break inside quotes
        'a,b\n1,"2\n',  # a quote left open
        "a,b\n1,2\n\n3,4\n",  # a blank line inside
        "a,b\n1,2,3\n4\n",  # ragged rows whose commas add up
        "a,b\n1,2\r3,4\n",  # a lone carriage return
        "a\r,b\n1,2\n",  # a carriage return inside the header
        "a,a\n1,2\n",  # a repeated column name
        "a,\n1,2\n",  # a blank column name
        "a,b\n",  # only the header
    ],
)
def test_not_plain_goes_the_careful_way(text: str) -> None:
    """Text the one-pass reader must not take is left to the careful reader."""
    assert _plain_text_table(text, "t") is None


def test_plain_text_is_split() -> None:
    """A plain file is read in one pass: columns stripped, no Python string per cell kept."""
    table = _plain_text_table("m, p \r\nEM-1, 2021-01 \r\nEM-2,\n", "t")
    assert table is not None
    assert table.header == ("m", "p")
    assert table.rows.tolist() == [2, 3]
    assert table.columns["p"].tolist() == ["2021-01", ""]
    assert table.raw is None


def test_cell_at_the_field_limit_goes_the_careful_way() -> None:
    """A cell as long as the CSV field limit is left to the careful reader, which names it."""
    text = "a,b\n1," + "x" * (FIELD_LIMIT + 1) + "\n"
    assert _plain_text_table(text, "t.csv") is None
    with pytest.raises(InputError, match=r"row 2: a cell must be at most"):
        Table.from_text(text, source="t.csv")
