"""The record a plugin adds to a report card or the divisional review: a titled table of data.

A section holds message ids and data, never text already translated: the render layer looks the
ids up in the catalogue of the language it writes (the core one merged with the catalogues
plugins contribute through ``egov_score_catalogues``), so one section renders in every
language. An id missing from every catalogue is shown as it is, so plain text works too.
"""

from __future__ import annotations

import math
import re

import attrs

from egov_score.exceptions import PluginError

__all__ = ["Cell", "Msg", "Name", "Num", "Section"]

#: A link a section may carry: empty, or a relative path with no scheme, query or markup
#: (``../actions/emitra.machines/block/B-574.csv``), safe in Markdown and HTML as it is.
_SAFE_LINK = re.compile(r"(?:(?:\.\./)?\w[\w.-]*(?:/\w[\w.-]*)*)?")


@attrs.frozen
class Msg:
    """A cell of message ids, translated and joined with ``sep`` (``", "`` by default).

    Attributes:
        ids: the message ids, in order.
        sep: what goes between them.
    """

    ids: tuple[str, ...]
    sep: str = ", "

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ids, tuple) or not all(isinstance(i, str) for i in self.ids):
            raise PluginError(f"a Msg's ids must be a tuple of message ids; got {self.ids!r}")
        if not isinstance(self.sep, str):
            raise PluginError(f"a Msg's sep must be text; got {self.sep!r}")


@attrs.frozen
class Name:
    """A cell naming a unit: ``name_hi`` in Hindi when it is given, else ``name``.

    Attributes:
        name: the unit's name.
        name_hi: its Hindi name, or ``""``.
    """

    name: str
    name_hi: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not isinstance(self.name_hi, str):
            raise PluginError(
                f"a Name's name and name_hi must be text; got {self.name!r}, {self.name_hi!r}"
            )


@attrs.frozen
class Num:
    """A cell holding a number, written by the renderer as its reader reads numbers (Indian
    grouping, ``2,995``; the catalogue's digits) and as a plain number in JSON.

    Attributes:
        value: the number (NaN shows as ``–``).
        digits: decimals shown.
        share: a percentage shown after it in brackets (``2,995 (98.1%)``), or None.
    """

    value: float
    digits: int = 0
    share: float | None = None

    def __attrs_post_init__(self) -> None:
        numbers = (self.value,) if self.share is None else (self.value, self.share)
        if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in numbers):
            raise PluginError(f"a Num's value and share must be numbers; got {self!r}")
        if not isinstance(self.digits, int) or not 0 <= self.digits <= 6:
            raise PluginError(f"a Num's digits must be an int from 0 to 6; got {self.digits!r}")

    def plain(self) -> str:
        """The cell as a machine reads it: ``2995``, ``2995 (98.1%)``; ``–`` if missing."""
        if math.isnan(self.value):
            return "–"
        shown = f"{self.value:.{self.digits}f}"
        if self.share is None:
            return shown
        share = "–" if math.isnan(self.share) else f"{self.share:.1f}%"
        return f"{shown} ({share})"


#: A section's cell: text shown as it is (codes, names), message ids, a unit's name, or a
#: number.
Cell = str | Msg | Name | Num


@attrs.frozen(kw_only=True)
class Section:
    """A titled table added by a plugin.

    Attributes:
        key: a stable identifier, ``"<plugin>.<name>"``.
        title: the heading's message id.
        header: the column titles' message ids.
        rows: rows of cells (:data:`Cell`).
        note: the message id of a sentence under the table, or ``""``.
        numeric: the columns to right-align (numbers).
        link: a relative link shown under the table (the full list a card shortens), or
            ``""``: a plain relative path of word characters, ``-``, ``.`` and ``/``, one
            leading ``../`` allowed (no scheme, no other ``..``), safe in Markdown and HTML.
    """

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    numeric: frozenset[int] = frozenset()
    link: str = ""

    def __attrs_post_init__(self) -> None:
        width = len(self.header)
        if not isinstance(self.link, str) or not _SAFE_LINK.fullmatch(self.link):
            raise PluginError(
                f"section {self.key!r}: link must be empty or a relative path of letters, "
                f"digits, '_', '-', '.' and '/' (one leading '../'); got {self.link!r}"
            )
        if not isinstance(self.key, str) or not self.key:
            raise PluginError(f"a section's key must be a non-empty string; got {self.key!r}")
        bad = next((r for r in self.rows if len(r) != width), None)
        if bad is not None:
            raise PluginError(
                f"section {self.key!r}: every row must have one cell per header column "
                f"({width}); got {bad!r}"
            )
        odd = next(
            (c for r in self.rows for c in r if not isinstance(c, str | Msg | Name | Num)), None
        )
        if odd is not None or any(not isinstance(h, str) for h in self.header):
            cell = (
                odd if odd is not None else next(h for h in self.header if not isinstance(h, str))
            )
            raise PluginError(
                f"section {self.key!r}: every cell must be text, a Msg or a Name; got "
                f"{type(cell).__name__} {cell!r} (a number in a row goes in a Num)"
            )
        for what in ("title", "note"):
            if not isinstance(getattr(self, what), str):
                raise PluginError(
                    f"section {self.key!r}: {what} must be a message id (text); got "
                    f"{getattr(self, what)!r}"
                )
        if any(not 0 <= c < width for c in self.numeric):
            raise PluginError(
                f"section {self.key!r}: numeric columns must be among 0..{width - 1}; "
                f"got {sorted(self.numeric)!r}"
            )
