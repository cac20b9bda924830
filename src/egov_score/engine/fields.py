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
        # One period scores its input columns as they are: no copy; nor do periods whose
        # columns lie one after the other in one array (a panel's months in one column).
        joined = present[0] if stack.n_periods == 1 else _adjoining(present)
        inputs[code] = np.concatenate(present) if joined is None else joined
    return inputs, diagnostics


def _adjoining(columns: Sequence[FloatArray]) -> FloatArray | None:
    """The one float64 array made of ``columns`` where they are contiguous slices of one
    array's memory, end to end in order, as a read-only view; None otherwise (they are
    then copied)."""
    first = columns[0]
    base = first.base
    if base is None:
        return None
    address = first.__array_interface__["data"][0]
    for col in columns:
        if (
            col.base is not base
            or col.dtype != np.float64
            or not col.flags.c_contiguous
            or col.__array_interface__["data"][0] != address
        ):
            return None
        address += col.nbytes
    # Every byte of the view lies in one of the columns: they tile it end to end.
    total = sum(len(c) for c in columns)
    joined: FloatArray = np.lib.stride_tricks.as_strided(
        first, shape=(total,), strides=(first.itemsize,), writeable=False
    )
    return joined


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
        self._period_groupings: dict[int, Grouping] = {}
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
        """Roll-up partials of field ``code`` on level ``depth`` (above the field's own
        level), climbing one level at a time from the field's own level; ``ratio`` masks the
        units that do not count in it."""
        key = (code, ratio, depth)
        if key not in self._partials:
            rule = self.framework.fields[code].rollup
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is checked below
                if depth + 1 == self.own_depth(code):
                    parts = self._from_own_level(code, depth, ratio)
                else:
                    below = self._partials_of(code, depth + 1, ratio)
                    parts = combine(below, self._children_of(depth), self.stack.rows(depth), rule)
            if rule not in ("min", "max"):  # sums can overflow; extremes cannot
                self._check_finite(code, depth, parts)
            self._partials[key] = parts
        return self._partials[key]

    def _from_own_level(self, code: str, depth: int, ratio: tuple[str, str] | None) -> Partials:
        """The partials of field ``code`` on level ``depth``, the level just above its own,
        from its own level's values, one period at a time.

        The own level's partials are as long as its rows and needed only to climb once, so
        they are made for one period's rows at a time (temporaries a period long, reused
        from one period to the next) and each period's units are summed into its parents,
        in the same order as over the whole stack: the same sums.
        """
        field = self.framework.fields[code]
        own = depth + 1
        grouping = self._children_in_period(depth)
        inputs = self.inputs
        counted = None if ratio is None else self.counted(*ratio)

        def one(rows: slice) -> Partials:
            col = inputs[code][rows]
            present = ~np.isnan(col)
            if counted is not None:
                present &= counted[rows]
            weights = None if field.weight is None else inputs[field.weight][rows]
            parts = partials(col, field.rollup, weights, present)
            return combine(parts, grouping, self.stack.sizes[depth], field.rollup)

        if self.stack.n_periods == 1:
            return one(slice(None))
        n = self.stack.sizes[own]
        pieces = [one(slice(p * n, (p + 1) * n)) for p in range(self.stack.n_periods)]
        return tuple(np.concatenate(column) for column in zip(*pieces, strict=True))

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

    def _children_in_period(self, depth: int) -> Grouping:
        """One period's units of level ``depth + 1`` grouped by their parent on ``depth``."""
        if depth not in self._period_groupings:
            grouping = Grouping(self.parents[depth + 1], self.stack.sizes[depth])
            self._period_groupings[depth] = grouping
        return self._period_groupings[depth]

    def _children_of(self, depth: int) -> Grouping:
        """The units of level ``depth + 1`` grouped by their parent on ``depth``, prepared once."""
        if depth not in self._groupings:
            n = self.stack.sizes[depth]
            labels = self.stack.labels(depth + 1, self.parents[depth + 1], n)
            self._groupings[depth] = Grouping(labels, self.stack.rows(depth))
        return self._groupings[depth]
