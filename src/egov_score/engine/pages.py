"""Memory pages for a large run's short-lived columns.

numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for every array
of 4 MiB or more. A stacked run of millions of rows allocates dozens of such columns, each
written once and soon let go; on virtual machines where a huge page is slow to fault in (the
2-core CI VM: ~0.2 s per 96 MB column, against ~0.04 s with ordinary pages) that costs more
than the arithmetic. :func:`ordinary_pages` turns numpy's request off for one large run and
puts it back afterwards; the numbers are the same either way. Setting
``NUMPY_MADVISE_HUGEPAGE=0`` in the environment does the same for a whole process.

The columns come from the C library's ``malloc``. glibc hands a large block's pages back to
the system as soon as it is freed (a block of 32 MiB or more always; smaller ones once the
free memory at the top of its heap passes a threshold that glibc adapts as it goes, a few MB),
so the next large run faults every page of its columns in afresh: a fifth of a million-machine
``score()`` on the CI VM. :func:`keep_freed_memory` asks glibc, once per process and only for a
large run, to keep what it frees for reuse (see :data:`HEAP_SETTINGS`), as allocators built for
data work (jemalloc, mimalloc) do by default; :func:`release_freed_memory` gives it back on
demand. A user who has chosen glibc's malloc settings (any ``MALLOC_*`` variable, or
``glibc.malloc.*`` in ``GLIBC_TUNABLES``) keeps them; ``EGOV_SCORE_KEEP_MEMORY=0`` leaves
glibc as it is; other C libraries are left alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Iterator, Mapping

from numpy._core import multiarray

# numpy's switch for its madvise(MADV_HUGEPAGE) request (numpy >= 1.20; untyped).
_set_madvise_hugepage = multiarray._set_madvise_hugepage  # type: ignore[attr-defined]

__all__ = [
    "HEAP_SETTINGS",
    "KEEP_MEMORY_MIN_ROWS",
    "KEEP_MEMORY_VARIABLE",
    "ORDINARY_PAGES_MIN_ROWS",
    "freed_memory_kept",
    "keep_freed_memory",
    "ordinary_pages",
    "release_freed_memory",
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

#: The environment variable that, set to ``0`` (or ``false``, ``no``, ``off``), leaves glibc's
#: malloc settings alone.
KEEP_MEMORY_VARIABLE = "EGOV_SCORE_KEEP_MEMORY"

_MIB = 1 << 20

#: The ``mallopt`` settings (glibc's ``malloc.h`` numbers) and their values: blocks under
#: 32 MiB come from a heap (a column of a million float64 is 8 MB; glibc's adaptive threshold
#: tops out at 32 MiB too); up to 256 MiB of free memory at the top of the main heap is kept
#: for the next run before glibc trims it; a heap grows, and keeps, 16 MiB of slack (so a
#: worker thread's heap is kept between runs rather than unmapped). A thread's heap is at
#: most 64 MiB, under the trim threshold, so it keeps its peak, as it also does under
#: glibc's own adaptive threshold once that has reached its top (64 MiB).
HEAP_SETTINGS: tuple[tuple[str, int, int], ...] = (
    ("M_MMAP_THRESHOLD", -3, 32 * _MIB),
    ("M_TRIM_THRESHOLD", -1, 256 * _MIB),
    ("M_TOP_PAD", -2, 16 * _MIB),
)

#: The values of :data:`KEEP_MEMORY_VARIABLE` that opt out.
_OFF = ("0", "false", "no", "off")

_heap_lock = threading.Lock()
_heap_kept: bool | None = None  # None: not decided yet in this process


def _glibc() -> ctypes.CDLL | None:
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


def _user_chose_malloc(environ: Mapping[str, str]) -> bool:
    """Whether the environment says how glibc's malloc is to behave, or opts out."""
    if environ.get(KEEP_MEMORY_VARIABLE, "").strip().lower() in _OFF:
        return True
    if any(name.startswith("MALLOC_") for name in environ):
        return True
    return "glibc.malloc." in environ.get("GLIBC_TUNABLES", "")


def keep_freed_memory(rows: int) -> bool:
    """For a run of at least :data:`KEEP_MEMORY_MIN_ROWS` rows, ask glibc once per process to
    keep freed memory for reuse (:data:`HEAP_SETTINGS`); whether the settings are in effect.

    Nothing is changed for a smaller run, on another C library, when the environment chooses
    malloc's settings or sets ``EGOV_SCORE_KEEP_MEMORY=0`` (set it in ``os.environ`` before
    the first large run to opt out from code). The numbers a run gives are the same either
    way; only where its memory comes from changes. The settings are process-wide and stay;
    should glibc refuse one (a 32-bit process refuses a 32 MiB mmap threshold), the others
    still apply and the answer is False.
    """
    global _heap_kept
    if rows < KEEP_MEMORY_MIN_ROWS:
        return freed_memory_kept()
    with _heap_lock:
        if _heap_kept is None:
            libc = None if _user_chose_malloc(os.environ) else _glibc()
            done = (
                []
                if libc is None
                else [
                    libc.mallopt(ctypes.c_int(param), ctypes.c_int(value)) == 1
                    for _, param, value in HEAP_SETTINGS
                ]
            )
            _heap_kept = bool(done) and all(done)
        return _heap_kept


def freed_memory_kept() -> bool:
    """Whether :func:`keep_freed_memory` has set glibc's settings in this process."""
    return bool(_heap_kept)


def release_freed_memory() -> bool:
    """Give the memory glibc holds free back to the system now (``malloc_trim(0)``: the top
    of every heap and whole free pages within them), e.g. in a long-lived process after a
    large run; whether any was given back. False on another C library.
    """
    libc = _glibc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    return bool(libc.malloc_trim(ctypes.c_size_t(0)))
