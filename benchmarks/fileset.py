"""The standard workload as the files a user hands to ``egov-score score``.

    python benchmarks/fileset.py OUT_DIR [--n 1000000]

writes ``OUT_DIR/units.csv`` (``level,code,name,parent,officer``: officer titles as in the
synthetic data sets, the districts' ``"CEO, Zila Parishad"`` quoted, so the file is not a plain
one), ``OUT_DIR/framework.toml`` (the workload's framework) and ``OUT_DIR/values.csv``
(``code,period`` and the twelve machine fields, period ``2021-01``, missing cells empty).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workload import FRAMEWORK, LEVELS, Workload, standard_workload
from egov_score.io import write_csv

PERIOD = "2021-01"
#: The officer of each level's units, as the synthetic data sets name them.
OFFICERS = ("Divisional Commissioner", "CEO, Zila Parishad", "BDO", "VDO")
#: Code prefixes, distinct across levels (the workload's own ``DI`` serves two levels, which a
#: units file may not: codes are unique across the hierarchy).
PREFIXES = ("DV", "DT", "BL", "MA")


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string for these names
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def framework_toml(spec: dict[str, Any]) -> str:
    """The workload's framework dict (:data:`FRAMEWORK`) as TOML text."""
    lines = [f"levels = {_toml_value(spec['levels'])}"]
    for key in ("field", "indicator", "group"):
        for item in spec[key]:
            lines += ["", f"[[{key}]]"]
            tables = {k: v for k, v in item.items() if isinstance(v, dict)}
            lines += [f"{k} = {_toml_value(v)}" for k, v in item.items() if k not in tables]
            for name, table in tables.items():
                lines.append(f"[{key}.{name}]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def write_fileset(w: Workload, out: Path) -> dict[str, Path]:
    """Write the three input files of workload ``w`` into ``out``; returns them by name."""
    out.mkdir(parents=True, exist_ok=True)
    levels = [w.hierarchy.level(name) for name in LEVELS]
    codes = [
        np.char.add(prefix, np.arange(len(lv)).astype(str))
        for lv, prefix in zip(levels, PREFIXES, strict=True)
    ]
    parents = [np.full(len(levels[0]), "")]
    parents += [above[lv.parent] for above, lv in zip(codes, levels[1:], strict=False)]
    units = {
        "level": np.concatenate([np.full(len(lv), lv.name) for lv in levels]),
        "code": np.concatenate(codes),
        "name": np.concatenate(codes),
        "parent": np.concatenate(parents),
        "officer": np.concatenate(
            [np.full(len(lv), who) for lv, who in zip(levels, OFFICERS, strict=True)]
        ),
    }
    paths = {
        "units": out / "units.csv",
        "framework": out / "framework.toml",
        "values": out / "values.csv",
    }
    write_csv(paths["units"], units)
    paths["framework"].write_text(framework_toml(FRAMEWORK), encoding="utf-8")
    write_csv(paths["values"], {"code": codes[-1], "period": np.full(w.n, PERIOD), **w.fields})
    return paths


def main() -> None:
    """Write the file set of ``--n`` machines into the folder given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    for name, path in write_fileset(standard_workload(args.n), args.out).items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
