"""The polars reader of large CSV files (every cell as text, the ``fastcsv`` extra) gives the
very table of the careful reader, or leaves the file to it so that its message is kept."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io import table as table_module
from egov_score.io.encodings import decode
from egov_score.io.table import Table, _careful_table, _polars_text_table
from egov_score.model.hierarchy import Hierarchy

pytest.importorskip("polars")

#: Cells as units and scheme tables hold them, and the characters that make reading hard.
CELL = st.one_of(
    st.sampled_from(["", " ", "EM-0001", "CEO, Zila Parishad", 'say "hi"', "जयपुर", " 3.5 "]),
    st.sampled_from(["=1+1", "a\u2028b", "\t7", "x\xa0", "\x1cx\x1f", "two\nlines", "cr\r\nlf"]),
    st.text(alphabet=st.sampled_from('ab1 ,"\r\n-.'), max_size=4),
)
HEADERS = st.lists(
    st.sampled_from(["level", "code", "name", "officer", " parent", "", "code", "a,b", 'q"']),
    min_size=1,
    max_size=5,
)


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@st.composite
def cell_text(draw: st.DrawFn) -> str:
    """A cell as a spreadsheet writes it (quoted where it must be, or always), or raw."""
    cell = draw(CELL)
    how = draw(st.sampled_from(["csv", "csv", "always", "raw", "broken"]))
    if how == "always" or (how == "csv" and any(c in cell for c in ',"\r\n')):
        return _quoted(cell)
    if how == "broken":
        return draw(st.sampled_from(['"' + cell, cell + '"', _quoted(cell) + "x", ' "a"']))
    return cell


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    """CSV text shaped like a units file: mostly well quoted, sometimes broken."""
    header = [c if draw(st.booleans()) else _quoted(c) for c in draw(HEADERS)]
    rows = draw(
        st.lists(st.lists(cell_text(), min_size=len(header), max_size=len(header)), max_size=6)
    )
    if rows and draw(st.integers(0, 4)) == 0:  # a ragged row now and then
        rows[draw(st.integers(0, len(rows) - 1))].append(draw(CELL))
    end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    lines = [",".join(header)] + [",".join(r) for r in rows]
    if len(lines) > 2 and draw(st.integers(0, 5)) == 0:
        lines.insert(2, "")  # a blank line
    tail = draw(st.sampled_from(["", end, end + end]))
    return end.join(lines) + tail


def _outcome(table: Table) -> tuple[object, ...]:
    columns = {h: table.columns[h].tolist() for h in table.header}
    return table.source, table.header, table.rows.tolist(), columns


def _polars_both_ways(text: str) -> Table | None:
    """The polars reader's table, which must be the same whether the separating commas are
    counted between a few quotes or located one by one (files with many quotes)."""
    fast = _polars_text_table(text, "<t.csv>")
    saved, table_module._FEW_QUOTES = table_module._FEW_QUOTES, -1
    try:
        located = _polars_text_table(text, "<t.csv>")
    finally:
        table_module._FEW_QUOTES = saved
    assert (fast is None) == (located is None), "the two ways of finding separators differ"
    if fast is not None and located is not None:
        assert _outcome(fast) == _outcome(located)
    return fast


@settings(max_examples=600, deadline=None)
@given(csv_files())
def test_polars_reader_gives_the_careful_table_or_leaves_the_file(text: str) -> None:
    """Where polars reads a file, the careful reader reads the same table from it; where it
    does not, Table.from_text gives the careful reader's table or message."""
    fast = _polars_both_ways(text)
    try:
        careful = _careful_table(text, "<t.csv>")
    except InputError as exc:
        message = str(exc)
        assert fast is None, "polars read a file the careful reader refuses"
        with pytest.raises(InputError) as got:
            Table.from_text(text, source="<t.csv>")
        assert str(got.value) == message
        return
    if fast is not None:
        assert _outcome(fast) == _outcome(careful)
    assert _outcome(Table.from_text(text, source="<t.csv>")) == _outcome(careful)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('a,b\n1,"2"x\n', "text after a closing quote"),
        ('a,b\n1,x"y"\n', "a quote inside a cell"),
        ('a,b\n1,"two\nlines"\n', "a line break in a quoted cell"),
        ('a,b\n1,"open\n', "a quote left open"),
        ("a,b\n1,2\r3,4\n", "a lone carriage return"),
        ("a,b\n1,2\n\n3,4\n", "a blank line"),
        ('a,b\n1,"x,y",3\n', "a ragged row"),
        ('a,a\n1,"x"\n', "a repeated column name"),
        ('a,b\n1, "x"\n', "a space before an opening quote"),
        ("a,b\n1,2,3\n4\n", "a long and a short row, no quote: the commas add up"),
        ("a,b\n4\n1,2,3\n", "a short and a long row, no quote"),
        ("a,b,c\n1,2\n3,4,5,6\n", "a short and a long row, three columns"),
        ("a,b\n1\n2,3\n", "a short row, no quote"),
    ],
)
def test_files_the_careful_reader_must_read(text: str, reason: str) -> None:
    assert _polars_both_ways(text) is None, reason


def test_quoted_officer_titles_are_read_by_polars() -> None:
    text = (
        "level,code,name,parent,officer\r\n"
        'district,D1, Jaipur ,,"CEO, Zila Parishad"\r\n'
        'block,B1,"Amer ""old""",D1,BDO\r\n'
        'block,B2,"",D1,\r\n'
    )
    fast = _polars_text_table(text, "u.csv")
    assert fast is not None
    assert fast.columns["officer"].tolist() == ["CEO, Zila Parishad", "BDO", ""]
    assert fast.columns["name"].tolist() == ["Jaipur", 'Amer "old"', ""]
    assert _outcome(fast) == _outcome(_careful_table(text, "u.csv"))


