"""Time writing the 100,000-machine level as XLSX: ``python benchmarks/xlsx_writers.py``.

Three ways on the same sheet (the machine level of the standard workload, with its CSV's
columns): ``Result.write_xlsx`` (XlsxWriter streaming rows, scores with a one-decimal number
format: what egov_score ships), XlsxWriter with no number formats, and openpyxl's write-only
mode with the same one-decimal format on every float cell (the alternative considered). The
CSV writer is timed too, for scale. Prints each wall and CPU time (one run each: they take
seconds) and the file size.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import egov_score as eg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.workload import standard_workload as workload

N = 100_000


def _cells(col: np.ndarray) -> list[Any]:
    if col.dtype.kind == "f":
        out = col.astype(object)
        out[np.isnan(col)] = None
        return list(out.tolist())
    return list(col.tolist())


def _openpyxl(path: Path, columns: dict[str, np.ndarray]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("machine")
    template = WriteOnlyCell(ws, 0.0)
    template.number_format = "0.0"

    def styled(values: list[Any]) -> list[Any]:
        cells = [WriteOnlyCell(ws, v) for v in values]
        for cell in cells:
            cell._style = template._style  # one shared style: the fastest openpyxl allows
        return cells

    lists = [styled(_cells(c)) if c.dtype.kind == "f" else _cells(c) for c in columns.values()]
    ws.append(list(columns))
    for row in zip(*lists, strict=True):
        ws.append(row)
    book.save(path)


def main() -> None:
    """Print the time of each writer on the machine level of ``N`` machines."""
    w = workload(N)
    result = eg.Engine(w.framework, w.hierarchy).score(w.values, "2021-01")
    machine = result.level("machine")
    columns = machine.table()
    print(f"machine level: {len(machine):,} rows x {len(columns)} columns")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        runs: dict[str, Callable[[Path], object]] = {
            "csv (write_csv)": lambda p: eg.io.write_csv(p, columns),
            "Result.write_xlsx (XlsxWriter, formats)": result.write_xlsx,
            "XlsxWriter, no number formats": lambda p: eg.io.write_xlsx(p, {"machine": columns}),
            "openpyxl write-only, formats": lambda p: _openpyxl(p, columns),
        }
        for i, (name, run) in enumerate(runs.items()):
            path = out / f"{i}.{'csv' if i == 0 else 'xlsx'}"
            start, cpu = time.perf_counter(), time.process_time()
            run(path)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            size = path.stat().st_size / 1e6
            print(f"{name:42s} {took:6.1f} s wall {cpu:6.1f} s CPU {size:6.1f} MB")


if __name__ == "__main__":
    main()
