"""Never crashes: generated CSV bytes and XLSX workbooks, fed to every table loader (units,
values, a scheme's raw table through the pipeline), give a result or an ``EgovScoreError``,
never another exception."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.exceptions import EgovScoreError
from egov_score.io.table import Table
from egov_score.pipeline import levels_of

openpyxl = pytest.importorskip("openpyxl")
ILLEGAL_CHARACTERS_RE = pytest.importorskip("openpyxl.cell.cell").ILLEGAL_CHARACTERS_RE

SMALL = datasets.path("small")
JAIPUR = datasets.path("jaipur")
FRAMEWORK = eg.Framework.from_toml(SMALL / "framework.toml")

#: The real header of each target, so generated files get past the first checks.
HEADERS = {
    "units": (SMALL / "units.csv").read_text(encoding="utf-8").splitlines()[0].split(","),
    "values": (SMALL / "values.csv").read_text(encoding="utf-8").splitlines()[0].split(","),
    "pension": (JAIPUR / "pension.csv").read_text(encoding="utf-8").splitlines()[0].split(","),
}
CODES = ["M-0001", "M-0002", "M-9999", "DIV-JAIPUR", "D-087", "B-0574", "B-574"]

#: Cells a clerk writes: codes, periods, numbers, blanks.
plain_cell = st.one_of(
    st.sampled_from(
        [*CODES, "", " ", "2020-12", "2021-01", "Jan-2021", "district", "block", "machine"]
    ),
    st.sampled_from(["0", "1", "-1", "5", "1e400", "inf", "nan", "1e308", "1_000", "0.5"]),
)
#: Cells an attacker or a broken export writes.
odd_cell = st.one_of(
    st.sampled_from(['"', '""', 'a"b', "x\ny", "\r", "\x00", "=cmd|' /C calc'!A0", "\ufeff"]),
    st.text(max_size=12),
    st.integers(0, 3).map(lambda k: "x" * (131_072 + k)),
)
text_cell = st.one_of(plain_cell, odd_cell)


@st.composite
def csv_bytes(draw: st.DrawFn, target: str) -> bytes:
    """A CSV file for ``target``: its header (perhaps altered) and rows of cells — odd ones
    in one file of three — in one of the encodings a clerk's machine writes; or any bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    header = list(HEADERS[target])
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(["", "nam", "x"]))
    width = len(header)
    cell = text_cell if draw(st.integers(0, 2)) == 0 else plain_cell
    sizes = (width, width) if draw(st.integers(0, 2)) else (width - 1, width + 1)
    rows = draw(
        st.lists(st.lists(cell, min_size=sizes[0], max_size=sizes[1]), min_size=0, max_size=6)
    )
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = sep.join(",".join(r) for r in [header, *rows]) + draw(st.sampled_from([sep, ""]))
    codecs = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]
    codec = draw(st.sampled_from(codecs)) if draw(st.integers(0, 2)) == 0 else "utf-8"
    return text.encode(codec, errors="replace")


odd_value = st.one_of(
    text_cell,
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(datetime.datetime(1900, 3, 1), datetime.datetime(2100, 1, 1)),
    st.dates(datetime.date(1900, 3, 1), datetime.date(2100, 1, 1)),
    st.times(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=10**9, min_value=-1),
)
formula = st.sampled_from(["=1+1", "=A1", "=SUM(B2:B3)", "=1/0", '=""', "#DIV/0!", "=NOW()"])


@st.composite
def workbooks(draw: st.DrawFn, target: str) -> Callable[[Path], None]:
    """A writer of an openpyxl workbook for ``target``: its header and rows of odd values
    (formulas without stored values, dates, times, huge strings, decimals, booleans)."""
    header: list[object] = list(HEADERS[target])
    if draw(st.booleans()):
        header[draw(st.integers(0, len(header) - 1))] = draw(odd_value)
    value = st.one_of(odd_value, formula) if draw(st.integers(0, 3)) == 0 else odd_value
    if draw(st.booleans()):
        value = plain_cell  # a clerk's sheet, typed as text
    rows = draw(st.lists(st.lists(value, max_size=len(header) + 1), max_size=5))
    empty_first = draw(st.integers(0, 9)) == 0

    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        if empty_first:
            book.create_sheet("second").append([_writable(v) for v in header])
        else:
            sheet.append([_writable(v) for v in header])
        for row in rows:
            sheet.append([_writable(v) for v in row])
        book.save(path)

    return write


def _writable(value: object) -> object:
    """What openpyxl can store: text without the control characters XML forbids."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("?", value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def load_units(path: Path) -> object:
    return eg.Hierarchy.from_csv(path, FRAMEWORK.levels), levels_of(path)


def load_values(path: Path) -> object:
    # Built here, not kept in a global: a module-level hierarchy would be reachable from
    # every result (test_pickle checks that results reach none).
    hierarchy = eg.Hierarchy.from_csv(SMALL / "units.csv", FRAMEWORK.levels)
    return eg.Values.from_csv(path, hierarchy, FRAMEWORK)


def load_scheme_table(path: Path) -> object:
    """The pension table through the pipeline: read, checked and scored."""
    folder = path.parent / "data"
    folder.mkdir()
    path.rename(folder / f"pension{path.suffix}")
    return eg.load(folder, units=JAIPUR / "units.csv").score("2021-01")


LOADERS = {"units": load_units, "values": load_values, "pension": load_scheme_table}


def result_or_clear_error(load: Callable[[Path], object], path: Path) -> None:
    """The table and then the loader give a result or an ``EgovScoreError``."""
    for step in (Table.read, load):
        with contextlib.suppress(EgovScoreError):
            step(path)


SETTINGS = settings(
    max_examples=int(os.environ.get("NEVER_CRASHES_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("target", sorted(LOADERS))
@SETTINGS
@given(data=st.data())
def test_files_give_a_result_or_a_clear_error(target, kind, data):
    """CSV bytes or a workbook for ``target``: a result or an ``EgovScoreError``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t.{kind}"
        if kind == "csv":
            path.write_bytes(data.draw(csv_bytes(target)))
        else:
            data.draw(workbooks(target))(path)
        result_or_clear_error(LOADERS[target], path)
