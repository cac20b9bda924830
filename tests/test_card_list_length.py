"""A card keeps long lists short so it prints on a few A4 pages (issue 12): the first rows of
an action list and the count per reason, linked to the full list only where the review wrote
it beside the card."""

from __future__ import annotations

import re

import pytest

from egov_score.cli import main
from egov_score.render import card as render
from egov_score.render.review import write_cards
from egov_score.review.actions import FIRST_ROWS
from egov_score.review.report import build_report
from tests.demo import jaipur_review


@pytest.fixture(scope="module")
def review():
    return jaipur_review()


def alone(review, code):
    return build_report(
        review.panel,
        code,
        "2021-01",
        hierarchy=review.hierarchy,
        registry=review.registry,
        actions=review.actions,
        linked_lists=False,
    )


def test_a_card_alone_shows_the_first_rows_and_the_count_without_a_link(review):
    card = alone(review, "D-87")
    first = next(s for s in card.sections if s.key == "emitra.machines.first")
    counts = next(s for s in card.sections if s.key == "emitra.machines.counts")
    assert len(first.rows) == FIRST_ROWS
    assert first.link == ""
    assert first.note == "actions.more_alone"
    assert counts.rows[-1][1] == "201"  # every machine of Alwar needing action, counted
    html = render.to_html(card)
    assert "egov-score review) writes the full list" in html
    assert "<a href" not in html


def test_a_card_beside_its_lists_links_to_a_file_that_exists(review, tmp_path):
    write_cards(review, tmp_path)
    for card in sorted(tmp_path.glob("*/*.html")):
        links = re.findall(r'href="([^"]+)"', card.read_text(encoding="utf-8"))
        assert links, card
        for link in links:
            assert (card.parent / link).resolve().is_file(), (card, link)


def test_the_report_command_keeps_a_district_card_short(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["demo", "--export", str(data), "--quiet"]) == 0
    capsys.readouterr()
    args = ["report", "--units", str(data / "units.csv"), "--scheme-data", str(data)]
    assert main([*args, "--unit", "D-87", "--format", "md", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.count("| M-") == FIRST_ROWS
    assert "the full list" in out
    assert "](../actions" not in out
