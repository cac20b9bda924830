"""``check_plugin`` calls every hook a plugin implements and checks each against its contract, so
a plugin author finds these faults in their own tests."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import PluginError
from egov_score.kernels.normalise import Normalised, minmax
from egov_score.plugins.builtin import pension
from egov_score.plugins.testing import check_plugin


class PensionPlus:
    """The built-in pension plugin, plus whatever extra hooks a test gives it."""

    def __init__(self, normalisers=None, aggregators=None, review=None, catalogue=None):
        self.normalisers, self.aggregators = normalisers or {}, aggregators or {}
        self.review, self.catalogue = review, catalogue

    @eg.hookimpl
    def egov_score_schemes(self):
        return pension.egov_score_schemes()

    @eg.hookimpl
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        return pension.egov_score_load_scheme(scheme, tables, hierarchy)

    @eg.hookimpl
    def egov_score_normalisers(self):
        return self.normalisers

    @eg.hookimpl
    def egov_score_aggregators(self):
        return self.aggregators

    @eg.hookimpl
    def egov_score_review_sections(self, result, hierarchy):
        return self.review(result) if self.review else []

    @eg.hookimpl
    def egov_score_catalogues(self):
        return self.catalogue


def _none(n):
    return np.zeros(0, dtype=np.intp)


def _answer(scores, weights):
    """42 for every unit with a child present."""
    return np.where(np.isnan(scores).all(axis=1), np.nan, 42.0)


def test_well_behaved_methods_pass():
    def floor(values, groups, n_groups, direction, floor):  # needs a parameter: not called
        return Normalised(np.maximum(values, floor), _none(0))

    plugin = PensionPlus(
        normalisers={"minmax2": minmax, "floor": floor},
        aggregators={"best": lambda s, w: np.fmax.reduce(s, axis=1)},
    )
    assert check_plugin(plugin) == ["pension"]


@pytest.mark.parametrize(
    ("plugin", "match"),
    [
        (
            PensionPlus(normalisers={"huge": lambda v, g, n, d: Normalised(v * 1e4, _none(n))}),
            r"method 'huge' must keep its contract on realistic inputs; plugin '\w+', hook "
            r"'egov_score_normalisers', method 'huge': scores must lie within 0-100; got "
            r"\d+\.\d+ at row 0",
        ),
        (
            PensionPlus(
                normalisers={
                    "nan": lambda v, g, n, d: Normalised(np.full(len(v), np.nan), _none(n))
                }
            ),
            r"method 'nan' .* scores must be numbers where the input is present",
        ),
        (
            PensionPlus(aggregators={"answer": _answer}),
            r"method 'answer' .* hook 'egov_score_aggregators', method 'answer': the result "
            r"must lie within the min\.\.max of the children's scores; got 42\.0 at row",
        ),
        (
            PensionPlus(aggregators={"boom": lambda s, w: s.no_such_thing}),
            r"method 'boom' .* the method failed: AttributeError",
        ),
        (
            PensionPlus(review=lambda result: "a title"),
            r"scheme 'pension': the sections of the scored samples must build; plugin '\w+', "
            r"hook 'egov_score_review_sections': must return a list of Section records; got "
            r"str",
        ),
        (
            PensionPlus(catalogue="/no/such/folder"),
            r"hook 'egov_score_catalogues': must return a folder of <lang>\.po files",
        ),
    ],
)
def test_a_hook_breaking_its_contract_fails_the_check(plugin, match):
    with pytest.raises(PluginError, match=r"failed 1 check\(s\):\n  (.|\n)*" + match):
        check_plugin(plugin)


def test_every_fault_is_listed_together():
    plugin = PensionPlus(
        normalisers={"huge": lambda v, g, n, d: Normalised(v * 1e4, _none(n))},
        aggregators={"answer": _answer},
        catalogue="/no/such/folder",
    )
    with pytest.raises(PluginError, match=r"failed 3 check\(s\)"):
        check_plugin(plugin)
