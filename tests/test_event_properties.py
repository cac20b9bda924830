"""Hypothesis: generated event logs, written as CSV or Parquet (text or Parquet timestamps, any
row groups, empty files, every timestamp form), rolled up by ``roll_up`` in any batch size give
what a slow pure-Python roll-up of the same events gives."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.events import roll_up
from tests.event_reference import KOLKATA, Event, reference_rollup

SMALL = datasets.path("small")
#: The small data set's machine codes (read here without keeping a Hierarchy alive for the
#: session: tests/test_pickle.py walks everything a result reaches, modules included).
CODES = [
    row.split(",")[1]
    for row in (SMALL / "units.csv").read_text(encoding="utf-8").splitlines()
    if row.startswith("machine,")
]


@pytest.fixture(scope="module")
def units() -> eg.Hierarchy:
    fw = eg.Framework.from_toml(SMALL / "framework.toml")
    return eg.Hierarchy.from_csv(SMALL / "units.csv", fw.levels)


ZONES = [None, dt.UTC, KOLKATA, dt.timezone(dt.timedelta(hours=-3, minutes=-30))]


def _text(when: dt.datetime, form: int) -> str:
    """The time in one of the accepted forms (``form`` picks separator, seconds, offset)."""
    sep = "T" if form % 2 else " "
    text = when.isoformat(sep=sep, timespec="seconds" if form % 3 else "minutes")
    if when.tzinfo is dt.UTC and form % 4 == 0:
        text = text.removesuffix("+00:00") + "Z"
    elif when.tzinfo is not None and form % 5 == 0:
        text = text[:-3] + text[-2:]  # ±HHMM
    return text


_EVENT = st.builds(
    lambda machine, when, zone, service, paise, ok, form: (
        Event(machine, when.replace(tzinfo=zone), service, paise / 100, ok),
        form,
    ),
    st.integers(0, len(CODES) - 1),
    # seconds only: the minutes form drops them, so keep them zero there
    st.datetimes(min_value=dt.datetime(2021, 1, 30), max_value=dt.datetime(2021, 2, 2)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.sampled_from(ZONES),
    st.sampled_from(["bill", "licence", "बिजली बिल", "x,y"]),
    st.integers(0, 10_000_000),
    st.booleans(),
    st.integers(0, 59),
)


def _write(folder: Path, files: list[list[tuple[Event, int]]], kind: str, groups: int) -> None:
    for i, part in enumerate(files):  # a loop over the generated files
        rows = [
            {
                "machine": CODES[e.machine],
                "timestamp": _text(e.when, form),
                "service": e.service,
                "amount": f"{e.amount:.2f}",
                "status": "success" if e.success else "failed",
            }
            for e, form in part
        ]
        if kind == "csv":
            with (folder / f"{i}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, ["machine", "timestamp", "service", "amount", "status"])
                writer.writeheader()
                writer.writerows(rows)
            continue
        columns = {k: [r[k] for r in rows] for k in ("machine", "timestamp", "service", "status")}
        if kind == "parquet-stamps":
            stamps = [
                (e.when if e.when.tzinfo else e.when.replace(tzinfo=KOLKATA)) for e, _ in part
            ]
            timestamp = pa.array(stamps, pa.timestamp("s", tz="UTC"))
        else:
            timestamp = pa.array(columns["timestamp"], pa.string())
        table = pa.table(
            {
                "machine": pa.array(columns["machine"], pa.string()),
                "timestamp": timestamp,
                "service": pa.array(columns["service"], pa.string()),
                "amount": pa.array([e.amount for e, _ in part], pa.float64()),
                "status": pa.array(columns["status"], pa.string()),
            }
        )
        pq.write_table(table, folder / f"{i}.parquet", row_group_size=groups)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.lists(_EVENT, max_size=12), min_size=1, max_size=3),
    kind=st.sampled_from(["csv", "parquet-text", "parquet-stamps"]),
    groups=st.integers(1, 5),
    batch_rows=st.integers(1, 7),
)
def test_roll_up_matches_reference(
    units: eg.Hierarchy,
    files: list[list[tuple[Event, int]]],
    kind: str,
    groups: int,
    batch_rows: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, files, kind, groups)
        rollup = roll_up(folder, units, batch_rows=batch_rows)
    events = [e for part in files for e, _ in part]
    want = {(CODES[m], period): row for (m, period), row in reference_rollup(events).items()}
    cols = rollup.columns()
    got = {
        (code, period): {
            name: float(cols[name][i]) for name in cols if name not in ("code", "period")
        }
        for i, (code, period) in enumerate(
            zip(cols["code"].tolist(), cols["period"].tolist(), strict=True)
        )
    }
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=0, abs=1e-9)
