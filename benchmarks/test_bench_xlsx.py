"""Writing the 100,000-machine level (and the levels above it) as one XLSX workbook.

The time is reported in ``docs/performance.md``; ``benchmarks/xlsx_writers.py`` compares the
writer with XlsxWriter (one call per cell, the writer before issue 11) and the zlib levels.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

import egov_score as eg
from benchmarks.conftest import workload
from egov_score.io import write_xlsx


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


def test_write_machine_sheet_100k(benchmark, result_100k, tmp_path):
    """The machine sheet alone (100,000 rows x 28 columns, as ``Result.xlsx_sheets`` gives
    it): the vectorised writer's cells, without the smaller levels."""
    sheets, formats = result_100k.xlsx_sheets()
    machine = {"machine": sheets["machine"]}
    path = tmp_path / "machine.xlsx"
    benchmark.pedantic(
        write_xlsx, args=(path, machine), kwargs={"number_formats": formats}, rounds=1
    )
    book = openpyxl.load_workbook(path, read_only=True)
    first = next(book["machine"].iter_rows(min_row=2, max_row=2, values_only=True))
    book.close()
    column = np.ma.getdata(np.asanyarray(sheets["machine"]["score"]))
    assert first[3] == column[0] or (first[3] is None and not np.isfinite(column[0]))
