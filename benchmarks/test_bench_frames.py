"""Values in from columns and frames, and results out as frames, at 1,000,000 machines.

``from_columns`` takes the standard workload's field columns as float64 arrays (with 5-10 %
NaN), codes in the hierarchy's order and shuffled; ``from_frame`` takes the same table as a
pandas, polars or pyarrow frame; ``to_frame`` turns the scored result into each kind. The times
are reported by the benchmark run; nothing here asserts a time.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import egov_score as eg
from benchmarks.conftest import workload

MILLION = 1_000_000


@functools.cache
def columns(shuffled: bool) -> dict[str, np.ndarray]:
    w = workload(MILLION)
    codes = w.hierarchy.level("machine").codes
    data = {"code": codes, "period": np.full(len(codes), "2021-01"), **w.fields}
    if shuffled:
        order = np.random.default_rng(0).permutation(len(codes))
        data = {k: v[order] for k, v in data.items()}
    return data


def frame(kind: str) -> object:
    data = columns(False)
    if kind == "pandas":
        return pd.DataFrame(data)
    if kind == "polars":
        return pl.DataFrame(data)
    return pa.table(data)


def _values(benchmark, build, data) -> None:
    w = workload(MILLION)
    v = benchmark.pedantic(build, args=(data, w.hierarchy, w.framework), rounds=3, iterations=1)
    assert len(v.periods) == MILLION


@pytest.mark.parametrize("shuffled", [False, True], ids=["in-order", "shuffled"])
def test_from_columns_1m(benchmark, shuffled):
    _values(benchmark, eg.Values.from_columns, columns(shuffled))


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_from_frame_1m(benchmark, kind):
    _values(benchmark, eg.Values.from_frame, frame(kind))


@pytest.fixture(scope="module")
def result_1m() -> eg.Result:
    w = workload(MILLION)
    return eg.Engine(w.framework, w.hierarchy).score(w.values, "2021-01")


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_to_frame_1m(benchmark, result_1m, kind):
    lv = result_1m.level("machine")
    out = benchmark.pedantic(lv.to_frame, args=(kind,), rounds=3, iterations=1)
    assert len(out) == MILLION
