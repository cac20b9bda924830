"""Writing every card of the Jaipur demo (72 blocks, 5 districts, the division page and the
action lists) in each language, every format: the page layout, the print stylesheet and the
rank labels must keep this near the demo's second."""

from __future__ import annotations

import functools

import pytest

from egov_score import datasets
from egov_score.render.review import write_cards
from egov_score.review.division import Review
from egov_score.review.panel import score_panel


@functools.cache
def demo_review() -> Review:
    jaipur = datasets.load("jaipur")
    return Review(
        panel=score_panel(jaipur),
        period="2021-01",
        hierarchy=jaipur.hierarchy,
        registry=jaipur.registry,
        tables=jaipur.tables,
    )


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_write_all_demo_cards(benchmark, tmp_path, lang):
    review = demo_review()
    written = benchmark(write_cards, review, tmp_path / lang, lang)
    assert len(written) > 4 * 77
