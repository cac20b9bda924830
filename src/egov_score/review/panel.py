"""Several periods scored together: a :class:`Panel` of :class:`~egov_score.model.result.Result`.

Each period is scored with the same engine; raw scheme tables are checked once for all periods.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import attrs

from egov_score.exceptions import InputError
from egov_score.io.periods import as_period
from egov_score.model.result import Result
from egov_score.pipeline import Pipeline

__all__ = ["Panel", "score_panel"]

_log = logging.getLogger(__name__)


@attrs.frozen
class Panel:
    """Results of consecutive periods, oldest first."""

    periods: tuple[str, ...]
    results: tuple[Result, ...]

    def result(self, period: str) -> Result:
        """The result of ``period``.

        Raises:
            InputError: the period is not in the panel.
        """
        period = as_period(period)
        if period not in self.periods:
            raise InputError(f"period must be one of {list(self.periods)!r}; got {period!r}")
        return self.results[self.periods.index(period)]

    def previous(self, period: str) -> Result | None:
        """The result of the period before ``period``, or None for the first."""
        i = self.periods.index(self.result(period).period)
        return self.results[i - 1] if i > 0 else None

    @property
    def normalisation(self) -> str:
        """``"period"`` or ``"global"``: how the panel was normalised."""
        return self.results[0].provenance.normalisation

    @property
    def missing_periods(self) -> tuple[str, ...]:
        """Months (``YYYY-MM``) between the first and the last that the panel lacks."""
        months = [_month_index(p) for p in self.periods]
        if any(m is None for m in months):
            return ()
        have = {m for m in months if m is not None}
        lo, hi = min(have), max(have)
        return tuple(f"{m // 12}-{m % 12 + 1:02d}" for m in range(lo, hi + 1) if m not in have)

    def window(self, period: str, months: int) -> tuple[Result, ...]:
        """Up to ``months`` results ending at ``period``, oldest first."""
        i = self.periods.index(self.result(period).period)
        return self.results[max(0, i - months + 1) : i + 1]


def _month_index(period: str) -> int | None:
    year, _, month = period.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return None
    return int(year) * 12 + int(month) - 1


def score_panel(
    pipeline: Pipeline,
    periods: Sequence[str] | None = None,
    *,
    normalisation: str = "period",
) -> Panel:
    """Score every period of a job's tables and values (or the ``periods`` given) in one
    vectorised run.

    With ``normalisation="period"`` (the default) each period is normalised among its own
    units — exactly as scoring it alone; with ``"global"`` the bounds are fixed across the panel
    so that scores compare over time. The choice is recorded in each result's provenance.

    Args:
        pipeline: the job (:func:`egov_score.load` or :meth:`Pipeline.build
            <egov_score.pipeline.Pipeline.build>`); its raw tables were checked when it was
            built.
        periods: the periods to score (any accepted form, see :mod:`egov_score.io.periods`;
            scored oldest first whatever their order); default: every period of the data.
        normalisation: ``"period"`` or ``"global"``.

    Raises:
        InputError: no data or no period, or an unknown normalisation.
    """
    if pipeline.tables is None and pipeline.values is None:
        raise InputError("a panel needs tables, values or both; got neither")
    if periods is None:
        periods = pipeline.periods()
    if not periods:
        raise InputError("a panel needs at least one period; got none")
    periods = sorted(dict.fromkeys(as_period(p) for p in periods))  # oldest first
    _log.info(
        "scoring %d months, %s to %s",
        len(periods),
        periods[0],
        periods[-1],
        extra={"egov_step": f"scoring {len(periods)} months"},
    )
    gathered = [pipeline.gather(p) for p in periods]
    # Each period's notes (a scheme without data that month) go with its own result.
    notes = tuple(dict.fromkeys(d for g in gathered for d in g.diagnostics))
    results = pipeline.engine.score_stacked(
        [g.levels for g in gathered],
        periods,
        normalisation=normalisation,
        sources=gathered[0].sources,
        diagnostics=notes,
        rejected=gathered[0].rejected,
    )
    return Panel(tuple(periods), tuple(results))
