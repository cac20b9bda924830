"""Remove-one-element importance (``engine/removal.py``, COINr's ``remove_elements``): a hand
calculation on four blocks and three indicators, COINr's zero-weight definition, the reduced
framework, and the Jaipur pipeline."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.engine.removal import framework_without, removable_groups, removal_importance
from egov_score.exceptions import InputError
from egov_score.kernels.sensitivity import mean_abs_rank_shift

FIELDS = [{"code": c, "level": "block", "rollup": "mean"} for c in ("xa", "xb", "xc")]


def tree(parents: tuple[str, ...], groups: list[dict], weights=(1, 1, 1)) -> eg.Framework:
    """Indicators a, b, c (of fields xa, xb, xc) under ``parents``, scored as they are."""
    indicators = [
        {"code": c, "field": f"x{c}", "parent": p, "weight": w, "normalise": {"method": "none"}}
        for c, p, w in zip("abc", parents, weights, strict=True)
    ]
    return eg.Framework.from_dict(
        {"levels": ["district", "block"], "field": FIELDS, "indicator": indicators, "group": groups}
    )


def flat() -> eg.Framework:
    """index = (a + b + 2c) / 4."""
    return tree(("index",) * 3, [{"code": "index"}], weights=(1, 1, 2))


def nested() -> eg.Framework:
    """index = (g1 + g2) / 2, g1 = (a + b) / 2, g2 = c: the same nominal scores."""
    groups = [{"code": "index"}, *({"code": g, "parent": "index"} for g in ("g1", "g2"))]
    return tree(("g1", "g1", "g2"), groups)


BLOCKS = ("B1", "B2", "B3", "B4")
DATA = {"xa": [100, 0, 50, 20], "xb": [0, 100, 50, 60], "xc": [40, 30, 70, 10]}


def job(fw: eg.Framework, data: dict[str, list[float]] = DATA) -> tuple[eg.Engine, eg.Values]:
    units = [eg.Unit(level="district", code="D", name="D")]
    units += [eg.Unit(level="block", code=b, name=b, parent="D") for b in BLOCKS]
    h = eg.Hierarchy.from_units(units, fw.levels)
    values = eg.Values.from_columns({"code": list(BLOCKS), "period": ["P"] * 4, **data}, h, fw)
    return eg.Engine(fw, h), values


def test_removing_each_indicator_by_hand():
    # Nominal: B1 (100 + 0 + 80)/4 = 45, B2 (0 + 100 + 60)/4 = 40, B3 (50 + 50 + 140)/4 = 60,
    # B4 (20 + 60 + 20)/4 = 25: ranks B1 2, B2 3, B3 1, B4 4.
    # Without a (b + 2c)/3: 26.67, 53.33, 63.33, 26.67 -> ranks 3, 2, 1, 3: changes 1, 1, 0, 1.
    # Without b (a + 2c)/3: 60, 20, 63.33, 13.33 -> ranks 2, 3, 1, 4: no change.
    # Without c (a + b)/2: 50, 50, 50, 40 -> ranks 1, 1, 1, 4: changes 1, 2, 0, 0.
    engine, values = job(flat())
    got = removal_importance(engine, values, level="block")
    assert got.kind == "indicator"
    assert got.level == "block"
    assert got.elements == ("a", "b", "c")
    np.testing.assert_allclose(got.mean_abs_rank_change, [0.75, 0.0, 0.75])
    np.testing.assert_array_equal(got.max_abs_rank_change, [1.0, 0.0, 2.0])


def test_removing_each_group_by_hand():
    # Without g1 the index is c: 40, 30, 70, 10 -> ranks 2, 3, 1, 4: no change.
    # Without g2 the index is (a + b)/2: 50, 50, 50, 40 -> as without c above.
    engine, values = job(nested())
    got = removal_importance(engine, values, level="block", elements="groups")
    assert got.kind == "group"
    assert got.elements == ("g1", "g2")
    np.testing.assert_allclose(got.mean_abs_rank_change, [0.0, 0.75])
    np.testing.assert_array_equal(got.max_abs_rank_change, [0.0, 2.0])


def test_an_indicator_alone_in_its_group_takes_the_group_with_it():
    fw = nested()
    reduced = framework_without(fw, ["c"])
    assert list(reduced.indicators) == ["a", "b"]
    assert list(reduced.groups) == ["index", "g1"]
    assert reduced == framework_without(fw, ["g2"])
    engine, values = job(fw)
    by_indicator = removal_importance(engine, values, level="block")
    # Without a, g1 = b and the index (b + c)/2: 20, 65, 60, 35 -> ranks 4, 1, 2, 3 against
    # 2, 3, 1, 4: changes 2, 2, 1, 1. Without b, (a + c)/2: 70, 15, 60, 15 -> ranks 1, 3, 2,
    # 3: changes 1, 0, 1, 1. Without c, g2 goes with it: as without g2.
    np.testing.assert_allclose(by_indicator.mean_abs_rank_change, [1.5, 0.75, 0.75])


def test_a_group_left_with_only_zero_weights_goes_too():
    groups = [{"code": "index"}, {"code": "g1", "parent": "index"}]
    fw = tree(("g1", "g1", "index"), groups, weights=(1, 0, 1))
    reduced = framework_without(fw, ["a"])
    assert list(reduced.indicators) == ["c"]
    assert list(reduced.groups) == ["index"]


def test_removing_the_root_or_the_last_indicator_is_refused():
    with pytest.raises(InputError, match=r"must leave an indicator to score; got none left"):
        framework_without(nested(), ["index"])
    with pytest.raises(InputError, match=r"must leave an indicator to score"):
        framework_without(flat(), ["a", "b", "c"])
    with pytest.raises(
        InputError, match=r"indicators or groups \['a', 'b', 'c', 'index'\]; got 'z'"
    ):
        framework_without(flat(), ["z"])


def test_groups_by_depth():
    fw = nested()
    assert removable_groups(fw) == ("g1", "g2")
    assert removable_groups(fw, 1) == ("g1", "g2")
    with pytest.raises(
        InputError,
        match=r"depth must be one of the tree's group depths below the root \[1\]; got 2",
    ):
        removable_groups(fw, 2)
    with pytest.raises(
        InputError, match=r"one of the tree's group depths below the root \[\]; got None"
    ):
        removable_groups(flat())


def _zero_weight(fw: eg.Framework, code: str) -> eg.Framework:
    """COINr's removal: the element kept, its weight set to 0."""
    return attrs.evolve(
        fw, indicators={**fw.indicators, code: attrs.evolve(fw.indicators[code], weight=0.0)}
    )


