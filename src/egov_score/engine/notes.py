"""Diagnostics about units: one per period, naming the units concerned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from egov_score.engine.stack import Stack
from egov_score.exceptions import PluginOutputError
from egov_score.model.result import Diagnostic, UnitCodes

__all__ = ["Notes"]

#: How many unit codes a diagnostic message names before it says "and N more".
_NAMED_UNITS = 10


def _name_units(codes: UnitCodes) -> str:
    shown = ", ".join(repr(c) for c in codes.first(_NAMED_UNITS))
    more = len(codes) - _NAMED_UNITS
    return shown + (f" and {more} more" if more > 0 else "")


class Notes:
    """Writes diagnostics about the units of a run's levels.

    Args:
        level_names: the level names, top first.
        level_codes: the unit codes of every level, top first.
        stack: the run's row layout.
    """

    def __init__(
        self, level_names: Sequence[str], level_codes: Sequence[np.ndarray[Any, Any]], stack: Stack
    ) -> None:
        self.level_names = tuple(level_names)
        self.level_codes = tuple(level_codes)
        self.stack = stack

    def add(
        self,
        into: list[Diagnostic],
        kind: str,
        depth: int,
        code: str,
        where: np.ndarray[Any, Any],
        what: str,
    ) -> None:
        """One diagnostic per period for the units of level ``depth`` where the mask ``where``
        holds, or at the ascending stacked row indices ``where``, appended ``into`` a list.

        ``what`` is the message, with ``{n}`` and ``{units}`` for the number and the codes of
        the units. Work that may run on another thread writes into a list of its own, which
        is put in the framework's order afterwards (so a threaded run lists its diagnostics
        as a serial one does).
        """
        rows = np.flatnonzero(where) if where.dtype == np.bool_ else where
        for p, at in self.stack.rows_by_period(depth, rows).items():
            units = UnitCodes(self.level_codes[depth], at)  # the strings made when read
            into.append(
                Diagnostic(
                    kind=kind,
                    level=self.level_names[depth],
                    code=code,
                    units=units,
                    message=what.format(n=len(units), units=_name_units(units)),
                    period=self.stack.periods[p],
                )
            )

    def plugin_output_error(
        self, exc: PluginOutputError, depth: int, context: str
    ) -> PluginOutputError:
        """``exc`` (rows of a plugin method's input on level ``depth``) with its rows named as
        units and periods, and ``context`` (the indicator or group) added."""
        n = self.stack.sizes[depth]
        codes = self.level_codes[depth]
        got = ", ".join(
            f"{v!r} for unit {str(codes[r % n])!r} in period {self.stack.periods[r // n]!r}"
            for r, v in zip(exc.rows, exc.values, strict=True)
        )
        more = f" ({exc.total} in all)" if exc.total > len(exc.rows) else ""
        out = PluginOutputError(exc.where, exc.rule, exc.rows, exc.values, exc.total)
        out.args = (
            f"{exc.where}, {context} on level {self.level_names[depth]!r}: {exc.rule}; "
            f"got {got}{more}",
        )
        return out
