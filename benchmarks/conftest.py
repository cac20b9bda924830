"""Fixtures of the benchmark suite: the standard workload at every size, built once."""

from __future__ import annotations

import functools

import pytest

from benchmarks.workload import Workload, standard_workload

SIZES = (1_000, 10_000, 100_000, 1_000_000)


@functools.cache
def workload(n: int) -> Workload:
    """The standard workload of ``n`` machines (cached for the session)."""
    return standard_workload(n)


@pytest.fixture(params=SIZES, ids=[f"N={n:_}" for n in SIZES])
def sized(request: pytest.FixtureRequest) -> Workload:
    return workload(request.param)
