"""``review --formats …,xlsx``: the month's score tables and the action lists as Excel.

The workbooks sit once in the output folder (the same in every language): ``scores.xlsx``, equal
to what ``egov-score score --formats xlsx`` writes for the month, and ``actions/<list>.xlsx``,
every machine needing action in the CSV lists' rows, columns and severity order.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

import egov_score as eg
from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.render.actions import workbook_paths, write_action_workbooks

openpyxl = pytest.importorskip("openpyxl")

EVIL = '=HYPERLINK("x")'
BOOK = "actions/emitra.machines.xlsx"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported demo data, with a block and a machine named as a formula."""
    folder = tmp_path_factory.mktemp("export")
    assert main(["demo", "--export", str(folder), "--quiet"]) == 0
    units = folder / "units.csv"
    text = units.read_text(encoding="utf-8")
    quoted = '"=HYPERLINK(""x"")"'
    for old in (",Bansur,D-87,", ",GP Bansur 42,B-574,"):
        assert text.count(old) == 1
        text = text.replace(old, old.replace(old.split(",")[1], quoted))
    units.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def run(data: Path, tmp_path_factory: pytest.TempPathFactory) -> eg.ReviewRun:
    out = tmp_path_factory.mktemp("review") / "out"
    return eg.run_review(data, lang="both", formats=("csv", "html", "xlsx"), out=out)


def _rows(path: Path, sheet: str | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [str(h) for h in rows[0]], rows[1:]


def test_the_workbooks_are_written_once_at_the_top(run: eg.ReviewRun) -> None:
    assert (run.out / "scores.xlsx").is_file()
    assert (run.out / BOOK).is_file()
    assert run.out / "scores.xlsx" in run.written
    for lang in ("en", "hi"):
        assert not list(run.folder(lang).rglob("*.xlsx"))  # cards are not written as Excel
        assert list((run.folder(lang) / "actions").rglob("*.csv"))  # the per-unit CSVs stay


def test_the_action_workbook_has_the_csv_lists_rows_and_reasons(run: eg.ReviewRun) -> None:
    header, rows = _rows(run.out / BOOK)
    csvs = sorted((run.folder("en") / "actions" / "emitra.machines" / "block").glob("*.csv"))
    listed: dict[str, list[str]] = {}
    for path in csvs:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            assert next(reader) == header
            listed.update({row[0]: row for row in reader})
    assert len(rows) == len(listed) > 0
    assert {r[0] for r in rows} == set(listed)
    for row in rows:
        text = ["" if v is None else str(v) for v in row]
        if EVIL in text:  # the CSV writer neutralises a formula with a leading quote
            text = ["'" + v if v == EVIL else v for v in text]
        assert text == listed[row[0]]


def test_reasons_are_numbers_in_severity_order(run: eg.ReviewRun) -> None:
    header, rows = _rows(run.out / BOOK)
    first = header.index("reasons")
    for row in rows:
        assert all(type(v) is int for v in row[first:])
        assert row[first] == sum(row[first + 1 :]) >= 1
        assert set(row[first + 1 :]) <= {0, 1}
    order = [(-r[first], r[0]) for r in rows]
    assert order == sorted(order)
    ws = openpyxl.load_workbook(run.out / BOOK).worksheets[0]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows) + 1}"


def test_a_formula_as_a_unit_name_is_a_string_cell(run: eg.ReviewRun) -> None:
    ws = openpyxl.load_workbook(run.out / BOOK).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value == EVIL]
    columns = {ws.cell(1, c.column).value for c in cells}
    assert {"name", "block"} <= columns
    assert all(c.data_type == "s" and c.hyperlink is None for c in cells)


def test_scores_workbook_equals_the_score_commands(
    run: eg.ReviewRun, data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "score"
    args = ["score", "--units", str(data / "units.csv"), "--scheme-data", str(data)]
    args += ["--framework", str(data / "framework.toml"), "--period", run.review.period]
    assert main([*args, "--formats", "xlsx", "--out", str(out), "--quiet"]) == 0
    ours = openpyxl.load_workbook(run.out / "scores.xlsx")
    theirs = openpyxl.load_workbook(out / "scores.xlsx")
    assert ours.sheetnames == theirs.sheetnames
    for name in ours.sheetnames:
        mine = list(ours[name].iter_rows(values_only=True))
        assert mine == list(theirs[name].iter_rows(values_only=True)), name
        assert len(mine) > 1


def test_the_index_links_the_workbooks(run: eg.ReviewRun) -> None:
    html = (run.out / "index.html").read_text(encoding="utf-8")
    md = (run.out / "index.md").read_text(encoding="utf-8")
    for book in ("scores.xlsx", BOOK):
        assert f'href="{book}"' in html
        assert f"(<{book}>)" in md
    assert "Excel workbooks" in html


def test_without_xlsx_no_workbook_is_written(data: Path, tmp_path: Path) -> None:
    run = eg.run_review(data, formats=("csv",), out=tmp_path / "out")
    assert not list(run.out.rglob("*.xlsx"))
    assert "Excel" not in (run.out / "index.html").read_text(encoding="utf-8")


def test_xlsx_alone_is_refused(data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"a card format .*beside xlsx.*got \['xlsx'\]"):
        eg.run_review(data, formats=("xlsx",), out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_workbooks_need_no_extra(data: Path, tmp_path: Path, hide_module: Any) -> None:
    # egov_score writes the package itself (issue 11): without XlsxWriter the review still
    # writes its workbooks (this test asserted the 'excel' extra's message before).
    hide_module("xlsxwriter")
    run = eg.run_review(data, formats=("html", "xlsx"), out=tmp_path / "out")
    assert (run.out / "scores.xlsx").exists()


@pytest.mark.parametrize("command", ["review", "demo"])
def test_the_command_needs_no_extra(
    command: str, data: Path, tmp_path: Path, hide_module: Any
) -> None:
    # As above, from the command line (this test asserted exit 2 and the extra's message).
    hide_module("xlsxwriter")
    args = ["--data", str(data)] if command == "review" else []
    out = tmp_path / "out"
    assert main([command, *args, "--formats", "csv,xlsx", "--out", str(out), "--quiet"]) == 0
    assert (out / "scores.xlsx").exists()


def test_help_names_xlsx(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["review", "--help"])
    assert "xlsx" in capsys.readouterr().out


def test_the_formats_are_checked_before_the_data_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder"
    assert main(["review", "--data", str(missing), "--formats", "xlsx", "--out", "o"]) == 2
    err = capsys.readouterr().err
    assert "beside xlsx" in err
    assert "not a folder" not in err


def test_a_hostile_list_key_cannot_name_a_workbook_outside(
    run: eg.ReviewRun, tmp_path: Path
) -> None:
    (table,) = run.review.actions
    hostile = attrs.evolve(table, reasons=attrs.evolve(table.reasons, key="../../evil"))
    review = SimpleNamespace(actions=(hostile,))
    (name,) = workbook_paths(review)  # type: ignore[arg-type]
    assert name.startswith("actions/")
    assert name.endswith(".xlsx")
    assert ".." not in name.split("/")
    assert name.count("/") == 1
    out = tmp_path / "out"
    (path,) = write_action_workbooks(review, out)  # type: ignore[arg-type]
    assert path.resolve().is_relative_to(out.resolve())
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
