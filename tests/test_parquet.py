"""Parquet in and out: ``Values.from_parquet``, ``--values``/``--units x.parquet``,
``Result.write_parquet`` and ``score --formats parquet``, through pyarrow or polars."""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.cli import main
from egov_score.io.parquet import read_parquet, write_parquet
from tests.test_frames import small_inputs

SMALL = datasets.path("small")


@pytest.fixture(scope="module")
def small() -> tuple[eg.Framework, eg.Hierarchy, eg.Values]:
    return small_inputs()


def to_parquet(csv: Path, out: Path, *, text: bool = False) -> Path:
    pl.read_csv(csv, infer_schema=not text).write_parquet(out)
    return out


@pytest.fixture(params=["pyarrow", "polars"])
def engine(request, monkeypatch) -> str:
    """Each engine in turn: for polars, pyarrow's import is made to fail."""
    if request.param == "polars":
        monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    return request.param


def test_values_from_parquet_equal_the_csv(small, tmp_path, engine):
    fw, h, v = small
    path = to_parquet(SMALL / "values.csv", tmp_path / "values.parquet")
    got = eg.Values.from_parquet(path, h, fw)
    assert attrs.evolve(got, source=v.source) == v
    for k in v.columns:
        np.testing.assert_array_equal(got.columns[k], v.columns[k])
    # from_csv (what --values uses) routes .parquet here
    assert eg.Values.from_csv(path, h, fw) == got


def test_units_from_parquet_equal_the_csv(small, tmp_path, engine):
    fw, h, _ = small
    path = to_parquet(SMALL / "units.csv", tmp_path / "units.parquet", text=True)
    assert eg.Hierarchy.from_csv(path, fw.levels) == h


def test_parquet_errors_name_file_row_and_column(small, tmp_path):
    fw, h, _ = small
    frame = pl.read_csv(SMALL / "values.csv").with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("M-XXXX"))
        .otherwise(pl.col("code"))
        .alias("code")
    )
    path = tmp_path / "values.parquet"
    frame.write_parquet(path)
    with pytest.raises(eg.ValuesError, match=r"values\.parquet: values rejected: 1 problem:"):
        eg.Values.from_parquet(path, h, fw)
    with pytest.raises(eg.ValuesError, match=r"row 3, column 'code': code must name a unit"):
        eg.Values.from_parquet(path, h, fw)


def test_not_parquet_and_missing_file(small, tmp_path):
    fw, h, _ = small
    fake = tmp_path / "values.parquet"
    fake.write_text("code,period\nM-0001,2021-01\n", encoding="utf-8")
    with pytest.raises(eg.InputError, match=r"values\.parquet: must be a readable Parquet file"):
        eg.Values.from_parquet(fake, h, fw)
    with pytest.raises(eg.InputError, match=r"file must exist; got '.*nope\.parquet'"):
        eg.Values.from_parquet(tmp_path / "nope.parquet", h, fw)


def test_no_parquet_library_names_the_extra(small, tmp_path, monkeypatch):
    fw, h, _ = small
    path = to_parquet(SMALL / "values.csv", tmp_path / "values.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(eg.InputError, match=r"the 'parquet' extra: pip install"):
        eg.Values.from_parquet(path, h, fw)
    with pytest.raises(eg.InputError, match=r"the 'parquet' extra"):
        write_parquet(tmp_path / "x.parquet", {"a": np.zeros(1)})


@pytest.fixture(scope="module")
def result() -> eg.Result:
    return datasets.load("small").score("2021-01")


def test_write_parquet_one_file_per_level(result, tmp_path, engine):
    paths = result.write_parquet(tmp_path)
    assert [p.name for p in paths] == [f"{lv.level}.parquet" for lv in result.levels]
    for lv, path in zip(result.levels, paths, strict=True):
        back = pl.read_parquet(path)
        expected = lv.to_frame("polars")
        assert back.columns == list(lv.table())
        assert back.schema["rank"] == pl.Int64
        assert back.equals(expected, null_equal=True)


def _score(units: Path, values: Path, out: Path, *more: str) -> int:
    framework = ["--framework", str(SMALL / "framework.toml"), "--period", "2021-01"]
    inputs = ["--units", str(units), "--values", str(values), *framework]
    return main(["score", *inputs, "--out", str(out), *more])


def test_score_command_reads_and_writes_parquet(tmp_path, capsys):
    values = to_parquet(SMALL / "values.csv", tmp_path / "values.parquet")
    units = to_parquet(SMALL / "units.csv", tmp_path / "units.parquet", text=True)
    assert _score(SMALL / "units.csv", SMALL / "values.csv", tmp_path / "a", "--quiet") == 0
    assert _score(units, values, tmp_path / "b", "--formats", "csv,parquet") == 0
    assert "machine.parquet" in capsys.readouterr().out
    for level in ("division", "district", "block", "machine"):
        assert (tmp_path / "a" / f"{level}.csv").read_bytes() == (
            tmp_path / "b" / f"{level}.csv"
        ).read_bytes()
        table = pq.read_table(tmp_path / "b" / f"{level}.parquet")
        csv = pl.read_csv(tmp_path / "a" / f"{level}.csv", infer_schema_length=None)
        assert table.column_names == csv.columns
        for name in ("score", "coverage"):
            np.testing.assert_array_equal(
                table.column(name).to_numpy(zero_copy_only=False).astype(float),
                csv[name].cast(pl.Float64).fill_null(np.nan).to_numpy(),
            )


def test_score_without_parquet_library_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    out = tmp_path / "out"
    assert _score(SMALL / "units.csv", SMALL / "values.csv", out, "--formats", "csv,parquet") == 2
    assert "the 'parquet' extra" in capsys.readouterr().err
    assert not out.exists()


def test_read_parquet_keeps_text_columns_text(tmp_path):
    path = tmp_path / "t.parquet"
    pl.DataFrame({"code": ["007", None], "x": [1.5, None]}).write_parquet(path)
    table = read_parquet(path, numeric=["x"])
    assert table.columns["code"].tolist() == ["007", ""]
    np.testing.assert_array_equal(table.floats("x"), [1.5, np.nan])
