"""What a scoring run returns: columns per level, a unit's breakdown, diagnostics, provenance."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq, columns_eq
from egov_score.exceptions import InputError
from egov_score.io.frames import IntColumn, OutColumn, to_frame
from egov_score.io.parquet import write_parquet
from egov_score.io.table import IndexedText, path_inside, safe_file_names, write_csv
from egov_score.io.xlsx import write_xlsx
from egov_score.model.framework import Framework
from egov_score.model.plausibility import Problem

__all__ = [
    "DIAGNOSTIC_KINDS",
    "NORMALISATION_CHOICES",
    "TREATED_LABELS",
    "Diagnostic",
    "LevelResult",
    "Provenance",
    "Result",
    "UnitCodes",
    "UnitScore",
]

RankArray = npt.NDArray[np.int64]

#: What a :class:`Diagnostic` may report.
DIAGNOSTIC_KINDS = (
    "constant_indicator",
    "division_by_zero",
    "insufficient_data",
    "missing_field",
    "dropped_rows",
    "no_data",
    "imputed",
    "treated",
    "screened_out",
    "pca_weights",
    "no_peers",
    "undefined_normalisation",
    "division_by_zero_below",
)
#: What outlier treatment did to a cell, by the int8 code of :attr:`LevelResult.treated`.
TREATED_LABELS = ("", "winsorised_high", "winsorised_low", "transformed", "trimmed")
#: Whose peers normalise a panel: each period's own units, or every period's together.
NORMALISATION_CHOICES = ("period", "global")


def _require_text(record: str, **values: object) -> None:
    for key, value in values.items():
        if not isinstance(value, str):
            raise InputError(f"{key} must be a string; got {value!r} for {record}")


class UnitCodes(Sequence[str]):
    """The codes of the units a :class:`Diagnostic` names, read as a tuple of strings is read
    (length, items, slices, iteration, ``==``, ``<``, hashing, ``+``): the engine's
    diagnostics give them so, and they equal the tuple of the same codes.

    The codes are taken from a level's code column at the given rows only when first read:
    a run names hundreds of thousands of units in its diagnostics (every machine whose rate
    divides by zero), and building a Python string for each would cost a million-machine
    run a tenth of its time, whether anyone reads them or not.

    Args:
        codes: the level's unit codes.
        rows: the positions of the units named, in ``codes``.
    """

    __slots__ = ("_codes", "_rows", "_tuple")

    def __init__(self, codes: StrArray, rows: IntArray) -> None:
        self._codes = codes
        self._rows = np.asarray(rows, dtype=np.intp)
        self._tuple: tuple[str, ...] | None = None

    def as_tuple(self) -> tuple[str, ...]:
        """The codes as a tuple (built once)."""
        if self._tuple is None:
            self._tuple = tuple(self._codes[self._rows].tolist())
        return self._tuple

    def first(self, k: int) -> tuple[str, ...]:
        """The first ``k`` codes, without building the others."""
        return tuple(self._codes[self._rows[:k]].tolist())

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        return self.as_tuple()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_tuple())

    def __contains__(self, code: object) -> bool:
        return code in self.as_tuple()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UnitCodes | tuple):
            return self.as_tuple() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __lt__(self, other: object) -> bool:
        if isinstance(other, UnitCodes | tuple):
            return self.as_tuple() < tuple(other)
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, UnitCodes | tuple):
            return self.as_tuple() <= tuple(other)
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, UnitCodes | tuple):
            return self.as_tuple() > tuple(other)
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, UnitCodes | tuple):
            return self.as_tuple() >= tuple(other)
        return NotImplemented

    def __add__(self, other: object) -> tuple[str, ...]:
        if isinstance(other, UnitCodes | tuple):
            return self.as_tuple() + tuple(other)
        return NotImplemented

    def __radd__(self, other: object) -> tuple[str, ...]:
        if isinstance(other, tuple):
            return other + self.as_tuple()
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self.as_tuple())

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnitCodes, (self._codes[self._rows], np.arange(len(self._rows))))


@attrs.frozen(kw_only=True)
class Diagnostic:
    """Something the run noticed that a reader should know.

    Attributes:
        kind: ``constant_indicator``, ``division_by_zero``, ``insufficient_data``,
            ``missing_field``, ``dropped_rows``, ``no_data`` (a scheme's tables hold no rows
            for the period scored), ``imputed``, ``treated`` (outliers) or ``screened_out``
            (too little data to be scored), ``pca_weights`` (the weights PCA gave a group on a
            level, or why it could not).
        level: the level it concerns ("" if none).
        code: the indicator, group or field it concerns ("" if none).
        units: the codes of the units concerned: a tuple, or from the engine a
            :class:`UnitCodes`, which reads as (and equals) the tuple.
        message: a sentence for people.
        period: the period it concerns ("" for all).
    """

    kind: str
    level: str
    code: str
    units: tuple[str, ...] | UnitCodes
    message: str
    period: str = ""

    def __attrs_post_init__(self) -> None:
        who = f"a diagnostic on {self.code!r}"
        if self.kind not in DIAGNOSTIC_KINDS:
            raise InputError(
                f"kind must be one of {list(DIAGNOSTIC_KINDS)!r}; got {self.kind!r} for {who}"
            )
        _require_text(
            who, level=self.level, code=self.code, message=self.message, period=self.period
        )
        if not isinstance(self.units, tuple | UnitCodes):
            raise InputError(f"units must be a tuple of unit codes; got {self.units!r} for {who}")


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a result came from.

    Attributes:
        version: the egov_score version that computed it.
        framework_digest: SHA-256 of the framework's content.
        period: the period scored.
        plugins: names of the plugins that took part.
        sources: the input files or descriptions.
        normalisation: ``"period"`` (peers of the same period) or ``"global"`` (peers of
            every period of a panel).
    """

    version: str
    framework_digest: str
    period: str
    plugins: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    normalisation: str = "period"

    def __attrs_post_init__(self) -> None:
        who = f"the provenance of period {self.period!r}"
        if self.normalisation not in NORMALISATION_CHOICES:
            raise InputError(
                f"normalisation must be one of {list(NORMALISATION_CHOICES)!r}; "
                f"got {self.normalisation!r} for {who}"
            )
        _require_text(
            who, version=self.version, framework_digest=self.framework_digest, period=self.period
        )
        for key, items in (("plugins", self.plugins), ("sources", self.sources)):
            if not isinstance(items, tuple) or not all(isinstance(x, str) for x in items):
                raise InputError(f"{key} must be a tuple of strings; got {items!r} for {who}")


