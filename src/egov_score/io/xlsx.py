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
- an object column may mix numbers, text and ``None`` (an empty cell); its cells are looked
  at one by one, so prefer typed and masked columns for long tables;
- ``number_formats`` maps a column name to an Excel number format (``"0.0"`` shows one
  decimal; the cell keeps the number), in every sheet that has that column;
- the header row is frozen (``freeze_header=False`` to leave it), filters are on, and column
  widths follow the longest of the header and the first cells (at most 60 characters).

Sheet names are made safe first (:func:`sheet_names`: Excel's 31 characters, none of
``[]:*?/\\``), and every limit of the format is checked before a byte is written: at most
1,048,575 rows below the header and 16,384 columns a sheet, text cells of at most 32,767
characters. A breach is an :class:`~egov_score.exceptions.InputError` naming the sheet,
column, row and what was found, and no file is written.

Numbers are written with 16 significant digits (XlsxWriter's form; Excel shows 15), so a
number read back equals the one written to within one unit in the last place.

The writer is XlsxWriter, imported when first needed: install the ``excel`` extra
(``pip install 'egov-score[excel]'``), which also holds openpyxl for reading.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from egov_score.exceptions import InputError
from egov_score.io.table import format_problems, neutralise, strip_nul

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SHEET_NAME",
    "MAX_TEXT",
    "check_xlsx",
    "require_excel",
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

_EXTRA = "writing Excel files needs the 'excel' extra: pip install 'egov-score[excel]'"


def require_excel() -> None:
    """Check that the ``excel`` extra is installed, before a run writes anything.

    Raises:
        InputError: XlsxWriter cannot be imported; the message names the extra.
    """
    _writer()


def _writer() -> Any:
    """The XlsxWriter module, imported when first needed."""
    try:
        import xlsxwriter
    except ImportError:
        raise InputError(_EXTRA) from None
    return xlsxwriter


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


def _pick(mask: npt.NDArray[np.bool_], yes: object, no: object) -> list[Any]:
    """``yes`` where ``mask`` holds, else ``no``, as a list (either may be None)."""
    out = np.full(len(mask), no, dtype=object)
    out[mask] = yes
    return list(out.tolist())


def _text_or_none(text: npt.NDArray[np.str_]) -> npt.NDArray[Any]:
    """Text cells as objects, the empty ones None."""
    out = text.astype(object)
    out[text == ""] = None
    return out


def _prepared(
    cells: npt.NDArray[Any], fmt: Any, quoted: Any
) -> tuple[str, list[Any], list[Any] | None]:
    """One column as (kind, cells with None for empty, formats per cell or None)."""
    if isinstance(cells, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(cells)
        kind, listed, per_cell = _prepared(np.ma.getdata(cells), fmt, quoted)
        if mask.any():
            held = np.array(listed, dtype=object)
            held[mask] = None
            listed = list(held.tolist())
        return kind, listed, per_cell
    kind = cells.dtype.kind
    if kind == "f":
        values = cells.astype(object)
        values[~np.isfinite(cells)] = None
        return "number", values.tolist(), None
    if kind in "iu":
        return "number", cells.tolist(), None
    if kind == "b":
        return "boolean", cells.tolist(), None
    if kind == "U":
        text = strip_nul(cells)
        risky = _risky(text)
        per_cell = _pick(risky, quoted, fmt) if risky.any() else None
        return "string", _text_or_none(text).tolist(), per_cell
    # Object columns: each cell by its type (text, a number, None or NaN for empty).
    values = cells.copy()
    text_at = np.array([isinstance(c, str) for c in values.tolist()], dtype=bool)
    per_cell = None
    if text_at.any():
        text = strip_nul(values[text_at].astype(np.str_))
        values[text_at] = _text_or_none(text)
        risky = np.zeros(len(values), dtype=bool)
        risky[text_at] = _risky(text)
        if risky.any():
            per_cell = _pick(risky, quoted, fmt)
    empty = np.array(
        [c is None or (isinstance(c, float) and not np.isfinite(c)) for c in values.tolist()],
        dtype=bool,
    )
    values[empty] = None
    return "any", values.tolist(), per_cell


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
    """Check what :func:`write_xlsx` checks before writing, without writing: the ``excel``
    extra, and every limit of the format.

    Raises:
        InputError: the extra is missing, or a sheet breaks a limit (every problem named
            with its sheet, row and column).
    """
    _writer()
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
        InputError: the ``excel`` extra is missing, or a sheet breaks a limit of the format
            (rows, columns, a text cell's length; every problem named with its sheet, row
            and column); nothing is written then.
        OSError: the file cannot be written.
    """
    xlsxwriter = _writer()
    path = Path(path)
    tables = _tables(sheets)
    _check(path, tables)
    # The file is opened here, so a path that cannot be written fails with its own OSError
    # before the writer makes any temporary file; a failure later removes the partial file.
    with open(path, "wb") as fh:
        try:
            _write_book(
                xlsxwriter.Workbook(fh, _OPTIONS), tables, number_formats or {}, freeze_header
            )
        except BaseException:
            fh.close()
            path.unlink(missing_ok=True)
            raise
    return path


#: XlsxWriter's options: rows stream to disk (memory stays flat) and text is always text.
_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _write_book(
    book: Any,
    tables: Mapping[str, Mapping[str, npt.NDArray[Any]]],
    number_formats: Mapping[str, str],
    freeze_header: bool,
) -> None:
    header_fmt = book.add_format({"bold": True, "quote_prefix": True})
    formats = {f: book.add_format({"num_format": f}) for f in set(number_formats.values())}
    quoted = book.add_format({"quote_prefix": True})
    for sheet, columns in tables.items():
        ws = _write_sheet(book, sheet, columns, number_formats, formats, quoted, header_fmt)
        if freeze_header:
            ws.freeze_panes(1, 0)
    book.close()


def _write_sheet(
    book: Any,
    sheet: str,
    columns: Mapping[str, npt.NDArray[Any]],
    number_formats: Mapping[str, str],
    formats: Mapping[str, Any],
    quoted: Any,
    header_fmt: Any,
) -> Any:
    ws = book.add_worksheet(sheet)
    header = [str(h) for h in columns]
    n = len(next(iter(columns.values()))) if columns else 0
    writers = {
        "number": ws.write_number,
        "string": ws.write_string,
        "boolean": ws.write_boolean,
        "any": ws.write,
    }
    plan = []
    for c, (name, cells) in enumerate(columns.items()):
        fmt = formats.get(number_formats.get(name, ""))
        ws.set_column(c, c, _width(name, cells), fmt)
        kind, values, per_cell = _prepared(cells, fmt, quoted)
        plan.append((c, writers[kind], values, per_cell if per_cell is not None else [fmt] * n))
    for c, name in enumerate(header):
        ws.write_string(0, c, strip_nul(np.array([name], np.str_))[0].item(), header_fmt)
    if header:
        ws.autofilter(0, 0, max(n, 1), len(header) - 1)
    _write_rows(n, plan)
    return ws


def _write_rows(n: int, plan: Iterable[tuple[int, Any, list[Any], list[Any]]]) -> None:
    """The cells row by row (the streaming writer takes rows in order), through the writer's
    own per-cell calls: the one loop over rows, inside the library's interface."""
    steps = list(plan)
    rows = zip(*(values for _, _, values, _ in steps), strict=True)
    fmts = zip(*(f for _, _, _, f in steps), strict=True)
    calls = [(c, write) for c, write, _, _ in steps]
    for r, (row, row_fmts) in enumerate(zip(rows, fmts, strict=True), start=1):
        for (c, write), value, fmt in zip(calls, row, row_fmts, strict=True):
            if value is not None:
                write(r, c, value, fmt)
