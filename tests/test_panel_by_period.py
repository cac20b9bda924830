"""The panel's per-period steps give what one call over the whole stack gives.

A panel run normalises (built-in methods), aggregates, bands and ranks each period's rows on
their own, and rolls a field up from its own level a period at a time. Each is checked here
against the stacked computation it replaced (one call with per-period labels), bit for bit.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score.engine.fields import FieldColumns
from egov_score.engine.indicators import Indicators
from egov_score.engine.notes import Notes
from egov_score.engine.ranking import PeriodRanks
from egov_score.engine.stack import Stack
from egov_score.kernels.grouped import Grouping, group_count
from egov_score.kernels.normalise import BUILTIN_NORMALISERS, PEER_RELATIVE
from egov_score.kernels.rank import RANK_TOLERANCE, rank_two_ways
from egov_score.kernels.rollup import combine, finish, partials
from egov_score.model.hierarchy import Level

PARAMS = {"goalposts": {"lower": 0.0, "upper": 10.0}, "target": {"target": 8.0}}


@st.composite
def stacked(draw: st.DrawFn) -> tuple[int, int, int, np.ndarray, np.ndarray]:
    """Periods, units, parents, a stacked column with ties, NaN and constant peers, and a
    parent per unit (unsorted)."""
    periods = draw(st.integers(1, 4))
    n = draw(st.integers(1, 12))
    n_parents = draw(st.integers(1, 3))
    parent = np.array(draw(st.lists(st.integers(0, n_parents - 1), min_size=n, max_size=n)))
    cells = st.one_of(st.just(np.nan), st.sampled_from([0.0, 1.0, 2.0, 5.0]), st.floats(0, 10))
    values = np.array(draw(st.lists(cells, min_size=n * periods, max_size=n * periods)))
    return periods, n, n_parents, values, parent.astype(np.intp)


def _hierarchy(n: int, n_parents: int, parent: np.ndarray) -> eg.Hierarchy:
    codes = np.array([f"U{i}" for i in range(n)])
    tops = np.array([f"T{i}" for i in range(n_parents)])
    return eg.Hierarchy(
        (
            Level("top", tops, tops, np.full(n_parents, ""), np.full(n_parents, -1, np.intp)),
            Level("unit", codes, codes, np.full(n, ""), parent),
        )
    )


def _framework(method: str, within: str) -> eg.Framework:
    return eg.Framework.from_dict(
        {
            "levels": ["top", "unit"],
            "field": [{"code": "x", "level": "unit"}],
            "indicator": [
                {
                    "code": "i",
                    "field": "x",
                    "parent": "index",
                    "target": 8.0,
                    "normalise": {"method": method, "within": within, **PARAMS.get(method, {})},
                }
            ],
            "group": [{"code": "index"}],
        }
    )


@pytest.mark.parametrize("method", sorted(BUILTIN_NORMALISERS))
@pytest.mark.parametrize("within", ["level", "parent"])
@settings(max_examples=40, deadline=None)
@given(case=stacked())
def test_normalised_by_period_as_stacked(
    method: str, within: str, case: tuple[int, int, int, np.ndarray, np.ndarray]
) -> None:
    """Scores and constant-peer diagnostics of a built-in method run period by period equal
    one call over the stack with per-period peer labels."""
    periods, n, n_parents, values, parent = case
    hierarchy = _hierarchy(n, n_parents, parent)
    fw = _framework(method, within)
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [n_parents, n])
    notes = Notes(["top", "unit"], [lv.codes for lv in hierarchy.levels], stack)
    parents = [lv.parent for lv in hierarchy.levels]
    fields = FieldColumns(fw, {"x": values}, parents, stack)
    indicators = Indicators(
        fw, fields, BUILTIN_NORMALISERS, parents, stack, notes, global_peers=False
    )
    ind = fw.indicators["i"]
    got_notes: list[eg.Diagnostic] = []
    got = indicators.normalise(ind, values, 1, got_notes)

    groups, n_groups = indicators.peers(1, within)
    kwargs: dict[str, object] = dict(PARAMS.get(method, {}))
    if method == "target":
        kwargs["cap"] = True
    if method == "zscore":
        kwargs["rescale"] = None
    want = BUILTIN_NORMALISERS[method](values, groups, n_groups, 1, **kwargs)
    scores = np.array(want.scores, dtype=np.float64)
    want_notes: list[eg.Diagnostic] = []
    present = ~np.isnan(values)
    if method in PEER_RELATIVE:  # a unit alone among its peers is missing (docs/method.md)
        lone = (group_count(values, groups, n_groups) == 1)[groups] & present
        scores[lone] = np.nan
        if lone.any():
            notes.add(want_notes, "no_peers", 1, "i", lone, "{n} {units}")
    if len(want.undefined_groups):
        hit = np.isin(groups, want.undefined_groups) & present
        notes.add(want_notes, "undefined_normalisation", 1, "i", hit, "{n} {units}")
    if len(want.constant_groups):
        hit = np.isin(groups, want.constant_groups) & present
        notes.add(want_notes, "constant_indicator", 1, "i", hit, "{n} {units}")
    np.testing.assert_array_equal(got, scores)
    assert [(d.kind, d.units, d.period) for d in got_notes] == [
        (d.kind, d.units, d.period) for d in want_notes
    ]


@settings(max_examples=60, deadline=None)
@given(case=stacked())
def test_period_ranks_as_stacked(case: tuple[int, int, int, np.ndarray, np.ndarray]) -> None:
    """Ranks made period by period equal one ranking of the stack within per-period labels;
    with an executor too."""
    periods, n, n_parents, values, parent = case
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [n_parents, n])
    in_level = np.repeat(np.arange(periods), n) if periods > 1 else None
    in_parent = stack.labels(1, parent, n_parents)
    want = rank_two_ways(values, in_level, in_parent, tolerance=RANK_TOLERANCE)
    ranker = PeriodRanks(stack, 1, parent)
    caller = threading.get_ident()
    here, done = ranker.rank(values, None, lambda: ("here", threading.get_ident()))
    assert done == ("here", caller)
    for got in (ranker(values), here):
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    with ThreadPoolExecutor(max_workers=2) as pool:
        events: list[str] = []
        pool_submit = pool.submit

        def submit(fn, *args, **kwargs):
            events.append(getattr(fn, "__name__", "?"))
            return pool_submit(fn, *args, **kwargs)

        pool.submit = submit  # type: ignore[method-assign]
        got, done = ranker.rank(
            values, pool, lambda: events.append("meanwhile") or threading.get_ident()
        )
    assert done == caller  # the caller's work runs on the caller's thread
    # after the sort, once the rest of the work beside has started
    assert events == (["ranks", "meanwhile"] if periods == 1 else ["_into", "meanwhile"])
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    top = PeriodRanks(stack, 1, None)(values)  # no parents: both are ranks in the level
    np.testing.assert_array_equal(top[1], rank_two_ways(values, in_level, in_level)[1])


@pytest.mark.parametrize("periods", [1, 3])
def test_an_error_of_the_callers_work_waits_for_the_ranking_beside(periods: int) -> None:
    n, n_parents = 5_000, 50
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [n_parents, n])
    values = np.random.default_rng(periods).random(n * periods)
    parent = np.arange(n) % n_parents
    ranker = PeriodRanks(stack, 1, parent)
    futures = []

    def fail() -> None:
        raise RuntimeError("the caller's work failed")

    with ThreadPoolExecutor(max_workers=2) as pool:
        pool_submit = pool.submit

        def submit(fn, *args, **kwargs):
            futures.append(pool_submit(fn, *args, **kwargs))
            return futures[-1]

        pool.submit = submit  # type: ignore[method-assign]
        with pytest.raises(RuntimeError, match="caller's work failed"):
            ranker.rank(values, pool, fail)
        assert futures
        assert all(f.done() for f in futures)  # nothing left running on the pool


@pytest.mark.parametrize("rule", ["sum", "mean", "min", "max", "weighted_mean"])
@settings(max_examples=40, deadline=None)
@given(case=stacked(), sort_parents=st.booleans())
def test_rollup_from_own_level_by_period(
    rule: str, case: tuple[int, int, int, np.ndarray, np.ndarray], sort_parents: bool
) -> None:
    """A field rolled up from its own level period by period equals the partials of the whole
    stack combined under per-period parent labels (sorted parents or not)."""
    periods, n, n_parents, values, parent = case
    if sort_parents:
        parent = np.sort(parent)
    weights = np.abs(np.nan_to_num(values[::-1], nan=1.0)) + 0.5
    fw = eg.Framework.from_dict(
        {
            "levels": ["top", "unit"],
            "field": [
                {"code": "x", "level": "unit", "rollup": rule}
                | ({"weight": "w"} if rule == "weighted_mean" else {}),
                {"code": "w", "level": "unit"},
            ],
            "indicator": [{"code": "i", "field": "x", "parent": "index"}],
            "group": [{"code": "index"}],
        }
    )
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [n_parents, n])
    parents = [np.full(n_parents, -1, np.intp), parent]
    fields = FieldColumns(fw, {"x": values, "w": weights}, parents, stack)
    got = fields.field("x", 0)
    labels = stack.labels(1, parent, n_parents)
    parts = partials(values, rule, weights if rule == "weighted_mean" else None)
    want = finish(combine(parts, Grouping(labels, stack.rows(0)), stack.rows(0), rule), rule)
    np.testing.assert_array_equal(got, want)


def test_no_stacked_grouping_of_the_own_level() -> None:
    """Rolling a field up from its own level builds no grouping as long as the stack: only
    one period's (the parents of the level's units)."""
    fw = eg.Framework.from_dict(
        {
            "levels": ["top", "unit"],
            "field": [{"code": "x", "level": "unit"}],
            "indicator": [{"code": "i", "field": "x", "parent": "index"}],
            "group": [{"code": "index"}],
        }
    )
    n, periods = 50, 6
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [2, n])
    parent = np.arange(n, dtype=np.intp) % 2
    fields = FieldColumns(fw, {"x": np.ones(n * periods)}, [np.array([-1, -1]), parent], stack)
    np.testing.assert_array_equal(fields.field("x", 0), np.full(2 * periods, 25.0))
    assert not fields._groupings
    assert [len(g.groups) for g in fields._period_groupings.values()] == [n]


@settings(max_examples=50, deadline=None)
@given(periods=st.integers(1, 5), n=st.integers(0, 7), n_groups=st.integers(1, 4))
def test_labels_one_pass(periods: int, n: int, n_groups: int) -> None:
    """Per-period labels are the unit's label plus the period's offset, as tile + repeat."""
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [n])
    per_unit = np.arange(n, dtype=np.intp) % n_groups
    want = np.tile(per_unit, periods) + np.repeat(np.arange(periods), n) * n_groups
    np.testing.assert_array_equal(stack.labels(0, per_unit, n_groups), want)


def test_builtin_methods_run_per_period_plugins_on_the_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A built-in method is called once per period on that period's rows and one peer group;
    a plugin's method once on the whole stack with per-period peer labels."""
    calls: list[tuple[int, int]] = []
    minmax = BUILTIN_NORMALISERS["minmax"]

    def spy(values: np.ndarray, groups: np.ndarray, n_groups: int, direction: int) -> object:
        calls.append((len(values), n_groups))
        return minmax(values, groups, n_groups, direction)

    n, n_parents, periods = 6, 2, 3
    parent = np.arange(n, dtype=np.intp) % n_parents
    hierarchy = _hierarchy(n, n_parents, parent)
    fw = _framework("minmax", "level")
    stack = Stack(tuple(f"p{p}" for p in range(periods)), [n_parents, n])
    parents = [lv.parent for lv in hierarchy.levels]
    values = np.arange(n * periods, dtype=np.float64)
    for builtin, want in ((True, [(n, 1)] * periods), (False, [(n * periods, periods)])):
        calls.clear()
        if builtin:
            monkeypatch.setitem(BUILTIN_NORMALISERS, "minmax", spy)
        else:
            monkeypatch.setitem(BUILTIN_NORMALISERS, "minmax", minmax)
        fields = FieldColumns(fw, {"x": values}, parents, stack)
        notes = Notes(["top", "unit"], [lv.codes for lv in hierarchy.levels], stack)
        indicators = Indicators(
            fw, fields, {"minmax": spy}, parents, stack, notes, global_peers=False
        )
        got = indicators.normalise(fw.indicators["i"], values, 1, [])
        assert calls == want
        np.testing.assert_array_equal(got, np.tile(np.linspace(0, 100, n), periods))
