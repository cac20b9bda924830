"""Event tables read in batches: Parquet by row group, CSV through the careful table reader.

An event table has one row per transaction and the columns :data:`REQUIRED` (others are
ignored). :func:`event_files` expands the paths given (files, or directories searched for
``*.parquet``, ``*.pq`` and ``*.csv``); :func:`read_batches` yields an :class:`EventBatch` per
batch: a Parquet file's row groups, cut into batches of at most ``batch_rows`` rows (so memory is
bounded by the batch, whatever the size of a row group), or a CSV file's rows in slices.

A batch holds its columns as arrays with a row locator for messages, nothing checked yet
(:mod:`egov_score.events` checks them against the units): machine, service and status as
distinct names and an index per row (-1 = empty or null), the timestamp as UTC seconds with a
valid mask (:func:`~egov_score.io.timestamps.parse_timestamps` for text; a Parquet timestamp
without a time zone is Asia/Kolkata local time), the amount as float64 (NaN = missing or not a
number). :func:`arrow_batch` turns any Arrow record batch into one, for engines that read
Arrow themselves.

Parquet needs pyarrow (the ``parquet`` or ``arrow`` extra), imported when a Parquet file is read.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq
from egov_score.exceptions import InputError
from egov_score.io.table import Table, closest_column, is_plain_number
from egov_score.io.timestamps import IST_OFFSET_SECONDS, in_range, parse_timestamps

__all__ = [
    "BATCH_ROWS",
    "EVENT_SUFFIXES",
    "REQUIRED",
    "EventBatch",
    "arrow_batch",
    "count_rows",
    "event_files",
    "read_batches",
    "require_arrow",
    "table_batch",
]

#: The columns every event table must have.
REQUIRED = ("machine", "timestamp", "service", "amount", "status")
#: File name endings read as event tables (Parquet, then CSV).
EVENT_SUFFIXES = (".parquet", ".pq", ".csv")
#: Rows per batch unless the caller says otherwise.
BATCH_ROWS = 1_000_000

_EXTRA = "Parquet event files need the 'parquet' extra: pip install 'egov-score[parquet]'"

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen
class EventBatch:
    """One batch of an event table, as arrays (see the module).

    Attributes:
        source: the file.
        row_group: the Parquet row group, or None for CSV.
        rows: each row's place for messages: its row within the row group (from 0) for
            Parquet, its line in the file (header = 1) for CSV.
        machines: distinct machine codes; ``machine`` indexes them (-1 = empty).
        machine: each row's machine.
        services: distinct service names; ``service`` indexes them (-1 = empty).
        service: each row's service.
        statuses: distinct status cells, as read; ``status`` indexes them (-1 = empty).
        status: each row's status.
        seconds: each row's time, UTC seconds (0 where not valid).
        timestamp_ok: whether each row's timestamp is valid.
        amount: each row's amount in rupees (NaN = missing or not a number).
        cells: the cells of a column at some positions of the batch, as text, for messages.
    """

    source: str
    row_group: int | None
    rows: IntArray = attrs.field(eq=array_eq)
    machines: StrArray = attrs.field(eq=array_eq)
    machine: IntArray = attrs.field(eq=array_eq)
    services: StrArray = attrs.field(eq=array_eq)
    service: IntArray = attrs.field(eq=array_eq)
    statuses: StrArray = attrs.field(eq=array_eq)
    status: IntArray = attrs.field(eq=array_eq)
    seconds: Int64Array = attrs.field(eq=array_eq)
    timestamp_ok: BoolArray = attrs.field(eq=array_eq)
    amount: FloatArray = attrs.field(eq=array_eq)
    cells: Callable[[str, IntArray], list[str]] = attrs.field(eq=False, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, position: int) -> str:
        """The file and place of the row at ``position``, as messages name it."""
        if self.row_group is None:
            return f"{self.source}, line {int(self.rows[position])}"
        return f"{self.source}, row group {self.row_group}, row {int(self.rows[position])}"


def require_arrow() -> Any:
    """pyarrow, or an :class:`InputError` naming the extra to install."""
    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        raise InputError(_EXTRA) from None


def event_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The event files of ``paths``: files as given, directories searched (recursively, in
    name order) for :data:`EVENT_SUFFIXES`.

    Raises:
        InputError: no path given, a path that does not exist, a file of another type, or a
            directory holding no event file.
    """
    if not paths:
        raise InputError("events must name at least one file or directory; got none")
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EVENT_SUFFIXES
            )
            if not found:
                raise InputError(
                    f"an events directory must hold .parquet, .pq or .csv files; got none in "
                    f"{str(path)!r}"
                )
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in EVENT_SUFFIXES:
                raise InputError(f"an events file must be .parquet, .pq or .csv; got {str(path)!r}")
            files.append(path)
        else:
            raise InputError(f"an events file must exist; got {str(path)!r}")
    return files


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _missing_columns(source: str, header: Sequence[str]) -> InputError | None:
    missing = [n for n in REQUIRED if n not in header]
    if not missing:
        return None
    spare = [h for h in header if h not in REQUIRED]
    hints = [
        f"; for {name!r}, did you mean {close!r}?"
        for name in missing
        if (close := closest_column(name, spare)) is not None
    ]
    return InputError(
        f"{source}: an event table must have the columns {list(REQUIRED)!r}; columns "
        f"{missing!r} are missing (the header has {list(header)!r}){''.join(hints)}"
    )


