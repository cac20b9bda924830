"""Issue 15's uncertainty analysis: 1,000 runs over the Jaipur division (12 months) and over
100,000 machines (one month), and COINr's approach beside them: ``score()`` re-run per run
with the framework rewritten (one run timed here; ``benchmarks/sensitivity_speed.py``
extrapolates it and prints CPU time and peak memory).

Nothing here asserts a time; the numbers go to the report and ``docs/performance.md``.
"""

from __future__ import annotations

import egov_score as eg
from benchmarks.sensitivity_speed import UNCERTAINTY, baseline_framework, jaipur, machines
from egov_score.engine.batch import BatchScorer, design_rng
from egov_score.review.sensitivity import analyse_sensitivity


def test_sensitivity_jaipur_1000_runs(benchmark):
    data, periods = jaipur()
    found = benchmark.pedantic(
        lambda: analyse_sensitivity(data, uncertainty=UNCERTAINTY, sobol_samples=0),
        rounds=1,
        iterations=1,
    )
    assert found.periods == periods


def test_sensitivity_100k_machines_1000_runs(benchmark):
    engine, values = machines()
    found = benchmark.pedantic(
        lambda: analyse_sensitivity(engine, values, uncertainty=UNCERTAINTY, sobol_samples=0),
        rounds=1,
        iterations=1,
    )
    assert len(found.level("machine").ranks.codes) == 100_000


def test_baseline_one_run_rescored_100k_machines(benchmark):
    engine, values = machines()
    scorer = BatchScorer(engine, UNCERTAINTY)
    choices = scorer.design_choices(design_rng(1).random((1, len(UNCERTAINTY.choices))))
    framework = baseline_framework(scorer, choices, 0)
    level_values = values.at("2021-01")
    result = benchmark(
        lambda: eg.Engine(framework, engine.hierarchy).score_level_values(level_values, "2021-01")
    )
    assert len(result.level("machine")) == 100_000
