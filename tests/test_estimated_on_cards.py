"""An imputed value is marked "estimated" on the card (issue 14, point 1): in every format
and both languages, and as a JSON field."""

from __future__ import annotations

import json
import math

import numpy as np

import egov_score as eg
from egov_score.render.card import format_value, to_json
from egov_score.review.report import Standing, _standing
from tests.test_prepare_engine import framework, hierarchy, values


def _standing_of(estimated: bool) -> Standing:
    return Standing(
        code="a",
        name="A",
        name_hi="ए",
        unit="%",
        value=1234567.0,
        score=50.0,
        rank=2,
        peers=6,
        best_value=90.0,
        best_name="N1",
        change=math.nan,
        estimated=estimated,
    )


def test_an_estimated_value_is_marked_in_english_and_hindi():
    assert format_value(_standing_of(True), "en") == "12,34,567.0 % (estimated)"
    assert format_value(_standing_of(True), "hi") == "12,34,567.0 % (अनुमानित)"
    assert format_value(_standing_of(False), "en") == "12,34,567.0 %"


def test_the_standing_reads_the_result_s_imputed_flags():
    """S2 did not report ``a``; the framework imputes it by the peers' mean: the card's
    standing of S2 says estimated, N1's (reported) does not."""
    fw = framework(a='impute = "mean"')
    result = eg.score(
        hierarchy(), fw, values(fw, [1, 2, 3, 4, np.nan, 6], [1, 1, 2, 2, 3, 3]), "2021-01"
    )
    lv = result.level("unit")
    s2, n1 = (int(np.flatnonzero(lv.codes == c)[0]) for c in ("S2", "N1"))
    scores, raw = lv.normalised["a"], lv.indicators["a"]
    assert _standing("a", fw, lv, None, s2, scores, raw).estimated
    assert not _standing("a", fw, lv, None, n1, scores, raw).estimated
    assert (
        _standing("b", fw, lv, None, s2, lv.normalised["b"], lv.indicators["b"]).estimated is False
    )


def test_json_cards_carry_the_flag():
    """The JSON schema allows the field and the demo's cards (nothing imputed) say false."""
    from tests.demo import jaipur_review

    review = jaipur_review()
    card = json.loads(json.dumps(to_json(review.report("D-87"))))
    standings = [*card["strongest"], *card["weakest"]]
    assert standings
    assert all(s["estimated"] is False for s in standings)
