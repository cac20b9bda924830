"""Edge cases found in review (issue 14 point 7), each fixed and documented in docs/method.md."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score.exceptions import FrameworkError
from egov_score.kernels.rank import RANK_TOLERANCE, rank_in_groups
from tests.reference import _tolerant_rank
from tests.test_engine import framework, small

NAN = None


def none_framework(n=3):
    return framework(
        [
            {"code": f"i{k}", "field": f"f{k}", "parent": "index", "normalise": {"method": "none"}}
            for k in range(n)
        ],
        fields=[{"code": f"f{k}", "level": "machine", "rollup": "mean"} for k in range(n)],
    )


# -- ranks on values equal within relative 1e-9 ----------------------------------------------


def test_float_noise_composites_share_a_rank():
    fw = none_framework()
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": h.level("machine").codes,
            # the same three numbers in another order: a mean that differs in its last bit
            "f0": [13.4, 76.4, 50, NAN, NAN, NAN],
            "f1": [84.7, 84.7, 50, NAN, NAN, NAN],
            "f2": [76.4, 13.4, 50, NAN, NAN, NAN],
        },
        h,
        fw,
    )
    m = eg.score(h, fw, v).level("machine")
    assert m.score[0] != m.score[1]  # float noise, mathematically equal
    assert m.rank.tolist() == [1, 1, 3, 0, 0, 0]  # ties = min
    assert m.rank_in_parent.tolist() == [1, 1, 3, 0, 0, 0]
    assert m.group_ranks["index"].tolist() == [1, 1, 3, 0, 0, 0]


def test_rank_tolerance_is_relative_and_only_on_request():
    x = np.array([74.86666666666667, 74.86666666666666, 74.8666, 1e-300, 0.0])
    assert rank_in_groups(x).tolist() == [1, 2, 3, 4, 5]  # exact by default
    assert rank_in_groups(x, tolerance=RANK_TOLERANCE).tolist() == [1, 1, 3, 4, 5]
    # within 1e-9 of the larger magnitude, not an absolute 1e-9
    y = np.array([1e-12, 2e-12, 1e6, 1e6 * (1 + 5e-10), np.inf, 1e308])
    assert rank_in_groups(y, tolerance=RANK_TOLERANCE).tolist() == [6, 5, 3, 3, 1, 2]


def chain_ranks(xs):
    """The slow reference's composite ranks (docs/method.md, Edge cases)."""
    return [_tolerant_rank(x, xs) for x in xs]


near = st.sampled_from([0.0, 50.0, 74.86666666666667, 1e6, -3.0]).flatmap(
    lambda base: st.sampled_from([0.0, 1e-16, 5e-10, 2e-9, 1e-3]).map(lambda e: base * (1 + e) + e)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(near, st.floats(-1e3, 1e3)), st.integers(0, 2)), max_size=40))
def test_tolerant_ranks_match_the_chain_reference(rows):
    values = np.array([v for v, _ in rows], dtype=np.float64)
    groups = np.array([g for _, g in rows], dtype=np.intp)
    assert rank_in_groups(values, tolerance=RANK_TOLERANCE).tolist() == chain_ranks(values.tolist())
    got = rank_in_groups(values, groups, tolerance=RANK_TOLERANCE)
    for g in set(groups.tolist()):
        mine = [i for i in range(len(rows)) if groups[i] == g]
        assert got[mine].tolist() == chain_ranks(values[mine].tolist())


# -- all-zero weights ------------------------------------------------------------------------


def test_all_zero_weights_in_a_group_fail_when_the_framework_loads():
    with pytest.raises(FrameworkError, match="a group needs a child with a weight > 0") as err:
        framework(
            [
                {"code": "a", "field": "installed", "parent": "index", "weight": 0},
                {"code": "b", "field": "inspected", "parent": "index", "weight": 0.0},
            ]
        )
    assert "'index'" in str(err.value)
    assert "'a', 'b'" in str(err.value)


def test_one_positive_weight_is_enough():
    fw = framework(
        [
            {"code": "a", "field": "installed", "parent": "index", "weight": 0},
            {"code": "b", "field": "inspected", "parent": "index", "weight": 1},
        ]
    )
    assert fw.weight("a") == 0


# -- awards: the coverage rule and the months rule decide independently -----------------------


def test_months_without_a_score_do_not_lower_award_coverage():
    from egov_score.review.awards import AwardRules, select_awards
    from tests.test_progress import panel_of

    table = {  # B0 scored in 3 of 5 months, fully covered in each; B1 in 2 of 5
        "2020-08": [90.0, 95.0],
        "2020-09": [None, 96.0],
        "2020-10": [91.0, None],
        "2020-11": [None, None],
        "2020-12": [92.0, None],
    }
    rules = AwardRules(
        levels=("block",), winners={"block": 1}, runners_up=0, min_months=3, min_coverage=0.75
    )
    a = select_awards(panel_of(table), "republic_day", 2021, rules)
    # Counting months without a score as 0 % coverage, B0 had 60 % and never won.
    assert [w.code for w in a.winners["block"]] == ["B0"]
    assert a.winners["block"][0].mean_coverage == 1.0
    [b1] = a.near_misses["block"]
    assert [r.rule for r in b1.reasons] == ["min_months"]  # not min_coverage as well


