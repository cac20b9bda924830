"""Excel input on every command: an all-Excel copy of the data (numbers as number cells,
months as date cells, as a spreadsheet saves them) gives what the CSV files give."""

from __future__ import annotations

import csv
import datetime
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from egov_score import datasets
from egov_score.cli import main

SMALL = datasets.path("small")
JAIPUR = datasets.path("jaipur")
_MONTH = re.compile(r"\d{4}-\d{2}")
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")


def _cell(text: str) -> object:
    """A CSV cell as a spreadsheet would hold it after typing it in."""
    if text == "":
        return None
    if _MONTH.fullmatch(text):
        return datetime.datetime(int(text[:4]), int(text[5:]), 1)
    if _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def _to_workbook(rows: list[list[str]], path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(rows[0])
    for row in rows[1:]:
        ws.append([_cell(c) for c in row])
    book.save(path)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _copies(src: Path, tmp: Path, month: str | None = None) -> tuple[Path, Path]:
    """(a CSV copy, an all-Excel copy) of a data folder, cut to ``month`` if given."""
    as_csv, as_xlsx = tmp / "csv", tmp / "xlsx"
    as_csv.mkdir()
    as_xlsx.mkdir()
    for path in src.iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, as_csv / path.name)
            shutil.copy(path, as_xlsx / path.name)
            continue
        rows = _rows(path)
        if month is not None and "period" in rows[0]:
            at = rows[0].index("period")
            rows = [rows[0], *(r for r in rows[1:] if r[at] == month)]
        with (as_csv / path.name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
        _to_workbook(rows, as_xlsx / f"{path.stem}.xlsx")
    return as_csv, as_xlsx


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(list(args))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return captured.out


def _small_inputs(folder: Path, ext: str) -> list[str]:
    return [
        "--units",
        str(folder / f"units{ext}"),
        "--values",
        str(folder / f"values{ext}"),
        "--framework",
        str(folder / "framework.toml"),
    ]


def _same_scores(tmp_path: Path) -> None:
    """The score tables of the Excel run (``out.xlsx``) equal the CSV run's (``out.csv``)."""
    for level in ("division", "district", "block", "machine"):
        from_csv = (tmp_path / "out.csv" / f"{level}.csv").read_bytes()
        assert (tmp_path / "out.xlsx" / f"{level}.csv").read_bytes() == from_csv


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    return _copies(SMALL, tmp_path)


def test_score_reads_excel_units_and_values(
    small: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_csv, as_xlsx = small
    for folder, ext in ((as_csv, ".csv"), (as_xlsx, ".xlsx")):
        out = str(tmp_path / f"out{ext}")
        _run(capsys, "score", *_small_inputs(folder, ext), "--period", "Jan-2021", "--out", out)
    _same_scores(tmp_path)


def test_report_reads_excel(small: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    as_csv, as_xlsx = small
    cards = [
        _run(capsys, "report", *_small_inputs(folder, ext), "--unit", "D-087", "--format", "md")
        for folder, ext in ((as_csv, ".csv"), (as_xlsx, ".xlsx"))
    ]
    assert "Alwar" in cards[0]
    assert cards[1] == cards[0]


def test_awards_read_excel(small: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    as_csv, as_xlsx = small
    lists = [
        _run(
            capsys,
            "awards",
            *_small_inputs(folder, ext),
            "--window",
            "2020-12:2021-01",
            "--min-months",
            "1",
            "--format",
            "csv",
        )
        for folder, ext in ((as_csv, ".csv"), (as_xlsx, ".xlsx"))
    ]
    assert "D-087" in lists[0] or "D-097" in lists[0]
    assert lists[1] == lists[0]


def test_scheme_data_with_excel_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The case the issue reports: ``--units units.xlsx`` with ``--scheme-data``, every
    scheme table an Excel workbook too."""
    as_csv, as_xlsx = _copies(JAIPUR, tmp_path, month="2021-01")
    for folder, ext in ((as_csv, ".csv"), (as_xlsx, ".xlsx")):
        units, out = str(folder / f"units{ext}"), str(tmp_path / f"out{ext}")
        _run(capsys, "score", "--units", units, "--scheme-data", str(folder), "--out", out)
    _same_scores(tmp_path)