def test_a_large_units_file_is_read_by_polars_into_the_same_hierarchy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 3000
    codes = np.char.add("M", np.arange(n).astype(str))
    lines = ["level,code,name,parent,officer", 'district,D1,"Jaipur, city",,"CEO, Zila Parishad"']
    lines += ["block,B1,Amer,D1,BDO"]
    lines += [f"machine,{c},GP {c},B1,VDO" for c in codes.tolist()]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    levels = ["district", "block", "machine"]
    calls: list[bool] = []
    real = table_module._polars_bytes_table

    def spy(data: bytes, source: str) -> Table | None:
        out = real(data, source)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(table_module, "POLARS_MIN_BYTES", 0)
    monkeypatch.setattr(table_module, "_polars_bytes_table", spy)
    fast = Hierarchy.from_csv(path, levels)
    assert calls == [True]  # read by polars from the file's bytes
    monkeypatch.setattr(table_module, "_polars_bytes_table", lambda data, source: None)
    monkeypatch.setattr(table_module, "_polars_text_table", lambda text, source: None)
    assert fast == Hierarchy.from_csv(path, levels)
    assert fast.level("district").names.tolist() == ["Jaipur, city"]


def test_quotes_are_counted_past_256() -> None:
    """The quote parity survives the byte-wide count wrapping round (1,200 quotes)."""
    lines = ["code,name,officer"] + [f'M{i},"GP, {i}","say ""hi"""' for i in range(100)]
    text = "\n".join(lines) + "\n"
    fast = _polars_text_table(text, "t.csv")
    assert fast is not None
    assert _outcome(fast) == _outcome(_careful_table(text, "t.csv"))
    assert fast.columns["officer"].tolist()[-1] == 'say "hi"'
    assert _polars_text_table(text + 'M9,x,"open\n', "t.csv") is None


@given(st.permutations(["code", "name", "officer", "level"]))
def test_columns_read_in_any_order_are_the_careful_readers(order: list[str]) -> None:
    """Each column's polars series is let go once converted: reading the columns in any
    order, and again, gives the careful reader's cells."""
    lines = ["level,code,name,officer"] + [f'block,B{i},"GP, {i}", BDO {i % 3}' for i in range(40)]
    text = "\n".join(lines) + "\n"
    fast = _polars_text_table(text, "t.csv")
    careful = _careful_table(text, "t.csv")
    assert fast is not None
    for name in order + order:
        assert fast.columns[name].tolist() == careful.columns[name].tolist(), name


@pytest.mark.parametrize("n", [4096, 20_000])
def test_columns_of_few_distinct_cells_are_the_careful_readers(n: int) -> None:
    """Long columns of few distinct cells (levels, officers' titles) are converted through
    their distinct cells: padded, empty and Hindi cells come out as the careful reader's; a
    column whose even sample misleads (few distinct cells sampled, many between) too."""
    titles = ["CEO, Zila Parishad", " BDO ", "", "ग्राम विकास अधिकारी", "VDO\u2028", "\x1cNodal"]
    step = max(1, n // 2048)
    lines = ["level,code,officer,misleading"]
    for i in range(n):
        title = titles[i % len(titles)]
        cell = f'"{title}"' if "," in title else title
        misleading = "same" if i % step == 0 else f"cell {i}"
        lines.append(f"machine,M{i},{cell},{misleading}")
    text = "\n".join(lines) + "\n"
    fast = _polars_text_table(text, "t.csv")
    assert fast is not None
    careful = _careful_table(text, "t.csv")
    assert _outcome(fast) == _outcome(careful)
    for name in ("officer", "misleading"):  # the width of the cells as read, too
        assert fast.columns[name].dtype == careful.columns[name].dtype, name
    assert fast.columns["officer"][:3].tolist() == ["CEO, Zila Parishad", "BDO", ""]


@settings(max_examples=300, deadline=None)
@given(
    csv_files(),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
    st.sampled_from([b"", b"\n", b"\n\n", b"\r\n", b"\xff", b"caf\xe9", b"\x00"]),
)
def test_a_files_bytes_read_by_polars_give_the_careful_table_or_message(
    text: str, bom: bytes, tail: bytes
) -> None:
    """Table.from_csv hands a file's bytes to polars (no decoding first): a byte-order mark,
    blank records at the end, bytes that are not UTF-8 and NUL give the careful reader's
    table or its message."""
    data = bom + text.encode("utf-8") + tail
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(data)
        saved, table_module.POLARS_MIN_BYTES = table_module.POLARS_MIN_BYTES, 0
        try:
            got: object = _outcome_or_message(lambda: Table.from_csv(path))
        finally:
            table_module.POLARS_MIN_BYTES = saved
        want = _outcome_or_message(lambda: _careful_table(decode(data, str(path)), str(path)))
    assert got == want


def _outcome_or_message(read: Callable[[], Table]) -> object:
    try:
        return _outcome(read())
    except InputError as exc:
        return str(exc)


def test_a_column_whose_conversion_failed_can_be_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A conversion interrupted (memory, Ctrl-C) leaves the column to be read again, not
    missing."""
    text = "level,code,officer\n" + "".join(f"block,B{i},BDO\n" for i in range(50))
    fast = _polars_text_table(text, "t.csv")
    assert fast is not None
    real = table_module._polars_strings

    def failing(pl: object, series: object) -> object:
        raise MemoryError("interrupted")

    monkeypatch.setattr(table_module, "_polars_strings", failing)
    with pytest.raises(MemoryError):
        fast.columns["officer"]
    monkeypatch.setattr(table_module, "_polars_strings", real)
    assert fast.columns["officer"].tolist() == ["BDO"] * 50
