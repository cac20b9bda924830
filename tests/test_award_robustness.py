"""How often each award winner wins across the runs of a sensitivity analysis, and the flag on
a winner that is not robust (issue 15, point 4)."""

from __future__ import annotations

import json
import math

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.model.sensitivity import Sensitivity
from egov_score.pipeline import Pipeline
from egov_score.render.awards import render_awards
from egov_score.review.awards import AwardRules, Awards, select_awards
from egov_score.review.panel import Panel, score_panel
from egov_score.review.robustness import award_robustness, win_shares
from tests.sensitivity_fixture import hand_sensitivity

Small = tuple[Pipeline, Panel]
RULES = AwardRules(
    levels=("district", "block"),
    winners={"district": 1, "block": 2},
    runners_up=1,
    min_months=1,
    min_band=None,
    min_coverage=0.0,
    window=("2020-12", "2021-01"),
)


def _reference(
    scores: np.ndarray, eligible: np.ndarray, codes: list[str], criterion: str, mix: float, n: int
) -> np.ndarray:
    """The share of runs each candidate wins, one run and one candidate at a time."""
    periods, runs, units = scores.shape
    wins = np.zeros(units)
    for r in range(runs):
        keys = []
        for u in range(units):
            got = [scores[p, r, u] for p in range(periods) if not math.isnan(scores[p, r, u])]
            if not got:
                continue
            mean = sum(got) / len(got)
            improvement = got[-1] - got[0]
            crit = {"mean": mean, "improvement": improvement}.get(
                criterion, mix * mean + (1 - mix) * improvement
            )
            if eligible[u] and not math.isnan(crit):
                keys.append(((-crit, -got[-1], -mean, codes[u]), u))
        for _, u in sorted(keys)[:n]:
            wins[u] += 1
    return wins / runs


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    periods=st.integers(1, 4),
    runs=st.integers(1, 6),
    units=st.integers(1, 7),
    criterion=st.sampled_from(["mean", "improvement", "mix"]),
    n=st.integers(0, 3),
)
def test_win_shares_match_a_run_by_run_reference(
    data: st.DataObject, periods: int, runs: int, units: int, criterion: str, n: int
) -> None:
    cell = st.one_of(st.just(math.nan), st.sampled_from([40.0, 55.5, 60.0, 72.25, 90.0]))
    flat = data.draw(
        st.lists(cell, min_size=periods * runs * units, max_size=periods * runs * units)
    )
    scores = np.array(flat).reshape(periods, runs, units)
    eligible = np.array(data.draw(st.lists(st.booleans(), min_size=units, max_size=units)))
    codes = [f"U{k:02d}" for k in data.draw(st.permutations(range(units)))]
    order = np.empty(units, dtype=np.intp)
    order[np.argsort(codes, kind="stable")] = np.arange(units)
    got = win_shares(scores, eligible, order, criterion=criterion, mix=0.3, winners=n)
    want = _reference(scores, eligible, codes, criterion, 0.3, n)
    np.testing.assert_allclose(got, want)


@pytest.fixture(scope="module")
def small() -> Small:
    data = datasets.load("small")
    return data, score_panel(data)


def _nominal_runs(s: Sensitivity, panel: Panel) -> Sensitivity:
    """``s`` with every run's scores equal to the nominal scores."""
    levels = {}
    for (period, level), lv in s.levels.items():
        nominal = panel.result(period).level(level).score
        scores = np.broadcast_to(nominal, lv.scores.shape).copy()  # type: ignore[union-attr]
        levels[(period, level)] = attrs.evolve(lv, scores=scores)
    return attrs.evolve(s, levels=levels)


def _awards(small: Small) -> Awards:
    return select_awards(small[1], "republic_day", 2021, RULES)


def test_with_the_nominal_scores_in_every_run_each_winner_always_wins(small: Small) -> None:
    awards = _awards(small)
    rob = award_robustness(awards, _nominal_runs(hand_sensitivity(small[1]), small[1]))
    for level in RULES.levels:
        for c in awards.winners[level]:
            assert rob[level].share(c.code) == 1.0
            assert rob[level].robust(c.code)
        for c in awards.runners_up[level]:
            assert rob[level].share(c.code) == 0.0


def test_a_hand_count_of_wins(small: Small) -> None:
    """Two districts, four runs: Dausa beats Alwar over the window in one run only."""
    awards = _awards(small)
    s = hand_sensitivity(small[1], runs=4)
    alwar = 0  # the level's order: D-087 Alwar, D-097 Dausa
    levels = dict(s.levels)
    for period in ("2020-12", "2021-01"):
        lv = levels[(period, "district")]
        scores = np.full((4, 2), 50.0)
        scores[:, alwar] = [70.0, 70.0, 70.0, 40.0]
        levels[(period, "district")] = attrs.evolve(lv, scores=scores)
    rob = award_robustness(awards, attrs.evolve(s, levels=levels))["district"]
    assert rob.share("D-087") == 0.75
    assert rob.share("D-097") == 0.25
    assert rob.runs == 4


def test_a_level_without_every_runs_scores_is_left_out(small: Small) -> None:
    s = hand_sensitivity(small[1])
    key = ("2020-12", "block")
    s = attrs.evolve(s, levels={**s.levels, key: attrs.evolve(s.levels[key], scores=None)})
    rob = award_robustness(_awards(small), s)
    assert set(rob) == {"district"}


def test_the_awards_say_how_often_each_winner_wins(small: Small) -> None:
    awards = _awards(small)
    s = hand_sensitivity(small[1], noise=30.0, robust_share=0.99)
    rob = award_robustness(awards, s)
    winner = awards.winners["district"][0]
    share = rob["district"].share(winner.code)
    assert share < 0.99
    percent = f"{round(100 * share)} %"
    md = render_awards(awards, "md", "en", rob)
    assert f"wins in {percent} of runs; not robust" in md
    assert f"{percent} गणनाओं में विजेता; सुदृढ़ नहीं" in render_awards(awards, "html", "hi", rob)
    doc = json.loads(render_awards(awards, "json", "en", rob))
    first = doc["levels"]["district"]["winners"][0]
    assert first["win_share"] == round(share, 6)
    assert first["robust"] is False
    csv = render_awards(awards, "csv", "en", rob)
    header = csv.splitlines()[0].lstrip("\ufeff")
    assert header.endswith(",win_share,robust")
    row = next(line for line in csv.splitlines() if f",{winner.code}," in line)
    assert row.endswith(f",{share:.6f},no")


def test_without_robustness_the_awards_are_unchanged(small: Small) -> None:
    awards = _awards(small)
    for fmt in ("md", "html", "json", "csv"):
        assert render_awards(awards, fmt, "en", None) == render_awards(awards, fmt, "en")
        assert "of runs" not in render_awards(awards, fmt, "en")
