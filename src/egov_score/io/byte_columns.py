"""The columns of a CSV file cut straight from its UTF-8 bytes, never a Python string per cell.

A file of a million rows read by Python's CSV reader holds a Python string per cell (50-60
bytes each, plus the lists holding them) until the columns are built: several times the file.
:func:`split_columns` finds every cell's bounds with a few vectorised passes over the bytes
and builds a column (a numpy string array) only when it is first read, so a table holds the
file's bytes and one integer per cell until then.

It takes the files Python's CSV reader reads the same way without surprises: rows of the
header's width, no blank lines, no carriage return but in ``\\r\\n`` line ends, and quotes
only around whole cells (``"CEO, Zila Parishad"``, ``"say ""hi"" now"``), never around a line
break. Anything else returns None, and the careful reader (Python's CSV module) reads the
file and names what is wrong, so every message stays its own.
"""

from __future__ import annotations

import csv

import numpy as np
import numpy.typing as npt

from egov_score._arrays import LazyColumns, StrArray

__all__ = ["split_columns"]

#: The largest cell Python's CSV reader takes; a file with a cell this long (in bytes, which
#: is at least its length in characters) is left to that reader.
FIELD_LIMIT = csv.field_size_limit()

_QUOTE, _COMMA, _NEWLINE = ord('"'), ord(","), ord("\n")


def split_columns(text: str) -> tuple[tuple[str, ...], LazyColumns[StrArray], int] | None:
    """The header, the lazily built columns (stripped strings, as the careful reader gives
    them) and the number of rows of CSV ``text``; None for a file this reader leaves to the
    careful one (see the module's description)."""
    first, _, body = text.partition("\n")
    first = first.removesuffix("\r")
    header = tuple(h.strip() for h in first.split(","))
    if '"' in first or "\r" in first or len(set(header)) != len(header) or not all(header):
        return None
    if "\r" in body:
        body = body.replace("\r\n", "\n")
    body = body.rstrip("\n")
    if not body or body.isspace() or "\r" in body or "\n\n" in body or body.startswith("\n"):
        return None
    data = np.frombuffer(body.encode("utf-8"), dtype=np.uint8)
    quotes = np.flatnonzero(data == _QUOTE)
    quoted = len(quotes) > 0
    seps = np.flatnonzero((data == _COMMA) | (data == _NEWLINE))
    if quoted:
        if len(quotes) % 2:
            return None  # a quote left open
        # A separator after an odd number of quotes is inside a quoted cell.
        inside = np.searchsorted(quotes, seps) % 2 == 1
        if (data[seps[inside]] == _NEWLINE).any():
            return None  # a line break inside quotes
        seps = seps[~inside]
    width = len(header)
    n = (len(seps) + 1) // width
    line_end = data[seps] == _NEWLINE
    if len(seps) + 1 != n * width or not np.array_equal(
        line_end, np.arange(len(seps)) % width == width - 1
    ):
        return None  # a ragged row
    seps = seps.astype(np.int32 if len(data) < 2**31 - 1 else np.int64)
    starts = np.concatenate(([0], seps + 1))
    ends = np.concatenate((seps, [len(data)]))
    if int((ends - starts).max()) >= FIELD_LIMIT:
        return None
    if quoted and not _quotes_around_cells(data, quotes, starts, ends):
        return None
    del starts, ends, quotes

    def column(name: str) -> StrArray:
        j = header.index(name)
        bounds = np.concatenate(([-1], seps, [len(data)]))
        return _column(data, bounds[j::width][:n] + 1, bounds[j + 1 :: width][:n], quoted)

    return header, LazyColumns(header, column), n


def _quotes_around_cells(
    data: npt.NDArray[np.uint8],
    where: npt.NDArray[np.intp],
    starts: npt.NDArray[np.integer],
    ends: npt.NDArray[np.integer],
) -> bool:
    """Whether every quote opens a cell, closes it, or is one of a doubled pair inside it."""
    cell = np.searchsorted(ends, where)  # the cell of each quote (a quote is never a bound)
    if not (data[starts[cell]] == _QUOTE).all():
        return False  # a quote inside an unquoted cell
    opens = where == starts[cell]
    closes = (where == ends[cell] - 1) & ~opens
    has_open = np.zeros(len(starts), dtype=bool)
    has_open[cell[opens]] = True
    has_close = np.zeros(len(starts), dtype=bool)
    has_close[cell[closes]] = True
    if not np.array_equal(has_open, has_close):
        return False  # a quoted cell with text after its closing quote
    inner = where[~opens & ~closes]
    return len(inner) % 2 == 0 and bool((inner[1::2] == inner[0::2] + 1).all())


def _column(
    data: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.integer],
    ends: npt.NDArray[np.integer],
    quoted: bool,
) -> StrArray:
    """The cells ``data[starts[i]:ends[i]]`` as a stripped string array, unquoted."""
    starts = starts.astype(np.intp)
    ends = ends.astype(np.intp)
    n = len(starts)
    in_quotes = np.zeros(n, dtype=bool)
    if quoted:
        in_quotes = (ends > starts) & (data[np.minimum(starts, len(data) - 1)] == _QUOTE)
        starts = starts + in_quotes
        ends = ends - in_quotes
    lengths = ends - starts
    size = max(int(lengths.max(initial=0)), 1)
    block = np.zeros(n * size, dtype=np.uint8)
    if total := int(lengths.sum()):
        # Every byte of every cell, placed at its row's offset in an n x size block.
        first = np.cumsum(lengths) - lengths  # each cell's first byte, cells packed
        packed = np.arange(total)
        block[packed + np.repeat(np.arange(n) * size - first, lengths)] = data[
            packed + np.repeat(starts - first, lengths)
        ]
        del packed, first
    if (block < 0x80).all():  # ASCII: each byte is its code point
        cells = block.astype(np.uint32).view(f"<U{size}")
    else:
        cells = np.strings.decode(block.view(f"S{size}"), "utf-8")
        cells = cells.astype(f"<U{max(int(np.strings.str_len(cells).max(initial=0)), 1)}")
    if quoted and in_quotes.any():
        doubled = in_quotes & (np.strings.find(cells, '""') >= 0)
        if doubled.any():
            cells[doubled] = np.strings.replace(cells[doubled], '""', '"')
            cells = cells.astype(f"<U{max(int(np.strings.str_len(cells).max()), 1)}")
    return np.char.strip(cells)