def _optional_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))


_optional_eq = attrs.cmp_using(eq=_optional_equal)


@attrs.frozen(kw_only=True)
class LevelResult:
    """Every column computed for the units of one level.

    Ranks are int64 with 0 meaning unranked (a missing score). ``band`` is an index into
    ``band_labels``, -1 where the composite is missing. ``parent_level_codes`` are the codes of
    the level above (empty on the top level).

    Data preparation, where the framework declares it: ``imputed`` holds, per imputed
    indicator, True where its value is an estimate (the indicator column then holds the
    estimate); ``treated``, per treated indicator, an int8 code per unit indexing
    :data:`TREATED_LABELS` (0: untouched); ``screened_out`` is True where a unit had too little
    data to be scored (its normalised columns are missing).

    Two level results are equal when all their columns are, those computed when read included
    (comparing computes them). A pickled level result carries every column, computed.
    """

    level: str
    codes: StrArray = attrs.field(eq=array_eq)
    names: StrArray = attrs.field(eq=array_eq)
    names_hi: StrArray = attrs.field(eq=array_eq)
    parent: IntArray = attrs.field(eq=array_eq)
    parent_level_codes: StrArray = attrs.field(eq=array_eq, repr=False)
    fields: Mapping[str, FloatArray] = attrs.field(eq=columns_eq)
    indicators: Mapping[str, FloatArray] = attrs.field(eq=columns_eq)
    normalised: Mapping[str, FloatArray] = attrs.field(eq=columns_eq)
    groups: Mapping[str, FloatArray] = attrs.field(eq=columns_eq)
    group_coverage: Mapping[str, FloatArray] = attrs.field(eq=columns_eq)
    group_ranks: Mapping[str, RankArray] = attrs.field(eq=columns_eq)
    group_ranks_in_parent: Mapping[str, RankArray] = attrs.field(eq=columns_eq)
    score: FloatArray = attrs.field(eq=array_eq)
    rank: RankArray = attrs.field(eq=array_eq)
    rank_in_parent: RankArray = attrs.field(eq=array_eq)
    band: IntArray = attrs.field(eq=array_eq)
    band_labels: tuple[str, ...]
    coverage: FloatArray = attrs.field(eq=array_eq)
    imputed: Mapping[str, npt.NDArray[np.bool_]] = attrs.field(factory=dict, eq=columns_eq)
    treated: Mapping[str, npt.NDArray[np.int8]] = attrs.field(factory=dict, eq=columns_eq)
    screened_out: npt.NDArray[np.bool_] | None = attrs.field(default=None, eq=_optional_eq)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.level, str) or not self.level:
            raise InputError(f"a result's level must be a non-empty string; got {self.level!r}")
        n = len(self.codes)
        for key in (
            "names",
            "names_hi",
            "parent",
            "score",
            "rank",
            "rank_in_parent",
            "band",
            "coverage",
        ):
            shape = np.shape(getattr(self, key))
            if shape != (n,):
                raise InputError(
                    f"{key} must hold one value per unit ({n}, as codes); got shape {shape!r} "
                    f"for level {self.level!r}"
                )

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def parent_codes(self) -> StrArray:
        """The parent's code of every unit ("" on the top level); built when asked for."""
        if len(self.parent_level_codes) == 0:
            return np.full(len(self.codes), "", dtype=np.str_)
        return self.parent_level_codes[self.parent]

    def band_of(self, i: int) -> str:
        """The band label of unit ``i`` ("" where its composite is missing)."""
        b = int(self.band[i])
        return self.band_labels[b] if b >= 0 else ""

    @property
    def band_label(self) -> StrArray:
        """The band's label of every unit ("" where the composite is missing); built when asked
        for, so a million machines do not carry a million strings."""
        labels = np.array([*self.band_labels, ""], dtype=np.str_)
        return labels[self.band]

    @property
    def imputed_count(self) -> npt.NDArray[np.int64]:
        """How many of each unit's indicators are imputed estimates (0 without imputation)."""
        count = np.zeros(len(self.codes), dtype=np.int64)
        for flags in self.imputed.values():
            count += flags
        return count

    @property
    def insufficient(self) -> npt.NDArray[np.bool_]:
        """True where the composite is missing ("insufficient data")."""
        return np.isnan(self.score)

    def table(self) -> dict[str, npt.NDArray[Any]]:
        """The level as output columns: ``code,name,parent,score,rank,rank_in_parent,band,
        coverage``, then one column per group, one per indicator and one ``<code>_norm`` per
        indicator; where the framework prepares the data, ``screened_out``, ``imputed_count``,
        ``<code>_imputed`` (0/1) per imputed indicator and ``<code>_treated`` (a
        :data:`TREATED_LABELS` label) per treated indicator."""
        return self._columns(_blank_unranked(self.rank), _blank_unranked(self.rank_in_parent))

    def _columns(
        self, rank: OutColumn, rank_in_parent: OutColumn, *, parent: Any = None, band: Any = None
    ) -> dict[str, Any]:
        """The output columns, with the two rank columns as given (and the parent's code and
        the band, when given)."""
        cols: dict[str, Any] = {
            "code": self.codes,
            "name": self.names,
            "parent": self.parent_codes if parent is None else parent,
            "score": self.score,
            "rank": rank,
            "rank_in_parent": rank_in_parent,
            "band": self.band_label if band is None else band,
            "coverage": self.coverage,
        }
        cols.update(self.groups)
        cols.update(self.indicators)
        cols.update({f"{code}_norm": v for code, v in self.normalised.items()})
        if self.screened_out is not None:
            cols["screened_out"] = self.screened_out.astype(np.int8)
        if self.imputed:
            cols["imputed_count"] = self.imputed_count
        cols.update({f"{code}_imputed": v.astype(np.int8) for code, v in self.imputed.items()})
        labels = np.array(TREATED_LABELS, dtype=np.str_)
        cols.update({f"{code}_treated": labels[v] for code, v in self.treated.items()})
        return cols

    def frame_columns(self) -> dict[str, OutColumn]:
        """The columns of :meth:`table` as typed columns: text, float64 (NaN missing) and
        ranks as :class:`~egov_score.io.frames.IntColumn` (unranked missing), as
        :meth:`to_frame` and Parquet files hold them."""
        return self._columns(
            IntColumn(self.rank, self.rank <= 0),
            IntColumn(self.rank_in_parent, self.rank_in_parent <= 0),
        )

    def to_frame(self, kind: str = "pandas") -> Any:
        """The level as a frame: ``"pandas"``, ``"polars"`` or ``"arrow"`` (a pyarrow Table).

        The columns of :meth:`table`, under the same names: scores, coverage, groups,
        indicators and normalised values as float64 (missing: NaN in pandas, null in polars
        and arrow), ``rank`` and ``rank_in_parent`` as integers with a missing value where a
        unit is unranked (pandas ``Int64``, polars ``Int64``, arrow ``int64``), codes, names,
        the parent and the band as text (missing where empty).

        Raises:
            InputError: ``kind`` is unknown or its library is not installed (the message
                names the extra).
        """
        return to_frame(self.frame_columns(), kind)


