"""The command line: files in, one CSV per level out, clear errors without tracebacks."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.cli import main
from egov_score.io.table import Table, neutralise, parse_floats, write_csv

SMALL = datasets.path("small")
ARGS = [
    "score",
    "--units",
    str(SMALL / "units.csv"),
    "--framework",
    str(SMALL / "framework.toml"),
    "--values",
    str(SMALL / "values.csv"),
    "--period",
    "2021-01",
]


def read(path):
    with open(path, encoding="utf-8-sig") as fh:  # the CSV files start with a BOM for Excel
        return list(csv.DictReader(fh))


def test_score_writes_one_csv_per_level(tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".egov-score.json",  # the manifest of every output folder (docs/output.md)
        "block.csv",
        "district.csv",
        "division.csv",
        "machine.csv",
    ]
    with open(tmp_path / "district.csv", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert header[:8] == [
        "code",
        "name",
        "parent",
        "score",
        "rank",
        "rank_in_parent",
        "band",
        "coverage",
    ]
    assert header[8:11] == ["machines", "use", "index"]
    assert "inspection_rate" in header
    assert "inspection_rate_norm" in header
    rows = read(tmp_path / "district.csv")
    assert [r["code"] for r in rows] == ["D-087", "D-097"]
    assert rows[0]["rank"] == "1"
    assert rows[0]["band"] == "Front Runner"
    assert "Alwar" in capsys.readouterr().out


def test_written_floats_read_back_identically(tmp_path):
    main([*ARGS, "--out", str(tmp_path), "--quiet"])
    fw = eg.Framework.from_toml(SMALL / "framework.toml")
    h = eg.Hierarchy.from_csv(SMALL / "units.csv", fw.levels)
    r = eg.score(h, fw, eg.Values.from_csv(SMALL / "values.csv", h, fw), "2021-01")
    table = Table.from_csv(tmp_path / "machine.csv")
    np.testing.assert_array_equal(parse_floats(table, "score"), r.level("machine").score)
    np.testing.assert_array_equal(
        parse_floats(table, "transactions_per_machine"),
        r.level("machine").indicators["transactions_per_machine"],
    )


def test_round_trip_of_awkward_floats(tmp_path):
    x = np.array([0.1 + 0.2, 1 / 3, 1e-300, -2.5e17, np.nan, 87.51000000000001])
    write_csv(tmp_path / "x.csv", {"x": x})
    back = parse_floats(Table.from_csv(tmp_path / "x.csv"), "x")
    np.testing.assert_array_equal(back, x)


def test_formula_injection_neutralised(tmp_path):
    cells = np.array(["=HYPERLINK(1)", "+1", "-cmd", "@SUM(A1)", "Alwar"])
    assert neutralise(cells).tolist() == ["'=HYPERLINK(1)", "'+1", "'-cmd", "'@SUM(A1)", "Alwar"]
    write_csv(tmp_path / "n.csv", {"name": cells, "score": np.array([-1.5, 2, 3, 4, 5.0])})
    rows = read(tmp_path / "n.csv")
    assert rows[0]["name"] == "'=HYPERLINK(1)"
    assert rows[0]["score"] == "-1.5"  # numbers are never neutralised


def test_bad_input_exits_2_with_message_and_no_traceback(tmp_path):
    bad = tmp_path / "v.csv"
    bad.write_text("code,period,instaled\nM-0001,2021-01,1\n", encoding="utf-8")
    args = [a if a != str(SMALL / "values.csv") else str(bad) for a in ARGS]
    proc = subprocess.run(
        [sys.executable, "-m", "egov_score.cli", *args, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "unknown column(s) ['instaled']" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_missing_period_is_a_clear_error(tmp_path, capsys):
    args = [a for a in ARGS if a not in ("--period", "2021-01")]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "a period must be chosen" in capsys.readouterr().err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    out = capsys.readouterr().out
    for option in ("--units", "--framework", "--values", "--period", "--out", "--quiet"):
        assert option in out


def test_small_template_scores(tmp_path):
    datasets.export("small", tmp_path / "tpl")
    assert (tmp_path / "tpl" / "framework.toml").exists()
    args = [*ARGS[:2], str(tmp_path / "tpl" / "units.csv"), *ARGS[3:]]
    assert main([*args, "--out", str(tmp_path / "o2"), "--quiet"]) == 0
    assert (tmp_path / "o2" / "block.csv").exists()
