"""Data preparation declared in the framework and run by the engine: the TOML keys, the
flags and diagnostics on the result, screening, panels, threads; hand-calculated answers."""

from __future__ import annotations

import math
import pickle
import tomllib

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import FrameworkError
from egov_score.model.preparation import Imputation, Screening, Treatment

NaN = math.nan
UNITS = (
    eg.Unit(level="region", code="N", name="North"),
    eg.Unit(level="region", code="S", name="South"),
    *(eg.Unit(level="unit", code=f"N{i}", name=f"N{i}", parent="N") for i in range(1, 4)),
    *(eg.Unit(level="unit", code=f"S{i}", name=f"S{i}", parent="S") for i in range(1, 4)),
)


def hierarchy() -> eg.Hierarchy:
    # built per test, not kept in a global: test_pickle follows every reference a result
    # reaches (through sys.modules too) and refuses to find a Hierarchy
    return eg.Hierarchy.from_units(UNITS, ["region", "unit"])


CODES = ["N1", "N2", "N3", "S1", "S2", "S3"]


def framework(top: str = "", a: str = "", root: str = "") -> eg.Framework:
    text = f"""
levels = ["region", "unit"]
{top}
[[field]]
code = "a"
level = "unit"
rollup = "mean"
[[field]]
code = "b"
level = "unit"
rollup = "mean"
[[indicator]]
code = "a"
field = "a"
parent = "index"
{a}
[[indicator]]
code = "b"
field = "b"
parent = "index"
[[group]]
code = "index"
min_coverage = 0.0
{root}
"""
    return eg.Framework.from_dict(tomllib.loads(text), text=text, source="fw.toml")


def values(fw: eg.Framework, a, b, periods=("2021-01",)) -> eg.Values:
    n = len(periods)
    return eg.Values.from_columns(
        {
            "code": CODES * n,
            "period": [p for p in periods for _ in CODES],
            "a": list(a),
            "b": list(b),
        },
        hierarchy(),
        fw,
    )


A = [1.0, 3.0, NaN, 10.0, 20.0, NaN]
B = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def units(fw: eg.Framework, a=A, b=B) -> eg.LevelResult:
    return eg.score(hierarchy(), fw, values(fw, a, b)).level("unit")


# -- the framework ----------------------------------------------------------------------------


def test_group_settings_hold_for_indicators_that_set_none():
    fw = framework(a='impute = "median"', root='impute = { within = "parent" }\ntreat = "coinr"')
    assert fw.imputation("a") == Imputation(method="median")
    assert fw.imputation("b") == Imputation(method="mean", within="parent")
    assert fw.treatment("a") == fw.treatment("b") == Treatment(method="coinr")
    assert framework().imputation("a").method == "none"
    assert framework().treatment("a").method == "none"
    assert not framework().prepares
    assert fw.prepares


def test_preparation_survives_to_dict():
    fw = framework(
        top="[screen]\nmin_share = 0.5\nper_group = true",
        a='treat = { method = "boxcox", lambda = 0.5 }',
        root='impute = { method = "locf", max_age = 2 }',
    )
    again = eg.Framework.from_dict(fw.to_dict())
    assert again == fw
    assert again.screen == Screening(min_share=0.5, per_group=True)
    assert again.treatment("a").lam == 0.5


def test_no_preparation_leaves_the_digest_alone():
    assert "impute" not in str(framework().to_dict())
    assert "screen" not in framework().to_dict()


@pytest.mark.parametrize(
    ("a", "top", "words"),
    [
        ('impute = "mode"', "", "impute method must be one of"),
        ('impute = { method = "locf", max_age = 0 }', "", "impute max_age must be a whole number"),
        ('impute = { method = "mean", max_age = 3 }', "", "goes with method 'locf'"),
        ('impute = { method = "mean", within = "district" }', "", "impute within must be one of"),
        ("impute = 3", "", "impute must be a table or a method name; got 3"),
        ('treat = { method = "coinr", winmax = -1 }', "", "treat winmax must be a whole number"),
        ('treat = { method = "coinr", skew = "two" }', "", "treat skew must be a finite number"),
        ("", "[screen]\nper_group = true", "screen needs min_share"),
        ("", "screen = 0.9", "screen must be a table ([screen]); got 0.9"),
        ("", "[screen]\nmin_share = 0.5\nper_group = 1", "per_group must be true or false"),
    ],
)
def test_bad_preparation_is_refused_with_its_line(a, top, words):
    with pytest.raises(FrameworkError, match=r"fw\.toml, line \d+") as exc:
        framework(top=top, a=a)
    assert words in str(exc.value)


