"""The event roll-up's numpy engine on a generated Parquet log (rows per second: rows / mean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.conftest import workload
from benchmarks.event_log import write_event_log
from egov_score.events import roll_up

ROWS = 2_000_000


@pytest.fixture(scope="module")
def event_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    w = workload(10_000)
    folder = tmp_path_factory.mktemp("events")
    codes = w.hierarchy.levels[-1].codes
    stamps = write_event_log(folder / "log.parquet", ROWS, codes, row_group_rows=500_000)
    text = write_event_log(
        folder / "log-text.parquet", ROWS // 4, codes, row_group_rows=500_000, text_times=True
    )
    return stamps, text


def test_events_numpy_engine(benchmark, event_log):
    w = workload(10_000)
    rollup = benchmark.pedantic(lambda: roll_up(event_log[0], w.hierarchy), rounds=1)
    assert rollup.rows == ROWS
    assert int(rollup.table.transactions.sum() + rollup.table.failed_transactions.sum()) == ROWS


def test_events_numpy_engine_text_times(benchmark, event_log):
    w = workload(10_000)
    rollup = benchmark.pedantic(lambda: roll_up(event_log[1], w.hierarchy), rounds=1)
    assert rollup.rows == ROWS // 4
