"""DataFrames and Arrow tables in (``Values.from_frame``, ``Hierarchy.from_frame``) and out
(``Result.to_frame``): the same values, checks and messages as the CSV readers, zero-copy for
numeric columns where the library allows, integer ranks with a proper missing value."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.exceptions import InputError
from egov_score.io.frames import frame_kind, frame_table, require_library

SMALL = datasets.path("small")
KINDS = ("pandas", "polars", "arrow")


def small_inputs() -> tuple[eg.Framework, eg.Hierarchy, eg.Values]:
    """The small data set's framework, units and values, read from its CSV files."""
    fw = eg.Framework.from_toml(SMALL / "framework.toml")
    h = eg.Hierarchy.from_csv(SMALL / "units.csv", fw.levels)
    return fw, h, eg.Values.from_csv(SMALL / "values.csv", h, fw)


@pytest.fixture(scope="module")
def small() -> tuple[eg.Framework, eg.Hierarchy, eg.Values]:
    # not cached at module level: tests/test_pickle.py walks every object a result reaches
    return small_inputs()


def read(path: Path, kind: str, *, text: bool = False) -> object:
    """A CSV file as a frame of ``kind``, as each library reads it (or every column text)."""
    if kind == "pandas":
        return pd.read_csv(path, dtype=str if text else None, keep_default_na=not text)
    if kind == "polars":
        return pl.read_csv(path, infer_schema=not text)
    options = pa_csv.ConvertOptions(column_types=None)
    if text:
        names = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        options = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    return pa_csv.read_csv(path, convert_options=options)


def as_kind(df: pd.DataFrame, kind: str) -> object:
    if kind == "pandas":
        return df
    if kind == "polars":
        return pl.from_pandas(df)
    return pa.Table.from_pandas(df, preserve_index=False)


def same_values(a: eg.Values, b: eg.Values) -> None:
    assert attrs.evolve(a, source=b.source) == b
    assert list(a.columns) == list(b.columns)
    for k in a.columns:
        np.testing.assert_array_equal(a.columns[k], b.columns[k])


# -- in -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", [False, True], ids=["typed", "text"])
def test_values_from_frame_equal_the_csv_reader(small, kind, text):
    fw, h, v = small
    same_values(eg.Values.from_frame(read(SMALL / "values.csv", kind, text=text), h, fw), v)


@pytest.mark.parametrize("kind", KINDS)
def test_hierarchy_from_frame_equals_the_csv_reader(small, kind):
    fw, h, _ = small
    assert eg.Hierarchy.from_frame(read(SMALL / "units.csv", kind, text=True), fw.levels) == h


def test_frame_kind_is_told_by_module_name():
    assert frame_kind(pd.DataFrame()) == "pandas"
    assert frame_kind(pl.DataFrame()) == "polars"
    assert frame_kind(pa.table({"a": [1]})) == "arrow"
    assert frame_kind(pa.record_batch({"a": [1]})) == "arrow"
    assert frame_kind({"a": [1]}) is None
    assert frame_kind(pd.Series([1.0])) is None


def test_not_a_frame_is_refused(small):
    fw, h, _ = small
    with pytest.raises(eg.InputError, match=r"a frame must be .*; got builtins\.dict"):
        eg.Values.from_frame({"code": ["M-0001"]}, h, fw)


@pytest.mark.parametrize("kind", KINDS)
def test_messages_name_row_and_column_as_the_csv_reader(small, kind):
    fw, h, _ = small
    df = pd.read_csv(SMALL / "values.csv")
    df["transactions"] = df["transactions"].astype(float)
    df.loc[3, "code"] = "M-XXXX"
    df.loc[4, "transactions"] = np.inf
    df.loc[5, "installed"] = 7
    with pytest.raises(eg.ValuesError) as err:
        eg.Values.from_frame(as_kind(df, kind), h, fw)
    message = str(err.value)
    assert message.startswith(f"<{kind} {'Table' if kind == 'arrow' else 'DataFrame'}>")
    assert "row 3, column 'code': code must name a unit of the hierarchy; got 'M-XXXX'" in message
    assert (
        "row 4, column 'transactions': expected a finite number; got 'inf' "
        "(infinity is not a number here)" in message
    )
    assert "row 5, column 'installed': must be a flag (0 or 1); got '7'" in message
    # The CSV reader words the same rows the same way, two further down (header, from 1).
    table = eg.Table.from_text(df.to_csv(index=False), source="v.csv")
    with pytest.raises(eg.ValuesError) as by_csv:
        eg.Values.from_table(table, h, fw)
    assert "row 5, column 'code': code must name a unit of the hierarchy; got 'M-XXXX'" in str(
        by_csv.value
    )
    assert "row 7, column 'installed': must be a flag (0 or 1); got '7'" in str(by_csv.value)


