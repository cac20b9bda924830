"""The Dask engine on a ``distributed.LocalCluster``: a generated 5M-row log (4 Parquet files,
20 row groups) rolled up by the numpy, polars and Dask engines gives one table; an error on a
worker comes back as the numpy engine's message; ``--scheduler`` connects to a running
cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import egov_score as eg
from egov_score.events import roll_up
from egov_score.exceptions import InputError
from tests.event_logs import state_units, write_log

distributed = pytest.importorskip("distributed")

ROWS = 5_000_000
MACHINES = 2_000


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("log5m")
    return write_log(folder, ROWS, n_machines=MACHINES, files=4, row_group_rows=250_000)


@pytest.fixture(scope="module")
def units() -> eg.Hierarchy:
    return state_units(MACHINES)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=":0", silence_logs=40
    ) as running:
        yield running


def test_three_engines_agree_on_5m_rows(log: list[Path], units: eg.Hierarchy) -> None:
    numpy_run = roll_up(log, units)
    polars_run = roll_up(log, units, engine="polars")
    # The engine's own LocalCluster: two worker processes, closed on return.
    dask_run = roll_up(log, units, engine="dask", options={"workers": 2})
    assert numpy_run.rows == polars_run.rows == dask_run.rows == ROWS
    expected = numpy_run.columns()
    assert int(expected["transactions"].sum() + expected["failed_transactions"].sum()) == ROWS
    assert len(expected["code"]) == MACHINES * 12  # every machine in each of the 12 months
    for run in (polars_run, dask_run):
        got = run.columns()
        for name in expected:  # a loop over columns
            np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


def test_worker_error_is_the_numpy_message(
    tmp_path: Path, units: eg.Hierarchy, cluster: Any
) -> None:
    path = tmp_path / "e.parquet"
    table = pa.table(
        {
            "machine": ["EM-000001"],
            "timestamp": ["2024-05-01T10:00"],
            "service": ["water bill"],
            "amount": [True],  # a type that cannot hold an amount: refused on the worker
            "status": ["success"],
        }
    )
    pq.write_table(table, path)
    with pytest.raises(InputError) as numpy_error:
        roll_up([path], units)
    with pytest.raises(InputError) as dask_error:
        roll_up([path], units, engine="dask", options={"scheduler": cluster.scheduler_address})
    assert "column 'amount' must hold numbers; got Parquet type 'bool'" in str(numpy_error.value)
    assert str(dask_error.value) == str(numpy_error.value)


def test_scheduler_address_runs_there(tmp_path: Path, units: eg.Hierarchy, cluster: Any) -> None:
    path = tmp_path / "e.parquet"
    write = {
        "machine": ["EM-000001", "EM-000002", "EM-000001"],
        "timestamp": ["2024-05-01T10:00", "2024-05-01T10:00", "2024-04-30T20:00Z"],
        "service": ["water bill", "water bill", "jan aadhaar"],
        "amount": [10.0, 20.0, 30.0],
        "status": ["success", "failed", "success"],
    }
    pq.write_table(pa.table(write), path)
    got = roll_up([path], units, engine="dask", options={"scheduler": cluster.scheduler_address})
    assert got.columns()["period"].tolist() == ["2024-05", "2024-05"]
    assert got.columns()["services_used"].tolist() == [2, 0]
    assert got.columns()["active_days"].tolist() == [1, 0]


def test_unreachable_scheduler(tmp_path: Path, units: eg.Hierarchy) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(
        pa.table({n: ["x"] for n in ("machine", "timestamp", "service", "amount", "status")}),
        path,
    )
    options = {"scheduler": "tcp://127.0.0.1:9", "timeout": "1s"}
    with pytest.raises(InputError, match="must be the address of a running Dask scheduler"):
        roll_up([path], units, engine="dask", options=options)


@pytest.mark.parametrize("address", ["foo", "tcp://no-port"])
def test_a_scheduler_that_is_not_an_address(
    tmp_path: Path, units: eg.Hierarchy, address: str
) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(
        pa.table({n: ["x"] for n in ("machine", "timestamp", "service", "amount", "status")}),
        path,
    )
    options = {"scheduler": address, "timeout": "1s"}
    with pytest.raises(InputError, match="must be the address of a running Dask scheduler"):
        roll_up([path], units, engine="dask", options=options)
