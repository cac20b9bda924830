"""Several periods scored together: a :class:`Panel` of :class:`~egov_score.result.Result`.

Each period is scored with the same engine; raw scheme tables are checked once for all periods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from egov_score._table import Table
from egov_score.engine import Engine
from egov_score.exceptions import InputError
from egov_score.registry import CheckedTables
from egov_score.result import Result
from egov_score.values import Values

__all__ = ["Panel", "score_panel"]


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
    engine: Engine,
    periods: Sequence[str] | None = None,
    *,
    tables: CheckedTables | Mapping[str, Mapping[str, Table]] | None = None,
    values: Values | None = None,
    drop_bad_rows: bool = False,
    normalisation: str = "period",
) -> Panel:
    """Score every period of ``tables`` and/or ``values`` (or the ``periods`` given) in one
    vectorised run.

    Raw tables are checked once. With ``normalisation="period"`` (the default) each period is
    normalised among its own units — exactly as scoring it alone; with ``"global"`` the bounds
    are fixed across the panel so that scores compare over time. The choice is recorded in each
    result's provenance.

    Raises:
        InputError: no data, an unknown normalisation, or a table failed its checks.
    """
    if tables is not None and not isinstance(tables, CheckedTables):
        if engine.registry is None:
            raise InputError("scoring scheme tables needs an engine built with a registry")
        tables = engine.registry.check_tables(tables, engine.hierarchy, drop_bad_rows=drop_bad_rows)
    if tables is None and values is None:
        raise InputError("a panel needs tables, values or both; got neither")
    if periods is None:
        found = set(values.period_list) if values is not None else set()
        if tables is not None:
            found |= set(tables.periods())
        periods = sorted(found)
    if not periods:
        raise InputError("a panel needs at least one period; got none")
    gathered = [engine.gather(p, tables=tables, values=values) for p in periods]
    sources = gathered[0][1]
    diagnostics = gathered[0][2]
    results = engine.score_stacked(
        [g[0] for g in gathered],
        periods,
        normalisation=normalisation,
        sources=sources,
        diagnostics=diagnostics,
    )
    return Panel(tuple(periods), tuple(results))
