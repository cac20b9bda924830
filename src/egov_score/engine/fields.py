"""Step 1, roll up: every field on its own level and on every level above it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from egov_score._arrays import FloatArray, IntArray, StrArray, readonly
from egov_score.engine.stack import Stack
from egov_score.exceptions import ValuesError
from egov_score.kernels.grouped import Grouping
from egov_score.kernels.rollup import Partials, combine, finish, partials
from egov_score.model.framework import Framework
from egov_score.model.result import Diagnostic
from egov_score.model.values import LevelValues

__all__ = ["FieldColumns", "stack_inputs"]


def stack_inputs(
    framework: Framework, periods_values: Sequence[Sequence[LevelValues]], stack: Stack
) -> tuple[dict[str, FloatArray], list[Diagnostic]]:
    """Every field's input column on its own level, periods stacked, and a ``missing_field``
    diagnostic for every period without one (its rows are then missing)."""
    inputs: dict[str, FloatArray] = {}
    diagnostics: list[Diagnostic] = []
    for code, field in framework.fields.items():
        d = framework.levels.index(field.level)
        cols = [pv[d].get(code) for pv in periods_values]
        for period, col in zip(stack.periods, cols, strict=True):
            if col is None:
                diagnostics.append(
                    Diagnostic(
                        kind="missing_field",
                        level=field.level,
                        code=code,
                        units=(),
                        message=f"field {code!r} has no values for period {period!r}",
                        period=period,
                    )
                )
        present = [np.full(stack.sizes[d], np.nan) if c is None else c for c in cols]
        # One period scores its input columns as they are: no copy.
        inputs[code] = present[0] if stack.n_periods == 1 else np.concatenate(present)
    return inputs, diagnostics


class FieldColumns:
    """The fields of a run on every level, rolled up when first read and then kept.

    A level result's fields read from this object, so it holds only what roll-ups need: the
    stacked input columns, the parent links, and its caches.

    Args:
        framework: the fields' definitions and the level names.
        inputs: every field's stacked input column on its own level (:func:`stack_inputs`).
        parents: every level's parent index per unit, top first.
        stack: the run's row layout.
        codes: every level's unit codes, top first, to name units in errors.
    """

    def __init__(
        self,
        framework: Framework,
        inputs: dict[str, FloatArray],
        parents: Sequence[IntArray],
        stack: Stack,
        codes: Sequence[StrArray] = (),
    ) -> None:
        self.framework = framework
        self.codes = tuple(codes)
        self.inputs = inputs
        self.parents = tuple(parents)
        self.stack = stack
        self._fields: dict[tuple[str, int], FloatArray] = {}
        self._partials: dict[tuple[str, tuple[str, str] | None, int], Partials] = {}
        self._groupings: dict[int, Grouping] = {}
        self._zero_rows: dict[tuple[str, int], IntArray] = {}
        self._uncounted: dict[tuple[str, str, int], FloatArray] = {}
        self._counted: dict[tuple[str, str], np.ndarray[Any, np.dtype[np.bool_]]] = {}
        self._baseless: dict[tuple[str, str], bool] = {}

    def own_depth(self, code: str) -> int:
        """The depth of the level field ``code`` is reported on."""
        return self.framework.levels.index(self.framework.fields[code].level)

    def field(self, code: str, depth: int) -> FloatArray:
        """Field ``code`` on level ``depth``, read-only: the input column itself on its own
        level (a read-only view: the caller's array is neither copied nor locked), else its
        roll-up."""
        key = (code, depth)
        if key not in self._fields:
            self._fields[key] = readonly(self.roll(code, depth).view())
        return self._fields[key]

    def zero_rows(self, code: str, depth: int) -> IntArray:
        """The rows where field ``code`` is 0 on level ``depth`` (shared by every ratio that
        divides by it)."""
        key = (code, depth)
        if key not in self._zero_rows:
            self._zero_rows[key] = np.flatnonzero(self.field(code, depth) == 0)
        return self._zero_rows[key]

    def roll(self, code: str, depth: int, ratio: tuple[str, str] | None = None) -> FloatArray:
        """Field ``code`` on level ``depth``, not kept; with ``ratio`` (its numerator and
        denominator fields, ``code`` one of them), only the units that count in the ratio
        (:meth:`counted`) are summed: a pairwise-complete ratio."""
        field = self.framework.fields[code]
        if depth == self.own_depth(code):  # a unit's own value, not a roll-up
            col = self.inputs[code]
            return col if ratio is None else np.where(self.counted(*ratio), col, np.nan)
        return finish(self._partials_of(code, depth, ratio), field.rollup)

    def counted(self, numerator: str, denominator: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """The units (on the fields' own level) that count in the sums of a ratio: they
        reported both fields, and not a numerator > 0 over a denominator of 0 (a rate with
        no base, which would otherwise lift its parent's rate: 3 of 1 installed). Made once
        per ratio, for both of its sums."""
        key = (numerator, denominator)
        if key not in self._counted:
            num, den = self.inputs[numerator], self.inputs[denominator]
            keep: np.ndarray[Any, np.dtype[np.bool_]] = ~np.isnan(num)
            keep &= ~np.isnan(den)
            baseless = den == 0
            baseless &= num > 0
            self._baseless[key] = bool(baseless.any())
            if self._baseless[key]:
                keep &= ~baseless
                self._uncounted[(numerator, denominator, self.own_depth(numerator))] = (
                    baseless.astype(np.float64)
                )
            self._counted[key] = readonly(keep)
        return self._counted[key]

    def uncounted_below(self, numerator: str, denominator: str, depth: int) -> FloatArray | None:
        """Per unit of level ``depth`` (above the fields' own level), how many units below it
        reported a numerator > 0 over a denominator of 0 and were left out of its ratio;
        None when no unit did."""
        self.counted(numerator, denominator)
        if not self._baseless[(numerator, denominator)]:
            return None
        key = (numerator, denominator, depth)
        if key not in self._uncounted:  # climbing one level at a time, each level's kept
            below = self.uncounted_below(numerator, denominator, depth + 1)
            labels = self.stack.labels(depth + 1, self.parents[depth + 1], self.stack.sizes[depth])
            self._uncounted[key] = readonly(
                np.bincount(labels, weights=below, minlength=self.stack.rows(depth)).astype(
                    np.float64
                )
            )
        return self._uncounted[key]

    def _partials_of(self, code: str, depth: int, ratio: tuple[str, str] | None) -> Partials:
        """Roll-up partials of field ``code`` on level ``depth``, climbing one level at a time
        from the field's own level; ``ratio`` masks the units that do not count in it."""
        key = (code, ratio, depth)
        if key not in self._partials:
            field = self.framework.fields[code]
            if depth == self.own_depth(code):
                # Not kept: the own level's partials are as long as the input and are only
                # needed once, to climb to the level above.
                col = self.inputs[code]
                present = ~np.isnan(col)
                if ratio is not None:
                    present &= self.counted(*ratio)
                weights = None if field.weight is None else self.inputs[field.weight]
                with np.errstate(over="ignore"):  # w * x overflowing is checked one level up
                    return partials(col, field.rollup, weights, present)
            below = self._partials_of(code, depth + 1, ratio)
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is checked below
                parts = combine(
                    below, self._children_of(depth), self.stack.rows(depth), field.rollup
                )
            if field.rollup not in ("min", "max"):  # sums can overflow; extremes cannot
                self._check_finite(code, depth, parts)
            self._partials[key] = parts
        return self._partials[key]

    def _check_finite(self, code: str, depth: int, parts: Partials) -> None:
        """Raise :class:`ValuesError` naming the units of level ``depth`` whose roll-up of
        field ``code`` overflowed: values too large to add up in a float64 (two 1e308s)."""
        finite = np.isfinite(parts[0]) & np.isfinite(parts[1])
        if not finite.all():
            rule = self.framework.fields[code].rollup
            what = f"field {code!r} must roll up ({rule}) to a finite number"
            raise self.overflow(what, depth, np.flatnonzero(~finite))

    def overflow(self, what: str, depth: int, rows: IntArray) -> ValuesError:
        """The error for stacked ``rows`` of level ``depth`` whose ``what`` overflowed a
        float64, naming the units (at most 10 a period) and periods."""
        level = self.framework.levels[depth]
        codes = self.codes[depth] if self.codes else np.arange(self.stack.sizes[depth])
        named = []
        for p, units in self.stack.by_period(depth, codes, rows).items():
            shown = ", ".join(repr(str(u)) for u in units[:10])
            more = f" and {len(units) - 10} more" if len(units) > 10 else ""
            named.append(f"{shown}{more} (period {self.stack.periods[p]!r})")
        return ValuesError(
            f"{what} on every {level!r}; got an overflow for {level} {'; '.join(named)}: "
            f"the values are too large to add up in a 64-bit float (largest about 1.797e308)"
        )

    def _children_of(self, depth: int) -> Grouping:
        """The units of level ``depth + 1`` grouped by their parent on ``depth``, prepared once."""
        if depth not in self._groupings:
            n = self.stack.sizes[depth]
            labels = self.stack.labels(depth + 1, self.parents[depth + 1], n)
            self._groupings[depth] = Grouping(labels, self.stack.rows(depth))
        return self._groupings[depth]
