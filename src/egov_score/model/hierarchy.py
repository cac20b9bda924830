"""The unit tree: division -> district -> block -> machine, held as columns.

Records (:class:`Unit` and its named kinds) are for the edge; a :class:`Hierarchy` holds, for every
level from the top down, arrays of codes, names and the index of each unit's parent in the level
above. Codes are unique across the whole hierarchy; LGD codes are an attribute, not the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import IntArray, StrArray, array_eq, readonly, stable_order
from egov_score.exceptions import HierarchyError
from egov_score.io.frames import frame_table
from egov_score.io.parquet import read_table
from egov_score.io.table import Table, format_problems

__all__ = [
    "Block",
    "District",
    "Division",
    "Hierarchy",
    "Level",
    "Machine",
    "Unit",
]

_CORE_COLUMNS = ("level", "code", "name", "parent")


@attrs.frozen(kw_only=True)
class Unit:
    """One administrative unit, as a record.

    Attributes:
        level: the level it belongs to (one of the framework's ``levels``).
        code: unique across the whole hierarchy.
        name: display name in English.
        parent: the code of its parent on the level directly above; None on the top level.
        name_hi: display name in Hindi (Devanagari), may be empty.
        lgd_code: the Local Government Directory code, unique only within an entity type.
        officer: the officer answerable for the unit (CEO, BDO, nodal officer).
        extra: further string attributes kept as they are.
    """

    level: str
    code: str
    name: str
    parent: str | None = None
    name_hi: str = ""
    lgd_code: str = ""
    officer: str = ""
    extra: Mapping[str, str] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise HierarchyError(f"a unit code must be a non-empty string; got {self.code!r}")
        who = f"unit {self.code!r}"
        if not isinstance(self.level, str) or not self.level:
            raise HierarchyError(f"level must be a non-empty string; got {self.level!r} for {who}")
        if self.parent is not None and not isinstance(self.parent, str):
            raise HierarchyError(f"parent must be a code or None; got {self.parent!r} for {who}")
        if self.parent == self.code:
            raise HierarchyError(
                f"parent must not be the unit itself; got {self.parent!r} for {who}"
            )
        for key in ("name", "name_hi", "lgd_code", "officer"):
            value = getattr(self, key)
            if not isinstance(value, str):
                raise HierarchyError(f"{key} must be a string; got {value!r} for {who}")
        if not isinstance(self.extra, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.extra.items()
        ):
            raise HierarchyError(f"extra must map strings to strings; got {self.extra!r} for {who}")


@attrs.frozen(kw_only=True)
class Division(Unit):
    """A revenue division, headed by the divisional commissioner."""

    level: str = attrs.field(default="division", init=False)
    officer: str = "Divisional Commissioner"


@attrs.frozen(kw_only=True)
class District(Unit):
    """A district, answerable through the CEO of its Zila Parishad."""

    level: str = attrs.field(default="district", init=False)
    officer: str = "CEO, Zila Parishad"


@attrs.frozen(kw_only=True)
class Block(Unit):
    """A block (panchayat samiti), answerable through its block development officer."""

    level: str = attrs.field(default="block", init=False)
    officer: str = "BDO"


@attrs.frozen(kw_only=True)
class Machine(Unit):
    """An e-Mitra Plus machine or kiosk, answerable through its nodal officer (usually the VDO)."""

    level: str = attrs.field(default="machine", init=False)
    officer: str = "Nodal officer"


@attrs.frozen
class Level:
    """The units of one level, as columns.

    Attributes:
        name: the level's name (``"district"``).
        codes: unit codes, in input order.
        names: English names.
        names_hi: Hindi names ("" where none).
        parent: index of each unit's parent in the level above; -1 on the top level.
        attributes: further string columns (``lgd_code``, ``officer``, any extra CSV column).
    """

    name: str
    codes: StrArray = attrs.field(eq=array_eq)
    names: StrArray = attrs.field(eq=array_eq)
    names_hi: StrArray = attrs.field(eq=array_eq)
    parent: IntArray = attrs.field(eq=array_eq)
    attributes: Mapping[str, StrArray] = attrs.field(factory=dict, eq=False)
    _sorter: IntArray = attrs.field(init=False, eq=False, repr=False)
    #: The codes' integer keys (:func:`code_order`), None for a small level or other codes.
    _keys: npt.NDArray[np.uint64] | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise HierarchyError(f"a level name must be a non-empty string; got {self.name!r}")
        n = len(self.codes)
        columns = {
            "names": self.names,
            "names_hi": self.names_hi,
            "parent": self.parent,
            **{f"attribute {k!r}": v for k, v in self.attributes.items()},
        }
        for key, column in (("codes", self.codes), *columns.items()):
            if np.ndim(column) != 1 or len(column) != n:
                raise HierarchyError(
                    f"{key} must be one value per unit ({n}, as codes); got shape "
                    f"{np.shape(column)!r} for level {self.name!r}"
                )
        sorter, keys = _order_and_keys(self.codes)
        object.__setattr__(self, "_sorter", readonly(sorter))
        object.__setattr__(self, "_keys", None if keys is None else readonly(keys))

    def __len__(self) -> int:
        return len(self.codes)

    def find(self, codes: Sequence[str] | StrArray) -> IntArray:
        """Indices of ``codes`` in this level; -1 where a code is not on this level."""
        wanted = np.asarray(codes, dtype=np.str_)
        if len(wanted) == len(self.codes) and np.array_equal(wanted, self.codes):
            return np.arange(len(wanted), dtype=np.intp)  # the level's own codes, in order
        return _lookup(self.codes, self._sorter, wanted, self._keys)

    def index(self, codes: Sequence[str] | StrArray) -> IntArray:
        """Indices of ``codes`` in this level.

        Raises:
            HierarchyError: naming the codes that are not on this level.
        """
        found = self.find(codes)
        if (found < 0).any():
            missing = np.asarray(codes, dtype=np.str_)[found < 0][:10].tolist()
            raise HierarchyError(f"codes must be units of level {self.name!r}; got {missing!r}")
        return found


#: From this many codes, :func:`_lookup` sorts them before searching.
_SORT_WANTED = 10_000


def _ascii_keys(cells: StrArray) -> npt.NDArray[np.uint64] | None:
    """One uint64 per cell, equal exactly when the cells are and ordered as they are, for
    cells of at most 8 ASCII characters (the code points as bytes, zero-padded, the first the
    most significant); None for any other column. Read from the array's code points, with no
    string conversion."""
    if cells.dtype.kind != "U" or not len(cells) or cells.dtype.itemsize == 0:
        return None
    points = np.ascontiguousarray(cells).view(np.uint32).reshape(len(cells), -1)
    if points.shape[1] > 8 and points[:, 8:].any():
        return None  # a cell longer than 8 characters
    head = points[:, :8]
    if (head >= 128).any():
        return None
    keys = np.zeros((len(cells), 8), dtype=np.uint8)
    keys[:, : head.shape[1]] = head
    # Read big-endian, the first character is the most significant byte: the keys sort as
    # the strings do (a shorter cell, zero-padded, before the longer ones it starts).
    return keys.view(">u8").reshape(len(cells)).astype(np.uint64)


def code_order(codes: StrArray) -> IntArray:
    """The stable sort order of ``codes`` (``np.argsort(codes, kind="stable")``), through
    integer keys for codes of at most 8 ASCII characters (several times faster than a sort of
    strings when the codes are not in order already)."""
    return _order_and_keys(codes)[0]


def _order_and_keys(codes: StrArray) -> tuple[IntArray, npt.NDArray[np.uint64] | None]:
    """:func:`code_order` and the integer keys it sorted (None where it sorted strings)."""
    keys = _ascii_keys(codes) if len(codes) >= _SORT_WANTED else None
    order = np.argsort(codes, kind="stable") if keys is None else stable_order(keys)
    return order.astype(np.intp, copy=False), keys


def _lookup_keys(
    codes: npt.NDArray[np.uint64], sorter: IntArray, wanted: npt.NDArray[np.uint64]
) -> IntArray:
    """:func:`_lookup` on integer keys, which sort as the codes do (so ``sorter`` sorts them
    too): the wanted keys sorted as integers and searched in increasing order (each search
    starts where the last ended)."""
    sorted_codes = codes[sorter]
    ask = stable_order(wanted)
    pos = np.empty(len(wanted), dtype=np.intp)
    pos[ask] = np.searchsorted(sorted_codes, wanted[ask])
    idx = sorter[np.minimum(pos, len(codes) - 1)]
    return np.where(codes[idx] == wanted, idx, -1).astype(np.intp)


def _lookup(
    codes: StrArray,
    sorter: IntArray,
    wanted: StrArray,
    code_keys: npt.NDArray[np.uint64] | None = None,
) -> IntArray:
    """The index of each wanted code in ``codes`` (sorted by ``sorter``), -1 where absent;
    ``code_keys``: the codes' integer keys, when made already."""
    if len(codes) == 0:
        return np.full(len(wanted), -1, dtype=np.intp)
    if len(wanted) >= _SORT_WANTED:
        if code_keys is None:
            code_keys = _ascii_keys(codes)
        wanted_keys = _ascii_keys(wanted) if code_keys is not None else None
        if code_keys is not None and wanted_keys is not None:
            return _lookup_keys(code_keys, sorter, wanted_keys)
    if len(wanted) < _SORT_WANTED:
        pos = np.searchsorted(codes, wanted, sorter=sorter)
    else:
        # Many codes: search them in sorted order in the sorted codes, each search starting
        # where the last ended (numpy's search does so for increasing keys), several times
        # faster than looking them up in file order through ``sorter``.
        order = np.argsort(wanted, kind="stable")
        pos = np.empty(len(wanted), dtype=np.intp)
        pos[order] = np.searchsorted(codes[sorter], wanted[order])
    pos = np.minimum(pos, len(codes) - 1)
    idx = sorter[pos]
    return np.where(codes[idx] == wanted, idx, -1).astype(np.intp)


@attrs.frozen
class Hierarchy:
    """The unit tree, level by level from the top.

    Build it with :meth:`from_csv` or :meth:`from_units`; both validate the tree.

    Attributes:
        levels: one :class:`Level` per level, top first.
    """

    levels: tuple[Level, ...]

    def __attrs_post_init__(self) -> None:
        for level in self.levels:
            if not isinstance(level, Level):
                raise HierarchyError(f"levels must be Level records; got {level!r}")
        _check_levels(self.level_names)

    @property
    def level_names(self) -> tuple[str, ...]:
        """The level names, top first."""
        return tuple(level.name for level in self.levels)

    def level(self, name: str) -> Level:
        """The level called ``name``.

        Raises:
            HierarchyError: if there is no such level.
        """
        for level in self.levels:
            if level.name == name:
                return level
        raise HierarchyError(f"level must be one of {list(self.level_names)!r}; got {name!r}")

    def depth(self, name: str) -> int:
        """Position of level ``name`` from the top (0 = top)."""
        return self.level_names.index(self.level(name).name)

    def ancestors(self, level: str, above: str) -> IntArray:
        """For every unit of ``level``, the index of its ancestor on level ``above``."""
        lo, hi = self.depth(level), self.depth(above)
        if hi > lo:
            raise HierarchyError(f"level {above!r} must be above {level!r}; it is below")
        idx = np.arange(len(self.levels[lo]), dtype=np.intp)
        for depth in range(lo, hi, -1):  # one step per level, never per unit
            idx = self.levels[depth].parent[idx]
        return idx

    def locate(self, codes: Sequence[str] | StrArray) -> tuple[IntArray, IntArray]:
        """Level depth and index within the level of every code; (-1, -1) where unknown."""
        wanted = np.asarray(codes, dtype=np.str_)
        depth = np.full(len(wanted), -1, dtype=np.intp)
        index = np.full(len(wanted), -1, dtype=np.intp)
        # Codes are unique across the hierarchy: look in the largest level first, then only
        # for the codes not found yet (a file of a million machines searches the rest once).
        todo = np.arange(len(wanted))
        for d in sorted(range(len(self.levels)), key=lambda d: -len(self.levels[d])):
            if not len(todo):
                break
            found = self.levels[d].find(wanted[todo])
            hit = found >= 0
            depth[todo[hit]] = d
            index[todo[hit]] = found[hit]
            todo = todo[~hit]
        return depth, index

    def unit(self, code: str) -> Unit:
        """The record of the unit with this code.

        Raises:
            HierarchyError: if no unit has this code.
        """
        depth, index = self.locate([code])
        if depth[0] < 0:
            raise HierarchyError(f"code must name a unit of the hierarchy; got {code!r}")
        level = self.levels[depth[0]]
        i = int(index[0])
        parent = None
        if depth[0] > 0:
            parent = str(self.levels[depth[0] - 1].codes[level.parent[i]])
        attrs_ = {k: str(v[i]) for k, v in level.attributes.items()}
        return Unit(
            level=level.name,
            code=str(level.codes[i]),
            name=str(level.names[i]),
            parent=parent,
            name_hi=str(level.names_hi[i]),
            lgd_code=attrs_.pop("lgd_code", ""),
            officer=attrs_.pop("officer", ""),
            extra=attrs_,
        )

    def children(self, code: str) -> tuple[str, ...]:
        """Codes of the units directly below the unit ``code``."""
        depth, index = self.locate([code])
        if depth[0] < 0:
            raise HierarchyError(f"code must name a unit of the hierarchy; got {code!r}")
        if depth[0] + 1 >= len(self.levels):
            return ()
        below = self.levels[depth[0] + 1]
        return tuple(below.codes[below.parent == index[0]].tolist())

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], levels: Sequence[str]) -> Hierarchy:
        """Read a hierarchy from a CSV (or ``.xlsx``, or ``.parquet``: the ``parquet`` extra)
        with columns ``level,code,name,parent``.

        Optional columns ``name_hi``, ``lgd_code`` and ``officer`` and any further column are
        kept as string attributes. ``levels`` gives the level order, top first (usually
        ``framework.levels``).

        Raises:
            InputError: the file cannot be read or lacks a required column.
            HierarchyError: the rows do not form a tree of ``levels`` (every problem is listed
                with its file, row, column and value).
        """
        return cls.from_table(read_table(path), levels)

    @classmethod
    def from_table(cls, table: Table, levels: Sequence[str]) -> Hierarchy:
        """Build a hierarchy from a :class:`~egov_score.io.table.Table` (see :meth:`from_csv`).

        A level whose units are consecutive rows holds views of the table's columns, not
        copies: do not change the table's arrays while the hierarchy is in use."""
        table.require(*_CORE_COLUMNS)
        table.require_rows("units table")
        return _build(table, tuple(levels))

    @classmethod
    def from_frame(
        cls, frame: object, levels: Sequence[str], *, source: str | None = None
    ) -> Hierarchy:
        """Build a hierarchy from a pandas DataFrame, a polars DataFrame or a pyarrow Table
        with the columns of :meth:`from_csv` (see :mod:`egov_score.io.frames`).

        Every column is read as text (a null is an empty cell, a number its plain text), and
        checked as :meth:`from_csv` checks a file, with the same messages; rows are named by
        their position, counted from 0.

        Args:
            frame: the units, one row each.
            levels: the level order, top first (usually ``framework.levels``).
            source: the name messages give the frame (default ``<pandas DataFrame>`` etc.).

        Raises:
            InputError: ``frame`` is not a frame, or lacks a required column.
            HierarchyError: as :meth:`from_csv`.
        """
        return cls.from_table(frame_table(frame, source=source), levels)

    @classmethod
    def from_units(cls, units: Iterable[Unit], levels: Sequence[str]) -> Hierarchy:
        """Build a hierarchy from records (:class:`District`, :class:`Block`, ... or :class:`Unit`).

        Raises:
            HierarchyError: as :meth:`from_csv`, naming records by their position (1-based).
        """
        units = list(units)
        extra_keys = sorted({k for u in units for k in u.extra})
        data: dict[str, list[object]] = {
            "level": [u.level for u in units],
            "code": [u.code for u in units],
            "name": [u.name for u in units],
            "parent": [u.parent or "" for u in units],
            "name_hi": [u.name_hi for u in units],
            "lgd_code": [u.lgd_code for u in units],
            "officer": [u.officer for u in units],
        }
        for key in extra_keys:
            data[key] = [u.extra.get(key, "") for u in units]
        return _build(Table.from_mapping(data, source="<units>"), tuple(levels))