def test_records_check_themselves():
    with pytest.raises(FrameworkError, match="impute method must be one of"):
        Imputation(method="mode")
    with pytest.raises(FrameworkError, match="impute must be an Imputation or None"):
        eg.Indicator(code="x", parent="g", field="x", impute="mean")  # type: ignore[arg-type]


# -- the engine -------------------------------------------------------------------------------


def test_group_mean_within_parent_by_hand():
    # N3 missing: mean of N1, N2 = (1 + 3) / 2 = 2; S3: mean of S1, S2 = 15
    lv = units(framework(a='impute = { method = "mean", within = "parent" }'))
    np.testing.assert_array_equal(lv.indicators["a"], [1, 3, 2, 10, 20, 15])
    assert lv.imputed["a"].tolist() == [False, False, True, False, False, True]
    assert "b" not in lv.imputed
    # min-max over the level after imputation: (x - 1) / 19 * 100
    np.testing.assert_allclose(lv.normalised["a"], (np.array([1, 3, 2, 10, 20, 15]) - 1) / 19 * 100)
    table = lv.table()
    assert table["a_imputed"].tolist() == [0, 0, 1, 0, 0, 1]
    assert table["imputed_count"].tolist() == [0, 0, 1, 0, 0, 1]
    assert "b_imputed" not in table
    fw = framework(a='impute = { within = "parent" }')
    result = eg.score(hierarchy(), fw, values(fw, A, B))
    notes = [d for d in result.diagnostics if d.kind == "imputed" and d.level == "unit"]
    assert len(notes) == 1
    assert notes[0].units == ("N3", "S3")
    assert "mean of the peers in its parent" in notes[0].message


def test_level_mean_and_median_by_hand():
    # level mean of 1, 3, 10, 20 = 8.5; median = (3 + 10) / 2 = 6.5
    mean = units(framework(a='impute = "mean"'))
    median = units(framework(a='impute = "median"'))
    np.testing.assert_array_equal(mean.indicators["a"][[2, 5]], [8.5, 8.5])
    np.testing.assert_array_equal(median.indicators["a"][[2, 5]], [6.5, 6.5])


def test_without_preparation_nothing_is_added():
    lv = units(framework())
    assert lv.imputed == {}
    assert lv.treated == {}
    assert lv.screened_out is None
    assert not any(k.endswith(("_imputed", "_treated", "_count")) for k in lv.table())
    assert not lv.imputed_count.any()
    assert np.isnan(lv.indicators["a"][2])


def test_screening_by_hand():
    # N3 and S3 report 1 of 2 indicators (share 0.5 < 0.75): not scored, not peers
    fw = framework(top="[screen]\nmin_share = 0.75")
    lv = units(fw)
    assert lv.screened_out is not None
    assert lv.screened_out.tolist() == [False, False, True, False, False, True]
    assert lv.rank.tolist()[2] == lv.rank.tolist()[5] == 0
    assert np.isnan(lv.score[[2, 5]]).all()
    # b's peers are 1, 2, 4, 5: S1 (4) scores (4 - 1) / 4 * 100
    assert lv.normalised["b"][3] == pytest.approx(75.0)
    result = eg.score(hierarchy(), fw, values(fw, A, B))
    [note] = [d for d in result.diagnostics if d.kind == "screened_out" and d.level == "unit"]
    assert note.units == ("N3", "S3")
    assert lv.table()["screened_out"].tolist() == [0, 0, 1, 0, 0, 1]
    assert result.unit("N3").screened_out
    assert not result.unit("N1").screened_out


