"""Codes are sorted and looked up through integer keys where they are short ASCII: the same
order as a sort of the strings, the same indices as a search of the strings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_score._arrays import stable_order
from egov_score.exceptions import HierarchyError
from egov_score.io.table import Table
from egov_score.model import hierarchy as hierarchy_module
from egov_score.model.hierarchy import Hierarchy, Level, code_order

#: Codes as units files hold them, with the cells that decide the key path: a ninth
#: character, a non-ASCII one, an empty code, prefixes of one another.
_CODE = st.one_of(
    st.text(alphabet="AB01-", max_size=8),
    st.sampled_from(["", "A", "AB", "ABCDEFGH", "ABCDEFGHI", "जयपुर", "A\x7f", "~"]),
)


@pytest.fixture(autouse=True)
def _keys_for_every_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The integer keys are used from 10,000 codes on; here from one."""
    monkeypatch.setattr(hierarchy_module, "_SORT_WANTED", 1)


@given(st.lists(_CODE, max_size=40))
def test_code_order_is_the_stable_sort_of_the_strings(codes: list[str]) -> None:
    cells = np.array(codes, dtype=np.str_)
    want = sorted(range(len(codes)), key=lambda i: codes[i])  # Python's sort is stable
    assert code_order(cells).tolist() == want


@given(
    st.one_of(
        st.lists(st.integers(0, 2**64 - 1), max_size=60),
        # few distinct keys, differing in one 16-bit digit or several (repeats, skipped digits)
        st.lists(
            st.sampled_from([0, 1, 2**16, 2**16 + 1, 2**40, 2**48 + 5, 2**63, 2**64 - 1]),
            max_size=60,
        ),
        st.lists(st.integers(0, 3), max_size=60).map(lambda xs: [x << 32 for x in xs]),
    )
)
def test_stable_order_is_numpys_stable_sort(keys: list[int]) -> None:
    arr = np.array(keys, dtype=np.uint64)
    got = stable_order(arr)
    assert got.dtype == np.intp
    assert got.tolist() == np.argsort(arr, kind="stable").tolist()
    small = [k for k in keys if k < 2**63]  # signed labels (a parent index) sort alike
    labels = np.array(small, dtype=np.int64)
    assert stable_order(labels).tolist() == np.argsort(labels, kind="stable").tolist()


def test_stable_order_of_a_shuffled_million_sharing_a_prefix() -> None:
    codes = np.char.add("MA", np.arange(1_000_000).astype(str))
    keys = hierarchy_module._ascii_keys(codes)
    assert keys is not None
    shuffled = keys[np.random.default_rng(0).permutation(len(keys))]
    np.testing.assert_array_equal(stable_order(shuffled), np.argsort(shuffled, kind="stable"))
    in_order = np.sort(keys)
    np.testing.assert_array_equal(stable_order(in_order), np.arange(len(keys)))


@given(st.lists(_CODE, min_size=1, max_size=30, unique=True), st.lists(_CODE, max_size=30))
def test_find_gives_each_codes_index_or_minus_one(codes: list[str], wanted: list[str]) -> None:
    level = Level(
        name="machine",
        codes=np.array(codes, dtype=np.str_),
        names=np.array(codes, dtype=np.str_),
        names_hi=np.full(len(codes), ""),
        parent=np.full(len(codes), -1, dtype=np.intp),
    )
    asked = wanted + codes[::-1]
    want = [codes.index(c) if c in codes else -1 for c in asked]
    assert level.find(np.array(asked, dtype=np.str_)).tolist() == want


@given(st.lists(st.sampled_from(["B1", "B2", "B10", "", "जय", "ABCDEFGHI"]), max_size=12))
def test_the_hierarchys_checks_say_the_same_through_keys(blocks: list[str]) -> None:
    """Repeated, empty and missing codes are named alike whether the codes are compared as
    integer keys or as strings (row for row, message for message)."""
    lines = ["level,code,name,parent", "district,D1,Jaipur,", "district,B1,Repeat,"]
    lines += [f"block,{c},Block,{'D1' if i % 3 else 'B2'}" for i, c in enumerate(blocks)]
    table = Table.from_text("\n".join(lines) + "\n", source="u.csv")

    def outcome() -> object:
        try:
            h = Hierarchy.from_table(table, ["district", "block"])
        except HierarchyError as exc:
            return str(exc)
        return [lv.codes.tolist() for lv in h.levels], [lv.parent.tolist() for lv in h.levels]

    through_keys = outcome()
    saved, hierarchy_module._SORT_WANTED = hierarchy_module._SORT_WANTED, 10**9
    try:
        as_strings = outcome()
    finally:
        hierarchy_module._SORT_WANTED = saved
    assert through_keys == as_strings
