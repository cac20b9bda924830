"""CSV files meant for Excel start with a UTF-8 byte-order mark; ``--no-bom``/``bom=False``
leaves it out; the package's readers read either."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.cli import main
from egov_score.io.table import BOM, Table, csv_text, with_bom, write_csv
from egov_score.pipeline import load
from tests.test_output_folders import SCORE  # score --quiet of the small data, 2021-01

SMALL = datasets.path("small")


def _has_bom(path: Path) -> bool:
    return path.read_bytes().startswith(codecs.BOM_UTF8)


def test_write_csv_starts_with_a_bom_unless_asked_not_to(tmp_path: Path) -> None:
    columns = {"code": ["=1+1", "D-1"], "name": ["अलवर", "-2.5"]}
    write_csv(tmp_path / "a.csv", columns)
    write_csv(tmp_path / "b.csv", columns, bom=False)
    a, b = (tmp_path / "a.csv").read_bytes(), (tmp_path / "b.csv").read_bytes()
    assert a == codecs.BOM_UTF8 + b
    assert b.decode("utf-8") == csv_text(columns)
    rows = list(csv.reader(io.StringIO(a.decode("utf-8-sig"))))
    assert rows == [["code", "name"], ["'=1+1", "अलवर"], ["D-1", "-2.5"]]  # still neutralised


def test_a_formula_header_after_the_bom_is_still_neutralised(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", {"=cmd": [1.5]})
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == BOM + "'=cmd\n1.5\n"


def test_with_bom_adds_one_mark_or_none() -> None:
    assert with_bom("a,b\n") == BOM + "a,b\n"
    assert with_bom(with_bom("a,b\n")) == BOM + "a,b\n"
    assert with_bom(BOM + "a,b\n", bom=False) == "a,b\n"


_CELLS = st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\0\r")), max_size=6)


@given(_CELLS)
def test_a_bom_file_reads_back_as_the_same_table(cells: list[str]) -> None:
    columns = {"code": cells, "name": cells}
    with tempfile.TemporaryDirectory() as folder:
        write_csv(Path(folder, "plain.csv"), columns, bom=False)
        write_csv(Path(folder, "marked.csv"), columns)
        plain = Table.from_csv(Path(folder, "plain.csv"))
        marked = Table.from_csv(Path(folder, "marked.csv"))
    assert marked.header == plain.header == ("code", "name")
    for name in plain.header:
        assert marked.columns[name].tolist() == plain.columns[name].tolist()


def test_inputs_written_with_a_bom_score_the_same(tmp_path: Path) -> None:
    for name in ("units.csv", "values.csv"):
        table = Table.from_csv(SMALL / name)
        write_csv(tmp_path / name, {h: table.columns[h] for h in table.header})
        assert _has_bom(tmp_path / name)
    fw = SMALL / "framework.toml"
    before = load(units=SMALL / "units.csv", values=SMALL / "values.csv", framework=fw)
    after = load(units=tmp_path / "units.csv", values=tmp_path / "values.csv", framework=fw)
    a, b = before.score("2021-01"), after.score("2021-01")
    for la, lb in zip(a.levels, b.levels, strict=True):
        assert la.codes.tolist() == lb.codes.tolist()
        np.testing.assert_array_equal(la.score, lb.score)


def test_score_writes_bom_csvs_and_no_bom_on_request(tmp_path: Path) -> None:
    assert main([*SCORE, "--out", str(tmp_path / "a")]) == 0
    assert main([*SCORE, "--out", str(tmp_path / "b"), "--no-bom"]) == 0
    for name in ("division.csv", "district.csv", "block.csv", "machine.csv"):
        assert _has_bom(tmp_path / "a" / name)
        assert not _has_bom(tmp_path / "b" / name)
        with_mark = (tmp_path / "a" / name).read_bytes()
        assert with_mark[3:] == (tmp_path / "b" / name).read_bytes()


def test_report_csv_to_a_file_has_a_bom_and_to_standard_output_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", *SCORE[1:7], "--unit", "D-087", "--format", "csv", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "card.csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "plain.csv"), "--no-bom"]) == 0
    assert main([*args, "--format", "html", "--out", str(tmp_path / "card.html")]) == 0
    capsys.readouterr()
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert not shown.startswith(BOM)
    assert _has_bom(tmp_path / "card.csv")
    assert not _has_bom(tmp_path / "plain.csv")
    assert not _has_bom(tmp_path / "card.html")
    assert (tmp_path / "plain.csv").read_text(encoding="utf-8") == shown


@pytest.fixture(scope="module")
def jaipur() -> eg.Pipeline:
    return datasets.load("jaipur")


@pytest.mark.parametrize("bom", [True, False])
def test_the_review_csvs_carry_a_bom_unless_turned_off(
    jaipur: eg.Pipeline, tmp_path: Path, bom: bool
) -> None:
    run = eg.run_review(job=jaipur, formats=("csv", "md"), out=tmp_path, bom=bom)
    csvs = [p for p in run.written if p.suffix == ".csv"]
    assert tmp_path / "awards.csv" in csvs
    assert tmp_path / "district" / "alwar-87.csv" in csvs
    assert any("actions" in p.parts for p in csvs)
    assert {_has_bom(p) for p in csvs} == {bom}
    assert not any(_has_bom(p) for p in run.written if p.suffix != ".csv")
