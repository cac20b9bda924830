"""The benchmark suite (pytest-benchmark). CI runs it once with ``--benchmark-disable``.

Timings are measured here and reported in ``docs/performance.md``; nothing here asserts a time.
The baselines assert that they compute the same numbers as egov_score before being timed.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest

import egov_score as eg
from benchmarks import geotags
from benchmarks.baselines import (
    assert_same,
    egov_score_result,
    pandas_score,
    polars_score,
    python_score,
)
from benchmarks.conftest import workload
from benchmarks.workload import FIELDS, memory_floor
from egov_score.io.table import Table, write_csv
from egov_score.kernels import aggregate, normalise, rank
from egov_score.kernels.rollup import roll_up

MILLION = 1_000_000


@pytest.mark.parametrize("parallel", [True, False], ids=["threads", "one-thread"])
def test_score(benchmark, sized, parallel):
    engine = eg.Engine(sized.framework, sized.hierarchy, parallel=parallel)
    # a new Values each round: its period lookup is part of the cost, not cached between runs
    result = benchmark(lambda: engine.score(sized.values, "2021-01"))
    assert len(result.level("machine")) == sized.n


def test_memory_floor(benchmark):
    w = workload(MILLION)
    total = benchmark(memory_floor, w)
    assert np.isfinite(total)


@pytest.mark.parametrize("baseline", [pandas_score, polars_score], ids=["pandas", "polars"])
def test_baseline(benchmark, sized, baseline):
    ours = egov_score_result(sized)
    theirs = benchmark(baseline, sized)
    assert_same(ours, theirs)


def test_baseline_python(benchmark):
    w = workload(1_000)
    ours = egov_score_result(w)
    assert_same(ours, benchmark(python_score, w))


# -- the steps on their own at 1 000 000 ---------------------------------------------------------


def test_step_rollup(benchmark):
    w = workload(MILLION)
    blocks = len(w.hierarchy.level("block"))

    def run():
        return [roll_up(w.fields[f], w.block_of, blocks, "sum") for f in FIELDS]

    assert len(benchmark(run)) == len(FIELDS)


def test_step_normalise(benchmark):
    w = workload(MILLION)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = w.fields["transactions"] / w.fields["installed"]
    x[~np.isfinite(x)] = np.nan
    groups = np.zeros(MILLION, dtype=np.intp)
    out = benchmark(normalise.minmax, x, groups, 1, 1)
    assert np.nanmax(out.scores) == 100.0


def test_step_aggregate(benchmark):
    rng = np.random.default_rng(0)
    columns = [rng.random(MILLION) * 100 for _ in range(3)]
    for c in columns:
        c[rng.random(MILLION) < 0.1] = np.nan
    out = benchmark(aggregate.arithmetic_columns, columns, np.array([1.0, 1.0, 2.0]), 0.5)
    assert out.shape == (MILLION,)


def test_step_rank(benchmark):
    w = workload(MILLION)
    scores = np.random.default_rng(0).random(MILLION) * 100
    ranks, in_parent = benchmark(rank.rank_two_ways, scores, None, w.block_of)
    assert ranks.max() == MILLION
    assert in_parent.max() <= 150


def test_step_band(benchmark):
    scores = np.random.default_rng(0).random(MILLION) * 100
    assert benchmark(rank.band, scores, (50.0, 65.0, 100.0)).max() == 2  # no score is 100


# -- loading, plugins, import, panels ------------------------------------------------------------


def test_load_values_csv(benchmark, tmp_path_factory):
    w = workload(MILLION)
    path = tmp_path_factory.mktemp("csv") / "values.csv"
    write_csv(
        path,
        {"code": w.hierarchy.level("machine").codes, "period": np.full(w.n, "2021-01"), **w.fields},
    )
    values = benchmark.pedantic(
        eg.Values.from_csv, args=(path, w.hierarchy, w.framework), rounds=1, iterations=1
    )
    np.testing.assert_array_equal(values.columns["transactions"], w.fields["transactions"])


def _emitra_table(n: int) -> tuple[eg.Engine, Callable[[], dict], eg.Values]:
    """The emitra plugin's raw table for the workload's first n machines, and the same fields
    as plain values, to time the plugin layer against the direct path."""
    w = workload(n)
    rng = np.random.default_rng(0)
    flags = {
        f: (w.fields[f] > 0).astype(int)
        for f in ("installed", "inspected", "geotagged", "nodal", "hours", "services")
    }
    tx = np.nan_to_num(w.fields["transactions"]).astype(int)
    columns = {
        "code": w.hierarchy.level("machine").codes,
        "period": np.full(n, "2021-01"),
        "allotted": np.ones(n, dtype=int),
        "installed": flags["installed"],
        "inspected": flags["inspected"] * flags["installed"],
        "geotagged": flags["geotagged"] * flags["installed"],
        "latitude": np.where(flags["geotagged"] * flags["installed"] > 0, 27.0, np.nan),
        "longitude": np.where(flags["geotagged"] * flags["installed"] > 0, 76.0, np.nan),
        "transactions": tx,
        "location": rng.choice(np.array(["gp", "rgsk", "office"]), n),
        "nodal_officer": flags["nodal"],
        "hours_displayed": flags["hours"],
        "services_displayed": flags["services"],
    }
    text = {
        k: (
            np.where(np.isnan(v), "", v.astype(str))
            if np.asarray(v).dtype.kind == "f"
            else np.asarray(v).astype(str)
        )
        for k, v in columns.items()
    }

    def tables() -> dict:
        # a new table each time: it keeps the numbers it parsed, and parsing is part of the cost
        rows = np.arange(2, n + 2, dtype=np.intp)
        return {"emitra": {"emitra_machines": Table("<bench>", tuple(text), text, rows)}}

    registry = eg.Registry(eg.make_plugin_manager(autoload=False))
    framework = registry.framework(list(w.hierarchy.level_names), active=["emitra"])
    engine = registry.engine(framework, w.hierarchy)
    loaded = registry.load(tables(), w.hierarchy, framework, "2021-01")
    level = loaded.levels[3]
    values = eg.Values(
        source="<direct>",
        periods=np.full(n, "2021-01"),
        depth=np.full(n, 3, dtype=np.intp),
        index=np.arange(n, dtype=np.intp),
        columns=level,
        level_sizes=tuple(len(lv) for lv in w.hierarchy.levels),
        field_levels=dict.fromkeys(level, 3),
    )
    return engine, registry, tables, values


@pytest.mark.parametrize("path", ["plugins", "direct"])
def test_plugin_layer_overhead(benchmark, path):
    engine, registry, tables, values = _emitra_table(100_000)
    if path == "plugins":

        def through_plugins(raw: dict) -> eg.Result:
            job = eg.Pipeline.build(
                engine.framework, engine.hierarchy, registry=registry, tables=raw
            )
            return job.score("2021-01")

        result = benchmark.pedantic(
            through_plugins, setup=lambda: ((tables(),), {}), rounds=5, iterations=1
        )
    else:
        result = benchmark(engine.score, values, "2021-01")
    assert len(result.level("machine")) == 100_000


@pytest.mark.parametrize("module", ["numpy", "egov_score"])
def test_import_time(benchmark, module):
    def run():
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)

    benchmark.pedantic(run, rounds=5, iterations=1)


def test_panel_12_months(benchmark):
    w = workload(100_000)
    rng = np.random.default_rng(2)
    months = []
    for _ in range(12):
        cols = {f: np.where(rng.random(w.n) < 0.02, np.nan, c) for f, c in w.fields.items()}
        months.append([{}, {}, {}, cols])
    engine = eg.Engine(w.framework, w.hierarchy)
    periods = [f"2020-{m + 1:02d}" for m in range(12)]
    results = benchmark(engine.score_stacked, months, periods)
    assert len(results) == 12


@pytest.mark.parametrize("boundaries", [False, True], ids=["box-only", "boundaries"])
def test_geotag_checks(benchmark, boundaries):
    w = geotags.workload()
    report = benchmark(geotags.run, w, boundaries=boundaries)
    assert len(report.reason) == geotags.N