def _rows(table: Table, mask: npt.NDArray[np.bool_]) -> IntArray:
    return table.rows[mask]


def _rows_taken(rows: IntArray) -> IntArray | slice:
    """The rows of a level: a slice where they follow one another (a file listing each
    level's units together), so its columns are views, not copies of a million cells."""
    if len(rows) and int(rows[-1]) - int(rows[0]) == len(rows) - 1:
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


def _cut(column: StrArray, take: IntArray | slice) -> StrArray:
    """A level's cells of a table column, read-only: a view of the column for a slice (the
    level shares the table's memory), else a copy."""
    return readonly(column[take])


def _check_levels(levels: tuple[str, ...]) -> None:
    if not levels:
        raise HierarchyError("levels must name at least one level; got none")
    if len(set(levels)) != len(levels):
        raise HierarchyError(f"levels must be distinct; got {list(levels)!r}")


def _in_cycle(parent_row: IntArray, depth: IntArray) -> npt.NDArray[np.bool_]:
    """Which rows are in or under a cycle of parents (their ancestor chain never reaches a
    unit without a parent). When every row with a parent sits one known level below it, the
    levels fall along every chain and none can loop: no search is needed. Otherwise pointer
    jumping: log2(n) vectorised steps, not a walk per unit."""
    n = len(parent_row)
    linked = parent_row >= 0
    if not n or not linked.any():
        return np.zeros(n, dtype=bool)
    child = depth[linked]
    if bool(((child >= 0) & (depth[parent_row[linked]] == child - 1)).all()):
        return np.zeros(n, dtype=bool)
    anc = np.where(linked, parent_row, np.arange(n))
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2)))) + 1)):
        anc = anc[anc]
    in_cycle: npt.NDArray[np.bool_] = parent_row[anc] >= 0
    return in_cycle


