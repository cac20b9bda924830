"""DataFrames and Arrow tables, both ways: pandas, polars and pyarrow.

In: :func:`frame_table` turns a pandas DataFrame, a polars DataFrame or a pyarrow Table (or
RecordBatch) into a :class:`~egov_score.io.table.Table`, so a frame is checked by the same code,
with the same messages, as a CSV file. The library is told by the frame's module name: none is
imported unless a frame of it was handed in. Numeric columns are read without a copy where the
library allows it (a float64 column without nulls, in one chunk); a null is missing, as an empty
cell is; text, dates and other columns become text. Row numbers in messages are positions,
counted from 0 (``df.iloc[i]``, ``df.row(i)``, ``table.slice(i, 1)``).

Out: :func:`to_frame` turns named columns (float64, int64 with a mask of missing cells, text)
into a frame of the library asked for; integer columns keep a proper missing value (pandas
``Int64``, polars ``Int64`` with nulls, arrow ``int64`` with nulls).

Each library is an optional extra, imported when first needed: ``pandas``, ``polars``,
``arrow`` (pyarrow). A missing one is an :class:`~egov_score.exceptions.InputError` naming the
extra to install.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray
from egov_score.exceptions import InputError
from egov_score.io.polars_import import import_polars
from egov_score.io.table import Table

__all__ = [
    "FRAME_KINDS",
    "IntColumn",
    "frame_kind",
    "frame_table",
    "require_library",
    "to_frame",
]

#: The kinds of frame :func:`to_frame` builds, with the extra that installs each library.
FRAME_KINDS = {"pandas": "pandas", "polars": "polars", "arrow": "arrow"}

#: The module each kind is imported from.
_MODULES = {"pandas": "pandas", "polars": "polars", "arrow": "pyarrow"}

#: The frame classes taken in, by the top-level module that defines them.
_CLASSES = {
    "pandas": ("DataFrame",),
    "polars": ("DataFrame",),
    "pyarrow": ("Table", "RecordBatch"),
}


class IntColumn:
    """An integer column with missing cells, for :func:`to_frame`.

    Args:
        values: the int64 values (anything where ``missing``).
        missing: True where the cell is missing.
    """

    __slots__ = ("missing", "values")

    def __init__(self, values: npt.NDArray[np.int64], missing: npt.NDArray[np.bool_]) -> None:
        self.values = np.asarray(values, dtype=np.int64)
        self.missing = np.asarray(missing, dtype=bool)

    def __len__(self) -> int:
        return len(self.values)


#: A column handed to :func:`to_frame`.
OutColumn = npt.NDArray[Any] | IntColumn


def require_library(kind: str) -> Any:
    """The module of frame ``kind`` (``"pandas"``, ``"polars"`` or ``"arrow"``).

    Raises:
        InputError: ``kind`` is not one of these, or its library is not installed (the message
            names the extra to install).
    """
    if kind not in FRAME_KINDS:
        raise InputError(f"a frame kind must be one of {list(FRAME_KINDS)!r}; got {kind!r}")
    try:
        if kind == "polars":
            return import_polars()
        return importlib.import_module(_MODULES[kind])
    except ImportError:
        extra = FRAME_KINDS[kind]
        raise InputError(
            f"{kind} frames need the '{extra}' extra: pip install 'egov-score[{extra}]'"
        ) from None


def frame_kind(frame: object) -> str | None:
    """``"pandas"``, ``"polars"`` or ``"arrow"`` for a frame of that library, else None; told
    by the class's module, so no library is imported."""
    cls = type(frame)
    root = cls.__module__.partition(".")[0]
    if cls.__name__ not in _CLASSES.get(root, ()):
        return None
    return "arrow" if root == "pyarrow" else root


def _describe(frame: object) -> str:
    cls = type(frame)
    return f"{cls.__module__.partition('.')[0]}.{cls.__name__}"


def frame_table(
    frame: object, *, source: str | None = None, numeric: Collection[str] = ()
) -> Table:
    """A frame as a :class:`~egov_score.io.table.Table` (see the module).

    Args:
        frame: a pandas DataFrame, a polars DataFrame, or a pyarrow Table or RecordBatch.
        source: the name messages give the frame (default ``<pandas DataFrame>`` and so on).
        numeric: the columns to keep as numbers (the fields of a values table); the others
            are text.

    Raises:
        InputError: ``frame`` is not a frame of these libraries, a column name is not a
            string or appears twice, or a column holds something that is neither numbers nor
            text (a list, a struct).
    """
    kind = frame_kind(frame)
    if kind is None:
        raise InputError(
            "a frame must be a pandas DataFrame, a polars DataFrame or a pyarrow Table; "
            f"got {_describe(frame)}"
        )
    name = source or f"<{kind} {'Table' if kind == 'arrow' else 'DataFrame'}>"
    columns = {"pandas": _pandas_columns, "polars": _polars_columns, "arrow": _arrow_columns}[kind](
        frame, name
    )
    return Table.from_mapping(columns, source=name, numeric=numeric, first_row=0)


