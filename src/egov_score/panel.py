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

    def window(self, period: str, months: int) -> tuple[Result, ...]:
        """Up to ``months`` results ending at ``period``, oldest first."""
        i = self.periods.index(self.result(period).period)
        return self.results[max(0, i - months + 1) : i + 1]


def score_panel(
    engine: Engine,
    periods: Sequence[str] | None = None,
    *,
    tables: CheckedTables | Mapping[str, Mapping[str, Table]] | None = None,
    values: Values | None = None,
    drop_bad_rows: bool = False,
) -> Panel:
    """Score every period of ``tables`` and/or ``values`` (or the ``periods`` given).

    Raw tables are checked once; each period is then loaded and scored with normalisation
    among that period's units.

    Raises:
        InputError: no data, or a table failed its checks.
    """
    if tables is not None and not isinstance(tables, CheckedTables):
        if engine.registry is None:
            raise InputError("scoring scheme tables needs an engine built with a registry")
        tables = engine.registry.check_tables(tables, engine.hierarchy, drop_bad_rows=drop_bad_rows)
    if periods is None:
        found = set(values.period_list) if values is not None else set()
        if tables is not None:
            found |= set(tables.periods())
        periods = sorted(found)
    if not periods:
        raise InputError("a panel needs at least one period; got none")
    results = []
    for period in periods:
        if tables is not None:
            results.append(engine.score_tables(tables, period, values=values))
        elif values is not None:
            results.append(engine.score(values, period))
        else:
            raise InputError("a panel needs tables, values or both; got neither")
    return Panel(tuple(periods), tuple(results))
