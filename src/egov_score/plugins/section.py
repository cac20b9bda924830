"""The record a plugin adds to a report card: a titled table."""

from __future__ import annotations

import attrs

__all__ = ["Section"]


@attrs.frozen(kw_only=True)
class Section:
    """A titled table added to a report card (by a plugin).

    Attributes:
        key: a stable identifier, ``"<plugin>.<name>"``.
        title: the section heading (in the card's language).
        header: column titles.
        rows: rows of cells, as text.
        note: an optional sentence under the table.
    """

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
