"""A panel from one in-memory ``Values``: its months are used in place, and every level's every
column is exactly what scoring each month alone gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score.engine.fields import _adjoining
from egov_score.model.hierarchy import Level

FIELDS = ("installed", "inspected", "transactions", "complaints")
FRAMEWORK = {
    "levels": ["district", "block", "machine"],
    "field": [{"code": f, "level": "machine"} for f in FIELDS],
    "indicator": [
        {
            "code": "inspection_rate",
            "numerator": "inspected",
            "denominator": "installed",
            "scale": 100,
            "parent": "index",
            "normalise": {"method": "goalposts", "lower": 0, "upper": 100},
        },
        {
            "code": "tx",
            "numerator": "transactions",
            "denominator": "installed",
            "parent": "index",
            "normalise": {"method": "minmax"},
        },
        {
            "code": "complaints",
            "field": "complaints",
            "direction": -1,
            "parent": "index",
            "normalise": {"method": "minmax"},
        },
    ],
    "group": [{"code": "index", "min_coverage": 0.5}],
}


def _level(name: str, n: int, parent: np.ndarray | None) -> Level:
    codes = np.char.add(name[:2].upper(), np.arange(n).astype(str))
    return Level(
        name=name,
        codes=codes,
        names=codes,
        names_hi=np.full(n, ""),
        parent=np.full(n, -1, dtype=np.intp) if parent is None else parent.astype(np.intp),
    )


def _panel_job(months: int, seed: int) -> tuple[eg.Pipeline, eg.Values]:
    rng = np.random.default_rng(seed)
    n_dist, n_blk, n = 3, 9, 240
    hierarchy = eg.Hierarchy(
        (
            _level("district", n_dist, None),
            _level("block", n_blk, np.arange(n_blk) % n_dist),
            _level("machine", n, rng.integers(0, n_blk, n)),
        )
    )
    framework = eg.Framework.from_dict(FRAMEWORK)
    rows = n * months
    installed = (rng.random(rows) < 0.9).astype(float)
    columns = {
        "installed": installed,
        "inspected": installed * (rng.random(rows) < 0.6),
        "transactions": rng.poisson(20, rows).astype(float),
        "complaints": rng.poisson(2, rows).astype(float),
    }
    for col in columns.values():
        col[rng.random(rows) < 0.1] = np.nan
    periods = [f"2021-{m + 1:02d}" for m in range(months)]
    values = eg.Values(
        source="<panel>",
        periods=np.repeat(np.array(periods), n),
        depth=np.full(rows, 2, dtype=np.intp),
        index=np.tile(np.arange(n, dtype=np.intp), months),
        columns=columns,
        level_sizes=(n_dist, n_blk, n),
        field_levels=dict.fromkeys(columns, 2),
    )
    return eg.Pipeline.build(framework, hierarchy, values=values, parallel=False), values


COLUMNS = ("fields", "indicators", "normalised", "groups", "group_coverage", "group_ranks")
ARRAYS = ("codes", "parent", "score", "rank", "rank_in_parent", "band", "coverage")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_panel_is_each_month_scored_alone(seed: int) -> None:
    """Every level's every column of every month equals the month's own ``score()``."""
    job, values = _panel_job(months=4, seed=seed)
    panel = eg.score_panel(job)
    for period in values.period_list:
        alone = job.score(period)
        stacked = panel.result(period)
        for got, want in zip(stacked.levels, alone.levels, strict=True):
            for name in ARRAYS:
                np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
            for kind in (*COLUMNS, "group_ranks_in_parent"):
                assert list(getattr(got, kind)) == list(getattr(want, kind))
                for key in getattr(want, kind):
                    np.testing.assert_array_equal(
                        getattr(got, kind)[key], getattr(want, kind)[key], err_msg=key
                    )
        assert stacked == alone


def test_months_in_one_column_are_not_copied() -> None:
    """A month of a period-major ``Values`` is a view of its column, and the stacked input
    of the panel is the column itself, not a copy."""
    _, values = _panel_job(months=3, seed=0)
    march = values.at("2021-03")[2]["transactions"]
    assert np.shares_memory(march, values.columns["transactions"])
    months = [values.at(p)[2]["transactions"] for p in values.period_list]
    joined = _adjoining(months)
    assert joined is not None
    assert np.shares_memory(joined, values.columns["transactions"])
    np.testing.assert_array_equal(joined, np.concatenate(months))


def test_columns_out_of_order_are_copied() -> None:
    """Slices that are not end to end in order are not taken for one column."""
    base = np.arange(12.0)
    assert _adjoining([base[4:8], base[0:4]]) is None
    assert _adjoining([base[0:4], base[5:9]]) is None
    assert _adjoining([base[0:4], np.arange(4.0)]) is None
    joined = _adjoining([base[2:6], base[6:10]])
    assert joined is not None
    assert joined.tolist() == base[2:10].tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["2021-01", "2021-02", "2020-12", "P1"]), min_size=1, max_size=30))
def test_months_in_any_row_order(labels: list[str]) -> None:
    """Rows in any order of periods: the sorted distinct periods and each period's columns
    are what a slow lookup, row by row, gives."""
    n = len(labels)
    rng = np.random.default_rng(n)
    column = rng.random(n)
    values = eg.Values(
        source="<rows>",
        periods=np.array(labels),
        depth=np.zeros(n, dtype=np.intp),
        index=np.arange(n, dtype=np.intp),  # one unit per row: a level of n units
        columns={"x": column},
        level_sizes=(n,),
        field_levels={"x": 0},
    )
    assert values.period_list == tuple(sorted(set(labels)))
    for period in values.period_list:
        want = [float(column[i]) if labels[i] == period else None for i in range(n)]
        got = [None if np.isnan(x) else float(x) for x in values.at(period)[0]["x"]]
        assert got == want
