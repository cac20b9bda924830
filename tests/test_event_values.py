"""``egov-score events`` end to end: the values table it writes is read by ``score``, and the
e-Mitra plugin takes ``transactions`` from a values table when its machines table lacks the
column (the same scores as with the column)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from egov_score import datasets
from egov_score.cli import main
from egov_score.events import FIELDS
from egov_score.pipeline import load
from tests.test_event_rollup import ROWS, write_events

SMALL = datasets.path("small")
JAIPUR = datasets.path("jaipur")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_events_then_score(tmp_path: Path, capsys, suffix: str) -> None:
    events = write_events(tmp_path / "e.csv", ROWS)
    out = tmp_path / f"values{suffix}"
    args = ["events", "--events", str(events), "--units", str(SMALL / "units.csv")]
    assert main([*args, "--fields", "transactions", "--out", str(out)]) == 0
    assert "6 events rolled up to 3 machine-months (2 months)" in capsys.readouterr().out
    scores = tmp_path / "scores"
    score = ["score", "--values", str(out), "--units", str(SMALL / "units.csv")]
    score += ["--framework", str(SMALL / "framework.toml"), "--period", "2021-02"]
    assert main([*score, "--out", str(scores)]) == 0
    machines = {r["code"]: r for r in _read(scores / "machine.csv")}
    assert set(machines) >= {"M-0001", "M-0002"}


def test_events_cli_writes_every_field(tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.csv", ROWS)
    out = tmp_path / "values.csv"
    args = ["events", "--events", str(events), "--units", str(SMALL / "units.csv")]
    assert main([*args, "--engine", "numpy", "--out", str(out), "--quiet"]) == 0
    rows = _read(out)
    assert list(rows[0]) == ["code", "period", *FIELDS]
    assert [tuple(r.values()) for r in rows] == [
        ("M-0001", "2021-01", "1", "0", "50.5", "1", "1"),
        ("M-0001", "2021-02", "3", "1", "125.25", "1", "2"),
        ("M-0002", "2021-02", "0", "1", "0.0", "0", "0"),
    ]


def test_drop_bad_rows_cli(tmp_path: Path, capsys) -> None:
    bad = [["M-9999", "2021-01-31T20:00:00Z", "bill", "1", "success", ""]]
    events = write_events(tmp_path / "e.csv", [*bad, *ROWS])
    out = tmp_path / "values.csv"
    args = ["events", "--events", str(events), "--units", str(SMALL / "units.csv")]
    assert main([*args, "--out", str(out)]) == 2
    assert "line 2, column 'machine'" in capsys.readouterr().err
    assert not out.exists()
    assert main([*args, "--out", str(out), "--drop-bad-rows"]) == 0
    assert "1 row dropped (machine 1)" in capsys.readouterr().out
    rejects = _read(tmp_path / "values.rejects.csv")
    assert [(r["row"], r["column"], r["value"]) for r in rejects] == [("2", "machine", "M-9999")]


def test_emitra_takes_transactions_from_values(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(JAIPUR, folder)
    machines = pl.read_csv(folder / "emitra_machines.csv", infer_schema=False)
    machines.drop("transactions").write_csv(folder / "emitra_machines.csv")
    values = tmp_path / "values.csv"
    machines.select("code", "period", "transactions").filter(
        pl.col("transactions").is_not_null() & (pl.col("transactions") != "")
    ).write_csv(values)
    with_column = load(JAIPUR, units=JAIPUR / "units.csv")
    from_values = load(folder, units=folder / "units.csv", values=values)
    assert from_values.values is None  # the field went into the machines table
    period = with_column.periods()[-1]
    a, b = with_column.score(period), from_values.score(period)
    for level in a.framework.levels:
        assert np.array_equal(a.level(level).score, b.level(level).score, equal_nan=True)
        for name, column in a.level(level).fields.items():
            assert np.array_equal(column, b.level(level).fields[name], equal_nan=True), name


def test_emitra_without_transactions_anywhere(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(JAIPUR, folder)
    machines = pl.read_csv(folder / "emitra_machines.csv", infer_schema=False)
    machines.drop("transactions").write_csv(folder / "emitra_machines.csv")
    job = load(folder, units=folder / "units.csv")
    result = job.score(job.periods()[-1])
    assert np.isnan(result.level("machine").fields["transactions"]).all()
    assert np.isnan(result.level("machine").fields["transacting"]).all()


def test_events_cli_dask_engine_with_a_scheduler(tmp_path: Path) -> None:
    events = write_events(tmp_path / "e.csv", ROWS)
    args = ["events", "--events", str(events), "--units", str(SMALL / "units.csv"), "--quiet"]
    numpy_out, dask_out = tmp_path / "numpy.csv", tmp_path / "dask.csv"
    assert main([*args, "--out", str(numpy_out)]) == 0
    # Dask's own synchronous scheduler: the same command path without starting a cluster.
    dask = ["--engine", "dask", "--scheduler", "synchronous", "--out", str(dask_out)]
    assert main([*args, *dask]) == 0
    assert dask_out.read_bytes() == numpy_out.read_bytes()


def test_scheduler_needs_the_dask_engine(tmp_path: Path, capsys) -> None:
    events = write_events(tmp_path / "e.csv", ROWS)
    args = ["events", "--events", str(events), "--units", str(SMALL / "units.csv")]
    out = tmp_path / "values.csv"
    assert main([*args, "--scheduler", "tcp://127.0.0.1:8786", "--out", str(out)]) == 2
    assert "--scheduler needs --engine dask; got --engine numpy" in capsys.readouterr().err
    assert not out.exists()
