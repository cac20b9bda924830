"""Event files rolled up by ``egov_score.events.roll_up``: CSV and Parquet (row groups, several
files, a directory), the errors naming file, row group, row and value, and ``drop_bad_rows``."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.events import EventRollup, roll_up
from egov_score.exceptions import InputError
from egov_score.io.events import event_files

SMALL = datasets.path("small")
HEADER = ["machine", "timestamp", "service", "amount", "status", "operator"]
ROWS = [
    ["M-0001", "2021-01-31T20:00:00Z", "bill", "100", "success", "a"],  # Feb in Kolkata
    ["M-0001", "2021-01-31T23:59:00", "bill", "50.5", "success", "b"],  # Jan
    ["M-0001", "2021-02-01T10:00:00+05:30", "licence", "20", "success", ""],
    ["M-0001", "2021-02-01 11:00", "bill", "5.25", "SUCCESS", ""],
    ["M-0001", "2021-02-07T11:00", "certificate", "999", "failed", ""],
    ["M-0002", "2021-02-03T09:00", "bill", "10", "failed", ""],
]


@pytest.fixture(scope="module")
def units() -> eg.Hierarchy:
    fw = eg.Framework.from_toml(SMALL / "framework.toml")
    return eg.Hierarchy.from_csv(SMALL / "units.csv", fw.levels)


def write_events(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def as_rows(rollup: EventRollup) -> list[tuple[object, ...]]:
    cols = rollup.columns()
    return list(zip(*(c.tolist() for c in cols.values()), strict=True))


EXPECTED = [
    ("M-0001", "2021-01", 1, 0, 50.5, 1, 1),
    ("M-0001", "2021-02", 3, 1, 125.25, 1, 2),
    ("M-0002", "2021-02", 0, 1, 0.0, 0, 0),
]


def test_csv_known_answer(tmp_path: Path, units: eg.Hierarchy) -> None:
    rollup = roll_up(write_events(tmp_path / "e.csv", ROWS), units)
    assert list(rollup.columns()) == [
        "code",
        "period",
        "transactions",
        "failed_transactions",
        "amount",
        "active_days",
        "services_used",
    ]
    assert as_rows(rollup) == EXPECTED
    assert rollup.rows == 6


def test_batches_and_files_give_the_same(tmp_path: Path, units: eg.Hierarchy) -> None:
    one = roll_up(write_events(tmp_path / "all.csv", ROWS), units)
    folder = tmp_path / "parts"
    (folder / "a").mkdir(parents=True)
    write_events(folder / "a" / "1.csv", ROWS[:2])
    write_events(folder / "2.csv", ROWS[2:])
    write_events(folder / "3.csv", [])
    (folder / "notes.txt").write_text("ignored")
    parts = roll_up(folder, units, batch_rows=1)
    assert as_rows(parts) == as_rows(one)


def _arrow(rows: list[list[str]], *, timestamps: str = "text") -> pa.Table:
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in HEADER]
    data = {name: list(col) for name, col in zip(HEADER, cols, strict=True)}
    table = pa.table(
        {
            "machine": pa.array(data["machine"], pa.string()).dictionary_encode(),
            "timestamp": pa.array(data["timestamp"], pa.string()),
            "service": pa.array(data["service"], pa.large_string()),
            "amount": pa.array([float(a) for a in data["amount"]], pa.float64()),
            "status": pa.array(data["status"], pa.string()),
            "extra": pa.array(range(len(rows)), pa.int64()),
        }
    )
    if timestamps != "text":
        import datetime as dt

        parsed = [dt.datetime.fromisoformat(t) for t in data["timestamp"]]
        if timestamps == "utc":
            values = [
                (p if p.tzinfo else p.replace(tzinfo=dt.timezone(dt.timedelta(hours=5.5))))
                for p in parsed
            ]
            arr = pa.array(values, pa.timestamp("ms", tz="UTC"))
        else:  # naive wall-clock times in Kolkata
            kolkata = dt.timezone(dt.timedelta(hours=5.5))
            values = [
                (p.astimezone(kolkata).replace(tzinfo=None) if p.tzinfo else p) for p in parsed
            ]
            arr = pa.array(values, pa.timestamp("us"))
        table = table.set_column(1, "timestamp", arr)
    return table


@pytest.mark.parametrize("timestamps", ["text", "utc", "naive"])
def test_parquet_row_groups(tmp_path: Path, units: eg.Hierarchy, timestamps: str) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(_arrow(ROWS, timestamps=timestamps), path, row_group_size=2)
    assert pq.ParquetFile(path).num_row_groups == 3
    assert as_rows(roll_up(path, units)) == EXPECTED
    assert as_rows(roll_up([path, tmp_path / "e.parquet"], units, batch_rows=1)) == [
        (c, p, 2 * t, 2 * f, 2 * a, d, s) for c, p, t, f, a, d, s in EXPECTED
    ]


def test_empty_files(tmp_path: Path, units: eg.Hierarchy) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(_arrow([]), path)
    assert as_rows(roll_up(path, units)) == []
    assert as_rows(roll_up(write_events(tmp_path / "e.csv", []), units)) == []


def test_problems_name_file_row_column_and_value(tmp_path: Path, units: eg.Hierarchy) -> None:
    bad = [
        ["M-9999", "2021-01-31T20:00:00Z", "bill", "100", "success", ""],
        ["M-0001", "31/01/2021", "bill", "1", "success", ""],
        ["M-0001", "2021-01-31T20:00", "", "-5", "ok", ""],
        ["M-0001", "2021-01-31T20:00", "bill", "nan", "failed", ""],
        *ROWS,
    ]
    path = write_events(tmp_path / "e.csv", bad)
    with pytest.raises(InputError) as err:
        roll_up(path, units)
    msg = str(err.value)
    assert "6 problems in 4 rows" in msg
    assert f"{path}, line 2, column 'machine'" in msg
    assert "got 'M-9999'" in msg
    assert f"{path}, line 3, column 'timestamp'" in msg
    assert "got '31/01/2021'" in msg
    assert "line 4, column 'service': service must not be empty; got ''" in msg
    assert "line 4, column 'amount'" in msg
    assert "got '-5'" in msg
    assert "line 4, column 'status': status must be 'success' or 'failed'; got 'ok'" in msg
    assert "line 5, column 'amount'" in msg
    assert "got 'nan'" in msg
    assert "--drop-bad-rows" in msg


def test_parquet_problems_name_row_group(tmp_path: Path, units: eg.Hierarchy) -> None:
    rows = [*ROWS, ["M-0001", "2021-02-01T10:00", "bill", "-1", "success", ""]]
    path = tmp_path / "e.parquet"
    pq.write_table(_arrow(rows), path, row_group_size=4)
    with pytest.raises(InputError, match=r"row group 1, row 2, column 'amount'.*got '-1\.0'"):
        roll_up(path, units)


def test_drop_bad_rows_writes_rejects(tmp_path: Path, units: eg.Hierarchy) -> None:
    bad = [
        ["M-9999", "2021-01-31T20:00:00Z", "=cmd()", "100", "success", ""],
        ["M-0001", "2021-01-31T20:00", "", "-5", "ok", ""],
    ]
    path = write_events(tmp_path / "e.csv", [*bad, *ROWS])
    rejects = tmp_path / "rejects.csv"
    rollup = roll_up(path, units, drop_bad_rows=True, rejects=rejects)
    assert as_rows(rollup) == EXPECTED
    assert rollup.rejects.rows_dropped == 2
    assert rollup.rejects.counts == {
        "machine": 1,
        "timestamp": 0,
        "service": 1,
        "amount": 1,
        "status": 1,
    }
    with rejects.open(encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    assert [(r["row"], r["column"], r["value"]) for r in lines] == [
        ("2", "machine", "M-9999"),
        ("3", "service", ""),
        ("3", "amount", "-5"),
        ("3", "status", "ok"),
    ]
    assert {r["file"] for r in lines} == {str(path)}
    assert {r["row_group"] for r in lines} == {"-1"}


def test_missing_columns(tmp_path: Path, units: eg.Hierarchy) -> None:
    header = ["machine", "time", "service", "amount", "status"]
    path = write_events(tmp_path / "e.csv", [], header)
    with pytest.raises(InputError, match=r"\['timestamp'\] are missing.*did you mean 'time'"):
        roll_up(path, units)


def test_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must exist"):
        event_files([tmp_path / "nope.parquet"])
    with pytest.raises(InputError, match=r"must hold \.parquet"):
        event_files([tmp_path])
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match=r"\.parquet, \.pq or \.csv"):
        event_files([tmp_path / "x.json"])


def test_to_values(tmp_path: Path, units: eg.Hierarchy) -> None:
    rollup = roll_up(write_events(tmp_path / "e.csv", ROWS), units)
    values = rollup.to_values(["transactions"])
    assert values.period_list == ("2021-01", "2021-02")
    machine = values.at("2021-02")[-1]["transactions"]
    codes = units.levels[-1].codes.tolist()
    assert machine[codes.index("M-0001")] == 3
    assert machine[codes.index("M-0002")] == 0
    assert np.isnan(machine[codes.index("M-0003")])


def test_progress_records(tmp_path: Path, units: eg.Hierarchy, caplog) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(_arrow(ROWS), path, row_group_size=2)
    with caplog.at_level(logging.INFO, logger="egov_score"):
        roll_up(path, units, batch_rows=2)
    steps = [r for r in caplog.records if getattr(r, "egov_step", None) == "rolling up events"]
    assert [(r.egov_done, r.egov_total) for r in steps] == [(2, 6), (4, 6), (6, 6)]
