"""Groups equally deep in the group tree aggregated side by side on a large level: the same
columns, diagnostics and errors as one after the other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import egov_score as eg
from egov_score.engine.levels import _all_of, _waves
from tests.strategies import build_hierarchy


def _framework(weighting: str = "equal") -> eg.Framework:
    """Three pillars under the index, the first with two sub-pillars of its own; the
    sub-pillars weighted by ``weighting``."""
    fields = [{"code": f"f{i}", "level": "machine"} for i in range(6)]
    indicators = [
        {"code": f"x{i}", "field": f"f{i}", "parent": parent}
        for i, parent in enumerate(["a1", "a1", "a2", "a2", "b", "c"])
    ]
    groups = [
        {"code": "index"},
        {"code": "a", "parent": "index"},
        {"code": "b", "parent": "index", "weight": 2},
        {"code": "c", "parent": "index"},
        {"code": "a1", "parent": "a", "weighting": weighting},
        {"code": "a2", "parent": "a", "weighting": weighting},
    ]
    return eg.Framework.from_dict(
        {
            "levels": ["division", "block", "machine"],
            "field": fields,
            "indicator": indicators,
            "group": groups,
        }
    )


def _data(fw: eg.Framework, n: int = 60) -> tuple[eg.Hierarchy, eg.Values]:
    units = [("division", "D", None), ("block", "B1", "D"), ("block", "B2", "D")]
    units += [("machine", f"M{i}", "B1" if i % 2 else "B2") for i in range(n)]
    h = build_hierarchy(fw.levels, units)
    rng = np.random.default_rng(11)
    columns: dict[str, object] = {"code": [f"M{i}" for i in range(n)], "period": ["P"] * n}
    for i in range(6):
        col = rng.random(n) * 100
        col[rng.random(n) < 0.2] = np.nan
        columns[f"f{i}"] = col
    return h, eg.Values.from_columns(columns, h, fw)


def test_the_waves_go_bottom_up_by_depth_in_the_framework_order() -> None:
    assert _waves(_framework()) == [["a1", "a2"], ["a", "b", "c"], ["index"]]


@pytest.mark.parametrize("weighting", ["equal", "pca"])
def test_side_by_side_groups_give_the_serial_columns_and_notes(weighting: str) -> None:
    fw = _framework(weighting)
    h, values = _data(fw)
    alone = eg.Engine(fw, h, parallel=False).score(values)
    threaded = eg.Engine(fw, h, parallel=True, parallel_min_rows=0).score(values)
    assert threaded.diagnostics == alone.diagnostics
    if weighting == "pca":
        assert [d.code for d in threaded.diagnostics_of("pca_weights")][:2] == ["a1", "a2"]
    for la, lb in zip(alone.levels, threaded.levels, strict=True):
        assert la == lb
        assert list(la.groups) == list(lb.groups)
        for g in la.groups:
            np.testing.assert_array_equal(la.groups[g], lb.groups[g])
            np.testing.assert_array_equal(la.group_coverage[g], lb.group_coverage[g])


def _fails(message: str) -> object:
    def run() -> object:
        raise ValueError(message)

    return run


def test_all_of_gives_results_in_order_and_the_first_error() -> None:
    with ThreadPoolExecutor(2) as pool:
        assert _all_of([lambda: 1, lambda: 2, lambda: 3], pool) == [1, 2, 3]
        assert _all_of([lambda: 1], pool) == [1]
        with pytest.raises(ValueError, match="first"):
            _all_of([_fails("first"), lambda: 2, _fails("last")], pool)
        with pytest.raises(ValueError, match="last"):
            _all_of([lambda: 1, _fails("last")], pool)
    with pytest.raises(ValueError, match="first"):
        _all_of([_fails("first"), _fails("last")], None)
