"""File names and unit lookup (issue 12, point 7): ``unit_file_names`` over a level's units
and ``find_unit`` for ``--unit``. Nothing here asserts a time."""

from __future__ import annotations

import pytest

from egov_score import datasets
from egov_score.exceptions import InputError
from egov_score.io.table import unit_file_names
from egov_score.model.lookup import find_unit


@pytest.mark.parametrize("n", [100, 100_000], ids=["N=100", "N=100_000"])
def test_unit_file_names(benchmark, n):
    codes = [f"M-{i // 100}-{i % 100:03d}" for i in range(n)]
    names = [f"GP Village {i % 5000}" for i in range(n)]
    stems = benchmark(unit_file_names, codes, names)
    assert len(set(stems)) == n


@pytest.mark.parametrize("typed", ["alwar", "Alwr"], ids=["found", "did-you-mean"])
def test_find_unit_jaipur(benchmark, typed):
    hierarchy = datasets.load("jaipur").hierarchy

    def look() -> str:
        try:
            return find_unit(hierarchy, typed)
        except InputError as exc:
            return str(exc)

    assert "D-87" in benchmark(look)
