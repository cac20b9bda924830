"""engine.pages: numpy's huge-page request is off during a large run and restored after."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from numpy._core import multiarray

from egov_score.engine import pages
from egov_score.engine.pages import ORDINARY_PAGES_MIN_ROWS, ordinary_pages


def _huge() -> bool:
    return bool(multiarray._get_madvise_hugepage())


@pytest.fixture(autouse=True)
def _restore():
    before = multiarray._set_madvise_hugepage(True)
    yield
    multiarray._set_madvise_hugepage(before)


def test_a_small_run_leaves_numpy_alone():
    with ordinary_pages(ORDINARY_PAGES_MIN_ROWS - 1):
        assert _huge()
    assert _huge()


def test_a_large_run_uses_ordinary_pages_and_restores_the_setting():
    with ordinary_pages(ORDINARY_PAGES_MIN_ROWS):
        assert not _huge()
    assert _huge()


def test_the_setting_is_restored_after_an_error():
    with pytest.raises(RuntimeError), ordinary_pages(ORDINARY_PAGES_MIN_ROWS):
        raise RuntimeError("boom")
    assert _huge()


def test_a_setting_already_off_stays_off():
    multiarray._set_madvise_hugepage(False)
    with ordinary_pages(ORDINARY_PAGES_MIN_ROWS):
        assert not _huge()
    assert not _huge()


def test_nested_and_concurrent_runs_restore_once_the_last_ends():
    entered, release = threading.Barrier(2), threading.Event()

    def other() -> None:
        with ordinary_pages(ORDINARY_PAGES_MIN_ROWS):
            entered.wait()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    with ordinary_pages(ORDINARY_PAGES_MIN_ROWS):
        entered.wait()
        with ordinary_pages(ORDINARY_PAGES_MIN_ROWS):
            assert not _huge()
    assert not _huge()  # the other run is still under way
    release.set()
    t.join()
    assert _huge()
    assert pages._runs == 0


def test_a_large_stacked_run_scores_the_same(monkeypatch):
    """The same numbers with the switch at its threshold and far above it."""
    from egov_score import datasets
    from egov_score.review.panel import score_panel

    data = datasets.load("jaipur")
    monkeypatch.setattr(pages, "ORDINARY_PAGES_MIN_ROWS", 1)
    small = score_panel(data)
    monkeypatch.setattr(pages, "ORDINARY_PAGES_MIN_ROWS", 10**12)
    plain = score_panel(data)
    for period in plain.periods:
        for a, b in zip(small.result(period).levels, plain.result(period).levels, strict=True):
            np.testing.assert_array_equal(a.score, b.score)
            np.testing.assert_array_equal(a.rank, b.rank)
