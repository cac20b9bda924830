"""The stacked batch scorer: one nominal run is score() bit for bit; any run is score() of the
framework with that run's choices; the runs' ranks are the rank kernel's, row by row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import egov_score as eg
from egov_score.engine.batch import BatchScorer, Choices
from egov_score.kernels.rank import RANK_TOLERANCE, rank_two_ways
from egov_score.kernels.rank_runs import rank_quantiles, rank_runs
from egov_score.model.uncertainty import Uncertainty, UncertaintyError, WeightNoise
from tests.strategies import (
    ALL_METHODS,
    build_hierarchy,
    frameworks,
    hierarchies,
    to_columns,
    value_tables,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw, methods=ALL_METHODS, aggregations=None):
    levels, units = draw(hierarchies())
    fw = draw(frameworks(levels, methods=methods, aggregations=aggregations))
    values = draw(value_tables(units, fw, missing=0.2))
    h = build_hierarchy(levels, units)
    return h, fw, eg.Values.from_columns(to_columns(units, fw, values), h, fw)


def _batch(h, fw, v, uncertainty):
    engine = eg.Engine(fw, h)
    scorer = BatchScorer(engine, uncertainty)
    return scorer, scorer.period(v.at("P"), "P")


@SETTINGS
@given(scenarios())
def test_a_nominal_batch_of_one_is_score_bit_for_bit(scenario):
    h, fw, v = scenario
    result = eg.score(h, fw, v, "P")
    _, batch = _batch(h, fw, v, Uncertainty(weights=WeightNoise(kind="share", share=0.3)))
    for runs, level in zip(batch.score(Choices.nominal(1)), result.levels, strict=True):
        assert runs.scores is not None
        np.testing.assert_array_equal(runs.scores[0], level.score)
        np.testing.assert_array_equal(runs.rank[0], level.rank)
        np.testing.assert_array_equal(runs.rank_in_parent[0], level.rank_in_parent)


def _framework_of_run(fw, scorer, choice):
    """The framework a run scores with, written out as a plain framework (the reference)."""
    data = fw.to_dict()
    un = scorer.uncertainty
    row = int(choice.weights[0])
    for table in (*data["indicator"], *data["group"]):
        parent = table.get("parent")
        if parent is not None:
            kids = fw.children(parent)
            table["weight"] = float(scorer.weight_sets[parent][row][kids.index(table["code"])])
    if choice.normalisation[0] >= 0:
        method = un.normalisation[int(choice.normalisation[0])]
        for table in data["indicator"]:
            table["normalise"] = {"method": method, "within": table["normalise"]["within"]}
    if choice.aggregation[0] >= 0:
        method = un.aggregation[int(choice.aggregation[0])]
        for table in data["group"]:
            table["aggregate"] = {"method": method}
    return eg.Framework.from_dict(data)


@SETTINGS
@given(scenarios(methods=("minmax", "percentile", "fracmax")), st.integers(0, 2**16))
def test_every_run_is_score_of_its_own_framework(scenario, seed):
    h, fw, v = scenario
    un = Uncertainty(
        seed=seed,
        runs=6,
        weights=WeightNoise(kind="share", share=0.5),
        normalisation=("minmax", "percentile"),
        aggregation=("arithmetic", "geometric"),
    )
    scorer, batch = _batch(h, fw, v, un)
    design = np.random.default_rng(seed).random((un.runs, len(un.choices)))
    choices = scorer.design_choices(design)
    found = batch.score(choices)
    for r in range(un.runs):  # the slow reference: score() once per run
        result = eg.score(h, _framework_of_run(fw, scorer, choices.take(slice(r, r + 1))), v, "P")
        for runs, level in zip(found, result.levels, strict=True):
            assert runs.scores is not None
            np.testing.assert_array_equal(runs.scores[r], level.score)
            np.testing.assert_array_equal(runs.rank[r], level.rank)
            np.testing.assert_array_equal(runs.rank_in_parent[r], level.rank_in_parent)


_scores = st.sampled_from([np.nan, 0.0, 1.0, 1.0 + 1e-12, 2.0, 50.0, 50.0 * (1 + 5e-10), -3.0])


def _check_rows(scores, parent):
    ranks, in_parent = rank_runs(scores, parent, tolerance=RANK_TOLERANCE)
    assert in_parent is not None
    for r, row in enumerate(scores):
        level, by_parent = rank_two_ways(row, None, parent, tolerance=RANK_TOLERANCE)
        np.testing.assert_array_equal(ranks[r], level)
        np.testing.assert_array_equal(in_parent[r], by_parent)


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 12)), elements=_scores),
    st.data(),
)
def test_runs_rank_as_the_rank_kernel_ranks_each_row(scores, data):
    n = scores.shape[1]
    parent = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), np.intp)
    _check_rows(scores, parent)


def test_near_ties_within_a_parent_tie_whatever_the_rest_of_the_row():
    # Found by the property above: after the re-sort by parent a row's ends are no longer its
    # largest values, so the tolerance's scale must come from the sort by value.
    scores = np.array([[0.0] * 8, [0, 0, 50, 0, 0, 0, 50.00000003, 0]])
    _check_rows(scores, np.array([0, 0, 3, 0, 0, 0, 3, 3], dtype=np.intp))


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.int32, st.tuples(st.integers(1, 30), st.integers(1, 4)), elements=st.integers(0, 9)
    ),
    st.lists(st.floats(0, 1), min_size=1, max_size=3),
)
def test_rank_quantiles_follow_numpys_inverted_cdf(ranks, qs):
    found, median, count = rank_quantiles(ranks, tuple(qs))
    for u in range(ranks.shape[1]):
        ranked = ranks[:, u][ranks[:, u] > 0]
        assert count[u] == len(ranked)
        if not len(ranked):
            assert np.isnan(median[u])
            assert all(f[u] == 0 for f in found)
            continue
        assert median[u] == np.median(ranked)
        for q, f in zip(qs, found, strict=True):
            assert f[u] == np.quantile(ranked, q, method="inverted_cdf")


def test_a_design_must_have_a_column_per_choice():
    un = Uncertainty(weights=WeightNoise(kind="share", share=0.1), imputation=True)
    with pytest.raises(UncertaintyError, match=r"one column per uncertain choice \['weights', "):
        Choices.from_design(np.zeros((3, 1)), un, 10)
    with pytest.raises(UncertaintyError, match="must lie in"):
        Choices.from_design(np.full((3, 2), 1.5), un, 10)
    picked = Choices.from_design(np.array([[0.0, 0.2], [0.999, 0.7]]), un, 10)
    assert picked.weights.tolist() == [1, 10]
    assert picked.imputation.tolist() == [False, True]


def test_pca_weights_are_refused():
    fw = eg.Framework.from_dict(
        {
            "levels": ["division", "district"],
            "field": [{"code": "a", "level": "district"}, {"code": "b", "level": "district"}],
            "indicator": [
                {"code": "x", "field": "a", "parent": "index"},
                {"code": "y", "field": "b", "parent": "index"},
            ],
            "group": [{"code": "index", "weighting": "pca"}],
        }
    )
    h = build_hierarchy(fw.levels, [("division", "D", None), ("district", "A", "D")])
    with pytest.raises(UncertaintyError, match="got weighting 'pca' for group 'index'"):
        BatchScorer(eg.Engine(fw, h), Uncertainty())


def test_alternative_methods_must_be_known_and_apply_alone():
    from egov_score import datasets

    small = datasets.load("small")
    fw, h = small.framework, small.hierarchy
    with pytest.raises(UncertaintyError, match="got 'minmx'; did you mean 'minmax'"):
        BatchScorer(eg.Engine(fw, h), Uncertainty(normalisation=("minmx",)))
    with pytest.raises(UncertaintyError, match="apply with its defaults"):
        BatchScorer(eg.Engine(fw, h), Uncertainty(normalisation=("goalposts",)))


def test_dirichlet_weights_keep_each_groups_total_and_zero_weights():
    from egov_score.engine.batch import draw_weight_sets

    fw = eg.Framework.from_dict(
        {
            "levels": ["division"],
            "field": [{"code": "a", "level": "division"}],
            "indicator": [
                {"code": "x", "field": "a", "parent": "index", "weight": 2},
                {"code": "y", "field": "a", "parent": "index", "weight": 0},
                {"code": "z", "field": "a", "parent": "index", "weight": 1},
            ],
            "group": [{"code": "index"}],
        }
    )
    un = Uncertainty(runs=500, weights=WeightNoise(kind="dirichlet", concentration=50))
    sets = draw_weight_sets(fw, un, np.random.default_rng(0))["index"]
    assert sets.shape == (501, 3)
    assert sets[0].tolist() == [2.0, 0.0, 1.0]
    np.testing.assert_allclose(sets.sum(axis=1), 3.0)
    assert (sets[:, 1] == 0).all()
    assert abs(sets[1:, 0].mean() - 2.0) < 0.05  # centred on the nominal weights


@pytest.mark.parametrize("step", ["imputation", "treatment"])
def test_imputation_and_treatment_turn_off_as_declared(step):
    data = {
        "levels": ["division", "district"],
        "field": [{"code": "a", "level": "district"}, {"code": "b", "level": "district"}],
        "indicator": [
            {"code": "x", "field": "a", "parent": "index"},
            {"code": "y", "field": "b", "parent": "index"},
        ],
        "group": [
            {
                "code": "index",
                "impute": {"method": "mean"},
                "treat": {"method": "trim", "lower": 0.2, "upper": 0.8},
            }
        ],
    }
    on = eg.Framework.from_dict(data)
    data["group"][0].pop("impute" if step == "imputation" else "treat")
    off = eg.Framework.from_dict(data)
    codes = ["A", "B", "C", "D", "E"]
    units = [("division", "D0", None)] + [("district", c, "D0") for c in codes]
    h = build_hierarchy(on.levels, units)
    values = eg.Values.from_columns(
        {"code": codes, "period": ["P"] * 5, "a": [1, 2, 3, 4, 50], "b": [5, None, 1, 2, 3]},
        h,
        on,
    )
    scorer = BatchScorer(eg.Engine(on, h), Uncertainty(**{step: True}))
    found = scorer.period(values.at("P"), "P").score_design(np.array([[0.2], [0.8]]))
    for r, fw in enumerate((off, on)):
        result = eg.score(h, fw, values, "P")
        for runs, level in zip(found, result.levels, strict=True):
            assert runs.scores is not None
            np.testing.assert_array_equal(runs.scores[r], level.score)
            np.testing.assert_array_equal(runs.rank[r], level.rank)
    districts = found[1].scores
    assert districts is not None
    assert not np.array_equal(districts[0], districts[1], equal_nan=True)  # the step mattered
