"""The style of every HTML page the package writes (report cards, the division summary, the
index and the awards): one stylesheet, inline in each page, so a page needs no network.

The page fits a phone's width (charts scale to their box, wide tables scroll inside their own
box), prints on A4 (a running header with the unit and month, "Page 1 of 3" in the footer,
headings kept with what they introduce, no table row split across pages), and every colour
pair it sets for text meets WCAG AA (contrast >= 4.5:1, :data:`TEXT_PAIRS`, checked by the
tests with :func:`contrast_ratio`).
"""

from __future__ import annotations

import re

__all__ = [
    "BAND_COLOURS",
    "CARD_CSS",
    "TEXT_PAIRS",
    "contrast_ratio",
    "css_string",
    "page_css",
    "relative_luminance",
]

_INK = "#1d2733"  # body text
_MUTED = "#5b6b7c"  # secondary text (labels, axes, footer)
_PAPER = "#ffffff"  # boxes
_GROUND = "#f4f6f8"  # the page behind the boxes
_NAVY = "#123c69"  # the page header and headings
_UP = "#1a6b38"  # a rank gained (always with ▲ and words)
_DOWN = "#b02a1f"  # a rank lost (always with ▼ and words)
_NOTE = "#fff3cd"  # a "no data" note

#: Background of the band badge per band position (worst first; white text, the band's name
#: always written in it) and for no band.
BAND_COLOURS = ("#b03a2e", "#a84300", "#1e7b45", "#145a32")
_NO_BAND = "#5f6b6d"

#: Every (text, background) colour pair the stylesheet sets, by where it is used: each must
#: reach WCAG AA, a contrast ratio of at least 4.5 (:func:`contrast_ratio`).
TEXT_PAIRS: dict[str, tuple[str, str]] = {
    "body on ground": (_INK, _GROUND),
    "body in a box": (_INK, _PAPER),
    "muted in a box": (_MUTED, _PAPER),
    "muted on ground": (_MUTED, _GROUND),
    "heading in a box": (_NAVY, _PAPER),
    "page header": (_PAPER, _NAVY),
    "rank gained": (_UP, _PAPER),
    "rank lost": (_DOWN, _PAPER),
    "no-data note": (_INK, _NOTE),
    "link in a box": ("#0645ad", _PAPER),
    "visited link in a box": ("#551a8b", _PAPER),
    **{f"band {k}": (_PAPER, c) for k, c in enumerate(BAND_COLOURS)},
    "no band": (_PAPER, _NO_BAND),
}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour ``"#rrggbb"`` (0 black to 1 white).

    Raises:
        ValueError: not a ``#rrggbb`` colour.
    """
    if len(colour) != 7 or colour[0] != "#":
        raise ValueError(f"a colour must be '#rrggbb'; got {colour!r}")
    r, g, b = (_channel(int(colour[k : k + 2], 16)) for k in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two colours, ``(L1 + 0.05) / (L2 + 0.05)`` with L1 the
    lighter: 1 (the same) to 21 (black on white); AA asks 4.5 for body text."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but ASCII letters, digits and spaces
    written as a hexadecimal escape, so no text (``"``, ``\\``, ``</style>``) ends the
    string or the style element."""
    return (
        '"'
        + "".join(
            c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in text
        )
        + '"'
    )


def page_css(running: str, month: str, page_of: str) -> str:
    """The A4 page box of one page: ``running`` (the unit) at the top left, ``month`` at the
    top right, and the page number in the footer, worded by ``page_of`` with the fields
    ``{page}`` and ``{pages}`` in either order (``"Page {page} of {pages}"``)."""
    parts = re.split(r"(\{pages?\})", page_of)
    number = " ".join(
        f"counter({p[1:-1]})" if k % 2 else css_string(p) for k, p in enumerate(parts)
    )
    small = f"font-size:8pt;color:{_MUTED}"
    return (
        "@page{size:A4;margin:14mm 12mm 14mm 12mm;"
        f"@top-left{{content:{css_string(running)};{small}}}"
        f"@top-right{{content:{css_string(month)};{small};white-space:nowrap}}"
        f"@bottom-right{{content:{number};{small};white-space:nowrap}}}}"
    )


