"""Writing Excel workbooks: the one XLSX writer of the package.

:func:`write_xlsx` writes a workbook of sheets, each a mapping of column name -> column, the
way :func:`~egov_score.io.table.write_csv` writes a CSV:

- float columns are numbers, NaN (and ±inf, which a sheet cannot hold) an empty cell;
- integer and boolean columns are whole numbers and TRUE/FALSE;
- text columns are text cells, always: a cell starting with ``=``, ``+``, ``-`` or ``@``
  is written as a string with Excel's quote prefix, never as a formula, and ``http://...`` is
  never turned into a link; NUL characters are dropped;
- a masked array (``numpy.ma``) writes its masked cells empty: how callers write an integer
  column with gaps, such as ranks where 0 means unranked
  (``np.ma.masked_array(rank, mask=rank == 0)``);
- an object column may mix numbers, text, booleans and ``None`` (an empty cell; any other
  object is written as its text); its cells are looked at one by one, so prefer typed and
  masked columns for long tables;
- ``number_formats`` maps a column name to an Excel number format (``"0.0"`` shows one
  decimal; the cell keeps the number), in every sheet that has that column;
- the header row is frozen (``freeze_header=False`` to leave it), filters are on, and column
  widths follow the longest of the header and the first cells (at most 60 characters).

Sheet names are made safe first (:func:`sheet_names`: Excel's 31 characters, none of
``[]:*?/\\``), and every limit of the format is checked before a byte is written: at most
1,048,575 rows below the header and 16,384 columns a sheet, text cells of at most 32,767
characters. A breach is an :class:`~egov_score.exceptions.InputError` naming the sheet,
column, row and what was found, and no file is written.

Numbers are written in the shortest form that reads back as the same float (numpy's
round-trip repr: ``0.1``, ``70.51917151427686``, ``1e-05``; a whole float below 1e16 without
``.0``), so a number read back equals the one written exactly; integers as integers.

The package is written by egov_score itself (:mod:`egov_score.io.xlsx_xml` holds the XML),
with the standard library's :mod:`zipfile`: no extra is needed to write. Its parts and their
structure are those XlsxWriter writes in its ``constant_memory`` mode (inline strings, the
theme, the styles, the hidden ``_xlnm._FilterDatabase`` name of each filter), and the cells of
a column are formatted together with numpy, a chunk of rows at a time. Reading a workbook needs
openpyxl, the ``excel`` extra.
"""

from __future__ import annotations

import math
import numbers
import os
import zipfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import numpy as np
import numpy.typing as npt

from egov_score.exceptions import InputError
from egov_score.io import xlsx_xml as xml
from egov_score.io.table import format_problems, neutralise, strip_nul
from egov_score.io.xlsx_theme import THEME_XML

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SHEET_NAME",
    "MAX_TEXT",
    "check_xlsx",
    "sheet_names",
    "write_xlsx",
]

#: A column: a numpy array or a sequence of cells.
Column = npt.NDArray[Any] | Sequence[object]

#: Rows a sheet holds, the header included (Excel's limit).
MAX_ROWS = 1_048_576
#: Columns a sheet holds (Excel's limit).
MAX_COLUMNS = 16_384
#: Characters (UTF-16 code units) a text cell holds (Excel's limit).
MAX_TEXT = 32_767
#: Characters a sheet name holds (Excel's limit).
MAX_SHEET_NAME = 31
#: Characters Excel refuses in a sheet name.
_FORBIDDEN = "[]:*?/\\"
#: The widest column set from its cells, in characters.
_MAX_WIDTH = 60
#: How many cells of a column are measured for its width.
_WIDTH_SAMPLE = 1000


