"""UnitCodes: the engine's diagnostics name their units lazily, read as the tuple."""

from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import egov_score as eg
from egov_score.model.result import UnitCodes

# Codes as a hierarchy holds them: no NUL (the readers refuse it, and a numpy string array
# drops a trailing one).
_codes = st.lists(
    st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=6),
    min_size=1,
    max_size=12,
    unique=True,
)


@given(_codes, st.data())
def test_unit_codes_read_as_the_tuple_of_their_codes(codes: list[str], data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.integers(0, len(codes) - 1), max_size=8))
    lazy = UnitCodes(np.array(codes, dtype=np.str_), np.array(rows, dtype=np.intp))
    want = tuple(codes[r] for r in rows)
    assert lazy == want
    assert want == lazy
    assert lazy == UnitCodes(np.array(want), np.arange(len(want)))
    assert hash(lazy) == hash(want)
    assert len(lazy) == len(want)
    assert list(lazy) == list(want)
    assert repr(lazy) == repr(want)
    assert lazy[1:3] == want[1:3]
    assert lazy.first(2) == want[:2]
    tail = ("z",)
    assert lazy + tail == want + tail
    assert tail + lazy == tail + want
    other = data.draw(st.lists(st.sampled_from(codes), max_size=4).map(tuple))
    assert (lazy < other) == (want < other)
    assert (lazy >= other) == (want >= other)
    assert sorted([other, lazy]) == sorted([other, want])
    assert all(code in lazy for code in want)
    assert pickle.loads(pickle.dumps(lazy)) == want
    assert lazy != list(want)  # as a tuple: not equal to a list


def test_the_codes_are_made_only_when_read() -> None:
    codes = np.array(["A", "B", "C"])
    lazy = UnitCodes(codes, np.array([2, 0]))
    assert len(lazy) == 2
    assert lazy.first(1) == ("C",)
    assert lazy._tuple is None
    assert lazy == ("C", "A")
    assert lazy._tuple == ("C", "A")


def test_a_diagnostic_takes_unit_codes_and_equals_its_tuple_twin() -> None:
    lazy = UnitCodes(np.array(["M1", "M2"]), np.array([1]))
    made = {
        "kind": "division_by_zero",
        "level": "machine",
        "code": "x",
        "message": "m",
    }
    assert eg.Diagnostic(units=lazy, **made) == eg.Diagnostic(units=("M2",), **made)
    assert hash(eg.Diagnostic(units=lazy, **made)) == hash(eg.Diagnostic(units=("M2",), **made))
