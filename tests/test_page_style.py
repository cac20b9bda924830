"""The pages' style (render/style.py) and layout in the HTML: WCAG contrast computed for every
colour pair, charts that scale (a viewBox, no fixed width), wide tables in their own scroll
box, an A4 print stylesheet with a running header and page numbers, and the rank move in
words and an arrow in both languages."""

from __future__ import annotations

import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.render import card as render
from egov_score.render import style
from egov_score.render.review import review_html
from egov_score.review.division import Review
from egov_score.review.panel import score_panel
from egov_score.review.report import build_report

colours = st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06x}")


def reference_contrast(a: str, b: str) -> float:
    """WCAG 2.x's contrast ratio, written out slowly from the definition."""

    def luminance(colour: str) -> float:
        weights = {"r": 0.2126, "g": 0.7152, "b": 0.0722}
        total = 0.0
        for name, start in zip("rgb", (1, 3, 5), strict=True):
            srgb = int(colour[start : start + 2], 16) / 255
            linear = srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4
            total += weights[name] * linear
        return total

    la, lb = luminance(a), luminance(b)
    if la < lb:
        la, lb = lb, la
    return (la + 0.05) / (lb + 0.05)


def test_contrast_known_answers():
    # WCAG's extremes, and the grey WebAIM quotes as the lightest passing AA on white.
    assert style.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert style.contrast_ratio("#123c69", "#123c69") == pytest.approx(1.0)
    assert style.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)
    assert style.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)
    # The badge issue 12 reported: red on navy.
    assert style.contrast_ratio("#c0392b", "#123c69") == pytest.approx(2.06, abs=0.01)


@given(colours, colours)
def test_contrast_matches_the_reference_and_is_symmetric(a, b):
    got = style.contrast_ratio(a, b)
    assert got == pytest.approx(reference_contrast(a, b), rel=1e-12)
    assert got == style.contrast_ratio(b, a)
    assert 1.0 <= got <= 21.0 + 1e-9


@pytest.mark.parametrize("bad", ["123456", "#12345", "#1234567", "red"])
def test_a_colour_must_be_hex(bad):
    with pytest.raises(ValueError, match="#rrggbb"):
        style.relative_luminance(bad)


@pytest.mark.parametrize("where", sorted(style.TEXT_PAIRS))
def test_every_text_pair_of_the_stylesheet_meets_aa(where):
    fg, bg = style.TEXT_PAIRS[where]
    assert style.contrast_ratio(fg, bg) >= 4.5, where


def test_every_colour_the_stylesheet_sets_for_text_is_in_a_checked_pair():
    checked = {c for pair in style.TEXT_PAIRS.values() for c in pair}
    text_colours = set(re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", style.CARD_CSS))
    backgrounds = set(re.findall(r"background:(#[0-9a-f]{6})", style.CARD_CSS))
    assert text_colours
    assert backgrounds
    assert text_colours <= checked
    assert backgrounds <= checked


def decode_css_string(quoted: str) -> str:
    assert quoted[0] == quoted[-1] == '"'
    return re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), quoted[1:-1])


@given(st.text())
def test_a_css_string_holds_any_text_and_cannot_end_early(text):
    quoted = style.css_string(text)
    assert re.fullmatch(r'"[A-Za-z0-9 \\]*"', quoted)
    assert decode_css_string(quoted) == text


@pytest.fixture(scope="module")
def jaipur():
    return datasets.load("jaipur")


@pytest.fixture(scope="module")
def panel(jaipur):
    return score_panel(jaipur)


