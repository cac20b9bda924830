"""Hypothesis: the same numbers on every path in (CSV, Excel, Parquet, a pandas, polars or
Arrow frame, ``from_columns``) for generated hierarchies, frameworks and values; and every
frame out holds the result's own numbers."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score.io.xlsx import write_xlsx
from tests.strategies import build_hierarchy, frameworks, hierarchies, to_columns, value_tables

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw):
    levels, units = draw(hierarchies())
    fw = draw(frameworks(levels))
    values = draw(value_tables(units, fw))
    return levels, units, fw, values


def _cell(x: object) -> str:
    if x is None:
        return ""
    return repr(x) if isinstance(x, float) else str(x)


def _csv(columns: dict[str, list[object]]) -> str:
    rows = [",".join(columns)]
    rows += [",".join(_cell(c) for c in row) for row in zip(*columns.values(), strict=True)]
    return "\n".join(rows) + "\n"


def _every_path(columns, h, fw, folder: Path) -> dict[str, eg.Values]:
    (folder / "v.csv").write_text(_csv(columns), encoding="utf-8")
    write_xlsx(
        folder / "v.xlsx", {"values": {k: np.array(v, dtype=object) for k, v in columns.items()}}
    )
    df = pd.DataFrame(columns)
    polars = pl.DataFrame(columns, strict=False)
    polars.write_parquet(folder / "v.parquet")
    return {
        "csv": eg.Values.from_csv(folder / "v.csv", h, fw),
        "xlsx": eg.Values.from_csv(folder / "v.xlsx", h, fw),
        "parquet": eg.Values.from_csv(folder / "v.parquet", h, fw),
        "pandas": eg.Values.from_frame(df, h, fw),
        "polars": eg.Values.from_frame(polars, h, fw),
        "arrow": eg.Values.from_frame(pa.Table.from_pandas(df, preserve_index=False), h, fw),
        "columns": eg.Values.from_columns(columns, h, fw),
    }


@SETTINGS
@given(scenarios())
def test_same_scores_on_every_path(scenario):
    levels, units, fw, values = scenario
    h = build_hierarchy(levels, units)
    columns = to_columns(units, fw, values, period="2021-01")
    with tempfile.TemporaryDirectory() as tmp:
        paths = _every_path(columns, h, fw, Path(tmp))
    base = paths.pop("csv")
    expected = eg.score(h, fw, base, "2021-01")
    # A workbook keeps 16 significant digits (see io/xlsx.py): equal to within one ulp.
    xlsx = paths.pop("xlsx")
    for field in base.columns:
        np.testing.assert_allclose(xlsx.columns[field], base.columns[field], rtol=1e-15)
    for name, got in paths.items():
        for field in base.columns:
            np.testing.assert_array_equal(got.columns[field], base.columns[field], err_msg=name)
        assert eg.score(h, fw, got, "2021-01").levels == expected.levels, name


def _frame_column(frame, kind: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    series = pl.from_arrow(frame.column(name)) if kind == "arrow" else None
    if kind == "pandas":
        s = frame[name]
        return s.to_numpy(dtype=object), s.isna().to_numpy()
    s = frame[name] if kind == "polars" else series
    return s.to_numpy().astype(object), s.is_null().to_numpy()


def _same(values: np.ndarray, missing: np.ndarray, expected: np.ndarray) -> bool:
    if expected.dtype.kind == "f":
        gaps = np.isnan(expected)
        floats = values[~missing].astype(float)
        return bool(
            (missing == gaps).all()
            and all(
                math.isclose(a, b, rel_tol=0, abs_tol=0)
                for a, b in zip(floats, expected[~gaps], strict=True)
            )
        )
    return bool(
        (missing == (expected == 0)).all()
        and (values[~missing].astype(np.int64) == expected[expected > 0]).all()
    )


@SETTINGS
@given(scenarios(), st.sampled_from(["pandas", "polars", "arrow"]))
def test_frames_out_hold_the_results_numbers(scenario, kind):
    levels, units, fw, values = scenario
    h = build_hierarchy(levels, units)
    result = eg.score(h, fw, eg.Values.from_columns(to_columns(units, fw, values), h, fw))
    whole = result.to_frame(kind)
    level_col, _ = _frame_column(whole, kind, "level")
    start = 0
    for lv in result.levels:
        frame = lv.to_frame(kind)
        rows = slice(start, start + len(lv))
        start += len(lv)
        assert level_col[rows].tolist() == [lv.level] * len(lv)
        for name, expected in (
            ("score", lv.score),
            ("coverage", lv.coverage),
            ("rank", lv.rank),
            ("rank_in_parent", lv.rank_in_parent),
            *lv.indicators.items(),
            *((f"{k}_norm", v) for k, v in lv.normalised.items()),
            *lv.groups.items(),
        ):
            got, missing = _frame_column(frame, kind, name)
            assert _same(got, missing, expected), (lv.level, name)
            got, missing = _frame_column(whole, kind, name)
            assert _same(got[rows], missing[rows], expected), (lv.level, name)
