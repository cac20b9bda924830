"""Reading and writing the CSV tables at the edge of the library.

A :class:`Table` is a CSV file held as columns of strings, with the file's row number of every
record kept for error messages (the header is row 1). Parsing cells into numbers is vectorised;
only the error path looks at cells one by one, to name them.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, LazyColumns, StrArray, array_eq
from egov_score.exceptions import InputError
from egov_score.io.byte_columns import split_columns
from egov_score.io.cells import PLAIN_NUMBER, cell_problem, is_missing, is_number
from egov_score.io.csv_rows import Cells, IndexedText, rows_text, write_rows
from egov_score.io.encodings import decode, nul_problem
from egov_score.io.polars_import import import_polars

__all__ = [
    "BOM",
    "IndexedText",
    "Table",
    "close_matches",
    "closest_column",
    "csv_text",
    "format_problems",
    "is_plain_number",
    "neutralise",
    "parse_floats",
    "path_inside",
    "safe_file_names",
    "strip_nul",
    "unit_file_names",
    "with_bom",
    "write_csv",
]

#: The byte-order mark (U+FEFF) that starts the CSV files egov-score writes for people: with
#: it, Excel on Windows opens a UTF-8 file as UTF-8 (without it, Devanagari shows as
#: mojibake). Every reader of the package skips it (:func:`~egov_score.io.encodings.decode`).
BOM = "\ufeff"

#: A column :func:`write_csv` writes: an array or sequence of cells, or text given as its
#: distinct cells and an index (:class:`~egov_score.io.csv_rows.IndexedText`).
Column = npt.NDArray[Any] | Sequence[object] | IndexedText

#: How many offending cells an error message lists before it says "and N more".
MAX_LISTED = 10


def format_problems(problems: Sequence[str], what: str) -> str:
    """Join problem lines into one message, listing at most :data:`MAX_LISTED` of them."""
    shown = list(problems[:MAX_LISTED])
    if len(problems) > MAX_LISTED:
        shown.append(f"... and {len(problems) - MAX_LISTED} more")
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{what}: {len(problems)} {noun}:\n  " + "\n  ".join(shown)


def _str_array(values: Iterable[str]) -> StrArray:
    cells = list(values)
    # Sized up front: numpy's own search for the longest string is several times slower.
    width = max(map(len, cells), default=0)
    return np.array(cells, dtype=f"<U{max(width, 1)}")


@attrs.frozen
class Table:
    """A CSV table held as columns of stripped strings.

    Attributes:
        source: the file name (or a description such as ``"<values>"``) used in messages.
        header: the column names in file order.
        columns: column name -> array of cell strings (whitespace stripped).
        rows: the file row number of every record (header = row 1), for messages.
    """

    source: str
    header: tuple[str, ...]
    columns: Mapping[str, StrArray]
    rows: IntArray = attrs.field(eq=array_eq)
    #: The cells as read, per column, so numbers parse without a string array in between.
    raw: Mapping[str, Sequence[str]] | None = attrs.field(default=None, eq=False, repr=False)
    _parsed: dict[str, FloatArray] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @property
    def n_rows(self) -> int:
        """Number of records (not counting the header)."""
        return len(self.rows)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> Table:
        """Read a UTF-8 CSV file (a byte-order mark is allowed; UTF-16 and UTF-32 with their
        byte-order mark are read too) with a header row.

        Raises:
            InputError: the file is missing, not UTF-8 (naming the encoding it looks like),
                empty, holds NUL bytes, a cell over 128 KiB or an unterminated quote, has
                duplicate or blank column names, or a row with a different number of cells
                than the header.
        """
        path = Path(path)
        data = _read_bytes(path)
        fast = _polars_bytes_table(data, str(path))  # no decoding and encoding again
        if fast is not None:
            return fast
        return _text_table(decode(data, str(path)), str(path), with_polars=False)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Table:
        """Read a table from a ``.csv`` file, or an Excel workbook (``.xlsx``, ``.xlsm``: its
        first sheet; needs the ``excel`` extra).

        Raises:
            InputError: an unknown file type, or the file cannot be read.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return cls.from_excel(path)
        if suffix in (".csv", ".txt", ""):
            return cls.from_csv(path)
        raise InputError(f"a table must be a .csv or .xlsx file; got {str(path)!r}")

    @classmethod
    def from_excel(cls, path: str | os.PathLike[str], sheet: str | None = None) -> Table:
        """Read the first sheet (or ``sheet``) of an Excel workbook as a table.

        Cells are read as text the way a CSV export would hold them: whole numbers without a
        decimal point, dates as ``YYYY-MM-DD`` (write periods such as ``2021-01`` as text).
        Row numbers in messages are the sheet's.

        Raises:
            InputError: the ``excel`` extra is not installed, or the file cannot be read.
        """
        try:
            import openpyxl
        except ImportError:
            raise InputError(
                "reading Excel files needs the 'excel' extra: pip install 'egov-score[excel]'"
            ) from None
        path = Path(path)
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except FileNotFoundError:
            raise InputError(f"file must exist; got {str(path)!r}") from None
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputError(f"{path}: must be a readable Excel workbook; {exc}") from None
        try:
            ws = book[sheet] if sheet is not None else book.worksheets[0]
        except (KeyError, IndexError):
            raise InputError(
                f"{path}: sheet must be one of {book.sheetnames!r}; got {sheet!r}"
            ) from None
        try:
            uncached = _uncached_formulas(ws)
            rows = [[_excel_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
        except Exception as exc:  # a damaged sheet fails only when its cells are read
            raise InputError(f"{path}: must be a readable Excel workbook; {exc}") from None
        finally:
            book.close()
        if uncached:
            cells = ", ".join(f"{ws.title}!{c}" for c in uncached[:MAX_LISTED])
            more = f" and {len(uncached) - MAX_LISTED} more" if len(uncached) > MAX_LISTED else ""
            msg = (
                f"{path}: a formula cell must hold its computed value; got {len(uncached)} "
                f"formula cell(s) saved without one: {cells}{more} (open the workbook in Excel "
                "or LibreOffice and save it, so every formula's value is stored)"
            )
            raise InputError(msg)
        while rows and not any(rows[-1]):
            rows.pop()
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return cls.from_text(buf.getvalue(), source=str(path))

    @classmethod
    def from_csv_numeric(cls, path: str | os.PathLike[str], numeric: Collection[str]) -> Table:
        """Read a CSV whose ``numeric`` columns hold only numbers or empty cells, fast.

        Plain files (no quotes, no blank or ragged lines) are parsed by polars' reader when
        the ``fastcsv`` extra is installed (from the file's bytes, numbers parsed as float64
        by polars itself: :func:`_polars_numeric_file`), else by numpy's C reader; anything
        else, or any cell that is not a number by :mod:`egov_score.io.cells`, falls back to
        :meth:`from_csv`, so the errors are the same, naming the row, column and value.
        """
        path = Path(path)
        by_bytes = _polars_numeric_file(path, numeric)
        if by_bytes is not None:
            return by_bytes
        text = _read_text(path)
        if "\x00" in text:
            return cls.from_text(text, source=str(path))  # the careful path names it
        fast = _polars_fast_path(text, str(path), numeric)
        if fast is None:
            fast = _numeric_fast_path(text, str(path), numeric)
        return fast if fast is not None else cls.from_text(text, source=str(path))

    @classmethod
    def from_text(cls, text: str, *, source: str) -> Table:
        """Parse CSV text (see :meth:`from_csv`).

        A large file is read by polars (every cell as text) when the ``fastcsv`` extra is
        installed and its quotes are well formed with no line break inside a cell; a plain
        file (no quotes, no blank or ragged lines) is split in one pass; any other goes
        through Python's CSV reader. All give the same table for the same text, and every
        message is the CSV reader's.
        """
        return _text_table(text, source, with_polars=True)

    @classmethod
    def _from_records(cls, text: str, source: str) -> Table:
        """Parse CSV text with Python's CSV reader, cell by cell: every file, every message."""
        records = _records(text, source)
        header = tuple(h.strip() for h in records[0])
        blank = [i + 1 for i, h in enumerate(header) if not h]
        if blank:
            raise InputError(f"{source}: every column needs a name; column(s) {blank} are blank")
        seen: set[str] = set()
        dupes = sorted({h for h in header if h in seen or seen.add(h)})  # type: ignore[func-returns-value]
        if dupes:
            raise InputError(f"{source}: column names must be unique; got {dupes!r} twice")
        body = records[1:]
        row_numbers = np.arange(2, len(body) + 2, dtype=np.intp)
        lengths = np.fromiter(map(len, body), dtype=np.intp, count=len(body))
        keep = lengths > 0  # a blank line is not a record
        bad = keep & (lengths != len(header))
        if bad.any():
            problems = [
                f"row {r}: expected {len(header)} cells as in the header; got {n}"
                for r, n in zip(row_numbers[bad], lengths[bad], strict=True)
            ]
            raise InputError(format_problems(problems, source))
        if not keep.all():
            body = [r for r, k in zip(body, keep, strict=True) if k]
        raw = dict(zip(header, zip(*body, strict=True), strict=True)) if body else {}
        raw = {h: raw.get(h, ()) for h in header}

        def strings(name: str) -> StrArray:
            cells = raw[name]
            return np.char.strip(_str_array(cells)) if cells else np.array([], dtype=np.str_)

        # String columns are built when first read; numeric ones parse from ``raw``.
        columns: LazyColumns[StrArray] = LazyColumns(header, strings)
        return cls(source, header, columns, row_numbers[keep], raw)

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Sequence[object] | npt.NDArray[Any]],
        *,
        source: str,
        numeric: Collection[str] = (),
        first_row: int = 1,
    ) -> Table:
        """Build a table from a mapping of column name -> sequence of cells (None = empty).

        A column named in ``numeric`` that holds numbers (a numeric or boolean numpy array, or
        a sequence of numbers, numeric strings and None/NaN) is kept as float64 without a
        round trip through text: NaN and None are missing, True and False are 1 and 0 (as an
        Excel cell reads), and a float64 array is used without a copy. Every other column is
        text (numbers written as a CSV export holds them: ``3``, ``2.5``), and a numeric column
        holding anything else (a word, an infinite number) is text too, so that parsing it
        names the cell by the grammar of :mod:`egov_score.io.cells`. Row numbers in messages
        count from ``first_row``.
        """
        header = tuple(data)
        lengths = {name: len(col) for name, col in data.items()}
        if len(set(lengths.values())) > 1:
            raise InputError(f"{source}: all columns must have the same length; got {lengths!r}")
        n = next(iter(lengths.values()), 0)
        numbers: dict[str, FloatArray] = {}
        texts: dict[str, StrArray] = {}
        for name, col in data.items():
            number, text = _mapped_column(col, n, name in numeric)
            if number is not None:
                numbers[name] = number
            else:
                assert text is not None
                texts[name] = text

        def strings(name: str) -> StrArray:
            # Numbers as text only when a message quotes one of them.
            return texts[name] if name in texts else _number_text(numbers[name])

        columns: LazyColumns[StrArray] = LazyColumns(header, strings, texts)
        out = cls(source, header, columns, np.arange(first_row, n + first_row, dtype=np.intp))
        out._parsed.update(numbers)
        return out

    def floats(self, column: str) -> FloatArray:
        """Column ``column`` parsed as float64 (empty = NaN), parsed once and kept; see
        :func:`parse_floats`."""
        if column not in self._parsed:
            values = parse_floats(self, column)
            values.setflags(write=False)
            self._parsed[column] = values
        return self._parsed[column]

    def compact(self) -> Table:
        """This table with every column built as a string array and the cells as read let go
        (a Python string per cell takes several times the memory); numbers already parsed
        are carried over. The same table: the same header, rows, cells and numbers."""
        if self.raw is None:
            return self
        columns = {name: self.columns[name] for name in self.header}
        out = Table(self.source, self.header, columns, self.rows)
        out._parsed.update(self._parsed)
        return out

    def select(self, keep: npt.NDArray[np.bool_]) -> Table:
        """The rows where ``keep`` holds, as a table; numbers already parsed are carried over
        and string columns are cut when first read."""
        parent = self
        columns: LazyColumns[StrArray] = LazyColumns(self.header, lambda k: parent.columns[k][keep])
        out = Table(self.source, self.header, columns, self.rows[keep])
        for name, values in self._parsed.items():
            cut = values[keep]
            cut.setflags(write=False)
            out._parsed[name] = cut
        return out

    def require_rows(self, what: str = "table") -> None:
        """Raise :class:`InputError` when the table holds no row below its header."""
        if self.n_rows == 0:
            raise InputError(
                f"{self.source}: a {what} must hold at least one row below its header; "
                f"got only the header"
            )

    def require(self, *names: str) -> None:
        """Raise :class:`InputError` naming every required column that is absent, with the
        closest column of the header for each (``did you mean 'services'?``)."""
        missing = [n for n in names if n not in self.columns]
        if missing:
            spare = [h for h in self.header if h not in names]
            hints = []
            for name in missing:
                close = closest_column(name, spare)
                if close is not None:
                    hints.append(f"for {name!r}, did you mean {close!r}?")
            msg = (
                f"{self.source}: columns {missing!r} are required; "
                f"the header has {list(self.header)!r} (expected {list(names)!r}"
            )
            raise InputError(msg + "".join(f"; {h}" for h in hints) + ")")


