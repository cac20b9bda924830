"""The faster steps of reading a large ``units.csv`` (issue 16): the quotes' parity found from
the quotes' positions, text columns converted from one joined polars string, and a level's
columns as views of the table's when its units are consecutive rows. Each gives what the
step it replaced gave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.io import table as table_module
from egov_score.io.table import _polars_text_column, _well_quoted_commas
from egov_score.model.hierarchy import Hierarchy

pl = pytest.importorskip("polars")


def _cumsum_commas(data: np.ndarray) -> np.ndarray | None:
    """The running-count version this replaced: the reference."""
    quote = data == ord('"')
    if not quote.any():
        return np.flatnonzero(data == ord(","))
    before = np.cumsum(quote, dtype=np.uint8) - quote.view(np.uint8)
    inside = (before & 1).astype(bool)
    if inside[data == ord("\n")].any() or (int(before[-1]) + int(quote[-1])) % 2:
        return None
    at = np.flatnonzero(quote)
    prev = np.where(at > 0, data[np.maximum(at - 1, 0)], ord("\n"))
    after = np.where(at + 1 < len(data), data[np.minimum(at + 1, len(data) - 1)], ord("\n"))
    edge = (ord(","), ord("\n"), ord('"'))
    if not np.where(inside[at], np.isin(after, edge), np.isin(prev, edge)).all():
        return None
    return np.flatnonzero((data == ord(",")) & ~inside)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab,"\n '), min_size=1, max_size=40))
def test_commas_outside_quotes_as_the_running_count_found(text: str) -> None:
    data = np.frombuffer(text.encode(), dtype=np.uint8)
    got, want = _well_quoted_commas(data), _cumsum_commas(data)
    assert (got is None) == (want is None)
    if got is not None:
        assert got.tolist() == want.tolist()


# Cells as read from UTF-8 text: no NUL (refused), no lone surrogate (not encodable).
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
            max_size=6,
        )
    )
)
def test_a_polars_text_column_becomes_the_same_numpy_text(cells: list[str]) -> None:
    got = _polars_text_column(pl, pl.Series(cells, dtype=pl.String))
    assert got.dtype.kind == "U"
    assert got.tolist() == cells


def test_consecutive_units_share_the_tables_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Levels listed together are views of the table's columns (no copy of a million cells)
    and the same hierarchy as one whose rows are interleaved (copies)."""
    lines = ["level,code,name,parent,officer", "district,D1,Jaipur,,CEO", "district,D2,Alwar,,CEO"]
    lines += [f"block,B{i},Block {i},D{1 + i % 2},BDO" for i in range(6)]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = table_module.Table.from_csv(path)
    h = Hierarchy.from_table(table, ["district", "block"])
    for level in h.levels:
        assert np.shares_memory(level.codes, table.columns["code"])
        assert np.shares_memory(level.attributes["officer"], table.columns["officer"])
        assert not level.codes.flags.writeable
    mixed = [lines[0], lines[3], lines[1], *lines[4:], lines[2]]
    path.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    other = table_module.Table.from_csv(path)
    h2 = Hierarchy.from_table(other, ["district", "block"])
    assert not np.shares_memory(h2.level("block").codes, other.columns["code"])
    for a, b in zip(h.levels, h2.levels, strict=True):
        assert dict(zip(a.codes.tolist(), a.names.tolist(), strict=True)) == dict(
            zip(b.codes.tolist(), b.names.tolist(), strict=True)
        )


def test_a_levels_extra_columns_are_the_files(tmp_path: Path) -> None:
    """A level's extra columns (officer, LGD code) hold the file's cells, an empty one as
    ""; a pickled hierarchy carries them as plain columns."""
    import pickle

    lines = ["level,code,name,parent,officer,lgd_code", "district,D1,Jaipur,,CEO,110"]
    lines += ["block,B1,Amer,D1,BDO,574", "district,D2,Alwar,,CEO,103", "block,B2,Bassi,D2,,591"]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    h = Hierarchy.from_csv(path, ["district", "block"])
    blocks = h.level("block")
    assert list(blocks.attributes) == ["officer", "lgd_code"]
    assert blocks.attributes["lgd_code"].tolist() == ["574", "591"]
    assert blocks.attributes["officer"].tolist() == ["BDO", ""]
    assert h.unit("B1").officer == "BDO"
    assert h.unit("D2").lgd_code == "103"
    again = pickle.loads(pickle.dumps(h))
    assert isinstance(again.level("district").attributes, dict)
    assert again.level("district").attributes["officer"].tolist() == ["CEO", "CEO"]