@pytest.mark.parametrize("kind", KINDS)
def test_misspelt_column_has_did_you_mean(small, kind):
    fw, h, _ = small
    df = pd.read_csv(SMALL / "values.csv").rename(columns={"geotagged": "geotaged"})
    with pytest.raises(eg.ValuesError, match=r"\['geotaged'\]; did you mean 'geotagged'\?"):
        eg.Values.from_frame(as_kind(df, kind), h, fw)


@pytest.mark.parametrize("kind", KINDS)
def test_units_frame_missing_column_has_did_you_mean(small, kind):
    fw, _, _ = small
    df = pd.read_csv(SMALL / "units.csv", dtype=str).rename(columns={"parent": "parnt"})
    with pytest.raises(eg.InputError, match=r"for 'parent', did you mean 'parnt'\?"):
        eg.Hierarchy.from_frame(as_kind(df, kind), fw.levels)


@pytest.mark.parametrize("kind", KINDS)
def test_units_frame_bad_tree_names_rows(small, kind):
    fw, _, _ = small
    df = pd.read_csv(SMALL / "units.csv", dtype=str, keep_default_na=False)
    df.loc[2, "parent"] = "D-NOPE"
    with pytest.raises(eg.HierarchyError, match=r"row 2, column 'parent': parent must be a code"):
        eg.Hierarchy.from_frame(as_kind(df, kind), fw.levels)


def test_nulls_are_missing_in_every_library(small):
    fw, h, v = small
    df = pd.read_csv(SMALL / "values.csv")
    df["installed"] = df["installed"].astype("Int64")
    df.loc[[0, 2], "installed"] = pd.NA
    expected = v.columns["installed"].copy()
    expected[[0, 2]] = np.nan
    frames = [df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)]
    for frame in frames:
        got = eg.Values.from_frame(frame, h, fw).columns["installed"]
        np.testing.assert_array_equal(got, expected)
    # a null in a text column is an empty cell: a missing period is refused as in a CSV
    df.loc[1, "period"] = None
    for frame in (df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)):
        with pytest.raises(eg.ValuesError, match=r"row 1, column 'period': period must be"):
            eg.Values.from_frame(frame, h, fw)


@pytest.mark.parametrize("kind", KINDS)
def test_booleans_are_one_and_zero_and_dates_are_periods(small, kind):
    fw, h, v = small
    df = pd.read_csv(SMALL / "values.csv")
    df["installed"] = df["installed"].astype(bool)
    df["period"] = pd.to_datetime(df["period"] + "-15")
    got = eg.Values.from_frame(as_kind(df, kind), h, fw)
    same_values(got, v)


@pytest.mark.parametrize("kind", KINDS)
def test_numeric_codes_are_text(kind):
    fw = eg.Framework.from_dict(
        {
            "levels": ["district", "block"],
            "field": [{"code": "x", "level": "block"}],
            "indicator": [{"code": "xi", "field": "x", "parent": "index"}],
            "group": [{"code": "index"}],
        }
    )
    units = pd.DataFrame(
        {"level": ["district", "block"], "code": [7, 101], "name": ["D", "B"], "parent": [None, 7]}
    )
    units["parent"] = units["parent"].astype("Int64")
    h = eg.Hierarchy.from_frame(as_kind(units, kind), fw.levels)
    assert h.level("block").codes.tolist() == ["101"]
    assert h.level("block").parent.tolist() == [0]
    v = eg.Values.from_frame(as_kind(pd.DataFrame({"code": [101], "x": [2.5]}), kind), h, fw)
    assert v.columns["x"].tolist() == [2.5]


