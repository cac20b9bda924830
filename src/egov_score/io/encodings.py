"""The bytes of a text table as text: UTF-8 (with or without a byte-order mark), UTF-16 and
UTF-32 with their byte-order mark; anything else is an error that names what was found and how
to re-save the file as UTF-8, never a ``UnicodeDecodeError``."""

from __future__ import annotations

import codecs

from egov_score.exceptions import InputError

__all__ = ["decode", "nul_problem"]

#: Byte-order marks that say unambiguously how a file is encoded, longest first (UTF-32's
#: little-endian mark starts with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

#: File signatures of spreadsheets saved under a text name.
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?): give it the .xlsx extension"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook: save it as .xlsx or as 'CSV UTF-8'"),
)

_RESAVE = (
    "re-save it as UTF-8 (Excel: Save As, 'CSV UTF-8 (Comma delimited)'; LibreOffice: "
    "Save As, 'Edit filter settings', character set 'Unicode (UTF-8)'; or "
    "iconv -f {codec} -t UTF-8 in.csv > out.csv)"
)


def decode(data: bytes, source: str) -> str:
    """The text of a table file's bytes.

    Raises:
        InputError: the bytes are not UTF-8 (nor UTF-16/32 with a byte-order mark), naming
            the encoding they look like, the line and byte, and how to re-save the file.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                msg = (
                    f"{source}: a file that starts with a {name} byte-order mark must be "
                    f"{name} text; got an undecodable byte at offset {exc.start}"
                )
                raise InputError(msg) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(_not_utf8(data, exc.start, source)) from None


def _not_utf8(data: bytes, at: int, source: str) -> str:
    """The message for bytes that are not UTF-8, the first bad one at offset ``at``."""
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return f"{source}: a CSV file must be text; got {what}"
    line = data.count(b"\n", 0, at) + 1
    start = data.rfind(b"\n", 0, at) + 1
    try:
        data.decode("cp1252")
        codec, name = "cp1252", "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        codec, name = "latin-1", "Latin-1 (ISO-8859-1)"
    near = data[start : at + 12].split(b"\n")[0].decode(codec, errors="replace")
    return (
        f"{source}: a CSV file must be UTF-8 text; got bytes that look like {name} text (byte "
        f"0x{data[at]:02X} "
        f"on line {line}, in {near!r}): " + _RESAVE.format(codec=codec)
    )


def nul_problem(text: str, source: str) -> str | None:
    """The message for text holding NUL characters, or None where it holds none."""
    at = text.find("\x00")
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    if text[1::2].count("\x00") * 4 > len(text) or text[::2].count("\x00") * 4 > len(text):
        what = "UTF-16 text saved without a byte-order mark: " + _RESAVE.format(codec="utf-16")
    else:
        what = "is it a binary file, or a spreadsheet renamed .csv? Save it as 'CSV UTF-8'"
    return f"{source}: a CSV file must hold no NUL bytes; got one on line {line} ({what})"
