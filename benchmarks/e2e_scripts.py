"""Files in, every level's table out: the scripts an analyst would write with polars or
pandas, against which ``egov-score score`` is timed end to end (``benchmarks/compare.py``).

Each reads the file set of ``benchmarks/fileset.py`` (``units.csv``, ``values.csv``), joins
the machines to their blocks, districts and divisions by code, computes the same scores as
egov_score (the baselines of ``benchmarks/baselines.py``) and writes ``<level>.csv`` with
``code,parent,score,rank,rank_in_parent`` (egov-score writes every group, indicator and
normalised value too: 28 columns on the machine level).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.baselines import LEVEL_KEYS, pandas_score, polars_score
from benchmarks.workload import FIELDS, Workload


def _workload(fields: dict[str, np.ndarray], parent_of: dict[str, np.ndarray]) -> Workload:
    """The baselines' input: field columns over machines and each level's parent index."""
    return Workload(
        n=len(parent_of["machine"]),
        framework=None,  # type: ignore[arg-type]  # the baselines read only the arrays
        hierarchy=None,  # type: ignore[arg-type]
        fields=fields,
        block_of=parent_of["machine"],
        district_of=parent_of["block"],
        division_of=parent_of["district"],
    )


def _ranks(scores: dict[str, Any]) -> dict[str, np.ndarray]:
    return {k: scores[k] for k in ("rank", "rank_in_parent")}


def _table(units: Any, scores: dict[str, Any], ranks: dict[str, Any]) -> dict[str, Any]:
    """A level's output columns (unranked: 0 in ``scores``, missing in ``ranks``)."""
    return {"code": units["code"], "parent": units["parent"], "score": scores["score"], **ranks}


def polars_files(folder: Path, out: Path) -> dict[str, Any]:
    """The polars script: read, join by code, score, write; returns the scores per level."""
    import polars as pl

    units = pl.read_csv(folder / "units.csv", infer_schema=False)
    schema = {"code": pl.String, "period": pl.String} | dict.fromkeys(FIELDS, pl.Float64)
    values = pl.read_csv(folder / "values.csv", schema=schema)
    levels = {lv: units.filter(pl.col("level") == lv).with_row_index("i") for lv in LEVEL_KEYS}
    parent_of: dict[str, np.ndarray] = {}
    for above, lv in itertools.pairwise(LEVEL_KEYS):
        joined = levels[lv].join(
            levels[above].select(pl.col("code").alias("parent"), pl.col("i").alias("p")),
            on="parent",
            how="left",
            maintain_order="left",
        )
        parent_of[lv] = joined["p"].to_numpy().astype(np.intp)
    machines = levels["machine"].select("code", "i")
    rows = machines.join(values, on="code", how="left", maintain_order="left")
    fields = {f: rows[f].to_numpy().astype(np.float64) for f in FIELDS}
    scores = polars_score(_workload(fields, parent_of))
    out.mkdir(parents=True, exist_ok=True)
    for lv in LEVEL_KEYS:
        ranks = {k: pl.Series(v).replace(0, None) for k, v in _ranks(scores[lv]).items()}
        frame = pl.DataFrame(_table(levels[lv], scores[lv], ranks))
        frame.write_csv(out / f"{lv}.csv")
    return scores


def pandas_files(folder: Path, out: Path) -> dict[str, Any]:
    """The pandas script: read, merge by code, score, write; returns the scores per level."""
    import pandas as pd

    units = pd.read_csv(folder / "units.csv", dtype=str, keep_default_na=False)
    dtypes = {"code": str, "period": str} | dict.fromkeys(FIELDS, "float64")
    values = pd.read_csv(folder / "values.csv", dtype=dtypes)
    levels = {
        lv: units[units["level"] == lv].reset_index(drop=True).assign(i=lambda d: d.index)
        for lv in LEVEL_KEYS
    }
    parent_of: dict[str, np.ndarray] = {}
    for above, lv in itertools.pairwise(LEVEL_KEYS):
        index = pd.Series(levels[above]["i"].to_numpy(), index=levels[above]["code"])
        parent_of[lv] = levels[lv]["parent"].map(index).to_numpy().astype(np.intp)
    rows = levels["machine"][["code"]].merge(values, on="code", how="left")
    fields = {f: rows[f].to_numpy(dtype=np.float64) for f in FIELDS}
    scores = pandas_score(_workload(fields, parent_of))
    out.mkdir(parents=True, exist_ok=True)
    for lv in LEVEL_KEYS:
        ranks = {
            k: pd.Series(v).replace(0, pd.NA).astype("Int64") for k, v in _ranks(scores[lv]).items()
        }
        frame = pd.DataFrame(_table(levels[lv], scores[lv], ranks))
        frame.to_csv(out / f"{lv}.csv", index=False)
    return scores


def egov_tables(out: Path) -> dict[str, Any]:
    """The scores and ranks egov-score wrote into ``out``, in the baselines' shape."""
    import polars as pl

    scores = {}
    for lv in LEVEL_KEYS:
        frame = pl.read_csv(
            out / f"{lv}.csv",
            columns=["score", "rank", "rank_in_parent"],
            schema_overrides={"score": pl.Float64, "rank": pl.Int64, "rank_in_parent": pl.Int64},
        )
        scores[lv] = {
            "score": frame["score"].fill_null(np.nan).to_numpy().astype(np.float64),
            "rank": frame["rank"].fill_null(0).to_numpy(),
            "rank_in_parent": frame["rank_in_parent"].fill_null(0).to_numpy(),
        }
    return scores
