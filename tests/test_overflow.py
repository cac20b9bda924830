"""Values too large to add up: a roll-up or an indicator that overflows a float64 is an error
naming the field or indicator, the level, the units and the period, never a score of 100."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import ValuesError

LEVELS = ["division", "district", "block", "machine"]


def hierarchy(fw: eg.Framework) -> eg.Hierarchy:
    units = [eg.Division(code="DIV", name="Jaipur")]
    for d, blocks in {"D1": ("B1", "B2"), "D2": ("B3",)}.items():
        units.append(eg.District(code=d, name=d, parent="DIV"))
        for b in blocks:
            units.append(eg.Block(code=b, name=b, parent=d))
            units += [eg.Machine(code=f"{b}-M{i}", name=f"GP {i}", parent=b) for i in range(2)]
    return eg.Hierarchy.from_units(units, fw.levels)


def framework(rollup: str = "sum", scale: float = 1, **field: object) -> eg.Framework:
    fields = [{"code": "tx", "level": "machine", "rollup": rollup, **field}]
    if "weight" in field:
        fields.append({"code": "hh", "level": "machine"})
    return eg.Framework.from_dict(
        {
            "levels": LEVELS,
            "field": fields,
            "indicator": [{"code": "tx_ind", "field": "tx", "parent": "index", "scale": scale}],
            "group": [{"code": "index"}],
        }
    )


def score(fw: eg.Framework, tx: list[float], **more: list[float]) -> eg.Result:
    h = hierarchy(fw)
    data = {"code": h.level("machine").codes, "period": ["2021-01"] * 6, "tx": tx, **more}
    return eg.score(h, fw, eg.Values.from_columns(data, h, fw))


@pytest.mark.parametrize("rollup", ["sum", "mean"])
def test_a_sum_that_overflows_names_the_field_units_and_period(rollup):
    fw = framework(rollup)
    with pytest.raises(ValuesError) as caught:
        score(fw, [1e308, 1.5e308, 1, 1, 1, 1])
    message = str(caught.value)
    assert f"field 'tx' must roll up ({rollup}) to a finite number on every 'block'" in message
    assert "got an overflow for block 'B1' (period '2021-01')" in message
    assert "too large to add up in a 64-bit float" in message


def test_an_overflow_one_level_up_names_that_level():
    fw = framework()
    with pytest.raises(
        ValuesError, match=r"on every 'district'; got an overflow for district 'D1'"
    ):
        score(fw, [1e308, 1, 1e308, 1, 1, 1])


def test_a_weighted_mean_that_overflows_is_named():
    fw = framework("weighted_mean", weight="hh")
    with pytest.raises(ValuesError, match=r"field 'tx' must roll up \(weighted_mean\)"):
        score(fw, [1e200, 1, 1, 1, 1, 1], hh=[1e200, 1, 1, 1, 1, 1])


def test_an_indicator_that_overflows_is_named():
    fw = framework(scale=100)
    with pytest.raises(ValuesError, match=r"indicator 'tx_ind' must be a finite number"):
        score(fw, [1e307, 1, 1, 1, 1, 1])


def test_large_values_that_fit_score_as_before():
    fw = framework()
    result = score(fw, [1e307, 1e307, 1, 1, 1, 1])
    np.testing.assert_allclose(result.level("block").fields["tx"], [2e307, 2, 2])
