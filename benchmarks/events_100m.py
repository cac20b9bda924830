"""Roll up a generated state-year transaction log (100M rows by default) with Dask (1 and 2
local workers) and polars streaming; print rows per second and peak memory of each.

The log is about a year of a state's e-Mitra transactions: ``--machines`` kiosks (100,000) of
very unequal business, 12 months from April, 20 services, amounts log-normal around ₹150, 6% of
transactions failed (:mod:`tests.event_logs`). It is written as Parquet files of 1M-row row
groups under ``--folder`` (in /tmp), a chunk at a time, so the generator holds one chunk; it is
kept for the next run (``--regenerate`` to write it again).

Each engine runs in a fresh process; a sampler adds up the resident memory (RSS) of that
process and all its descendants (Dask's worker processes) every 0.2 s, so the peak is the whole
process tree's. Run from the repository's root::

    python -m benchmarks.events_100m                       # 100M rows
    python -m benchmarks.events_100m --rows 10_000_000     # a quicker look
    python -m benchmarks.events_100m --engines polars,dask2

The target (issue 17): 100M rows in at most 5 minutes with a peak of at most 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: Engines measured, by name: the ``roll_up`` engine and its options.
ENGINES: dict[str, tuple[str, dict[str, Any]]] = {
    "dask1": ("dask", {"workers": 1}),
    "dask2": ("dask", {"workers": 2}),
    "polars": ("polars", {}),
    "numpy": ("numpy", {}),
}
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(root: int) -> dict[int, int]:
    """Bytes resident in ``root`` and each of its descendants, by process id (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * _PAGE
    tree, frontier = {root}, [root]
    while frontier:  # a walk over processes, not rows
        pid = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return {p: rss.get(p, 0) for p in tree}


def _generate(folder: Path, rows: int, machines: int, regenerate: bool) -> None:
    from tests.event_logs import write_log

    marker = folder / "log.json"
    wanted = {"rows": rows, "machines": machines}
    if not regenerate and marker.exists() and json.loads(marker.read_text()) == wanted:
        return
    for old in folder.glob("*.parquet"):
        old.unlink()
    files = max(1, rows // 10_000_000)
    start = time.perf_counter()
    write_log(folder, rows, n_machines=machines, files=files, row_group_rows=1_000_000)
    marker.write_text(json.dumps(wanted))
    size = sum(p.stat().st_size for p in folder.glob("*.parquet"))
    print(
        f"generated {rows:,} rows, {machines:,} machines, {files} files "
        f"({size / 1e9:.2f} GB) in {time.perf_counter() - start:.0f} s",
        flush=True,
    )


def _run_one(folder: Path, machines: int, name: str, extra: dict[str, Any]) -> None:
    """In the child process: one engine's roll-up; prints a JSON line."""
    from tests.event_logs import state_units

    from egov_score.events import roll_up

    engine, options = ENGINES[name]
    options = {**options, **extra}
    units = state_units(machines)
    start = time.perf_counter()
    rollup = roll_up([folder], units, engine=engine, options=options)
    seconds = time.perf_counter() - start
    print(
        json.dumps({"rows": rollup.rows, "seconds": seconds, "machine_months": len(rollup.codes)})
    )


def _measure(folder: Path, machines: int, name: str, extra: str) -> dict[str, Any]:
    child = subprocess.Popen(
        [
            *(sys.executable, "-m", "benchmarks.events_100m", "--folder", str(folder)),
            *("--machines", str(machines), "--run", name, "--options", extra),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = [0, 0, 0]  # the tree, the roll-up's own process, its largest descendant
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree = _tree_rss(child.pid)
            own = tree.pop(child.pid, 0)
            peak[0] = max(peak[0], own + sum(tree.values()))
            peak[1] = max(peak[1], own)
            peak[2] = max(peak[2], max(tree.values(), default=0))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{name} failed with exit status {child.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result.update(engine=name, peak_mb=peak[0] / 1e6, rows_per_s=result["rows"] / result["seconds"])
    result.update(driver_peak_mb=peak[1] / 1e6, child_peak_mb=peak[2] / 1e6)
    return result


def main(argv: list[str] | None = None) -> None:
    """Generate the log if needed, then measure each engine."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=100_000_000)
    parser.add_argument("--machines", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--engines", default="dask1,dask2,polars")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument(
        "--options", default="{}", help="engine options as JSON, e.g. '{\"split_every\": 4}'"
    )
    args = parser.parse_args(argv)
    folder = args.folder or Path(f"/tmp/egov-events-{args.rows // 1_000_000}m")
    if args.run:
        _run_one(folder, args.machines, args.run, json.loads(args.options))
        return
    folder.mkdir(parents=True, exist_ok=True)
    _generate(folder, args.rows, args.machines, args.regenerate)
    print(f"load: {os.getloadavg()} on {os.cpu_count()} cores", flush=True)
    for name in args.engines.split(","):  # a loop over engines
        r = _measure(folder, args.machines, name, args.options)
        print(
            f"{name:>7}: {r['rows']:,} rows in {r['seconds']:.1f} s = {r['rows_per_s']:,.0f} "
            f"rows/s, peak {r['peak_mb']:,.0f} MB (process tree; driver "
            f"{r['driver_peak_mb']:,.0f} MB, largest worker {r['child_peak_mb']:,.0f} MB), "
            f"{r['machine_months']:,} machine-months; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