def _missing_cells(arr: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Where an object column holds None or NaN (a missing cell), compared element-wise."""
    with np.errstate(invalid="ignore"):
        missing = np.asarray(arr == None, dtype=bool)  # noqa: E711 (element-wise)
        missing |= np.asarray(arr != arr, dtype=bool)  # NaN is the one value unequal to itself
    return missing


def _floats_of(arr: npt.NDArray[Any]) -> FloatArray | None:
    """A column of numbers as float64 (None and NaN missing; float64 without a copy), or None
    when it holds anything else: text, or an infinite number, which the careful path names.

    Text in an object column is read here by Python's ``float``, the cell grammar's own test
    of a number (:mod:`egov_score.io.cells`); a cell it reads as NaN or infinity (``"nan"``)
    sends the column to the careful path, as does any cell it cannot read (``""``, ``"a"``).
    """
    if arr.dtype.kind in "fiub":
        values = np.asarray(arr, dtype=np.float64)
        return None if np.isinf(values).any() else values
    if arr.dtype.kind != "O":
        return None
    missing = _missing_cells(arr)
    present = arr[~missing]
    try:
        read = present.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    if not np.isfinite(read).all():
        return None
    values = np.full(len(arr), np.nan)
    values[~missing] = read
    return values


def _mapped_column(
    col: Sequence[object] | npt.NDArray[Any], n: int, numeric: bool
) -> tuple[FloatArray | None, StrArray | None]:
    """One column of :meth:`Table.from_mapping`: float64 numbers, or stripped text."""
    if not n:
        return None, np.array([], dtype=np.str_)
    try:  # a sequence of plain numbers becomes a numeric array at once
        arr = np.asarray(col)
    except ValueError:  # ragged
        arr = np.asarray(col, dtype=object)
    if arr.ndim != 1 or arr.dtype.kind not in "fiubUO":
        arr = np.asarray(col, dtype=object)
    number = _floats_of(arr) if numeric else None
    if number is not None:
        return number, None
    if arr.dtype.kind in "fiub":
        return None, _number_text(np.asarray(arr, dtype=np.float64))
    if arr.dtype.kind == "O":
        arr = np.where(_missing_cells(arr), "", arr)
    return None, np.strings.strip(arr.astype(np.str_))


def _number_text(values: FloatArray) -> StrArray:
    """Numbers as a CSV export holds them: whole numbers without a decimal point, others in
    the shortest form that reads back the same; missing ones empty."""
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (np.abs(values) < 2**53) & (values == np.round(values))
    ints = np.where(whole, values, 0).astype(np.int64).astype(np.str_)
    text = np.where(whole, ints, values.astype(np.str_))
    return np.where(np.isnan(values), "", text)


def _read_bytes(path: Path) -> bytes:
    """The bytes of a CSV file; a missing or unreadable one is an :class:`InputError`."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"file must exist; got {str(path)!r}") from None
    except OSError as exc:
        raise InputError(f"{path}: must be a readable file; got {exc.strerror}") from None


def _read_text(path: Path) -> str:
    """The text of a CSV file (see :func:`~egov_score.io.encodings.decode`)."""
    return decode(_read_bytes(path), str(path))


#: The largest cell Python's CSV reader takes (its default field size limit).
FIELD_LIMIT = csv.field_size_limit()


def _records(text: str, source: str) -> list[list[str]]:
    """The records of CSV text; a broken file is an :class:`InputError` naming the row.

    The text is read strictly first, so a quote left open to the end of the file is caught.
    A file with a stray character after a closing quote (``"2"x``) is then read leniently,
    as spreadsheets read it, and one whose lines end in a lone ``\r`` (old Mac files) with
    universal newlines.
    """
    strict = True
    newline: str | None = "\n"
    while True:  # at most three readings: each retry turns one option off
        records: list[list[str]] = []
        try:
            records.extend(csv.reader(io.StringIO(text, newline=newline), strict=strict))
        except csv.Error as exc:
            row = len(records) + 1  # the record being read when it failed
            if "field limit" in str(exc):
                hint = (
                    ' (a quote (") opened in this row and never closed would do this)'
                    if text.count('"') % 2
                    else ""
                )
                msg = (
                    f"{source}: row {row}: a cell must be at most {FIELD_LIMIT:,} characters "
                    f"(128 KiB); got a longer one{hint}"
                )
                raise InputError(msg) from None
            if "unexpected end of data" in str(exc):
                msg = (
                    f'{source}: row {row}: a quoted cell must end with a closing quote ("); '
                    f"got a quote that runs to the end of the file"
                )
                raise InputError(msg) from None
            if strict and "expected after" in str(exc):
                strict = False
                continue
            if newline is not None and "new-line character" in str(exc):
                newline = None
                continue
            raise InputError(f"{source}: row {row}: must be a well-formed CSV row; {exc}") from None
        return records


def closest_column(name: str, header: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The name of ``header`` most like ``name`` (a typo or a renaming such as ``service`` for
    ``services``), or None where none is at least ``cutoff`` alike (difflib's ratio). Every
    "did you mean" of the package asks this one function (or :func:`close_matches`, for
    several)."""
    close = close_matches(name, header, n=1, cutoff=cutoff)
    return close[0] if close else None


def close_matches(name: str, choices: Iterable[str], n: int = 5, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` of ``choices`` most like ``name``, best first, each at least ``cutoff``
    alike (difflib's ratio): the candidates of a "did you mean" that lists several."""
    return difflib.get_close_matches(name, list(dict.fromkeys(choices)), n=n, cutoff=cutoff)


#: Written into empty numeric cells for numpy's reader, then read back as missing; a file that
#: already contains it takes the careful path.
_EMPTY = "-7.7e-308"


def _plain_csv_header(text: str) -> tuple[tuple[str, ...], str] | None:
    """The header and body of a plain CSV file — no quotes, no blank or ragged lines, unique
    non-empty column names — which the fast readers may take; None for anything else."""
    first, _, body = text.partition("\n")
    first = first.removesuffix("\r")
    header = tuple(h.strip() for h in first.split(","))
    if "\r" in body:
        body = body.replace("\r\n", "\n")
    body = body.rstrip("\n")
    if (
        not body
        or body.isspace()
        or '"' in text
        or _EMPTY in text
        or "\n\n" in body
        or body.startswith("\n")
        or "\r" in body
        or "\r" in first
        or len(set(header)) != len(header)
        or not all(header)
        or body.count(",") != (body.count("\n") + 1) * (len(header) - 1)  # ragged rows
    ):
        return None
    return header, body


def _require_text(text: str, source: str) -> None:
    """Raise :class:`InputError` for text holding a NUL, or nothing but whitespace."""
    nul = nul_problem(text, source)
    if nul is not None:
        raise InputError(nul)
    if not text or text.isspace():  # isspace stops at the first other character
        raise InputError(f"{source}: a CSV file must have a header row; got an empty file")


def _text_table(text: str, source: str, *, with_polars: bool) -> Table:
    """:meth:`Table.from_text`; ``with_polars=False`` when polars has read the file's bytes
    already and left it to the other readers."""
    _require_text(text, source)
    fast = _polars_text_table(text, source) if with_polars else None
    if fast is None:
        fast = _plain_text_table(text, source)
    return fast if fast is not None else _careful_table(text, source)


def _careful_table(text: str, source: str) -> Table:
    """The table of CSV text read by Python's CSV reader alone (see :meth:`Table.from_text`)."""
    _require_text(text, source)
    return Table._from_records(text, source)


def _plain_text_table(text: str, source: str) -> Table | None:
    """Read a plain CSV file (see :func:`~egov_score.io.byte_columns.split_columns`: quotes
    only around whole cells) with every column as text, cut from its bytes, into the very
    table the careful reader builds, holding no Python string per cell; None where the
    careful reader is needed (a stray quote, a blank or ragged line, a cell over the field
    limit), so every message stays its own."""
    split = split_columns(text)
    if split is None:
        return None
    header, columns, n = split
    return Table(source, header, columns, np.arange(2, n + 2, dtype=np.intp))


#: The code points Python's ``str.strip`` strips that polars' ``\s`` does not match.
_SEPARATOR_SPACES = r"\x1c-\x1f"
#: A cell that starts or ends with a character Python counts as whitespace.
_PADDED = rf"^[\s{_SEPARATOR_SPACES}]|[\s{_SEPARATOR_SPACES}]$"


def _well_quoted_commas(data: npt.NDArray[np.uint8], at: IntArray | None = None) -> IntArray | None:
    """The positions of the commas that separate cells in CSV bytes whose quotes are well
    formed — a quoted cell starts a cell, ends at a comma or a line end, doubles its quotes,
    and holds no line break — so that Python's strict CSV reader and polars read the same
    cells; None for any other bytes. ``at``: the quotes' positions, when found already."""
    if at is None:
        at = np.flatnonzero(data == ord('"'))
    commas = np.flatnonzero(data == ord(","))
    if not len(at):
        return commas
    # Quotes before a byte, from the quotes' positions (few) rather than a running count over
    # every byte: a byte after an odd number of quotes is within a quoted cell.
    lines = np.flatnonzero(data == ord("\n"))
    if (np.searchsorted(at, lines) % 2).any() or len(at) % 2:
        return None  # a line break in a quoted cell, or a quote left open at the end
    if not _quotes_placed(data, at):
        return None  # a stray quote, or text after a closing quote: the careful reader
    outside: IntArray = commas[np.searchsorted(at, commas) % 2 == 0]
    return outside


def _quotes_placed(data: npt.NDArray[np.uint8], at: IntArray) -> bool:
    """Whether the quotes at ``at`` (an even number) each open a cell, close one or double
    their neighbour: no stray quote, no text after a closing quote."""
    inside = np.arange(len(at)) % 2 == 1  # a quote after an odd number of quotes
    prev = np.where(at > 0, data[np.maximum(at - 1, 0)], ord("\n"))
    after = np.where(at + 1 < len(data), data[np.minimum(at + 1, len(data) - 1)], ord("\n"))
    edge = (ord(","), ord("\n"), ord('"'))
    opens = np.isin(prev, edge)  # a quote that opens a cell, or doubles the one before it
    closes = np.isin(after, edge)  # a quote that closes a cell, or is doubled by the next
    return bool(np.where(inside, closes, opens).all())


#: Columns of at least this many cells whose even sample of ~2,048 holds at most
#: :data:`_FEW_DISTINCT` distinct cells (levels, officers' titles, periods) are converted
#: through their distinct cells.
_FEW_FROM = 4096
_FEW_DISTINCT = 256


def _polars_strings(pl: Any, series: Any, padded: bool | None = None) -> StrArray:
    """A polars text column (no NUL, no null) as a string array stripped as the careful
    reader strips it; ``padded``: whether a cell starts or ends with a space, when known
    already (found here otherwise)."""
    n = len(series)
    if n == 0:
        return np.array([], dtype=np.str_)
    few = _polars_few_strings(pl, series) if n >= _FEW_FROM else None
    if few is not None:
        return few
    cells = _polars_text_column(pl, series)  # no Python string per cell
    if padded is None:
        padded = bool(series.str.contains(_PADDED).any())
    return np.char.strip(cells) if padded else cells


def _polars_few_strings(pl: Any, series: Any) -> StrArray | None:
    """A text column of few distinct cells as a string array: each distinct cell converted
    (and stripped) once, the column as their indices (an ``Enum`` cast, several times faster
    than joining every cell); None for a column of many distinct cells."""
    n = len(series)
    sample = series.gather(np.arange(0, n, max(1, n // 2048)))  # judged from an even sample
    if sample.n_unique() > _FEW_DISTINCT:
        return None
    distinct = series.unique()
    if len(distinct) > 16 * _FEW_DISTINCT:
        return None  # the sample misled: converting the distinct cells would not pay
    # Stripped as the careful reader strips a column: the width of the cells as read kept.
    labels = np.char.strip(np.array(distinct.to_list(), dtype=np.str_))
    index = series.cast(pl.Enum(distinct)).to_physical().to_numpy()
    out: StrArray = labels[index]
    return out


def _plain_width(data: bytes, stop: int) -> tuple[int, int] | None:
    """The width (cells per line, from the first line) and the number of lines of CSV bytes
    without a quote, up to ``stop``; None when the commas are not ``lines * (width - 1)``.
    Counted, not located: a line shorter than the first then means another is longer, which
    polars' reader refuses (the caller then leaves the file to the careful reader)."""
    first = data.find(b"\n", 0, stop)
    width = data.count(b",", 0, first if first >= 0 else stop) + 1
    lines = data.count(b"\n", 0, stop) + 1
    return (width, lines) if data.count(b",", 0, stop) == lines * (width - 1) else None


#: The byte-order marks of UTF-16 and UTF-32 (UTF-32-LE's starts with UTF-16-LE's).
_OTHER_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)

#: CSV bytes with at most this many quotes (officers' titles on the districts' rows) have
#: their separating commas counted stretch by quoted stretch rather than located one by one.
_FEW_QUOTES = 4096


def _few_quotes_width(
    data: bytes, buffer: npt.NDArray[np.uint8], at: IntArray
) -> tuple[int, int] | None:
    """:func:`_plain_width` for CSV bytes with a few quotes at ``at`` (``buffer`` views
    ``data`` up to the end of its last line): the commas within quoted stretches (from an
    odd-numbered quote to the next) are not separators. None when
    the quotes are not well formed (see :func:`_well_quoted_commas`) or the separators are
    not ``lines * (width - 1)`` (polars refuses a line longer than the first)."""
    if len(at) % 2 or not _quotes_placed(buffer, at):
        return None  # a quote left open, a stray quote, or text after a closing quote
    spans = at.reshape(-1, 2).tolist()  # each quoted stretch: its opening and closing quote
    if any(data.count(b"\n", a, b) for a, b in spans):  # a loop over few quoted stretches
        return None  # a line break in a quoted cell
    inside = [data.count(b",", a, b) for a, b in spans]
    stop = len(buffer)
    first = data.find(b"\n", 0, stop)
    first = stop if first < 0 else first
    in_header = sum(n for (a, _), n in zip(spans, inside, strict=True) if a < first)
    width = data.count(b",", 0, first) - in_header + 1
    lines = data.count(b"\n", 0, stop) + 1
    if data.count(b",", 0, stop) - sum(inside) != lines * (width - 1):
        return None  # a ragged row: the careful reader names it
    return width, lines


def _quoted_width(data: bytes, stop: int) -> tuple[int, int] | None:
    """:func:`_plain_width` for CSV bytes with quotes: the separating commas located
    (:func:`_well_quoted_commas`) and counted line by line; None for a ragged line or quotes
    that are not well formed."""
    buffer = np.frombuffer(data, dtype=np.uint8)[:stop]
    at = np.flatnonzero(buffer == ord('"'))
    if len(at) <= _FEW_QUOTES:
        return _few_quotes_width(data, buffer, at)
    commas = _well_quoted_commas(buffer, at)
    if commas is None:
        return None
    ends = np.flatnonzero(buffer == ord("\n"))
    per_line = np.diff(np.searchsorted(commas, ends), prepend=0, append=len(commas))
    width = int(per_line[0]) + 1
    if (per_line != width - 1).any():
        return None  # a ragged row: the careful reader names it
    return width, len(ends) + 1


def _polars_text_table(text: str, source: str) -> Table | None:
    """Read a large CSV file with polars' multi-threaded reader, every cell as text, into the
    very table the careful reader builds (cells stripped, row numbers from 2), when the
    ``fastcsv`` extra is installed; None where the careful reader is needed: a blank or
    ragged line, a quote that is not well formed or holds a line break, a lone carriage
    return, a cell at the field limit, a blank or repeated column name."""
    if _polars(len(text), POLARS_MIN_BYTES) is None:
        return None
    return _polars_bytes_table(text.encode("utf-8"), source)


def _polars_bytes_table(data: bytes, source: str) -> Table | None:
    """:func:`_polars_text_table` from a file's bytes, UTF-8 with or without a byte-order
    mark (polars refuses bytes that are not UTF-8, and skips the mark); None for anything
    else, which the careful reader then decodes and names."""
    pl = _polars(len(data), POLARS_MIN_BYTES)
    if pl is None or data.startswith(_OTHER_BOMS) or b"\x00" in data:
        return None  # UTF-16 or UTF-32, or a NUL: the careful reader's message
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None  # a lone carriage return: the careful reader decides
        data = data.replace(b"\r\n", b"\n")  # one in a quoted cell is then caught below
    # Blank records at the end are no rows: polars reads one line end at the end as none,
    # more as rows of nulls, so only those are cut off (a copy of the file, rarely made).
    stop = len(data)
    while stop and data[stop - 1] == ord("\n"):  # a loop over the blank records at the end
        stop -= 1
    if stop < len(data) - 1:
        data = data[:stop]
    begin = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if stop <= begin or data[begin] == ord("\n") or data.find(b"\n\n", begin, stop) >= 0:
        return None  # an empty file, or a blank line
    quoted = data.find(b'"', 0, stop) >= 0
    width_lines = _quoted_width(data, stop) if quoted else _plain_width(data, stop)
    if width_lines is None:
        return None
    width, lines = width_lines
    try:
        frame = pl.read_csv(
            data, has_header=False, infer_schema=False, quote_char='"', separator=","
        ).fill_null("")
    except pl.exceptions.PolarsError:
        return None
    if frame.width != width or frame.height != lines:
        return None
    longest = frame.select(pl.all().str.len_chars().max()).row(0)
    if any(n is not None and n >= FIELD_LIMIT for n in longest):
        return None  # a cell at the CSV field limit: the careful reader names it
    header = tuple(str(h).strip() for h in frame.row(0))
    if not all(header) or len(set(header)) != len(header):
        return None  # a blank or repeated name: the careful reader's message
    body = frame.slice(1)
    n = body.height
    # A series per column, each let go once converted: the frame is not kept whole until
    # every column has been read (columns no check reads are never converted).
    series = dict(zip(header, body.get_columns(), strict=True))
    del frame, body

    def strings(name: str) -> StrArray:
        cells = _polars_strings(pl, series[name])
        series.pop(name, None)  # after the conversion: a failed one can be tried again
        return cells

    columns: LazyColumns[StrArray] = LazyColumns(header, strings)
    # No cells as read (``raw``): a Python string per cell, kept, is what the byte reader
    # of :mod:`egov_score.io.byte_columns` exists to avoid; numbers parse from the columns.
    return Table(source, header, columns, np.arange(2, n + 2, dtype=np.intp))


def _numeric_table(
    source: str,
    header: tuple[str, ...],
    parsed: dict[str, FloatArray],
    plain: dict[str, StrArray],
    n: int,
) -> Table:
    """A table read by a fast reader: numeric columns parsed already, text columns kept."""

    def cells(name: str) -> StrArray:
        if name in plain:
            return plain[name]
        values = parsed[name]
        return np.where(np.isnan(values), "", values.astype(np.str_))

    for values in parsed.values():
        values.setflags(write=False)
    table = Table(source, header, LazyColumns(header, cells), np.arange(2, n + 2, dtype=np.intp))
    table._parsed.update(parsed)
    return table


def _polars_text_column(pl: Any, series: Any) -> StrArray:
    """A polars text column (no NUL, no null) as a numpy string array, with no Python string
    per cell: every cell padded to the longest with NUL (numpy's own padding), joined into one
    string and viewed as fixed-width cells."""
    if len(series) == 0:
        return np.array([], dtype=np.str_)
    width = max(int(series.str.len_chars().max() or 0), 1)
    joined = series.str.pad_end(width, "\x00").str.join("").item()
    return np.frombuffer(joined.encode("utf-32-le"), dtype=f"<U{width}")


def _polars_numeric_file(path: Path, numeric: Collection[str]) -> Table | None:
    """Read a large plain CSV file straight from its bytes with polars when the ``fastcsv``
    extra is installed: the ``numeric`` columns parsed as float64 by polars, the others as
    text cut without a Python string per cell. None where another reader must decide.

    Taken only: UTF-8 (a byte-order mark allowed), no quote, NUL or carriage return, no blank
    or ragged line, no line at the field limit, a header of distinct non-blank names. polars
    reads a number as Python's ``float`` does, or refuses the file (``1_000``, ``1 ``: the
    careful reader then reads it); it reads ``nan`` and ``inf`` as numbers, which the cell
    grammar does not (:mod:`egov_score.io.cells`), so a NaN or an infinity read also leaves
    the file to the careful reader. Text cells are stripped as the careful reader strips them.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return None
    pl = _polars(size, POLARS_MIN_BYTES)
    if pl is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # The header and the body are found as positions in the file's bytes, not cut out of
    # them: no copy of a large file (polars reads the body past the header line itself).
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    first = data.find(b"\n", start)
    stop = len(data)
    while stop > first + 1 and data[stop - 1] == ord("\n"):  # the blank records at the end
        stop -= 1
    if (
        first < 0
        or stop <= first + 1
        # One byte each (fast searches); a UTF-16 or UTF-32 file holds NUL bytes.
        or any(c in data for c in (b'"', b"\x00", b"\r"))
    ):
        return None
    try:
        header = tuple(h.strip() for h in data[start:first].decode("utf-8").split(","))
    except UnicodeDecodeError:
        return None
    if len(set(header)) != len(header) or not all(header):
        return None
    width = len(header)
    body = np.frombuffer(data, dtype=np.uint8)[first + 1 : stop]
    ends = np.flatnonzero(body == ord("\n"))
    n = len(ends) + 1
    if data.count(b",", first + 1, stop) != n * (width - 1):
        return None  # a ragged row (or one the careful reader must name)
    # Each line's length plus one, from the line ends already found (no second pass over the
    # file's bytes): 1 is a blank line, which the careful reader names.
    spans = np.diff(ends, prepend=-1, append=len(body))
    if int(spans.min()) == 1 or int(spans.max()) > FIELD_LIMIT:
        return None  # a blank line, or a line that may hold a cell over the field limit
    del body, ends
    nums = [h for h in header if h in numeric]
    schema = {h: pl.Float64 if h in numeric else pl.String for h in header}
    try:
        frame = pl.read_csv(data, has_header=False, skip_rows=1, schema=schema, quote_char=None)
    except Exception:  # polars refuses a cell Python's float may read: the careful reader
        return None
    blank_records = max(len(data) - stop - 1, 0)  # read by polars as rows of nulls
    if frame.height == n + blank_records:
        frame = frame.head(n)
    if frame.height != n or frame.width != width:
        return None
    texts = [h for h in header if h not in numeric]
    checks = frame.select(
        *(pl.col(h).is_nan().any().alias(f"nan {h}") for h in nums),
        *(pl.col(h).is_infinite().any().alias(f"inf {h}") for h in nums),
        *(pl.col(h).fill_null("").str.contains(_PADDED).any().alias(f"pad {h}") for h in texts),
    )
    row = checks.row(0) if checks.width else ()
    if any(row[: 2 * len(nums)]):
        return None  # nan, inf or 1e400 read as a number: the careful reader names the cell
    # One array for every numeric column (polars fills it in parallel; its columns are
    # contiguous views): fresh memory faulted in once, not a column at a time.
    block = frame.select(nums).to_numpy(order="fortran") if nums else np.empty((0, 0))
    parsed = {h: np.asarray(block[:, j], dtype=np.float64) for j, h in enumerate(nums)}
    plain = {  # an empty cell reads as null
        h: _polars_strings(pl, frame[h].fill_null(""), padded)
        for h, padded in zip(texts, row[2 * len(nums) :], strict=True)
    }
    return _numeric_table(str(path), header, parsed, plain, n)


def _polars_fast_path(text: str, source: str, numeric: Collection[str]) -> Table | None:
    """Parse with polars' multi-threaded reader when the ``fastcsv`` extra is installed; None
    where it is not, or where the careful path is needed (any cell not a plain number)."""
    pl = _polars(len(text), POLARS_MIN_BYTES)
    if pl is None:
        return None
    plain_csv = _plain_csv_header(text)
    if plain_csv is None:
        return None
    header, body = plain_csv
    try:
        frame = pl.read_csv(
            body.encode("utf-8"),
            has_header=False,
            new_columns=list(header),
            infer_schema=False,  # every cell as text: the numbers are checked, then cast
            quote_char=None,
        ).fill_null("")  # an empty cell is empty text, whichever way the version reads it
    except pl.exceptions.PolarsError:
        return None
    if frame.width != len(header):
        return None
    longest = frame.select(pl.all().str.len_chars().max()).row(0)
    if any(n is not None and n > FIELD_LIMIT for n in longest):
        return None  # a cell over the CSV field limit: the careful path names it
    nums = [h for h in header if h in numeric]
    checks = frame.select(
        [(pl.col(h).str.contains(PLAIN_NUMBER) | (pl.col(h) == "")).all().alias(h) for h in nums]
    )
    if nums and not all(checks.row(0)):
        return None  # a word, a spelling of infinity, a cell of spaces: the careful path
    try:
        floats = frame.select(
            [pl.col(h).str.strip_chars().replace("", None).cast(pl.Float64) for h in nums]
        )
    except pl.exceptions.PolarsError:
        return None
    parsed = {h: floats[h].to_numpy().astype(np.float64) for h in nums}
    if any(np.isinf(v).any() for v in parsed.values()):
        return None  # too large for a float64 (1e400): the careful path names the cell
    plain = {
        h: frame[h].str.strip_chars().to_numpy().astype(np.str_) for h in header if h not in nums
    }
    return _numeric_table(source, header, parsed, plain, frame.height)


def _numeric_fast_path(text: str, source: str, numeric: Collection[str]) -> Table | None:
    """Parse with ``np.loadtxt``; None where the careful path is needed."""
    plain_csv = _plain_csv_header(text)
    if plain_csv is None:
        return None
    header, filled = plain_csv
    num = [i for i, h in enumerate(header) if h in numeric]
    txt = [i for i, h in enumerate(header) if h not in numeric]
    for _ in range(2):  # two passes fill runs of empty cells
        filled = filled.replace(",,", f",{_EMPTY},")
    filled = filled.replace(",\n", f",{_EMPTY}\n").replace("\n,", f"\n{_EMPTY},")
    if filled.endswith(","):
        filled += _EMPTY
    if filled.startswith(","):
        filled = _EMPTY + filled

    def load(columns: list[int], dtype: type[np.generic]) -> npt.NDArray[Any]:
        # No comment character: a "#" in a cell is data (numpy would cut the line there).
        return np.loadtxt(
            io.StringIO(filled), delimiter=",", usecols=columns, dtype=dtype, ndmin=2, comments=None
        )

    try:
        numbers = load(num, np.float64)
        strings = load(txt, np.str_) if txt else np.zeros((len(numbers), 0), dtype=np.str_)
    except ValueError:
        return None
    if not np.isfinite(numbers).all():  # a written nan or inf, or 1e400: not a number here
        return None
    # Every marker read back must be one written: a cell that is a number equal to the
    # marker (-0.77e-307) would otherwise read as missing.
    markers = int(np.count_nonzero(numbers == float(_EMPTY)))
    markers += int(np.count_nonzero(strings == _EMPTY))
    if markers != filled.count(_EMPTY):
        return None
    parsed = {}
    for k, i in enumerate(num):
        col = numbers[:, k].copy()
        col[col == float(_EMPTY)] = np.nan
        parsed[header[i]] = col
    plain = {header[i]: np.char.strip(strings[:, k]) for k, i in enumerate(txt)}
    for name in plain:
        plain[name] = np.where(plain[name] == _EMPTY, "", plain[name])
    if strings.dtype.itemsize // 4 > FIELD_LIMIT:
        return None  # a text cell over the CSV field limit: the careful path names it
    return _numeric_table(source, header, parsed, plain, len(numbers))


#: A formula element in a sheet's XML, with or without a namespace prefix.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _uncached_formulas(ws: Any) -> list[str]:
    """The cells (``D7``) of a read-only worksheet that hold a formula but no stored value:
    a workbook written by a program that cannot compute formulas, never opened in Excel.

    A formula whose stored value is empty text (``t="str"`` with an empty value element) is
    not listed; an empty value element on a number cell (as openpyxl writes a formula) is.
    """
    with ws._get_source() as fh:  # the sheet's XML, as openpyxl's read-only reader opens it
        data = fh.read()
    if not _FORMULA_TAG.search(data):
        return []
    found = []
    for _, element in ElementTree.iterparse(io.BytesIO(data)):
        if element.tag.rpartition("}")[2] == "c":
            kids = {child.tag.rpartition("}")[2]: child for child in element}
            value = kids.get("v")
            text = element.get("t") in ("str", "s", "inlineStr")
            if "f" in kids and (value is None or (not value.text and not text)):
                found.append(element.get("r", "?"))
            element.clear()
    return found


def _excel_cell(value: object) -> str:
    """An Excel cell as the text a CSV export would hold."""
    import datetime

    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


#: Columns at least this long are parsed by polars when the ``fastcsv`` extra is installed
#: (or when polars is imported already): below it, importing polars (~0.2 s) costs more than
#: it saves.
POLARS_MIN_CELLS = 200_000

#: Tables with at least this many rows are written through polars when the ``fastcsv`` extra
#: is installed (and the table is large or polars is imported already, see
#: :data:`POLARS_MIN_CELLS`): below it, setting up polars' threads costs more than it saves.
#: Measured on a score table of 28 columns: 667 rows take 7.5 ms of CPU through ``repr`` and
#: 1.4 ms through polars, 27 rows 0.4 ms and 0.7 ms.
POLARS_MIN_WRITTEN_ROWS = 500

#: Files at least this large are read by polars when the ``fastcsv`` extra is installed (or
#: when polars is imported already); see :data:`POLARS_MIN_CELLS`.
POLARS_MIN_BYTES = 8_000_000


def _polars(size: int, threshold: int) -> Any:
    """The polars module if it is worth using for ``size`` (cells or bytes), else None."""
    if size < threshold and "polars" not in sys.modules:
        return None
    try:
        return import_polars()
    except ImportError:
        return None


def _polars_floats(cells: Sequence[str]) -> FloatArray | None:
    """Cells parsed by polars when it is installed, the column is long and every cell is
    empty or a plain number (:data:`_PLAIN_NUMBER`); None otherwise."""
    pl = _polars(len(cells), POLARS_MIN_CELLS) if isinstance(cells, tuple | list) else None
    if pl is None or not cells:
        return None
    try:
        series = pl.Series(cells, dtype=pl.String)
        if not (series.str.contains(PLAIN_NUMBER) | (series == "")).all():
            return None
        parsed = series.str.strip_chars().replace("", None).cast(pl.Float64)
    except pl.exceptions.PolarsError:
        return None
    values = np.asarray(parsed.to_numpy(), dtype=np.float64)
    return None if np.isinf(values).any() else values  # 1e400: the careful path names it


def _fast_floats(cells: Sequence[str]) -> FloatArray | None:
    """Parse cells straight from the strings read; None if any cell is not a finite number
    (the caller then finds and names them)."""
    by_polars = _polars_floats(cells)
    if by_polars is not None:
        return by_polars
    nan = float("nan")
    try:
        values = np.fromiter((float(c) if c else nan for c in cells), np.float64, len(cells))
    except ValueError:  # a word, or a cell of spaces: the careful path sorts it out
        return None
    # Every NaN must come from an empty cell: a written "nan" or "inf" is not a number here.
    empty = (
        cells.count("") if isinstance(cells, tuple | list) else int(np.sum(np.asarray(cells) == ""))
    )
    if int(np.isnan(values).sum()) != empty or np.isinf(values).any():
        return None
    return values


def parse_floats(table: Table, column: str, cells: StrArray | None = None) -> FloatArray:
    """Parse a column of cells into float64; an empty cell is missing (NaN).

    Raises:
        InputError: naming the file, rows, column and values of cells that are not finite
            numbers.
    """
    if cells is None and table.raw is not None and column in table.raw:
        fast = _fast_floats(table.raw[column])
        if fast is not None:
            return fast
    text = table.columns[column] if cells is None else cells
    # Python's float() on each cell beats numpy's string-to-float cast several times over.
    fast = _fast_floats(text.tolist())
    if fast is not None:
        return fast
    # The error path: every cell by the grammar of :mod:`egov_score.io.cells`.
    strings = [str(c) for c in text.tolist()]
    bad = [i for i, c in enumerate(strings) if not is_missing(c) and not is_number(c)]
    if bad:
        problems = [
            f"row {table.rows[i]}, column {column!r}: {cell_problem(strings[i])}" for i in bad
        ]
        raise InputError(format_problems(problems, table.source))
    nan = float("nan")
    return np.array([nan if is_missing(c) else float(c) for c in strings], dtype=np.float64)


#: What a spreadsheet (Excel, LibreOffice, Google Sheets) may run as a formula when a cell
#: starts with it, after any leading spaces; a tab or carriage return starts a formula too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_POINTS = np.array([ord(c) for c in _FORMULA_START], dtype=np.uint32)
_DIGITS = "0123456789"


def _no_digits(cells: StrArray) -> StrArray:
    for digit in _DIGITS:  # ten passes over the column, not one per cell
        cells = np.strings.replace(cells, digit, "")
    return cells


def _unsigned(cells: StrArray) -> StrArray:
    signed = np.strings.startswith(cells, "+") | np.strings.startswith(cells, "-")
    return np.where(signed, np.strings.slice(cells, 1, None), cells)


def is_plain_number(cells: StrArray) -> npt.NDArray[np.bool_]:
    """Which cells are plain decimal numbers (``-1.5``, ``+2``, ``.5``, ``3e-4``; spaces
    around allowed), with ASCII digits only: the cells a spreadsheet reads as a number, never
    as a formula. Only spaces may surround it: a tab or a line break does not."""
    body = _unsigned(np.strings.strip(np.asarray(cells, dtype=np.str_), " "))
    mantissa, sep, exponent = np.strings.partition(np.strings.lower(body), "e")
    whole, _, fraction = np.strings.partition(mantissa, ".")
    exponent = _unsigned(exponent)
    digits = np.strings.str_len(whole) + np.strings.str_len(fraction)
    plain: npt.NDArray[np.bool_] = (
        (digits > 0)
        & (np.strings.str_len(_no_digits(np.strings.add(whole, fraction))) == 0)
        & ((sep == "") | (np.strings.str_len(exponent) > 0))
        & (np.strings.str_len(_no_digits(exponent)) == 0)
    )
    return plain


def neutralise(cells: StrArray, *, keep_numbers: bool = False) -> StrArray:
    """Prefix with an apostrophe the text cells a spreadsheet would run as a formula.

    A cell is risky when it starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return
    or a line feed, or with ``=``, ``+``, ``-`` or ``@`` after leading spaces
    (``"  =HYPERLINK(...)"``). The apostrophe makes Excel and LibreOffice show the cell as
    text; a CSV reader reads it back as part of the cell.

    Args:
        cells: text cells.
        keep_numbers: leave plain numbers (:func:`is_plain_number`, such as ``-1.5``)
            as they are, so a spreadsheet still reads them as numbers; :func:`write_csv` does
            so for every text column, whose cells may be numbers formatted as text.
    """
    cells = np.asarray(cells, dtype=np.str_)
    if len(cells) == 0:
        return cells
    # The first code point of every cell (0 for an empty one), read from the array's memory;
    # only spaces are stripped, so for a cell starting with one, the first character after.
    width = max(cells.dtype.itemsize // 4, 1)
    points = np.ascontiguousarray(cells.astype(f"<U{width}")).view(np.uint32)
    first = points.reshape(len(cells), width)[:, 0].copy()
    spaced = first == ord(" ")
    if spaced.any():
        rest = np.strings.slice(np.strings.lstrip(cells[spaced], " "), 0, 1).astype("<U1")
        first[spaced] = rest.view(np.uint32)
    risky = np.isin(first, _FORMULA_POINTS)
    if keep_numbers and risky.any():
        risky[risky] = ~is_plain_number(cells[risky])
    if not risky.any():
        return cells
    marked = np.strings.add("'", cells[risky])
    out = cells.astype(
        marked.dtype if marked.dtype.itemsize > cells.dtype.itemsize else cells.dtype
    )
    out[risky] = marked
    return out


def _format_column(values: npt.NDArray[Any] | IndexedText) -> Cells:
    """One column's cells as :func:`write_csv` writes them: float64 numbers and whole numbers
    as numbers, anything else as text (NUL dropped, formulas neutralised; an
    :class:`IndexedText` column's labels each once)."""
    if isinstance(values, IndexedText):
        used = values.used()
        labels = neutralise(_without_nul(used.labels), keep_numbers=True)
        return Cells("text", labels, index=used.index)
    if np.ma.isMaskedArray(values) and values.dtype.kind in "iu":  # masked: empty cells
        blank = np.ma.getmaskarray(values)
        return Cells("int", np.ma.getdata(values).astype(np.int64), blank if blank.any() else None)
    arr = np.asarray(values)
    if arr.dtype == np.float64:
        return Cells("float", arr)
    if arr.dtype.kind == "f":
        # numpy formats floats with the shortest repr that reads back to the same float.
        return Cells("text", np.where(np.isnan(arr), "", arr.astype(np.str_)))
    if arr.dtype.kind in "iu":
        return Cells("int", arr.astype(np.int64))
    if arr.dtype.kind == "b":
        return Cells("text", arr.astype(np.str_))
    if arr.dtype.kind == "O":  # None is an empty cell, as on reading
        arr = np.where(arr == None, "", arr)  # noqa: E711 (element-wise)
    return Cells("text", neutralise(_without_nul(arr.astype(np.str_)), keep_numbers=True))


def _without_nul(cells: StrArray) -> StrArray:
    """``cells`` with NUL characters dropped: never data, and CSV readers drop them or refuse
    the file. (numpy's string functions cannot search for NUL, so the code points are read.)"""
    if len(cells) == 0 or cells.dtype.itemsize == 0:
        return cells
    points = np.ascontiguousarray(cells).view(np.uint32).reshape(len(cells), -1)
    # Trailing zeros are numpy's padding (a cell cannot end in NUL): a NUL in a cell is a zero
    # followed by a character.
    inside = (points[:, :-1] == 0) & (points[:, 1:] != 0)
    if not inside.any():  # the usual case, found without a reduction along each row
        return cells
    where = np.flatnonzero(inside.any(axis=1))
    out = cells.astype(object)
    out[where] = [str(c).replace("\0", "") for c in cells[where]]  # only the cells with a NUL
    return out.astype(np.str_)


def strip_nul(cells: StrArray) -> StrArray:
    """Text cells with NUL characters dropped (as every writer of the package drops them)."""
    return _without_nul(np.asarray(cells, dtype=np.str_))


def csv_text(columns: Mapping[str, Column]) -> str:
    """Columns as UTF-8 CSV text, written as :func:`write_csv` writes them (the column names
    neutralised too)."""
    header, cells = _columns_cells(columns)
    return rows_text(header, cells)


def _columns_cells(columns: Mapping[str, Column]) -> tuple[StrArray, list[Cells]]:
    cells = [
        _format_column(
            col if isinstance(col, IndexedText) or np.ma.isMaskedArray(col) else np.asarray(col)
        )
        for col in columns.values()
    ]
    header = neutralise(np.array(list(columns), dtype=np.str_), keep_numbers=True)
    return header, cells


def with_bom(text: str, bom: bool = True) -> str:
    """``text`` to be written to a CSV file: starting with :data:`BOM` when ``bom`` (once,
    however often it is asked), without one otherwise."""
    bare = text.removeprefix(BOM)
    return BOM + bare if bom else bare


def write_csv(
    path: str | os.PathLike[str],
    columns: Mapping[str, Column],
    *,
    bom: bool = True,
) -> None:
    """Write columns to a UTF-8 CSV file: the one CSV writer of the package.

    The file starts with a UTF-8 byte-order mark (:data:`BOM`) so that Excel on Windows reads
    it as UTF-8; ``bom=False`` leaves it out (for a program that does not skip it, or a data
    file kept byte for byte). The package's readers read either.

    Floats are written so that reading them back gives the same float (NaN as an empty cell);
    text cells and column names that a spreadsheet would run as a formula are neutralised
    (:func:`neutralise`), and NUL characters are dropped from text cells. Numbers are never
    neutralised, whether a float column or text holding a plain number: ``-3.5`` stays a
    number. A masked array of whole numbers writes its masked cells empty. An
    :class:`IndexedText` column (a parent's code, a band) writes ``labels[index]``, each label
    formatted once. Cells are quoted as Python's :mod:`csv` writer quotes them; a cell holding
    a carriage return makes every cell quoted, so no reader splits its row there.

    A table of :data:`POLARS_MIN_WRITTEN_ROWS` rows or more is written by polars' CSV writer
    when the ``fastcsv`` extra is installed (:mod:`egov_score.io.csv_rows`), into the same
    bytes.
    """
    header, cells = _columns_cells(columns)
    rows = len(cells[0]) if cells else 0
    pl = _polars(rows * len(cells), POLARS_MIN_CELLS) if rows >= POLARS_MIN_WRITTEN_ROWS else None
    with open(path, "wb") as fh:
        if bom:
            fh.write(BOM.encode("utf-8"))
        write_rows(fh, header, cells, polars=pl)


#: Names Windows reserves for devices, with or without an extension (``CON``, ``nul.csv``).
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{p}{d}" for p in ("COM", "LPT") for d in (*"123456789", "¹", "²", "³")]
)
#: Longest file name stem written; longer ones are cut and marked with the hash.
_MAX_STEM = 100


def _file_stem(code: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in code)
    keep = keep.lstrip(". ").rstrip(". ")[:_MAX_STEM] or "_"
    return "_" + keep if keep.split(".")[0].upper() in _RESERVED else keep


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def path_inside(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder / name``, refused unless it resolves inside ``folder``: a name with ``..`` or
    a symbolic link already there that points out of the folder (a file or a subfolder) would
    make a writer write elsewhere.

    Raises:
        InputError: the path resolves outside ``folder``.
    """
    base = Path(folder)
    path = base / name
    if not path.resolve().is_relative_to(base.resolve()):
        raise InputError(
            f"every output file must be written inside {str(base)!r}; got {str(path)!r}, which "
            f"resolves to {str(path.resolve())!r} (a symbolic link out of the folder?)"
        )
    return path


def safe_file_names(codes: Sequence[str]) -> list[str]:
    """File name stems for codes, safe on every file system and distinct from one another.

    A code made of letters, digits, ``-``, ``_`` and ``.`` (not leading or trailing) that is not
    a Windows device name (``CON``, ``NUL``, ``COM1``, ...) is its own name. Otherwise every
    other character (``/``, ``\\``, ``:``, NUL, spaces, controls) becomes ``_``, leading and
    trailing dots and spaces are dropped, a device name gets a leading ``_``, the stem is cut
    at 100 characters, and ``-`` plus the first 8 hex digits of the code's SHA-256 is appended:
    (``../../evil`` -> ``_.._evil-0fbfd372``, ``a/b`` -> ``a_b-c14cddc0``, ``CON`` ->
    ``_CON-a3dbc4b6``), so no name is a path or a device. Codes
    whose names would be equal ignoring case (``a/b`` and ``a_b``) all get the hash, so no
    file overwrites another even on a case-insensitive file system.

    Raises:
        InputError: two codes are the same, or (vanishingly unlikely) still share a name.
    """
    stems = [_file_stem(c) for c in codes]
    names = [s if s == c else f"{s}-{_code_hash(c)}" for s, c in zip(stems, codes, strict=True)]
    folded = [n.casefold() for n in names]
    clash = {n for n, k in Counter(folded).items() if k > 1}
    if clash:
        names = [
            f"{s}-{_code_hash(c)}" if n in clash else name
            for s, c, n, name in zip(stems, codes, folded, names, strict=True)
        ]
    if len({n.casefold() for n in names}) < len(names):
        dupes = sorted(c for c, k in Counter(codes).items() if k > 1)
        raise InputError(f"codes must map to distinct file names; got {dupes or codes!r}")
    return names


#: Runs of characters a readable file name does not keep (after accents are dropped).
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    """``text`` as lower-case ASCII letters and digits joined by ``-`` (``"Kot Putli"`` ->
    ``"kot-putli"``, ``"Sawāi Mādhopur"`` -> ``"sawai-madhopur"``; Devanagari alone -> ``""``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def _slugs(texts: StrArray) -> StrArray:
    """:func:`_slug` of every cell, computed once per distinct text."""
    distinct, back = np.unique(texts, return_inverse=True)
    slugs = _str_array(_slug(str(t)) for t in distinct)  # a loop over distinct texts
    return slugs[back.reshape(-1)] if len(texts) else np.zeros(0, dtype="<U1")


def _digits(codes: StrArray) -> StrArray:
    """The ASCII digits of every code, in order (``"D-87"`` -> ``"87"``, ``"M-574-001"`` ->
    ``"574001"``, ``"ALW"`` -> ``""``): the code points are read as a matrix, the digits of
    each row moved to its front and the rest cleared."""
    if len(codes) == 0 or codes.dtype.itemsize == 0:
        return np.full(len(codes), "", dtype="<U1")
    points = np.ascontiguousarray(codes).view(np.uint32).reshape(len(codes), -1)
    digit = (points >= ord("0")) & (points <= ord("9"))
    order = np.argsort(~digit, axis=1, kind="stable")  # digits first, in their order
    kept = np.where(
        np.take_along_axis(digit, order, axis=1), np.take_along_axis(points, order, axis=1), 0
    )
    return np.ascontiguousarray(kept).view(codes.dtype).reshape(len(codes))


def unit_file_names(codes: Sequence[str], names: Sequence[str]) -> list[str]:
    """Readable file name stems for units: the slug of the (English) name, ``-``, and the
    digits of the code (``Alwar``, ``D-87`` -> ``alwar-87``), or the code's slug when it has no
    digits (``Alwar``, ``ALW`` -> ``alwar-alw``); a name with no ASCII letters or digits
    (Devanagari alone) gives the code part alone (``87``).

    The names follow :func:`safe_file_names`' rules: only ``a-z``, ``0-9`` and ``-``, so no
    name is a path; a Windows device name (``con``, ``nul``, ``com1``) gets a leading ``_``;
    the stem is cut at 100 characters. They are stable (the same unit gets the same name in
    every run) and distinct even on a case-insensitive file system: units whose names would
    be equal (``Govindgarh`` ``B-1`` and ``Govindgarh`` ``B1``) all get ``-`` and the first 8
    hex digits of their code's SHA-256 appended, so no card overwrites another. A code with
    neither digits nor ASCII letters and no usable name falls back to
    :func:`safe_file_names`' name for the code.

    Args:
        codes: the units' codes, each once.
        names: their English names, in the same order.

    Raises:
        InputError: ``codes`` and ``names`` differ in length, or two codes are the same.
    """
    if len(codes) != len(names):
        raise InputError(
            f"every unit must have one name; got {len(codes)} codes and {len(names)} names"
        )
    code_arr = _str_array(str(c) for c in codes)
    slug = _slugs(_str_array(str(n) for n in names))
    digits = _digits(code_arr)
    bare = np.flatnonzero(np.strings.str_len(digits) == 0)
    tail = digits
    if len(bare):  # only codes without digits are slugged
        tail = tail.astype(object)
        tail[bare] = _slugs(code_arr[bare]).tolist()
        tail = tail.astype(np.str_)
    both = (np.strings.str_len(slug) > 0) & (np.strings.str_len(tail) > 0)
    stem = np.where(
        both, np.strings.add(np.strings.add(slug, "-"), tail), np.strings.add(slug, tail)
    )
    stem = np.strings.strip(np.strings.slice(stem, 0, _MAX_STEM), "-")
    reserved = np.isin(np.strings.upper(stem), list(_RESERVED))
    stem = np.where(reserved, np.strings.add("_", stem), stem)
    empty = np.flatnonzero(np.strings.str_len(stem) == 0)
    if len(empty):  # codes and names with nothing readable: the code's own safe name
        out = stem.astype(object)
        out[empty] = safe_file_names([str(code_arr[i]) for i in empty])
        stem = out.astype(np.str_)
    _distinct, back, counts = np.unique(
        np.strings.lower(stem), return_inverse=True, return_counts=True
    )
    clash = np.flatnonzero(counts[back.reshape(-1)] > 1)
    result: list[str] = stem.tolist()
    for i in clash.tolist():  # only the units whose names clash: few
        result[i] = f"{result[i]}-{_code_hash(str(code_arr[i]))}"
    if len({n.casefold() for n in result}) < len(result):
        dupes = sorted(c for c, k in Counter(map(str, codes)).items() if k > 1)
        raise InputError(f"codes must map to distinct file names; got {dupes or list(codes)!r}")
    return result