#: The number format of scores in a workbook: one decimal shown, the full number kept.
SCORE_FORMAT = "0.0"
#: The number format of coverage (a share of 0-1) in a workbook.
COVERAGE_FORMAT = "0.00"
#: The name of the notes sheet of :meth:`Result.write_xlsx`.
NOTES_SHEET = "notes"


def _ranked_table(lv: LevelResult) -> dict[str, npt.NDArray[Any]]:
    """The columns of :meth:`LevelResult.table`, ranks as whole numbers (unranked empty): the
    same cells, written faster than ranks as text."""
    cols = lv.table()
    for key, ranks in (("rank", lv.rank), ("rank_in_parent", lv.rank_in_parent)):
        cols[key] = np.ma.masked_array(ranks, mask=ranks <= 0)
    return cols


def _csv_columns(lv: LevelResult) -> dict[str, Any]:
    """The columns of :meth:`LevelResult.table` as the CSV writer takes them: ranks as whole
    numbers (unranked empty), the parent's code and the band as labels indexed per unit
    (:class:`~egov_score.io.table.IndexedText`). The same cells, written faster than ranks,
    codes and labels as a string per unit."""
    parent = IndexedText(lv.parent_level_codes, lv.parent) if len(lv.parent_level_codes) else None
    return lv._columns(
        np.ma.masked_array(lv.rank, mask=lv.rank <= 0),
        np.ma.masked_array(lv.rank_in_parent, mask=lv.rank_in_parent <= 0),
        parent=parent,
        band=IndexedText(np.array([*lv.band_labels, ""], dtype=np.str_), lv.band),
    )


