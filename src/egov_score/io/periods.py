"""Periods: the month a row reports, read in the forms clerks write it and normalised to
``YYYY-MM``.

Accepted (case and surrounding spaces do not matter):

- ``YYYY-MM`` and ``YYYY-M``: ``2021-01``, ``2021-1``;
- an ISO date, any day of the month, with or without a time: ``2021-01-15``,
  ``2021-01-15 00:00:00`` (how an Excel date cell or a pandas export reads);
- an English month name or its three-letter abbreviation (``Sept`` too) and a year, joined by a
  hyphen, a space or nothing: ``Jan-2021``, ``January 2021``, ``jan 2021``, ``Jan-21``. A
  two-digit year is 20YY (``Sep-20`` is September 2020).

Anything else — ``2021-13``, ``2021-02-30``, ``21-01``, ``Q1 2021``, an empty cell where a period
column exists — is an error naming the file, row, column and value. Normalised periods sort
chronologically as strings (four-digit years), so "the latest month" is simply the largest.

Distinct values are parsed once (a table holds few months and many rows): the rows are cut
into runs of equal cells, and only the distinct run heads are parsed.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import numpy.typing as npt

from egov_score._arrays import LazyColumns, StrArray
from egov_score.exceptions import InputError
from egov_score.io.table import Table, format_problems

__all__ = [
    "ACCEPTED",
    "as_period",
    "month_label",
    "normalise_period_column",
    "parse_period",
    "parse_periods",
    "require_period",
    "require_periods",
]

#: A mask with one bool per row.
BoolMask = npt.NDArray[np.bool_]

#: The accepted forms, for messages.
ACCEPTED = (
    "a month as YYYY-MM (2021-01, 2021-1), an ISO date (2021-01-15), an Excel date cell, or "
    "an English month and year (Jan-2021, Jan-21, January 2021; two-digit years are 20YY)"
)

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
# Cells are matched lower-cased, so the ISO time separator is ``t``; a UTC offset is allowed
# and ignored (the month is the one written). ASCII digits only: ``２０２１-０１`` is refused.
_NUMERIC = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})"
    r"(?:-(?P<day>\d{1,2})"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?)?)?",
    re.ASCII,
)
_NAMED = re.compile(r"(?P<name>[a-z]+)[-\s]?(?P<year>\d{4}|\d{2})", re.ASCII)


def parse_period(text: str) -> str | None:
    """One period as ``YYYY-MM``, or None if it is not in an accepted form (see the module)."""
    cell = text.strip().lower()
    numeric = _NUMERIC.fullmatch(cell)
    if numeric is not None:
        year, month = int(numeric["year"]), int(numeric["month"])
        if not 1 <= month <= 12 or year < 1000:
            return None
        if numeric["day"] is not None:
            try:
                datetime.date(year, month, int(numeric["day"]))
            except ValueError:
                return None
        return f"{year:04d}-{month:02d}"
    named = _NAMED.fullmatch(cell)
    if named is None or named["name"] not in _MONTHS:
        return None
    year = int(named["year"]) + (2000 if len(named["year"]) == 2 else 0)
    return f"{year:04d}-{_MONTHS[named['name']]:02d}"


def parse_periods(cells: StrArray) -> tuple[StrArray, BoolMask]:
    """Every cell as ``YYYY-MM``, each distinct value parsed once.

    Returns:
        the normalised cells (a cell that does not parse is kept as it is) and the mask of the
        cells that do not parse.
    """
    n = len(cells)
    if n == 0:
        return cells, np.zeros(0, dtype=bool)
    # Rows come grouped by month: parse the heads of runs of equal cells, not every row.
    starts = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
    heads, head_of_run = np.unique(cells[starts], return_inverse=True)
    parsed = [parse_period(str(h)) for h in heads.tolist()]
    good = np.array([p is not None for p in parsed], dtype=bool)
    if good.all() and all(p == h for p, h in zip(parsed, heads.tolist(), strict=True)):
        return cells, np.zeros(n, dtype=bool)  # already normalised: no copy
    out_heads = np.array(
        [h if p is None else p for p, h in zip(parsed, heads.tolist(), strict=True)]
    )
    run_lengths = np.diff(np.append(starts, n))
    per_row = np.repeat(head_of_run.reshape(-1), run_lengths)
    return out_heads[per_row].astype(np.str_), ~good[per_row]


def normalise_period_column(table: Table, column: str = "period") -> tuple[Table, BoolMask]:
    """``table`` with its period column normalised to ``YYYY-MM``, and the mask of the rows
    whose period is not in an accepted form (their cells are left as written).

    A table without the column is returned as it is.
    """
    if column not in table.columns:
        return table, np.zeros(table.n_rows, dtype=bool)
    cells = table.columns[column]
    normal, bad = parse_periods(cells)
    if normal is cells:
        return table, bad
    # Only the period column is new: the others are built when read, as they would have been.
    source = table.columns
    columns = LazyColumns(table.header, lambda name: source[name], {column: normal})
    out = Table(table.source, table.header, columns, table.rows)
    out._parsed.update(table._parsed)  # numbers already parsed stay parsed
    return out, bad


def _rule(column: str) -> str:
    return f"column {column!r} must hold {ACCEPTED}"


def require_periods(table: Table, column: str = "period") -> Table:
    """``table`` with its period column normalised (see :func:`normalise_period_column`).

    Raises:
        InputError: a period is not in an accepted form; every such cell is listed with its
            file, row, column and value.
    """
    out, bad = normalise_period_column(table, column)
    if bad.any():
        cells = table.columns[column]
        problems = [
            f"row {table.rows[i]}, column {column!r}: got {str(cells[i])!r}"
            for i in np.flatnonzero(bad)
        ]
        raise InputError(format_problems(problems, f"{table.source}: {_rule(column)}"))
    return out


def require_period(value: str, *, what: str = "period") -> str:
    """``value`` as ``YYYY-MM``.

    Args:
        value: the period as given (an argument such as ``--month``).
        what: the name of the argument, for the message.

    Raises:
        InputError: ``value`` is not in an accepted form.
    """
    parsed = parse_period(value)
    if parsed is None:
        raise InputError(f"{what} must be {ACCEPTED}; got {value!r}")
    return parsed


def as_period(value: str) -> str:
    """``value`` as ``YYYY-MM`` if it is in an accepted form, else unchanged (a label such as
    ``"P1"`` given through the Python API, which is then looked up as it is)."""
    parsed = parse_period(value)
    return value if parsed is None else parsed


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_label(period: str) -> str:
    """``"2021-01"`` -> ``"January 2021"`` in English, for notes; other periods unchanged.

    (Cards word months in their own language through the render layer's catalogues.)
    """
    parsed = parse_period(period)
    if parsed is None or parsed != period:
        return period
    return f"{_MONTH_NAMES[int(period[5:]) - 1]} {period[:4]}"
