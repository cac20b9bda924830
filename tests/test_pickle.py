"""A result keeps only its own columns: it pickles, and the run that made it is let go."""

from __future__ import annotations

import gc
import pickle
import weakref

import attrs
import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.review.panel import score_panel

#: Every column mapping of a level result.
MAPPINGS = (
    "fields",
    "indicators",
    "normalised",
    "groups",
    "group_coverage",
    "group_ranks",
    "group_ranks_in_parent",
)
#: Every per-unit column of a level result.
COLUMNS = (
    "codes",
    "names",
    "names_hi",
    "parent",
    "parent_level_codes",
    "score",
    "rank",
    "rank_in_parent",
    "band",
    "coverage",
)


def small_inputs(parallel_min_rows: int = eg.engine.PARALLEL_MIN_ROWS):
    folder = datasets.path("small")
    fw = eg.Framework.from_toml(folder / "framework.toml")
    units = eg.Hierarchy.from_csv(folder / "units.csv", fw.levels)
    values = eg.Values.from_csv(folder / "values.csv", units, fw)
    return eg.Engine(fw, units, parallel_min_rows=parallel_min_rows), values


def assert_same_columns(a: eg.Result, b: eg.Result) -> None:
    assert a.diagnostics == b.diagnostics
    assert a.provenance == b.provenance
    assert a.framework == b.framework
    for la, lb in zip(a.levels, b.levels, strict=True):
        assert la.level == lb.level
        assert la.band_labels == lb.band_labels
        for name in COLUMNS:
            x, y = getattr(la, name), getattr(lb, name)
            assert x.dtype == y.dtype, name
            np.testing.assert_array_equal(x, y, err_msg=name)
        for name in MAPPINGS:
            x, y = getattr(la, name), getattr(lb, name)
            assert list(x) == list(y), name
            for k in x:
                assert x[k].dtype == y[k].dtype, (name, k)
                np.testing.assert_array_equal(x[k], y[k], err_msg=f"{name}[{k!r}]")


def round_trip(result: eg.Result) -> eg.Result:
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result
    assert_same_columns(copy, result)
    return copy


@pytest.mark.parametrize("parallel_min_rows", [0, eg.engine.PARALLEL_MIN_ROWS])
def test_a_result_pickles_with_every_column(parallel_min_rows):
    engine, values = small_inputs(parallel_min_rows)
    result = engine.score(values, period="2021-01")
    copy = round_trip(result)
    assert copy.unit(result.levels[-1].codes[0]) == result.unit(result.levels[-1].codes[0])


def test_every_result_of_the_jaipur_panel_pickles():
    panel = score_panel(datasets.load("jaipur"))
    assert len(panel.results) > 1  # stacked periods, cut apart
    for result in panel.results:
        round_trip(result)


def test_equality_covers_the_column_mappings():
    engine, values = small_inputs()
    a, b = engine.score(values, period="2021-01"), engine.score(values, period="2021-01")
    assert a.levels == b.levels
    machine = a.levels[-1]
    code = next(iter(machine.indicators))
    changed = {**machine.indicators, code: machine.indicators[code] + 1}
    assert attrs.evolve(machine, indicators=changed) != machine


@pytest.mark.parametrize("parallel_min_rows", [0, eg.engine.PARALLEL_MIN_ROWS])
def test_a_result_does_not_keep_the_engine_alive(parallel_min_rows):
    """Only a result's own columns (and what its lazily computed columns read) outlive the
    run: not the engine, nor the hierarchy the run read them from."""
    engine, values = small_inputs(parallel_min_rows)
    result = engine.score(values, period="2021-01")
    gone = weakref.ref(engine)
    hierarchy = weakref.ref(engine.hierarchy)
    del engine
    gc.collect()
    assert gone() is None
    assert hierarchy() is None
    seen: set[int] = set()
    todo: list[object] = [result]
    while todo:  # everything the result reaches
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        assert not isinstance(obj, eg.Engine | eg.Hierarchy)
        todo.extend(gc.get_referents(obj))
    assert result.levels[0].fields  # the lazily rolled-up fields still read
    for lv in result.levels:
        for k in lv.fields:
            assert len(lv.fields[k]) == len(lv)
