"""Hypothesis properties of the scoring pipeline against the slow pure-Python reference."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from tests.reference import reference_score
from tests.strategies import (
    ALL_METHODS,
    build_hierarchy,
    frameworks,
    hierarchies,
    to_columns,
    value_tables,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw, methods=ALL_METHODS, aggregations=None, missing=0.2, integers=False):
    levels, units = draw(hierarchies())
    fw = draw(frameworks(levels, methods=methods, aggregations=aggregations))
    values = draw(value_tables(units, fw, missing=missing, integers=integers))
    return levels, units, fw, values


def run(units, levels, fw, values, order=None):
    h = build_hierarchy(levels, units)
    data = to_columns(units, fw, values)
    if order is not None:
        data = {k: [v[i] for i in order] for k, v in data.items()}
    return eg.score(h, fw, eg.Values.from_columns(data, h, fw))


def close(a, b):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def rank_consistent(rank, score, peer_scores, tol=1e-9):
    """The engine's rank fits the reference scores, allowing float noise to break near-ties."""
    strictly_better = sum(1 for p in peer_scores if p > score + tol)
    better_or_tied = sum(1 for p in peer_scores if p > score - tol) - 1
    return strictly_better + 1 <= rank <= better_or_tied + 1


@SETTINGS
@given(scenarios())
def test_matches_reference(scenario):
    levels, units, fw, values = scenario
    result = run(units, levels, fw, values)
    ref = reference_score(units, fw, values)
    for lv in result.levels:
        for i, code in enumerate(lv.codes.tolist()):
            want = ref[code]
            for k, v in want["indicators"].items():
                assert close(lv.indicators[k][i], v), (code, k, lv.indicators[k][i], v)
            for k, v in want["normalised"].items():
                assert close(lv.normalised[k][i], v), (code, k, lv.normalised[k][i], v)
            for k, v in want["groups"].items():
                assert close(lv.groups[k][i], v), (code, k, lv.groups[k][i], v)
            assert close(lv.score[i], want["score"])
            if want["score"] is None:
                assert lv.rank[i] == 0
                assert lv.band_label[i] == ""
            else:
                peers = [ref[c]["score"] for c in lv.codes.tolist() if ref[c]["score"] is not None]
                assert rank_consistent(int(lv.rank[i]), want["score"], peers)
                if lv.rank[i] == want["rank"]:
                    assert lv.band_label[i] == want["band"]


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(scenario, rnd):
    levels, units, fw, values = scenario
    order = list(range(len(units)))
    rnd.shuffle(order)
    a = run(units, levels, fw, values)
    b = run(units, levels, fw, values, order)
    for la, lb in zip(a.levels, b.levels, strict=True):
        np.testing.assert_array_equal(la.codes, lb.codes)
        np.testing.assert_array_equal(la.score, lb.score)
        np.testing.assert_array_equal(la.rank, lb.rank)
        np.testing.assert_array_equal(la.rank_in_parent, lb.rank_in_parent)


@SETTINGS
@given(scenarios(methods=("minmax", "goalposts", "target", "percentile", "fracmax", "none")))
def test_bounded_methods_score_within_0_100(scenario):
    levels, units, fw, values = scenario
    result = run(units, levels, fw, values)
    for lv in result.levels:
        for col in [*lv.normalised.values(), *lv.groups.values(), lv.score]:
            present = col[~np.isnan(col)]
            assert ((present >= -1e-9) & (present <= 100 + 1e-9)).all()


@SETTINGS
@given(
    scenarios(methods=("minmax", "zscore"), aggregations=("arithmetic",), integers=True),
    st.floats(0.01, 100),
    st.floats(-1000, 1000),
)
def test_minmax_and_zscore_invariant_under_affine_maps(scenario, a, b):
    levels, units, fw, values = scenario
    # Only field indicators (a ratio of two scaled fields is not an affine map of the ratio),
    # and only rules that commute with an affine map.
    fields = {k: attrs_evolve(f, rollup="mean", weight=None) for k, f in fw.fields.items()}
    inds = {
        k: attrs_evolve(i, field=i.fields[0], numerator=None, denominator=None)
        for k, i in fw.indicators.items()
    }
    fw = attrs_evolve(fw, fields=fields, indicators=inds)
    moved = {
        c: {f: (None if v is None else a * v + b) for f, v in row.items()}
        for c, row in values.items()
    }
    x, y = run(units, levels, fw, values), run(units, levels, fw, moved)
    for lx, ly in zip(x.levels, y.levels, strict=True):
        for k in lx.normalised:
            np.testing.assert_allclose(lx.normalised[k], ly.normalised[k], rtol=1e-6, atol=1e-6)


def attrs_evolve(obj, **changes):
    import attrs

    return attrs.evolve(obj, **changes)


@SETTINGS
@given(
    scenarios(methods=("minmax", "goalposts", "target", "fracmax"), aggregations=("arithmetic",)),
    st.data(),
)
def test_raising_a_value_never_lowers_the_composite(scenario, data):
    levels, units, fw, values = scenario
    # A higher-is-better indicator that is the only reader of its field (so raising the field
    # raises that indicator's value and nothing else's).
    readers = {}
    for ind in fw.indicators.values():
        for f in ind.fields:
            readers.setdefault(f, set()).add(ind.code)
    weights = {f.weight for f in fw.fields.values() if f.weight}
    target = next(
        (
            i
            for i in fw.indicators.values()
            if i.field is not None
            and i.direction == 1
            and readers[i.field] == {i.code}
            and i.field not in weights
        ),
        None,
    )
    if target is None:
        return
    field = fw.fields[target.field]
    owners = [
        c for lv, c, _ in units if lv == field.level and values[c].get(field.code) is not None
    ]
    if not owners:
        return
    code = data.draw(st.sampled_from(owners))
    bump = data.draw(st.floats(0, 100))
    raised = {c: dict(row) for c, row in values.items()}
    raised[code][field.code] = values[code][field.code] + bump
    before = run(units, levels, fw, values).unit(code).score
    after = run(units, levels, fw, raised).unit(code).score
    if not math.isnan(before):
        assert after >= before - 1e-9


@SETTINGS
@given(scenarios())
def test_the_bottom_level_on_its_own_thread_changes_nothing(scenario):
    """Scheduling the bottom level on a second thread gives bit-identical columns and the
    same diagnostics in the same order."""
    levels, units, fw, values = scenario
    h = build_hierarchy(levels, units)
    data = eg.Values.from_columns(to_columns(units, fw, values), h, fw)
    alone = eg.Engine(fw, h, parallel=False).score(data)
    threaded = eg.Engine(fw, h, parallel=True, parallel_min_rows=0).score(data)
    assert threaded.diagnostics == alone.diagnostics
    for la, lb in zip(alone.levels, threaded.levels, strict=True):
        assert la == lb  # codes, parents, score, ranks, band, coverage
        for name in (
            "fields",
            "indicators",
            "normalised",
            "groups",
            "group_coverage",
            "group_ranks",
        ):
            a, b = getattr(la, name), getattr(lb, name)
            assert list(a) == list(b)
            for k in a:
                np.testing.assert_array_equal(a[k], b[k])
