"""Measured values: one row per unit and period, one column per field.

:class:`Values` keeps the rows as columns (struct of arrays): the period, the unit's level and
index in the hierarchy, and a float64 column per field (NaN = missing). :meth:`Values.at` spreads
one period onto the levels of the hierarchy for scoring.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq
from egov_score.exceptions import InputError, ValuesError
from egov_score.io.frames import frame_table
from egov_score.io.parquet import PARQUET_SUFFIXES, read_parquet
from egov_score.io.periods import ACCEPTED, as_period, normalise_period_column
from egov_score.io.table import Table, format_problems
from egov_score.io.toml import did_you_mean
from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import (
    Problem,
    exceeds,
    exceeds_rule,
    row_positions,
    violations,
)

__all__ = ["LevelValues", "Values"]

#: Field columns of one level: field code -> float64 array over the level's units.
LevelValues = dict[str, FloatArray]


@attrs.frozen
class Values:
    """Measured field values for units and periods, validated against a hierarchy and framework.

    Attributes:
        source: where the values came from, for messages.
        periods: the period of every row.
        depth: the level (0 = top) of every row's unit.
        index: every row's unit index within its level.
        columns: field code -> float64 column over the rows (NaN = missing).
        level_sizes: the number of units on every level, top first.
        field_levels: field code -> the depth of the level it is measured on.
        rejected: the implausible cells set aside (``drop_bad_cells``), now missing.
    """

    source: str
    periods: StrArray = attrs.field(eq=array_eq)
    depth: IntArray = attrs.field(eq=array_eq)
    index: IntArray = attrs.field(eq=array_eq)
    columns: Mapping[str, FloatArray] = attrs.field(eq=False)
    level_sizes: tuple[int, ...]
    field_levels: Mapping[str, int]
    rejected: tuple[Problem, ...] = attrs.field(default=(), eq=False)
    # The rows and units of each (period, level), found once: values are immutable.
    _picks: dict[tuple[str, int], tuple[IntArray, IntArray, bool]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        n = len(self.periods)
        for key, column in (("depth", self.depth), ("index", self.index), *self.columns.items()):
            if np.shape(column) != (n,):
                raise ValuesError(
                    f"{key} must hold one value per row ({n}, as periods); got shape "
                    f"{np.shape(column)!r} for {self.source!r}"
                )
        for code in self.columns:
            level = self.field_levels.get(code)
            if level is None or not 0 <= level < len(self.level_sizes):
                raise ValuesError(
                    f"field_levels must give every column a level depth in "
                    f"[0, {len(self.level_sizes)}); got {level!r} for field {code!r} of "
                    f"{self.source!r}"
                )

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str],
        hierarchy: Hierarchy,
        framework: Framework,
        *,
        drop_bad_cells: bool = False,
        parsed: Table | None = None,
    ) -> Values:
        """Read a values CSV ``code,period,<field>,...`` (an empty cell is missing); an
        ``.xlsx`` workbook works too (the ``excel`` extra), and a ``.parquet`` file
        (:meth:`from_parquet`).

        Cells are checked against their fields' declared ``kind``, ``min`` and ``max`` and
        the bounded ratios of the framework; with ``drop_bad_cells`` such a cell becomes
        missing and is listed in :attr:`rejected` instead (other problems still refuse).

        ``parsed`` is the CSV as :meth:`parse_csv` read it, for a caller that read the file
        while it read the hierarchy (as ``egov-score score`` does, in another thread); the
        result is the same as without it.

        Raises:
            ValuesError: an unknown column, unit code, period duplicate, a cell that is not a
                number, or a value for a field of another level; every problem is listed with
                its file, row, column and value.
        """
        if Path(path).suffix.lower() in PARQUET_SUFFIXES:
            return cls.from_parquet(path, hierarchy, framework, drop_bad_cells=drop_bad_cells)
        if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            return cls.from_table(
                Table.read(path), hierarchy, framework, drop_bad_cells=drop_bad_cells
            )
        try:
            fast = cls.from_table(
                parsed if parsed is not None else cls.parse_csv(path, framework),
                hierarchy,
                framework,
                drop_bad_cells=drop_bad_cells,
            )
        except ValuesError:
            fast = None
        if fast is not None and not fast.rejected:
            return fast
        # Read again cell by cell, so messages and rejects quote every value as written.
        return cls.from_table(
            Table.from_csv(path), hierarchy, framework, drop_bad_cells=drop_bad_cells
        )

    @staticmethod
    def parse_csv(path: str | os.PathLike[str], framework: Framework) -> Table:
        """The first step of :meth:`from_csv` for a CSV file, which needs no hierarchy: the
        file read into a table, the framework's fields as numbers where every cell is one
        (:meth:`~egov_score.io.table.Table.from_csv_numeric`).

        Raises:
            InputError: the file cannot be read, or is not a table (named with its row).
        """
        return Table.from_csv_numeric(path, numeric=framework.fields)

    @classmethod
    def from_parquet(
        cls,
        path: str | os.PathLike[str],
        hierarchy: Hierarchy,
        framework: Framework,
        *,
        drop_bad_cells: bool = False,
    ) -> Values:
        """Read values from a Parquet file with the columns of :meth:`from_csv`, through
        pyarrow or polars (the ``parquet`` extra); checked as :meth:`from_frame` checks a
        frame, rows named by their position counted from 0.

        Raises:
            InputError: the file is missing or not Parquet, or neither library is installed.
            ValuesError: as :meth:`from_csv`.
        """
        table = read_parquet(path, numeric=framework.fields)
        return cls.from_table(table, hierarchy, framework, drop_bad_cells=drop_bad_cells)

    @classmethod
    def from_frame(
        cls,
        frame: object,
        hierarchy: Hierarchy,
        framework: Framework,
        *,
        source: str | None = None,
        drop_bad_cells: bool = False,
    ) -> Values:
        """Build values from a pandas DataFrame, a polars DataFrame or a pyarrow Table with the
        columns of :meth:`from_csv` (see :mod:`egov_score.io.frames`).

        Field columns of numbers are used as they are (a float64 column without nulls is not
        copied: do not change it while the values are in use); a null or NaN is missing, as
        an empty cell is; True and False are 1 and 0; a column of text is parsed as a CSV
        column is. ``code`` and ``period`` are text (a date column is a period). Everything
        is checked as :meth:`from_csv` checks a file, with the same messages, rows named by
        their position counted from 0.

        Args:
            frame: the values, one row per unit and period.
            hierarchy: the units.
            framework: the fields.
            source: the name messages give the frame (default ``<pandas DataFrame>`` etc.).
            drop_bad_cells: as in :meth:`from_csv`.

        Raises:
            InputError: ``frame`` is not a frame, or a column holds neither numbers nor text.
            ValuesError: as :meth:`from_csv`.
        """
        table = frame_table(frame, source=source, numeric=framework.fields)
        return cls.from_table(table, hierarchy, framework, drop_bad_cells=drop_bad_cells)

    @classmethod
    def from_columns(
        cls,
        data: Mapping[str, Sequence[object]],
        hierarchy: Hierarchy,
        framework: Framework,
        *,
        source: str = "<values>",
    ) -> Values:
        """Build values from a mapping ``{"code": [...], "period": [...], field: [...]}``.

        Numbers may be given as numbers or strings; None or NaN is missing. Periods in an
        accepted form (see :mod:`egov_score.io.periods`) are normalised to ``YYYY-MM``; other
        labels (``"P1"``) are kept as given, so a Python caller may name periods freely.
        """
        table = Table.from_mapping(data, source=source, numeric=framework.fields)
        return cls.from_table(table, hierarchy, framework, period_labels=True)

    @classmethod
    def from_table(
        cls,
        table: Table,
        hierarchy: Hierarchy,
        framework: Framework,
        *,
        drop_bad_cells: bool = False,
        period_labels: bool = False,
    ) -> Values:
        """Validate and convert a :class:`~egov_score.io.table.Table` (see :meth:`from_csv`).

        Periods are normalised to ``YYYY-MM`` (see :mod:`egov_score.io.periods`); one in no
        accepted form is an error, unless ``period_labels`` keeps it as a label.
        """
        try:
            table.require("code")
            table.require_rows("values table")
        except InputError as exc:
            raise ValuesError(str(exc)) from None
        table, bad_period = normalise_period_column(table)
        field_cols = [c for c in table.header if c not in ("code", "period")]
        unknown = [c for c in field_cols if c not in framework.fields]
        if unknown:
            raise ValuesError(
                f"{table.source}: every column must be 'code', 'period' or a declared field "
                f"{sorted(framework.fields)!r}; got unknown column(s) {unknown!r}"
                + did_you_mean(unknown[0], framework.fields)
            )
        codes = table.columns["code"]
        periods = table.columns.get("period", np.full(table.n_rows, "", dtype=np.str_))
        depth, index = hierarchy.locate(codes)
        problems: list[str] = []
        for i in () if period_labels else np.flatnonzero(bad_period):
            problems.append(
                f"row {table.rows[i]}, column 'period': period must be {ACCEPTED}; "
                f"got {str(periods[i])!r}"
            )
        for i in np.flatnonzero(depth < 0):
            problems.append(
                f"row {table.rows[i]}, column 'code': code must name a unit of the hierarchy; "
                f"got {str(codes[i])!r}"
            )
        # Duplicate (unit, period) rows: one integer key per row (codes are unique across the
        # hierarchy, so level and index name the unit); only when some key repeats are they
        # sorted, to name each repeat beside the row it repeats.
        known = np.flatnonzero(depth >= 0)
        row_keys = _row_keys(hierarchy, periods, depth, index)[known] if len(known) > 1 else None
        if row_keys is not None and _has_repeats(row_keys):
            by_key = np.argsort(row_keys, kind="stable")
            key_order, keys = known[by_key], row_keys[by_key]
            same = keys[1:] == keys[:-1]
            for a, b in zip(key_order[:-1][same], key_order[1:][same], strict=True):
                problems.append(
                    f"row {table.rows[b]}: one row per unit and period is allowed; got "
                    f"{str(codes[b])!r} for period {str(periods[b])!r} again (first at row "
                    f"{table.rows[a]})"
                )
        field_levels = {f: framework.levels.index(framework.fields[f].level) for f in field_cols}
        columns: dict[str, FloatArray] = {}
        for col in field_cols:
            try:
                columns[col] = table.floats(col)
            except InputError as exc:  # collect with the other problems
                problems.extend(str(exc).split("\n  ")[1:])
                continue
            wrong = (depth >= 0) & (depth != field_levels[col]) & ~np.isnan(columns[col])
            want = framework.fields[col].level
            for i in np.flatnonzero(wrong):
                problems.append(
                    f"row {table.rows[i]}, column {col!r}: field {col!r} is measured per "
                    f"{want!r}, so only {want!r} rows may fill it; "
                    f"got {str(table.columns[col][i])!r} "
                    f"for {framework.levels[depth[i]]!r} unit {str(codes[i])!r}"
                )
        implausible = _implausible(table, framework, columns)
        if not drop_bad_cells:
            problems += [
                f"row {p.row}, column {p.column!r}: {p.rule}; got {p.value!r}" for p in implausible
            ]
        elif implausible:
            for col in {p.column for p in implausible}:
                blank = row_positions(table.rows, [p.row for p in implausible if p.column == col])
                columns[col] = columns[col].copy()
                columns[col][blank] = np.nan
        if problems:
            raise ValuesError(format_problems(problems, f"{table.source}: values rejected"))
        return cls(
            source=table.source,
            periods=periods,
            depth=depth,
            index=index,
            columns=columns,
            level_sizes=tuple(len(lv) for lv in hierarchy.levels),
            field_levels=field_levels,
            rejected=tuple(implausible) if drop_bad_cells else (),
        )

    @functools.cached_property
    def period_list(self) -> tuple[str, ...]:
        """The distinct periods, sorted."""
        if len(self.periods) and (self.periods == self.periods[0]).all():
            return (str(self.periods[0]),)  # one period: no sort of a million strings
        return self._period_index[0]

    @functools.cached_property
    def _period_index(self) -> tuple[tuple[str, ...], npt.NDArray[np.int32]]:
        """The distinct periods, sorted, and every row's position among them; found from
        the runs of equal periods (a panel's rows come month by month), so only the runs'
        periods are sorted, not twelve million strings."""
        starts, names, run_of = self._period_runs
        lengths = np.diff(np.append(starts, len(self.periods)))
        return names, np.repeat(run_of.astype(np.int32), lengths)

    @functools.cached_property
    def _period_runs(self) -> tuple[IntArray, tuple[str, ...], IntArray]:
        """The first row of every run of equal periods, the distinct periods (sorted), and
        every run's position among them."""
        periods = self.periods
        if len(periods) == 0:
            return np.zeros(0, dtype=np.intp), (), np.zeros(0, dtype=np.intp)
        starts = np.flatnonzero(np.concatenate(([True], periods[1:] != periods[:-1])))
        names, run_of = np.unique(periods[starts], return_inverse=True)
        return starts, tuple(names.tolist()), run_of.astype(np.intp)

    def _period_span(self, at: int) -> slice:
        """The rows from the first to the last run of the period at position ``at`` (a
        panel's month: its own rows only), so that picking it reads no other rows."""
        starts, _, run_of = self._period_runs
        runs = np.flatnonzero(run_of == at)
        if not len(runs):
            return slice(0, 0)
        ends = np.append(starts[1:], len(self.periods))
        return slice(int(starts[runs[0]]), int(ends[runs[-1]]))

    def resolve_period(self, period: str | None) -> str:
        """The period to score: ``period`` if present, else the only one (``period`` may be
        in any accepted form, see :mod:`egov_score.io.periods`).

        Raises:
            ValuesError: ``period`` is absent from the values, or None while several exist.
        """
        periods = self.period_list
        if period is None:
            if len(periods) == 1:
                return periods[0]
            raise ValuesError(
                f"{self.source}: a period must be chosen when the values hold several; "
                f"got {list(periods)!r}"
            )
        period = as_period(period)
        if period not in periods:
            raise ValuesError(
                f"{self.source}: period must be one of {list(periods)!r}; got {period!r}"
            )
        return period

    def _pick(self, period: str, d: int) -> tuple[IntArray, IntArray, bool]:
        """The rows of ``period`` on level ``d``, their units, and whether they are the
        level's units in order, one each, in consecutive rows (so a column's slice can be
        used as it is: a panel's months stacked one after the other are not copied)."""
        key = (period, d)
        if key not in self._picks:
            if self.period_list == (period,):
                sel = np.flatnonzero(self.depth == d)
            else:
                names, position = self._period_index
                at = names.index(period) if period in names else -1
                span = self._period_span(at)
                on_level = self.depth[span] == d
                on_level &= position[span] == at
                sel = span.start + np.flatnonzero(on_level)
            idx = self.index[sel]
            n = self.level_sizes[d]
            whole = (
                len(sel) == n
                and (n == 0 or int(sel[-1]) - int(sel[0]) == n - 1)
                and bool((idx == np.arange(n)).all())
            )
            self._picks[key] = (sel, idx, whole)
        return self._picks[key]

    def at(self, period: str) -> list[LevelValues]:
        """Field columns of every level for one period (any accepted form), top level first
        (NaN = no value)."""
        period = as_period(period)
        out: list[LevelValues] = [{} for _ in self.level_sizes]
        for code, col in self.columns.items():
            d = self.field_levels[code]
            sel, idx, whole = self._pick(period, d)
            if whole:
                first = int(sel[0]) if len(sel) else 0
                out[d][code] = col[first : first + len(sel)]  # a view: no copy
                continue
            arr = np.full(self.level_sizes[d], np.nan)
            arr[idx] = col[sel]
            out[d][code] = arr
        return out


def _has_repeats(keys: npt.NDArray[np.int64]) -> bool:
    """Whether a (non-negative) key appears twice: counted when the keys span at most a few
    times their number (one pass, no sort: the usual file has no repeat), else sorted."""
    if int(keys.max()) < 4 * len(keys) + 1024:
        return bool(np.bincount(keys).max() > 1)
    ordered = np.sort(keys)
    return bool((ordered[1:] == ordered[:-1]).any())


def _row_keys(
    hierarchy: Hierarchy, periods: StrArray, depth: IntArray, index: IntArray
) -> npt.NDArray[np.int64]:
    """One int64 per row naming its (period, unit): the period's rank among the distinct
    periods times the number of units, plus the unit's position across every level."""
    sizes = np.array([len(lv) for lv in hierarchy.levels], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    unit = offsets[np.maximum(depth, 0)] + index
    if len(periods) and (periods == periods[0]).all():
        return unit.astype(np.int64)
    _, period_rank = np.unique(periods, return_inverse=True)
    return period_rank.reshape(-1).astype(np.int64) * int(sizes.sum()) + unit


def _implausible(
    table: Table, framework: Framework, columns: Mapping[str, FloatArray]
) -> list[Problem]:
    """Every cell breaking its field's declared kind, ``min`` or ``max``, and every bounded
    ratio's numerator above its denominator in the same row (both on one level, both
    measured and plausible), in row order; found a column at a time."""
    found: list[tuple[int, str, str]] = []
    ok: dict[str, FloatArray] = {}  # the columns with their implausible cells blanked
    for col, values in columns.items():
        f = framework.fields[col]
        broken = violations(values, f.kind, f.min, f.max)
        for mask, rule in broken:
            found += [(int(i), col, rule) for i in np.flatnonzero(mask)]
        bad = np.logical_or.reduce([m for m, _ in broken]) if broken else False
        ok[col] = np.where(bad, np.nan, values)
    for ind in framework.indicators.values():
        num, den = str(ind.numerator), str(ind.denominator)
        if not ind.bounded or num not in columns or den not in columns:
            continue
        if framework.fields[num].level != framework.fields[den].level:
            continue
        for i in np.flatnonzero(exceeds(ok[num], ok[den])):
            found.append((int(i), num, exceeds_rule(den, str(table.columns[den][i]))))
    return [
        Problem(
            source=table.source,
            row=int(table.rows[i]),
            column=col,
            value=str(table.columns[col][i]),
            rule=rule,
        )
        for i, col, rule in sorted(set(found))
    ]
