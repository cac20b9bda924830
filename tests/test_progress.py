"""Progress over time: panels, change measures, delta ranks, streaks and awards."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score.cli import main
from egov_score.render.awards import awards_csv, awards_html, awards_json, awards_markdown
from egov_score.render.card import reason_text
from egov_score.review.awards import AwardRules, award_window, select_awards
from egov_score.review.panel import score_panel
from egov_score.review.progress import gap_closed, percentage_change, progress, streaks, transitions
from tests.strategies import build_hierarchy, frameworks, hierarchies, to_columns, value_tables

LEVELS = ["district", "block"]


def simple_framework(method="goalposts"):
    norm = {"method": method}
    if method == "goalposts":
        norm.update(lower=0, upper=100)
    return eg.Framework.from_dict(
        {
            "levels": LEVELS,
            "field": [{"code": "x", "level": "block"}],
            "indicator": [{"code": "xi", "field": "x", "parent": "index", "normalise": norm}],
            "group": [{"code": "index", "min_coverage": 0.5}],
        }
    )


def units(n_blocks=3):
    return [eg.District(code="D1", name="D1"), eg.District(code="D2", name="D2")] + [
        eg.Block(code=f"B{i}", name=f"Block {i}", parent="D1" if i < 2 else "D2")
        for i in range(n_blocks)
    ]


def panel_of(table, method="goalposts", normalisation="period", order=None):
    """table: {period: [x of B0, B1, ...]} (None = missing)."""
    fw = simple_framework(method)
    n = len(next(iter(table.values())))
    h = eg.Hierarchy.from_units(units(n), fw.levels)
    data = {"code": [], "period": [], "x": []}
    for period, xs in table.items():
        for i, x in enumerate(xs):
            data["code"].append(f"B{i}")
            data["period"].append(period)
            data["x"].append(x)
    if order is not None:
        data = {k: [v[i] for i in order] for k, v in data.items()}
    values = eg.Values.from_columns(data, h, fw)
    return score_panel(eg.Pipeline.build(fw, h, values=values), normalisation=normalisation)


# -- known answers ------------------------------------------------------------------------------


def test_change_measures_known_answer():
    base, now = np.array([20.0, 50.0, 80.0]), np.array([25.0, 60.0, 90.0])
    np.testing.assert_allclose(percentage_change(now, base), [25.0, 20.0, 12.5])
    np.testing.assert_allclose(gap_closed(now, base, 100.0), [6.25, 20.0, 50.0])
    assert np.isnan(gap_closed(np.array([100.0]), np.array([100.0]), 100.0))[0]
    assert np.isnan(percentage_change(np.array([5.0]), np.array([0.0])))[0]


def test_delta_ranks_and_both_measures_on_a_panel():
    panel = panel_of({"2020-12": [20.0, 50.0, 80.0], "2021-01": [25.0, 60.0, 90.0]})
    p = progress(panel, "block", "2021-01")
    np.testing.assert_allclose(p.change_since_base, [5.0, 10.0, 10.0])
    assert p.delta_rank.tolist() == [3, 1, 1]  # ties share the lowest rank
    assert p.delta_rank_in_parent.tolist() == [2, 1, 1]  # B0, B1 under D1; B2 under D2
    np.testing.assert_allclose(p.percentage_change, [25.0, 20.0, 12.5])
    np.testing.assert_allclose(p.gap_closed, [6.25, 20.0, 50.0])
    assert p.transition.tolist() == ["same", "same", "same"]  # each stays in its band
    assert p.rank_change.tolist() == [0.0, 0.0, 0.0]


def test_band_transitions_new_and_lost():
    before = np.array([0, 2, -1, 1, -1])
    after = np.array([1, 1, 2, -1, -1])
    assert transitions(before, after).tolist() == ["up", "down", "new", "lost", ""]


def test_streaks_end_at_the_last_period():
    m = np.array(
        [[10, 10, 10, 10], [11, 9, 11, np.nan], [12, 10, 11, 12], [13, 11, 12, 13]], dtype=float
    )
    assert streaks(m).tolist() == [3, 2, 1, 1]


def test_units_that_appear_and_missing_periods_are_explicit():
    panel = panel_of({"2020-01": [10.0, None, 30.0], "2020-03": [20.0, 40.0, None]})
    assert panel.missing_periods == ("2020-02",)
    p = progress(panel, "block", "2020-03")
    assert p.transition.tolist() == ["same", "new", "lost"]
    assert p.present.tolist() == [True, True, False]
    assert math.isnan(p.change[1])
    assert p.delta_rank.tolist() == [1, 0, 0]


def test_global_normalisation_fixes_bounds_across_the_panel():
    table = {"2020-01": [0.0, 10.0, None], "2020-02": [5.0, 20.0, None]}
    per = panel_of(table, method="minmax")
    glob = panel_of(table, method="minmax", normalisation="global")
    assert per.normalisation == "period"
    assert glob.normalisation == "global"
    np.testing.assert_allclose(per.results[1].level("block").normalised["xi"][:2], [0, 100])
    np.testing.assert_allclose(glob.results[0].level("block").normalised["xi"][:2], [0, 50])
    np.testing.assert_allclose(glob.results[1].level("block").normalised["xi"][:2], [25, 100])
    assert per.results[1].provenance.normalisation == "period"


# -- properties ---------------------------------------------------------------------------------

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_panel_equals_each_period_alone(data):
    levels, us = data.draw(hierarchies())
    fw = data.draw(frameworks(levels))
    h = build_hierarchy(levels, us)
    periods = ["P1", "P2", "P3"][: data.draw(st.integers(1, 3))]
    cols: dict[str, list] = {}
    for p in periods:
        part = to_columns(us, fw, data.draw(value_tables(us, fw)), period=p)
        for k, v in part.items():
            cols.setdefault(k, []).extend(v)
    values = eg.Values.from_columns(cols, h, fw)
    engine = eg.Engine(fw, h)
    panel = score_panel(eg.Pipeline.build(fw, h, values=values))
    for p, stacked in zip(periods, panel.results, strict=True):
        alone = engine.score(values, p)
        for a, b in zip(alone.levels, stacked.levels, strict=True):
            np.testing.assert_array_equal(a.score, b.score)
            np.testing.assert_array_equal(a.rank, b.rank)
            np.testing.assert_array_equal(a.rank_in_parent, b.rank_in_parent)
            for k in a.normalised:
                np.testing.assert_array_equal(a.normalised[k], b.normalised[k])
        kinds = sorted((d.kind, d.level, d.code, d.units) for d in alone.diagnostics)
        assert kinds == sorted((d.kind, d.level, d.code, d.units) for d in stacked.diagnostics)


score_cell = st.one_of(st.none(), st.integers(30, 100).map(float))


@st.composite
def award_tables(draw):
    n = draw(st.integers(2, 6))
    months = [f"2020-{m:02d}" for m in range(8, 13)]
    return {m: [draw(score_cell) for _ in range(n)] for m in months}


RULES = AwardRules(
    levels=("block",), winners={"block": 2}, runners_up=1, min_months=2, min_coverage=0.5
)


@SETTINGS
@given(award_tables(), st.randoms(use_true_random=False))
def test_awards_do_not_depend_on_row_order(table, rnd):
    n = sum(len(v) for v in table.values())
    order = list(range(n))
    rnd.shuffle(order)
    a = select_awards(panel_of(table), "republic_day", 2021, RULES)
    b = select_awards(panel_of(table, order=order), "republic_day", 2021, RULES)
    assert awards_json(a) == awards_json(b)


@SETTINGS
@given(award_tables(), st.data())
def test_a_dominating_unit_never_ranks_below(table, data):
    n = len(next(iter(table.values())))
    a, b = data.draw(st.permutations(range(n)))[:2]
    for xs in table.values():  # make a strictly better than b in every month, both present
        xs[a] = float(data.draw(st.integers(50, 100)))
        xs[b] = xs[a] - data.draw(st.integers(1, 20))
    awards = select_awards(panel_of(table), "republic_day", 2021, RULES)
    order = [c.code for c in awards.candidates["block"]]
    assert order.index(f"B{a}") < order.index(f"B{b}")


# -- awards -------------------------------------------------------------------------------------


def test_award_windows():
    assert award_window("republic_day", 2021) == ("2020-08", "2020-12")
    assert award_window("independence_day", 2021) == ("2021-01", "2021-07")
    with pytest.raises(eg.InputError, match=r"occasion must be one of .*; got 'diwali'"):
        award_window("diwali", 2021)


def test_awards_known_answer_with_every_rule():
    table = {
        "2020-08": [90.0, 70.0, 40.0],
        "2020-09": [92.0, 75.0, None],
        "2020-10": [None, 80.0, 95.0],
        "2020-11": [None, 85.0, 96.0],
        "2020-12": [None, 90.0, 97.0],
    }
    rules = AwardRules(
        levels=("block",),
        winners={"block": 1},
        runners_up=1,
        min_months=3,
        min_coverage=0.5,
        min_band="Performer",
    )
    a = select_awards(panel_of(table), "republic_day", 2021, rules)
    [winner] = a.winners["block"]
    assert winner.code == "B1"  # mean 80 over 5 months
    assert winner.mean_score == 80.0
    assert winner.improvement == 20.0
    assert a.runners_up["block"] == ()
    misses = {
        c.code: tuple(reason_text(r, "en", a.bands) for r in c.reasons)
        for c in a.near_misses["block"]
    }
    # B0 (mean 91) scored in 2 months; B2 (mean 82) had a month below Performer (40 < 50).
    # B0's coverage is 100 % over the months it was scored in: its months without a score are
    # the min_months rule's alone (issue 14 point 7; they used to count as 0 % coverage).
    assert misses == {
        "B0": ("scored in 2 of the window's months; needs 3",),
        "B2": ("a month below Performer",),
    }
    assert "mean score 80.0 over 5 months, +20.0 points from August 2020 to December 2020" in (
        awards_markdown(a)
    )
    improvement = select_awards(
        panel_of(table),
        "republic_day",
        2021,
        AwardRules(
            levels=("block",),
            winners={"block": 1},
            criterion="improvement",
            min_months=1,
            min_coverage=0.0,
            min_band=None,
        ),
    )
    assert improvement.winners["block"][0].code == "B2"  # +57 points


def test_award_tie_break_is_documented_not_input_order():
    table = {"2020-08": [80.0, 80.0, 70.0], "2020-09": [80.0, 80.0, 90.0]}
    rules = AwardRules(levels=("block",), winners={"block": 3}, min_months=1, min_coverage=0.0)
    a = select_awards(panel_of(table), "republic_day", 2021, rules)
    # all mean 80: last month's score first (B2 = 90), then the code
    assert [c.code for c in a.winners["block"]] == ["B2", "B0", "B1"]


def test_award_renderers_and_cli(tmp_path, capsys):
    assert main(["awards", "--levels", "district,block", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["window"] == ["2020-08", "2020-12"]
    assert data["levels"]["district"]["winners"][0]["name"] == "Alwar"
    assert data["levels"]["district"]["winners"][0]["citation_hi"].startswith("अलवर")
    assert (
        main(["awards", "--format", "html", "--lang", "hi", "--out", str(tmp_path / "a.html")]) == 0
    )
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "गणतंत्र दिवस" in html
    assert "<script" not in html
    assert (
        main(
            [
                "awards",
                "--format",
                "csv",
                "--occasion",
                "independence_day",
                "--year",
                "2020",
                "--criterion",
                "mix",
                "--out",
                str(tmp_path / "a.csv"),
            ]
        )
        == 0
    )
    header = (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("level,outcome,place,code")
    assert main(["awards", "--window", "2030-01:2030-02"]) == 2
    assert "award window" in capsys.readouterr().err


def test_awards_render_in_every_format():
    panel = panel_of({"2020-08": [60.0, 70.0, 80.0], "2020-09": [65.0, 75.0, 85.0]})
    a = select_awards(
        panel, "republic_day", 2021, AwardRules(levels=("district", "block"), min_months=1)
    )
    assert "Winners" in awards_markdown(a)
    assert "विजेता" in awards_markdown(a, "hi")
    assert awards_csv(a).count("\n") == 1 + 2 + 3
    html = awards_html(a)
    assert "Block 2 (D2): mean score 82.5 over 2 months, +5.0 points" in html  # 80 -> 85
    assert '<ol start="2">' in html  # runners-up numbered by place


def test_progress_of_groups_and_indicators():
    panel = panel_of({"2020-12": [20.0, 50.0, 80.0], "2021-01": [25.0, 60.0, 70.0]})
    by_group = progress(panel, "block", "2021-01", what="index")
    by_indicator = progress(panel, "block", "2021-01", what="xi")
    np.testing.assert_allclose(by_group.change, [5.0, 10.0, -10.0])
    np.testing.assert_allclose(by_indicator.change, [5.0, 10.0, -10.0])  # goalposts 0-100
    assert by_indicator.rank_change.tolist() == [0.0, 0.0, 0.0]
    assert by_group.delta_rank.tolist() == [2, 1, 3]
    with pytest.raises(eg.InputError, match="got 'nope'"):
        progress(panel, "block", "2021-01", what="nope")
