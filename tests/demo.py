"""The demo's divisional review (the built-in Jaipur data, the month the demo reviews), for
the tests and benchmarks that read the demo's cards. Not cached here: a module's fixture keeps
it for as long as the module needs it, so no test sees another module's data."""

from __future__ import annotations

from egov_score import datasets
from egov_score.pipeline import Pipeline
from egov_score.review.division import Review
from egov_score.review.panel import Panel, score_panel

#: The month ``egov-score demo`` reviews.
DEMO_MONTH = "2021-01"


def jaipur_review(data: Pipeline | None = None, panel: Panel | None = None) -> Review:
    """The demo's review of :data:`DEMO_MONTH`.

    Args:
        data: the built-in Jaipur data, if already loaded.
        panel: its months scored, if already scored.
    """
    data = datasets.load("jaipur") if data is None else data
    return Review(
        panel=score_panel(data) if panel is None else panel,
        period=DEMO_MONTH,
        hierarchy=data.hierarchy,
        registry=data.registry,
        tables=data.tables,
    )
