"""Values files read straight from their bytes by polars (numbers parsed as float64 by polars
itself, text columns cut without a Python string per cell; the ``fastcsv`` extra): the very
table and values of the careful reader, or the file left to it, so its message is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.exceptions import EgovScoreError
from egov_score.io import table as table_module
from egov_score.io.table import Table, _polars_numeric_file
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.values import Values

pytest.importorskip("polars")

SMALL = datasets.path("small")
CODES = [f"M-{i:04d}" for i in range(1, 11)]

#: Numeric cells: numbers in every spelling, and what the cell grammar refuses or reads its
#: own way (``nan``, ``inf``, ``1_000``, spaces, a tab, a non-ASCII digit).
NUMBER = st.one_of(
    st.sampled_from(["", " ", "1", "0", "1.5", "-2", "+3", ".5", "5.", "1e3", "1E-2", "00012"]),
    st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e400", "1e-400", "1_000", " 7", "7 "]),
    st.sampled_from(["\t1", "1\t", "x", "1.2.3", "--1", "١", "5e-324", "0x10", "1e", "."]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(alphabet=st.sampled_from("0123456789+-.eE _naifINF\t"), max_size=5),
)
#: Text cells (codes and periods), padded or not.
CODE = st.one_of(st.sampled_from(CODES), st.sampled_from([" M-0001", "M-0002 ", "\x1cM-0003", ""]))
PERIOD = st.sampled_from(["2021-01", " 2021-01", "2021-01 ", "Jan 2021", "", "2021-13"])


@st.composite
def values_files(draw: st.DrawFn) -> bytes:
    """A values CSV of the small data set's fields, as a user might hand it over."""
    fields = draw(
        st.lists(st.sampled_from(["transactions", "installed", "hours_displayed"]), min_size=1)
    )
    fields = list(dict.fromkeys(fields))
    header = ["code", "period", *fields]
    if draw(st.booleans()):
        header = [f" {h}" if i == 0 else h for i, h in enumerate(header)]
    rows = draw(st.integers(1, 6))
    lines = [",".join(header)]
    for _ in range(rows):
        cells = [draw(CODE), draw(PERIOD), *(draw(NUMBER) for _ in fields)]
        lines.append(",".join(cells))
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + "\n".join(lines) + "\n" * draw(st.integers(0, 2))).encode("utf-8")


def _table(table: Table, numeric: list[str]) -> tuple[Any, ...]:
    """What a reader gives: header, rows, text cells and numbers (or the first message)."""
    texts = {h: table.columns[h].tolist() for h in table.header if h not in numeric}
    numbers = {}
    for h in numeric:
        if h in table.header:
            try:
                numbers[h] = table.floats(h).tolist()
            except EgovScoreError as exc:
                return ("error", str(exc))
    return table.header, table.rows.tolist(), texts, repr(numbers)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values_files())
def test_polars_reads_the_careful_readers_table_or_leaves_it(data: bytes) -> None:
    path = _write(data)
    numeric = ["transactions", "installed", "hours_displayed"]
    table_module.POLARS_MIN_BYTES, saved = 0, table_module.POLARS_MIN_BYTES
    try:
        fast = _polars_numeric_file(path, numeric)
    finally:
        table_module.POLARS_MIN_BYTES = saved
    if fast is None:
        return
    careful = _table(Table.from_text(data.decode("utf-8-sig"), source=str(path)), numeric)
    assert careful[0] != "error", careful  # a file with a bad cell is never taken
    assert _table(fast, numeric) == careful


def _write(data: bytes) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="values-bytes-"))
    path = folder / "values.csv"
    path.write_bytes(data)
    return path


def _values(read: Any) -> Any:
    try:
        v = read()
    except EgovScoreError as exc:
        return type(exc).__name__, str(exc)
    columns = {k: np.where(np.isnan(c), -1.5e300, c).tolist() for k, c in v.columns.items()}
    return v.periods.tolist(), v.depth.tolist(), v.index.tolist(), columns


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values_files())
def test_values_are_the_careful_readers_or_its_message(data: bytes) -> None:
    """``Values.from_csv`` with the bytes reader gives the values of the careful reader, or
    the same message."""
    framework = Framework.from_toml(SMALL / "framework.toml")
    hierarchy = Hierarchy.from_csv(SMALL / "units.csv", framework.levels)
    path = _write(data)
    saved = table_module.POLARS_MIN_BYTES
    table_module.POLARS_MIN_BYTES = 0
    try:
        fast = _values(lambda: Values.from_csv(path, hierarchy, framework))
    finally:
        table_module.POLARS_MIN_BYTES = saved
    careful = _values(lambda: Values.from_table(Table.from_csv(path), hierarchy, framework))
    assert fast == careful


def test_a_plain_values_file_is_read_from_its_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The small data set's values file takes the bytes reader: codes and periods as numpy
    text, numbers as float64, the careful reader's table."""
    monkeypatch.setattr(table_module, "POLARS_MIN_BYTES", 0)
    path = tmp_path / "values.csv"
    path.write_bytes("\ufeff".encode() + (SMALL / "values.csv").read_bytes())
    framework = Framework.from_toml(SMALL / "framework.toml")
    fast = _polars_numeric_file(path, framework.fields)
    assert fast is not None
    assert fast.columns["code"].dtype.kind == "U"
    careful = Table.from_csv(path)
    assert _table(fast, list(framework.fields)) == _table(careful, list(framework.fields))


@pytest.mark.parametrize(
    "body",
    [
        "M-0001,2021-01,nan\n",  # polars reads nan: the grammar does not
        "M-0001,2021-01,inf\n",
        "M-0001,2021-01,1e400\n",
        "M-0001,2021-01,1_000\n",  # Python's float reads it; polars does not
        'M-0001,"2021-01",1\n',  # a quote
        "M-0001,2021-01,1\r\n",  # a carriage return
        "M-0001,2021-01,1\n\nM-0002,2021-01,2\n",  # a blank line
        "M-0001,2021-01\n",  # a ragged row
    ],
)
def test_files_left_to_the_careful_reader(
    body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_module, "POLARS_MIN_BYTES", 0)
    path = tmp_path / "values.csv"
    path.write_text("code,period,transactions\n" + body, encoding="utf-8")
    assert _polars_numeric_file(path, ["transactions"]) is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-le"])
def test_wider_encodings_are_left_to_the_careful_reader(
    encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A UTF-16 or UTF-32 file (with or without its byte-order mark) holds NUL bytes: the
    bytes reader leaves it to the reader that decodes it, or names its encoding."""
    monkeypatch.setattr(table_module, "POLARS_MIN_BYTES", 0)
    path = tmp_path / "values.csv"
    path.write_text("code,period,transactions\nM-0001,2021-01,3\n", encoding=encoding)
    assert _polars_numeric_file(path, ["transactions"]) is None
