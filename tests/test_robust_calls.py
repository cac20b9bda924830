"""The division page flags a "told to improve" or "praised" call that is not robust, and shows
the districts' rank intervals (issue 15, point 4)."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from egov_score import datasets
from egov_score.model.sensitivity import Sensitivity
from egov_score.pipeline import Pipeline
from egov_score.render.review import district_flags, review_html, review_markdown, review_text
from egov_score.review.division import Review
from egov_score.review.panel import Panel, score_panel
from egov_score.review.robustness import call_robustness
from tests.sensitivity_fixture import hand_sensitivity

MONTH = "2021-01"
Small = tuple[Pipeline, Panel]


@pytest.fixture(scope="module")
def small() -> Small:
    data = datasets.load("small")
    return data, score_panel(data)


def _with_shares(s: Sensitivity, top: list[float], bottom: list[float]) -> Sensitivity:
    """``s`` with the districts' top-k and bottom-k shares set in the review month."""
    key = (MONTH, "district")
    lv = s.levels[key]
    ranks = attrs.evolve(lv.ranks, top_share=np.array(top), bottom_share=np.array(bottom))
    return attrs.evolve(s, levels={**s.levels, key: attrs.evolve(lv, ranks=ranks)})


def _review(small: Small, s: Sensitivity | None) -> Review:
    data, panel = small
    return Review(panel=panel, period=MONTH, hierarchy=data.hierarchy, sensitivity=s)


def test_a_call_below_the_robust_share_is_flagged(small: Small) -> None:
    # The small division's two districts are both praised (the top two); Alwar leads.
    s = _with_shares(hand_sensitivity(small[1], robust_share=0.6), [0.59, 0.6], [0.0, 0.0])
    lines = district_flags(_review(small, s), "en")
    alwar = next(x for x in lines if "Alwar" in x)
    dausa = next(x for x in lines if "Dausa" in x)
    assert alwar.endswith("(not robust: among the top 1 in only 59 % of runs)")
    assert "not robust" not in dausa  # 60 % of runs is exactly the threshold: robust
    hindi = district_flags(_review(small, s), "hi")
    assert any("सुदृढ़ नहीं: केवल 59 % गणनाओं में शीर्ष 1 में" in x for x in hindi)


def test_the_weak_call_reads_the_bottom_share(small: Small) -> None:
    s = _with_shares(hand_sensitivity(small[1]), [1.0, 1.0], [0.0, 0.1])
    got = call_robustness(s, "district", "D-097", MONTH, "weak")
    assert got is not None
    assert (got.share, got.k, got.robust) == (0.1, 1, False)
    strong = call_robustness(s, "district", "D-097", MONTH, "strong")
    assert strong is not None
    assert strong.robust
    with pytest.raises(Exception, match="call must be 'weak' or 'strong'"):
        call_robustness(s, "district", "D-097", MONTH, "average")


def test_without_an_analysis_the_page_is_unchanged(small: Small) -> None:
    plain = _review(small, None)
    robust = _review(small, _with_shares(hand_sensitivity(small[1]), [1.0, 1.0], [1.0, 1.0]))
    assert district_flags(plain, "en") == district_flags(robust, "en")
    assert "plausible" not in review_markdown(plain)
    assert "plausible" not in review_html(plain)


@pytest.mark.parametrize("render", [review_text, review_markdown, review_html])
def test_the_division_page_shows_the_districts_rank_intervals(small: Small, render) -> None:  # type: ignore[no-untyped-def]
    s = hand_sensitivity(small[1], noise=30.0)
    page = render(_review(small, s), "en")
    assert "Rank intervals under plausible method choices" in page
    stats = s.level("district", MONTH).ranks
    for i in range(len(stats.codes)):
        assert f"{stats.low[i]}–{stats.high[i]}" in page
    assert "संभावित पद्धति विकल्पों में रैंक अंतराल" in render(_review(small, s), "hi")


def test_a_weak_call_below_the_robust_share_is_flagged_on_jaipur() -> None:
    """Jaipur's five districts: two praised, two told to improve; each weak call flagged by
    its own bottom share."""
    data = datasets.load("jaipur")
    panel = score_panel(data)
    s = hand_sensitivity(panel, levels=("district",), runs=10)
    lv = panel.result(MONTH).level("district")
    order = np.argsort(lv.rank)  # best first; every Jaipur district is ranked
    bottom = np.zeros(len(lv.codes))
    bottom[order[-1]] = 0.3  # the weakest: not robust
    bottom[order[-2]] = 0.9  # the second weakest: robust
    s = _with_shares(s, [1.0] * len(lv.codes), bottom.tolist())
    rv = Review(panel=panel, period=MONTH, hierarchy=data.hierarchy, sensitivity=s)
    lines = [x for x in district_flags(rv, "en") if x.startswith("Needs to improve")]
    weakest = str(lv.names[order[-1]])
    second = str(lv.names[order[-2]])
    assert any(
        weakest in x and "(not robust: among the bottom 1 in only 30 % of runs)" in x for x in lines
    )
    assert any(second in x and "not robust" not in x for x in lines)
