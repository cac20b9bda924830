"""The numpy, polars and Dask engines give one answer: the same machine-month table, the same
error message and the same rejects file, on generated logs (every timestamp form, empty row
groups and files, one machine per row group, month boundaries in local time vs UTC)."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.events import ENGINES, roll_up
from egov_score.exceptions import InputError
from tests.event_reference import KOLKATA, Event, reference_rollup

SMALL = datasets.path("small")
MACHINES = [f"M-{i:04d}" for i in range(1, 11)]
#: The Dask engine on Dask's synchronous scheduler (the LocalCluster runs in
#: tests/test_event_engines_cluster.py).
ENGINE_OPTIONS: dict[str, dict[str, Any]] = {
    "numpy": {},
    "polars": {},
    "dask": {"scheduler": "synchronous"},
}


@pytest.fixture(scope="module")
def units() -> eg.Hierarchy:
    fw = eg.Framework.from_toml(SMALL / "framework.toml")
    return eg.Hierarchy.from_csv(SMALL / "units.csv", fw.levels)


def test_engines_are_registered() -> None:
    assert {"numpy", "polars", "dask"} <= set(ENGINES)


# --- generated logs ----------------------------------------------------------------------------

_UTC = dt.UTC
# Instants around local and UTC month ends (2021-01-31T18:30Z is 2021-02-01 00:00 in Kolkata).
_EDGES = [
    dt.datetime(2021, 1, 31, 18, 30, tzinfo=_UTC),
    dt.datetime(2021, 2, 28, 18, 30, tzinfo=_UTC),
    dt.datetime(2021, 3, 1, 0, 0, tzinfo=_UTC),
    dt.datetime(2020, 12, 31, 18, 30, tzinfo=_UTC),
]
_INSTANTS = st.one_of(
    st.builds(
        lambda edge, shift: edge + dt.timedelta(seconds=shift),
        st.sampled_from(_EDGES),
        st.integers(-7200, 7200),
    ),
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2022, 12, 31),
        timezones=st.just(_UTC),
    ),
)
_ZONES = [
    None,
    _UTC,
    KOLKATA,
    dt.timezone(dt.timedelta(hours=-3)),
    dt.timezone(dt.timedelta(hours=9, minutes=45)),
]
_SERVICES = ["bill", " bill ", "licence", "certificate", "जन्म प्रमाण पत्र"]
_AMOUNTS = [0.0, 0.005, 0.015, 1.125, 100.0, 12.345, 999999.99]
_STATUSES = ["success", "failed", " SUCCESS ", "Failed"]


def _text(when: Any, zone: Any, form: int) -> str:
    """``when`` as ISO 8601 text in the zone (None = Kolkata wall clock, no offset; "raw":
    ``when`` is the text itself, a bad timestamp)."""
    if zone == "raw":
        return str(when)
    local = when.astimezone(zone or KOLKATA)
    body = local.strftime("%Y-%m-%d" + ("T" if form % 2 else " ") + "%H:%M")
    if form % 3:
        body += local.strftime(":%S") + (".123" if form % 5 == 0 else "")
    if zone is None:
        return body
    if zone is _UTC and form % 2:
        return body + "Z"
    offset = local.strftime("%z")  # +0530
    return body + (offset if form % 4 == 0 else f"{offset[:3]}:{offset[3:]}")


_ROW = st.tuples(
    st.integers(0, len(MACHINES) - 1),
    _INSTANTS,
    st.sampled_from(_SERVICES),
    st.sampled_from(_AMOUNTS),
    st.sampled_from(_STATUSES),
    st.sampled_from(_ZONES),
    st.integers(0, 11),
)
_GROUPS = st.lists(st.lists(_ROW, max_size=12), min_size=0, max_size=3)
_FILES = st.lists(
    st.tuples(st.sampled_from(["text", "utc", "naive", "csv"]), _GROUPS), min_size=1, max_size=3
)

Row = tuple[int, dt.datetime, str, float, str, dt.tzinfo | None, int]


def _columns(rows: list[Row], form: str) -> dict[str, Any]:
    machine = [r[0] if isinstance(r[0], str) else MACHINES[r[0]] for r in rows]
    if form == "utc":
        stamps: Any = pa.array([r[1] for r in rows], pa.timestamp("us", tz="UTC"))
    elif form == "naive":
        wall = [r[1].astimezone(KOLKATA).replace(tzinfo=None) for r in rows]
        stamps = pa.array(wall, pa.timestamp("ms"))
    else:
        stamps = [_text(r[1], r[5], r[6]) for r in rows]
    return {
        "machine": machine,
        "timestamp": stamps,
        "service": [r[2] for r in rows],
        "amount": [r[3] for r in rows],
        "status": [r[4] for r in rows],
    }


def write_files(folder: Path, files: list[tuple[str, list[list[Row]]]]) -> list[Path]:
    """One file per entry: Parquet with one row group per group (empty ones too), or CSV."""
    paths = []
    for i, (form, groups) in enumerate(files):  # a loop over generated files
        if form == "csv":
            path = folder / f"{i}.csv"
            cols = _columns([r for g in groups for r in g], "text")
            lines = ["machine,timestamp,service,amount,status"]
            lines += [
                ",".join([m, t, s, repr(a), st_])
                for m, t, s, a, st_ in zip(*cols.values(), strict=True)
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            path = folder / f"{i}.parquet"
            schema = pa.table(_columns(groups[0] if groups else [], form)).schema
            if form == "text":
                schema = schema.set(1, pa.field("timestamp", pa.string()))
            schema = schema.set(3, pa.field("amount", pa.float64()))
            schema = schema.set(0, pa.field("machine", pa.string()))
            for name in (2, 4):
                schema = schema.set(name, pa.field(schema.names[name], pa.string()))
            with pq.ParquetWriter(path, schema) as writer:
                for group in groups:
                    writer.write_table(pa.table(_columns(group, form), schema=schema))
        paths.append(path)
    return paths


def _events(files: list[tuple[str, list[list[Row]]]]) -> list[Event]:
    return [
        Event(r[0] + 1, r[1], r[2].strip(), r[3], r[4].strip().lower() == "success")
        for _, groups in files
        for g in groups
        for r in g
    ]


def run_all(paths: list[Path], units: eg.Hierarchy, **kw: Any) -> dict[str, Any]:
    """Each engine's roll-up, or the message of its error."""
    out: dict[str, Any] = {}
    for name, options in ENGINE_OPTIONS.items():  # a loop over the engines
        try:
            rollup = roll_up(paths, units, engine=name, options=options, **kw)
        except InputError as exc:
            out[name] = str(exc)
        else:
            out[name] = rollup
    return out


