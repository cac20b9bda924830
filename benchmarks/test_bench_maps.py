"""The maps of issue 12 on the Jaipur demo: preparing them once per review, drawing every
card's and the division page's, and writing every HTML card with them (the demo's ≈ 1 s
budget for all cards is measured here, never asserted in a timed test)."""

from __future__ import annotations

import functools

from tests.demo import jaipur_review

from egov_score.render.maps import card_map_sections, division_map_svg
from egov_score.render.messages import catalogues
from egov_score.render.review import write_cards
from egov_score.review.division import Review
from egov_score.review.maps import review_maps


@functools.cache
def review() -> Review:
    return jaipur_review()


def test_prepare_maps(benchmark):
    rv = review()
    maps = benchmark(review_maps, rv.result, rv.hierarchy, rv.registry, rv.tables, rv.settings)
    assert "district" in maps.latitude


def test_draw_every_card_map(benchmark):
    rv = review()
    cards = [rv.report(c) for lv in rv.levels[1:] for c in rv.result.level(lv).codes.tolist()]

    def draw() -> int:
        with catalogues(rv.registry.catalogues() if rv.registry else ()):
            return sum(len(card_map_sections(card, "en")) for card in cards)

    assert benchmark(draw) > 0
    assert division_map_svg(rv, "en")


def test_write_every_html_card(benchmark, tmp_path):
    rv = review()
    written = benchmark.pedantic(
        write_cards, args=(rv, tmp_path), kwargs={"formats": ("html",)}, rounds=3, iterations=1
    )
    assert written
