"""Report cards: the data of one unit's monthly card, and sections plugins may add.

(Only the records live here so far; building and rendering cards comes with the review.)
"""

from __future__ import annotations

import attrs

__all__ = ["Section", "UnitReport"]


@attrs.frozen(kw_only=True)
class Section:
    """A titled table added to a report card.

    Attributes:
        title: the section heading (in the card's language).
        header: column titles.
        rows: rows of cells, as text.
        note: an optional sentence under the table.
    """

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@attrs.frozen(kw_only=True)
class UnitReport:
    """The data of one unit's report card for one period."""

    code: str
    level: str
    period: str
