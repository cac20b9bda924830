"""Action lists: the units (e-Mitra machines) needing action under every district and block.

The reasons come from the scheme plugins (``egov_score_action_reasons``); this module orders
them (most reasons first, then code), groups them under the districts and blocks, counts them
per reason, and gives the cards and the division page their short sections. Whole columns
throughout: the only loops are over plugins' records, reasons and levels.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from egov_score._arrays import IntArray, StrArray, readonly
from egov_score.io.table import safe_file_names, unit_file_names
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Result
from egov_score.plugins.actions import ActionReasons, ActionSettings
from egov_score.plugins.registry import Registry
from egov_score.plugins.section import Cell, Msg, Name, Section
from egov_score.plugins.tables import CheckedTables

__all__ = [
    "ACTIONS_FOLDER",
    "FIRST_ROWS",
    "ActionTable",
    "action_tables",
    "card_sections",
    "division_section",
    "list_paths",
]

#: The folder, beside the cards, that holds the action lists.
ACTIONS_FOLDER = "actions"
#: How many rows of its list a card shows.
FIRST_ROWS = 10
#: The levels that get a list, as far as the hierarchy has them (below the top).
LIST_DEPTHS = (1, 2)

_int_eq = attrs.cmp_using(eq=np.array_equal)


@attrs.frozen(kw_only=True)
class ActionTable:
    """One plugin's action list over the whole hierarchy, in severity order.

    Attributes:
        reasons: the plugin's record (reason codes, labels, flags, text columns).
        level: the level of the listed units.
        units: indices (on ``level``) of the units needing action: most reasons first, then
            by code.
        counts: how many reasons each listed unit has.
        codes: the listed units' codes.
        names: their names (the gram panchayat or office of a machine).
        owners: level -> the index of each listed unit's ancestor on that level, for the
            levels with lists.
        owner_names: level -> the names of those ancestors.
        matrix: the listed units x reasons flags.
    """

    reasons: ActionReasons
    level: str
    units: IntArray = attrs.field(eq=_int_eq)
    counts: IntArray = attrs.field(eq=_int_eq)
    codes: StrArray = attrs.field(eq=_int_eq)
    names: StrArray = attrs.field(eq=_int_eq)
    owners: dict[str, IntArray] = attrs.field(eq=False)
    owner_names: dict[str, StrArray] = attrs.field(eq=False)
    matrix: np.ndarray[Any, np.dtype[np.bool_]] = attrs.field(eq=_int_eq)

    def rows_of(self, level: str, owner: int) -> IntArray:
        """Positions (in severity order) of the listed units under unit ``owner`` of
        ``level``."""
        return np.flatnonzero(self.owners[level] == owner)

    def counts_by(self, level: str, n: int) -> IntArray:
        """Units needing action per reason under every unit of ``level`` (``n`` units x
        reasons)."""
        m = self.matrix
        cols = [np.bincount(self.owners[level][m[:, k]], minlength=n) for k in range(m.shape[1])]
        return np.column_stack(cols) if cols else np.zeros((n, 0), dtype=np.intp)

    def columns(self, positions: IntArray) -> dict[str, Any]:
        """The list's columns for the rows at ``positions``: code, name, the owners' names,
        the text columns, the number of reasons, then one 0/1 column per reason."""
        out: dict[str, Any] = {"code": self.codes[positions], "name": self.names[positions]}
        for level, names in self.owner_names.items():
            out[level] = names[self.owners[level][positions]]
        for name, text in self.reasons.details.items():
            out[name] = text[self.units[positions]]
        out["reasons"] = self.counts[positions]
        m = self.matrix[positions]
        for k, code in enumerate(self.reasons.reasons):
            out[code] = m[:, k].astype(np.int64)
        return out


def action_tables(
    result: Result,
    hierarchy: Hierarchy,
    registry: Registry,
    tables: CheckedTables | None = None,
    settings: ActionSettings | None = None,
) -> tuple[ActionTable, ...]:
    """Every plugin's action list for ``result``'s month, ordered and grouped.

    Args:
        result: the month, scored.
        hierarchy: the unit tree.
        registry: the plugins (``egov_score_action_reasons``).
        tables: the checked raw tables, for the plugins' text columns (names, phones).
        settings: the user's choices for the checks (boundaries, geo-tag thresholds).

    Raises:
        PluginError: a plugin's reasons break the hook's contract.
    """
    out = []
    list_levels = [hierarchy.level_names[d] for d in LIST_DEPTHS if d < len(hierarchy.levels)]
    for record in registry.action_reasons(result, hierarchy, tables, settings):
        level = hierarchy.level(record.level)
        depth = hierarchy.depth(record.level)
        m = record.matrix()
        count = m.sum(axis=1)
        units = np.flatnonzero(count > 0)
        codes = np.asarray(level.codes)
        units = units[np.lexsort((codes[units], -count[units]))]
        owners: dict[str, IntArray] = {}
        owner_names: dict[str, StrArray] = {}
        for name in list_levels:
            if hierarchy.depth(name) < depth:
                owners[name] = readonly(hierarchy.ancestors(record.level, name)[units])
                owner_names[name] = np.asarray(hierarchy.level(name).names)
        out.append(
            ActionTable(
                reasons=record,
                level=record.level,
                units=readonly(units),
                counts=readonly(count[units].astype(np.int64)),
                codes=readonly(codes[units]),
                names=readonly(np.asarray(level.names)[units]),
                owners=owners,
                owner_names=owner_names,
                matrix=readonly(m[units]),
            )
        )
    return tuple(out)


def list_paths(
    table: ActionTable, level: str, codes: Sequence[str], names: Sequence[str]
) -> list[str]:
    """The list files of the units ``codes`` named ``names`` (every unit of ``level``, as the
    cards' names are made from them together), relative to the output folder:
    ``actions/<list key>/<level>/<name>.csv`` (``actions/emitra.machines/block/bansur-574.csv``),
    the key and level made safe by :func:`~egov_score.io.table.safe_file_names` and the unit's
    readable name made as its card's is (:func:`~egov_score.io.table.unit_file_names`)."""
    return list(_list_paths(table.reasons.key, level, tuple(codes), tuple(names)))


@functools.lru_cache(maxsize=8)
def _list_paths(
    key: str, level: str, codes: tuple[str, ...], names: tuple[str, ...]
) -> tuple[str, ...]:
    """:func:`list_paths`, kept for the last few levels: every card of a level names its own
    list among the level's (the names are made from all of them together)."""
    key, level_name = safe_file_names([key])[0], safe_file_names([level])[0]
    return tuple(
        f"{ACTIONS_FOLDER}/{key}/{level_name}/{name}.csv"
        for name in unit_file_names(list(codes), list(names))
    )


def card_sections(
    tables: Sequence[ActionTable],
    level: str,
    owner: int,
    codes: Sequence[str],
    first: int | None = FIRST_ROWS,
    *,
    names: Sequence[str],
    linked: bool = True,
) -> list[Section]:
    """A card's action sections: per list, the count per reason, and the first ``first``
    rows with their reasons and nodal officer, linking to the full list (the card is one
    folder below the output folder, as :func:`list_paths` places the list); with ``first``
    None, every row and no link; with ``linked`` false, the first rows and the counts but no
    link (a card written alone, with no lists beside it, that must stay short to print).

    Args:
        tables: the month's lists (:func:`action_tables`).
        level: the card's level.
        owner: the card's unit, an index on ``level``.
        codes: every code of ``level`` (the file names are made from them together).
        first: how many rows to show, or None for all of them and no link.
        names: the English names of ``codes``, in the same order (for the file names).
        linked: link the full list (false when no list is written beside the card).
    """
    out = []
    for t in tables:
        if level not in t.owners:
            continue
        rows = t.rows_of(level, owner)
        link = list_paths(t, level, codes, names)[owner] if first is not None and linked else ""
        counts = t.matrix[rows].sum(axis=0)
        key = t.reasons.key
        labels = t.reasons.labels
        out.append(
            Section(
                key=f"{key}.counts",
                title="actions.counts",
                header=("actions.reason", "actions.units"),
                rows=(
                    *((Msg((lab,)), str(int(c))) for lab, c in zip(labels, counts, strict=True)),
                    (Msg(("actions.any",)), str(len(rows))),
                ),
                numeric=frozenset({1}),
            )
        )
        shown = rows[:first]
        cols = t.columns(shown)
        m = t.matrix[shown]
        owners = list(t.owners)
        lower = owners[owners.index(level) + 1 :]
        details = list(t.reasons.details)
        header = (
            "code",
            f"{key.split('.')[0]}.location",
            *lower,
            *t.reasons.detail_labels,
            "actions.reasons",
        )
        body: tuple[tuple[Cell, ...], ...] = tuple(
            (
                str(cols["code"][k]),
                str(cols["name"][k]),
                *(str(cols[lv][k]) for lv in lower),
                *(str(cols[d][k]) for d in details),
                Msg(tuple(labels[j] for j in np.flatnonzero(m[k]))),
            )
            for k in range(len(shown))
        )
        more = len(rows) > len(shown)
        out.append(
            Section(
                key=f"{key}.first",
                title="actions.first",
                header=header,
                rows=body,
                note=("actions.more" if link else "actions.more_alone")
                if more
                else ("" if len(rows) else "actions.none"),
                link=f"../{link}" if link and len(rows) else "",
            )
        )
    return out


def division_section(tables: Sequence[ActionTable], result: Result) -> list[Section]:
    """The division page's table: units needing action per reason in every district."""
    if len(result.levels) < 2:
        return []
    districts = result.levels[1]
    out = []
    for t in tables:
        if districts.level not in t.owners:
            continue
        n = len(districts)
        by = t.counts_by(districts.level, n)
        total = np.bincount(t.owners[districts.level], minlength=n)
        rows: list[tuple[Cell, ...]] = [
            (
                Name(str(districts.names[i]), str(districts.names_hi[i])),
                *(str(int(x)) for x in by[i]),
                str(int(total[i])),
            )
            for i in range(n)
        ]
        rows.append(
            (Msg(("total",)), *(str(int(x)) for x in by.sum(axis=0)), str(int(total.sum())))
        )
        width = len(t.reasons.labels) + 2
        out.append(
            Section(
                key=f"{t.reasons.key}.by_district",
                title="actions.by_district",
                header=(districts.level, *t.reasons.labels, "actions.any"),
                rows=tuple(rows),
                numeric=frozenset(range(1, width)),
            )
        )
    return out
