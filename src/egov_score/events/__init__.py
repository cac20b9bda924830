"""Transaction events rolled up to machine-month fields (see ``docs/events.md``).

The orchestration over :mod:`egov_score.io.events` (reading), :mod:`egov_score.kernels.events`
(partials that combine exactly) and :mod:`egov_score.model` (units and values).
"""

from __future__ import annotations

from egov_score.events.checks import RULES, Rejects, check_batch
from egov_score.events.rollup import (
    ENGINES,
    FIELDS,
    EngineRun,
    EventEngine,
    EventRollup,
    batch_partial,
    machine_lookup,
    numpy_engine,
    roll_up,
)

__all__ = [
    "ENGINES",
    "FIELDS",
    "RULES",
    "EngineRun",
    "EventEngine",
    "EventRollup",
    "Rejects",
    "batch_partial",
    "check_batch",
    "machine_lookup",
    "numpy_engine",
    "roll_up",
]