def _blank_unranked(ranks: RankArray) -> npt.NDArray[np.str_]:
    return np.where(ranks > 0, ranks.astype(np.str_), "")


@attrs.frozen(kw_only=True)
class UnitScore:
    """One unit's full breakdown (a record for reports and APIs).

    ``estimated`` names the indicators whose value is an imputed estimate, ``treated`` what
    outlier treatment did to an indicator (a :data:`TREATED_LABELS` label) where it did
    something, and ``screened_out`` whether the unit had too little data to be scored; they
    are empty without data preparation (``docs/analysis.md``).
    """

    level: str
    code: str
    name: str
    name_hi: str
    parent: str
    score: float
    rank: int
    rank_in_parent: int
    band: str
    coverage: float
    fields: Mapping[str, float]
    indicators: Mapping[str, float]
    normalised: Mapping[str, float]
    groups: Mapping[str, float]
    group_ranks: Mapping[str, tuple[int, int]]
    estimated: tuple[str, ...] = ()
    treated: Mapping[str, str] = attrs.field(factory=dict)
    screened_out: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise InputError(f"a unit score's code must be a non-empty string; got {self.code!r}")
        for key in ("rank", "rank_in_parent"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(
                    f"{key} must be a whole number >= 0 (0 = unranked); got {value!r} for unit "
                    f"{self.code!r}"
                )

    @property
    def insufficient(self) -> bool:
        """True if the composite is missing for lack of data."""
        return bool(np.isnan(self.score))

    def to_dict(self) -> dict[str, Any]:
        """The breakdown as JSON-ready data (missing numbers as None)."""

        def num(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        return {
            "level": self.level,
            "code": self.code,
            "name": self.name,
            "name_hi": self.name_hi,
            "parent": self.parent,
            "score": num(self.score),
            "rank": self.rank or None,
            "rank_in_parent": self.rank_in_parent or None,
            "band": self.band or None,
            "coverage": num(self.coverage),
            "fields": {k: num(v) for k, v in self.fields.items()},
            "indicators": {k: num(v) for k, v in self.indicators.items()},
            "normalised": {k: num(v) for k, v in self.normalised.items()},
            "groups": {k: num(v) for k, v in self.groups.items()},
            "group_ranks": {
                k: {"rank": r or None, "rank_in_parent": p or None}
                for k, (r, p) in self.group_ranks.items()
            },
        }


@attrs.frozen(kw_only=True)
class Result:
    """The outcome of one scoring run: one :class:`LevelResult` per level, top first.

    ``rejected`` lists the input cells the run set aside as implausible (``drop_bad_rows``),
    each with its file, row, column, value and rule.
    """

    levels: tuple[LevelResult, ...]
    framework: Framework = attrs.field(eq=False, repr=False)
    diagnostics: tuple[Diagnostic, ...]
    provenance: Provenance
    rejected: tuple[Problem, ...] = ()

    def __attrs_post_init__(self) -> None:
        who = f"the result of period {getattr(self.provenance, 'period', None)!r}"
        for key, items, kind in (
            ("levels", self.levels, LevelResult),
            ("diagnostics", self.diagnostics, Diagnostic),
            ("rejected", self.rejected, Problem),
        ):
            if not isinstance(items, tuple) or not all(isinstance(x, kind) for x in items):
                raise InputError(
                    f"{key} must be a tuple of {kind.__name__} records; got {items!r} for {who}"
                )
        if not isinstance(self.provenance, Provenance):
            raise InputError(f"provenance must be a Provenance; got {self.provenance!r}")
        if not isinstance(self.framework, Framework):
            raise InputError(f"framework must be a Framework; got {self.framework!r} for {who}")

    @property
    def period(self) -> str:
        """The period scored."""
        return self.provenance.period

    def level(self, name: str) -> LevelResult:
        """The result of level ``name``.

        Raises:
            InputError: no such level.
        """
        for lv in self.levels:
            if lv.level == name:
                return lv
        names = [lv.level for lv in self.levels]
        raise InputError(f"level must be one of {names!r}; got {name!r}")

    def unit(self, code: str) -> UnitScore:
        """The full breakdown of the unit with this code.

        Raises:
            InputError: no unit has this code.
        """
        for lv in self.levels:
            hits = np.flatnonzero(lv.codes == code)
            if len(hits):
                return _unit_score(lv, int(hits[0]))
        raise InputError(f"code must name a scored unit; got {code!r}")

    def diagnostics_of(self, kind: str) -> tuple[Diagnostic, ...]:
        """The diagnostics of one kind."""
        return tuple(d for d in self.diagnostics if d.kind == kind)

    def write_csv(self, out_dir: str | os.PathLike[str], *, bom: bool = True) -> list[Path]:
        """Write ``<level>.csv`` for every level into ``out_dir`` (created if needed); a level
        name that is not a plain file name is made one (:func:`~egov_score.io.table.
        safe_file_names`), so every file lands inside ``out_dir``. Each file starts with a
        UTF-8 byte-order mark for Excel unless ``bom=False``
        (:func:`~egov_score.io.table.write_csv`).

        Returns:
            The paths written, top level first.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        names = safe_file_names([lv.level for lv in self.levels])
        for lv, name in zip(self.levels, names, strict=True):
            path = path_inside(out, f"{name}.csv")
            write_csv(path, _csv_columns(lv), bom=bom)
            paths.append(path)
        return paths

    def write_parquet(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write ``<level>.parquet`` for every level into ``out_dir`` (created if needed), with
        the columns of :meth:`write_csv` typed as in :meth:`LevelResult.to_frame`; through
        pyarrow or polars (the ``parquet`` extra). File names as in :meth:`write_csv`.

        Returns:
            The paths written, top level first.

        Raises:
            InputError: neither pyarrow nor polars is installed.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        names = safe_file_names([lv.level for lv in self.levels])
        return [
            write_parquet(path_inside(out, f"{name}.parquet"), lv.frame_columns())
            for lv, name in zip(self.levels, names, strict=True)
        ]

    def to_frame(self, kind: str = "pandas") -> Any:
        """Every level in one frame, top level first, with a ``level`` column before the
        columns of :meth:`LevelResult.to_frame` (a column a level lacks, such as a group
        pruned there, is missing on its rows). One level: ``result.level(name).to_frame()``.

        Raises:
            InputError: ``kind`` is unknown or its library is not installed.
        """
        per_level = [lv.frame_columns() for lv in self.levels]
        sizes = [len(lv) for lv in self.levels]
        names = list(dict.fromkeys(k for cols in per_level for k in cols))
        out: dict[str, OutColumn] = {
            "level": np.repeat(np.array([lv.level for lv in self.levels], dtype=np.str_), sizes)
        }
        for name in names:  # a loop over columns, each joined across the levels
            parts = [cols.get(name) for cols in per_level]
            out[name] = _joined(parts, sizes)
        return to_frame(out, kind)

    def notes(self) -> dict[str, list[str]]:
        """The run's provenance as ``item,value`` rows: framework name and digest, period,
        normalisation, version, plugins, sources, the rejected-cell count and one row per
        diagnostic (its kind as the item, its message as the value)."""
        prov = self.provenance
        items = [
            ("framework", self.framework.name),
            ("framework_digest", prov.framework_digest),
            ("period", prov.period),
            ("normalisation", prov.normalisation),
            ("egov_score_version", prov.version),
            ("plugins", ", ".join(prov.plugins)),
            ("sources", ", ".join(prov.sources)),
            ("rejected_cells", str(len(self.rejected))),
            *((f"diagnostic: {d.kind}", d.message) for d in self.diagnostics),
        ]
        return {"item": [k for k, _ in items], "value": [v for _, v in items]}

    def write_xlsx(self, path: str | os.PathLike[str]) -> Path:
        """Write the score tables as one Excel workbook (the ``excel`` extra).

        One sheet per level, top first (names made safe for Excel:
        :func:`~egov_score.io.xlsx.sheet_names`), with the columns of :meth:`write_csv`: ranks
        as whole numbers (unranked: an empty cell), scores, groups, coverage, indicators and
        normalised values shown with one decimal (coverage with two) while the cell keeps the
        number; then a
        ``notes`` sheet (:meth:`notes`). The header row is frozen; text is never a formula.

        Returns:
            The path written.

        Raises:
            InputError: the ``excel`` extra is missing, or a level is too large for a sheet.
        """
        sheets, formats = self.xlsx_sheets()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        return write_xlsx(out, sheets, number_formats=formats)

    def xlsx_sheets(self) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
        """The sheets of :meth:`write_xlsx` (sheet name -> column name -> column) and the
        columns' number formats, for :func:`~egov_score.io.xlsx.write_xlsx`."""
        sheets: dict[str, Mapping[str, Any]] = {}
        names = [lv.level for lv in self.levels]
        for lv, name in zip(self.levels, names, strict=True):
            sheets[name] = _ranked_table(lv)
        formats = {
            k: SCORE_FORMAT
            for lv in self.levels
            for k, v in lv.table().items()
            if np.asarray(v).dtype.kind == "f"
        }
        formats["coverage"] = COVERAGE_FORMAT
        if NOTES_SHEET in {n.casefold() for n in names}:
            sheets = {**sheets, f"{NOTES_SHEET} (run)": self.notes()}
        else:
            sheets[NOTES_SHEET] = self.notes()
        return sheets, formats


def _joined(parts: list[OutColumn | None], sizes: list[int]) -> OutColumn:
    """One column over every level; a level without it holds missing cells."""
    if any(isinstance(p, IntColumn) for p in parts):
        ints = [p if isinstance(p, IntColumn) else None for p in parts]
        return IntColumn(
            np.concatenate(
                [
                    p.values if p is not None else np.zeros(n, np.int64)
                    for p, n in zip(ints, sizes, strict=True)
                ]
            ),
            np.concatenate(
                [
                    p.missing if p is not None else np.ones(n, bool)
                    for p, n in zip(ints, sizes, strict=True)
                ]
            ),
        )
    arrays = [np.asarray(p) for p in parts if p is not None]
    text = any(a.dtype.kind not in "fiub" for a in arrays)
    filler = (lambda n: np.full(n, "", dtype=np.str_)) if text else (lambda n: np.full(n, np.nan))
    joined = [
        np.asarray(p) if p is not None else filler(n) for p, n in zip(parts, sizes, strict=True)
    ]
    return np.concatenate([j.astype(np.str_) if text else j.astype(np.float64) for j in joined])


def _unit_score(lv: LevelResult, i: int) -> UnitScore:
    return UnitScore(
        level=lv.level,
        code=str(lv.codes[i]),
        name=str(lv.names[i]),
        name_hi=str(lv.names_hi[i]),
        parent=str(lv.parent_level_codes[lv.parent[i]]) if lv.parent[i] >= 0 else "",
        score=float(lv.score[i]),
        rank=int(lv.rank[i]),
        rank_in_parent=int(lv.rank_in_parent[i]),
        band=lv.band_of(i),
        coverage=float(lv.coverage[i]),
        fields={k: float(v[i]) for k, v in lv.fields.items()},
        indicators={k: float(v[i]) for k, v in lv.indicators.items()},
        normalised={k: float(v[i]) for k, v in lv.normalised.items()},
        groups={k: float(v[i]) for k, v in lv.groups.items()},
        group_ranks={
            k: (int(lv.group_ranks[k][i]), int(lv.group_ranks_in_parent[k][i])) for k in lv.groups
        },
        estimated=tuple(k for k, flags in lv.imputed.items() if flags[i]),
        treated={k: TREATED_LABELS[int(c[i])] for k, c in lv.treated.items() if c[i]},
        screened_out=bool(lv.screened_out[i]) if lv.screened_out is not None else False,
    )
