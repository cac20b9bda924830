"""Columns cut from a CSV file's bytes: the careful reader's table, without a string per cell."""

from __future__ import annotations

import csv
import gc
import io
import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io.byte_columns import split_columns
from egov_score.io.table import Table, _careful_table

#: Cells with what quoting is for (commas, quotes, spaces), Hindi text and numbers.
CELL = st.one_of(
    st.sampled_from(["", " ", "CEO, Zila Parishad", 'say "hi"', '"', '""', "जयपुर", " 3.5 "]),
    st.text(alphabet=st.sampled_from('ab1 ,"-.जय'), max_size=5),
)


@st.composite
def quoted_csv(draw: st.DrawFn) -> str:
    """CSV text written by Python's CSV writer (so quoted as a spreadsheet quotes), or with a
    quote put where it breaks the file now and then."""
    width = draw(st.integers(1, 4))
    header = [f"c{i}" for i in range(width)]
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=6))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])), quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()):
        at = draw(st.integers(len(text.partition("\n")[0]) + 1, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', 'x"', '"x', ",", "\n"])) + text[at:]
    return text


def _outcome(read: object, text: str) -> tuple[str, object]:
    try:
        table = read(text, "<t.csv>")  # type: ignore[operator]
    except InputError as exc:
        return "error", str(exc)
    columns = {h: (table.columns[h].tolist(), table.columns[h].dtype) for h in table.header}
    return "table", (table.header, table.rows.tolist(), columns)


@settings(max_examples=400, deadline=None)
@given(quoted_csv())
def test_same_table_as_the_careful_reader(text: str) -> None:
    """Cells in quotes, doubled quotes, commas and Hindi inside them: the same header, rows,
    cells and dtypes as Python's CSV reader gives, or the same message."""
    fast = _outcome(lambda t, s: Table.from_text(t, source=s), text)
    assert fast == _outcome(_careful_table, text)


@settings(max_examples=200, deadline=None)
@given(quoted_csv())
def test_taken_only_when_well_formed(text: str) -> None:
    """Whatever the byte reader takes, the careful reader reads the same cells."""
    split = split_columns(text)
    if split is None:
        return
    header, columns, n = split
    careful = _careful_table(text, "t")
    assert header == careful.header
    assert n == careful.n_rows
    for name in header:
        assert columns[name].tolist() == careful.columns[name].tolist()


def test_quoted_cells_are_read_without_the_csv_module() -> None:
    """A units file whose officers are quoted (``"CEO, Zila Parishad"``) is cut from bytes."""
    text = 'code,officer\nD-1,"CEO, Zila Parishad"\nB-1,"say ""hi"""\nM-1,VDO\n'
    split = split_columns(text)
    assert split is not None
    assert split[1]["officer"].tolist() == ["CEO, Zila Parishad", 'say "hi"', "VDO"]


def _blocks_held_by(make: object) -> int:
    """Memory blocks still allocated (as traced) by what ``make()`` returns: a Python string
    per cell is a block per cell; a numpy column is one block."""
    gc.collect()
    tracemalloc.start()
    try:
        kept = make()  # type: ignore[operator]
        gc.collect()
        held = sum(stat.count for stat in tracemalloc.take_snapshot().statistics("filename"))
    finally:
        tracemalloc.stop()
    del kept
    return held


def test_a_read_table_holds_no_string_per_cell() -> None:
    """A 20,000-row table with quoted cells, read and every column built and parsed, holds a
    few hundred memory blocks, not one per cell (60,000)."""
    n = 20_000
    codes = np.char.add("M-", np.arange(n).astype(str))
    lines = np.char.add(np.char.add(codes, ',"CEO, Zila Parishad",'), np.arange(n).astype(str))
    text = "code,officer,n\n" + "\n".join(lines.tolist()) + "\n"

    def read() -> Table:
        table = Table.from_text(text, source="t.csv")
        for name in table.header:
            table.columns[name]
        table.floats("n")
        return table

    assert _blocks_held_by(read) < 1_000
