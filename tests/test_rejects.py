"""``drop_bad_rows``: only the offending cell is set aside, and every one is a record."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.io.table import Table
from egov_score.model.plausibility import KIND_RULES
from egov_score.plugins.scheme import Column, Problem, TableSpec, check_table
from egov_score.plugins.tables import without_bad_cells
from tests.test_plugins import LEVELS, SAMPLE_UNITS, SAMPLES, registry, run


def nrega_with(tmp_path, old, new):
    text = (SAMPLES / "nrega.csv").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "nrega.csv").write_text(text.replace(old, new, 1), encoding="utf-8")
    return registry().read_tables(tmp_path)


def test_a_bad_nrega_cell_keeps_nrega_in_the_composite(tmp_path):
    tables = nrega_with(tmp_path, "96.5", "140")
    good = run(registry(), tables=registry().read_tables(SAMPLES), only=None)
    r = run(registry(), tables=tables, drop=True)
    blocks = r.level("block")
    assert "nrega" in blocks.groups
    i = int(np.flatnonzero(blocks.codes == "B-0574")[0])
    assert np.isnan(blocks.fields["timely_wage_pct"][i])
    assert blocks.fields["persondays"][i] == 468000  # the rest of the row is scored
    assert not np.isnan(blocks.groups["nrega"][i])
    (rej,) = r.rejected
    assert (rej.row, rej.column, rej.value) == (2, "wages_in_15_days", "140")
    assert rej.rule == "a percentage must lie in [0, 100]"
    (note,) = r.diagnostics_of("dropped_rows")
    assert note.message.endswith("nrega.csv: 1 cells rejected; see rejects.csv")
    assert len(note.message) < 200
    assert good.level("block").groups.keys() >= {"nrega"}


def test_without_drop_the_same_cell_is_an_error(tmp_path):
    tables = nrega_with(tmp_path, "96.5", "140")
    with pytest.raises(InputError, match=r"row 2, column 'wages_in_15_days': a percentage"):
        run(registry(), tables=tables)


def test_a_bounded_violation_blanks_the_numerator(tmp_path):
    tables = nrega_with(tmp_path, "1450,980", "1450,1980")
    r = run(registry(), tables=tables, drop=True)
    blocks = r.level("block")
    i = int(np.flatnonzero(blocks.codes == "B-0574")[0])
    assert np.isnan(blocks.fields["works_completed"][i])
    assert blocks.fields["works_started"][i] == 1450
    (rej,) = r.rejected
    assert rej.column == "works_completed"
    assert rej.rule == "must not exceed 'works_started' (1450)"


def test_the_pipeline_and_every_period_carry_the_rejects(tmp_path):
    shutil.copy(SAMPLES / "emitra_machines.csv", tmp_path)
    text = (tmp_path / "emitra_machines.csv").read_text(encoding="utf-8").splitlines()
    cells = text[1].split(",")
    cells[2] = "5"  # allotted: a flag of 5
    text[1] = ",".join(cells)
    (tmp_path / "emitra_machines.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    reg = registry()
    tables = reg.read_tables(tmp_path)
    fw = reg.framework(LEVELS, active=list(tables))
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, fw.levels)
    job = eg.Pipeline.build(fw, h, registry=reg, tables=tables, drop_bad_rows=True)
    assert [(p.row, p.column, p.value, p.rule) for p in job.rejected] == [
        (2, "allotted", "5", "must be a flag (0 or 1)")
    ]
    assert job.score("2021-01").rejected == job.rejected


def spec():
    return TableSpec(
        name="t",
        level="block",
        columns=(
            Column(name="code", kind="code"),
            Column(name="kind", kind="choice", choices=("a", "b")),
            Column(name="n", kind="amount", min=1.0, max=9.0),
        ),
    )


def test_without_bad_cells_blanks_cells_and_drops_rows_of_bad_keys():
    t = Table.from_text("code,kind,n\nB1,a,3\nB2,c,4\nB3,b,5\n", source="t.csv")
    t.floats("n")  # parsed numbers are carried over, blanked too
    problems = [
        Problem(source="t.csv", row=3, column="kind", value="c", rule="r"),
        Problem(source="t.csv", row=4, column="n", value="5", rule="r"),
        Problem(source="t.csv", row=2, column="code", value="B1", rule="r"),
    ]
    out = without_bad_cells(t, problems, keys=("code",))
    assert out.rows.tolist() == [3, 4]
    assert out.columns["kind"].tolist() == ["", "b"]
    assert out.floats("n").tolist()[0] == 4.0
    assert np.isnan(out.floats("n")[1])


def test_declared_min_max_and_amount_on_a_raw_column(write):
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, LEVELS)
    blocks = h.level("block").codes[:3].tolist()
    text = f"code,kind,n\n{blocks[0]},a,0\n{blocks[1]},b,12\n{blocks[2]},a,-1\n"
    problems = check_table(spec(), Table.from_text(text, source="t.csv"), h)
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "must be >= 1; got '0'",
        "must be <= 9; got '12'",
        "must be an amount >= 0; got '-1'",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "text", "min": 0.0}, r"min and max go with a numeric kind; got kind 'text'"),
        ({"kind": "count", "min": 3.0, "max": 1.0}, r"min must not exceed max"),
        ({"kind": "real", "max": float("inf")}, r"max must be a finite number; got inf"),
    ],
)
def test_column_bounds_are_checked_when_built(kwargs, message):
    with pytest.raises(InputError, match=message):
        Column(name="x", **kwargs)


def test_number_is_kept_as_real():
    assert Column(name="x", kind="number").value_kind == "real"
    assert Column(name="x", kind="amount").value_kind == "amount"


# -- the command line and the cards -------------------------------------------------------------


@pytest.fixture
def bad_nrega(tmp_path):
    """A scheme-data folder whose nrega table has one percentage of 140 (row 2)."""
    nrega_with(tmp_path, "96.5", "140")
    shutil.copy(SAMPLE_UNITS, tmp_path / "units.csv")
    return tmp_path


def test_score_writes_rejects_beside_the_output(bad_nrega, capsys):
    out = bad_nrega / "out"
    args = ["score", "--units", str(bad_nrega / "units.csv"), "--scheme-data", str(bad_nrega)]
    assert main([*args, "--out", str(out), "--drop-bad-rows"]) == 0
    printed = capsys.readouterr().out
    assert "note: " in printed
    assert "nrega.csv: 1 cells rejected; see rejects.csv" in printed
    assert f"1 cells rejected; see {out / 'rejects.csv'}" in printed
    rows = (out / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "file,row,column,value,rule"
    assert rows[1].endswith('nrega.csv,2,wages_in_15_days,140,"a percentage must lie in [0, 100]"')
    assert main([*args, "--out", str(bad_nrega / "out2")]) == 2
    assert not (bad_nrega / "out2" / "rejects.csv").exists()


@pytest.mark.parametrize(
    ("fmt", "says"),
    [
        ("md", "| Input cells rejected (see rejects.csv) | 1 |"),
        ("text", "Input cells rejected (see rejects.csv): 1"),
        ("html", "Input cells rejected (see rejects.csv)</td>"),
        ("csv", "rejected,,Input cells rejected (see rejects.csv),1,"),
        ("json", '"rejected_cells": 1,'),
    ],
)
def test_every_card_says_how_many_cells_were_rejected(bad_nrega, fmt, says):
    card = bad_nrega / "cards" / f"card.{fmt}"
    args = ["report", "--units", str(bad_nrega / "units.csv"), "--scheme-data", str(bad_nrega)]
    assert (
        main([*args, "--unit", "B-0574", "--format", fmt, "--out", str(card), "--drop-bad-rows"])
        == 0
    )
    assert says in card.read_text(encoding="utf-8")
    assert (bad_nrega / "cards" / "rejects.csv").exists()


def test_a_clean_card_says_none_were_rejected(bad_nrega):
    card = bad_nrega / "card.json"
    shutil.copy(SAMPLES / "nrega.csv", bad_nrega / "nrega.csv")
    args = ["report", "--units", str(bad_nrega / "units.csv"), "--scheme-data", str(bad_nrega)]
    assert main([*args, "--unit", "B-0574", "--format", "json", "--out", str(card)]) == 0
    assert '"rejected_cells": 0,' in card.read_text(encoding="utf-8")
    assert not (bad_nrega / "rejects.csv").exists()


# -- values tables ------------------------------------------------------------------------------


def small_values_with(tmp_path, row, old, new):
    lines = (datasets.path("small") / "values.csv").read_text(encoding="utf-8").splitlines()
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    (tmp_path / "values.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "values.csv"


def test_values_cells_are_set_aside_one_by_one(tmp_path):
    path = small_values_with(tmp_path, 3, "M-0002,2020-12,1,0,", "M-0002,2020-12,1,5,")
    small = datasets.path("small")
    fw = eg.Framework.from_toml(small / "framework.toml")
    h = eg.Hierarchy.from_csv(small / "units.csv", fw.levels)
    with pytest.raises(InputError, match=r"row 3, column 'inspected': must be a flag"):
        eg.Values.from_csv(path, h, fw)
    v = eg.Values.from_csv(path, h, fw, drop_bad_cells=True)
    (rej,) = v.rejected
    assert (rej.row, rej.column, rej.value, rej.rule) == (3, "inspected", "5", KIND_RULES["flag"])
    assert np.isnan(v.columns["inspected"][1])
    assert v.columns["installed"][1] == 1.0  # the rest of the row is kept


def test_score_with_values_writes_rejects(tmp_path, capsys):
    path = small_values_with(
        tmp_path, 3, "M-0002,2020-12,1,0,1,1,17,1,", "M-0002,2020-12,0,1,0,0,17,0,"
    )
    small = datasets.path("small")
    out = tmp_path / "out"
    args = ["score", "--units", str(small / "units.csv"), "--values", str(path)]
    args += ["--framework", str(small / "framework.toml"), "--period", "2020-12"]
    assert main([*args, "--out", str(out), "--drop-bad-rows"]) == 0
    printed = capsys.readouterr().out
    assert "values.csv: 1 cells rejected; see rejects.csv" in printed
    rows = (out / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].endswith("values.csv,3,inspected,1,must not exceed 'installed' (0)")
    machines = Table.from_csv(out / "machine.csv")
    i = machines.columns["code"].tolist().index("M-0002")
    assert machines.columns["inspection_rate"][i] == ""  # the numerator was blanked


def test_an_implausible_denominator_is_reported_once_not_against_its_numerators():
    # red-team finding: pensioners = -3107 blanked three valid numerators "above" it
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, LEVELS)
    block = h.level("block").codes[0]
    ratio = TableSpec(
        name="t",
        level="block",
        columns=(
            Column(name="code", kind="code"),
            Column(name="whole", kind="count"),
            Column(name="part", kind="count", at_most="whole"),
        ),
    )
    problems = check_table(
        ratio, Table.from_text(f"code,whole,part\n{block},-3,2\n", source="t.csv"), h
    )
    assert [(p.column, p.rule) for p in problems] == [("whole", KIND_RULES["count"])]
