"""Importing polars (an optional extra) with its allocator told to give freed memory back.

polars allocates through its own jemalloc. polars configures it at import
(``dirty_decay_ms:500,muzzy_decay_ms:1000``, polars pull request #21829): a freed page is
"dirty" for up to 0.5 s, then "muzzy" for up to 1 s — handed back with ``MADV_FREE``, which
Linux leaves resident until memory runs short. A large CSV read therefore leaves much of what
it used resident for a while after its frames are gone, and the process's peak grows by it
(the 200,000-machine scheme-table run: ~400 MiB with polars' setting, ~320 MiB with ours).

polars appends the value of ``_RJEM_MALLOC_CONF`` found in the environment to its own, and
jemalloc takes the last value of a setting; so :func:`import_polars` sets the variable to
:data:`POLARS_ALLOCATOR_CONF` before the first import, unless it is set already: a user's own
setting wins, and a process that imported polars before egov_score keeps whatever it has.
See polars issues #18088 and #23128, and ``docs/memory.md``.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

__all__ = ["POLARS_ALLOCATOR_CONF", "POLARS_ALLOCATOR_VARIABLE", "import_polars"]

#: The environment variable polars' jemalloc reads its settings from.
POLARS_ALLOCATOR_VARIABLE = "_RJEM_MALLOC_CONF"

#: Freed pages go back to the system (``MADV_DONTNEED``) within ~0.2 s instead of staying
#: resident for 1.5 s. Returning them at once (``dirty_decay_ms:0``) cost ~6 % of a
#: million-machine ``egov-score score`` in system calls; 0.2 s cost nothing measurable and kept
#: the peak as low (see ``docs/memory.md``).
POLARS_ALLOCATOR_CONF = "dirty_decay_ms:200,muzzy_decay_ms:0"


def import_polars() -> ModuleType:
    """The polars module, imported with :data:`POLARS_ALLOCATOR_CONF` when this is its first
    import and the user has not configured its allocator.

    Raises:
        ImportError: polars is not installed (callers name the extra that brings it).
    """
    ours = "polars" not in sys.modules and POLARS_ALLOCATOR_VARIABLE not in os.environ
    if ours:
        os.environ[POLARS_ALLOCATOR_VARIABLE] = POLARS_ALLOCATOR_CONF
    try:
        return importlib.import_module("polars")
    except ImportError:
        if ours:  # no polars to configure: leave the environment as it was
            os.environ.pop(POLARS_ALLOCATOR_VARIABLE, None)
        raise
