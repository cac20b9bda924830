"""The demo's cards and review in Hindi: grammar, units, names, officer titles, bands, and
terminal tables; English unchanged where the Hindi changed."""

from __future__ import annotations

import re

import attrs
import pytest

from egov_score.model.framework import Bands
from egov_score.render import card as render
from egov_score.render.awards import render_awards
from egov_score.render.messages import officer_title
from egov_score.render.review import review_markdown, review_text
from egov_score.review.awards import select_awards
from tests.demo import jaipur_review

LATIN_WORD = re.compile(r"\b(days|transactions)\b")


@pytest.fixture(scope="module")
def review():
    return jaipur_review()


@pytest.fixture(scope="module")
def hindi_cards(review):
    """Every district's and block's card in Hindi, Markdown and HTML."""
    codes = [*review.result.levels[1].codes.tolist(), *review.result.levels[2].codes.tolist()]
    return {
        code: (
            render.to_markdown(review.report(code), "hi"),
            render.to_html(review.report(code), "hi"),
        )
        for code in codes
    }


def test_levels_take_the_oblique_plural(hindi_cards):
    md, html = hindi_cards["D-102"]  # Jaipur district, in Jaipur division
    assert "सभी जिलों में रैंक" in md
    assert "जयपुर के जिलों के स्कोर" in html
    assert "सभी जिला में" not in md
    assert "के जिला के" not in html
    md, html = hindi_cards["B-574"]  # a block of Alwar
    assert "सभी ब्लॉकों में रैंक" in md
    assert "अलवर के ब्लॉकों के स्कोर" in html


def test_english_wording_unchanged(review):
    card = review.report("D-102")
    md, html = render.to_markdown(card, "en"), render.to_html(card, "en")
    assert "Rank among districts" in md
    assert "Scores of Jaipur&#x27;s districts" in html or "Scores of Jaipur's districts" in html
    assert "**To:** CEO, Zila Parishad" in md


def test_units_are_translated(hindi_cards, review):
    every = "\n".join(md + html for md, html in hindi_cards.values()) + review_text(review, "hi")
    assert not LATIN_WORD.search(every)
    assert " दिन" in every
    assert "30.8 ट्रांजक्शन" in review_text(review, "hi")  # Sikar's weakest, as the issue saw
    assert "30.8 transactions" in review_text(review, "en")


def test_officer_titles_from_the_catalogue(hindi_cards):
    assert "प्रति:** मुख्य कार्यकारी अधिकारी, जिला परिषद" in hindi_cards["D-87"][0]
    assert "प्रति: विकास अधिकारी, पंचायत समिति" in hindi_cards["B-574"][1]
    assert officer_title("Tehsildar of Nowhere", "hi") == "Tehsildar of Nowhere"  # unknown
    assert officer_title("BDO", "en") == "BDO"


def test_peer_names_in_hindi_wherever_a_unit_has_one(hindi_cards, review):
    _, html = hindi_cards["D-87"]
    chart = html[html.index("<svg") : html.index("</svg>")]
    for name in ("अलवर", "दौसा", "जयपुर", "झुंझुनूं", "सीकर"):
        assert f">{name}</text>" in chart
    assert not re.search(r">(Alwar|Dausa|Jaipur|Jhunjhunu|Sikar)</text>", chart)
    card = review.report("D-87")
    best = [s for s in (*card.strongest, *card.weakest) if s.best_name_hi]
    assert best
    assert all(f"({s.best_name_hi})" in html for s in best)
    assert not re.search(r"\((Alwar|Dausa|Jaipur|Jhunjhunu|Sikar)\)", html)
    # blocks have no Hindi names in the demo: their English names stand
    assert "Laxmangarh" in review_text(review, "hi")


def test_terminal_tables_headed_by_scheme_names(review):
    text = review_text(review, "hi")
    header = next(line for line in text.splitlines() if line.startswith("रैंक  जिला"))
    assert "ई-मित्र प्लस मशीनें" in header
    assert "emitra" not in header
    english = review_text(review, "en")
    header = next(line for line in english.splitlines() if line.startswith("Rank  District"))
    assert "emitra" not in header.split()


def test_numbers_in_the_review_use_indian_grouping(review):
    assert "2,995 (100.0%)" in review_text(review, "hi")  # from a Num cell
    assert "1,065" in review_text(review, "en")  # the action-list total, was 1065
    assert "1,065" in review_markdown(review, "hi")


def test_custom_hindi_band_labels_are_honoured(review):
    card = review.report("D-87")
    bands = Bands(
        edges=card.framework.bands.edges,
        labels=card.framework.bands.labels,
        labels_hi=("क श्रेणी", "ख श्रेणी", "ग श्रेणी", "घ श्रेणी"),
    )
    custom = attrs.evolve(card, framework=attrs.evolve(card.framework, bands=bands))
    own = bands.labels_hi[bands.labels.index(card.band)]
    assert own in render.to_markdown(custom, "hi")
    assert own in render.to_html(custom, "hi")
    assert card.band in render.to_markdown(custom, "en")


def test_award_criterion_and_citation_in_words(review):
    awards = select_awards(review.panel, "republic_day", 2021)
    hindi = render_awards(awards, "md", "hi")
    assert "**मानदंड:** अवधि का औसत स्कोर" in hindi
    assert "अलवर (जयपुर): औसत स्कोर 72.3 (5 माह)" in hindi
    assert "**Criterion:** mean score over the window" in render_awards(awards, "md", "en")
