"""The ``phone`` column kind: a 10-digit Indian mobile or a landline with its STD code, as text."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import egov_score as eg
from egov_score.io.table import Table
from egov_score.plugins.builtin import emitra
from egov_score.plugins.scheme import PHONE_RULE, Column, check_table, valid_phones

GOOD = [
    "",
    "9414012345",
    "94140 12345",
    "+91 94140-12345",
    "919414012345",
    "09414012345",
    "0141-2740000",
    "01461-222222",
    " 6000000000 ",
]
BAD = [
    "94140123",  # two digits short
    "5414012345",  # a mobile starts 6-9
    "1412740000",  # a landline that lost its 0
    "0041-2740000",  # no STD code starts 0
    "Sunita Devi",
    "9414012345 / 9829012345",  # two numbers in one cell
    "9.414012345E9",  # a spreadsheet's number format
    "+1 4155550100",
]


def test_good_phones_pass_and_bad_ones_fail():
    cells = np.array(GOOD + BAD)
    assert valid_phones(cells).tolist() == [True] * len(GOOD) + [False] * len(BAD)
    assert valid_phones(np.array([], dtype=np.str_)).tolist() == []


def test_a_phone_column_is_text_not_a_number():
    col = Column(name="phone", kind="phone")
    assert not col.numeric
    assert "10-digit Indian mobile" in col.rule_text
    with pytest.raises(eg.InputError, match="min and max go with a numeric kind"):
        Column(name="phone", kind="phone", min=0.0)


def test_a_bad_phone_is_named_by_file_row_column_and_value(tmp_path):
    sample = emitra.SCHEME.samples["emitra_machines"].read_text(encoding="utf-8").splitlines()
    sample[2] = sample[2].replace("94140 22345", "94140 223")
    (tmp_path / "emitra_machines.csv").write_text("\n".join(sample) + "\n", encoding="utf-8")
    table = Table.from_csv(tmp_path / "emitra_machines.csv")
    hierarchy = eg.Hierarchy.from_csv(
        emitra.SCHEME.sample_units, eg.check_plugin.__globals__["DEFAULT_LEVELS"]
    )
    problems = check_table(emitra.TABLE, table, hierarchy)
    assert [(p.row, p.column, p.value, p.rule) for p in problems] == [
        (3, "nodal_officer_phone", "94140 223", PHONE_RULE)
    ]
    registry = eg.Registry()
    with pytest.raises(eg.InputError) as info:
        registry.check_tables({"emitra": {"emitra_machines": table}}, hierarchy)
    message = str(info.value)
    for fragment in ("emitra_machines.csv", "row 3", "'nodal_officer_phone'", "got '94140 223'"):
        assert fragment in message
    checked = registry.check_tables(
        {"emitra": {"emitra_machines": table}}, hierarchy, drop_bad_rows=True
    )
    assert [(p.row, p.column) for p in checked.rejected] == [(3, "nodal_officer_phone")]


_REFERENCE = re.compile(r"(?:(?:\+?91|0)?[6-9][0-9]{9}|0[1-9][0-9]{9})", re.ASCII)


def _slow_valid(cell: str) -> bool:
    """The rule as a regular expression, one cell at a time: the reference."""
    squeezed = cell.strip().replace(" ", "").replace("-", "")
    return squeezed == "" or _REFERENCE.fullmatch(squeezed) is not None


_PHONE_TEXT = st.text(alphabet="0123456789+- 9١٢٣０a", max_size=16)


@given(st.lists(st.one_of(_PHONE_TEXT, st.sampled_from(GOOD + BAD)), min_size=1, max_size=30))
def test_valid_phones_agrees_with_the_regular_expression(cells):
    fast = valid_phones(np.array(cells, dtype=np.str_)).tolist()
    assert fast == [_slow_valid(c) for c in cells]


def test_digits_other_than_ascii_are_not_a_phone():
    assert valid_phones(np.array(["９４１４０１２３４５", "٩٤١٤٠١٢٣٤٥"])).tolist() == [False, False]
