"""Score tables as a workbook: ``Result.write_xlsx`` and ``egov-score score --formats``."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import openpyxl
import pytest

from egov_score import datasets
from egov_score.cli import main
from egov_score.io.table import Table

SMALL = datasets.path("small")


def _score(out: Path, *extra: str, units: Path | None = None) -> int:
    return main(
        [
            "score",
            "--units",
            str(units or SMALL / "units.csv"),
            "--values",
            str(SMALL / "values.csv"),
            "--framework",
            str(SMALL / "framework.toml"),
            "--period",
            "2021-01",
            "--out",
            str(out),
            "--quiet",
            *extra,
        ]
    )


def _sheet(path: Path, name: str) -> tuple[list[str], list[list[object]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    book.close()
    return [str(h) for h in rows[0]], rows[1:]


def test_workbook_reads_back_as_the_csvs(tmp_path: Path) -> None:
    assert _score(tmp_path, "--formats", "csv,xlsx") == 0
    book = tmp_path / "scores.xlsx"
    assert openpyxl.load_workbook(book, read_only=True).sheetnames == [
        "division",
        "district",
        "block",
        "machine",
        "notes",
    ]
    for level in ("division", "district", "block", "machine"):
        csv = Table.from_csv(tmp_path / f"{level}.csv")
        header, rows = _sheet(book, level)
        assert tuple(header) == csv.header  # the same columns in the same order
        for j, name in enumerate(header):
            cells = [r[j] for r in rows]
            text = csv.columns[name]
            if name in ("code", "name", "parent", "band"):
                assert [c or "" for c in cells] == text.tolist()
                continue
            back = np.array([np.nan if c is None else c for c in cells], dtype=float)
            np.testing.assert_allclose(back, csv.floats(name), rtol=1e-15, atol=0)
            if name.startswith("rank"):
                assert all(c is None or isinstance(c, int) for c in cells)
                assert [str(c) if c is not None else "" for c in cells] == text.tolist()


def test_formats_ranks_and_notes(tmp_path: Path) -> None:
    result = datasets.load("small").score("2021-01")
    machine = result.level("machine")
    rank = machine.rank.copy()
    rank[1] = 0  # as for a machine with insufficient data
    levels = (*result.levels[:-1], attrs.evolve(machine, rank=rank))
    result = attrs.evolve(result, levels=levels)
    path = result.write_xlsx(tmp_path / "sub" / "scores.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["machine"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    score = ws.cell(row=2, column=header.index("score") + 1)
    assert score.number_format == "0.0"
    assert ws.cell(row=2, column=header.index("coverage") + 1).number_format == "0.00"
    first = ws.cell(row=2, column=header.index("rank") + 1)
    assert first.number_format == "General"
    assert first.value == int(rank[0])
    assert isinstance(first.value, int)
    assert ws.cell(row=3, column=header.index("rank") + 1).value is None
    notes = {r[0].value: r[1].value for r in book["notes"].iter_rows(min_row=2)}
    assert notes["framework"] == result.framework.name
    assert notes["framework_digest"] == result.provenance.framework_digest
    assert notes["period"] == "2021-01"
    assert notes["normalisation"] == "period"
    assert notes["rejected_cells"] == "0"
    kinds = [k for k in notes if str(k).startswith("diagnostic: ")]
    assert len(kinds) == len({f"diagnostic: {d.kind}" for d in result.diagnostics})


def test_xlsx_only_writes_no_csv(tmp_path: Path) -> None:
    assert _score(tmp_path, "--formats", "xlsx") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".egov-score.json",
        "scores.xlsx",
    ]  # and the manifest


def test_default_is_csv_only(tmp_path: Path) -> None:
    assert _score(tmp_path) == 0
    assert "scores.xlsx" not in {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize("formats", ["pdf", "csv,,xlsx", "", "csv,json"])
def test_unknown_formats_are_a_usage_error(
    tmp_path: Path, formats: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _score(tmp_path, "--formats", formats) == 2
    err = capsys.readouterr().err
    assert "argument --formats: must be a comma-separated list of csv, xlsx" in err
    assert f"got {formats!r}" in err


def test_a_formula_in_a_unit_name_stays_text(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    text = (SMALL / "units.csv").read_text(encoding="utf-8")
    evil = '"=HYPERLINK(""http://evil.example"",""Bansur"")"'
    units.write_text(text.replace(",Bansur,", f",{evil},"), encoding="utf-8")
    assert _score(tmp_path / "out", "--formats", "xlsx", units=units) == 0
    ws = openpyxl.load_workbook(tmp_path / "out" / "scores.xlsx")["block"]
    cells = [c for c in ws["B"] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(cells) == 1
    assert cells[0].value == '=HYPERLINK("http://evil.example","Bansur")'
    assert cells[0].data_type == "s"
    assert cells[0].hyperlink is None


def test_a_level_called_notes_keeps_its_sheet(tmp_path: Path) -> None:
    result = datasets.load("small").score("2021-01")
    level = result.levels[0]
    renamed = attrs.evolve(result, levels=(attrs.evolve(level, level="Notes"), *result.levels[1:]))
    path = renamed.write_xlsx(tmp_path / "s.xlsx")
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[0] == "Notes"
    assert names[-1].startswith("notes")
    assert names[-1] != "notes"


def test_the_workbook_needs_no_extra(tmp_path: Path, hide_module) -> None:
    # egov_score writes the package itself (issue 11): without XlsxWriter the run succeeds
    # (this test asserted the 'excel' extra's message before).
    hide_module("xlsxwriter")
    assert _score(tmp_path / "out", "--formats", "csv,xlsx") == 0
    assert (tmp_path / "out" / "scores.xlsx").exists()
    assert (tmp_path / "out" / "machine.csv").exists()


def test_cli_help_names_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    assert "--formats" in capsys.readouterr().out
