"""Time every reader path on one million rows: ``python benchmarks/io_readers.py``.

Paths: ``Values.from_csv`` (the polars fast path when the ``fastcsv`` extra is installed),
the numpy fast path (polars hidden), the careful reader (``Table.from_csv`` then
``Table.floats``), and a raw scheme table read with ``Table.read`` then parsed column by column.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import egov_score as eg
from egov_score.io import table as table_module
from egov_score.io import write_csv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.compare import best_of
from benchmarks.workload import standard_workload as workload

N = 1_000_000


def main() -> None:
    """Print the best of three timings of each reader path."""
    w = workload(N)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "values.csv"
        codes = w.hierarchy.level("machine").codes
        write_csv(path, {"code": codes, "period": np.full(w.n, "2021-01"), **w.fields})
        fields = list(w.fields)

        def values() -> None:
            eg.Values.from_csv(path, w.hierarchy, w.framework)

        def numpy_path() -> None:
            saved = table_module.POLARS_MIN_BYTES
            table_module.POLARS_MIN_BYTES = 10**18
            try:
                was = sys.modules.pop("polars", None)
                table_module.Table.from_csv_numeric(path, fields)
            finally:
                table_module.POLARS_MIN_BYTES = saved
                if was is not None:
                    sys.modules["polars"] = was

        def careful() -> None:
            t = table_module.Table.from_csv(path)
            for f in fields:
                t.floats(f)

        print(f"rows: {N:,}, file {path.stat().st_size / 1e6:.0f} MB")
        for name, fn in [
            ("Values.from_csv", values),
            ("numpy fast path", numpy_path),
            ("careful reader + floats", careful),
        ]:
            print(f"{name:28s} {best_of(fn, 3):6.2f} s")


if __name__ == "__main__":
    main()
