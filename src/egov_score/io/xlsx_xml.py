"""The XML of an XLSX package, as :func:`egov_score.io.write_xlsx` writes it.

Two kinds of function live here. The parts around the cells (``[Content_Types].xml``, the
relationships, ``docProps``, ``xl/workbook.xml``, ``xl/styles.xml``, a sheet's head and tail)
are small strings, written the way XlsxWriter writes them, so a workbook from egov_score has
the same parts and the same structure as one from XlsxWriter's ``constant_memory`` mode. The
cells are written a column at a time: :func:`number_cells`, :func:`text_cells` and
:func:`boolean_cells` turn a chunk of one column into the ``<c>`` elements of its cells with
numpy's string functions, and :func:`rows_xml` joins the columns of a chunk into ``<row>``
elements. No function loops over rows or cells in Python, except :func:`escape_text` over the
rare cells holding a control character or a literal ``_xHHHH_``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Pieces",
    "Styles",
    "app_xml",
    "boolean_cells",
    "column_letters",
    "content_types_xml",
    "core_xml",
    "escape_attribute",
    "escape_text",
    "number_cells",
    "number_text",
    "quote_sheet_name",
    "root_rels_xml",
    "rows_xml",
    "sheet_head_xml",
    "sheet_tail_xml",
    "text_cells",
    "workbook_rels_xml",
    "workbook_xml",
]

Text = npt.NDArray[np.str_]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument"
#: Width of Excel's default font's digit, and the padding of a column, in pixels.
_DIGIT_PIXELS = 7
_PADDING_PIXELS = 5
#: Where custom number formats start in a workbook (lower ids are Excel's own).
_FIRST_CUSTOM_FORMAT = 164
#: Excel's own ids of the number formats that need no ``<numFmt>`` element.
_BUILTIN_FORMATS = {"General": 0, "0": 1}
#: A literal ``_xHHHH_`` in text, which Excel would read as an escape.
_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
#: Characters XML 1.0 cannot hold (NUL is dropped before this), written as ``_xHHHH_``.
_CONTROL = re.compile("([\x01-\x08\x0b-\x1f\ufffe\uffff])")
#: Codepoints of ``&``, ``<``, ``>``, ``_`` and ``x``.
_AMP, _LT, _GT, _UNDERSCORE, _X = 38, 60, 62, 95, 120


def column_letters(count: int) -> list[str]:
    """Excel's names of the first ``count`` columns: ``A`` … ``Z``, ``AA`` …"""
    out = []
    for col in range(count):
        name, n = "", col + 1
        while n:
            n, rem = divmod(n - 1, 26)
            name = chr(65 + rem) + name
        out.append(name)
    return out


