"""The methods and weightings of issue 14 points 4 and 5, declared in a framework and run by
the engine: TOML keys, their errors, a whole run, panels, and effective weights."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score import datasets
from egov_score.engine.weights import effective_weights
from egov_score.exceptions import FrameworkError, ScoringError
from egov_score.kernels import weights as kw
from egov_score.model.framework import Framework, Group, Normalisation
from egov_score.pipeline import Pipeline
from egov_score.review.panel import score_panel

PERIOD = "2021-01"


@pytest.fixture(scope="module")
def small():
    return datasets.load("small")


def framework_with(small, indicators=None, groups=None):
    data = small.framework.to_dict()
    for ind in data["indicator"]:
        ind.update((indicators or {}).get(ind["code"], {}))
    for grp in data["group"]:
        grp.update((groups or {}).get(grp["code"], {}))
    return Framework.from_dict(data)


def run(small, fw, period=PERIOD):
    return Pipeline.build(fw, small.engine.hierarchy, values=small.values).score(period)


TOML = """
levels = ["district", "block"]
[[field]]
code = "a"
level = "block"
[[indicator]]
code = "x"
field = "a"
parent = "index"
normalise = {normalise}
[[group]]
code = "index"
{group}
"""


def load(tmp_path, normalise='"minmax"', group=""):
    path = tmp_path / "framework.toml"
    path.write_text(TOML.format(normalise=normalise, group=group), encoding="utf-8")
    return Framework.from_toml(path)


def test_toml_keys_of_the_new_methods(tmp_path):
    fw = load(tmp_path, '{ method = "minmax", range = [1, 10] }')
    assert fw.indicators["x"].normalise.range == (1.0, 10.0)
    fw = load(tmp_path, '{ method = "percentile", form = "rank/n" }')
    assert fw.indicators["x"].normalise.form == "rank/n"
    fw = load(tmp_path, '{ method = "distance", to = "unit", units = ["D1", "B1"] }')
    assert fw.indicators["x"].normalise.units == ("D1", "B1")
    fw = load(tmp_path, '{ method = "distance", to = "unit", units = "D1" }')
    assert fw.indicators["x"].normalise.units == ("D1",)
    fw = load(tmp_path, '{ method = "categorical", percentiles = [50], scores = [0, 100] }')
    assert fw.indicators["x"].normalise.scores == (0.0, 100.0)
    fw = load(tmp_path, group='aggregate = "copeland"\nweighting = "pca"')
    assert fw.groups["index"].aggregate.method == "copeland"
    assert fw.groups["index"].weighting == "pca"
    assert Framework.from_dict(fw.to_dict()) == fw


@pytest.mark.parametrize(
    ("normalise", "group", "match"),
    [
        ('{ method = "zscore", range = [0, 1] }', "", "range applies to method 'minmax' only"),
        ('{ method = "minmax", range = [5, 1] }', "", r"lower < upper; got \(5.0, 1.0\)"),
        ('{ method = "minmax", range = "0-10" }', "", "range must be a list of numbers"),
        ('{ method = "minmax", form = "rank/n" }', "", "form must be one of"),
        ('{ method = "percentile", form = "rank/N" }', "", "got form='rank/N'"),
        ('{ method = "distance", to = "unit" }', "", "exactly when to = 'unit'"),
        ('{ method = "distance", to = "median" }', "", "to must be one of"),
        ('{ method = "distance", units = [1] }', "", "units must be a unit code"),
        ('{ method = "categorical", percentiles = [50] }', "", "both percentiles and scores"),
        (
            '{ method = "categorical", percentiles = [50, 40], scores = [0, 1, 2] }',
            "",
            "strictly increasing",
        ),
        ('{ method = "categorical", percentiles = [50], scores = [0] }', "", "one more than"),
        ('"minmax"', 'weighting = "factor"', "weighting must be one of"),
        ('"minmax"', 'aggregate = "borda_count"', "did you mean 'borda'"),
    ],
)
def test_toml_errors_name_the_file_and_line(tmp_path, normalise, group, match):
    with pytest.raises(FrameworkError, match=match) as info:
        load(tmp_path, normalise, group)
    assert "framework.toml, line" in str(info.value)


def test_records_check_their_options():
    with pytest.raises(FrameworkError, match="scores must be one more"):
        Normalisation(method="categorical", percentiles=(10.0, 90.0), scores=(0.0, 1.0))
    with pytest.raises(FrameworkError, match="weighting must be one of"):
        Group(code="g", weighting="random")


def test_a_run_with_every_new_method(small):
    fw = framework_with(
        small,
        indicators={
            "inspection_rate": {"normalise": {"method": "categorical"}},
            "transactions_per_machine": {
                "normalise": {
                    "method": "distance",
                    "to": "unit",
                    "units": ["DIV-JAIPUR", "D-087", "B-0574", "M-0001"],
                }
            },
            "hours_displayed_rate": {"normalise": {"method": "minmax", "range": [1, 10]}},
        },
        groups={"machines": {"aggregate": "borda"}, "index": {"aggregate": "median"}},
    )
    result = run(small, fw)
    block = result.level("block")
    codes = block.codes.tolist()
    tpm = block.normalised["transactions_per_machine"]
    assert tpm[codes.index("B-0574")] == 100.0
    raw = block.indicators["transactions_per_machine"]
    np.testing.assert_allclose(tpm, raw / raw[codes.index("B-0574")] * 100)
    hours = block.normalised["hours_displayed_rate"]
    assert np.nanmin(hours) == 1.0
    assert np.nanmax(hours) == 10.0
    # the index is the weighted median of its two children: "machines" has weight 2 of 3
    both = ~np.isnan(block.groups["use"])
    assert both.any()
    np.testing.assert_array_equal(block.score[both], block.groups["machines"][both])


def test_distance_to_a_unit_missing_from_a_level_is_an_error(small):
    fw = framework_with(
        small,
        indicators={
            "transactions_per_machine": {
                "normalise": {"method": "distance", "to": "unit", "units": ["D-087"]}
            }
        },
    )
    with pytest.raises(ScoringError, match="must name exactly one unit of level 'division'"):
        run(small, fw)


@pytest.mark.parametrize("method", ["borda", "copeland"])
def test_peer_aggregations_compare_within_each_period_of_a_panel(small, method):
    fw = framework_with(small, groups={"machines": {"aggregate": method}, "use": {}})
    job = Pipeline.build(fw, small.engine.hierarchy, values=small.values)
    panel = score_panel(job)
    assert len(panel.periods) == 2
    for period, stacked in zip(panel.periods, panel.results, strict=True):
        alone = job.score(period)
        for a, b in zip(stacked.levels, alone.levels, strict=True):
            np.testing.assert_array_equal(a.groups["machines"], b.groups["machines"])


def test_equal_weighting_ignores_the_declared_weights(small):
    declared = run(small, small.framework)
    fw = framework_with(small, groups={"machines": {"weighting": "equal"}})
    equal = run(small, fw)
    fw_ones = framework_with(
        small, indicators={"transacting_rate": {"weight": 1}}, groups={"machines": {}}
    )
    np.testing.assert_array_equal(
        equal.level("machine").groups["machines"],
        run(small, fw_ones).level("machine").groups["machines"],
    )
    assert not np.array_equal(
        equal.level("machine").groups["machines"],
        declared.level("machine").groups["machines"],
        equal_nan=True,
    )


def test_pca_weighting_uses_pca_weights_and_says_so(small):
    fw = framework_with(small, groups={"index": {"weighting": "pca"}})
    result = run(small, fw)
    notes = [d for d in result.diagnostics if d.kind == "pca_weights"]
    assert {d.level for d in notes} == {"division", "district", "block", "machine"}
    machine = result.level("machine")
    kids = np.column_stack([machine.groups["machines"], machine.groups["use"]])
    pca = kw.pca_weights(kids)
    np.testing.assert_allclose(
        machine.score, kids @ pca.weights / pca.weights.sum(), equal_nan=True, atol=1e-12
    )
    said = next(d.message for d in notes if d.level == "machine")
    assert "PCA weights from 10 units" in said
    # the division alone cannot give PCA weights: the declared ones are used, and it is said
    said = next(d.message for d in notes if d.level == "division")
    assert "could not be derived" in said
    assert "declared weights are used" in said


def test_effective_weights_of_a_result(small):
    result = run(small, small.framework)
    shares = effective_weights(result.level("machine"), small.framework)
    assert list(shares) == list(small.framework.groups)
    machines = shares["machines"]
    assert set(machines) == {"inspection_rate", "geotag_rate", "transacting_rate"}
    assert sum(machines.values()) == pytest.approx(1.0)
