"""The composition of plugins and engine: `load`, `Pipeline`, `levels_of`."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.pipeline import levels_of


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jaipur")
    datasets.export("jaipur", folder)
    return folder


def test_load_a_values_file_scores_as_the_engine_does():
    folder = datasets.path("small")
    job = eg.load(
        units=folder / "units.csv",
        framework=folder / "framework.toml",
        values=folder / "values.csv",
    )
    assert job.registry is None
    assert job.tables is None
    assert job.periods() == ("2020-12", "2021-01")
    result = job.score("2021-01")
    districts = result.level("district")
    # The README's known answer.
    assert dict(zip(districts.names.tolist(), districts.score.round(1).tolist(), strict=True)) == {
        "Alwar": 94.4,
        "Dausa": 50.0,
    }
    direct = eg.score(job.hierarchy, job.framework, job.values, "2021-01")
    for a, b in zip(direct.levels, result.levels, strict=True):
        np.testing.assert_array_equal(a.score, b.score)


def test_a_period_must_be_chosen_when_there_are_several():
    job = datasets.load("small")
    with pytest.raises(eg.InputError, match="a period must be chosen"):
        job.score()


def test_load_a_folder_of_scheme_tables_with_plugins(exported):
    job = eg.load(exported, registry=eg.Registry(eg.make_plugin_manager(autoload=False)))
    assert job.framework.levels == ("division", "district", "block", "machine")
    assert len(job.periods()) == 12
    result = job.score("2021-01")
    division = result.level("division")
    # The commissioner's figures for January 2021 (the source document).
    assert division.fields["installed"][0] == 2995
    assert division.fields["inspected"][0] == 2621
    assert round(float(division.indicators["inspection_rate"][0]), 2) == 87.51
    assert "emitra" in result.provenance.plugins


def test_the_built_in_data_set_is_the_same_job(exported):
    loaded = eg.load(exported, registry=eg.Registry(eg.make_plugin_manager(autoload=False)))
    built_in = datasets.load("jaipur")
    a, b = loaded.score("2021-01"), built_in.score("2021-01")
    for x, y in zip(a.levels, b.levels, strict=True):
        np.testing.assert_array_equal(x.score, y.score)
        np.testing.assert_array_equal(x.rank, y.rank)


def test_levels_are_read_from_the_units_parent_links(exported):
    assert levels_of(exported / "units.csv") == ("division", "district", "block", "machine")


def test_units_may_be_an_excel_workbook(exported, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    folder = tmp_path / "review"
    shutil.copytree(exported, folder)
    table = eg.Table.read(folder / "units.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(table.columns))
    for row in zip(*table.columns.values(), strict=True):
        sheet.append(list(row))
    book.save(folder / "units.xlsx")
    (folder / "units.csv").unlink()
    assert levels_of(folder / "units.xlsx") == ("division", "district", "block", "machine")
    registry = eg.Registry(eg.make_plugin_manager(autoload=False))
    from_excel = eg.load(folder, registry=registry).score("2021-01")
    from_csv = eg.load(exported, registry=registry).score("2021-01")
    np.testing.assert_array_equal(
        from_excel.level("district").score, from_csv.level("district").score
    )


def test_inputs_that_cannot_make_a_job_are_named(tmp_path):
    with pytest.raises(eg.InputError, match="got neither"):
        eg.load()
    folder = datasets.path("small")
    with pytest.raises(eg.InputError, match="framework file is needed"):
        eg.load(units=folder / "units.csv", values=folder / "values.csv")
    with pytest.raises(eg.InputError, match="units file is needed"):
        eg.load(framework=folder / "framework.toml", values=folder / "values.csv")
    shutil.copy(folder / "units.csv", tmp_path / "units.csv")
    with pytest.raises(eg.InputError, match="no scheme table found"):
        eg.load(tmp_path)


def test_raw_tables_need_the_plugins():
    job = datasets.load("jaipur")
    raw = job.registry.read_tables(datasets.path("jaipur"))
    with pytest.raises(eg.InputError, match="needs the plugins"):
        eg.Pipeline.build(job.framework, job.hierarchy, tables=raw)


def test_a_field_from_two_sources_is_refused(exported, tmp_path):
    (tmp_path / "values.csv").write_text("code,period,installed\nM-574-001,2021-01,1\n")
    job = eg.load(
        exported,
        values=tmp_path / "values.csv",
        registry=eg.Registry(eg.make_plugin_manager(autoload=False)),
    )
    with pytest.raises(eg.InputError, match="fields must come from one source"):
        job.score("2021-01")