def _column_number(letters: str) -> int:
    """The 1-based number of a column named ``letters`` (``A`` is 1)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def quote_sheet_name(name: str) -> str:
    """A sheet name as a formula refers to it: quoted (``'my sheet'``) when Excel needs it.

    Excel needs quotes around a name holding anything but letters, digits, ``_`` and ``.``,
    starting with a digit or ``.``, or that reads as a cell reference (``A1``, ``R1C1``,
    ``R``, ``C``, ``RC``); an apostrophe inside is doubled.
    """
    upper = name.upper()
    a1 = re.fullmatch(r"([A-Z]{1,3})(\d+)", upper)
    row = re.match(r"R(\d+)", upper)
    col = re.match(r"R?C(\d+)", upper)
    needs = bool(
        re.search(r"[^\w.]", name)
        or re.match(r"[\d.]", name)
        or (a1 and _column_number(a1[1]) <= 16_384 and 0 < int(a1[2]) <= 1_048_576)
        or (row and 0 < int(row[1]) <= 1_048_576)
        or (col and 0 < int(col[1]) <= 16_384)
        or upper in ("R", "C", "RC")
    )
    return "'" + name.replace("'", "''") + "'" if needs else name


def escape_attribute(value: str) -> str:
    """``value`` safe inside a double-quoted XML attribute."""
    return (
        value.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "&#xA;")
    )


def _escape_data(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_one(text: str) -> str:
    """One cell's text as Excel's XML holds it (the slow path, for the rare cells that need
    ``_xHHHH_`` escapes)."""
    text = _ESCAPE_LIKE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m[1]):04X}_", text)
    return _escape_data(text)


def escape_text(text: Text) -> tuple[Text, npt.NDArray[np.bool_]]:
    """Cells' text as XML character data, and which cells need ``xml:space="preserve"``.

    ``&``, ``<`` and ``>`` become entities; a character XML 1.0 cannot hold (a control
    character other than tab and newline, U+FFFE, U+FFFF) becomes Excel's ``_xHHHH_`` escape,
    and a literal ``_xHHHH_`` in the text has its underscore escaped (``_x005F_xHHHH_``) so
    Excel reads it back as written. A cell needs ``preserve`` when it starts or ends with
    whitespace (after escaping). NUL must have been dropped before.
    """
    n = len(text)
    if n == 0 or text.dtype.itemsize == 0:
        return text, np.zeros(n, dtype=bool)
    codes = np.ascontiguousarray(text).view(np.uint32).reshape(n, -1)
    control = (codes < 32) & (codes != 9) & (codes != 10) & (codes != 0)
    control |= (codes == 0xFFFE) | (codes == 0xFFFF)
    slow = control.any(axis=1)
    if codes.shape[1] > 1:
        slow |= ((codes[:, :-1] == _UNDERSCORE) & (codes[:, 1:] == _X)).any(axis=1)
    markup = ((codes == _AMP) | (codes == _LT) | (codes == _GT)).any(axis=1) & ~slow
    out: Text = text
    if markup.any() or slow.any():
        pieces: list[Text] = [text]
        if markup.any():
            # Variable-width strings: np.strings.replace cuts fixed-width results short
            # (numpy 2.4: "a&b" -> "a&amb").
            marked = text[markup].astype(np.dtypes.StringDType())
            for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
                marked = np.strings.replace(marked, char, entity)
            width = max(int(np.strings.str_len(marked).max()), 1)
            pieces.append(marked.astype(f"U{width}"))
        fixed = np.array([_escape_one(t) for t in text[slow].tolist()], dtype=np.str_)
        pieces.append(fixed)
        out = text.astype(np.result_type(*pieces))
        if markup.any():
            out[markup] = pieces[1]
        out[slow] = fixed
    preserve = (np.strings.lstrip(out) != out) | (np.strings.rstrip(out) != out)
    return out, np.asarray(preserve, dtype=bool)


#: A cell as the pieces of its XML, each one string for every cell or one string per cell:
#: ``<c r="B``, the row's number, the attributes closed, the value, the closing tags.
Pieces = tuple[Any, Any, Any, Any, Any]
#: How many pieces a cell has.
_PIECES = 5


def _style_attributes(xf: npt.NDArray[np.intp], middle: str) -> Any:
    """The cells' ``"`` closing ``r``, ``s="n"`` where the style is not 0, and ``middle``:
    one string when every cell has the same style, else one per cell."""
    distinct = np.unique(xf)
    table = [('"' if x == 0 else f'" s="{int(x)}"') + middle for x in distinct.tolist()]
    if len(table) <= 1:
        return table[0] if table else middle
    return np.array(table, dtype=object)[np.searchsorted(distinct, xf)]


def number_text(values: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """Finite numbers as the shortest text that reads back as the same number.

    Floats are written as Python's ``repr`` writes them, the shortest round-trip form
    (``0.1``, ``1e-05``, ``0.3333333333333333``), whole floats below 1e16 without ``.0``
    (``2``), integers as integers. Each distinct value is written once (score tables repeat
    few values: rates of 0 and 100, counts) and ``repr`` is mapped over them in C, 2-3 times
    faster than numpy's own float to text.
    """
    distinct, where = np.unique(values, return_inverse=True)
    text = np.empty(len(distinct), dtype=object)
    if values.dtype.kind in "iub":
        text[:] = list(map(int.__repr__, distinct.astype(np.int64).tolist()))
    else:
        floats = distinct.astype(np.float64)
        whole = (floats == np.trunc(floats)) & (np.abs(floats) < 1e16)
        text[whole] = list(map(int.__repr__, floats[whole].astype(np.int64).tolist()))
        text[~whole] = list(map(float.__repr__, floats[~whole].tolist()))
    out: npt.NDArray[np.object_] = text[where.reshape(-1)]
    return out


def number_cells(letter: str, rows: Any, xf: npt.NDArray[np.intp], text: Any) -> Pieces:
    """Number cells in column ``letter``: ``rows`` holds each cell's row number (text),
    ``xf`` its style, ``text`` its number as :func:`number_text` writes it."""
    return (f'<c r="{letter}', rows, _style_attributes(xf, "><v>"), text, "</v></c>")


def boolean_cells(
    letter: str, rows: Any, xf: npt.NDArray[np.intp], values: npt.NDArray[np.bool_]
) -> Pieces:
    """TRUE/FALSE cells (``t="b"``) in column ``letter``."""
    value = np.where(values, "1", "0").astype(object)
    return (f'<c r="{letter}', rows, _style_attributes(xf, ' t="b"><v>'), value, "</v></c>")


def text_cells(letter: str, rows: Any, xf: npt.NDArray[np.intp], text: Text) -> Pieces:
    """Inline-string cells (``t="inlineStr"``) in column ``letter``, the text escaped here."""
    escaped, preserve = escape_text(text)
    plain = _style_attributes(xf, ' t="inlineStr"><is><t>')
    if preserve.any():
        kept = _style_attributes(xf, ' t="inlineStr"><is><t xml:space="preserve">')
        plain = np.where(preserve, kept, plain).astype(object)
    return (f'<c r="{letter}', rows, plain, escaped, "</t></is></c>")


def rows_xml(
    first_row: int, cells: Sequence[Pieces], written: Sequence[npt.NDArray[np.bool_]]
) -> str:
    """The ``<row>`` elements of a chunk of rows, Excel row ``first_row`` first.

    ``cells`` holds one column's cells as :data:`Pieces`, for the cells where that column's
    ``written`` mask holds, in order. A row with no cell written is left out, as XlsxWriter
    leaves it. The pieces are laid in a grid, a row of the sheet per row of the grid, and
    joined once: no string is built per cell.
    """
    m = len(written[0]) if written else 0
    if m == 0:
        return ""
    width = _PIECES
    grid = np.empty((m, width * len(cells) + 2), dtype=object)
    has_cells = np.zeros(m, dtype=bool)
    for j, (pieces, keep) in enumerate(zip(cells, written, strict=True)):
        slots = slice(1 + width * j, 1 + width * (j + 1))
        if keep.all():  # a full column: no mask to apply
            for p, piece in enumerate(pieces):
                grid[:, slots.start + p] = piece
        else:
            grid[~keep, slots] = ""
            for p, piece in enumerate(pieces):
                grid[keep, slots.start + p] = piece
        has_cells |= keep
    numbers = np.arange(first_row, first_row + m)[has_cells].astype(np.str_)
    grid[has_cells, 0] = np.strings.add(np.strings.add('<row r="', numbers), '">')
    grid[has_cells, -1] = "</row>"
    grid[~has_cells, 0] = grid[~has_cells, -1] = ""
    return "".join(grid.ravel().tolist())


class Styles:
    """The cell formats of a workbook, numbered as XlsxWriter numbers them: the default
    format 0, then each format in the order a cell first uses it."""

    def __init__(self) -> None:
        self._order: list[tuple[str, object]] = []

    def index(self, key: tuple[str, object]) -> int:
        """The ``s`` index of a format (``("header", None)``, ``("quoted", None)`` or
        ``("number", "0.0")``), numbering it if it is new."""
        if key not in self._order:
            self._order.append(key)
        return self._order.index(key) + 1

    def xml(self) -> str:
        """``xl/styles.xml`` for the formats numbered so far."""
        custom: dict[str, int] = {}
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        for kind, code in self._order:
            fmt_id = 0
            if kind == "number":
                assert isinstance(code, str)
                fmt_id = _BUILTIN_FORMATS.get(code, -1)
                if fmt_id < 0:
                    fmt_id = custom.setdefault(code, _FIRST_CUSTOM_FORMAT + len(custom))
            font = 1 if kind == "header" else 0
            attrs = f'numFmtId="{fmt_id}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            if kind in ("header", "quoted"):
                attrs += ' quotePrefix="1"'
            if fmt_id > 0:
                attrs += ' applyNumberFormat="1"'
            if font:
                attrs += ' applyFont="1"'
            xfs.append(f"<xf {attrs}/>")
        formats = "".join(
            f'<numFmt numFmtId="{i}" formatCode="{escape_attribute(code)}"/>'
            for code, i in custom.items()
        )
        num_fmts = f'<numFmts count="{len(custom)}">{formats}</numFmts>' if custom else ""
        face = (
            '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/>'
            '<scheme val="minor"/>'
        )
        fonts = [f"<font>{face}</font>"]
        if ("header", None) in self._order:
            fonts.append(f"<font><b/>{face}</font>")
        return (
            f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">{num_fmts}'
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles><dxfs count="0"/><tableStyles count="0" '
            'defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>"
        )


def content_types_xml(sheets: int) -> str:
    """``[Content_Types].xml`` for a workbook of ``sheets`` sheets."""
    parts = [
        ("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/xl/styles.xml", f"{_OFFICE}.spreadsheetml.styles+xml"),
        ("/xl/theme/theme1.xml", f"{_OFFICE}.theme+xml"),
        ("/xl/workbook.xml", f"{_OFFICE}.spreadsheetml.sheet.main+xml"),
    ]
    parts += [
        (f"/xl/worksheets/sheet{i}.xml", f"{_OFFICE}.spreadsheetml.worksheet+xml")
        for i in range(1, sheets + 1)
    ]
    overrides = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in parts)
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        f'ContentType="application/xml"/>{overrides}</Types>'
    )


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_DECLARATION}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'


def root_rels_xml() -> str:
    """``_rels/.rels``: the workbook and the document properties."""
    return _relationships(
        [
            (f"{_REL}/officeDocument", "xl/workbook.xml"),
            (f"{_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
            (f"{_REL}/extended-properties", "docProps/app.xml"),
        ]
    )


def workbook_rels_xml(sheets: int) -> str:
    """``xl/_rels/workbook.xml.rels``: the sheets, the theme and the styles."""
    targets = [(f"{_REL}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, sheets + 1)]
    targets += [(f"{_REL}/theme", "theme/theme1.xml"), (f"{_REL}/styles", "styles.xml")]
    return _relationships(targets)


def app_xml(names: Sequence[str]) -> str:
    """``docProps/app.xml``: the application and the sheets' names."""
    titles = "".join(f"<vt:lpstr>{_escape_data(n)}</vt:lpstr>" for n in names)
    return (
        f'{_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
        '2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        '2006/docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0'
        "</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>"
        '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
        f"</vt:variant><vt:variant><vt:i4>{len(names)}</vt:i4></vt:variant></vt:vector>"
        f'</HeadingPairs><TitlesOfParts><vt:vector size="{len(names)}" baseType="lpstr">'
        f"{titles}</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false"
        "</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false"
        "</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"
    )