score_cell = st.integers(0, 100).map(float)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(score_cell, score_cell, score_cell), min_size=4, max_size=4))
def test_removal_matches_coinr_zero_weight_definition(rows):
    """COINr's remove_elements sets the element's weight to 0, re-aggregates and takes the
    mean over units of |rank change| (``R/audit_tools.R``); for the arithmetic mean leaving it
    out of the framework is the same."""
    data = {f: [r[k] for r in rows] for k, f in enumerate(("xa", "xb", "xc"))}
    fw = flat()
    engine, values = job(fw, data)
    got = removal_importance(engine, values, level="block")
    nominal = engine.score(values).level("block").rank
    for e, code in enumerate(("a", "b", "c")):
        zeroed, _ = job(_zero_weight(fw, code), data)
        ranks = zeroed.score(values).level("block").rank
        want = mean_abs_rank_shift(ranks[None], nominal)[0]
        np.testing.assert_allclose(got.mean_abs_rank_change[e], want)


@pytest.fixture(scope="module")
def jaipur():
    return datasets.load("jaipur")


def test_the_jaipur_pipeline_removes_each_scheme(jaipur):
    data = jaipur
    got = removal_importance(data, level="block", period="2021-01", elements="groups")
    fw = data.framework
    assert got.elements == tuple(g for g in fw.groups if g != fw.root)
    # one element by hand: the engine's own run on the framework without it
    columns = data.gather("2021-01").levels
    nominal = data.engine.score_level_values(columns, "2021-01").level("block").rank
    without = eg.Engine(
        framework_without(fw, ["emitra"]),
        data.hierarchy,
        normalisers=data.engine.normalisers,
        aggregators=data.engine.aggregators,
    )
    ranks = without.score_level_values(columns, "2021-01").level("block").rank
    counted = (ranks > 0) & (nominal > 0)
    want = np.abs(ranks - nominal)[counted]
    e = got.elements.index("emitra")
    assert got.mean_abs_rank_change[e] == pytest.approx(want.mean())
    assert got.max_abs_rank_change[e] == want.max() > 0
    assert (got.max_abs_rank_change >= got.mean_abs_rank_change).all()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"level": "state"}, r"level must be one of \['district', 'block'\]; got 'state'"),
        (
            {"level": "block", "elements": "fields"},
            r"elements must be one of \['indicators', 'groups'\]; got 'fields'",
        ),
        ({"level": "block", "depth": 1}, r"depth goes with elements='groups' only; got depth=1"),
    ],
)
def test_bad_requests_are_refused(kwargs, words):
    engine, values = job(flat())
    with pytest.raises(InputError, match=words):
        removal_importance(engine, values, **kwargs)


def test_an_engine_needs_values_and_a_pipeline_refuses_them():
    engine, values = job(flat())
    with pytest.raises(InputError, match="needs the values to score; got none"):
        removal_importance(engine, level="block")
    data = datasets.load("small")
    with pytest.raises(InputError, match="values go with an engine only"):
        removal_importance(data, values, level="block")


def test_the_example_in_the_docs_runs():
    text = (Path(__file__).resolve().parent.parent / "docs" / "analysis.md").read_text("utf-8")
    section = text[text.index("**Remove-one-element importance**") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(block.group(1), namespace)
    assert namespace["schemes"].elements == removable_groups(datasets.load("jaipur").framework)


def test_a_level_left_with_nothing_to_rank_has_no_change(jaipur):
    # Machines are scored on e-Mitra's indicators only: without them no machine is ranked,
    # so no unit is ranked both times (NaN); the other schemes do not touch machines' ranks.
    got = removal_importance(jaipur, level="machine", period="2021-01", elements="groups")
    assert got.elements[0] == "emitra"
    assert np.isnan(got.mean_abs_rank_change[0])
    assert np.isnan(got.max_abs_rank_change[0])
    np.testing.assert_array_equal(got.mean_abs_rank_change[1:], 0.0)