def _check_names(names: list[object], source: str) -> list[str]:
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise InputError(f"{source}: column names must be strings; got {bad[:10]!r}")
    dupes = sorted(str(n) for n, k in Counter(names).items() if k > 1)
    if dupes:
        raise InputError(f"{source}: column names must be unique; got {dupes!r} twice")
    return [str(n) for n in names]


def _refuse_nul(source: str, column: str, has_nul: npt.NDArray[np.bool_]) -> None:
    """Refuse a text column with a NUL character in a cell, as the CSV readers refuse one in
    a file (a fixed-width text array would silently drop a trailing NUL)."""
    rows = np.flatnonzero(has_nul)
    if len(rows):
        raise InputError(
            f"{source}: text cells must not hold a NUL character (U+0000); got one in column "
            f"{column!r}, row {int(rows[0])} (rows counted from 0)"
            + (f" and {len(rows) - 1} more" if len(rows) > 1 else "")
        )


def _not_numbers_or_text(source: str, column: str, dtype: object) -> InputError:
    return InputError(
        f"{source}: column {column!r} must hold numbers or text; got a column of type {dtype}"
    )


def _pandas_columns(df: Any, source: str) -> dict[str, npt.NDArray[Any]]:
    """pandas columns as numpy arrays: numbers as float64 (a float64 column as it is), the
    rest as objects with None where pandas sees a missing value."""
    pd = importlib.import_module("pandas")
    names = _check_names(list(df.columns), source)
    out: dict[str, npt.NDArray[Any]] = {}
    for name in names:  # a loop over columns
        s = df[name]
        dtype = s.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
            out[name] = s.to_numpy(dtype=np.float64 if dtype.kind == "f" else None, copy=False)
        elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            out[name] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            cells = s.to_numpy(dtype=object, copy=True)  # we write None into it
            cells[s.isna().to_numpy()] = None
            nul = s.astype("string").str.contains("\x00", regex=False).fillna(False)
            _refuse_nul(source, name, nul.to_numpy(dtype=bool))
            out[name] = cells
    return out


def _polars_columns(df: Any, source: str) -> dict[str, npt.NDArray[Any]]:
    """polars columns as numpy arrays: numbers as float64 (a Float64 column without nulls as
    it is), the rest as text with None for null."""
    pl = importlib.import_module("polars")
    names = _check_names(list(df.columns), source)
    out: dict[str, npt.NDArray[Any]] = {}
    for name in names:  # a loop over columns
        s = df.get_column(name)
        dtype = s.dtype
        if dtype.is_numeric() or dtype == pl.Boolean:
            if dtype != pl.Float64 or s.null_count():
                s = s.cast(pl.Float64).fill_null(np.nan)
            out[name] = s.to_numpy()
            continue
        try:
            text = s.cast(pl.String)
        except pl.exceptions.PolarsError:
            raise _not_numbers_or_text(source, name, dtype) from None
        nul = text.str.contains("\x00", literal=True).fill_null(False)
        _refuse_nul(source, name, nul.to_numpy())
        out[name] = _polars_text(text)
    return out


def _polars_text(text: Any) -> npt.NDArray[Any]:
    """A polars String column as numpy text: through Arrow's buffers when pyarrow is
    installed (:func:`_arrow_text`), else a Python string per cell (None for null)."""
    try:
        pa = importlib.import_module("pyarrow")
        pc = importlib.import_module("pyarrow.compute")
    except ImportError:
        return np.asarray(text.to_numpy(), dtype=object)
    return _arrow_text(pa, pc, pc.cast(text.to_arrow(), pa.string()))


