"""Data preparation on the standard workload: the score with imputation, outlier treatment or
screening declared on the root group, beside the same score without (``test_bench.py``).

Nothing here asserts a time; the numbers go to the report and ``docs/performance.md``.
"""

from __future__ import annotations

from typing import Any

import pytest

import egov_score as eg
from benchmarks.conftest import SIZES, workload

STEPS: dict[str, dict[str, Any]] = {
    "impute": {"impute": {"method": "mean", "within": "parent"}},
    "treat": {"treat": {"method": "coinr"}},
    "impute+treat": {"impute": {"method": "mean", "within": "parent"}, "treat": "coinr"},
}


def prepared(framework: eg.Framework, step: str) -> eg.Framework:
    data = framework.to_dict()
    if step == "screen":
        data["screen"] = {"min_share": 0.5}
    else:
        next(g for g in data["group"] if "parent" not in g).update(STEPS[step])
    return eg.Framework.from_dict(data)


@pytest.mark.parametrize("step", [*STEPS, "screen"])
@pytest.mark.parametrize("n", SIZES, ids=[f"N={n:_}" for n in SIZES])
def test_score_prepared(benchmark, n, step):
    w = workload(n)
    engine = eg.Engine(prepared(w.framework, step), w.hierarchy)
    result = benchmark(lambda: engine.score(w.values, "2021-01"))
    assert len(result.level("machine")) == n