# -- a numerator > 0 over a zero denominator: left out upward, noted on every level ------------


def rate_run(installed, inspected):
    """Score inspected / installed x 100 over small(): D1: B1 (3 machines), B2 (1); D2: B3 (2)."""
    rate = {"numerator": "inspected", "denominator": "installed", "scale": 100}
    fw = framework([{"code": "rate", "parent": "index", **rate}])
    h = eg.Hierarchy.from_units(small(), fw.levels)
    columns = {"code": h.level("machine").codes, "installed": installed, "inspected": inspected}
    return eg.score(h, fw, eg.Values.from_columns(columns, h, fw))


def test_numerator_over_zero_denominator_is_left_out_of_the_parents_sums():
    # B2's machine: 3 inspected of 0 installed
    r = rate_run([1, 1, 1, 0, 1, 1], [1, 0, 1, 3, 1, 1])
    # D1 was (1 + 0 + 1 + 3) / 3 = 166.7 %; without the baseless pair, 2 of 3.
    np.testing.assert_allclose(r.level("district").indicators["rate"], [200 / 3, 100.0])
    np.testing.assert_allclose(r.level("division").indicators["rate"], [80.0])
    assert np.isnan(r.level("block").indicators["rate"][1])
    below = {d.level: d.units for d in r.diagnostics_of("division_by_zero_below")}
    assert below == {"block": ("B2",), "district": ("D1",), "division": ("DIV",)}
    [own] = r.diagnostics_of("division_by_zero")
    assert (own.level, own.units) == ("machine", ("B2-M0",))


def test_zero_over_zero_still_counts_and_notes_nothing_above():
    r = rate_run([1, 1, 1, 0, 1, 1], [1, 0, 1, 0, 1, 1])
    assert not r.diagnostics_of("division_by_zero_below")
    np.testing.assert_allclose(r.level("district").indicators["rate"], [200 / 3, 100.0])


# -- a unit alone among its peers under a peer-relative method ---------------------------------


@pytest.mark.parametrize("method", ["minmax", "zscore", "target", "rank", "percentile", "fracmax"])
def test_a_lone_unit_is_missing_under_every_peer_method(method):
    normalise = {"method": method, "within": "parent"}
    if method == "target":
        normalise["target"] = 100.0
    fw = framework(
        [{"code": "up", "field": "uptime", "parent": "index", "normalise": normalise}],
        fields=[{"code": "uptime", "level": "machine", "rollup": "mean"}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)  # B2 holds one machine
    v = eg.Values.from_columns(
        {"code": h.level("machine").codes, "uptime": [10, 20, 30, 92.6, 50, 60]}, h, fw
    )
    r = eg.score(h, fw, v)
    m = r.level("machine")
    assert np.isnan(m.normalised["up"][3])  # B2-M0, alone under B2 (target used to score 0)
    assert not np.isnan(m.normalised["up"][[0, 1, 2, 4, 5]]).any()  # units with peers
    lone = [d for d in r.diagnostics_of("no_peers") if d.level == "machine"]
    assert lone[0].units == ("B2-M0",)
    # the division is alone on its level
    assert [d.units for d in r.diagnostics_of("no_peers") if d.level == "division"] == [("DIV",)]


def test_fixed_scales_score_a_lone_unit():
    fw = framework(
        [
            {
                "code": "up",
                "field": "uptime",
                "parent": "index",
                "normalise": {"method": "goalposts", "lower": 0, "upper": 100},
            }
        ],
        fields=[{"code": "uptime", "level": "machine", "rollup": "mean"}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {"code": h.level("machine").codes, "uptime": [10, 20, 30, 92.6, 50, 60]}, h, fw
    )
    r = eg.score(h, fw, v)
    assert r.level("division").normalised["up"][0] == pytest.approx(262.6 / 6)
    assert not r.diagnostics_of("no_peers")


# -- fracmax, lower is better, with a zero present --------------------------------------------


def test_fracmax_lower_is_better_with_a_zero_best_is_missing_and_noted():
    fw = framework(
        [
            {
                "code": "complaints",
                "field": "n",
                "parent": "index",
                "direction": -1,
                "normalise": {"method": "fracmax"},
            }
        ],
        fields=[{"code": "n", "level": "machine"}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns({"code": h.level("machine").codes, "n": [0, 2, 8, 4, 1, 5]}, h, fw)
    r = eg.score(h, fw, v)
    assert np.isnan(r.level("machine").normalised["complaints"]).all()  # not 100, 0, 0, ...
    [note] = [d for d in r.diagnostics_of("undefined_normalisation") if d.level == "machine"]
    assert len(note.units) == 6
    assert "best value is 0" in note.message
    # blocks: B1 sums 10, B2 4, B3 6: min / x as usual
    np.testing.assert_allclose(r.level("block").normalised["complaints"], [40.0, 100.0, 400 / 6])