_BANDS = "".join(f".b{k}{{background:{c}}}" for k, c in enumerate(BAND_COLOURS))

#: The pages' stylesheet.
CARD_CSS = f"""
*,*::before,*::after{{box-sizing:border-box}}
body{{font-family:"Noto Sans","Noto Sans Devanagari","Nirmala UI",Mangal,system-ui,sans-serif;
margin:0;background:{_GROUND};color:{_INK};line-height:1.4;overflow-wrap:break-word}}
main{{max-width:980px;margin:0 auto;padding:24px}}
header{{background:{_NAVY};color:{_PAPER};padding:20px 24px;border-radius:10px}}
header h1{{margin:0 0 6px;font-size:1.5em}}header p{{margin:0}}
.cards{{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}}
.card{{background:{_PAPER};border-radius:10px;padding:14px 18px;flex:1 1 160px;min-width:0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}}
.card .k{{font-size:.8em;color:{_MUTED}}}.card .v{{font-size:1.6em;font-weight:600;
white-space:nowrap}}
section{{background:{_PAPER};border-radius:10px;padding:16px 20px;margin:14px 0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}}
h2{{font-size:1.1em;margin:0 0 10px;color:{_NAVY}}}
.scroll{{overflow-x:auto;max-width:100%}}
table{{border-collapse:collapse;width:100%;font-size:.92em}}
th,td{{padding:6px 8px;border-bottom:1px solid #e4e8ec;text-align:left}}
td.n,th.n{{text-align:right;font-variant-numeric:tabular-nums}}td.n{{white-space:nowrap}}
.kv td.n{{white-space:normal}}
svg.chart{{display:block;width:100%;max-width:640px;height:auto}}
.band,.move{{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;
white-space:nowrap}}
.band{{color:{_PAPER}}}{_BANDS}.bx{{background:{_NO_BAND}}}
.move{{background:{_PAPER};color:{_INK}}}.up{{color:{_UP}}}.down{{color:{_DOWN}}}
a{{color:#0645ad}}a:visited{{color:#551a8b}}
footer{{color:{_MUTED};font-size:.8em;text-align:center;margin:20px 0}}
.no-data{{background:{_NOTE};border-left:4px solid #a84300;padding:8px 14px;border-radius:6px}}
@media (max-width:600px){{main{{padding:10px}}header{{padding:14px 16px}}
header h1{{font-size:1.25em}}section{{padding:12px 12px}}th,td{{padding:5px 5px}}
.scroll table:has(th:nth-child(5)){{min-width:560px}}
svg.bars text{{font-size:20px}}}}
@media print{{
body{{background:{_PAPER};font-size:9.5pt}}
main{{max-width:none;padding:0}}
header{{background:none;color:{_INK};padding:0 0 4px;border-radius:0;
border-bottom:2px solid {_NAVY}}}
header h1{{font-size:1.35em;color:{_NAVY}}}
.cards{{margin:6px 0;gap:8px}}
.card{{box-shadow:none;border:1px solid #c9d1d9;padding:4px 10px}}.card .v{{font-size:1.3em}}
section{{box-shadow:none;border-radius:0;padding:0;margin:10px 0}}
h2{{break-after:avoid;page-break-after:avoid;margin:0 0 4px}}
th,td{{padding:2px 6px}}
table:has(th:nth-child(7)){{font-size:8pt}}th,td{{hyphens:auto}}
tr,li,.card,svg.chart{{break-inside:avoid;page-break-inside:avoid}}
thead{{display:table-header-group}}
section.figure{{break-inside:avoid;page-break-inside:avoid}}
svg.chart{{max-width:150mm;max-height:95mm}}
svg.map{{max-width:150mm;max-height:85mm;break-inside:avoid;page-break-inside:avoid}}
section.map{{break-inside:avoid;page-break-inside:avoid}}
.scroll{{overflow:visible}}
.move{{border:1px solid currentColor}}
.band{{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
footer{{display:none}}
}}
"""
