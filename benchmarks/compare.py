"""Print egov_score against its baselines on the standard workload, in one run.

    python benchmarks/compare.py [--sizes 1000,10000,100000,1000000] [--repeat 5]
                                 [--e2e-sizes 10000,100000,1000000]

For every size: egov_score's ``score()``, the pandas and polars baselines (and plain Python at
small N), each checked to give the same numbers first; the memory floor (one column sum over
every field); the ratios; the peak memory of ``score()`` against the input columns; the scaling
from 100 000 to 1 000 000; and ``import egov_score`` against ``import numpy``. Times are the best
of ``--repeat`` runs (the machine's allocator and page faults make first runs slower). The end
to end table gives wall seconds and, in brackets, CPU seconds (user + system of every thread
and child process), which a shared machine's load distorts far less; the 1-minute load
average of the run is printed beside every row.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

import egov_score as eg
from benchmarks.baselines import (
    assert_same,
    egov_score_result,
    pandas_score,
    polars_score,
    python_score,
)
from benchmarks.e2e_scripts import egov_tables, pandas_files, polars_files
from benchmarks.fileset import PERIOD, write_fileset
from benchmarks.workload import memory_floor, standard_workload
from egov_score.cli import main as egov_score_main


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def best_cpu_of(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The fastest of ``repeat`` runs: (wall seconds, CPU seconds). CPU is user + system time
    of this process's threads and of any child process, so a shared machine's load inflates
    it far less than the wall time."""
    walls, cpus = [], []
    for _ in range(repeat):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        c, t = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = (done.ru_utime - children.ru_utime) + (done.ru_stime - children.ru_stime)
        cpus.append(time.process_time() - c + child)
    return min(walls), min(cpus)


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated (numpy reports to tracemalloc) while ``fn`` runs."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def import_time(module: str, repeat: int) -> float:
    return best_of(
        lambda: subprocess.run([sys.executable, "-c", f"import {module}"], check=True), repeat
    )


