"""The sensitivity page and a card with rank intervals in a real browser: no sideways scroll
on a phone (390 px) or a desktop, in English and Hindi (issue 15, points 4-5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_score import datasets
from egov_score.render.card import render_card
from egov_score.render.review import review_html
from egov_score.render.sensitivity import write_sensitivity
from egov_score.review.division import Review
from egov_score.review.panel import score_panel
from tests.browser import chromium
from tests.browser.test_pages import opened
from tests.sensitivity_fixture import hand_sensitivity

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("sensitivity")
    data = datasets.load("small")
    panel = score_panel(data)
    s = hand_sensitivity(panel, noise=20.0, drop=0.2)
    rv = Review(panel=panel, period="2021-01", hierarchy=data.hierarchy, sensitivity=s)
    written = []
    for lang in ("en", "hi"):
        for code in ("D-087", str(rv.result.level("block").codes[0])):
            path = out / f"{lang}-{code}.html"
            path.write_text(render_card(rv.report(code), "html", lang), encoding="utf-8")
            written.append(path)
        division = out / f"{lang}-division.html"
        division.write_text(review_html(rv, lang), encoding="utf-8")
        folder = out / f"{lang}-sensitivity"
        files = write_sensitivity(s, folder, lang, hierarchy=data.hierarchy)
        written += [division, *(p for p in files if p.suffix == ".html")]
    return written


@pytest.mark.parametrize("width", [chromium.PHONE, chromium.DESKTOP])
def test_no_sensitivity_page_scrolls_sideways(browser, pages, width):  # type: ignore[no-untyped-def]
    wide = []
    with opened(browser, width) as (page, outside):
        for path in pages:
            page.goto(path.as_uri())
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                wide.append((path.name, scroll, client))
    assert not wide, f"pages wider than {width} px (page, scrollWidth, clientWidth): {wide}"
    assert not outside, outside
    assert any("plausible method choices" in p.read_text(encoding="utf-8") for p in pages)
