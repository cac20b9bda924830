"""Plain-text tables for the terminal, aware that Devanagari marks take no column."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

__all__ = ["display_width", "printable", "render_table"]

#: Characters a terminal acts on rather than shows: C0 controls but tab and line feed, DEL, C1
#: controls (CSI, OSC, ...), and the bidirectional overrides and isolates that reorder what
#: follows them (Trojan Source). Zero-width joiners, which Devanagari needs, are kept.
_UNSAFE = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
_UNSAFE += [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_UNSAFE += [0x2028, 0x2029]
_SHOWN = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in _UNSAFE}
_SHOWN_IN_CELL = {**_SHOWN, 0x09: " ", 0x0A: " "}


#: Categories that take no column: nonspacing and enclosing marks, format characters.
_ZERO_WIDTH = frozenset({"Mn", "Me", "Cf"})


def printable(text: str, *, cell: bool = False) -> str:
    """``text`` safe to print to a terminal: every control character that a terminal would act
    on (``ESC[2J`` clears the screen) is shown as an escape instead (``\\x1b[2J``), and so are
    the bidirectional overrides. In a table ``cell``, tabs and line feeds become spaces."""
    return text.translate(_SHOWN_IN_CELL if cell else _SHOWN)


@functools.lru_cache(maxsize=1 << 12)
def display_width(text: str) -> int:
    """Terminal columns ``text`` takes, as a terminal's ``wcwidth`` counts them: combining
    marks that sit on a letter (Devanagari virama, nukta, anusvara, the vowel signs above and
    below: Unicode categories Mn and Me) and invisible format characters (zero-width joiners,
    Cf) take none; East Asian wide and fullwidth characters take two; every other character,
    including the spacing vowel signs (Mc: ``ा``, ``ि``, ``ो``), takes one."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in _ZERO_WIDTH:
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] | None = None
) -> str:
    """Render rows of cells as an aligned table with a rule under the header; control
    characters in cells are shown as escapes (:func:`printable`).

    Args:
        header: column titles.
        rows: cells as strings.
        numeric: per column, right-align (True) or left-align (False); default: left.
    """
    numeric = list(numeric) if numeric is not None else [False] * len(header)
    header = [printable(h, cell=True) for h in header]
    rows = [[printable(c, cell=True) for c in row] for row in rows]
    widths = [display_width(h) for h in header]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(h, w, r) for h, w, r in zip(header, widths, numeric, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, numeric, strict=True)))
    return "\n".join(line.rstrip() for line in lines)
