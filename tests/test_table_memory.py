"""A checked table lets go of its cells as read, and a column test builds nothing."""

from __future__ import annotations

import numpy as np

from egov_score._arrays import LazyColumns
from egov_score.io.table import Table


def test_compact_is_the_same_table() -> None:
    """Same header, rows, cells and parsed numbers; no Python string per cell kept."""
    table = Table.from_text("code,n,name\nA, 1 ,x \nB,,y\n", source="t.csv")
    numbers = table.floats("n")
    small = table.compact()
    assert small.raw is None
    assert small.header == table.header
    assert small.rows.tolist() == table.rows.tolist()
    for name in table.header:
        assert small.columns[name].tolist() == table.columns[name].tolist()
    np.testing.assert_array_equal(small.floats("n"), numbers)
    assert small.compact() is small


def test_contains_does_not_compute() -> None:
    """``name in columns`` answers from the names alone."""
    built: list[str] = []

    def compute(key: str) -> int:
        built.append(key)
        return 1

    columns = LazyColumns(("a", "b"), compute)
    assert "a" in columns
    assert "c" not in columns
    assert built == []
    assert columns["b"] == 1
    assert built == ["b"]
