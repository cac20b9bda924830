"""Writing every card of the Jaipur demo (77 districts and blocks, four formats), in English
and in Hindi: the cost of the report cards' words and numbers (Indian grouping via Babel)."""

from __future__ import annotations

import pytest
from tests.demo import jaipur_review

from egov_score.render.review import write_cards


@pytest.fixture(scope="module")
def review():
    return jaipur_review()


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_write_all_cards(benchmark, review, lang, tmp_path):
    review.report("D-87")  # the cards' shared award standings, as a run has them
    benchmark.pedantic(write_cards, args=(review, tmp_path / lang, lang), rounds=3, iterations=1)
