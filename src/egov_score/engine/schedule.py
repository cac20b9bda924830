"""The threading schedule: which level is scored on which thread.

Everything about threads is here; the steps a level goes through are in
:mod:`egov_score.engine.levels`, and give the same columns on any thread.
"""

from __future__ import annotations

import queue

from egov_score.engine.indicators import Measured
from egov_score.engine.levels import LevelScorer
from egov_score.model.result import LevelResult

__all__ = ["PARALLEL_MIN_ROWS", "score_levels"]

#: A bottom level of at least this many rows (units x periods) is scored on a second thread
#: while the levels above are rolled up; below it, a thread costs more than it saves.
PARALLEL_MIN_ROWS = 50_000


def score_levels(
    scorer: LevelScorer, *, parallel: bool, min_rows: int = PARALLEL_MIN_ROWS
) -> list[LevelResult]:
    """Every level's result, top first; the scorer's diagnostics are complete afterwards.

    With ``parallel`` and a bottom level of at least ``min_rows`` rows, two worker threads
    join this one. The bottom level's indicators are shared out between a worker and this
    thread as each comes free. The bottom level then goes on on a worker, with the other
    worker beside it (its groups equally deep in the group tree aggregated side by side; its
    composite sorted, then banded while its ranks within parents are made), while this
    thread rolls the fields up and scores the levels above.

    The bottom level reads only its own fields and the levels above only their roll-ups; the
    few cache entries two threads may both fill (a bottom-level field view, its zero rows) get
    the same value from either. numpy releases the GIL in its loops, every column is computed
    exactly as it would be alone, and diagnostics are listed in the framework's order.
    """
    stack = scorer.stack
    bottom = len(stack.sizes) - 1
    if not parallel or bottom == 0 or stack.rows(bottom) < min_rows:
        return [scorer.score(d) for d in range(bottom + 1)]

    from concurrent.futures import ThreadPoolExecutor  # only when a level is large

    codes = scorer.indicators.on_level(bottom)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="egov-score") as pool:

        def beside(depth: int) -> ThreadPoolExecutor | None:
            """The pool for a large level's composite sort; a small one sorts in place."""
            return pool if stack.rows(depth) >= min_rows else None

        # The indicators are shared out as the two threads come free (a ratio noting
        # thousands of divisions by zero costs several times a scaled field), not in halves.
        waiting = queue.SimpleQueue[str]()
        for code in codes:
            waiting.put(code)
        first = pool.submit(_measure_taken, scorer, bottom, waiting)
        second = _measure_taken(scorer, bottom, waiting)
        last = pool.submit(
            lambda: scorer.score(bottom, {**first.result(), **second}, beside(bottom))
        )
        out = [scorer.score(d, beside=beside(d)) for d in range(bottom)]
        out.append(last.result())
    return out


def _measure_taken(
    scorer: LevelScorer, depth: int, waiting: queue.SimpleQueue[str]
) -> dict[str, Measured]:
    """Level ``depth``'s indicators taken one at a time from ``waiting`` until none is left
    (two threads share the queue, each measuring different indicators)."""
    out: dict[str, Measured] = {}
    while True:
        try:
            code = waiting.get_nowait()
        except queue.Empty:
            return out
        out.update(scorer.indicators.measure(depth, [code]))
