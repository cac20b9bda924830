"""Periods: the accepted forms normalised to YYYY-MM, errors for the rest, chronological order,
and a scheme without rows for the scored month named on the run and on the cards."""

from __future__ import annotations

import calendar
import datetime
import json
import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import egov_score as eg
from egov_score.cli import main
from egov_score.exceptions import InputError, ValuesError
from egov_score.io.periods import (
    as_period,
    month_label,
    normalise_period_column,
    parse_period,
    parse_periods,
    require_period,
    require_periods,
)
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.render.card import render_card
from egov_score.review.awards import AwardRules, select_awards
from egov_score.review.panel import score_panel
from egov_score.review.report import build_report

LEVELS = ("division", "district", "block", "machine")
REGISTRY = Registry(make_plugin_manager(autoload=False))
PENSION = REGISTRY.schemes["pension"]
SAMPLES = PENSION.samples["pension"].parent
SAMPLE_UNITS = PENSION.sample_units


# -- one period ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2021-01", "2021-01"),
        ("2021-1", "2021-01"),
        ("2021-01-15", "2021-01"),
        ("2021-01-31 00:00:00", "2021-01"),
        ("2020-02-29", "2020-02"),
        ("Jan-2021", "2021-01"),
        ("Jan-21", "2021-01"),
        ("January 2021", "2021-01"),
        ("jan 2021", "2021-01"),
        ("JAN2021", "2021-01"),
        ("Sep-20", "2020-09"),
        ("Sept 2020", "2020-09"),
        ("  December 2020 ", "2020-12"),
    ],
)
def test_accepted_forms_are_normalised(text, month):
    assert parse_period(text) == month
    assert require_period(text) == month


@pytest.mark.parametrize(
    "text",
    ["", "2021-13", "2021-0", "2021-02-30", "21-01", "2021/01", "Q1 2021", "Janu 2021", "P1"],
)
def test_other_forms_are_refused(text):
    assert parse_period(text) is None
    with pytest.raises(InputError, match=r"--month must be a month as YYYY-MM .*Jan-2021") as e:
        require_period(text, what="--month")
    assert repr(text) in str(e.value)


@given(
    st.integers(1000, 9999),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from(["{y}-{m:02d}", "{y}-{m}", "{y}-{m:02d}-{d:02d}", "{y}-{m:02d}-{d}"]),
)
def test_numeric_forms_round_trip(y, m, d, form):
    assert parse_period(form.format(y=y, m=m, d=d)) == f"{y}-{m:02d}"