def test_zero_copy_numeric_columns(small):
    fw, h, _ = small
    df = pd.read_csv(SMALL / "values.csv", dtype={"inspected": "float64"})
    df = df.fillna({"inspected": 0.0})
    got = eg.Values.from_frame(df, h, fw)
    assert np.shares_memory(got.columns["inspected"], df["inspected"].to_numpy())
    frame = pl.from_pandas(df)
    got = eg.Values.from_frame(frame, h, fw)
    assert np.shares_memory(got.columns["inspected"], frame.get_column("inspected").to_numpy())
    table = pa.Table.from_pandas(df, preserve_index=False)
    got = eg.Values.from_frame(table, h, fw)
    arrow = table.column("inspected").chunk(0).to_numpy(zero_copy_only=True)
    assert np.shares_memory(got.columns["inspected"], arrow)


def test_column_names_must_be_unique_strings(small):
    fw, h, _ = small
    df = pd.DataFrame({"code": ["M-0001"], 0: [1.0]})
    with pytest.raises(eg.InputError, match=r"column names must be strings; got \[0\]"):
        eg.Values.from_frame(df, h, fw)
    twice = pd.DataFrame([["M-0001", 1.0, 1.0]], columns=["code", "installed", "installed"])
    with pytest.raises(eg.InputError, match=r"must be unique; got \['installed'\] twice"):
        eg.Values.from_frame(twice, h, fw)


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_nested_column_is_refused(small, kind):
    fw, h, _ = small
    data = {"code": ["M-0001"], "period": ["2021-01"], "installed": [[1, 2]]}
    frame = pl.DataFrame(data) if kind == "polars" else pa.table(data)
    with pytest.raises(eg.InputError, match=r"column 'installed' must hold numbers or text; got"):
        eg.Values.from_frame(frame, h, fw)


def test_frame_table_rows_are_positions():
    table = frame_table(pd.DataFrame({"a": ["x", "y"]}, index=[10, 20]))
    assert table.rows.tolist() == [0, 1]


# -- out ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result() -> eg.Result:
    return datasets.load("small").score("2021-01")


