"""engine.pages.keep_freed_memory: glibc keeps a large run's freed memory for the next run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from egov_score.engine import pages
from egov_score.engine.pages import (
    HEAP_SETTINGS,
    KEEP_MEMORY_MIN_ROWS,
    keep_freed_memory,
    release_freed_memory,
)


class FakeLibc:
    """Records ``mallopt`` calls; answers as glibc does (1: done)."""

    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def gnu_get_libc_version(self) -> bytes:
        return b"2.36"

    def mallopt(self, param, value) -> int:
        self.calls.append((param.value, value.value))
        return self.answer

    def malloc_trim(self, pad) -> int:
        self.calls.append(("malloc_trim", pad.value))
        return 1


@pytest.fixture
def libc(monkeypatch):
    """A fresh process's state, with a recording C library and no malloc variables set."""
    fake = FakeLibc()
    monkeypatch.setattr(pages, "_heap_kept", None)
    monkeypatch.setattr(pages, "_glibc", lambda: fake)
    for name in list(os.environ):
        if name.startswith("MALLOC_") or name in (pages.KEEP_MEMORY_VARIABLE, "GLIBC_TUNABLES"):
            monkeypatch.delenv(name)
    return fake


WANTED = [(param, value) for _, param, value in HEAP_SETTINGS]


def test_the_settings_are_glibcs_own_numbers():
    # malloc.h: M_TRIM_THRESHOLD -1, M_TOP_PAD -2, M_MMAP_THRESHOLD -3
    assert {name: param for name, param, _ in HEAP_SETTINGS} == {
        "M_TRIM_THRESHOLD": -1,
        "M_TOP_PAD": -2,
        "M_MMAP_THRESHOLD": -3,
    }
    # glibc refuses an mmap threshold above 32 MiB on 64-bit (HEAP_MAX_SIZE / 2)
    assert {name: value for name, _, value in HEAP_SETTINGS}["M_MMAP_THRESHOLD"] <= 32 << 20


def test_a_small_run_changes_nothing(libc):
    assert keep_freed_memory(KEEP_MEMORY_MIN_ROWS - 1) is False
    assert libc.calls == []
    assert pages._heap_kept is None  # still undecided: a later large run decides
    assert pages.freed_memory_kept() is False


def test_a_large_run_sets_them_once_per_process(libc):
    assert keep_freed_memory(KEEP_MEMORY_MIN_ROWS) is True
    assert libc.calls == WANTED
    assert keep_freed_memory(10 * KEEP_MEMORY_MIN_ROWS) is True
    assert keep_freed_memory(1) is True  # in effect for every run after
    assert pages.freed_memory_kept() is True
    assert libc.calls == WANTED


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EGOV_SCORE_KEEP_MEMORY", "0"),
        ("EGOV_SCORE_KEEP_MEMORY", " Off "),
        ("EGOV_SCORE_KEEP_MEMORY", "false"),
        ("MALLOC_CHECK_", "3"),
        ("MALLOC_TRIM_THRESHOLD_", "131072"),
        ("MALLOC_MMAP_THRESHOLD_", "65536"),
        ("MALLOC_TOP_PAD_", "0"),
        ("MALLOC_ARENA_MAX", "2"),
        ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072"),
    ],
)
def test_a_users_own_choice_is_kept(libc, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert keep_freed_memory(KEEP_MEMORY_MIN_ROWS) is False
    assert libc.calls == []


def test_other_tunables_do_not_count_as_a_malloc_choice(libc, monkeypatch):
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.pthread.rseq=0")
    monkeypatch.setenv("EGOV_SCORE_KEEP_MEMORY", "1")
    assert keep_freed_memory(KEEP_MEMORY_MIN_ROWS) is True
    assert libc.calls == WANTED


def test_another_c_library_is_left_alone(libc, monkeypatch):
    monkeypatch.setattr(pages, "_glibc", lambda: None)
    assert keep_freed_memory(KEEP_MEMORY_MIN_ROWS) is False


def test_a_refused_setting_is_reported_and_the_others_still_apply(libc):
    libc.answer = 0
    assert keep_freed_memory(KEEP_MEMORY_MIN_ROWS) is False
    assert libc.calls == WANTED


def test_release_gives_freed_memory_back_through_malloc_trim(libc):
    assert release_freed_memory() is True
    assert libc.calls == [("malloc_trim", 0)]


def test_release_on_another_c_library_does_nothing(monkeypatch):
    monkeypatch.setattr(pages, "_glibc", lambda: None)
    assert release_freed_memory() is False


def test_every_run_asks_with_its_rows(monkeypatch):
    """The engine asks for every run, with its rows over every level and period."""
    from egov_score import datasets
    from egov_score.engine import run

    asked: list[int] = []
    monkeypatch.setattr(run, "keep_freed_memory", asked.append)
    data = datasets.load("small")
    assert data.values is not None
    engine = run.Engine(data.framework, data.hierarchy)
    engine.score(data.values, data.values.period_list[0])
    assert asked == [sum(len(level) for level in data.hierarchy.levels)]
    assert asked[0] > 0


def test_glibc_is_found_on_this_machine():
    libc = pages._glibc()
    if not sys.platform.startswith("linux"):
        assert libc is None
        return
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not a glibc system")
    assert libc is not None


# A fresh process makes twelve 8 MB columns, frees them, then makes them again:
# with the settings, the second round reuses the freed pages (a handful of faults); with
# glibc's own, or after a release, they were handed back and fault in again (1,954 small
# pages per column; the process asks the kernel for no huge pages, so that faults count pages
# whatever the system's transparent huge page setting).
_ROUNDS = textwrap.dedent(
    """
    import ctypes, resource, sys
    ctypes.CDLL(None).prctl(41, 1, 0, 0, 0)  # PR_SET_THP_DISABLE
    import numpy as np
    from egov_score.engine.pages import (
        KEEP_MEMORY_MIN_ROWS, keep_freed_memory, release_freed_memory,
    )
    kept = keep_freed_memory(KEEP_MEMORY_MIN_ROWS)
    def round_():
        cols = [np.ones(1_000_000) for _ in range(12)]
        return float(sum(c[-1] for c in cols))
    round_()
    if sys.argv[1] == "release":
        release_freed_memory()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    round_()
    print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


def _second_round(then: str = "keep", **env: str) -> tuple[bool, int]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    environ.pop("GLIBC_TUNABLES", None)
    environ.update(NUMPY_MADVISE_HUGEPAGE="0", **env)  # small pages: faults are countable
    out = subprocess.run(
        [sys.executable, "-c", _ROUNDS, then],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(pages._glibc() is None, reason="glibc's malloc only")
def test_freed_columns_are_reused_instead_of_faulted_in_again():
    kept, faults = _second_round()
    assert kept
    left, refaults = _second_round(EGOV_SCORE_KEEP_MEMORY="0")
    assert not left
    columns_pages = 12 * 8_000_000 // 4096
    assert refaults > columns_pages // 2  # glibc's own settings: most pages fault in again
    assert faults < columns_pages // 20  # kept: almost none
    kept, released = _second_round("release")
    assert kept
    assert released > columns_pages // 2  # given back on demand: they fault in again
