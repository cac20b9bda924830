"""Generated transaction logs for the event roll-up benchmarks and scale tests.

:func:`write_event_log` writes ``rows`` events over the given machine codes as Parquet, one row
group of ``row_group_rows`` at a time (so a 100M-row log never sits in memory): times spread
over ``days`` days from ``start`` (UTC instants as Parquet timestamps, or ISO 8601 text with an
offset when ``text_times``), a service among ``services`` names, amounts in whole paise, one
event in ten failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["write_event_log"]


def _chunk(
    rng: np.random.Generator,
    n: int,
    codes: np.ndarray,
    services: np.ndarray,
    start: int,
    seconds: int,
    text_times: bool,
) -> pa.Table:
    machine = rng.integers(0, len(codes), n)
    when = start + rng.integers(0, seconds, n)
    if text_times:
        # ISO 8601 with a +05:30 offset, as a state's MIS might export it
        local = (when + 19_800).astype("datetime64[s]")
        stamps = pa.array(np.char.add(np.datetime_as_string(local, unit="s"), "+05:30"))
    else:
        stamps = pa.array(when.astype("datetime64[s]"), pa.timestamp("s", tz="UTC"))
    return pa.table(
        {
            "machine": pa.DictionaryArray.from_arrays(
                pa.array(machine.astype(np.int32)), pa.array(codes)
            ),
            "timestamp": stamps,
            "service": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(services), n).astype(np.int32)), pa.array(services)
            ),
            "amount": rng.integers(0, 50_000, n) / 100.0,
            "status": pa.DictionaryArray.from_arrays(
                pa.array((rng.random(n) < 0.1).astype(np.int32)), pa.array(["success", "failed"])
            ),
        }
    )


def write_event_log(
    path: str | Path,
    rows: int,
    machine_codes: Sequence[str] | np.ndarray,
    *,
    seed: int = 1,
    start: str = "2021-01-01T00:00:00",
    days: int = 365,
    services: int = 40,
    row_group_rows: int = 1_000_000,
    text_times: bool = False,
) -> Path:
    """Write a generated event log (see the module) and return its path."""
    rng = np.random.default_rng(seed)
    codes = np.asarray(machine_codes, dtype=str)
    names = np.array([f"service-{i:03d}" for i in range(services)])
    first = int(np.datetime64(start, "s").astype(np.int64))
    out = Path(path)
    writer: pq.ParquetWriter | None = None
    try:
        for at in range(0, rows, row_group_rows):  # a loop over row groups
            n = min(row_group_rows, rows - at)
            table = _chunk(rng, n, codes, names, first, days * 86_400, text_times)
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema)
            writer.write_table(table, row_group_size=row_group_rows)
        if writer is None:  # no rows: an empty file with the schema
            pq.write_table(_chunk(rng, 0, codes, names, first, 86_400, text_times), out)
    finally:
        if writer is not None:
            writer.close()
    return out
