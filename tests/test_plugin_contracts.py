"""Plugins contained: every hook call wrapped, and the results of loaders, normalisers and
aggregators checked against their contracts, vectorised (issue 13, point 6)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import PluginError, PluginOutputError, ScoringError
from egov_score.kernels.normalise import Normalised, goalposts, minmax
from egov_score.plugins.contracts import (
    CheckedAggregator,
    CheckedNormaliser,
    check_aggregated,
    check_normalised,
)
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry

LEVELS = ("division", "district", "block", "machine")
PENSION = Registry(make_plugin_manager(autoload=False)).schemes["pension"]
SAMPLES = PENSION.samples["pension"].parent
SAMPLE_UNITS = PENSION.sample_units
NORM_WHERE = r"plugin 'methods', hook 'egov_score_normalisers', method 'plug'"
AGG_WHERE = r"plugin 'methods', hook 'egov_score_aggregators', method 'plug'"


class Methods:
    """A plugin contributing one normalisation and/or one aggregation method, named 'plug'."""

    def __init__(self, normalise=None, aggregate=None):
        self.normalise, self.aggregate = normalise, aggregate

    @eg.hookimpl
    def egov_score_normalisers(self):
        return {"plug": self.normalise} if self.normalise else {}

    @eg.hookimpl
    def egov_score_aggregators(self):
        return {"plug": self.aggregate} if self.aggregate else {}


def methods_registry(plugin):
    pm = make_plugin_manager(autoload=False)
    pm.register(plugin, name="methods")
    return Registry(pm)


def score_pension(normalise=None, aggregate=None):
    """Score the pension samples with 'plug' normalising verification_rate and/or
    aggregating the pension group."""
    reg = methods_registry(Methods(normalise, aggregate))
    overrides = {}
    if normalise:
        overrides["normalise"] = {"verification_rate": {"method": "plug"}}
    if aggregate:
        overrides["aggregate"] = {"pension": {"method": "plug"}}
    fw = reg.framework(LEVELS, active=["pension"], overrides=overrides)
    h = eg.Hierarchy.from_csv(SAMPLE_UNITS, fw.levels)
    tables = {"pension": reg.read_tables(SAMPLES)["pension"]}
    return eg.Pipeline.build(fw, h, registry=reg, tables=tables).score("2021-01")


def _scores(fn):
    return lambda values, groups, n_groups, direction: Normalised(
        fn(values), np.zeros(0, dtype=np.intp)
    )


# -- normalisers ----------------------------------------------------------------------------------


def test_a_well_behaved_normaliser_scores_as_the_builtin():
    # the pension rates are normalised by goalposts 0-100 by default: the same kernel through
    # a plugin, checked, gives the same numbers
    result = score_pension(normalise=functools.partial(goalposts, lower=0.0, upper=100.0))
    expected = score_pension()
    for got, want in zip(result.levels, expected.levels, strict=True):
        if "verification_rate" in want.normalised:
            code = "verification_rate"
            np.testing.assert_array_equal(got.normalised[code], want.normalised[code])
        np.testing.assert_array_equal(got.score, want.score)


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (
            lambda v, g, n, d: 1 / 0,
            r"the method failed: ZeroDivisionError\('division by zero'\)",
        ),
        (lambda v, g, n, d: v, r"must return a Normalised; got ndarray"),
        (_scores(lambda v: v[:-1]), r"scores must have shape \(\d+,\); got \(\d+,\)"),
        (_scores(lambda v: list(v)), r"scores must be a numpy float64 array; got list"),
        (
            _scores(lambda v: np.zeros(len(v), dtype=np.int64)),
            r"scores must be float64; got dtype int64",
        ),
        (
            lambda v, g, n, d: Normalised(np.full(len(v), 50.0), np.array([n])),
            r"constant_groups must be peer groups 0\.\.\d+; got \[\d+\]",
        ),
    ],
)
def test_a_normaliser_that_fails_or_returns_the_wrong_thing_is_named(fn, match):
    with pytest.raises(PluginError, match=NORM_WHERE + ": " + match):
        score_pension(normalise=fn)


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (
            _scores(lambda v: np.full(len(v), np.nan)),
            r"scores must be numbers where the input is present \(outside constant_groups\); "
            r"got nan for unit '[\w-]+' in period '2021-01'",
        ),
        (
            _scores(lambda v: np.full(len(v), 1e6)),
            r"scores must lie within 0-100; got 1000000\.0 for unit '[\w-]+' in period '2021-01'",
        ),
        (_scores(lambda v: v - 200.0), r"scores must lie within 0-100; got -1\d\d\.\d+ for unit"),
        (_scores(lambda v: v * np.inf), r"scores must lie within 0-100; got inf for unit"),
    ],
)
def test_a_normaliser_breaking_its_contract_names_units_and_values(fn, match):
    with pytest.raises(
        PluginOutputError,
        match=NORM_WHERE + r", indicator 'verification_rate' "
        r"on level '\w+': " + match,
    ):
        score_pension(normalise=fn)


def test_a_constant_group_may_be_missing():
    def constant(values, groups, n_groups, direction):
        return Normalised(np.full(len(values), np.nan), np.arange(n_groups, dtype=np.intp))

    result = score_pension(normalise=constant)
    assert np.isnan(result.level("block").normalised["verification_rate"]).all()


def test_a_normaliser_refusing_the_data_stays_a_scoring_error_naming_the_method():
    def refuses(values, groups, n_groups, direction):
        raise ScoringError("needs at least 10 peers")

    with pytest.raises(ScoringError, match=NORM_WHERE + r": needs at least 10 peers"):
        score_pension(normalise=refuses)


def test_message_names_the_first_five_and_counts_the_rest():
    values = np.arange(8, dtype=np.float64)
    groups = np.zeros(8, dtype=np.intp)
    fn = CheckedNormaliser("p", "m", _scores(lambda v: v + 1000.0))
    with pytest.raises(PluginOutputError) as info:
        fn(values, groups, 1, 1)
    assert info.value.rows == [0, 1, 2, 3, 4]
    assert info.value.values == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0]
    assert "(8 in all)" in str(info.value)


# -- aggregators ----------------------------------------------------------------------------------


def test_a_well_behaved_aggregator_is_scored():
    result = score_pension(aggregate=lambda s, w: np.fmax.reduce(s, axis=1))
    assert not np.isnan(result.level("block").groups["pension"]).all()


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (lambda s, w: 1 / 0, r"the method failed: ZeroDivisionError"),
        (lambda s, w: 42.0, r"the result must be a numpy float64 array; got float"),
        (
            lambda s, w: np.zeros((len(s), 2)),
            r"the result must have shape \(\d+,\); got "
            r"\(\d+, 2\)",
        ),
        (lambda s, w: np.zeros(len(s), dtype=bool), r"the result must be float64; got dtype bool"),
    ],
)
def test_an_aggregator_that_fails_or_returns_the_wrong_thing_is_named(fn, match):
    with pytest.raises(PluginError, match=AGG_WHERE + ": " + match):
        score_pension(aggregate=fn)


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (
            lambda s, w: np.full(len(s), 42.0),
            r"the result must lie within the min\.\.max of the children's scores; got 42\.0 for "
            r"unit '[\w-]+' in period '2021-01'",
        ),
        (
            lambda s, w: np.full(len(s), np.nan),
            r"the result must be a number where a child with a weight is present; got nan for "
            r"unit",
        ),
        (
            lambda s, w: np.full(len(s), np.inf),
            r"the result must lie within the min\.\.max of the children's scores; got inf",
        ),
    ],
)
def test_an_aggregator_breaking_its_contract_names_units_and_values(fn, match):
    with pytest.raises(
        PluginOutputError, match=AGG_WHERE + r", group 'pension' on level '\w+': " + match
    ):
        score_pension(aggregate=fn)


def test_an_aggregator_inventing_a_value_from_no_children():
    scores = np.array([[10.0, 20.0], [np.nan, np.nan]])
    with pytest.raises(
        PluginOutputError,
        match=r"the result must be NaN where no child is present; got 15\.0 "
        r"at row 1",
    ):
        check_aggregated("plugin 'p'", np.array([15.0, 15.0]), scores, np.array([1.0, 1.0]))


def test_an_aggregator_may_miss_a_row_whose_children_have_no_weight():
    scores = np.array([[10.0, np.nan], [np.nan, 30.0]])
    out = check_aggregated("p", np.array([10.0, np.nan]), scores, np.array([1.0, 0.0]))
    assert np.isnan(out[1])


def test_rounding_beyond_the_childrens_range_is_allowed():
    scores = np.array([[0.1, 0.1, 0.1]])
    mean = np.array([(0.1 + 0.1 + 0.1) / 3 * (1 + 1e-15)])
    np.testing.assert_array_equal(check_aggregated("p", mean, scores, np.ones(3)), mean)


def test_checked_methods_pass_a_good_result_through_unchanged():
    values = np.array([1.0, 2.0, np.nan, 4.0])
    groups = np.zeros(4, dtype=np.intp)
    out = check_normalised("p", minmax(values, groups, 1, 1), values, groups, 1)
    np.testing.assert_array_equal(out.scores, minmax(values, groups, 1, 1).scores)
    agg = CheckedAggregator("p", "m", lambda s, w: np.nanmean(s, axis=1))
    np.testing.assert_array_equal(agg(np.array([[1.0, 3.0]]), np.ones(2)), [2.0])


# -- other hooks returning the wrong type ---------------------------------------------------------


class WrongTypes:
    def __init__(self, hook, value):
        self.hook, self.value = hook, value

    @eg.hookimpl
    def egov_score_schemes(self):
        return self.value if self.hook == "schemes" else []

    @eg.hookimpl
    def egov_score_normalisers(self):
        return self.value if self.hook == "normalisers" else {}

    @eg.hookimpl
    def egov_score_catalogues(self):
        return self.value if self.hook == "catalogues" else None


@pytest.mark.parametrize(
    ("hook", "value", "match"),
    [
        (
            "schemes",
            PENSION,
            r"hook 'egov_score_schemes': must return a list of Scheme records; "
            r"got Scheme",
        ),
        (
            "normalisers",
            [minmax],
            r"hook 'egov_score_normalisers': must return a mapping of "
            r"method name -> function; got list",
        ),
        (
            "normalisers",
            {3: minmax},
            r"hook 'egov_score_normalisers': method names must be non-empty strings; got 3",
        ),
    ],
)
def test_declaration_hooks_returning_the_wrong_type(hook, value, match):
    with pytest.raises(PluginError, match=r"plugin 'wrong', " + match):
        methods_registry_named(WrongTypes(hook, value))


def methods_registry_named(plugin):
    pm = make_plugin_manager(autoload=False, builtins=False)
    pm.register(plugin, name="wrong")
    return Registry(pm)


def test_a_catalogue_that_is_not_a_path():
    reg = methods_registry_named(WrongTypes("catalogues", 5))
    with pytest.raises(
        PluginError,
        match=r"hook 'egov_score_catalogues': must return a folder of <lang>.po "
        r"files; got 5",
    ):
        reg.catalogues()


# -- a method cannot change what it is checked against (red-team finding) ---------------------


def _rewrite_then_mean(s, w):
    s[:] = 100.0  # would pass the range check if the check read the array it was given
    return np.nanmean(s, axis=1)


def test_an_aggregator_cannot_write_into_its_input():
    with pytest.raises(PluginError, match=AGG_WHERE + r": the method failed: ValueError"):
        score_pension(aggregate=_rewrite_then_mean)


def test_a_normaliser_cannot_write_into_its_input():
    def rewrite(values, groups, n_groups, direction):
        values[:] = 50.0
        return minmax(values, groups, n_groups, direction)

    with pytest.raises(PluginError, match=NORM_WHERE + r": the method failed: ValueError"):
        score_pension(normalise=rewrite)


def test_a_method_reading_its_input_is_unaffected():
    plain = score_pension(aggregate=lambda s, w: np.fmax.reduce(s, axis=1))
    again = score_pension(aggregate=lambda s, w: np.fmax.reduce(s.copy(), axis=1))
    np.testing.assert_array_equal(
        plain.level("block").groups["pension"], again.level("block").groups["pension"]
    )
