"""CPU time and peak memory of an uncertainty analysis (issue 15), printed, never asserted.

    python -m benchmarks.sensitivity_speed [jaipur|machines|baseline|all] [--runs N]

- ``jaipur``: the built-in Jaipur division (3,073 units, every month of its data), 1,000 runs.
- ``machines``: the standard workload of 100,000 machines, one month, 1,000 runs.
With ``--sobol`` the Sobol' indices are added (a Saltelli design of about as many runs again,
on the last period); without, the runs of the rank intervals only.
- ``baseline``: COINr's approach, re-running ``score()`` per run with the framework rewritten
  with that run's choices (same library), timed on a few runs and extrapolated to 1,000.

Every analysis varies the weights (share 0.25), the normalisation (min-max or z-score) and
imputation on/off. Times are process CPU seconds (``time.process_time``) and wall seconds;
peak memory is the process's peak resident set (``ru_maxrss``), so run one case per process
for a clean peak.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import egov_score as eg
from benchmarks.workload import standard_workload
from egov_score.engine.batch import BatchScorer, design_rng
from egov_score.model.uncertainty import Uncertainty, WeightNoise
from egov_score.review.sensitivity import analyse_sensitivity

UNCERTAINTY = Uncertainty(
    seed=1,
    runs=1000,
    weights=WeightNoise(kind="share", share=0.25),
    normalisation=("minmax", "zscore"),
    imputation=True,
)


def jaipur():
    """The Jaipur pipeline and its periods."""
    from egov_score import datasets

    data = datasets.load("jaipur")
    return data, data.periods()


def machines(n: int = 100_000):
    """An engine and one month of the standard workload."""
    w = standard_workload(n)
    return eg.Engine(w.framework, w.hierarchy), w.values


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(what: str, fn) -> object:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{what}: {cpu:.2f} s CPU, {wall:.2f} s wall, peak RSS {_peak_mb():.0f} MB")
    return out


def baseline_framework(scorer: BatchScorer, choices, r: int) -> eg.Framework:
    """The framework of run ``r`` written out as a plain framework: its weights and its
    normalisation (what COINr's ``get_sensitivity`` rebuilds before each re-run)."""
    un, fw = scorer.uncertainty, scorer.engine.framework
    data = fw.to_dict()
    row = int(choices.weights[r])
    for table in (*data["indicator"], *data["group"]):
        parent = table.get("parent")
        if parent is not None:
            kids = fw.children(parent)
            table["weight"] = float(scorer.weight_sets[parent][row][kids.index(table["code"])])
    if choices.normalisation[r] >= 0:
        method = un.normalisation[int(choices.normalisation[r])]
        for table in data["indicator"]:
            within = table.get("normalise", {}).get("within", "level")
            table["normalise"] = {"method": method, "within": within}
    if not choices.imputation[r]:
        for table in (*data["indicator"], *data["group"]):
            table.pop("impute", None)
    return eg.Framework.from_dict(data)


def baseline(engine: eg.Engine, level_values, period: str, runs: int, total: int) -> float:
    """CPU seconds per run of COINr's way: score() once per run with the framework rewritten
    with the run's choices, timed on ``runs`` runs and extrapolated to ``total``."""
    un = UNCERTAINTY
    scorer = BatchScorer(engine, un)
    choices = scorer.design_choices(design_rng(un.seed).random((runs, len(un.choices))))
    cpu = time.process_time()
    for r in range(runs):  # the baseline loops over runs by design
        framework = baseline_framework(scorer, choices, r)
        eg.Engine(framework, engine.hierarchy, parallel=False).score_level_values(
            level_values, period
        )
    per_run = (time.process_time() - cpu) / runs
    print(
        f"baseline: {per_run:.3f} s CPU per run, {per_run * total:.1f} s CPU for {total} runs "
        f"(extrapolated from {runs})"
    )
    return per_run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=("jaipur", "machines", "baseline", "all"))
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument(
        "--sobol", action="store_true", help="add the Sobol' indices (as many runs again)"
    )
    args = parser.parse_args()
    un = UNCERTAINTY
    sobol = None if args.sobol else 0
    if args.case in ("jaipur", "all"):
        data, periods = jaipur()
        units = sum(len(lv) for lv in data.hierarchy.levels)
        print(f"Jaipur: {units} units, {len(periods)} periods, {args.runs} runs")
        _timed(
            "jaipur",
            lambda: analyse_sensitivity(data, uncertainty=un, runs=args.runs, sobol_samples=sobol),
        )
    if args.case in ("machines", "all"):
        engine, values = machines()
        print(f"machines: {len(engine.hierarchy.levels[-1])} machines, 1 period, {args.runs} runs")
        _timed(
            "machines",
            lambda: analyse_sensitivity(
                engine, values, uncertainty=un, runs=args.runs, sobol_samples=sobol
            ),
        )
    if args.case in ("baseline", "all"):
        data, periods = jaipur()
        p = periods[-1]
        baseline(data.engine, data.gather(p).levels, p, 20, 1000 * len(periods))
        engine, values = machines()
        baseline(engine, values.at("2021-01"), "2021-01", 3, 1000)
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