def _arrow_columns(table: Any, source: str) -> dict[str, npt.NDArray[Any]]:
    """pyarrow columns as numpy arrays: numbers as float64 (a float64 column without nulls in
    one chunk without a copy), the rest as text with None for null."""
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    names = _check_names(list(table.schema.names), source)
    out: dict[str, npt.NDArray[Any]] = {}
    for i, name in enumerate(names):  # a loop over columns
        col = table.column(i)
        dtype = col.type
        if isinstance(col, pa.ChunkedArray) and col.num_chunks == 1:
            col = col.chunk(0)
        if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype):
            if pa.types.is_float64(dtype) and col.null_count == 0 and isinstance(col, pa.Array):
                out[name] = col.to_numpy(zero_copy_only=True)  # one chunk, no nulls: no copy
                continue
            filled = pc.fill_null(pc.cast(col, pa.float64()), np.nan)
            out[name] = np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.float64)
            continue
        if pa.types.is_decimal(dtype):
            out[name] = np.asarray(
                pc.fill_null(pc.cast(col, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
            )
            continue
        try:
            text = pc.cast(col, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise _not_numbers_or_text(source, name, dtype) from None
        nul = pc.fill_null(pc.match_substring(text, "\x00"), False)
        _refuse_nul(source, name, np.asarray(nul.to_numpy(zero_copy_only=False), dtype=bool))
        out[name] = _arrow_text(pa, pc, text)
    return out


#: The longest text (in bytes) :func:`_arrow_text` reads from Arrow's buffers; longer cells
#: (names, not codes) are read as Python strings.
_BUFFER_TEXT_MAX = 64


def _arrow_text(pa: Any, pc: Any, text: Any) -> npt.NDArray[Any]:
    """An Arrow string column as a numpy array, a null as an empty string.

    Short cells (codes, periods) are cut straight out of Arrow's data buffer into a fixed-width
    array and decoded once, with no Python string per cell; otherwise a Python string per cell.
    """
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    text = pc.fill_null(text, "")
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + n + 1]
    lengths = np.diff(offsets)
    width = int(lengths.max()) if n else 0
    if n == 0 or width == 0:
        return np.full(n, "", dtype=np.str_)
    if width > _BUFFER_TEXT_MAX:
        return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    positions = offsets[:-1, None].astype(np.int64) + np.arange(width)
    inside = np.arange(width) < lengths[:, None]
    cells = np.where(inside, data[np.minimum(positions, len(data) - 1)], 0).astype(np.uint8)
    raw = np.ascontiguousarray(cells).view(f"S{width}").reshape(n)
    ascii_only = not (data[offsets[0] : offsets[-1]] >= 128).any()
    if ascii_only and not (cells[inside] == 0).any():
        return raw.astype(f"U{width}")
    # Non-ASCII text, or a NUL inside a cell (which a fixed-width array would drop).
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def to_frame(columns: Mapping[str, OutColumn], kind: str) -> Any:
    """Columns as a frame of ``kind`` (``"pandas"``, ``"polars"`` or ``"arrow"``).

    Float columns keep NaN in pandas and become null in polars and arrow (their missing
    value); :class:`IntColumn` columns become nullable int64; text columns stay text, an
    empty string becoming null.

    Raises:
        InputError: ``kind`` is unknown or its library is not installed.
    """
    lib = require_library(kind)
    if kind == "pandas":
        return _pandas_frame(lib, columns)
    if kind == "polars":
        return _polars_frame(lib, columns)
    return _arrow_frame(lib, columns)


def _text(arr: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    cells = np.asarray(arr)
    return cells, np.asarray(cells == "", dtype=bool)


def _pandas_text(pd: Any, col: npt.NDArray[Any]) -> Any:
    """A text column as pandas ``string`` (empty: ``<NA>``), through Arrow when pyarrow is
    installed (several times faster than a Python string per cell)."""
    cells, empty = _text(col)
    try:
        pa = importlib.import_module("pyarrow")
    except ImportError:
        text = cells.astype(object)
        text[empty] = None
        return pd.array(text, dtype="string")
    arrow = pa.array(cells.astype(np.str_), type=pa.string(), mask=empty)
    return pd.array(arrow, dtype=pd.StringDtype("pyarrow"))


def _pandas_frame(pd: Any, columns: Mapping[str, OutColumn]) -> Any:
    data: dict[str, Any] = {}
    for name, col in columns.items():
        if isinstance(col, IntColumn):
            data[name] = pd.arrays.IntegerArray(col.values, col.missing.copy())
        elif col.dtype.kind in "fiub":
            data[name] = col
        else:
            data[name] = _pandas_text(pd, col)
    return pd.DataFrame(data, copy=False)


def _polars_frame(pl: Any, columns: Mapping[str, OutColumn]) -> Any:
    series = []
    for name, col in columns.items():
        if isinstance(col, IntColumn):
            floats = np.where(col.missing, np.nan, col.values.astype(np.float64))
            series.append(pl.Series(name, floats, nan_to_null=True).cast(pl.Int64))
        elif col.dtype.kind == "f":
            series.append(pl.Series(name, col, nan_to_null=True))
        elif col.dtype.kind in "iub":
            series.append(pl.Series(name, col))
        else:
            cells, empty = _text(col)
            text = pl.Series(name, cells.astype(np.str_), dtype=pl.String)
            series.append(text.set(pl.Series(empty), None) if empty.any() else text)
    return pl.DataFrame(series)


def _arrow_frame(pa: Any, columns: Mapping[str, OutColumn]) -> Any:
    arrays = []
    for col in columns.values():
        if isinstance(col, IntColumn):
            arrays.append(pa.array(col.values, type=pa.int64(), mask=col.missing))
        elif col.dtype.kind == "f":
            floats: FloatArray = np.asarray(col, dtype=np.float64)
            arrays.append(pa.array(floats, type=pa.float64(), from_pandas=True))
        elif col.dtype.kind in "iub":
            arrays.append(pa.array(col))
        else:
            cells, empty = _text(col)
            arrays.append(pa.array(cells, type=pa.string(), mask=empty))
    return pa.table(arrays, names=list(columns))
