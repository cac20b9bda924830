"""Time and peak memory, each in a fresh process: ``python benchmarks/memory.py [--only NAME]``.

Three runs of issue 16's memory targets:

- ``tables``: 200,000 machines of the synthetic state (``datasets.synthetic.generate`` with
  50 districts and 350 blocks, six schemes), its review month alone, through the raw scheme
  tables: ``egov_score.load(folder)`` and the month scored. Target: peak <= 400 MB.
- ``tables12``: the same with all twelve months (2.4 million machine-months), every month
  scored (``score_panel``).
- ``score``: ``score()`` of the standard workload at 1,000,000 machines. Target: the peak
  while scoring <= 3x the inputs (the bytes of the values' and the hierarchy's arrays).
- ``panel``: a 12-month panel of the standard workload at 1,000,000 machines (12 million
  machine-months) from a :class:`~egov_score.Values` built in memory, through
  ``score_panel``. Targets: <= 5 s and a peak <= 6 GB.

Each run is a child process that reports its wall time and its own high-water mark
(``VmHWM`` from ``/proc/self/status``); for ``score`` and ``panel`` the mark is reset
(``/proc/self/clear_refs``) once the inputs are built, so the peak printed is that of the
step, and the resident size before it is printed beside it. The data are generated untimed.
Wall, CPU (``time.process_time``) and its user and system parts are printed for ``score`` and
``panel``: system time is mostly the page faults of new memory, which some virtual machines
make slow (see ``docs/memory.md``). Run it when the machine is quiet: the numbers are the
machine's as much as the code's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TABLE_MACHINES, DISTRICTS, BLOCKS = 200_000, 50, 350
MILLION = 1_000_000
MONTHS = 12
MiB = 2**20


def _status(key: str) -> float:
    """A ``/proc/self/status`` figure (``VmHWM``, ``VmRSS``) in MiB (0 off Linux)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _reset_peak() -> None:
    """Start the high-water mark afresh from the present resident size (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _tables(data: str) -> dict[str, Any]:
    import egov_score as eg

    start = time.perf_counter()
    job = eg.load(Path(data) / "month")
    loaded = time.perf_counter() - start
    result = job.score()
    wall = time.perf_counter() - start
    assert len(result.level("machine")) == TABLE_MACHINES
    return {"load s": loaded, "wall s": wall, "peak MiB": _status("VmHWM")}


def _tables12(data: str) -> dict[str, Any]:
    import egov_score as eg

    start = time.perf_counter()
    job = eg.load(Path(data) / "year")
    loaded = time.perf_counter() - start
    panel = eg.score_panel(job)
    wall = time.perf_counter() - start
    assert len(panel.results[-1].level("machine")) == TABLE_MACHINES
    return {"load s": loaded, "wall s": wall, "peak MiB": _status("VmHWM")}


def last_month(year: Path, month: Path) -> None:
    """Copy the data set ``year`` to ``month`` with only the last period's rows."""
    import shutil

    month.mkdir(parents=True, exist_ok=True)
    for path in year.iterdir():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header = lines[0].rstrip("\n").split(",")
        if "period" not in header or path.name == "units.csv":
            shutil.copy(path, month / path.name)
            continue
        at = header.index("period")
        last = max(line.split(",")[at] for line in lines[1:])
        keep = [line for line in lines[1:] if line.split(",")[at] == last]
        (month / path.name).write_text(lines[0] + "".join(keep), encoding="utf-8")


def _measured(step: Any, inputs: int) -> dict[str, Any]:
    """Wall time and peak of ``step()`` alone: the high-water mark is reset just before it."""
    before = _status("VmRSS")
    _reset_peak()
    start, cpu, times = time.perf_counter(), time.process_time(), os.times()
    out = step()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    done = os.times()
    peak = _status("VmHWM")
    del out
    return {
        "wall s": wall,
        "cpu s": cpu,  # the machine is shared: CPU time beside wall time
        "user s": done.user - times.user,
        "sys s": done.system - times.system,  # page faults of new memory, mostly
        "inputs MiB": inputs / MiB,
        "before MiB": before,
        "peak MiB": peak,
        "step MiB": peak - before,
        "step / inputs": (peak - before) * MiB / inputs,
    }


def _score(_: str) -> dict[str, Any]:
    import egov_score as eg
    from benchmarks.workload import standard_workload

    w = standard_workload(MILLION)
    values = w.values
    engine = eg.Engine(w.framework, w.hierarchy)
    engine.score(values, "2021-01")  # warm: imports, first-touch costs
    return _measured(lambda: engine.score(values, "2021-01"), _input_bytes(values, w.hierarchy))


def _input_bytes(values: Any, hierarchy: Any) -> int:
    arrays = [values.periods, values.depth, values.index, *values.columns.values()]
    for level in hierarchy.levels:
        arrays += [level.codes, level.names, level.names_hi, level.parent]
    return sum(np.asarray(a).nbytes for a in arrays)


def panel_values(w: Any, months: int = MONTHS, seed: int = 2) -> Any:
    """The workload's fields over ``months`` months (2 % more cells missing each month) as
    one :class:`~egov_score.Values`, period-major."""
    import egov_score as eg

    rng = np.random.default_rng(seed)
    n = w.n
    periods = [f"2020-{m + 1:02d}" for m in range(months)]
    columns = {}
    for f, c in w.fields.items():
        col = np.tile(c, months)
        col[rng.random(len(col)) < 0.02] = np.nan
        columns[f] = col
    return eg.Values(
        source="<panel>",
        periods=np.repeat(np.array(periods), n),
        depth=np.full(n * months, 3, dtype=np.intp),
        index=np.tile(np.arange(n, dtype=np.intp), months),
        columns=columns,
        level_sizes=tuple(len(lv) for lv in w.hierarchy.levels),
        field_levels=dict.fromkeys(columns, 3),
    )


def _panel(_: str) -> dict[str, Any]:
    import egov_score as eg
    from benchmarks.workload import standard_workload

    w = standard_workload(MILLION)
    values = panel_values(w)
    job = eg.Pipeline.build(w.framework, w.hierarchy, values=values)
    return _measured(lambda: eg.score_panel(job), _input_bytes(values, w.hierarchy))


RUNS = {"tables": _tables, "tables12": _tables12, "score": _score, "panel": _panel}


def _child(name: str, data: str) -> dict[str, Any]:
    """Run ``name`` in a fresh Python and return what it reports."""
    code = (
        "import json, sys; sys.path.insert(0, '.'); from benchmarks import memory; "
        f"print(json.dumps(memory.RUNS[{name!r}]({data!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def main(argv: list[str] | None = None) -> None:
    """Generate the data, run each measurement in a fresh process, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(RUNS), action="append")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement")
    args = parser.parse_args(argv)
    names = args.only or list(RUNS)
    loadavg = Path("/proc/loadavg")
    print(f"load average before: {loadavg.read_text().strip() if loadavg.exists() else '?'}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        if {"tables", "tables12"} & set(names):
            from egov_score.datasets.synthetic import generate

            start = time.perf_counter()
            generate(data / "year", machines=TABLE_MACHINES, districts=DISTRICTS, blocks=BLOCKS)
            last_month(data / "year", data / "month")
            print(f"generated {TABLE_MACHINES:,} machines in {time.perf_counter() - start:.1f} s")
        for name in names:
            for _ in range(args.repeat):
                report = _child(name, str(data))
                shown = ", ".join(f"{k} {v:,.2f}" for k, v in report.items())
                print(f"{name}: {shown}", flush=True)


if __name__ == "__main__":
    main()