def _build(table: Table, levels: tuple[str, ...]) -> Hierarchy:
    _check_levels(levels)
    src = table.source
    level_col, code, name = table.columns["level"], table.columns["code"], table.columns["name"]
    parent = table.columns["parent"]
    problems: list[str] = []

    for col, arr in (("level", level_col), ("code", code), ("name", name)):
        for r in _rows(table, arr == ""):
            problems.append(f"row {r}, column {col!r}: a value is required; got ''")

    depth = np.full(table.n_rows, -1, dtype=np.intp)
    for d, lv in enumerate(levels):
        depth[level_col == lv] = d
    unknown = (depth < 0) & (level_col != "")
    for r, v in zip(_rows(table, unknown), level_col[unknown].tolist(), strict=True):
        problems.append(
            f"row {r}, column 'level': level must be one of {list(levels)!r}; got {str(v)!r}"
        )

    # Duplicate codes: sort once, compare neighbours (integer keys where the codes have them:
    # equal exactly when the codes are, 0 only for an empty code).
    order, keys = _order_and_keys(code)
    if len(code) > 1:
        ordered = code[order] if keys is None else keys[order]
        same = (ordered[1:] == ordered[:-1]) & (ordered[1:] != ordered.dtype.type())
        for i in np.flatnonzero(same):
            first, second = table.rows[order[i]], table.rows[order[i + 1]]
            problems.append(
                f"row {second}, column 'code': codes must be unique across the hierarchy; "
                f"got {str(code[order[i]])!r} again (first at row {first})"
            )

    # Parent lookup among all rows.
    has_parent = parent != ""
    parent_row = _lookup(code, order, parent, keys)
    parent_row[~has_parent] = -1
    missing = has_parent & (parent_row < 0)
    for r, v in zip(_rows(table, missing), parent[missing].tolist(), strict=True):
        problems.append(f"row {r}, column 'parent': parent must be a code in the file; got {v!r}")

    in_cycle = _in_cycle(parent_row, depth)
    for r, c in zip(_rows(table, in_cycle), code[in_cycle].tolist(), strict=True):
        problems.append(
            f"row {r}, column 'parent': the parent chain must end at a top-level unit; "
            f"unit {str(c)!r} is in a cycle"
        )

    known = depth >= 0
    top = known & (depth == 0)
    root_with_parent = top & has_parent
    for r, v in zip(_rows(table, root_with_parent), parent[root_with_parent].tolist(), strict=True):
        problems.append(
            f"row {r}, column 'parent': a {levels[0]!r} unit is on the top level and must have "
            f"no parent; got {v!r}"
        )
    orphan = known & (depth > 0) & ~has_parent
    for r, lv in zip(_rows(table, orphan), level_col[orphan].tolist(), strict=True):
        problems.append(f"row {r}, column 'parent': a {str(lv)!r} unit must have a parent; got ''")

    linked = known & (depth > 0) & (parent_row >= 0) & ~in_cycle
    wrong = np.zeros(table.n_rows, dtype=bool)
    wrong[linked] = depth[parent_row[linked]] != depth[linked] - 1
    for i in np.flatnonzero(wrong):
        want = levels[depth[i] - 1]
        p = parent_row[i]
        got = str(level_col[p])
        problems.append(
            f"row {table.rows[i]}, column 'parent': the parent of a {levels[depth[i]]!r} unit must "
            f"be a {want!r} unit; got {str(parent[i])!r}, a {got!r} unit (row {table.rows[p]})"
        )

    if problems:
        raise HierarchyError(format_problems(problems, f"{src}: not a valid hierarchy"))

    extras = [c for c in table.header if c not in _CORE_COLUMNS and c != "name_hi"]
    built: list[Level] = []
    position = np.full(table.n_rows, -1, dtype=np.intp)
    for d, lv in enumerate(levels):
        rows = np.flatnonzero(depth == d)
        position[rows] = np.arange(len(rows))
        par = position[parent_row[rows]] if d > 0 else np.full(len(rows), -1, dtype=np.intp)
        names_hi = table.columns.get("name_hi")
        take = _rows_taken(rows)
        built.append(
            Level(
                name=lv,
                codes=_cut(code, take),
                names=_cut(name, take),
                names_hi=_cut(names_hi, take) if names_hi is not None else np.full(len(rows), ""),
                parent=readonly(par.astype(np.intp)),
                attributes={c: _cut(table.columns[c], take) for c in extras},
            )
        )
    return Hierarchy(tuple(built))
