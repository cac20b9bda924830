"""Writing every card of the Jaipur demo (72 blocks, 5 districts, the division page and the
action lists) in English and in Hindi, every format: the page layout, the print stylesheet, the
rank labels and the words and numbers (Indian grouping via Babel) must keep this near the demo's
second."""

from __future__ import annotations

import pytest
from tests.demo import jaipur_review

from egov_score.render.review import write_cards


@pytest.fixture(scope="module")
def review():
    return jaipur_review()


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_write_all_demo_cards(benchmark, review, lang, tmp_path):
    review.report("D-87")  # the cards' shared award standings, as a run has them
    written = benchmark.pedantic(
        write_cards, args=(review, tmp_path / lang, lang), rounds=3, iterations=1
    )
    assert len(written) > 4 * 77
