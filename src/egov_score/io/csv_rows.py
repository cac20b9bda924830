"""The rows of a CSV file built from whole columns at once.

:func:`egov_score.io.table.write_csv` prepares every column (text neutralised, NUL dropped)
and hands the cells here as :class:`Cells`: text, float64 numbers (NaN = an empty cell) or
whole numbers (masked = an empty cell). This module quotes them exactly as Python's
:mod:`csv` writer would (``lineterminator="\\n"``, minimal quoting, or every cell quoted when
one holds a carriage return) and joins them into rows: by polars' multi-threaded string
operations and writer when the ``fastcsv`` extra is installed and the table is large, else by
one ``"\\n".join`` over the rows. Both give the same bytes as the :mod:`csv` module did: floats
are written as Python's ``repr`` writes them (the shortest text that reads back to the same
float), which polars' own float-to-text cast matches but below 1e-4, where repr writes the
rare cells itself (checked once per process against ``repr`` on a probe of every form).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import IO, Any

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray

__all__ = ["Cells", "IndexedText", "quote_text", "rows_text", "write_rows"]

#: The code points that make Python's csv writer quote a cell (minimal quoting, "\n" rows).
_QUOTED = (ord(","), ord('"'), ord("\n"))
#: Columns with more rows than this have their float texts built per distinct value when a
#: sample of them shows few distinct values (scores of flags, coverage, bands).
_DISTINCT_MIN_ROWS = 4096
#: How many cells the distinct-value check samples, and how many distinct ones it allows.
_SAMPLE, _FEW = 2048, 256


@attrs.frozen
class IndexedText:
    """A text column given as its distinct cells and every row's position among them (a
    parent's code, a band's label): written as ``labels[index]``, with each label formatted
    and quoted once, not once per row.

    Attributes:
        labels: the cells, each once (more is allowed: unused ones are never written).
        index: for every row, the position of its cell in ``labels`` (a negative position
            counts from the end, as numpy's indexing does).
    """

    labels: StrArray
    index: IntArray

    def __len__(self) -> int:
        return len(self.index)

    def used(self) -> IndexedText:
        """The labels some row uses, in their order, with the index into them (so a label no
        row holds cannot change how the table is written)."""
        size = len(self.labels)
        index = np.asarray(self.index, dtype=np.intp)
        if size == 0:
            return IndexedText(np.asarray(self.labels, dtype=np.str_), index)
        index = np.where(index < 0, index + size, index)
        keep = np.bincount(index, minlength=size) > 0
        position = (np.cumsum(keep) - 1).astype(np.intp)
        return IndexedText(np.asarray(self.labels, dtype=np.str_)[keep], position[index])

    def cells(self) -> StrArray:
        """Every row's cell."""
        labels: StrArray = np.asarray(self.labels, dtype=np.str_)
        cells: StrArray = labels[self.index]
        return cells


@attrs.frozen
class Cells:
    """One column of a table about to be written.

    Attributes:
        kind: ``"text"`` (``data`` is a string array of the cells as written, before quoting),
            ``"float"`` (float64, NaN written as an empty cell) or ``"int"`` (int64; the cells
            where ``blank`` holds are written empty).
        data: the column; for text with an ``index``, the distinct cells.
        blank: for ``"int"``, which cells are empty; None when none is.
        index: for ``"text"``, every row's position in ``data`` (each one used), or None when
            ``data`` holds every row's cell.
    """

    kind: str
    data: npt.NDArray[Any]
    blank: npt.NDArray[np.bool_] | None = None
    index: IntArray | None = None

    def __len__(self) -> int:
        return len(self.data) if self.index is None else len(self.index)

    def with_text(self, text: StrArray) -> Cells:
        """This text column with its cells (or distinct cells) replaced by ``text``."""
        return Cells("text", text, index=self.index)


def _points(cells: StrArray) -> npt.NDArray[np.uint32]:
    """The code points of a string array as a (cells, width) matrix (0 pads a short cell)."""
    width = cells.dtype.itemsize // 4
    return np.ascontiguousarray(cells).view(np.uint32).reshape(len(cells), max(width, 0))


def has_carriage_return(cells: StrArray) -> bool:
    """Whether any cell holds a carriage return."""
    return bool(len(cells)) and bool((_points(cells) == ord("\r")).any())


def quote_text(cells: StrArray, *, quote_all: bool) -> StrArray:
    """Cells quoted as the :mod:`csv` writer quotes them: a cell holding a comma, a quote or a
    line feed (every cell, with ``quote_all``) between quotes, its quotes doubled."""
    cells = np.asarray(cells, dtype=np.str_)
    if len(cells) == 0:
        return cells
    if quote_all:
        need = np.ones(len(cells), dtype=bool)
    else:
        points = _points(cells)
        hit = points == _QUOTED[0]
        for point in _QUOTED[1:]:  # passes over the column's code points, not one per cell
            hit |= points == point
        if not hit.any():  # the usual case, found without a reduction along each row
            return cells
        need = hit.any(axis=1)
    # Room for every quote doubled first: numpy's replace keeps a narrow array's width.
    width = max(cells.dtype.itemsize // 4, 1)
    chosen = np.strings.replace(cells[need].astype(f"<U{2 * width}"), '"', '""')
    quoted = np.strings.add(np.strings.add('"', chosen), '"')
    out = cells.astype(
        quoted.dtype if quoted.dtype.itemsize > cells.dtype.itemsize else cells.dtype
    )
    out[need] = quoted
    return out


def _distinct_pays(keys: npt.NDArray[Any]) -> bool:
    """Whether a long column holds few distinct values (judged from an even sample)."""
    if len(keys) < _DISTINCT_MIN_ROWS:
        return False
    sample = keys[:: max(1, len(keys) // _SAMPLE)]
    return len(np.unique(sample)) <= _FEW


def _float_texts(values: FloatArray) -> list[str]:
    """Every float as ``repr`` writes it, NaN as an empty cell."""
    bits = values.view(np.int64)  # bits, so -0.0 and 0.0 stay apart
    if _distinct_pays(bits):
        keys, inverse = np.unique(bits, return_inverse=True)
        distinct = keys.view(np.float64)
        texts = np.array(list(map(repr, distinct.tolist())), dtype=object)
        texts[np.isnan(distinct)] = ""
        return list(texts[inverse.reshape(-1)].tolist())
    texts = np.array(list(map(repr, values.tolist())), dtype=object)
    texts[np.isnan(values)] = ""
    return list(texts.tolist())


def _int_texts(values: npt.NDArray[np.int64], blank: npt.NDArray[np.bool_] | None) -> list[str]:
    texts = np.array(list(map(str, values.tolist())), dtype=object)
    if blank is not None:
        texts[blank] = ""
    return list(texts.tolist())


def _texts(column: Cells) -> list[str]:
    """The cells of a column as Python strings, unquoted (numbers need no quotes)."""
    if column.kind == "float":
        return _float_texts(column.data)
    if column.kind == "int":
        return _int_texts(column.data, column.blank)
    if column.index is not None:
        return list(np.array(column.data.tolist(), dtype=object)[column.index].tolist())
    return list(column.data.tolist())


def _quote_all(columns: Sequence[Cells]) -> list[Cells]:
    """Every column as text, every cell quoted (a cell of the table holds a carriage return)."""
    out = []
    for column in columns:
        if column.kind == "text":
            out.append(column.with_text(quote_text(column.data, quote_all=True)))
            continue
        text = np.array(_texts(column), dtype=np.str_)
        out.append(Cells("text", quote_text(text, quote_all=True)))
    return out


def _lone_empty(cells: list[str]) -> list[str]:
    """A one-column row holding an empty cell, as the csv writer writes it: ``""``."""
    texts = np.array(cells, dtype=object)
    texts[texts == ""] = '""'
    return list(texts.tolist())


def _prepared(header: StrArray, columns: Sequence[Cells]) -> tuple[StrArray, list[Cells], bool]:
    """The header and columns with their text cells quoted; whether every cell is quoted."""
    texts = [header, *(c.data for c in columns if c.kind == "text")]
    quote_all = any(has_carriage_return(np.asarray(t, dtype=np.str_)) for t in texts)
    if quote_all:
        return quote_text(header, quote_all=True), _quote_all(columns), True
    prepared = [
        c.with_text(quote_text(c.data, quote_all=False)) if c.kind == "text" else c for c in columns
    ]
    return quote_text(header, quote_all=False), prepared, False


def _header_line(header: StrArray) -> str:
    cells = header.tolist()
    if len(cells) == 1 and cells[0] == "":
        return '""\n'
    return ",".join(cells) + "\n"


def rows_text(header: StrArray, columns: Sequence[Cells]) -> str:
    """The CSV text of a table (header row, then one row per cell of the columns, every row
    ended by a line feed), as Python's :mod:`csv` writer writes it."""
    header, prepared, _ = _prepared(np.asarray(header, dtype=np.str_), columns)
    lines = [_texts(c) for c in prepared]
    if len(lines) == 1:
        lines = [_lone_empty(lines[0])]
    if not lines or not lines[0]:
        return _header_line(header)
    return _header_line(header) + "\n".join(map(",".join, zip(*lines, strict=True))) + "\n"


#: Floats whose text polars writes its own way: 1e-05 as 0.00001, 1e-06 as 1e-6; with the
#: forms it shares with repr (shortest digits, 1e+16, -0.0, 5e-324, inf).
_PROBE = (
    1.0,
    -0.0,
    0.5,
    1e-05,
    -1.5e-05,
    9.999999999999999e-05,
    0.0001,
    1.234e-06,
    -3e-07,
    1e-10,
    5e-324,
    2.2250738585072014e-308,
    999999999999999.9,
    1e15,
    9999999999999998.0,
    1e16,
    -1.2345678901234568e17,
    1.7976931348623157e308,
    0.30000000000000004,
    float("inf"),
    float("-inf"),
    123456.789,
)


#: Below this size (and above zero) repr writes a float in scientific notation with a
#: two-digit exponent (1e-05) where polars writes 0.00001 or 1e-6: such cells are written by
#: repr, the rest by polars' cast.
_TINY = 1e-4


def _polars_float_text(pl: Any, values: FloatArray) -> Any:
    """A polars text series of floats as repr writes them, NaN as null."""
    text = pl.Series(values, nan_to_null=True).cast(pl.String)
    tiny = np.flatnonzero((np.abs(values) < _TINY) & (values != 0))
    if len(tiny):  # rare: scores are 0-100; written by repr itself
        text = text.scatter(tiny, pl.Series(list(map(repr, values[tiny].tolist()))))
    return text


def _tiny(values: FloatArray) -> npt.NDArray[np.bool_]:
    """Where a float is written by ``repr`` in scientific notation that polars writes its own
    way (nonzero and below :data:`_TINY` in size; NaN is not)."""
    tiny: npt.NDArray[np.bool_] = (np.abs(values) < _TINY) & (values != 0)
    return tiny


def _polars_writer_lines(pl: Any, values: FloatArray) -> list[str]:
    """The lines polars' CSV writer writes for a Float64 column of ``values`` (NaN as null)."""
    frame = pl.DataFrame([pl.Series("x", values, nan_to_null=True)])
    text = frame.write_csv(None, include_header=False, quote_style="never", null_value="")
    return list(text.split("\n")[:-1])


@functools.cache
def _polars_writes_repr(pl: Any) -> bool:
    """Whether this polars writes every form of :data:`_PROBE` as ``repr`` does: its text cast
    (every form, those below :data:`_TINY` by repr), and its CSV writer (every form but those)."""
    probe = np.array(_PROBE, dtype=np.float64)
    kept = probe[~_tiny(probe)]
    try:
        cast = _polars_float_text(pl, probe).to_list()
        written = _polars_writer_lines(pl, np.append(kept, np.nan))
    except Exception:  # an older or newer polars without these operations
        return False
    return cast == [repr(x) for x in _PROBE] and written == [*map(repr, kept.tolist()), ""]


def _polars_series(pl: Any, name: str, column: Cells) -> Any:
    """The polars series of one column, written by polars' CSV writer as the csv module would
    write the column: text already quoted, written as it is; floats as Float64 (NaN as null),
    whose text the writer makes, unless a cell needs ``repr``'s own form (below
    :data:`_TINY`), when the column is text made by :func:`_polars_float_text`; whole numbers
    as Int64, null where blank."""
    if column.kind == "float":
        values = column.data
        if _tiny(values).any():
            return _polars_float_text(pl, values).alias(name)
        return pl.Series(name, values, nan_to_null=bool(np.isnan(values).any()))
    if column.kind == "int":
        series = pl.Series(name, column.data, dtype=pl.Int64)
        if column.blank is None or not column.blank.any():
            return series
        return series.scatter(np.flatnonzero(column.blank), None)
    cells = column.data
    if column.index is not None:
        return _polars_text(pl, name, cells)[column.index]
    if _distinct_pays(cells):
        distinct, inverse = np.unique(cells, return_inverse=True)
        return _polars_text(pl, name, distinct)[inverse.reshape(-1)]
    return _polars_text(pl, name, cells)


def _polars_text(pl: Any, name: str, cells: StrArray) -> Any:
    """A polars text series of string cells (no NUL in them). ASCII cells, the usual codes
    and names, go over as one buffer of bytes (each code point's low byte, numpy's padding
    dropped by polars as numpy drops it), twice as fast as a Python string per cell."""
    if len(cells) >= _DISTINCT_MIN_ROWS and cells.dtype.kind == "U" and cells.dtype.itemsize:
        points = _points(cells)
        if not (points >= 128).any():
            packed = points.astype(np.uint8).view(f"S{points.shape[1]}").reshape(-1)
            return pl.Series(name, packed).cast(pl.String)
    return pl.Series(name, cells.tolist(), dtype=pl.String)


def write_rows(
    fh: IO[bytes], header: StrArray, columns: Sequence[Cells], *, polars: Any = None
) -> None:
    """Write a table's CSV bytes (UTF-8) to ``fh``: the bytes of :func:`rows_text`, built by
    ``polars`` (the module) when given and it writes floats as ``repr`` does: the columns as
    one frame (text quoted here, numbers as numbers) written by one call of its CSV writer,
    with no row built in Python."""
    header = np.asarray(header, dtype=np.str_)
    n = len(columns[0]) if columns else 0
    if polars is None or len(columns) < 2 or n == 0 or not _polars_writes_repr(polars):
        fh.write(rows_text(header, columns).encode("utf-8"))
        return
    pl = polars
    quoted_header, prepared, _ = _prepared(header, columns)
    frame = pl.DataFrame([_polars_series(pl, f"c{i}", c) for i, c in enumerate(prepared)])
    fh.write(_header_line(quoted_header).encode("utf-8"))
    frame.write_csv(fh, include_header=False, quote_style="never", null_value="")
