"""Memory pages for a large run's short-lived columns.

numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for every array
of 4 MiB or more. A stacked run of millions of rows allocates dozens of such columns, each
written once and soon let go; on virtual machines where a huge page is slow to fault in (the
2-core CI VM: ~0.2 s per 96 MB column, against ~0.04 s with ordinary pages) that costs more
than the arithmetic. :func:`ordinary_pages` turns numpy's request off for one large run and
puts it back afterwards; the numbers are the same either way. Setting
``NUMPY_MADVISE_HUGEPAGE=0`` in the environment does the same for a whole process.

The columns come from the C library's ``malloc``. glibc hands a large block's pages back to
the system as soon as it is freed (a block of 32 MB or more always; smaller ones once the
free memory at the top of its heap passes a threshold that glibc adapts as it goes, a few MB),
so the next large run faults every page of its columns in afresh: a fifth of a million-machine
``score()`` on the CI VM. :func:`keep_freed_memory` asks glibc, once per process and only for a
large run, to keep what it frees for reuse (see :data:`HEAP_SETTINGS`), as allocators built for
data work (jemalloc, mimalloc) do by default. A user who has chosen glibc's malloc settings
(``MALLOC_*_`` variables, ``GLIBC_TUNABLES``) keeps them; ``EGOV_SCORE_KEEP_MEMORY=0`` leaves
glibc as it is; other C libraries are left alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

from numpy._core import multiarray

# numpy's switch for its madvise(MADV_HUGEPAGE) request (numpy >= 1.20; untyped).
_set_madvise_hugepage = multiarray._set_madvise_hugepage  # type: ignore[attr-defined]

__all__ = [
    "HEAP_SETTINGS",
    "KEEP_MEMORY_MIN_ROWS",
    "KEEP_MEMORY_VARIABLE",
    "ORDINARY_PAGES_MIN_ROWS",
    "keep_freed_memory",
    "ordinary_pages",
]

#: A run of at least this many rows (units x periods, over every level) uses ordinary pages.
ORDINARY_PAGES_MIN_ROWS = 2_000_000

_lock = threading.Lock()
_runs = 0  # large runs under way (threads may score several at once)
_before = True  # numpy's setting before the first of them


@contextlib.contextmanager
def ordinary_pages(rows: int) -> Iterator[None]:
    """Within the block, numpy's new arrays use ordinary pages when ``rows`` is at least
    :data:`ORDINARY_PAGES_MIN_ROWS`; numpy's own setting is restored when the last such block
    ends (nested and concurrent runs are counted)."""
    global _runs, _before
    if rows < ORDINARY_PAGES_MIN_ROWS:
        yield
        return
    with _lock:
        if _runs == 0:
            _before = bool(_set_madvise_hugepage(False))
        _runs += 1
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0:
                _set_madvise_hugepage(_before)


#: A run of at least this many rows (units x periods, over every level) keeps freed memory.
KEEP_MEMORY_MIN_ROWS = 500_000

#: The environment variable that, set to ``0``, leaves glibc's malloc settings alone.
KEEP_MEMORY_VARIABLE = "EGOV_SCORE_KEEP_MEMORY"

_MIB = 1 << 20

#: The ``mallopt`` settings (glibc's ``malloc.h`` numbers) and their values: blocks under
#: 32 MiB come from the heap (a column of a million float64 is 8 MB; glibc's adaptive
#: threshold tops out at 32 MiB too), up to 256 MiB of free memory at the top of a heap is
#: kept for the next run before glibc trims it, and a heap grows and keeps 64 MiB of slack
#: (without it a worker thread's heap is unmapped when its run ends).
HEAP_SETTINGS: tuple[tuple[str, int, int], ...] = (
    ("M_MMAP_THRESHOLD", -3, 32 * _MIB),
    ("M_TRIM_THRESHOLD", -1, 256 * _MIB),
    ("M_TOP_PAD", -2, 64 * _MIB),
)

#: Environment variables by which a user chooses glibc's malloc settings.
_USER_MALLOC_VARIABLES = (
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
    "MALLOC_ARENA_MAX",
)

_heap_lock = threading.Lock()
_heap_kept: bool | None = None  # None: not decided yet in this process


def _glibc() -> Any | None:
    """The process's C library if it is glibc (it has ``gnu_get_libc_version``), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return None
    return libc


def _user_chose_malloc(environ: os._Environ[str] | dict[str, str]) -> bool:
    """Whether the environment says how glibc's malloc is to behave, or opts out."""
    if environ.get(KEEP_MEMORY_VARIABLE, "").strip() == "0":
        return True
    if any(name in environ for name in _USER_MALLOC_VARIABLES):
        return True
    return "glibc.malloc." in environ.get("GLIBC_TUNABLES", "")


def keep_freed_memory(rows: int) -> bool:
    """For a run of at least :data:`KEEP_MEMORY_MIN_ROWS` rows, ask glibc once per process to
    keep freed memory for reuse (:data:`HEAP_SETTINGS`); whether the settings are in effect.

    Nothing is changed for a smaller run, on another C library, when the environment chooses
    malloc's settings or sets ``EGOV_SCORE_KEEP_MEMORY=0``. The numbers a run gives are the
    same either way; only where its memory comes from changes.
    """
    global _heap_kept
    if rows < KEEP_MEMORY_MIN_ROWS:
        return bool(_heap_kept)
    with _heap_lock:
        if _heap_kept is None:
            libc = None if _user_chose_malloc(os.environ) else _glibc()
            _heap_kept = libc is not None and all(
                libc.mallopt(ctypes.c_int(param), ctypes.c_int(value)) == 1
                for _, param, value in HEAP_SETTINGS
            )
        return _heap_kept
