"""Time writing the 100,000-machine workbook as XLSX: ``python benchmarks/xlsx_writers.py``.

Compares, on the sheets of ``Result.xlsx_sheets()`` of the standard workload (every level and
the notes; the machine sheet is 100,000 rows x 28 columns):

- ``write_xlsx``, egov_score's own vectorised writer (what ships);
- the same sheets through XlsxWriter, one call per cell, in its streaming mode (the writer
  before issue 11; ``tests/xlsx_reference.py``, the tests' slow reference);
- the machine sheet alone with each writer;
- the CSV writer on the machine level, for scale.

``--levels`` times the vectorised writer at each zlib level (0-6) with the file's size.
Prints each wall and CPU time (best of ``--rounds``, default 1) and the file size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.xlsx_reference import write_reference

import egov_score as eg
from benchmarks.workload import standard_workload as workload
from egov_score.io import xlsx

N = 100_000


def _time(run: Callable[[Path], object], path: Path, rounds: int) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        run(path)
        best = min(best, (time.perf_counter() - start, time.process_time() - cpu))
    return best


def main() -> None:
    """Print the time of each writer on the workbook of ``N`` machines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--levels", action="store_true", help="time zlib levels 0-6")
    args = parser.parse_args()
    w = workload(N)
    result = eg.Engine(w.framework, w.hierarchy).score(w.values, "2021-01")
    sheets, formats = result.xlsx_sheets()
    machine = {"machine": sheets["machine"]}
    print(f"machine sheet: {N:,} rows x {len(sheets['machine'])} columns; load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        runs: dict[str, Callable[[Path], object]] = {
            "csv (write_csv), machine level": lambda p: eg.io.write_csv(
                p, result.level("machine").table()
            ),
            "write_xlsx, scores.xlsx": lambda p: eg.io.write_xlsx(
                p, sheets, number_formats=formats
            ),
            "write_xlsx, machine sheet": lambda p: eg.io.write_xlsx(
                p, machine, number_formats=formats
            ),
            "XlsxWriter per cell, scores.xlsx": lambda p: write_reference(
                p, sheets, number_formats=formats
            ),
            "XlsxWriter per cell, machine sheet": lambda p: write_reference(
                p, machine, number_formats=formats
            ),
        }
        if args.levels:
            tables = xlsx._tables(sheets)

            def at_level(level: int) -> Callable[[Path], object]:
                def run(p: Path) -> None:
                    with open(p, "wb") as fh:
                        xlsx._write_package(fh, tables, formats, True, level)

                return run

            runs = {f"write_xlsx, scores.xlsx, zlib level {n}": at_level(n) for n in range(7)}
        for i, (name, run) in enumerate(runs.items()):
            path = out / f"{i}.{'csv' if name.startswith('csv') else 'xlsx'}"
            took, cpu = _time(run, path, args.rounds)
            size = path.stat().st_size / 1e6
            print(f"{name:42s} {took:6.2f} s wall {cpu:6.2f} s CPU {size:6.1f} MB")


if __name__ == "__main__":
    main()