def _same(a: Any, b: Any) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    ca, cb = a.columns(), b.columns()
    assert list(ca) == list(cb)
    for name in ca:  # a loop over columns
        assert ca[name].dtype == cb[name].dtype, name
        np.testing.assert_array_equal(ca[name], cb[name], err_msg=name)
    assert a.rows == b.rows


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_FILES)
def test_engines_agree_on_generated_logs(
    units: eg.Hierarchy, files: list[tuple[str, list[list[Row]]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(Path(tmp), files)
        results = run_all(paths, units)
    for name in ("polars", "dask"):
        _same(results["numpy"], results[name])
    expected = reference_rollup(_events(files))
    got = {
        (int(m) + 1, str(p)): dict(zip(["transactions", "failed_transactions"], v, strict=True))
        for m, p, *v in zip(
            results["numpy"].table.machine,
            results["numpy"].periods,
            results["numpy"].table.transactions,
            results["numpy"].table.failed_transactions,
            strict=True,
        )
    }
    assert got == {
        k: {"transactions": v["transactions"], "failed_transactions": v["failed_transactions"]}
        for k, v in expected.items()
    }


_BAD = st.sampled_from(
    [
        ("machine", "M-9999"),
        ("timestamp", "2021-02-30T10:00"),
        ("service", "   "),
        ("amount", -1.0),
        ("amount", float("nan")),
        ("status", "ok"),
    ]
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_FILES, st.lists(st.tuples(st.integers(0, 10_000), _BAD), min_size=1, max_size=4))
def test_engines_report_bad_rows_alike(
    units: eg.Hierarchy,
    files: list[tuple[str, list[list[Row]]]],
    bad: list[tuple[int, tuple[str, object]]],
) -> None:
    rows = [
        (f, g, r)
        for f, (_, gs) in enumerate(files)
        for g, rs in enumerate(gs)
        for r in range(len(rs))
    ]
    if not rows:
        return
    broken: list[tuple[str, list[list[Any]]]] = [
        (form, [list(g) for g in groups]) for form, groups in files
    ]
    for at, (column, value) in bad:  # a loop over the few rows made bad
        f, g, r = rows[at % len(rows)]
        row = list(broken[f][1][g][r])
        if column == "timestamp":
            if broken[f][0] != "text":
                continue
            row[1] = value  # written as given: _text's "raw"
            row[5] = "raw"
        else:
            row[{"machine": 0, "service": 2, "amount": 3, "status": 4}[column]] = value
        broken[f][1][g][r] = tuple(row)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_files(folder, broken)
        refused = run_all(paths, units)
        kept = {}
        for name, options in ENGINE_OPTIONS.items():  # a loop over the engines
            rejects = folder / f"rejects-{name}.csv"
            rollup = roll_up(
                paths, units, engine=name, options=options, drop_bad_rows=True, rejects=rejects
            )
            kept[name] = (rollup, rejects.read_bytes())
    for name in ("polars", "dask"):
        _same(refused["numpy"], refused[name])
        _same(kept["numpy"][0], kept[name][0])
        assert kept["numpy"][1] == kept[name][1]


def test_one_machine_per_row_group_and_empty_parts(tmp_path: Path, units: eg.Hierarchy) -> None:
    when = dt.datetime(2021, 1, 31, 18, 29, 59, tzinfo=_UTC)  # the last second of January
    groups: list[list[Row]] = [
        [(m, when + dt.timedelta(seconds=m), "bill", 10.0, "success", None, 1)] * 3
        for m in range(len(MACHINES))
    ]
    files: list[tuple[str, list[list[Row]]]] = [
        ("utc", [[], *groups[:5], []]),
        ("text", [[]]),
        ("naive", groups[5:]),
    ]
    paths = write_files(tmp_path, files)
    results = run_all(paths, units)
    for name in ("polars", "dask"):
        _same(results["numpy"], results[name])
    periods = results["numpy"].periods.tolist()
    assert periods == ["2021-01"] + ["2021-02"] * 9  # M-0001 at 23:59:59 local, the rest Feb
    assert results["numpy"].table.transactions.tolist() == [3] * 10


def test_missing_column_is_the_same_error(tmp_path: Path, units: eg.Hierarchy) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"machine": ["M-0001"], "when": ["2021-01-01T10:00"]}), path)
    results = run_all([path], units)
    assert "columns ['timestamp', 'service', 'amount', 'status'] are missing" in results["numpy"]
    assert results["numpy"] == results["polars"] == results["dask"]


