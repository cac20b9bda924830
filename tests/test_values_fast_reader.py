"""The fast numeric reader finds the header and body as positions in the file's bytes: a
byte-order mark, a missing last line end and blank records at the end read as the careful
reader reads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from egov_score.io import table as table_module
from egov_score.io.encodings import decode
from egov_score.io.table import Table, _careful_table, _polars_numeric_file

pytest.importorskip("polars")

BODY = b"code,period,x\nA,2021-01,1.5\nB,2021-01,\nC,2021-01,-2e3"


@pytest.fixture
def values_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], Path]:
    """Writes ``values.csv`` with the given bytes; the fast reader takes files of any size."""
    monkeypatch.setattr(table_module, "POLARS_MIN_BYTES", 0)

    def write(data: bytes) -> Path:
        path = tmp_path / "values.csv"
        path.write_bytes(data)
        return path

    return write


def _careful(path: Path) -> Table:
    """The table of Python's CSV reader alone (no polars, no byte reader)."""
    return _careful_table(decode(path.read_bytes(), str(path)), str(path))


@pytest.mark.parametrize(
    "data",
    [BODY + b"\n", BODY, BODY + b"\n\n\n", b"\xef\xbb\xbf" + BODY + b"\n", BODY + b"\n\n"],
)
def test_fast_numeric_reader_reads_as_the_careful_reader(
    values_file: Callable[[bytes], Path], data: bytes
) -> None:
    path = values_file(data)
    fast = _polars_numeric_file(path, {"x"})
    assert fast is not None  # taken by the fast path, not left to the careful reader
    careful = _careful(path)
    assert fast.header == careful.header
    assert fast.rows.tolist() == careful.rows.tolist()
    for name in ("code", "period"):
        assert fast.columns[name].tolist() == careful.columns[name].tolist()
    np.testing.assert_array_equal(fast.floats("x"), careful.floats("x"))


@pytest.mark.parametrize(
    "data",
    [b"code,x\n", b"code,x", b"code,x\n\nA,1\n", b"code,x\nA,1\n\nB,2\n", b"code,x\nA,1,2\n"],
)
def test_files_the_fast_reader_leaves_to_the_careful_one(
    values_file: Callable[[bytes], Path], data: bytes
) -> None:
    assert _polars_numeric_file(values_file(data), {"x"}) is None


def test_long_columns_of_few_cells_read_as_the_careful_reader(
    values_file: Callable[[bytes], Path],
) -> None:
    """A long period column (one distinct cell) and a padded label column are converted
    through their distinct cells, to the careful reader's cells."""
    labels = ["a", " b ", "", "ग"]
    lines = ["code,period,label,x"]
    lines += [f"M{i},2021-01,{labels[i % 4]},{i % 7}.5" for i in range(6000)]
    path = values_file(("\n".join(lines) + "\n").encode("utf-8"))
    fast = _polars_numeric_file(path, {"x"})
    assert fast is not None
    careful = _careful(path)
    for name in ("code", "period", "label"):
        assert fast.columns[name].tolist() == careful.columns[name].tolist(), name
        assert fast.columns[name].dtype == careful.columns[name].dtype, name
    assert fast.columns["label"][:4].tolist() == ["a", "b", "", "ग"]
    np.testing.assert_array_equal(fast.floats("x"), careful.floats("x"))
