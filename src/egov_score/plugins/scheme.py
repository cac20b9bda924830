"""Schemes: what a plugin declares (raw tables, fields, indicators, group) and the table checks.

A :class:`Scheme` is the unit of contribution of a plugin: the raw tables an office has (each a
:class:`TableSpec` of typed :class:`Column` rules), the fields it turns them into, its
indicators and how they form the scheme's group in the composite. :func:`check_table` runs the
declared rules on a whole table at once and returns every :class:`Problem` found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np

from egov_score._arrays import FloatArray, IntArray, StrArray
from egov_score.exceptions import InputError
from egov_score.io.table import Table
from egov_score.io.toml import did_you_mean
from egov_score.kernels.geo import INDIA_LATITUDE, INDIA_LONGITUDE
from egov_score.model.framework import (
    Aggregation,
    Field,
    Indicator,
    coverage_rule,
    finite_rule,
    first_problem,
    weight_rule,
)
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.plausibility import (
    VALUE_KINDS,
    Problem,
    bounds_rule,
    bounds_text,
    exceeds,
    exceeds_rule,
    plausible_text,
    violations,
)

__all__ = [
    "COLUMN_KINDS",
    "INDIA_LATITUDE",
    "INDIA_LONGITUDE",
    "PHONE_RULE",
    "Column",
    "Problem",
    "Scheme",
    "TableSpec",
    "block_table",
    "check_table",
    "problems_where",
    "spread",
    "to_level",
    "valid_phones",
]

#: The kinds of raw column a table may declare: the value kinds fields declare too
#: (:data:`~egov_score.model.plausibility.VALUE_KINDS`), ``number`` (the same as ``real``, kept
#: for plugins written before the kinds were shared) and the kinds of raw tables only.
COLUMN_KINDS = (
    "code",
    "period",
    *VALUE_KINDS,
    "number",
    "latitude",
    "longitude",
    "choice",
    "text",
    "phone",
)


_RULES = {
    "code": "a unit code of the table's level",
    "period": "the month, e.g. 2021-01",
    "number": "finite number",
    "latitude": "a decimal number, degrees north (outside India: a geo-tag reason, not an error)",
    "longitude": "a decimal number, degrees east (outside India: a geo-tag reason, not an error)",
    "choice": "one of",
    "text": "any text",
    "phone": "a 10-digit Indian mobile (6-9 first, +91 or 0 before it allowed) or a landline "
    "with its STD code (0 and 10 digits); spaces and hyphens allowed",
}
#: What a ``phone`` cell must be, in messages.
PHONE_RULE = (
    "must be a 10-digit Indian mobile number or a landline with its STD code (e.g. "
    "9414012345, 0141-2740000)"
)


@attrs.frozen(kw_only=True)
class Column:
    """One column of a raw table and the rule its cells must follow.

    Attributes:
        name: the column header.
        kind: ``code`` (a unit code of the table's level), ``period``, a value kind as fields
            declare them (``flag`` 0 or 1, ``count`` a whole number >= 0, ``amount`` >= 0,
            ``percent`` 0-100, ``real`` any finite number; ``number`` is ``real``),
            ``latitude``, ``longitude`` (a decimal number; outside India is a geo-tag reason
            in the action lists, not an error), ``choice`` (one of ``choices``),
            ``text`` or ``phone`` (text: a 10-digit Indian mobile or a landline with its STD
            code, leading zeros kept).
        required: the column must be in the table (cells may still be empty = missing,
            except ``code``).
        at_most: the name of another column this one may not exceed (a numerator above its
            denominator is an error: inspected > installed, disposed > registered).
        choices: the allowed values of a ``choice`` column.
        description: what the column holds, for docs.
        min: the least plausible value of a numeric column, if any.
        max: the greatest plausible value of a numeric column, if any.
    """

    name: str
    kind: str
    required: bool = True
    at_most: str | None = None
    choices: tuple[str, ...] = ()
    description: str = ""
    min: float | None = None
    max: float | None = None

    def __attrs_post_init__(self) -> None:
        _require_name(self.name, "a column name", "a Column")
        who = f"column {self.name!r}"
        if self.kind not in COLUMN_KINDS:
            raise InputError(
                f"kind must be one of {list(COLUMN_KINDS)!r}; got {self.kind!r} for {who}"
            )
        if not isinstance(self.required, bool):
            raise InputError(f"required must be True or False; got {self.required!r} for {who}")
        if self.at_most is not None:
            _require_name(self.at_most, "at_most", who)
            if self.at_most == self.name:
                raise InputError(
                    f"at_most must name another column; got {self.at_most!r} for {who}"
                )
        if not isinstance(self.choices, tuple) or not all(isinstance(c, str) for c in self.choices):
            raise InputError(f"choices must be a tuple of strings; got {self.choices!r} for {who}")
        if (self.kind == "choice") != bool(self.choices):
            raise InputError(
                f"choices must be given for a 'choice' column and only for it; got "
                f"kind={self.kind!r}, choices={self.choices!r} for {who}"
            )
        if not isinstance(self.description, str):
            raise InputError(f"description must be a string; got {self.description!r} for {who}")
        problem = bounds_rule(self.min, self.max, who)
        if problem is None and (self.min, self.max) != (None, None) and not self.numeric:
            problem = f"min and max go with a numeric kind; got kind {self.kind!r} for {who}"
        if problem is not None:
            raise InputError(problem)

    @property
    def numeric(self) -> bool:
        """Whether the cells are numbers (a value kind, ``number``, or a coordinate)."""
        return self.kind not in ("code", "period", "choice", "text", "phone")

    @property
    def value_kind(self) -> str:
        """The value kind checked for a numeric column (``number`` and coordinates: ``real``)."""
        return self.kind if self.kind in VALUE_KINDS else "real"

    @property
    def rule_text(self) -> str:
        """The column's rule in words, for docs."""
        if self.kind in VALUE_KINDS:
            words = plausible_text(self.kind, self.min, self.max)
        else:
            words = _RULES[self.kind] + bounds_text(self.min, self.max)
        if self.at_most:
            words += f"; ≤ `{self.at_most}`"
        if self.choices:
            words += ": " + ", ".join(f"`{x}`" for x in self.choices)
        return words


@attrs.frozen(kw_only=True)
class TableSpec:
    """A raw table a scheme reads: one row per unit of ``level`` (per period).

    Attributes:
        name: the table's name (its file is ``<name>.csv`` in a scheme-data folder).
        level: the level of the units the ``code`` column names.
        columns: the column rules; a ``code`` column is required.
        description: one row per what, for docs.
    """

    name: str
    level: str
    columns: tuple[Column, ...]
    description: str = ""

    def __attrs_post_init__(self) -> None:
        _require_name(self.name, "a table name", "a TableSpec")
        who = f"table {self.name!r}"
        _require_name(self.level, "level", who)
        if not isinstance(self.columns, tuple) or not all(
            isinstance(c, Column) for c in self.columns
        ):
            raise InputError(f"columns must be a tuple of Column; got {self.columns!r} for {who}")
        names = [c.name for c in self.columns]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError(f"column names must be unique; got {twice[0]!r} twice for {who}")
        for c in self.columns:
            if c.at_most is not None and c.at_most not in names:
                raise InputError(
                    f"at_most must name a column of the table; got {c.at_most!r} for column "
                    f"{c.name!r} of {who}"
                )

    def column(self, name: str) -> Column:
        """The rule of column ``name``."""
        return next(c for c in self.columns if c.name == name)


@attrs.frozen(kw_only=True)
class Scheme:
    """A scheme as a plugin declares it.

    Attributes:
        code: the scheme's code; also the code of its group in the framework.
        name: English name.
        name_hi: Hindi name (Devanagari).
        tables: the raw tables it reads.
        fields: the fields it produces (each on the level where the data exists).
        indicators: its indicators; their ``parent`` is the scheme's code.
        weight: the default weight of the scheme in the composite.
        aggregate: how its indicators are combined.
        min_coverage: share of the indicators' weight that must be present.
        samples: table name -> path of a small sample table that ships with the plugin (CSV
            or Excel).
        sample_units: path of the units CSV the samples refer to.
        sample_period: the period of the sample rows.
        description: a paragraph for docs and ``egov-score plugins``.
    """

    code: str
    name: str
    name_hi: str
    tables: tuple[TableSpec, ...]
    fields: tuple[Field, ...]
    indicators: tuple[Indicator, ...]
    weight: float = 1.0
    aggregate: Aggregation = attrs.field(factory=Aggregation)
    min_coverage: float = 0.5
    samples: Mapping[str, Path] = attrs.field(factory=dict)
    sample_units: Path | None = None
    sample_period: str = ""
    description: str = ""

    def __attrs_post_init__(self) -> None:
        _require_name(self.code, "a scheme code", "a Scheme")
        who = f"scheme {self.code!r}"
        problem = first_problem(
            finite_rule(self.weight, "weight", who) or weight_rule(self.weight, who),
            finite_rule(self.min_coverage, "min_coverage", who)
            or coverage_rule(self.min_coverage, who),
        )
        if problem is not None:
            raise InputError(problem)
        for key, items, kind in (
            ("tables", self.tables, TableSpec),
            ("fields", self.fields, Field),
            ("indicators", self.indicators, Indicator),
        ):
            if not isinstance(items, tuple) or not all(isinstance(x, kind) for x in items):
                raise InputError(
                    f"{key} must be a tuple of {kind.__name__} records; got {items!r} for {who}"
                )
        names = [t.name for t in self.tables]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InputError(f"table names must be unique; got {twice[0]!r} twice for {who}")
        if not isinstance(self.aggregate, Aggregation):
            raise InputError(f"aggregate must be an Aggregation; got {self.aggregate!r} for {who}")

    def table(self, name: str) -> TableSpec:
        """The spec of table ``name``."""
        return next(t for t in self.tables if t.name == name)

    def to_markdown(self) -> str:
        """The scheme's reference as Markdown: raw tables, fields and indicators."""
        lines = [f"# `{self.code}` — {self.name} ({self.name_hi})", "", self.description, ""]
        for t in self.tables:
            lines += [
                f"## Raw table `{t.name}.csv`",
                "",
                f"Level: `{t.level}`; {t.description}.",
                "",
                "| column | kind | required | rule | meaning |",
                "|---|---|---|---|---|",
            ]
            for c in t.columns:
                required = "yes" if c.required else "no"
                lines.append(
                    f"| `{c.name}` | {c.kind} | {required} | {c.rule_text} | {c.description} |"
                )
            lines.append("")
        lines += [
            "## Fields",
            "",
            "| field | level | kind | roll-up | meaning |",
            "|---|---|---|---|---|",
        ]
        for f in self.fields:
            rollup = f.rollup + (f" by `{f.weight}`" if f.weight else "")
            kind = plausible_text(f.kind, f.min, f.max)
            lines.append(f"| `{f.code}` | {f.level} | {kind} | {rollup} | {f.name} |")
        lines += [
            "",
            f"## Indicators (group `{self.code}`, weight {self.weight:g} in the composite, "
            f"{self.aggregate.method} mean, minimum coverage {self.min_coverage:g})",
            "",
            "| indicator | formula | direction | normalisation | target | weight | name |",
            "|---|---|---|---|---|---|---|",
        ]
        for i in self.indicators:
            if i.field is not None:
                formula = f"`{i.field}`" + (f" × {i.scale:g}" if i.scale != 1 else "")
            else:
                formula = f"`{i.numerator}` ÷ `{i.denominator}`" + (
                    f" × {i.scale:g}" if i.scale != 1 else ""
                )
                if i.bounded:
                    formula += " (bounded)"
            n = i.normalise
            norm = n.method
            if n.method == "goalposts":
                norm += f" {n.lower:g}–{n.upper:g}"
            if n.method == "target" and n.target is not None:
                norm += f" (T = {n.target:g})"
            direction = "higher is better" if i.direction > 0 else "lower is better"
            target = "" if i.target is None else f"{i.target:g} {i.unit}".strip()
            lines.append(
                f"| `{i.code}` | {formula} | {direction} | {norm} | {target} | {i.weight:g} "
                f"| {i.name} / {i.name_hi} |"
            )
        return "\n".join(lines) + "\n"


def _require_name(value: object, what: str, who: str) -> None:
    if not isinstance(value, str) or not value:
        raise InputError(f"{what} must be a non-empty string; got {value!r} for {who}")


def _did_you_mean(name: str, header: Sequence[str], spec: TableSpec) -> str:
    """``; did you mean 'x'?`` for the undeclared column of ``header`` closest to ``name``."""
    declared = {c.name for c in spec.columns}
    return did_you_mean(name, [h for h in header if h not in declared])


def _numbers(cells: StrArray) -> tuple[FloatArray, np.ndarray]:
    """Parse a column that failed :meth:`Table.floats`, cell by cell: values (NaN where empty
    or unparsable) and the mask of cells that are not finite numbers."""
    parsed = np.array([_try_float(c) for c in cells.tolist()], dtype=np.float64)
    bad = (cells != "") & ~np.isfinite(parsed)
    return np.where(bad, np.nan, parsed), bad


def _try_float(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return float("nan")


def _check_text_column(
    spec: TableSpec,
    col: Column,
    table: Table,
    hierarchy: Hierarchy,
    flag: Callable[[np.ndarray, str, StrArray | None, str], None],
) -> None:
    """Flag the bad cells of a code, phone or choice column (see :func:`check_table`)."""
    cells = table.columns[col.name]
    if col.kind == "code":
        found = hierarchy.level(spec.level).find(cells)
        flag(found < 0, col.name, cells, f"must be the code of a {spec.level!r} unit")
    elif col.kind == "phone":
        ok = np.ones(len(cells), dtype=bool)  # an empty cell is a missing phone
        given = np.flatnonzero(cells != "")  # an optional column: often mostly empty
        ok[given] = valid_phones(cells[given])
        flag(~ok, col.name, cells, PHONE_RULE)
    else:
        ok = np.isin(cells, np.array(col.choices, dtype=np.str_)) | (cells == "")
        flag(~ok, col.name, cells, f"must be one of {list(col.choices)!r}")


def check_table(spec: TableSpec, table: Table, hierarchy: Hierarchy) -> list[Problem]:
    """Every problem in ``table`` against ``spec``'s column rules, found column by column.

    Checks: required columns present; codes of units of the table's level; one row per unit
    and period; numbers that parse; counts whole and >= 0; flags 0 or 1; percentages 0-100;
    coordinates within India; choices allowed; a column not above its ``at_most`` column.
    """
    src = table.source
    problems: list[Problem] = []
    for col in spec.columns:
        if col.required and col.name not in table.columns:
            problems.append(
                Problem(
                    source=src,
                    row=0,
                    column=col.name,
                    value="",
                    rule=f"the column is required (header has {list(table.header)!r}"
                    f"{_did_you_mean(col.name, table.header, spec)})",
                )
            )
    if problems:
        return problems  # cells cannot be checked against rules of missing columns

    def flag(mask: np.ndarray, column: str, cells: StrArray | None, rule: str) -> None:
        problems.extend(problems_where(table, mask, column, rule, cells))

    numbers: dict[str, FloatArray] = {}
    for col in spec.columns:
        if col.name not in table.columns or col.kind in ("text", "period"):
            continue
        # A numeric column is read as numbers; its cells as text only to name a bad one.
        if col.kind in ("code", "phone", "choice"):
            _check_text_column(spec, col, table, hierarchy, flag)
            continue
        try:  # parsed once and kept by the table, so loading does not parse again
            values, bad = table.floats(col.name), np.zeros(table.n_rows, dtype=bool)
        except InputError:
            values, bad = _numbers(table.columns[col.name])
        flag(bad, col.name, None, "must be a finite number")
        broken = violations(values, col.value_kind, col.min, col.max)
        for mask, rule in broken:
            flag(mask, col.name, None, rule)
        # a bounded comparison uses only plausible cells: a negative denominator is reported
        # once, not again against every numerator of its row
        implausible = np.logical_or.reduce([m for m, _ in broken]) if broken else None
        numbers[col.name] = values if implausible is None else np.where(implausible, np.nan, values)
        # A latitude or longitude outside India is a geo-tag problem, which the action lists
        # name (``geotag_outside_india``, ``geotag_swapped``): a reason, not an error (issue 11).
    for col in spec.columns:
        if col.at_most and col.name in numbers and col.at_most in numbers:
            above = exceeds(numbers[col.name], numbers[col.at_most])
            cells = table.columns[col.name]
            for i in np.flatnonzero(above):
                problems.append(
                    Problem(
                        source=src,
                        row=int(table.rows[i]),
                        column=col.name,
                        value=str(cells[i]),
                        rule=exceeds_rule(col.at_most, str(table.columns[col.at_most][i])),
                    )
                )
    code_col = next((c.name for c in spec.columns if c.kind == "code"), None)
    if code_col and code_col in table.columns and table.n_rows > 1:
        codes = table.columns[code_col]
        periods = table.columns.get("period", np.full(table.n_rows, "", dtype=np.str_))
        order = np.lexsort((periods, codes))
        same = (codes[order[1:]] == codes[order[:-1]]) & (periods[order[1:]] == periods[order[:-1]])
        for a, b in zip(order[:-1][same], order[1:][same], strict=True):
            problems.append(
                Problem(
                    source=src,
                    row=int(table.rows[b]),
                    column=code_col,
                    value=str(codes[b]),
                    rule=f"one row per unit and period is allowed (first at row {table.rows[a]})",
                )
            )
    problems.sort(key=lambda p: (p.row, p.column))
    return problems


def valid_phones(cells: StrArray) -> np.ndarray:
    """Whether each cell is empty (missing) or a phone number (see ``PHONE_RULE``), once spaces
    and hyphens are removed: a mobile ``[6-9]`` + 9 digits with ``+91``, ``91`` or ``0`` before
    it allowed, or a landline ``0`` + STD code + number (11 digits, the second not 0). ASCII
    digits only; column-wise string operations, no loop over cells."""
    if not len(cells):
        return np.zeros(0, dtype=bool)
    s = np.strings.replace(np.strings.replace(np.strings.strip(cells), " ", ""), "-", "")
    plus = np.strings.startswith(s, "+91")
    digits = np.where(plus, np.strings.slice(s, 1, None), s)  # "+91…" is checked as "91…"
    n = np.strings.str_len(digits)
    ascii_digits = (n > 0) & (np.strings.str_len(np.strings.lstrip(digits, "0123456789")) == 0)

    def nth(k: int) -> np.ndarray:
        return np.strings.slice(digits, k, k + 1)

    def mobile_at(k: int) -> np.ndarray:  # a mobile's first digit at position k
        return np.isin(nth(k), ["6", "7", "8", "9"])

    mobile = (
        ((n == 10) & ~plus & mobile_at(0))
        | ((n == 12) & np.strings.startswith(digits, "91") & mobile_at(2))
        | ((n == 11) & ~plus & (nth(0) == "0") & mobile_at(1))
    )
    landline = (n == 11) & ~plus & (nth(0) == "0") & (nth(1) != "0")
    ok: np.ndarray = (s == "") | (ascii_digits & (mobile | landline))
    return ok


def problems_where(
    table: Table,
    mask: np.ndarray,
    column: str,
    rule: str,
    cells: StrArray | None = None,
) -> list[Problem]:
    """A :class:`Problem` for every row of ``table`` where ``mask`` holds.

    Args:
        table: the raw table.
        mask: one bool per row.
        column: the column to name.
        rule: what must hold, for the message.
        cells: the values to show (default: the column's cells).
    """
    if not np.any(mask):
        return []  # the cells are not read (a numeric column may never be made text)
    shown = table.columns[column] if cells is None else cells
    return [
        Problem(
            source=table.source,
            row=int(table.rows[i]),
            column=column,
            value=str(shown[i]),
            rule=rule,
        )
        for i in np.flatnonzero(mask)
    ]


def block_table(name: str, description: str, *columns: Column) -> TableSpec:
    """A block-level table: ``code`` (block code) and ``period`` columns, then ``columns``."""
    return TableSpec(
        name=name,
        level="block",
        description=description,
        columns=(
            Column(name="code", kind="code", description="block code"),
            Column(name="period", kind="period", description="month, YYYY-MM"),
            *columns,
        ),
    )


def to_level(
    hierarchy: Hierarchy, level: str, codes: StrArray | Sequence[str], values: FloatArray
) -> FloatArray:
    """Spread per-row ``values`` onto the units of ``level`` (NaN where a unit has no row).

    Raises:
        HierarchyError: a code is not a unit of ``level``.
    """
    return spread(hierarchy.level(level).index(codes), len(hierarchy.level(level)), values)


def spread(index: IntArray, n: int, values: FloatArray) -> FloatArray:
    """``values`` placed at ``index`` in an array of ``n`` (NaN elsewhere); see :func:`to_level`
    for looking the index up once and spreading many columns with it."""
    out = np.full(n, np.nan)
    out[index] = values
    return out
