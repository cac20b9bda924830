"""The ActionReasons record and the registry's checks of the egov_score_action_reasons hook."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.plugins.actions import ActionReasons
from egov_score.plugins.builtin import emitra


def record(**changes):
    base = {
        "key": "kiosk.machines",
        "level": "machine",
        "reasons": ("closed", "unpaid"),
        "labels": ("kiosk.closed", "kiosk.unpaid"),
        "flags": {"closed": np.array([True, False]), "unpaid": np.array([False, False])},
        "details": {"owner": np.array(["A", ""])},
        "detail_labels": ("kiosk.owner",),
    }
    return ActionReasons(**(base | changes))


def test_a_valid_record_is_read_only():
    r = record()
    assert r.n_units == 2
    assert r.matrix().tolist() == [[True, False], [False, False]]
    with pytest.raises(ValueError, match="read-only"):
        r.flags["closed"][0] = False
    assert r == record()


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"key": ""}, ["key must be a non-empty string", "got ''"]),
        ({"level": ""}, ["'kiosk.machines'", "level must be a non-empty string"]),
        ({"reasons": ["closed", "unpaid"]}, ["reasons must be a tuple of non-empty strings"]),
        (
            {
                "reasons": ("Closed!", "unpaid"),
                "flags": {"Closed!": np.array([True]), "unpaid": np.array([True])},
            },
            ["a reason code must be a lower-case identifier", "got 'Closed!'"],
        ),
        (
            {"reasons": ("closed", "closed"), "labels": ("a", "b")},
            ["reason codes must be unique", "['closed', 'closed']"],
        ),
        ({"labels": ("kiosk.closed",)}, ["one message id per reason (2)", "got 1"]),
        (
            {"flags": {"unpaid": np.array([False]), "closed": np.array([True])}},
            ["flags must hold one column per reason, in order", "['unpaid', 'closed']"],
        ),
        (
            {"flags": {"closed": np.array([1, 0]), "unpaid": np.array([False, False])}},
            ["flag 'closed' must be a 1-d bool array", "got int64"],
        ),
        ({"details": {"owner": np.array([1, 2])}}, ["detail 'owner' must be a 1-d str array"]),
        ({"detail_labels": ()}, ["one message id per detail column (1)", "got 0"]),
        (
            {"details": {"closed": np.array(["x", "y"])}},
            ["a detail column may not share a reason's name", "['closed']"],
        ),
        (
            {"details": {"owner": np.array(["A"])}},
            ["every column must have one value per unit", "got lengths [1, 2]"],
        ),
    ],
)
def test_every_rule_of_the_record_has_its_message(changes, fragments):
    with pytest.raises(eg.PluginError) as info:
        record(**changes)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.fixture(scope="module")
def scored():
    job = datasets.load("jaipur")
    return job, job.score("2021-01")


def registry_with(answer):
    class Kiosk:
        @eg.hookimpl
        def egov_score_action_reasons(self, result, hierarchy, tables):
            return answer(hierarchy)

    return eg.Registry(eg.make_plugin_manager([Kiosk()], autoload=False))


def n_machines(h):
    return len(h.level("machine"))


def kiosk(h, **changes):
    n = n_machines(h)
    flags = {"closed": np.zeros(n, dtype=bool), "unpaid": np.ones(n, dtype=bool)}
    return [record(flags=flags, details={}, detail_labels=(), **changes)]


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (
            lambda h: kiosk(h, level="kiosk"),
            ["hook 'egov_score_action_reasons'", "level must be one of", "got 'kiosk'"],
        ),
        (
            lambda h: [record()],
            ["one value per 'machine' unit (2995)", "got 2 for 'kiosk.machines'"],
        ),
        (
            lambda h: kiosk(h, key="emitra.machines"),
            ["keys must be unique", "'emitra.machines'", "also from plugin"],
        ),
        (lambda h: {"closed": True}, ["must return a list of ActionReasons records"]),
    ],
)
def test_the_registry_checks_what_a_plugin_returns(scored, answer, fragments):
    job, result = scored
    registry = registry_with(answer)
    with pytest.raises(eg.PluginError) as info:
        registry.action_reasons(result, job.hierarchy, job.tables)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert str(info.value).startswith("plugin ")  # the plugin is named


def test_plugins_reasons_come_in_registration_order(scored):
    job, result = scored
    registry = registry_with(lambda h: kiosk(h))
    keys = [r.key for r in registry.action_reasons(result, job.hierarchy, job.tables)]
    assert keys == ["emitra.machines", "kiosk.machines"]


def test_a_scheme_not_in_the_framework_gives_no_reasons(scored):
    job, _ = scored
    framework = job.registry.framework(job.framework.levels, active=["pension"])
    pipeline = eg.Pipeline.build(
        framework,
        job.hierarchy,
        registry=job.registry,
        tables={"pension": job.tables.tables["pension"]},
    )
    result = pipeline.score("2021-01")
    assert job.registry.action_reasons(result, job.hierarchy, pipeline.tables) == []


def test_check_plugin_calls_the_hook():
    assert eg.check_plugin(emitra) == ["emitra"]

    class Broken:
        SCHEME = emitra.SCHEME
        egov_score_schemes = staticmethod(emitra.egov_score_schemes)
        egov_score_load_scheme = staticmethod(emitra.egov_score_load_scheme)
        egov_score_catalogues = staticmethod(emitra.egov_score_catalogues)

        @eg.hookimpl
        def egov_score_action_reasons(self, result, hierarchy, tables):
            return [record()]  # two units, not the samples' ten machines

    with pytest.raises(eg.PluginError, match=r"the sections of the scored samples must build"):
        eg.check_plugin(Broken())
