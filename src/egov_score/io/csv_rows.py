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

from egov_score._arrays import FloatArray, StrArray

__all__ = ["Cells", "quote_text", "rows_text", "write_rows"]

#: The code points that make Python's csv writer quote a cell (minimal quoting, "\n" rows).
_QUOTED = (ord(","), ord('"'), ord("\n"))
#: Columns with more rows than this have their float texts built per distinct value when a
#: sample of them shows few distinct values (scores of flags, coverage, bands).
_DISTINCT_MIN_ROWS = 4096
#: How many cells the distinct-value check samples, and how many distinct ones it allows.
_SAMPLE, _FEW = 2048, 256


@attrs.frozen
class Cells:
    """One column of a table about to be written.

    Attributes:
        kind: ``"text"`` (``data`` is a string array of the cells as written, before quoting),
            ``"float"`` (float64, NaN written as an empty cell) or ``"int"`` (int64; the cells
            where ``blank`` holds are written empty).
        data: the column.
        blank: for ``"int"``, which cells are empty; None when none is.
    """

    kind: str
    data: npt.NDArray[Any]
    blank: npt.NDArray[np.bool_] | None = None


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
        need = np.zeros(len(cells), dtype=bool)
        for point in _QUOTED:  # three passes over the column's code points, not one per cell
            need |= (points == point).any(axis=1)
        if not need.any():
            return cells
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
    return list(column.data.tolist())


def _quote_all(columns: Sequence[Cells]) -> list[StrArray]:
    """Every column as text, every cell quoted (a cell of the table holds a carriage return)."""
    out = []
    for column in columns:
        text = column.data if column.kind == "text" else np.array(_texts(column), dtype=np.str_)
        out.append(quote_text(np.asarray(text, dtype=np.str_), quote_all=True))
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
        quoted = [Cells("text", t) for t in _quote_all(columns)]
        return quote_text(header, quote_all=True), quoted, True
    prepared = [
        Cells("text", quote_text(c.data, quote_all=False)) if c.kind == "text" else c
        for c in columns
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


@functools.cache
def _polars_writes_repr(pl: Any) -> bool:
    """Whether this polars writes every form of :data:`_PROBE` as ``repr`` does."""
    try:
        got = _polars_float_text(pl, np.array(_PROBE, dtype=np.float64)).to_list()
    except Exception:  # an older or newer polars without these operations
        return False
    return bool(got == [repr(x) for x in _PROBE])


def _polars_column(pl: Any, name: str, column: Cells) -> tuple[list[Any], Any]:
    """The polars series of one column and the expression that writes its cells."""
    if column.kind == "float":
        return [_polars_float_text(pl, column.data).alias(name)], pl.col(name).fill_null("")
    if column.kind == "int":
        text = pl.col(name).cast(pl.String)
        if column.blank is None:
            return [pl.Series(name, column.data)], text
        series = [pl.Series(name, column.data), pl.Series(f"{name}_blank", column.blank)]
        return series, pl.when(pl.col(f"{name}_blank")).then(pl.lit("")).otherwise(text)
    cells = column.data
    if _distinct_pays(cells):
        distinct, inverse = np.unique(cells, return_inverse=True)
        series = pl.Series(name, distinct.tolist(), dtype=pl.String)[inverse.reshape(-1)]
    else:
        series = pl.Series(name, cells.tolist(), dtype=pl.String)
    return [series], pl.col(name)


def write_rows(
    fh: IO[bytes], header: StrArray, columns: Sequence[Cells], *, polars: Any = None
) -> None:
    """Write a table's CSV bytes (UTF-8) to ``fh``: the bytes of :func:`rows_text`, built by
    ``polars`` (the module) when given and it writes floats as ``repr`` does."""
    header = np.asarray(header, dtype=np.str_)
    n = len(columns[0].data) if columns else 0
    if polars is None or len(columns) < 2 or n == 0 or not _polars_writes_repr(polars):
        fh.write(rows_text(header, columns).encode("utf-8"))
        return
    pl = polars
    quoted_header, prepared, _ = _prepared(header, columns)
    names = [f"c{i}" for i in range(len(prepared))]
    made = [_polars_column(pl, name, c) for name, c in zip(names, prepared, strict=True)]
    frame = pl.DataFrame([series for group, _ in made for series in group])
    lines = frame.select(pl.concat_str([expr for _, expr in made], separator=",").alias("row"))
    fh.write(_header_line(quoted_header).encode("utf-8"))
    lines.write_csv(fh, include_header=False, quote_style="never")