def _parquet_file(path: Path) -> Any:
    require_arrow()
    pq = importlib.import_module("pyarrow.parquet")
    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own kinds for a damaged file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: must be a readable Parquet file; got {reason}") from None


def count_rows(path: str | os.PathLike[str]) -> int | None:
    """How many rows a Parquet file has, from its footer (for a progress line); None for
    CSV."""
    path = Path(path)
    if not _is_parquet(path):
        return None
    return int(_parquet_file(path).metadata.num_rows)


def read_batches(
    path: str | os.PathLike[str], *, batch_rows: int = BATCH_ROWS
) -> Iterator[EventBatch]:
    """The batches of one event file (see the module).

    Raises:
        InputError: the file cannot be read, lacks a required column (named, with the closest
            column of the header), or a column has a type that cannot hold its values.
    """
    path = Path(path)
    if batch_rows < 1:
        raise InputError(f"batch_rows must be at least 1; got {batch_rows!r}")
    if _is_parquet(path):
        yield from _parquet_batches(path, batch_rows)
    else:
        yield from _csv_batches(path, batch_rows)


def _parquet_batches(path: Path, batch_rows: int) -> Iterator[EventBatch]:
    pf = _parquet_file(path)
    names = list(pf.schema_arrow.names)
    missing = _missing_columns(str(path), names)
    if missing is not None:
        raise missing
    for group in range(pf.num_row_groups):
        first = 0
        for batch in pf.iter_batches(
            batch_size=batch_rows, row_groups=[group], columns=list(REQUIRED)
        ):
            yield arrow_batch(batch, source=str(path), row_group=group, first_row=first)
            first += batch.num_rows


#: The text columns, held as distinct names and an index per row.
_TEXT = ("machine", "service", "status")


def _text_fields(texts: dict[str, tuple[StrArray, IntArray]]) -> dict[str, Any]:
    """:class:`EventBatch` fields of the coded text columns (``machines``, ``machine``, ...)."""
    fields: dict[str, Any] = {}
    for name, (names, codes) in texts.items():
        fields[f"{name}s" if name != "status" else "statuses"] = names
        fields[name] = codes
    return fields


# --- Arrow columns -----------------------------------------------------------------------------


def _coded(pa: Any, pc: Any, column: Any, source: str, name: str) -> tuple[StrArray, IntArray]:
    """Distinct text values and an index per row (-1 for null or empty) of an Arrow column."""
    # A dictionary column is used as it is (its names may repeat: callers look names up).
    encoded = column if pa.types.is_dictionary(column.type) else None
    kind = column.type.value_type if encoded is not None else column.type
    if not (
        pa.types.is_integer(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind)
    ):
        raise InputError(
            f"{source}: column {name!r} must hold text; got Parquet type {str(kind)!r}"
        )
    if encoded is None:
        encoded = pc.dictionary_encode(column)
    dictionary = encoded.dictionary
    if pa.types.is_integer(kind):
        dictionary = dictionary.cast(pa.string())
    names = np.asarray(dictionary.to_numpy(zero_copy_only=False), dtype=np.str_)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    names = np.strings.strip(names) if len(names) else names.astype("<U1")
    empty = np.flatnonzero(np.strings.str_len(names) == 0)
    if len(empty):
        codes = np.where(np.isin(codes, empty), -1, codes)
    return names, codes