def _column(frame: object, kind: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A frame's column as (values as objects or floats, missing mask)."""
    if kind == "pandas":
        s = frame[name]
        return s.to_numpy(dtype=object), s.isna().to_numpy()
    s = frame[name] if kind == "polars" else frame.column(name)
    if kind == "arrow":
        s = pl.from_arrow(s)
    return s.to_numpy().astype(object), s.is_null().to_numpy()


@pytest.mark.parametrize("kind", KINDS)
def test_level_to_frame_has_the_csv_columns_typed(result, kind):
    for lv in result.levels:
        frame = lv.to_frame(kind)
        table = lv.table()
        names = list(frame.columns) if kind != "arrow" else frame.column_names
        assert names == list(table)
        for key, ranks in (("rank", lv.rank), ("rank_in_parent", lv.rank_in_parent)):
            values, missing = _column(frame, kind, key)
            np.testing.assert_array_equal(missing, ranks == 0)
            assert values[~missing].astype(np.int64).tolist() == ranks[ranks > 0].tolist()
        for key in ("score", "coverage", *lv.groups, *lv.indicators):
            values, missing = _column(frame, kind, key)
            expected = table[key]
            np.testing.assert_array_equal(missing, np.isnan(expected))
            np.testing.assert_array_equal(values[~missing].astype(float), expected[~missing])
        for key in ("code", "name", "parent", "band"):
            values, missing = _column(frame, kind, key)
            expected = np.asarray(table[key])
            np.testing.assert_array_equal(missing, expected == "")
            assert values[~missing].tolist() == expected[expected != ""].tolist()


def test_rank_dtypes_are_integers_with_missing(result):
    lv = result.level("machine")
    assert str(lv.to_frame("pandas")["rank"].dtype) == "Int64"
    assert lv.to_frame("polars")["rank"].dtype == pl.Int64
    assert lv.to_frame("arrow").schema.field("rank").type == pa.int64()


@pytest.mark.parametrize("kind", KINDS)
def test_result_to_frame_stacks_levels_with_a_level_column(result, kind):
    frame = result.to_frame(kind)
    levels, _ = _column(frame, kind, "level")
    expected = np.repeat([lv.level for lv in result.levels], [len(lv) for lv in result.levels])
    assert levels.tolist() == expected.tolist()
    codes, _ = _column(frame, kind, "code")
    assert codes.tolist() == np.concatenate([lv.codes for lv in result.levels]).tolist()
    ranks, missing = _column(frame, kind, "rank")
    all_ranks = np.concatenate([lv.rank for lv in result.levels])
    np.testing.assert_array_equal(missing, all_ranks == 0)
    assert ranks[~missing].astype(np.int64).tolist() == all_ranks[all_ranks > 0].tolist()


def test_result_frame_round_trips_to_each_level(result):
    """Result -> frame -> per level rows equal the level's own frame (pandas)."""
    whole = result.to_frame("pandas")
    for lv in result.levels:
        part = whole[whole["level"] == lv.level].drop(columns="level").reset_index(drop=True)
        own = lv.to_frame("pandas")
        pd.testing.assert_frame_equal(part[list(own.columns)], own, check_dtype=False)


def test_unknown_kind_is_refused(result):
    with pytest.raises(eg.InputError, match=r"frame kind must be one of .*; got 'excel'"):
        result.to_frame("excel")


@pytest.mark.parametrize(
    ("kind", "module"), [("pandas", "pandas"), ("polars", "polars"), ("arrow", "pyarrow")]
)
def test_missing_library_names_the_extra(result, monkeypatch, kind, module):
    monkeypatch.setitem(sys.modules, module, None)  # import now fails
    with pytest.raises(eg.InputError, match=rf"needs? the '{kind}' extra: pip install"):
        result.level("block").to_frame(kind)
    with pytest.raises(eg.InputError, match=rf"the '{kind}' extra"):
        require_library(kind)


def test_frames_in_a_run_with_dates(small):
    """A period given as a date (as a Parquet or pandas export holds it) scores the month."""
    fw, h, v = small
    df = pd.read_csv(SMALL / "values.csv")
    df["period"] = pd.to_datetime(df["period"] + "-01").dt.date
    assert isinstance(df["period"].iloc[0], datetime.date)
    got = eg.Values.from_frame(df, h, fw)
    assert got.period_list == v.period_list


def test_pandas_text_without_pyarrow_is_the_same(result, monkeypatch):
    with_arrow = result.level("block").to_frame("pandas")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    without = result.level("block").to_frame("pandas")
    assert str(without["code"].dtype) == "string"
    pd.testing.assert_frame_equal(without, with_arrow, check_dtype=False)
    assert without["band"].isna().tolist() == with_arrow["band"].isna().tolist()


_TEXT = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12
)


@given(
    st.lists(st.one_of(st.none(), _TEXT, st.text("ab0", max_size=80))),
    st.integers(0, 3),
)
@settings(max_examples=150, deadline=None)
def test_arrow_and_polars_text_is_read_cell_for_cell(cells, skip):
    """Text cut from Arrow's buffers is every cell as written (a null is empty), whatever
    the script, length or offset of the slice."""
    expected = ["" if c is None else c for c in cells][skip:]
    column = pa.array(cells, type=pa.string()).slice(skip)
    got = frame_table(pa.table({"t": column})).columns["t"]
    assert got.tolist() == [c.strip() for c in expected]
    by_polars = frame_table(pl.DataFrame({"t": cells[skip:]}, schema={"t": pl.String}))
    assert by_polars.columns["t"].tolist() == [c.strip() for c in expected]
    chunked = pa.chunked_array([pa.array(cells[skip:], type=pa.string()), pa.array(["x"])])
    got = frame_table(pa.table({"t": chunked})).columns["t"]
    assert got.tolist() == [c.strip() for c in expected] + ["x"]


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_a_nul_in_a_text_cell_is_refused_not_dropped(kind):
    """numpy's fixed-width text drops a trailing NUL ('M-1\x00' would become 'M-1'): a frame
    holding one is refused, naming the column and row, as a CSV file with a NUL is."""
    cells = {"code": ["M-1", "M-2\x00", "M-3"]}
    frame = {
        "pandas": lambda: pd.DataFrame(cells),
        "polars": lambda: pl.DataFrame(cells),
        "arrow": lambda: pa.table(cells),
    }[kind]()
    with pytest.raises(InputError, match=r"NUL character.*column 'code', row 1"):
        frame_table(frame)