def test_unknown_engine(tmp_path: Path, units: eg.Hierarchy) -> None:
    with pytest.raises(InputError, match=r"engine must be one of \['dask', 'numpy', 'polars'\]"):
        roll_up([SMALL / "units.csv"], units, engine="spark")


def test_missing_extras_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_score.events import dask_engine, polars_engine

    def absent(name: str) -> None:
        raise ImportError(name)

    monkeypatch.setitem(sys.modules, "polars", None)  # importing polars raises ImportError
    with pytest.raises(InputError, match=r"pip install 'egov-score\[polars\]'"):
        polars_engine.require_polars()
    monkeypatch.setattr(dask_engine.importlib, "import_module", absent)
    with pytest.raises(InputError, match=r"pip install 'egov-score\[dask\]'"):
        dask_engine.require_dask()


def test_polars_reads_valid_parquet_itself(
    tmp_path: Path, units: eg.Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from egov_score.events import polars_engine

    when = dt.datetime(2021, 2, 28, 18, 45, tzinfo=_UTC)  # 1 March 00:15 in Kolkata
    rows: list[Row] = [
        (m % 10, when + dt.timedelta(hours=m), _SERVICES[m % 5], 1.125, _STATUSES[m % 4], z, m)
        for m, z in enumerate(_ZONES * 4)
    ]
    paths = write_files(tmp_path, [("utc", [rows]), ("naive", [rows]), ("text", [rows, rows])])
    expected = roll_up(paths, units)
    calls: list[object] = []

    def numpy_instead(*args: object, **kw: object) -> object:
        calls.append(args)
        raise AssertionError("the polars engine fell back to the numpy engine")

    monkeypatch.setattr(polars_engine, "numpy_engine", numpy_instead)
    _same(expected, roll_up(paths, units, engine="polars"))
    assert not calls


def test_dask_progress_bar_on_stderr_only_when_asked(
    tmp_path: Path, units: eg.Hierarchy, capsys: pytest.CaptureFixture[str]
) -> None:
    when = dt.datetime(2021, 5, 1, 10, tzinfo=_UTC)
    paths = write_files(tmp_path, [("utc", [[(0, when, "bill", 1.0, "success", None, 0)]])])
    options: dict[str, Any] = {"scheduler": "synchronous"}
    roll_up(paths, units, engine="dask", options=options)
    quiet = capsys.readouterr()
    assert quiet.out == quiet.err == ""
    roll_up(paths, units, engine="dask", options={**options, "progress": True})
    shown = capsys.readouterr()
    assert shown.out == ""
    assert "100% Completed" in shown.err