@given(
    st.integers(2000, 2099),
    st.integers(1, 12),
    st.sampled_from(["{full} {y}", "{short}-{y}", "{short}-{yy:02d}", "{full}-{yy:02d}"]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_named_forms_round_trip(y, m, form, case):
    full = calendar.month_name[m]  # an independent list (the C locale's names)
    text = form.format(full=full, short=full[:3], y=y, yy=y % 100)
    assert parse_period(case(text)) == f"{y}-{m:02d}"


def test_a_label_passes_through_the_lenient_form():
    assert as_period("P1") == "P1"
    assert as_period("Jan-21") == "2021-01"


def test_month_label_is_english_for_notes():
    assert month_label("2021-01") == "January 2021"
    assert month_label("P1") == "P1"


# -- columns ------------------------------------------------------------------------------------


def test_distinct_values_are_parsed_once(monkeypatch):
    from egov_score.io import periods

    seen: list[str] = []
    real = periods.parse_period
    monkeypatch.setattr(periods, "parse_period", lambda t: seen.append(t) or real(t))
    cells = np.array(["Jan-21"] * 1000 + ["2020-12"] * 1000 + ["Jan-21"] * 5)
    normal, bad = parse_periods(cells)
    assert sorted(seen) == ["2020-12", "Jan-21"]
    assert normal.tolist() == ["2021-01"] * 1000 + ["2020-12"] * 1000 + ["2021-01"] * 5
    assert not bad.any()


def test_a_normalised_column_is_not_copied():
    cells = np.array(["2021-01", "2021-01", "2020-12"])
    normal, bad = parse_periods(cells)
    assert normal is cells
    assert not bad.any()
    table = eg.Table.from_mapping({"code": ["a", "b", "c"], "period": cells}, source="t")
    assert normalise_period_column(table)[0] is table


def test_a_table_column_is_normalised_and_bad_cells_named():
    table = eg.Table.from_mapping(
        {"code": ["a", "b", "c", "d"], "period": ["Jan-2021", "2021-13", "", "2021-1"]},
        source="t.csv",
    )
    with pytest.raises(InputError) as e:
        require_periods(table)
    msg = str(e.value)
    assert "t.csv: column 'period' must hold a month as YYYY-MM" in msg
    assert "2 problems" in msg
    assert "row 2, column 'period': got '2021-13'" in msg
    assert "row 3, column 'period': got ''" in msg
    ok = eg.Table.from_mapping({"code": ["a", "b"], "period": ["Jan-2021", "2021-1"]}, source="t")
    assert require_periods(ok).columns["period"].tolist() == ["2021-01", "2021-01"]


# -- values -------------------------------------------------------------------------------------


def _small():
    folder = eg.datasets.path("small")
    fw = eg.Framework.from_toml(folder / "framework.toml")
    h = eg.Hierarchy.from_csv(folder / "units.csv", fw.levels)
    return folder, fw, h


def _rewrite_periods(text: str, new: str) -> str:
    return text.replace(",2020-12,", f",{new},")


@pytest.mark.parametrize("written", ["Dec-2020", "Dec-20", "December 2020", "2020-12-01"])
def test_values_in_any_accepted_form_score_the_same(tmp_path, written):
    folder, fw, h = _small()
    text = (folder / "values.csv").read_text(encoding="utf-8")
    path = tmp_path / "values.csv"
    path.write_text(_rewrite_periods(text, written), encoding="utf-8")
    values = eg.Values.from_csv(path, h, fw)
    assert values.period_list == ("2020-12", "2021-01")
    expected = eg.score(h, fw, eg.Values.from_csv(folder / "values.csv", h, fw), "2020-12")
    got = eg.Engine(fw, h).score(values, written)  # the argument may be written so too
    for a, b in zip(expected.levels, got.levels, strict=True):
        np.testing.assert_array_equal(a.score, b.score)


def test_values_with_a_bad_period_are_refused(tmp_path):
    folder, fw, h = _small()
    text = (folder / "values.csv").read_text(encoding="utf-8").replace(",2020-12,", ",2020-13,", 1)
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValuesError) as e:
        eg.Values.from_csv(path, h, fw)
    msg = str(e.value)
    assert str(path) in msg
    assert "row 2, column 'period': period must be a month as YYYY-MM" in msg
    assert "got '2020-13'" in msg


def test_values_from_columns_keep_labels_and_normalise_months():
    _, fw, h = _small()
    code = str(h.levels[-1].codes[0])
    for period, kept in (("P1", "P1"), ("Dec-20", "2020-12")):
        v = eg.Values.from_columns({"code": [code], "period": [period]}, h, fw)
        assert v.period_list == (kept,)


def test_excel_date_cells_are_months(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    folder, fw, h = _small()
    table = eg.Table.from_csv(folder / "values.csv")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(list(table.header))
    for i in range(table.n_rows):
        row: list[object] = [str(table.columns[c][i]) for c in table.header]
        year, month = map(int, str(row[1]).split("-"))
        row[1] = datetime.datetime(year, month, 1) if i % 2 else datetime.date(year, month, 15)
        ws.append(row)
    book.save(tmp_path / "values.xlsx")
    values = eg.Values.from_csv(tmp_path / "values.xlsx", h, fw)
    assert values.period_list == ("2020-12", "2021-01")


# -- scheme tables ------------------------------------------------------------------------------


def _job(tables, drop=False):
    fw = REGISTRY.framework(LEVELS, active=list(tables))
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, fw.levels)
    return eg.Pipeline.build(fw, h, registry=REGISTRY, tables=tables, drop_bad_rows=drop)


def _pension(tmp_path, text):
    (tmp_path / "pension.csv").write_text(text, encoding="utf-8")
    return REGISTRY.read_tables(tmp_path)


def _sample_pension():
    return (SAMPLES / "pension.csv").read_text(encoding="utf-8")


def test_scheme_periods_in_any_form_score_the_same(tmp_path):
    plain = _job(_pension(tmp_path, _sample_pension())).score("2021-01")
    named = _job(_pension(tmp_path, _sample_pension().replace(",2021-01,", ",Jan-21,")))
    assert named.periods() == ("2021-01",)
    got = named.score("January 2021")
    np.testing.assert_array_equal(plain.level("block").score, got.level("block").score)
    assert not got.diagnostics_of("no_data")


def test_gather_and_load_take_any_accepted_form(tmp_path):
    job = _job(_pension(tmp_path, _sample_pension()))
    got = job.gather("Jan-21").levels[2]["pensioners"]
    np.testing.assert_array_equal(got, job.gather("2021-01").levels[2]["pensioners"])
    assert not np.isnan(got).all()
    data = REGISTRY.load(job.tables, job.hierarchy, job.framework, "January 2021")
    assert not [d for d in data.diagnostics if d.kind == "no_data"]


def test_a_bad_scheme_period_is_named(tmp_path):
    text = _sample_pension().replace(",2021-01,", ",2021-13,", 1)
    with pytest.raises(InputError) as e:
        _job(_pension(tmp_path, text))
    msg = str(e.value)
    assert "pension.csv, row 2, column 'period': must be a month as YYYY-MM" in msg
    assert "got '2021-13'" in msg
    job = _job(_pension(tmp_path, text), drop=True)  # the row is dropped, and said so
    dropped = job.score("2021-01").diagnostics_of("dropped_rows")
    assert "1 cells rejected (1 rows dropped: their unit or period is unusable)" in (
        dropped[0].message
    )


def test_the_latest_month_is_by_date(tmp_path):
    lines = _sample_pension().splitlines()
    months = {"Sep-20": lines[1:2], "Jan-2021": lines[2:3], "2020-12": lines[3:5]}
    body = [row.replace(",2021-01,", f",{m},") for m, rows in months.items() for row in rows]
    job = _job(_pension(tmp_path, "\n".join([lines[0], *body]) + "\n"))
    assert job.periods() == ("2020-09", "2020-12", "2021-01")
    panel = score_panel(job, ["2021-01", "Sep-20", "2020-12"])
    assert panel.periods == ("2020-09", "2020-12", "2021-01")


def test_a_scheme_without_rows_for_the_month_is_a_note(tmp_path):
    (tmp_path / "pension.csv").write_text(
        _sample_pension().replace(",2021-01,", ",2020-12,"), encoding="utf-8"
    )
    shutil.copy(SAMPLES / "nrega.csv", tmp_path / "nrega.csv")  # 2021-01 only
    job = _job(REGISTRY.read_tables(tmp_path))
    january, december = job.score("2021-01"), job.score("2020-12")
    assert [d.message for d in january.diagnostics_of("no_data")] == [
        "pension: no data for January 2021"
    ]
    assert [d.message for d in december.diagnostics_of("no_data")] == [
        "nrega: no data for December 2020"
    ]
    panel = score_panel(job)  # stacked: each month keeps its own notes
    assert [d.code for d in panel.result("2021-01").diagnostics_of("no_data")] == ["pension"]
    assert [d.code for d in panel.result("2020-12").diagnostics_of("no_data")] == ["nrega"]


def test_a_header_only_scheme_table_is_refused_not_a_gap(tmp_path):
    # A table with no rows at all is a file problem (an error, see test_files.py); a table whose
    # rows are all of other months is the scheme having no data this month (a note).
    header = _sample_pension().splitlines()[0] + "\n"
    (tmp_path / "pension.csv").write_text(header, encoding="utf-8")
    with pytest.raises(InputError, match=r"pension.csv"):
        REGISTRY.read_tables(tmp_path)


def test_a_scheme_whose_rows_are_all_other_months_is_a_note(tmp_path):
    text = _sample_pension().replace(",2021-01,", ",2020-12,")
    assert ",2021-01," not in text
    (tmp_path / "pension.csv").write_text(text, encoding="utf-8")
    shutil.copy(SAMPLES / "nrega.csv", tmp_path / "nrega.csv")
    result = _job(REGISTRY.read_tables(tmp_path)).score("2021-01")
    notes = result.diagnostics_of("no_data")
    assert [(n.code, n.message, n.period) for n in notes] == [
        ("pension", "pension: no data for January 2021", "2021-01")
    ]
    assert np.isnan(result.level("block").groups["pension"]).all()


def test_a_renamed_optional_column_is_refused(tmp_path):
    text = (SAMPLES / "emitra_machines.csv").read_text(encoding="utf-8")
    header, _, rest = text.partition("\n")
    assert "services," in header
    (tmp_path / "emitra_machines.csv").write_text(
        header.replace("services,", "service,", 1) + "\n" + rest, encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        _job(REGISTRY.read_tables(tmp_path))
    msg = str(e.value)
    assert "emitra_machines.csv, column 'service'" in msg
    assert "did you mean 'services'?" in msg


# -- a whole job: notes on the run and on the cards ---------------------------------------------


@pytest.fixture(scope="module")
def jaipur_without_pension_in_january(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    eg.datasets.export("jaipur", folder)
    lines = (folder / "pension.csv").read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *(x for x in lines[1:] if ",2021-01," not in x)]
    (folder / "pension.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    nrega = (folder / "nrega.csv").read_text(encoding="utf-8")
    for m, name in ((12, "Dec"), (1, "Jan"), (9, "Sep")):  # month names, two-digit years
        year = 2021 if m == 1 else 2020
        nrega = nrega.replace(f",{year}-{m:02d},", f",{name}-{year % 100},")
    (folder / "nrega.csv").write_text(nrega, encoding="utf-8")
    return folder


def test_run_summary_names_the_scheme_without_data(jaipur_without_pension_in_january, capsys):
    folder = jaipur_without_pension_in_january
    args = ["score", "--scheme-data", str(folder), "--units", str(folder / "units.csv")]
    status = main([*args, "--period", "Jan-2021", "--out", str(folder / "out")])
    out = capsys.readouterr().out
    assert status == 0
    assert "period 2021-01" in out
    assert "note: pension: no data for January 2021" in out


def test_cards_name_the_scheme_without_data(jaipur_without_pension_in_january):
    folder = jaipur_without_pension_in_january
    job = eg.load(folder)
    panel = score_panel(job)
    assert panel.periods[-1] == "2021-01"  # by date, whatever the files wrote
    card = build_report(panel, "D-87", "Jan-21", hierarchy=job.hierarchy, registry=job.registry)
    assert card.no_data == ("pension",)
    assert "Social security pensions: no data for January 2021" in render_card(card, "md")
    assert "no data for January 2021</p>" in render_card(card, "html")
    assert "no_data,pension,Social security pensions: no data" in render_card(card, "csv")
    assert json.loads(render_card(card, "json"))["no_data"] == ["pension"]
    assert "सामाजिक सुरक्षा पेंशन: जनवरी 2021 का कोई आँकड़ा" in render_card(card, "md", "hi")
    december = build_report(panel, "D-87", "2020-12", hierarchy=job.hierarchy)
    assert december.no_data == ()
    assert json.loads(render_card(december, "json"))["no_data"] == []


def test_award_window_in_any_form(jaipur_without_pension_in_january):
    panel = score_panel(eg.load(jaipur_without_pension_in_january))
    rules = AwardRules(levels=("district",), window=("Aug-20", "December 2020"))
    awards = select_awards(panel, "republic_day", 2021, rules)
    assert awards.window == ("2020-08", "2020-12")


@pytest.mark.parametrize(
    ("flag", "command"),
    [("--period", "score"), ("--month", "report"), ("--window", "awards")],
)
def test_cli_period_arguments_are_checked(flag, command, capsys, tmp_path):
    jaipur = eg.datasets.path("jaipur")
    args = [command, "--scheme-data", str(jaipur), "--units", str(jaipur / "units.csv")]
    value = "2020-08:2021-13" if flag == "--window" else "2021-13"
    if command == "score":
        args += ["--out", str(tmp_path)]
    if command == "report":
        args += ["--unit", "D-87"]
    assert main([*args, flag, value]) == 2
    err = capsys.readouterr().err
    assert f"egov-score: error: {flag} must be a month as YYYY-MM" in err
    assert "got '2021-13'" in err


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021-01-15T10:00:00", "2021-01"),
        ("2021-01-15T23:30:00+05:30", "2021-01"),
        ("2021-01-31T23:59Z", "2021-01"),
        ("2021-01-15 10:00", "2021-01"),
        ("２０２１-０１", None),  # fullwidth digits are not the documented grammar
        ("٢٠٢١-٠١", None),
        ("Jan-٢١", None),
    ],
)
def test_iso_times_and_ascii_digits(cell, expected):
    # red-team findings: the ISO 'T' form was refused, and Unicode digits were accepted
    assert parse_period(cell) == expected
