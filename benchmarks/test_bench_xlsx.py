"""Writing the 100,000-machine level (and the levels above it) as one XLSX workbook.

The time is reported in ``docs/performance.md``; ``benchmarks/xlsx_writers.py`` compares the
writer libraries on the same sheet.
"""

from __future__ import annotations

import openpyxl
import pytest

import egov_score as eg
from benchmarks.conftest import workload


@pytest.fixture(scope="module")
def result_100k() -> eg.Result:
    w = workload(100_000)
    return eg.Engine(w.framework, w.hierarchy).score(w.values, "2021-01")


def test_write_xlsx_100k(benchmark, result_100k, tmp_path):
    path = tmp_path / "scores.xlsx"
    benchmark.pedantic(result_100k.write_xlsx, args=(path,), rounds=1, iterations=1)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[-1] == "notes"
    assert book["machine"].max_row == 100_001
    book.close()