def sheet_names(names: Sequence[str], reserved: Collection[str] = ()) -> list[str]:
    """Excel-safe, distinct sheet names for ``names``, in order.

    Each of ``[]:*?/\\`` and every control character becomes ``_``, leading and trailing
    apostrophes and spaces are dropped (Excel refuses them), an empty name becomes ``sheet``,
    and ``History`` (reserved by Excel) becomes ``History_``. A name is cut to 31 characters;
    names equal ignoring case, to one another or to one in ``reserved``, get ``~2``, ``~3``, …
    (cut so the whole stays within 31).
    """
    taken = {r.casefold() for r in reserved}
    out = []
    for name in names:
        clean = "".join("_" if ch in _FORBIDDEN or ord(ch) < 32 else ch for ch in str(name))
        clean = clean.strip("' ") or "sheet"
        if clean.casefold() == "history":
            clean += "_"
        clean = clean[:MAX_SHEET_NAME]
        candidate, n = clean, 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f"~{n}"
            candidate = clean[: MAX_SHEET_NAME - len(suffix)] + suffix
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def _cells(column: Column) -> npt.NDArray[Any]:
    arr = np.asanyarray(column)  # a masked array keeps its mask
    if arr.dtype.kind in "SV":  # bytes: not text this writer can name
        return arr.astype(object)
    return arr