_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _arrow_seconds(pa: Any, pc: Any, column: Any, source: str) -> tuple[Int64Array, BoolArray]:
    kind = column.type
    if pa.types.is_timestamp(kind):
        valid = ~column.is_null().to_numpy(zero_copy_only=False)
        raw = column.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        seconds = np.floor_divide(raw.astype(np.int64), _PER_SECOND[kind.unit])
        if kind.tz is None:  # wall-clock time in Kolkata
            seconds = seconds - IST_OFFSET_SECONDS
        ok = valid & in_range(seconds)
        return np.where(ok, seconds, 0).astype(np.int64), ok
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column.fill_null("").to_numpy(zero_copy_only=False)
        return parse_timestamps(np.asarray(text, dtype=np.str_))
    raise InputError(
        f"{source}: column 'timestamp' must hold Parquet timestamps or ISO 8601 text; got "
        f"Parquet type {str(kind)!r}"
    )


def _text_amounts(cells: StrArray) -> FloatArray:
    """Amounts from text: plain decimal numbers, NaN for anything else."""
    plain = is_plain_number(cells)
    amounts: FloatArray = np.where(plain, cells, "nan").astype(np.float64)
    return amounts


def _arrow_amounts(pa: Any, column: Any, source: str) -> FloatArray:
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        values = column.cast(pa.float64()).fill_null(float("nan"))
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column.fill_null("").to_numpy(zero_copy_only=False)
        return _text_amounts(np.strings.strip(np.asarray(text, dtype=np.str_)))
    raise InputError(f"{source}: column 'amount' must hold numbers; got Parquet type {str(kind)!r}")


def arrow_batch(
    batch: Any, *, source: str, row_group: int | None = None, first_row: int = 0
) -> EventBatch:
    """An :class:`EventBatch` of an Arrow record batch or table with the :data:`REQUIRED`
    columns (others ignored); rows are numbered from ``first_row``.

    Raises:
        InputError: a required column is missing or has a type that cannot hold its values.
    """
    pa = require_arrow()
    pc = importlib.import_module("pyarrow.compute")
    missing = _missing_columns(source, list(batch.schema.names))
    if missing is not None:
        raise missing

    def column(name: str) -> Any:
        col = batch.column(name)
        return col.combine_chunks() if hasattr(col, "combine_chunks") else col

    texts = {name: _coded(pa, pc, column(name), source, name) for name in _TEXT}
    seconds, ok = _arrow_seconds(pa, pc, column("timestamp"), source)
    amount = _arrow_amounts(pa, column("amount"), source)
    n = batch.num_rows

    def cells(name: str, positions: IntArray) -> list[str]:
        picked = column(name).take(pa.array(np.asarray(positions, dtype=np.int64)))
        return ["" if v is None else str(v) for v in picked.to_pylist()]

    return EventBatch(
        source=source,
        row_group=row_group,
        rows=np.arange(first_row, first_row + n, dtype=np.intp),
        **_text_fields(texts),
        seconds=seconds,
        timestamp_ok=ok,
        amount=amount,
        cells=cells,
    )


# --- CSV ---------------------------------------------------------------------------------------


def _text_coded(cells: StrArray) -> tuple[StrArray, IntArray]:
    names, codes = np.unique(cells, return_inverse=True)
    codes = codes.reshape(-1).astype(np.intp)
    empty = np.flatnonzero(np.strings.str_len(names) == 0)
    if len(empty):
        codes = np.where(np.isin(codes, empty), -1, codes)
    return names.astype(np.str_), codes


def table_batch(table: Table, *, start: int = 0, stop: int | None = None) -> EventBatch:
    """An :class:`EventBatch` of rows ``start:stop`` of a table read from CSV (or Excel).

    Raises:
        InputError: a required column is missing.
    """
    missing = _missing_columns(table.source, list(table.header))
    if missing is not None:
        raise missing
    picked = slice(start, stop)
    cols = {name: np.asarray(table.columns[name][picked], dtype=np.str_) for name in REQUIRED}
    texts = {name: _text_coded(cols[name]) for name in _TEXT}
    seconds, ok = parse_timestamps(cols["timestamp"])

    def cells(name: str, positions: IntArray) -> list[str]:
        return [str(c) for c in cols[name][np.asarray(positions, dtype=np.intp)].tolist()]

    return EventBatch(
        source=table.source,
        row_group=None,
        rows=np.asarray(table.rows[picked], dtype=np.intp),
        **_text_fields(texts),
        seconds=seconds,
        timestamp_ok=ok,
        amount=_text_amounts(cols["amount"]),
        cells=cells,
    )


def _csv_batches(path: Path, batch_rows: int) -> Iterator[EventBatch]:
    table = Table.from_csv(path)
    missing = _missing_columns(table.source, list(table.header))
    if missing is not None:
        raise missing
    for start in range(0, table.n_rows, batch_rows):  # a loop over batches, not rows
        yield table_batch(table, start=start, stop=start + batch_rows)