def core_xml(now: datetime | None = None) -> str:
    """``docProps/core.xml``: created and modified at ``now`` (UTC, default: the clock)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'{_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
        'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
        'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>'
        "</dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def workbook_xml(names: Sequence[str], filters: Sequence[str | None]) -> str:
    """``xl/workbook.xml``: the sheets in order, and the hidden ``_xlnm._FilterDatabase``
    name Excel expects for each sheet's filter (``filters[i]`` is the filtered range of sheet
    ``i``, ``$A$1:$E$4``, or None)."""
    sheets = "".join(
        f'<sheet name="{escape_attribute(n)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, start=1)
    )
    ranges = [
        (i, f"{quote_sheet_name(n)}!{f}")
        for i, (n, f) in enumerate(zip(names, filters, strict=True))
        if f is not None
    ]
    ranges.sort(key=lambda item: item[1].lstrip("'").lower())
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_escape_data(r)}</definedName>"
        for i, r in ranges
    )
    return (
        f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><fileVersion appName="xl" '
        'lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr '
        'defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" '
        f'windowWidth="16095" windowHeight="9660"/></bookViews><sheets>{sheets}</sheets>'
        + (f"<definedNames>{defined}</definedNames>" if defined else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _column_width(width: float) -> str:
    """A width in characters as Excel stores it (whole pixels of the default font)."""
    pixels = (
        int(width * _DIGIT_PIXELS + 0.5) + _PADDING_PIXELS if width >= 1 else int(width * 12 + 0.5)
    )
    return f"{(pixels * 256 // _DIGIT_PIXELS) / 256.0:.16g}"


def sheet_head_xml(
    *,
    dimension: str,
    selected: bool,
    freeze_header: bool,
    widths: Sequence[float],
    styles: Sequence[int],
    has_cells: bool,
) -> str:
    """A sheet's XML up to its first row: the used range, the view (the header frozen), the
    columns' widths and formats, and ``<sheetData>`` opened (or empty)."""
    pane = (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/>'
        if freeze_header
        else ""
    )
    tab = ' tabSelected="1"' if selected else ""
    view = f'<sheetView{tab} workbookViewId="0"' + (f">{pane}</sheetView>" if pane else "/>")
    cols = []
    first = 0
    for c in range(1, len(widths) + 1):
        if c < len(widths) and (widths[c], styles[c]) == (widths[first], styles[first]):
            continue
        style = f' style="{styles[first]}"' if styles[first] else ""
        cols.append(
            f'<col min="{first + 1}" max="{c}" width="{_column_width(widths[first])}"'
            f'{style} customWidth="1"/>'
        )
        first = c
    cols_xml = f"<cols>{''.join(cols)}</cols>" if cols else ""
    return (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f'<dimension ref="{dimension}"/><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{cols_xml}'
        + ("<sheetData>" if has_cells else "<sheetData/>")
    )


def sheet_tail_xml(*, autofilter: str | None, has_cells: bool) -> str:
    """A sheet's XML after its last row: the filter over the data, the page margins."""
    return (
        ("</sheetData>" if has_cells else "")
        + (f'<autoFilter ref="{autofilter}"/>' if autofilter else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    )
