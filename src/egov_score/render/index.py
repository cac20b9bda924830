"""The index page of a review: every card of the month linked by unit name, in each language.

:func:`index_html` and :func:`index_markdown` list, per language written, the division summary,
the awards (when written) and every district's and block's card, each unit under its own name
(the Hindi name on the Hindi list, where the units file has one) with a link per format. Links
are relative to the index, so the folder can be moved, zipped or served as it is. The Excel
workbooks of a review with ``xlsx`` (scores and action lists, one set for every language) are
linked above the languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

import attrs

from egov_score.model.result import LevelResult
from egov_score.render import card as render
from egov_score.render.messages import gettext, month_name
from egov_score.render.review import card_files
from egov_score.review.division import Review

__all__ = ["LANGUAGE_NAMES", "Edition", "index_html", "index_markdown"]

#: Each language's name in itself, as the index heads its list.
LANGUAGE_NAMES = {"en": "English", "hi": "हिन्दी"}


@attrs.frozen(kw_only=True)
class Edition:
    """One language's set of files in a review's output folder.

    Attributes:
        lang: the language (``en`` or ``hi``).
        folder: the folder of its files relative to the index (``""`` for the index's own
            folder, ``"hi"`` for a subfolder).
        formats: the card formats written (file suffixes).
        awards: the awards page's file name in ``folder``, or None when no awards were written.
    """

    lang: str
    folder: str
    formats: tuple[str, ...]
    awards: str | None = None

    def href(self, stem: str) -> str:
        """The link to file ``stem`` (a path inside the edition's folder), URL-quoted."""
        return quote(f"{self.folder}/{stem}" if self.folder else stem)


def _name(lv: LevelResult, i: int, lang: str) -> str:
    return str(lv.names_hi[i]) if lang == "hi" and lv.names_hi[i] else str(lv.names[i])


def _entries(rv: Review, lang: str) -> list[tuple[str, str, str, str]]:
    """(level label, unit name, district name, card path without suffix) for every card, in
    the result's order (districts, then blocks); the district name only on a block."""
    files = card_files(rv)
    out = []
    for level, cards in files.items():
        lv = rv.result.level(level)
        above = rv.result.levels[rv.levels.index(level) - 1]
        label = gettext(lang, level)
        nested = rv.levels.index(level) > 1  # a block names its district; a district, nothing
        for i, stem in enumerate(cards.values()):  # card_files keeps the level's order
            parent = _name(above, int(lv.parent[i]), lang) if nested else ""
            out.append((label, _name(lv, i, lang), parent, stem))
    return out


def _title(rv: Review, lang: str) -> str:
    top = rv.result.levels[0]
    return f"{gettext(lang, 'card_index')}: {_name(top, 0, lang)} · {month_name(rv.period, lang)}"


def index_html(rv: Review, editions: Sequence[Edition], workbooks: Sequence[str] = ()) -> str:
    """The index as one self-contained HTML page (in the first edition's language, each
    edition's section marked with its own ``lang``), linking the Excel ``workbooks`` (paths
    relative to the index) first."""
    sections = []
    if workbooks:
        books = " · ".join(
            f'<a href="{escape(quote(book))}">{escape(book)}</a>' for book in workbooks
        )
        label = escape(gettext(editions[0].lang, "excel_workbooks"))
        sections.append(f"<p>{label}: {books}</p>")
    for ed in editions:
        lang = ed.lang
        links = [
            f'<a href="{escape(ed.href("division.html"))}">'
            f"{escape(gettext(lang, 'division_page'))}</a>"
        ]
        if ed.awards is not None:
            links.append(
                f'<a href="{escape(ed.href(ed.awards))}">{escape(gettext(lang, "awards_page"))}</a>'
            )
        rows = []
        for label, name, parent, stem in _entries(rv, lang):
            first = ed.href(f"{stem}.{ed.formats[0]}")
            others = " · ".join(
                f'<a href="{escape(ed.href(f"{stem}.{fmt}"))}">{escape(fmt)}</a>'
                for fmt in ed.formats
            )
            rows.append(
                f"<tr><td>{escape(label)}</td>"
                f'<td><a href="{escape(first)}">{escape(name)}</a></td>'
                f"<td>{escape(parent)}</td><td>{others}</td></tr>"
            )
        head = "".join(
            f"<th>{escape(h)}</th>"
            for h in ("", gettext(lang, "name"), gettext(lang, rv.levels[1]), "")
        )
        sections.append(
            f'<section lang="{escape(lang)}"><h2>{escape(LANGUAGE_NAMES.get(lang, lang))}</h2>'
            f"<p>{' · '.join(links)}</p><p>{escape(gettext(lang, 'card_index_about'))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "</section>"
        )
    lang = editions[0].lang
    return render.page(_title(rv, lang), lang, "", "".join(sections))


def index_markdown(rv: Review, editions: Sequence[Edition], workbooks: Sequence[str] = ()) -> str:
    """The index as Markdown: the Excel ``workbooks`` (paths relative to the index), then a
    heading per edition and a bullet per card."""
    md = render.md_text
    lang = editions[0].lang
    out = [f"# {md(_title(rv, lang))}", ""]
    if workbooks:
        links = " · ".join(f"[{md(book)}](<{quote(book)}>)" for book in workbooks)
        out += [f"{md(gettext(lang, 'excel_workbooks'))}: {links}", ""]
    for ed in editions:
        lang = ed.lang
        out += [f"## {md(LANGUAGE_NAMES.get(ed.lang, ed.lang))}", ""]
        out.append(f"- [{md(gettext(lang, 'division_page'))}](<{ed.href('division.md')}>)")
        if ed.awards is not None:
            awards = ed.awards.rpartition(".")[0] + ".md" if "md" in ed.formats else ed.awards
            out.append(f"- [{md(gettext(lang, 'awards_page'))}](<{ed.href(awards)}>)")
        out.append("")
        for label, name, parent, stem in _entries(rv, lang):
            links = " · ".join(f"[{fmt}](<{ed.href(f'{stem}.{fmt}')}>)" for fmt in ed.formats)
            where = f" ({md(parent)})" if parent else ""
            out.append(f"- {md(label)}: **{md(name)}**{where} — {links}")
        out.append("")
    return "\n".join(out)
