"""Plausibility: the kinds of value a field or raw column may declare, and their vectorised checks.

One vocabulary serves framework fields (``[[field]] kind = "count"``) and the schemes' raw table
columns (``Column(kind="count")``): a ``kind`` (``flag``, ``count``, ``amount``, ``percent`` or
``real``), optional ``min``/``max`` bounds, and a bounded ratio (a numerator may not exceed its
denominator). :func:`violations` finds every cell that breaks a declaration at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray
from egov_score.exceptions import InputError

__all__ = [
    "KIND_RULES",
    "VALUE_KINDS",
    "Problem",
    "bounds_rule",
    "bounds_text",
    "exceeds",
    "exceeds_rule",
    "is_finite_number",
    "kind_rule",
    "plausible_text",
    "row_positions",
    "violations",
]

#: The kinds of value a field or numeric raw column may declare (``real`` is the default).
VALUE_KINDS = ("real", "flag", "count", "amount", "percent")

#: What a cell of each kind must be, as error messages say it.
KIND_RULES = {
    "real": "must be a finite number",
    "flag": "must be a flag (0 or 1)",
    "count": "must be a whole number >= 0",
    "amount": "must be an amount >= 0",
    "percent": "a percentage must lie in [0, 100]",
}

BoolArray = npt.NDArray[np.bool_]


def is_finite_number(value: object) -> bool:
    """Whether ``value`` is an int or float (not a bool) with a finite float value; an int too
    large for a float (``10**400``) is not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def kind_rule(kind: object, who: str) -> str | None:
    """A message if ``kind`` (of ``who``) is not one of :data:`VALUE_KINDS`, else None."""
    if not isinstance(kind, str) or kind not in VALUE_KINDS:
        return f"kind must be one of {list(VALUE_KINDS)!r}; got {kind!r} for {who}"
    return None


def bounds_rule(low: object, high: object, who: str) -> str | None:
    """A message if ``min``/``max`` (of ``who``) are not finite numbers or None, or
    ``min > max``; else None."""
    for key, value in (("min", low), ("max", high)):
        if value is None:
            continue
        if not is_finite_number(value):
            return f"{key} must be a finite number; got {value!r} for {who}"
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        return f"min must not exceed max; got min={low!r}, max={high!r} for {who}"
    return None


def violations(
    values: FloatArray, kind: str, low: float | None = None, high: float | None = None
) -> list[tuple[BoolArray, str]]:
    """The cells of ``values`` that break a declaration, one mask per rule broken.

    Missing cells (NaN) break nothing. A cell that breaks its kind is not reported again
    for ``min``/``max``, so each bad cell appears once.

    Args:
        values: the column, float64 (NaN = missing).
        kind: one of :data:`VALUE_KINDS`.
        low: the declared ``min``, if any.
        high: the declared ``max``, if any.

    Returns:
        (mask, rule) pairs with at least one cell set, the rule worded as in
        :data:`KIND_RULES` (``must be >= 0.5``, ``must be <= 12`` for the bounds).
    """
    out: list[tuple[BoolArray, str]] = []
    with np.errstate(invalid="ignore"):
        if kind == "flag":
            wrong = ~np.isnan(values) & (values != 0.0) & (values != 1.0)
        elif kind == "count":
            wrong = (values < 0) | (values != np.floor(values))
        elif kind == "amount":
            wrong = values < 0
        elif kind == "percent":
            wrong = (values < 0) | (values > 100)
        else:
            wrong = np.zeros(len(values), dtype=bool)
        wrong &= np.isfinite(values)
        if wrong.any():
            out.append((wrong, KIND_RULES[kind]))
        for bound, sign in ((low, ">="), (high, "<=")):
            if bound is None:
                continue
            mask = (values < bound if sign == ">=" else values > bound) & ~wrong
            if mask.any():
                out.append((mask, f"must be {sign} {bound:g}"))
    return out


def row_positions(rows: npt.NDArray[np.intp], wanted: Sequence[int]) -> npt.NDArray[np.intp]:
    """The positions in ``rows`` (a table's file row numbers) of the file rows ``wanted``."""
    order = np.argsort(rows, kind="stable")
    return np.asarray(order[np.searchsorted(rows, np.asarray(wanted, dtype=np.intp), sorter=order)])


def exceeds(numerator: FloatArray, denominator: FloatArray) -> BoolArray:
    """Where a numerator exceeds its denominator, both measured (a bounded ratio broken)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(numerator > denominator, dtype=bool)


def exceeds_rule(denominator: str, value: str) -> str:
    """The rule a bounded numerator breaks: ``must not exceed 'installed' (3)``."""
    return f"must not exceed {denominator!r} ({value})"


def plausible_text(kind: str, low: float | None = None, high: float | None = None) -> str:
    """The declaration in words, for docs: ``whole number ≥ 0, ≤ 12``."""
    words = {
        "real": "finite number",
        "flag": "0 or 1",
        "count": "whole number ≥ 0",
        "amount": "number ≥ 0",
        "percent": "0–100",
    }[kind]
    return words + bounds_text(low, high)


def bounds_text(low: float | None, high: float | None) -> str:
    """Declared bounds in words, for docs: ``, ≥ 1, ≤ 12`` (empty without bounds)."""
    return ("" if low is None else f", ≥ {low:g}") + ("" if high is None else f", ≤ {high:g}")


@attrs.frozen(kw_only=True)
class Problem:
    """One cell (or column) of an input table that breaks a rule; with ``drop_bad_rows`` the
    record of a rejected cell.

    Attributes:
        source: the file.
        row: the file row (header = 1), or 0 for the whole column.
        column: the column.
        value: the cell as written.
        rule: what must hold.
    """

    source: str
    row: int
    column: str
    value: str
    rule: str

    def __attrs_post_init__(self) -> None:
        if isinstance(self.row, bool) or not isinstance(self.row, int) or self.row < 0:
            raise InputError(
                f"row must be a whole number >= 0 (0 = the whole column); got {self.row!r} for "
                f"a problem in column {self.column!r} of {self.source!r}"
            )

    def __str__(self) -> str:
        where = f"{self.source}, row {self.row}" if self.row else self.source
        got = f"; got {self.value!r}" if self.row or self.value else ""  # a missing column: none
        return f"{where}, column {self.column!r}: {self.rule}{got}"