def measure(n: int, repeat: int, *, peak: bool) -> tuple[float, float, float]:
    """Print one row of the table for ``n`` machines; returns the times of egov_score,
    pandas and polars."""
    w = standard_workload(n)
    engine = eg.Engine(w.framework, w.hierarchy)
    one_thread = eg.Engine(w.framework, w.hierarchy, parallel=False)
    values = w.values
    ours = egov_score_result(w)
    assert_same(ours, pandas_score(w))
    assert_same(ours, polars_score(w))
    # a new Values each run (w.values builds one): its period lookup is not cached between runs
    t_ours = best_of(lambda: engine.score(w.values, "2021-01"), repeat)
    t_one = best_of(lambda: one_thread.score(w.values, "2021-01"), repeat)
    t_floor = best_of(lambda: memory_floor(w), repeat)
    t_pd = best_of(lambda: pandas_score(w), max(1, repeat // 2))
    t_pl = best_of(lambda: polars_score(w), max(1, repeat // 2))
    t_py = float("nan")
    if n <= 1_000:  # one unit at a time: quadratic ranks, so small N only
        assert_same(ours, python_score(w))
        t_py = best_of(lambda: python_score(w), 1)
    py = "–" if np.isnan(t_py) else f"{t_py * 1e3:.0f}"
    print(
        f"| {n:,} | {t_ours * 1e3:.1f} | {t_ours / n * 1e6:.2f} | {t_one * 1e3:.1f} | "
        f"{t_floor * 1e3:.2f} | {t_ours / t_floor:.1f} | "
        f"{t_pd * 1e3:.1f} | {t_pl * 1e3:.1f} | {py} | {t_pd / t_ours:.1f} | "
        f"{t_pl / t_ours:.1f} |"
    )
    if peak:
        used = peak_memory(lambda: engine.score(values, "2021-01"))
        inputs = w.input_bytes()
        print(
            f"\npeak memory of score() at N={n:,}: {used / 2**20:.0f} MiB, "
            f"{used / inputs:.1f} x the input columns ({inputs / 2**20:.0f} MiB)"
        )
    return t_ours, t_pd, t_pl


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _heap() -> str:
    """Whether glibc keeps freed memory for the next run (both sides of the comparison run in
    this process, so both have it or neither; see docs/memory.md)."""
    from egov_score.engine import pages

    kept = "kept" if pages.freed_memory_kept() else "given back (glibc's own settings)"
    return f"freed memory {kept}"


def measure_e2e(n: int, repeat: int, tmp: Path) -> None:
    """Print one row of the end-to-end table for ``n`` machines."""
    files = write_fileset(standard_workload(n), tmp / f"files-{n}")
    runs = iter(range(10**6))

    def command(out: Path) -> list[str]:
        return [
            "score",
            *("--units", str(files["units"]), "--framework", str(files["framework"])),
            *("--values", str(files["values"]), "--period", PERIOD, "--out", str(out)),
            "--quiet",
        ]

    def ours() -> None:
        out = tmp / f"egov-{n}-{next(runs)}"
        if egov_score_main(command(out)) != 0:
            raise SystemExit(f"egov-score score failed at N={n:,}")

    def fresh() -> None:
        out = tmp / f"egov-{n}-{next(runs)}"
        subprocess.run([sys.executable, "-m", "egov_score.cli", *command(out)], check=True)

    first = tmp / f"egov-{n}-check"
    egov_score_main(command(first))
    assert_same(egov_tables(first), polars_files(tmp / f"files-{n}", tmp / f"polars-{n}"))
    assert_same(egov_tables(first), pandas_files(tmp / f"files-{n}", tmp / f"pandas-{n}"))
    load = _load()
    t_ours, c_ours = best_cpu_of(ours, repeat)
    t_fresh, c_fresh = best_cpu_of(fresh, max(1, repeat // 2))
    t_pl, c_pl = best_cpu_of(lambda: polars_files(tmp / f"files-{n}", tmp / f"polars-{n}"), repeat)
    t_pd, c_pd = best_cpu_of(lambda: pandas_files(tmp / f"files-{n}", tmp / f"pandas-{n}"), repeat)
    phases = _phases(files, tmp / f"phases-{n}", repeat)
    print(
        f"| {n:,} | {t_ours:.2f} ({c_ours:.2f}) | {t_fresh:.2f} ({c_fresh:.2f}) | "
        f"{t_pl:.2f} ({c_pl:.2f}) | {t_pd:.2f} ({c_pd:.2f}) | "
        f"{t_ours / t_pl:.2f} ({c_ours / c_pl:.2f}) | {t_ours / t_pd:.2f} ({c_ours / c_pd:.2f}) | "
        + " | ".join(
            f"{phases[k][0]:.2f} ({phases[k][1]:.2f})"
            for k in ("units", "values", "score", "write")
        )
        + f" | {load}–{_load()} |"
    )


def _phases(files: dict[str, Path], out: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """egov-score's phases, each the best of ``repeat`` (wall, CPU seconds): what ``score``
    does, step by step."""
    framework = eg.Framework.from_toml(files["framework"])
    hierarchy = eg.Hierarchy.from_csv(files["units"], framework.levels)
    values = eg.Values.from_csv(files["values"], hierarchy, framework)
    result = eg.Engine(framework, hierarchy).score(values, PERIOD)
    units, values_file = files["units"], files["values"]
    return {
        "units": best_cpu_of(lambda: eg.Hierarchy.from_csv(units, framework.levels), repeat),
        "values": best_cpu_of(
            lambda: eg.Values.from_csv(values_file, hierarchy, framework), repeat
        ),
        "score": best_cpu_of(lambda: eg.Engine(framework, hierarchy).score(values, PERIOD), repeat),
        "write": best_cpu_of(lambda: result.write_csv(out), repeat),
    }


E2E_HEADER = (
    "N",
    "egov-score s",
    "fresh process s",
    "polars script s",
    "pandas script s",
    "egov/polars",
    "egov/pandas",
    "units.csv s",
    "values.csv s",
    "score s",
    "write s",
    "load (1 min)",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--e2e-sizes", default="10000,100000,1000000")
    parser.add_argument("--e2e-repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    header = (
        "N",
        "egov_score ms",
        "µs per machine",
        "1 thread ms",
        "floor ms",
        "score/floor",
        "pandas ms",
        "polars ms",
        "python ms",
        "pandas/egov",
        "polars/egov",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    times: dict[int, float] = {}
    for n in sizes:
        times[n], t_pd, t_pl = measure(n, args.repeat, peak=n == max(sizes))
    largest = times[max(sizes)]
    print(
        f"regression floors of score() at N={max(sizes):,}: polars/egov {t_pl / largest:.1f} "
        f"(floor 2), pandas/egov {t_pd / largest:.1f} (floor 7); load {_load()}; "
        f"{_heap()}"
    )
    if 100_000 in times and 1_000_000 in times:
        print(f"scaling 100,000 -> 1,000,000: {times[1_000_000] / times[100_000]:.1f} x the time")
    e2e_sizes = [int(s) for s in args.e2e_sizes.split(",") if s]
    if e2e_sizes:
        print(
            "\nend to end: files in, every level's table out (seconds, best of runs: wall, "
            "then CPU = user + system of every thread and child in brackets)"
        )
        print("| " + " | ".join(E2E_HEADER) + " |")
        print("|" + "---|" * len(E2E_HEADER))
        with tempfile.TemporaryDirectory() as tmp:
            for n in e2e_sizes:
                measure_e2e(n, args.e2e_repeat, Path(tmp))
    t_np, t_eg = import_time("numpy", args.repeat), import_time("egov_score", args.repeat)
    print(
        f"import numpy {t_np * 1e3:.0f} ms, import egov_score {t_eg * 1e3:.0f} ms "
        f"(+{(t_eg - t_np) * 1e3:.0f} ms)"
    )


if __name__ == "__main__":
    main()