@pytest.fixture(scope="module")
def card(jaipur, panel):
    return build_report(panel, "D-87", "2021-01", hierarchy=jaipur.hierarchy)


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_charts_scale_to_their_box(card, lang):
    html = render.to_html(card, lang)
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) == 2
    for svg in svgs:
        assert re.search(r'class="chart( bars)?"', svg)
        assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
        assert not re.search(r"\swidth=", svg)
        assert not re.search(r"\sheight=", svg)
    assert "svg.chart{display:block;width:100%" in html


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_every_table_scrolls_in_its_own_box(card, jaipur, panel, lang):
    for html in (
        render.to_html(card, lang),
        review_html(Review(panel=panel, period="2021-01", hierarchy=jaipur.hierarchy), lang),
    ):
        tables = re.findall(r"(.{0,20})<table", html)
        assert tables
        assert all(before.endswith('<div class="scroll">') for before in tables), tables
    assert ".scroll{overflow-x:auto" in style.CARD_CSS


def test_a_rank_in_a_table_never_wraps():
    assert "td.n{white-space:nowrap}" in style.CARD_CSS


@pytest.mark.parametrize(
    ("lang", "page_of", "running", "month"),
    [
        ("en", '"Page " counter(page) " of " counter(pages) ""', "Alwar", "January 2021"),
        ("hi", None, "अलवर", "जनवरी 2021"),
    ],
)
def test_the_print_stylesheet(card, lang, page_of, running, month):
    html = render.to_html(card, lang)
    style_text = html[html.index("<style>") : html.index("</style>")]
    at_page = style_text[style_text.index("@page{size:A4") :]
    footer = re.search(r"@bottom-right\{content:(.*?);", at_page)
    assert footer
    assert "counter(page)" in footer.group(1)
    assert "counter(pages)" in footer.group(1)
    if page_of:
        assert footer.group(1) == page_of
    top_left = re.search(r'@top-left\{content:("[^"]*")', at_page)
    assert top_left
    assert running in decode_css_string(top_left.group(1))
    top_right = re.search(r'@top-right\{content:("[^"]*")', at_page)
    assert top_right
    assert decode_css_string(top_right.group(1)) == month
    for rule in ("h2{break-after:avoid", "tr,li,.card,svg.chart{break-inside:avoid"):
        assert rule in style_text
    assert '<section class="figure"><h2>' in html  # a chart printed with its heading


def test_the_page_number_in_hindi_counts_the_pages_first(card):
    html = render.to_html(card, "hi")
    footer = re.search(r"@bottom-right\{content:(.*?);", html)
    assert footer
    parts = footer.group(1)
    assert parts.index("counter(pages)") < parts.index("counter(page)")
    texts = re.findall(r'"[^"]*"', parts)
    assert [decode_css_string(t) for t in texts] == ["", " में से पृष्ठ ", ""]


def test_text_in_the_page_header_cannot_close_the_style(card):
    evil = attrs.evolve(card, name='</style><script>alert("x")</script>')
    html = render.to_html(evil, "en")
    assert html.count("</style>") == 1
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("change", "en", "hi"),
    [
        (2, "Rank ▲2 since December 2020", "दिसंबर 2020 से रैंक ▲2"),
        (-4, "Rank ▼4 since December 2020", "दिसंबर 2020 से रैंक ▼4"),
        (0, "Rank unchanged since December 2020", "दिसंबर 2020 से रैंक अपरिवर्तित"),
    ],
)
def test_the_rank_move_is_labelled_with_an_arrow_and_words(card, change, en, hi):
    moved = attrs.evolve(card, rank_change=change)
    assert render.rank_move_text(moved, "en") == en
    assert render.rank_move_text(moved, "hi") == hi
    kind = "up" if change > 0 else "down" if change < 0 else "same"
    assert f'<span class="move {kind}">{en}</span>' in render.to_html(moved, "en")
    assert f'<span class="move {kind}">{hi}</span>' in render.to_html(moved, "hi")


def test_no_rank_move_without_a_previous_month(card):
    first = attrs.evolve(card, rank_change=None, previous_period=None)
    assert render.rank_move_text(first, "en") == ""
    assert 'class="move' not in render.to_html(first, "en")


def test_the_band_badge_names_its_band(card):
    html = render.to_html(card, "en")
    assert re.search(r'<span class="band b\d">Front Runner</span>', html)
