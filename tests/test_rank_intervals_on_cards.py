"""Report cards show each rank with its interval under plausible method choices when the
review has a sensitivity analysis, and are unchanged without one (issue 15, point 4)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import jsonschema
import numpy as np
import pytest

from egov_score import datasets
from egov_score.model.sensitivity import Sensitivity
from egov_score.pipeline import Pipeline
from egov_score.render.card import CARD_FORMATS, render_card
from egov_score.render.intervals import interval_text
from egov_score.review.division import Review
from egov_score.review.panel import Panel, score_panel
from egov_score.review.robustness import RankInterval, rank_interval
from tests.sensitivity_fixture import hand_sensitivity

MONTH = "2021-01"
ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "report-card.schema.json").read_text(encoding="utf-8"))
Small = tuple[Pipeline, Panel]


@pytest.fixture(scope="module")
def small() -> Small:
    data = datasets.load("small")
    return data, score_panel(data)


def _review(small: Small, sensitivity: Sensitivity | None) -> Review:
    data, panel = small
    return Review(panel=panel, period=MONTH, hierarchy=data.hierarchy, sensitivity=sensitivity)


def _codes(rv: Review) -> list[str]:
    return [str(c) for level in ("district", "block") for c in rv.result.level(level).codes]


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_cards_without_an_analysis_are_unchanged(small: Small, lang: str) -> None:
    """A card differs from the plain one only by its intervals: without them, byte-identical."""
    plain = _review(small, None)
    analysed = _review(small, hand_sensitivity(small[1]))
    for code in _codes(plain):
        assert plain.report(code).interval is None
        stripped = attrs.evolve(analysed.report(code), interval=None, parent_interval=None)
        for fmt in CARD_FORMATS:
            assert render_card(stripped, fmt, lang) == render_card(plain.report(code), fmt, lang)
            assert render_card(analysed.report(code), fmt, lang) != render_card(
                plain.report(code), fmt, lang
            ), fmt


def test_every_card_format_shows_the_interval(small: Small) -> None:
    s = hand_sensitivity(small[1], noise=25.0)
    rv = _review(small, s)
    for code in _codes(rv):
        card = rv.report(code)
        iv = card.interval
        assert iv is not None
        assert card.parent_interval is not None
        stats = s.level(card.level, MONTH).ranks
        assert (iv.low, iv.high) == stats.interval(code)
        assert iv.nominal == card.rank
        words = interval_text(iv, "en")
        assert "plausible method choice" in words
        for fmt in ("html", "md", "text"):
            assert "plausible method choice" in render_card(card, fmt, "en"), fmt
            assert "संभावित पद्धति विकल्प" in render_card(card, fmt, "hi"), fmt
        doc = json.loads(render_card(card, "json"))
        jsonschema.validate(doc, SCHEMA)
        assert doc["rank_interval"]["low"] == (iv.low or None)
        assert doc["rank_interval"]["high"] == (iv.high or None)
        assert doc["rank_interval"]["runs"] == s.runs
        csv = render_card(card, "csv")
        assert "\nrank_interval,level," in csv
        assert "\nrank_interval,parent," in csv


def test_a_wide_interval_is_worded_low_to_high() -> None:
    iv = RankInterval(
        scope="level",
        nominal=3,
        low=2,
        high=5,
        median=3.0,
        ranked_share=1.0,
        runs=100,
        interval=(0.05, 0.95),
    )
    assert interval_text(iv, "en") == "(2–5 under plausible method choices)"
    assert interval_text(iv, "hi") == "(संभावित पद्धति विकल्पों में 2–5)"
    assert interval_text(None, "en") == ""


def test_a_unit_unranked_in_some_runs_says_so() -> None:
    some = RankInterval(
        scope="level",
        nominal=4,
        low=3,
        high=6,
        median=4.0,
        ranked_share=0.75,
        runs=100,
        interval=(0.05, 0.95),
    )
    assert interval_text(some, "en") == (
        "(3–6 under plausible method choices; not ranked in 25 % of runs)"
    )
    assert "25 % गणनाओं में रैंक नहीं" in interval_text(some, "hi")
    never = attrs.evolve(some, low=0, high=0, median=np.nan, ranked_share=0.0)
    assert interval_text(never, "en") == "(not ranked under any plausible method choice)"
    same = attrs.evolve(some, low=4, high=4, ranked_share=1.0)
    assert interval_text(same, "en") == "(the same under every plausible method choice)"


def test_cards_of_a_review_with_dropped_units_say_how_often(small: Small) -> None:
    s = hand_sensitivity(small[1], drop=0.3, seed=3)
    rv = _review(small, s)
    texts = [render_card(rv.report(code), "text") for code in _codes(rv)]
    assert any("of runs)" in t and "not ranked in" in t for t in texts)


def test_rank_interval_is_none_for_a_level_not_analysed(small: Small) -> None:
    s = hand_sensitivity(small[1], levels=("district",))
    rv = _review(small, s)
    block = str(rv.result.level("block").codes[0])
    assert rank_interval(s, "block", block, MONTH) is None
    assert rv.report(block).interval is None
    assert "plausible" not in render_card(rv.report(block), "text")


def test_run_review_with_an_analysis_writes_intervals_on_the_cards(
    small: Small, tmp_path: Path
) -> None:
    from egov_score.render.review_run import run_review

    s = hand_sensitivity(small[1])
    run = run_review(job=small[0], sensitivity=s, out=tmp_path / "with", formats=("md", "json"))
    plain = run_review(job=small[0], out=tmp_path / "without", formats=("md", "json"))
    assert run.review.sensitivity is s
    cards = sorted((tmp_path / "with" / "district").glob("*.md"))
    assert cards
    assert all("plausible method choice" in p.read_text(encoding="utf-8") for p in cards)
    division = (tmp_path / "with" / "division.md").read_text(encoding="utf-8")
    assert "Rank intervals under plausible method choices" in division
    for p in (tmp_path / "without" / "district").glob("*.md"):
        assert "plausible" not in p.read_text(encoding="utf-8")
    assert plain.review.sensitivity is None