def _utf16_lengths(cells: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
    """Length of every cell in UTF-16 code units (what Excel counts): code points, plus one
    for each beyond U+FFFF, counted only in the cells long enough to matter."""
    lengths: npt.NDArray[np.intp] = np.strings.str_len(cells).astype(np.intp)
    near = np.flatnonzero(lengths > MAX_TEXT // 2)
    if len(near):
        lengths[near] = [len(str(c).encode("utf-16-le")) // 2 for c in cells[near]]
    return lengths


def _text_problems(sheet: str, name: str, cells: npt.NDArray[Any]) -> list[str]:
    """The text cells of one column longer than Excel holds, as message lines."""
    if cells.dtype.kind == "O":
        is_text = np.array([isinstance(c, str) for c in cells.tolist()], dtype=bool)
        text = np.where(is_text, cells, "").astype(np.str_)
    elif cells.dtype.kind == "U":
        text = cells
    else:
        return []
    if len(text) == 0:
        return []
    lengths = _utf16_lengths(text)
    return [
        f"sheet {sheet!r}, row {int(i) + 2}, column {name!r}: a text cell must be at most "
        f"{MAX_TEXT:,} characters (Excel's limit); got {int(lengths[i]):,}"
        for i in np.flatnonzero(lengths > MAX_TEXT)
    ]


def _check(path: Path, sheets: Mapping[str, Mapping[str, npt.NDArray[Any]]]) -> None:
    """Every limit of the format, checked before anything is written."""
    problems = []
    for sheet, columns in sheets.items():
        lengths = {name: len(col) for name, col in columns.items()}
        if len(set(lengths.values())) > 1:
            problems.append(
                f"sheet {sheet!r}: all columns must have the same length; got {lengths!r}"
            )
        if len(columns) > MAX_COLUMNS:
            problems.append(
                f"sheet {sheet!r}: a sheet must have at most {MAX_COLUMNS:,} columns "
                f"(Excel's limit); got {len(columns):,}"
            )
        n = max(lengths.values(), default=0)
        if n > MAX_ROWS - 1:
            problems.append(
                f"sheet {sheet!r}: a sheet must have at most {MAX_ROWS - 1:,} rows below its "
                f"header (Excel's limit); got {n:,} (write this table as CSV)"
            )
        problems.extend(_text_problems(sheet, "(header)", np.array(list(columns), np.str_)))
        for name, col in columns.items():
            problems.extend(_text_problems(sheet, name, col))
    if problems:
        raise InputError(format_problems(problems, str(path)))


def _risky(cells: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """Which text cells a spreadsheet would take for a formula when edited."""
    risky: npt.NDArray[np.bool_] = neutralise(cells) != cells
    return risky


#: What an object column's cell is: empty, a float, an integer, TRUE/FALSE or text.
_EMPTY, _FLOAT, _INT, _BOOL, _TEXT = 0, 1, 2, 3, 4


def _object_kind(cell: object) -> int:
    if cell is None:
        return _EMPTY
    if isinstance(cell, str):
        return _TEXT
    if isinstance(cell, bool | np.bool_):
        return _BOOL
    if isinstance(cell, numbers.Integral):
        return _INT
    if isinstance(cell, numbers.Real):
        return _FLOAT if math.isfinite(cell) else _EMPTY
    return _TEXT  # anything else is written as its text


@attrs.frozen
class _Prepared:
    """One column, ready to be written a chunk of rows at a time.

    ``kinds`` holds each cell's kind (:data:`_EMPTY` … :data:`_TEXT`); ``values`` the cells
    of a typed column (numbers, booleans, or text with NUL dropped); an object column keeps
    its floats, integers' text, booleans and text in ``floats``, ``ints``, ``bools`` and
    ``text``, each meaningful where ``kinds`` says so. ``risky`` marks text a spreadsheet
    would take for a formula.
    """

    kinds: npt.NDArray[np.int8]
    values: npt.NDArray[Any] | None = None
    floats: npt.NDArray[np.float64] | None = None
    ints: npt.NDArray[np.str_] | None = None
    bools: npt.NDArray[np.bool_] | None = None
    text: npt.NDArray[np.str_] | None = None
    risky: npt.NDArray[np.bool_] | None = None


def _prepared(cells: npt.NDArray[Any]) -> _Prepared:
    """A column's cells sorted by kind, with the empty ones (masked, NaN, ±inf, ``""``,
    None) marked :data:`_EMPTY`."""
    mask = np.ma.getmaskarray(cells) if isinstance(cells, np.ma.MaskedArray) else None
    data = np.asarray(np.ma.getdata(cells))
    n = len(data)
    kind = data.dtype.kind
    if kind == "f":
        kinds = np.where(np.isfinite(data), _FLOAT, _EMPTY).astype(np.int8)
        prepared = _Prepared(kinds, values=data)
    elif kind in "iu":
        prepared = _Prepared(np.full(n, _INT, np.int8), values=data)
    elif kind == "b":
        prepared = _Prepared(np.full(n, _BOOL, np.int8), values=data)
    elif kind == "U":
        text = strip_nul(data)
        kinds = np.where(text != "", _TEXT, _EMPTY).astype(np.int8)
        prepared = _Prepared(kinds, values=text, risky=_risky(text))
    else:
        prepared = _object_column(data)
    if mask is not None and mask.any():
        kinds = prepared.kinds.copy()
        kinds[mask] = _EMPTY
        prepared = attrs.evolve(prepared, kinds=kinds)
    return prepared


def _object_column(data: npt.NDArray[Any]) -> _Prepared:
    """An object column (or any other dtype), looked at one cell at a time: the documented
    slow path, for columns that mix kinds."""
    listed = data.tolist() if data.dtype.kind == "O" else list(data.astype(object))
    kinds = np.array([_object_kind(c) for c in listed], dtype=np.int8)
    cells = np.empty(len(listed), dtype=object)
    cells[:] = listed
    floats = np.full(len(listed), np.nan)
    ints = np.zeros(len(listed), dtype=np.str_)
    bools = np.zeros(len(listed), dtype=bool)
    text = np.zeros(len(listed), dtype=np.str_)
    if (at := kinds == _FLOAT).any():
        floats[at] = [float(c) for c in cells[at]]
    if (at := kinds == _INT).any():
        ints = ints.astype(object)
        ints[at] = [str(int(c)) for c in cells[at]]
        ints = ints.astype(np.str_)
    if (at := kinds == _BOOL).any():
        bools[at] = [bool(c) for c in cells[at]]
    risky = np.zeros(len(listed), dtype=bool)
    if (at := kinds == _TEXT).any():
        found = strip_nul(np.array([str(c) for c in cells[at]], dtype=np.str_))
        text = text.astype(found.dtype)
        text[at] = found
        risky[at] = _risky(found)
        kinds[np.flatnonzero(at)[found == ""]] = _EMPTY
    return _Prepared(kinds, floats=floats, ints=ints, bools=bools, text=text, risky=risky)


def _chunk_cells(
    prepared: _Prepared,
    rows: slice,
    letter: str,
    numbers: npt.NDArray[np.object_],
    style: int,
    quoted: int,
) -> xml.Pieces:
    """One column's written cells in ``rows`` as :data:`~egov_score.io.xlsx_xml.Pieces`
    (``numbers`` holds the rows' numbers as text)."""
    keep = prepared.kinds[rows] != _EMPTY
    kinds = prepared.kinds[rows][keep]
    at_rows = numbers[keep]
    xf = np.full(len(kinds), style, dtype=np.intp)
    if prepared.risky is not None:
        xf[prepared.risky[rows][keep]] = quoted
    if prepared.values is not None:  # a typed column: one kind
        values = prepared.values[rows][keep]
        if values.dtype.kind == "U":
            return xml.text_cells(letter, at_rows, xf, values)
        if values.dtype.kind == "b":
            return xml.boolean_cells(letter, at_rows, xf, values)
        return xml.number_cells(letter, at_rows, xf, xml.number_text(values))
    merged = [np.empty(len(kinds), dtype=object) for _ in range(4)]
    end = np.empty(len(kinds), dtype=object)
    for kind in np.unique(kinds).tolist():
        at = kinds == kind
        if kind == _FLOAT:
            assert prepared.floats is not None
            number = xml.number_text(prepared.floats[rows][keep][at])
            pieces = xml.number_cells(letter, at_rows[at], xf[at], number)
        elif kind == _INT:
            assert prepared.ints is not None
            text = prepared.ints[rows][keep][at].astype(object)
            pieces = xml.number_cells(letter, at_rows[at], xf[at], text)
        elif kind == _BOOL:
            assert prepared.bools is not None
            pieces = xml.boolean_cells(letter, at_rows[at], xf[at], prepared.bools[rows][keep][at])
        else:
            assert prepared.text is not None
            pieces = xml.text_cells(letter, at_rows[at], xf[at], prepared.text[rows][keep][at])
        for piece, into in zip(pieces[:4], merged, strict=True):
            into[at] = piece
        end[at] = pieces[4]
    return (merged[0], merged[1], merged[2], merged[3], end)


def _width(name: str, cells: npt.NDArray[Any]) -> float:
    sample = cells[:_WIDTH_SAMPLE]
    if sample.dtype.kind == "f":
        longest = 10 if len(sample) else 0
    elif sample.dtype.kind in "iub":
        plain = np.ma.getdata(sample)  # a masked cell's data still bounds the width
        longest = len(str(int(np.abs(plain).max()))) + 1 if len(plain) else 0
    else:
        texts = np.array([str(c) if c is not None else "" for c in sample.tolist()], np.str_)
        longest = int(np.strings.str_len(texts).max()) if len(texts) else 0
    return float(min(max(len(name), longest, 6) + 2, _MAX_WIDTH))


def _tables(sheets: Mapping[str, Mapping[str, Column]]) -> dict[str, dict[str, npt.NDArray[Any]]]:
    """The sheets under their safe names, every column an array."""
    names = sheet_names(list(sheets))
    return {
        safe: {str(k): _cells(v) for k, v in cols.items()}
        for safe, cols in zip(names, sheets.values(), strict=True)
    }


def check_xlsx(path: str | os.PathLike[str], sheets: Mapping[str, Mapping[str, Column]]) -> None:
    """Check what :func:`write_xlsx` checks before writing, without writing: every limit of
    the format.

    Raises:
        InputError: a sheet breaks a limit (every problem named with its sheet, row and
            column).
    """
    _check(Path(path), _tables(sheets))


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Mapping[str, Mapping[str, Column]],
    *,
    number_formats: Mapping[str, str] | None = None,
    freeze_header: bool = True,
) -> Path:
    """Write columns to an Excel workbook, one sheet per entry of ``sheets``, in order.

    Args:
        path: the ``.xlsx`` file to write (replaced if it exists).
        sheets: sheet name -> column name -> column (see the module docstring for how each
            kind of column is written). Sheet names are made safe with :func:`sheet_names`.
        number_formats: column name -> Excel number format (``"0.0"``), in every sheet.
        freeze_header: keep the header row in view when scrolling.

    Returns:
        The path written.

    Raises:
        InputError: a sheet breaks a limit of the format (rows, columns, a text cell's
            length; every problem named with its sheet, row and column); nothing is written
            then.
        OSError: the file cannot be written.
    """
    path = Path(path)
    tables = _tables(sheets)
    _check(path, tables)
    # The file is opened here, so a path that cannot be written fails with its own OSError
    # before anything is formatted; a failure later removes the partial file.
    with open(path, "wb") as fh:
        try:
            _write_package(fh, tables, number_formats or {}, freeze_header)
        except BaseException:
            fh.close()
            path.unlink(missing_ok=True)
            raise
    return path


#: Rows formatted at once: bounds the memory of a sheet's XML to a few MB (4,096 rows of 28
#: columns were as fast as any size measured, and the smallest).
_CHUNK = 4_096
#: zlib's level for the parts: 1 was the fastest measured (python benchmarks/xlsx_writers.py
#: --levels), 6 (zipfile's default) twice as slow for a file 27 % smaller.
_COMPRESS_LEVEL = 1
#: The ZIP entries' time, as XlsxWriter stamps them.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: A bound on a cell's XML, apart from its text, in bytes: decides ZIP64 for a sheet.
_CELL_BYTES = 96


@attrs.frozen
class _Sheet:
    """One sheet, planned: its columns prepared and every cell's style numbered."""

    name: str
    header: list[str]
    columns: list[_Prepared]
    widths: list[float]
    styles: list[int]  # each column's number format, as a cellXfs index (0: none)
    n: int


def _plan(
    tables: Mapping[str, Mapping[str, npt.NDArray[Any]]],
    number_formats: Mapping[str, str],
    styles: xml.Styles,
) -> tuple[list[_Sheet], int, int]:
    """Every sheet prepared, and its formats numbered in XlsxWriter's order.

    XlsxWriter numbers a format when a cell using it is written out, and holds each sheet's
    last row until the workbook closes; then, sheet by sheet, it writes that row and the
    columns' formats. So the order is: the cells of every row but each sheet's last (sheet by
    sheet, row by row), then for each sheet its last row's cells and its columns' formats.

    Returns:
        The sheets, the header's format index and the quote prefix's.
    """
    sheets = []
    uses: list[tuple[tuple[int, int, int, int], tuple[str, object]]] = []
    for s, (name, columns) in enumerate(tables.items()):
        prepared = [_prepared(cells) for cells in columns.values()]
        found = [np.flatnonzero(c.kinds != _EMPTY) for c in prepared]
        last = max((int(at[-1]) + 1 for at in found if at.size), default=0)

        def order(row: int, col: int, s: int = s, last: int = last) -> tuple[int, int, int, int]:
            return (1, s, 0, col) if row == last else (0, s, row, col)

        if columns:
            uses.append((order(0, 0), ("header", None)))
        for c, (col_name, cells) in enumerate(zip(columns, prepared, strict=True)):
            written = cells.kinds != _EMPTY
            risky = cells.risky if cells.risky is not None else np.zeros(len(written), bool)
            if (at := np.flatnonzero(written & risky)).size:
                uses.append((order(int(at[0]) + 1, c), ("quoted", None)))
            code = number_formats.get(col_name)
            if code is not None:
                key: tuple[str, object] = ("number", code)
                if (at := np.flatnonzero(written & ~risky)).size:
                    uses.append((order(int(at[0]) + 1, c), key))
                uses.append(((1, s, 1, c), key))  # the column's own format
        n = len(next(iter(columns.values()))) if columns else 0
        widths = [_width(k, v) for k, v in columns.items()]
        sheets.append(_Sheet(name, list(columns), prepared, widths, [], n))
    for _, key in sorted(uses, key=lambda use: use[0]):
        styles.index(key)
    keys = {key for _, key in uses}
    header = styles.index(("header", None)) if ("header", None) in keys else 0
    quoted = styles.index(("quoted", None)) if ("quoted", None) in keys else 0
    planned = [
        attrs.evolve(
            sheet,
            styles=[
                styles.index(("number", number_formats[h])) if h in number_formats else 0
                for h in sheet.header
            ],
        )
        for sheet in sheets
    ]
    return planned, header, quoted


def _zip_info(name: str, level: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Python 3.13 renamed the attribute; a ZipInfo has __slots__, so set the one it has.
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)
    return info


def _header_cells(sheet: _Sheet, letters: Sequence[str], header: int) -> str:
    """The header row: every name a bold text cell (an empty name too, as XlsxWriter
    writes it)."""
    names = strip_nul(np.array(sheet.header, dtype=np.str_))
    one = np.array(["1"], dtype=object)
    cells = [
        xml.text_cells(letter, one, np.array([header]), names[c : c + 1])
        for c, letter in enumerate(letters)
    ]
    return xml.rows_xml(1, cells, [np.ones(1, dtype=bool)] * len(cells))


def _write_sheet(
    zf: zipfile.ZipFile,
    index: int,
    sheet: _Sheet,
    header: int,
    quoted: int,
    freeze_header: bool,
    level: int,
) -> str | None:
    """Write one sheet's part; returns its filter's range (``$A$1:$E$4``), if it has one."""
    k = len(sheet.columns)
    letters = xml.column_letters(k)
    last = 1
    for column in sheet.columns:
        at = np.flatnonzero(column.kinds != _EMPTY)
        last = max(last, int(at[-1]) + 2 if at.size else 1)
    if k == 0:
        dimension, autofilter, ranged = "A1", None, None
    else:
        dimension = "A1" if (k, last) == (1, 1) else f"A1:{letters[-1]}{last}"
        bottom = max(sheet.n, 1) + 1
        autofilter = f"A1:{letters[-1]}{bottom}"
        ranged = f"$A$1:${letters[-1]}${bottom}"
    text_chars = sum(
        int(np.strings.str_len(text).sum())
        for c in sheet.columns
        for text in (c.values, c.text)
        if text is not None and text.dtype.kind == "U"
    )
    bound = sheet.n * (k * _CELL_BYTES + 32) + 28 * text_chars
    info = _zip_info(f"xl/worksheets/sheet{index + 1}.xml", level)
    with zf.open(info, "w", force_zip64=bound > 2**31 - 2**24) as part:
        part.write(
            xml.sheet_head_xml(
                dimension=dimension,
                selected=index == 0,
                freeze_header=freeze_header,
                widths=sheet.widths,
                styles=sheet.styles,
                has_cells=k > 0,
            ).encode()
        )
        if k:
            part.write(_header_cells(sheet, letters, header).encode())
        for start in range(0, sheet.n, _CHUNK):
            rows = slice(start, min(start + _CHUNK, sheet.n))
            numbers = np.arange(rows.start + 2, rows.stop + 2).astype(np.str_).astype(object)
            written = [c.kinds[rows] != _EMPTY for c in sheet.columns]
            cells = [
                _chunk_cells(c, rows, letter, numbers, style, quoted)
                for c, letter, style in zip(sheet.columns, letters, sheet.styles, strict=True)
            ]
            part.write(xml.rows_xml(rows.start + 2, cells, written).encode())
        part.write(xml.sheet_tail_xml(autofilter=autofilter, has_cells=k > 0).encode())
    return ranged


def _write_package(
    fh: BinaryIO,
    tables: Mapping[str, Mapping[str, npt.NDArray[Any]]],
    number_formats: Mapping[str, str],
    freeze_header: bool,
    level: int | None = None,
) -> None:
    """The whole XLSX package, its parts in XlsxWriter's order (``level``: zlib's, default
    :data:`_COMPRESS_LEVEL`)."""
    level = _COMPRESS_LEVEL if level is None else level
    styles = xml.Styles()
    sheets, header, quoted = _plan(tables, number_formats, styles)
    names = [s.name for s in sheets]
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, text: str) -> None:
            zf.writestr(_zip_info(name, level), text.encode())

        put("[Content_Types].xml", xml.content_types_xml(len(sheets)))
        put("_rels/.rels", xml.root_rels_xml())
        put("xl/_rels/workbook.xml.rels", xml.workbook_rels_xml(len(sheets)))
        filters = [
            _write_sheet(zf, i, sheet, header, quoted, freeze_header, level)
            for i, sheet in enumerate(sheets)
        ]
        put("xl/workbook.xml", xml.workbook_xml(names, filters))
        put("xl/styles.xml", styles.xml())
        put("xl/theme/theme1.xml", THEME_XML)
        put("docProps/core.xml", xml.core_xml())
        put("docProps/app.xml", xml.app_xml(names))
