"""The one cell grammar every reader path follows: what a number is, what missing is.

Every way a table is read — the careful reader, numpy's and polars' fast paths, an Excel
workbook — gives the same values for the same cells, or the same error, because each follows
the rules written here:

* **missing**: a cell that is empty once surrounding whitespace is stripped;
* **a number**: a cell that Python's :class:`float` reads (surrounding whitespace, a sign, a
  decimal point, an exponent, ``_`` between digits) to a *finite* value;
* **an error**: anything else, including ``inf``, ``nan`` and ``infinity`` spelled out and
  numbers too large for a 64-bit float (``1e400``), named with the file, row, column and value.

The fast paths take only cells of :data:`PLAIN_NUMBER` (a strict subset of the numbers) and
check that what they parsed is finite; any other cell sends the column to the careful path,
which applies the rules above and words the error.
"""

from __future__ import annotations

import math

__all__ = ["PLAIN_NUMBER", "cell_problem", "is_missing", "is_number"]

#: A number every reader parses alike without a second look: ASCII digits, an optional sign,
#: decimal point and exponent, surrounding whitespace. Other spellings Python's ``float`` takes
#: (``1_000``, other scripts' digits) are left to the careful path.
PLAIN_NUMBER = r"^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$"

#: The largest finite float64, quoted in messages about overflow.
_MAX = "1.797e308"


def is_missing(cell: str) -> bool:
    """Whether ``cell`` is missing: empty once whitespace is stripped."""
    return not cell.strip()


def is_number(cell: str) -> bool:
    """Whether ``cell`` is a number: read by ``float`` to a finite value."""
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def cell_problem(cell: str) -> str:
    """Why ``cell`` is neither a number nor missing, as "what must hold; got what"."""
    got = f"expected a finite number; got {cell!r}"
    try:
        value = float(cell)
    except ValueError:
        return got
    if math.isnan(value):
        return f"{got} (nan is not a number here: leave the cell empty for a missing value)"
    spelled = cell.strip().lstrip("+-").replace("_", "").lower()
    if spelled in ("inf", "infinity"):
        return f"{got} (infinity is not a number here)"
    return f"{got}, too large for a 64-bit float (largest about {_MAX})"
