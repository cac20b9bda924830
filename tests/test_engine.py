"""The scoring run end to end: semantics checked against hand calculations and the source."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import FrameworkError, ScoringError

LEVELS = ["division", "district", "block", "machine"]


def framework(indicators, fields=None, groups=None, levels=LEVELS):
    fields = fields or [
        {"code": "installed", "level": "machine"},
        {"code": "inspected", "level": "machine"},
        {"code": "transacting", "level": "machine"},
    ]
    groups = groups or [{"code": "index", "min_coverage": 0.5}]
    return eg.Framework.from_dict(
        {"levels": levels, "field": fields, "indicator": indicators, "group": groups}
    )


def units(shape):
    """shape: {district: {block: n_machines}} under one division."""
    out = [eg.Division(code="DIV", name="Jaipur")]
    for d, blocks in shape.items():
        out.append(eg.District(code=d, name=d, parent="DIV"))
        for b, n in blocks.items():
            out.append(eg.Block(code=b, name=b, parent=d))
            out += [eg.Machine(code=f"{b}-M{i}", name=f"GP {i}", parent=b) for i in range(n)]
    return out


def test_source_document_percentages():
    # 2995 machines over five districts; 2621 inspected and repaired, 2939 transacting.
    sizes = {"Jaipur": 830, "Alwar": 700, "Sikar": 520, "Jhunjhunu": 495, "Dausa": 450}
    assert sum(sizes.values()) == 2995
    recs = units({d: {f"{d}-B": n} for d, n in sizes.items()})
    fw = framework(
        [
            {
                "code": "inspection_rate",
                "numerator": "inspected",
                "denominator": "installed",
                "scale": 100,
                "parent": "index",
            },
            {
                "code": "transacting_rate",
                "numerator": "transacting",
                "denominator": "installed",
                "scale": 100,
                "parent": "index",
            },
        ]
    )
    h = eg.Hierarchy.from_units(recs, fw.levels)
    machines = h.level("machine").codes
    inspected = np.zeros(2995)
    inspected[:2621] = 1
    transacting = np.zeros(2995)
    transacting[:2939] = 1
    v = eg.Values.from_columns(
        {
            "code": machines,
            "installed": np.ones(2995),
            "inspected": inspected,
            "transacting": transacting,
        },
        h,
        fw,
    )
    division = eg.score(h, fw, v).level("division")
    assert round(division.indicators["inspection_rate"][0], 2) == 87.51
    assert round(division.indicators["transacting_rate"][0], 2) == 98.13
    assert division.fields["installed"][0] == 2995


def small():
    return units({"D1": {"B1": 3, "B2": 1}, "D2": {"B3": 2}})


def test_mean_rollup_is_over_machines_not_block_means():
    fw = framework(
        [{"code": "uptime_ind", "field": "uptime", "parent": "index"}],
        fields=[{"code": "uptime", "level": "machine", "rollup": "mean"}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {"code": h.level("machine").codes, "uptime": [10, 20, 30, 40, 50, None]}, h, fw
    )
    r = eg.score(h, fw, v)
    # D1's machines: 10, 20, 30 (B1) and 40 (B2) -> 25, not (20 + 40) / 2 = 30.
    assert r.level("district").indicators["uptime_ind"].tolist() == [25.0, 50.0]
    assert r.level("block").indicators["uptime_ind"].tolist() == [20.0, 40.0, 50.0]


def test_weighted_mean_rollup():
    fw = framework(
        [{"code": "days", "field": "avg_days", "parent": "index"}],
        fields=[
            {"code": "avg_days", "level": "machine", "rollup": "weighted_mean", "weight": "hh"},
            {"code": "hh", "level": "machine"},
        ],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": h.level("machine").codes,
            "avg_days": [10, 20, None, 40, 50, 60],
            "hh": [1, 3, 5, 1, 0, None],
        },
        h,
        fw,
    )
    r = eg.score(h, fw, v)
    # D1: (10*1 + 20*3 + 40*1) / (1 + 3 + 1) = 22; D2: weight 0 and a missing weight -> missing.
    np.testing.assert_allclose(r.level("district").indicators["days"], [22.0, np.nan])


def test_ratio_is_computed_from_totals_pairwise():
    fw = framework(
        [
            {
                "code": "rate",
                "numerator": "inspected",
                "denominator": "installed",
                "scale": 100,
                "parent": "index",
            }
        ]
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": h.level("machine").codes,
            "installed": [1, 1, 1, 1, 1, 1],
            "inspected": [1, 0, None, 1, 1, 1],
        },
        h,
        fw,
    )
    r = eg.score(h, fw, v)
    # B1: 1 of the 2 machines that reported both; B2: 1 of 1. D1: 2 of 3 = 66.7 %
    # (the mean of block rates would be 75 %; counting the unreported machine, 50 %).
    np.testing.assert_allclose(r.level("block").indicators["rate"], [50.0, 100.0, 100.0])
    np.testing.assert_allclose(r.level("district").indicators["rate"], [200 / 3, 100.0])


def test_division_by_zero_is_missing_and_diagnosed():
    fw = framework(
        [{"code": "rate", "numerator": "inspected", "denominator": "installed", "parent": "index"}]
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": h.level("machine").codes,
            "installed": [1, 1, 1, 0, 1, 1],
            "inspected": [1, 1, 1, 0, 1, 1],
        },
        h,
        fw,
    )
    r = eg.score(h, fw, v)
    assert np.isnan(r.level("block").indicators["rate"][1])
    assert not np.isinf(r.level("machine").indicators["rate"]).any()
    zero = [d for d in r.diagnostics_of("division_by_zero") if d.level == "block"]
    assert zero[0].units == ("B2",)


def test_unit_with_nothing_reported_below_is_missing_not_zero():
    fw = framework(
        [{"code": "n", "field": "installed", "parent": "index"}],
        fields=[{"code": "installed", "level": "machine"}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {"code": h.level("machine").codes, "installed": [1, 1, 1, 1, None, None]}, h, fw
    )
    r = eg.score(h, fw, v)
    assert np.isnan(r.level("district").fields["installed"][1])
    assert r.level("district").fields["installed"][0] == 4.0


def test_insufficient_coverage_is_missing_unranked_and_reported():
    fw = framework(
        [
            {
                "code": "a",
                "field": "installed",
                "parent": "index",
                "normalise": {"method": "goalposts", "lower": 0, "upper": 10},
            },
            {
                "code": "b",
                "field": "inspected",
                "parent": "index",
                "weight": 3,
                "normalise": {"method": "goalposts", "lower": 0, "upper": 10},
            },
        ],
        fields=[
            {"code": "installed", "level": "machine"},
            {"code": "inspected", "level": "machine"},
        ],
        groups=[{"code": "index", "min_coverage": 0.5}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": h.level("machine").codes,
            "installed": [5, 5, 5, 5, 5, 5],
            "inspected": [5, 10, None, None, 1, 2],
        },
        h,
        fw,
    )
    m = eg.score(h, fw, v).level("machine")
    # M2 of B1 and B2's machine have only 'a' (weight 1 of 4 = 25 % < 50 %).
    assert np.isnan(m.score[2])
    assert np.isnan(m.score[3])
    assert m.rank[2] == 0
    assert m.band_label[2] == ""
    assert m.coverage[2] == 0.25
    assert m.group_coverage["index"].tolist() == [1.0, 1.0, 0.25, 0.25, 1.0, 1.0]
    assert m.score[0] == pytest.approx((50 + 3 * 50) / 4)
    assert m.rank.tolist() == [2, 1, 0, 0, 4, 3]
    assert m.rank_in_parent.tolist() == [2, 1, 0, 0, 2, 1]
    r = eg.score(h, fw, v)
    found = {d.level: d.units for d in r.diagnostics_of("insufficient_data")}
    assert found == {"machine": ("B1-M2", "B2-M0"), "block": ("B2",)}


def test_geometric_mean_of_negative_zscores_names_unit_and_group():
    fw = framework(
        [
            {
                "code": "a",
                "field": "installed",
                "parent": "index",
                "normalise": {"method": "zscore"},
            },
            {"code": "b", "field": "inspected", "parent": "index"},
        ],
        fields=[
            {"code": "installed", "level": "machine"},
            {"code": "inspected", "level": "machine"},
        ],
        groups=[{"code": "index", "aggregate": {"method": "geometric"}}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": h.level("machine").codes,
            "installed": [1, 2, 3, 4, 5, 6],
            "inspected": [1, 2, 3, 4, 5, 6],
        },
        h,
        fw,
    )
    with pytest.raises(
        ScoringError,
        match=r"group 'index' on level 'district': .* got -0.7071067811865\d* for 'a' of unit 'D1'",
    ):
        eg.score(h, fw, v)


def test_constant_indicator_is_reported():
    fw = framework(
        [{"code": "n", "field": "installed", "parent": "index"}],
        fields=[{"code": "installed", "level": "machine"}],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns({"code": h.level("machine").codes, "installed": [1] * 6}, h, fw)
    r = eg.score(h, fw, v)
    levels = {d.level for d in r.diagnostics_of("constant_indicator")}
    assert levels == {"division", "machine"}  # blocks and districts differ in totals
    assert np.isnan(r.level("machine").normalised["n"]).all()


def test_indicator_only_on_its_level_and_above():
    fw = framework(
        [
            {"code": "m", "field": "installed", "parent": "index"},
            {"code": "g", "field": "grievances", "parent": "index"},
        ],
        fields=[
            {"code": "installed", "level": "machine"},
            {"code": "grievances", "level": "block"},
        ],
    )
    h = eg.Hierarchy.from_units(small(), fw.levels)
    v = eg.Values.from_columns(
        {
            "code": [*h.level("machine").codes, "B1", "B2", "B3"],
            "installed": [1, 2, 3, 4, 5, 6, None, None, None],
            "grievances": [None] * 6 + [3, 4, 5],
        },
        h,
        fw,
    )
    r = eg.score(h, fw, v)
    assert set(r.level("machine").indicators) == {"m"}
    assert set(r.level("block").indicators) == {"m", "g"}
    assert r.level("district").indicators["g"].tolist() == [7.0, 5.0]


def test_unit_breakdown_and_provenance():
    from egov_score import datasets

    data = datasets.load("small")
    r = eg.Engine(data.framework, data.hierarchy).score(data.values, "2021-01")
    alwar = r.unit("D-087")
    assert (alwar.level, alwar.name, alwar.parent) == ("district", "Alwar", "DIV-JAIPUR")
    assert alwar.indicators["inspection_rate"] == 100.0  # 5 of 5 machines
    assert alwar.indicators["geotag_rate"] == 80.0  # 4 of 5
    assert alwar.rank == 1
    assert alwar.band == "Front Runner"
    assert set(alwar.groups) == {"machines", "use", "index"}
    assert alwar.to_dict()["group_ranks"]["index"] == {"rank": 1, "rank_in_parent": 1}
    assert r.provenance.period == "2021-01"
    assert r.provenance.framework_digest == data.framework.digest()
    with pytest.raises(eg.InputError, match="got 'nope'"):
        r.unit("nope")


def test_levels_must_match():
    fw = framework(
        [{"code": "n", "field": "installed", "parent": "index"}],
        fields=[{"code": "installed", "level": "machine"}],
    )
    h = eg.Hierarchy.from_units([eg.Unit(level="division", code="X", name="X")], ["division"])
    with pytest.raises(FrameworkError, match=r"levels must be the framework's"):
        eg.Engine(fw, h)


def test_scoring_neither_copies_nor_locks_the_callers_columns():
    h = eg.Hierarchy.from_units(units({"D1": {"B1": 2, "B2": 1}}), LEVELS)
    fw = framework(
        [{"code": "rate", "numerator": "inspected", "denominator": "installed", "parent": "index"}]
    )
    installed = np.array([1.0, 1.0, 1.0])
    inspected = np.array([1.0, 0.0, 1.0])
    values = eg.Values(
        source="<test>",
        periods=np.full(3, "P"),
        depth=np.full(3, 3, dtype=np.intp),
        index=np.arange(3, dtype=np.intp),
        columns={"installed": installed, "inspected": inspected},
        level_sizes=tuple(len(lv) for lv in h.levels),
        field_levels={"installed": 3, "inspected": 3},
    )
    result = eg.score(h, fw, values)
    machine = result.level("machine")
    assert np.shares_memory(machine.fields["installed"], installed)  # no copy
    assert installed.flags.writeable  # the caller's array is still the caller's
    assert not machine.fields["installed"].flags.writeable  # the result's view is read-only
    assert result.level("block").fields["installed"].tolist() == [2.0, 1.0]  # read on demand


def test_threaded_run_lists_diagnostics_in_the_frameworks_order():
    """A normaliser that is slow on worker threads makes the calling thread's notes come first
    in time; they must still be listed in the framework's order."""
    import threading
    import time

    from egov_score.kernels.normalise import minmax

    def slow_on_a_worker(values, groups, n_groups, direction):
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.05)
        return minmax(values, groups, n_groups, direction)

    h = eg.Hierarchy.from_units(units({"D1": {"B1": 2, "B2": 2}}), LEVELS)
    ratios = [
        {
            "code": f"r{i}",
            "numerator": "inspected",
            "denominator": "installed",
            "parent": "index",
            "normalise": {"method": "slow"},
        }
        for i in range(4)
    ]
    fw = eg.Framework.from_dict(
        {
            "levels": LEVELS,
            "field": [
                {"code": "installed", "level": "machine"},
                {"code": "inspected", "level": "machine"},
            ],
            "indicator": ratios,
            "group": [{"code": "index", "min_coverage": 0.5}],
        },
        normalisers=["slow"],
    )
    data = {
        "code": ["B1-M0", "B1-M1", "B2-M0", "B2-M1"],
        "period": ["P"] * 4,
        "installed": [0, 1, 1, 1],
        "inspected": [0, 1, 0, 1],
    }
    values = eg.Values.from_columns(data, h, fw)
    kernels = {"slow": slow_on_a_worker}
    threaded = eg.Engine(fw, h, normalisers=kernels, parallel_min_rows=0).score(values)
    serial = eg.Engine(fw, h, normalisers=kernels, parallel=False).score(values)
    zero = [d.code for d in threaded.diagnostics_of("division_by_zero") if d.level == "machine"]
    assert zero == ["r0", "r1", "r2", "r3"]
    assert threaded.diagnostics == serial.diagnostics
