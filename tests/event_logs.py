"""Generated e-Mitra transaction logs: a state's units and a year of transactions as Parquet.

Used by the engines' agreement test (5M rows) and ``benchmarks/events_100m.py`` (100M rows).
Generated chunk by chunk (one chunk = one row group), so memory is bounded by a chunk.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import egov_score as eg

#: Services an e-Mitra kiosk offers, with their share of transactions.
SERVICES = {
    "electricity bill": 0.22,
    "water bill": 0.10,
    "mobile recharge": 0.12,
    "bhamashah enrolment": 0.06,
    "jan aadhaar": 0.08,
    "income certificate": 0.05,
    "caste certificate": 0.05,
    "domicile certificate": 0.04,
    "birth certificate": 0.03,
    "death certificate": 0.02,
    "ration card": 0.04,
    "pension application": 0.03,
    "land record copy": 0.04,
    "driving licence fee": 0.02,
    "vehicle tax": 0.02,
    "exam form": 0.03,
    "scholarship form": 0.02,
    "insurance premium": 0.01,
    "gas booking": 0.01,
    "property tax": 0.01,
}
#: The share of transactions that fail.
FAILED_SHARE = 0.06
YEAR_START = dt.datetime(2024, 4, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))


def machine_codes(n: int) -> list[str]:
    """The codes of ``n`` machines."""
    return [f"EM-{i:06d}" for i in range(n)]


def state_units(n_machines: int) -> eg.Hierarchy:
    """A division, 33 districts, 300 blocks and ``n_machines`` e-Mitra machines."""
    codes = machine_codes(n_machines)
    blocks = [f"B-{i:03d}" for i in range(300)]
    districts = [f"D-{i:02d}" for i in range(33)]
    level = ["division"] + ["district"] * 33 + ["block"] * 300 + ["machine"] * n_machines
    code = ["DIV-1", *districts, *blocks, *codes]
    parent = (
        [""]
        + ["DIV-1"] * 33
        + [districts[i % 33] for i in range(300)]
        + [blocks[i % 300] for i in range(n_machines)]
    )
    table = pa.table({"level": level, "code": code, "name": code, "parent": parent})
    return eg.Hierarchy.from_frame(table, ["division", "district", "block", "machine"])


def log_chunk(rng: np.random.Generator, rows: int, n_machines: int, days: int) -> pa.Table:
    """``rows`` transactions over ``days`` days from :data:`YEAR_START` (machine and status
    dictionary-encoded, UTC timestamps, amounts in rupees and paise)."""
    busy = rng.pareto(2.0, n_machines) + 0.2  # some kiosks are far busier than others
    machine = rng.choice(n_machines, size=rows, p=busy / busy.sum()).astype(np.int32)
    start = int(YEAR_START.timestamp())
    # Kiosks work 08:00-20:00 local time.
    seconds = (
        start + rng.integers(0, days, rows) * 86_400 + 8 * 3600 + rng.integers(0, 12 * 3600, rows)
    )
    names = list(SERVICES)
    share = np.array(list(SERVICES.values()))
    service = rng.choice(len(names), size=rows, p=share / share.sum()).astype(np.int32)
    amount = np.round(rng.lognormal(5.0, 1.1, rows), 2)
    failed = (rng.random(rows) < FAILED_SHARE).astype(np.int32)
    return pa.table(
        {
            "machine": pa.DictionaryArray.from_arrays(
                pa.array(machine), pa.array(machine_codes(n_machines))
            ),
            "timestamp": pa.array(seconds.astype("datetime64[s]"), pa.timestamp("s", tz="UTC")),
            "service": pa.DictionaryArray.from_arrays(pa.array(service), pa.array(names)),
            "amount": pa.array(amount),
            "status": pa.DictionaryArray.from_arrays(
                pa.array(failed), pa.array(["success", "failed"])
            ),
            "operator": pa.array(np.full(rows, "kiosk"), pa.string()),
        }
    )


def write_log(
    folder: Path,
    rows: int,
    *,
    n_machines: int,
    files: int,
    row_group_rows: int,
    days: int = 365,
    seed: int = 17,
) -> list[Path]:
    """Write ``rows`` transactions as ``files`` Parquet files of row groups of
    ``row_group_rows`` rows, one chunk at a time; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    per_file = -(-rows // files)
    paths = []
    left = rows
    for f in range(files):  # a loop over files and row groups, not rows
        path = folder / f"part-{f:03d}.parquet"
        in_file = min(per_file, left)
        left -= in_file
        writer = None
        for start in range(0, in_file, row_group_rows):
            chunk = log_chunk(rng, min(row_group_rows, in_file - start), n_machines, days)
            if writer is None:
                writer = pq.ParquetWriter(path, chunk.schema)
            writer.write_table(chunk, row_group_size=row_group_rows)
        if writer is not None:
            writer.close()
            paths.append(path)
    return paths
