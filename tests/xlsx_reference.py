"""The slow reference for the XLSX writer: the same workbook written through XlsxWriter, one
call per cell (egov_score's writer before issue 11's vectorised one).

Tests write the same sheets with both and compare what openpyxl reads back, cell by cell. The
reference shares the sheet names, widths and text checks of :mod:`egov_score.io.xlsx` (what
is compared is the cells), and none of the writing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter

from egov_score.io.table import neutralise, strip_nul
from egov_score.io.xlsx import _tables, _width

OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _cell(value: Any) -> tuple[str, Any]:
    """(how to write, value) for one cell; ``("", None)`` for an empty one."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return "", None
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return ("string", value) if value else ("", None)
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, int):
        return "number", value
    if isinstance(value, float):
        return ("number", value) if math.isfinite(value) else ("", None)
    return "string", str(value)


def write_reference(
    path: Path,
    sheets: dict[str, dict[str, Any]],
    *,
    number_formats: dict[str, str] | None = None,
    freeze_header: bool = True,
) -> Path:
    """Write ``sheets`` as :func:`egov_score.io.write_xlsx` documents it, through XlsxWriter
    one cell at a time."""
    number_formats = number_formats or {}
    book = xlsxwriter.Workbook(str(path), OPTIONS)
    header_fmt = book.add_format({"bold": True, "quote_prefix": True})
    formats = {f: book.add_format({"num_format": f}) for f in number_formats.values()}
    quoted = book.add_format({"quote_prefix": True})
    for sheet, columns in _tables(sheets).items():
        ws = book.add_worksheet(sheet)
        n = len(next(iter(columns.values()))) if columns else 0
        plan = []
        for c, (name, cells) in enumerate(columns.items()):
            fmt = formats.get(number_formats.get(name, ""))
            ws.set_column(c, c, _width(name, cells), fmt)
            mask = np.ma.getmaskarray(cells) if isinstance(cells, np.ma.MaskedArray) else None
            listed = [_cell(v) for v in np.asarray(np.ma.getdata(cells)).tolist()]
            if mask is not None:
                listed = [("", None) if m else cell for cell, m in zip(listed, mask, strict=True)]
            text = np.array([v if how == "string" else "" for how, v in listed], dtype=np.str_)
            risky = (neutralise(strip_nul(text)) != text).tolist()  # one column at a time
            plan.append((c, fmt, listed, risky))
        for c, name in enumerate(columns):
            ws.write_string(0, c, str(name).replace("\x00", ""), header_fmt)
        if columns:
            ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
        for r in range(n):  # the slow way on purpose: one call per cell
            for c, fmt, listed, risky in plan:
                how, value = listed[r]
                if how == "string":
                    ws.write_string(r + 1, c, value, quoted if risky[r] else fmt)
                elif how == "number":
                    ws.write_number(r + 1, c, value, fmt)
                elif how == "boolean":
                    ws.write_boolean(r + 1, c, value, fmt)
        if freeze_header:
            ws.freeze_panes(1, 0)
    book.close()
    return path
