"""Memory pages for a large run's short-lived columns.

numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) for every array
of 4 MiB or more. A stacked run of millions of rows allocates dozens of such columns, each
written once and soon let go; on virtual machines where a huge page is slow to fault in (the
2-core CI VM: ~0.2 s per 96 MB column, against ~0.04 s with ordinary pages) that costs more
than the arithmetic. :func:`ordinary_pages` turns numpy's request off for one large run and
puts it back afterwards; the numbers are the same either way. Setting
``NUMPY_MADVISE_HUGEPAGE=0`` in the environment does the same for a whole process.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from numpy._core import multiarray

# numpy's switch for its madvise(MADV_HUGEPAGE) request (numpy >= 1.20; untyped).
_set_madvise_hugepage = multiarray._set_madvise_hugepage  # type: ignore[attr-defined]

__all__ = ["ORDINARY_PAGES_MIN_ROWS", "ordinary_pages"]

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
