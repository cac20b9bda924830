"""A state-sized monthly review: ``python benchmarks/review_state.py [--profile]``.

50 districts, 350 blocks, 100,000 e-Mitra machines, 12 months, six schemes (the seeded
generator of ``egov_score.datasets.synthetic`` with ``districts=50, blocks=350``), reviewed
with ``egov-score review --lang both --formats html,csv,xlsx``: English and Hindi HTML and CSV
cards for every district and block, the division page, the awards, the index, and the Excel
workbooks (``scores.xlsx`` with every level's score table, the machines' 100,000 rows included,
and one workbook per action list).

The data is generated once, untimed. The review then runs as the command would, in a fresh
process, for its wall time and peak memory (the child's maximum resident set size); then in
this process phase by phase (load and check the tables, score the twelve months, write
everything), and with ``--profile`` under cProfile, printing the top 15 functions by
cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import egov_score as eg
from egov_score.datasets.synthetic import generate
from egov_score.render.actions import write_action_workbooks
from egov_score.render.review_run import load_data

DISTRICTS, BLOCKS, MACHINES = 50, 350, 100_000
FORMATS = ("html", "csv", "xlsx")
ARGS = {"lang": "both", "formats": FORMATS}


def _command(data: Path, out: Path) -> tuple[float, float, float, float]:
    """Wall seconds, CPU seconds (user + system, the worker processes included), the CPU
    seconds of the command's own process (the critical path on an idle two-core machine, when
    its workers end first: the largest workbook and the second language's cards are written
    beside it) and peak resident MiB of ``egov-score review`` in a fresh process.

    The peak is the child's own high-water mark (``VmHWM``, read by the child as it ends):
    ``getrusage(RUSAGE_CHILDREN)`` would report the generator's peak in this process, which
    a forked child inherits. The worker that writes ``scores.xlsx`` is a separate process with
    its own, smaller peak, not counted here. On a shared machine the wall time depends on the
    other jobs; the CPU time much less.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = (
        "import sys; from egov_score.cli import main; rc = main(["
        f"'review', '--data', {str(data)!r}, '--lang', 'both', '--formats', "
        f"{','.join(FORMATS)!r}, '--out', {str(out)!r}]); "
        "import resource; own = resource.getrusage(resource.RUSAGE_SELF); "
        "sys.stderr.write(f'own-cpu {own.ru_utime + own.ru_stime}\\n'); "
        "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM')]; "
        "sys.stderr.write(hwm[0] if hwm else ''); sys.exit(rc)"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    kib = done.stderr.split()[-2] if "VmHWM" in done.stderr else None
    if kib is None:  # not Linux: the children's peak, which may be this process's
        kib = after.ru_maxrss
    own = next(float(x.split()[1]) for x in done.stderr.splitlines() if x.startswith("own-cpu"))
    return wall, cpu, own, float(kib) / 1024


def _phases(data: Path, out: Path) -> dict[str, float]:
    """Seconds per phase, in this process."""
    times = {}
    start = time.perf_counter()
    job = load_data(data)
    times["load and check the tables"] = time.perf_counter() - start
    start = time.perf_counter()
    eg.score_panel(job)
    times["score the 12 months (once more, for this timing)"] = time.perf_counter() - start
    start = time.perf_counter()
    review = eg.run_review(job=job, out=out, **ARGS).review  # type: ignore[arg-type]
    times["score, cards, awards, index, workbooks (run_review)"] = time.perf_counter() - start
    start = time.perf_counter()
    review.result.write_xlsx(out.with_name("xlsx") / "scores.xlsx")
    times["  of which scores.xlsx (written again, alone)"] = time.perf_counter() - start
    start = time.perf_counter()
    write_action_workbooks(review, out.with_name("xlsx"))
    times["  of which actions/*.xlsx (written again, alone)"] = time.perf_counter() - start
    return times


def main(argv: list[str] | None = None) -> None:
    """Generate the state, then time the review and print what dominates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 15")
    parser.add_argument("--machines", type=int, default=MACHINES)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        generate(data, machines=args.machines, districts=DISTRICTS, blocks=BLOCKS)
        print(f"generated {args.machines:,} machines in {time.perf_counter() - start:.1f} s")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        wall, cpu, own, peak = _command(data, Path(tmp) / "cli")
        files = sum(1 for p in (Path(tmp) / "cli").rglob("*") if p.is_file())
        print(
            f"egov-score review: {wall:.1f} s wall, {cpu:.1f} s CPU ({own:.1f} s in its own "
            f"process, {cpu - own:.1f} s in its workers), peak {peak:,.0f} MiB, "
            f"{files} files (1-minute load before: {load:.1f})"
        )
        for phase, seconds in _phases(data, Path(tmp) / "api").items():
            print(f"  {phase}: {seconds:.1f} s")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            eg.run_review(data, out=Path(tmp) / "profiled", **ARGS)  # type: ignore[arg-type]
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
