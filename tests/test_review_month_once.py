"""A review month's work done once (issue 11, the state-sized review): the month's rows are cut
from the checked tables once for the action lists and the maps, and e-Mitra's geo-tag checks
run once for both, with the same answers as when each is asked afresh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import egov_score as eg
import egov_score.plugins.builtin.emitra as emitra
import egov_score.plugins.registry as registry_module
from egov_score import datasets
from egov_score.plugins.actions import ActionSettings


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many machines each run of the geo-tag checks judged."""
    calls: list[int] = []
    real = emitra.geotag_problems

    def spy(latitude: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(len(latitude))
        return real(latitude, *args, **kwargs)

    monkeypatch.setattr(emitra, "geotag_problems", spy)
    return calls


def test_the_geotag_checks_run_once_per_review(tmp_path: Path, counted: list[int]) -> None:
    job = datasets.load("jaipur")
    run = eg.run_review(job=job, formats=("csv",), out=tmp_path / "out")
    assert len(counted) == 1  # the action lists and the maps share one report
    assert run.review.actions  # both were made
    assert run.review.maps is not None


def test_the_kept_report_is_the_one_made_afresh(counted: list[int]) -> None:
    job = datasets.load("jaipur")
    panel = eg.score_panel(job)
    result = panel.result(panel.periods[-1])
    registry, hierarchy = job.registry, job.hierarchy
    assert registry is not None
    settings = ActionSettings()
    first = registry.action_reasons(result, hierarchy, job.tables, settings)
    kept = registry.locations(result, hierarchy, job.tables, settings)
    assert len(counted) == 1
    emitra._LAST_REPORT.clear()
    assert job.tables is not None
    job.tables._last_month.clear()
    fresh = registry.locations(result, hierarchy, job.tables, settings)
    assert len(counted) == 2
    for a, b in zip(kept, fresh, strict=True):
        assert np.array_equal(a.latitude, b.latitude, equal_nan=True)
        assert np.array_equal(a.status, b.status)
    again = registry.action_reasons(result, hierarchy, job.tables, settings)
    for a, b in zip(first, again, strict=True):
        assert a.flags.keys() == b.flags.keys()
        assert all(np.array_equal(a.flags[k], b.flags[k]) for k in a.flags)
        assert all(np.array_equal(a.details[k], b.details[k]) for k in a.details)


def test_other_settings_or_months_are_judged_again(counted: list[int]) -> None:
    job = datasets.load("jaipur")
    panel = eg.score_panel(job)
    registry, hierarchy = job.registry, job.hierarchy
    assert registry is not None
    last, before = (panel.result(p) for p in panel.periods[-1:-3:-1])
    settings = ActionSettings()
    registry.locations(last, hierarchy, job.tables, settings)
    registry.locations(last, hierarchy, job.tables, ActionSettings())  # another settings
    registry.locations(before, hierarchy, job.tables, settings)  # another month
    assert len(counted) == 3


def test_the_month_is_cut_once_from_checked_tables() -> None:
    job = datasets.load("jaipur")
    period = job.periods()[-1]
    month = registry_module._month_tables(job.tables, period)
    assert registry_module._month_tables(job.tables, period) is month
    other = registry_module._month_tables(job.tables, job.periods()[0])
    assert other is not month
    assert job.tables is not None
    plain = job.tables.tables  # a mapping, not checked tables: cut every time
    assert registry_module._month_tables(plain, period) is not registry_module._month_tables(
        plain, period
    )


def test_what_is_kept_goes_with_its_tables() -> None:
    import gc

    job = datasets.load("jaipur")
    panel = eg.score_panel(job)
    registry, hierarchy = job.registry, job.hierarchy
    assert registry is not None
    registry.locations(panel.result(panel.periods[-1]), hierarchy, job.tables, ActionSettings())
    assert job.tables is not None
    assert job.tables._last_month  # the month is kept on its tables, nowhere else
    assert emitra._LAST_REPORT
    del job, panel
    gc.collect()
    assert emitra._LAST_REPORT == []  # the month's tables are not held on