def test_screening_per_group():
    # a is the only indicator of group ga; at 0.5 overall N3 passes, but not within ga
    fw_data = framework(top="[screen]\nmin_share = 0.5\nper_group = true").to_dict()
    fw_data["group"] = [
        {"code": "index", "min_coverage": 0.0},
        {"code": "ga", "parent": "index"},
        {"code": "gb", "parent": "index"},
    ]
    fw_data["indicator"][0]["parent"] = "ga"
    fw_data["indicator"][1]["parent"] = "gb"
    fw = eg.Framework.from_dict(fw_data)
    assert units(fw).screened_out.tolist() == [False, False, True, False, False, True]
    fw_data["screen"]["per_group"] = False
    assert not units(eg.Framework.from_dict(fw_data)).screened_out.any()


def test_treatment_flags_on_the_result():
    # b: 1..5 and 1000 at the unit level: skew and kurtosis high; one step of winsorising
    # (1000 -> 5) leaves 1..5, 5, which passes
    lv = units(framework(root='treat = "coinr"'), a=B, b=[1, 2, 3, 4, 5, 1000])
    assert lv.treated["b"].tolist() == [0, 0, 0, 0, 0, 1]
    assert lv.table()["b_treated"].tolist() == [""] * 5 + ["winsorised_high"]
    assert lv.normalised["b"][5] == 100.0
    assert lv.normalised["b"][4] == 100.0  # tied with the winsorised point
    fw = framework(root='impute = { within = "parent" }\ntreat = "coinr"')
    result = eg.score(hierarchy(), fw, values(fw, A, [1, 2, 3, 4, 5, 1000]))
    assert result.unit("S3").estimated == ("a",)
    assert result.unit("S3").treated == {"b": "winsorised_high"}
    assert result.unit("S1").estimated == ()
    assert result.unit("S1").treated == {}
    assert lv.indicators["b"][5] == 1000  # the column shows the value reported


def test_log_transform_on_request():
    lv = units(framework(a='treat = "log"'), a=[1, 2, 11, 1, 2, 11], b=B)
    # log_CT then min-max: (log(x - 1 + 0.1) - log 0.1) / (log 10.1 - log 0.1) * 100
    expected = (np.log(np.array([1, 2, 11]) - 0.9) - math.log(0.1)) / (
        math.log(10.1) - math.log(0.1)
    )
    np.testing.assert_allclose(lv.normalised["a"][:3], expected * 100, atol=1e-9)
    assert set(lv.table()["a_treated"]) == {"transformed"}


def test_last_observation_carried_forward_in_a_panel():
    fw = framework(a='impute = { method = "locf", max_age = 1 }')
    periods = ("2021-01", "2021-02", "2021-03")
    a = [1, 2, 3, 4, 5, 6, NaN, 2, 3, 4, 5, 6, NaN, NaN, 3, 4, 5, 6]
    vals = values(fw, a, B * 3, periods)
    engine = eg.Engine(fw, hierarchy())
    results = engine.score_stacked([vals.at(p) for p in periods], list(periods))
    feb, mar = (r.level("unit") for r in results[1:])
    assert feb.indicators["a"][0] == 1  # January's value, one month old
    assert feb.imputed["a"].tolist() == [True] + [False] * 5
    assert np.isnan(mar.indicators["a"][0])  # two months old: too old
    assert mar.indicators["a"][1] == 2
    assert mar.imputed["a"].tolist() == [False, True] + [False] * 4


def test_threads_give_the_same_prepared_result():
    fw = framework(
        top="[screen]\nmin_share = 0.75",
        root='impute = { within = "parent" }\ntreat = "coinr"',
    )
    vals = values(fw, A, [1, 2, 3, 4, 5, 1000])
    one = eg.Engine(fw, hierarchy(), parallel=False).score(vals)
    two = eg.Engine(fw, hierarchy(), parallel=True, parallel_min_rows=1).score(vals)
    assert one == two
    assert pickle.loads(pickle.dumps(two)) == two
