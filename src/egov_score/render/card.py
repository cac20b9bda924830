"""Renderers of report cards: Markdown, JSON (schema ``egov_score.report_card/1``), CSV and a
self-contained HTML page with inline SVG charts, in English or Hindi.

The HTML page needs no network: no external fonts, scripts, styles or images; Devanagari is
rendered with the reader's system fonts.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterator, Sequence
from html import escape
from typing import Any

from egov_score.exceptions import InputError
from egov_score.io.table import csv_text
from egov_score.model.framework import Bands
from egov_score.plugins.section import Cell, Msg, Name, Num, Section
from egov_score.render.intervals import with_interval
from egov_score.render.maps import card_map_sections
from egov_score.render.messages import (
    FALLBACK,
    Messages,
    band_label,
    catalogues,
    gettext,
    messages,
    month_name,
    officer_title,
)
from egov_score.render.numbers import (
    format_count,
    format_number,
    format_plain,
    format_signed,
    format_text,
)
from egov_score.render.style import CARD_CSS, page_css
from egov_score.render.text_table import printable, render_table
from egov_score.review.awards import Reason
from egov_score.review.report import Bar, Standing, UnitReport

__all__ = [
    "CARD_FORMATS",
    "SCHEMA_ID",
    "bars_svg",
    "display_name",
    "format_rank",
    "format_value",
    "html_table",
    "interval_json",
    "interval_rows",
    "level_plural",
    "md_table",
    "md_text",
    "no_data_lines",
    "page",
    "rank_move_text",
    "reason_text",
    "render_card",
    "rows_csv",
    "section_text",
    "to_csv",
    "to_html",
    "to_json",
    "to_json_text",
    "to_markdown",
    "to_text",
    "trend_svg",
    "unit_text",
]

#: The identifier of the JSON report-card schema (``docs/report-card.schema.json``).
SCHEMA_ID = "egov_score.report_card/1"


def _num(x: float, digits: int = 1) -> str:
    return "–" if math.isnan(x) else f"{x:.{digits}f}"


def format_rank(rank: int, of: int, lang: str) -> str:
    """``"3 of 7"`` in ``lang``; ``"–"`` when unranked (0)."""
    if not rank:
        return "–"
    return gettext(lang, "rank_of", rank=format_count(rank, lang), of=format_count(of, lang))


def level_plural(level: str, lang: str) -> str:
    """A level's name in the plural as a sentence uses it after a postposition (message
    ``levels.<level>``: ``districts``; Hindi ``जिलों``, the oblique plural of ``जिला``), else
    the level's name (with an ``s`` in English)."""
    found = messages(lang).lookup(f"levels.{level}")
    if found:
        return found
    return gettext(lang, level) + ("s" if lang == FALLBACK else "")


def _rank_move(change: int | None, lang: str) -> str:
    if change is None:
        return "–"
    if change == 0:
        return gettext(lang, "same")
    return gettext(lang, "moved_up" if change > 0 else "moved_down", n=abs(change))


def display_name(obj: Standing | UnitReport, lang: str) -> str:
    """The name in ``lang``: the framework's ``name_hi`` in Hindi when given, else the
    catalogue's ``name.<code>`` for a scheme or indicator, else the framework's ``name``."""
    if lang == "hi" and obj.name_hi:
        return obj.name_hi
    if isinstance(obj, Standing):
        return messages(lang).lookup(f"name.{obj.code}") or obj.name
    return obj.name


def reason_text(reason: Reason, lang: str, bands: Bands) -> str:
    """An eligibility rule not met, in words (message ``reason.<rule>``)."""
    got: float | int = reason.got
    needs: float | int = reason.needs
    if reason.rule == "min_months":
        got, needs = int(reason.got), int(reason.needs)
    band = band_label(bands, reason.band, lang) if reason.band else ""
    return gettext(lang, f"reason.{reason.rule}", got=got, needs=needs, band=band)


def _num_cell(cell: Num, lang: str, plain: bool) -> str:
    if plain:
        return cell.plain()
    shown = format_number(cell.value, lang, cell.digits)
    if cell.share is None:
        return shown
    share = "–" if math.isnan(cell.share) else f"{format_number(cell.share, lang, 1)}%"
    return f"{shown} ({share})"


def _cell(cell: Cell, t: Messages, plain: bool = False, numeric: bool = False) -> str:
    if isinstance(cell, Num):
        return _num_cell(cell, t.lang, plain)
    if isinstance(cell, str) and numeric and not plain:  # a number a plugin wrote as text
        return format_text(cell, t.lang)
    if isinstance(cell, Msg):
        return cell.sep.join(t(i) for i in cell.ids)
    if isinstance(cell, Name):
        return cell.name_hi if t.lang == "hi" and cell.name_hi else cell.name
    return cell


def section_text(
    section: Section, lang: str, *, plain: bool = False
) -> tuple[str, list[str], list[list[str]], str]:
    """A plugin's section in ``lang``: title, header, rows and note, translated with the core
    catalogues and the plugin catalogues in force (:func:`~egov_score.render.messages.
    catalogues`); numbers (:class:`~egov_score.plugins.section.Num` cells, and plain numbers
    written as text in the section's numeric columns) in Indian grouping, or as plain machine
    numbers with ``plain`` (JSON)."""
    t = messages(lang)
    return (
        t(section.title),
        [t(h) for h in section.header],
        [
            [_cell(c, t, plain, k in section.numeric) for k, c in enumerate(row)]
            for row in section.rows
        ],
        t(section.note) if section.note else "",
    )


def unit_text(unit: str, lang: str) -> str:
    """An indicator's unit in ``lang``: the catalogue's ``unit.<unit>`` (``unit.days`` →
    ``दिन``), else the unit as the framework gives it."""
    return messages(lang).lookup(f"unit.{unit}") or unit if unit else ""


def format_value(s: Standing, lang: str = "en") -> str:
    """An indicator's value in Indian grouping with its unit in ``lang`` (``"87.5 %"``,
    ``"77.2 दिन"``); ``"–"`` if missing."""
    if math.isnan(s.value):
        return "–"
    unit = " %" if s.unit == "%" else f" {unit_text(s.unit, lang)}" if s.unit else ""
    mark = f" {gettext(lang, 'estimated')}" if s.estimated else ""
    return f"{format_number(s.value, lang)}{unit}{mark}"


def _best(s: Standing, lang: str) -> str:
    if math.isnan(s.best_value):
        return "–"
    shown = f"{format_number(s.best_value, lang)}{' %' if s.unit == '%' else ''}"
    name = s.best_name_hi if lang == "hi" and s.best_name_hi else s.best_name
    return f"{shown} ({name})"


def _headline(r: UnitReport, lang: str) -> list[tuple[str, str]]:
    level, levels = gettext(lang, r.level), level_plural(r.level, lang)
    band = band_label(r.framework.bands, r.band, lang)
    rows = [
        (gettext(lang, "score"), format_number(r.score, lang)),
        (gettext(lang, "band"), band),
        (
            gettext(lang, "rank_level", level=level, levels=levels),
            with_interval(format_rank(r.rank, r.peers, lang), r.interval, lang),
        ),
    ]
    if r.parent_name:
        parent = r.parent_name_hi if lang == "hi" and r.parent_name_hi else r.parent_name
        rows.append(
            (
                gettext(lang, "rank_parent", parent=parent),
                with_interval(
                    format_rank(r.rank_in_parent, r.parent_peers, lang), r.parent_interval, lang
                ),
            )
        )
    rows.append(
        (
            gettext(lang, "change"),
            f"{format_signed(r.score_change, lang)} ({_rank_move(r.rank_change, lang)})",
        )
    )
    if r.previous_period is not None:
        rows.append((gettext(lang, "delta_rank"), format_rank(r.delta_rank, r.delta_peers, lang)))
    rows.append((gettext(lang, "streak"), format_count(r.streak, lang)))
    if r.award is not None:
        rows.append((gettext(lang, "award_standing"), award_text(r, lang)))
    rows.append((gettext(lang, "coverage"), f"{format_number(100 * r.coverage, lang, 0)} %"))
    if rejected := len(r.result.rejected):  # implausible input cells set aside for this run
        rows.append((gettext(lang, "rejected_cells"), format_count(rejected, lang)))
    return rows


def award_text(r: UnitReport, lang: str) -> str:
    """One line on the unit's standing in the current award window."""
    a = r.award
    if a is None:
        return "–"
    occasion = gettext(lang, f"occasion.{a.occasion}.short")
    where = format_rank(a.place, a.candidates, lang)
    if a.eligible:
        status = gettext(lang, "eligible")
    else:
        status = "; ".join(reason_text(x, lang, r.framework.bands) for x in a.reasons)
    return f"{occasion} {format_plain(a.year, lang)}: {where} ({status})"


@contextlib.contextmanager
def _words_of(r: UnitReport, lang: str) -> Iterator[None]:
    """The card's plugin catalogues in force while it is written; ``lang`` checked first."""
    with catalogues(r.catalogues):
        messages(lang)
        yield


def _title(r: UnitReport, lang: str) -> str:
    return f"{gettext(lang, 'report_card')}: {display_name(r, lang)} ({gettext(lang, r.level)})"


def _standing_rows(items: tuple[Standing, ...], lang: str) -> list[list[str]]:
    return [
        [
            display_name(s, lang),
            format_value(s, lang),
            format_number(s.score, lang),
            format_rank(s.rank, s.peers, lang),
            _best(s, lang),
        ]
        for s in items
    ]


def _standing_header(lang: str) -> list[str]:
    return [
        gettext(lang, "indicator"),
        gettext(lang, "value"),
        gettext(lang, "score"),
        gettext(lang, "rank"),
        gettext(lang, "best_peer"),
    ]


def _scheme_rows(r: UnitReport, lang: str) -> list[list[str]]:
    return [
        [
            display_name(s, lang),
            format_number(s.score, lang),
            format_rank(s.rank, s.peers, lang),
            format_signed(s.change, lang),
        ]
        for s in r.schemes
    ]


def _scheme_header(lang: str) -> list[str]:
    return [
        gettext(lang, "scheme"),
        gettext(lang, "score"),
        gettext(lang, "rank"),
        gettext(lang, "change"),
    ]


def no_data_lines(r: UnitReport, lang: str = "en") -> list[str]:
    """One sentence per scheme without rows for the card's month ("pension: no data for
    January 2021"), so a missing scheme score is explained on the card."""
    lines = []
    for code in r.no_data:
        group = r.framework.groups.get(code)
        name = code if group is None else (group.name_hi if lang == "hi" else "") or group.name
        month = month_name(r.period, lang)
        lines.append(gettext(lang, "no_data_note", scheme=name, month=month))
    return lines


# -- Markdown ---------------------------------------------------------------------------------


#: Characters that are Markdown or HTML syntax anywhere in a line; a backslash makes each
#: literal (CommonMark escapes every ASCII punctuation character).
_MD_SYNTAX = str.maketrans(
    {ch: "\\" + ch for ch in "\\`*_[]<>|&#~"} | {"\n": " ", "\r": " ", "\0": ""}
)
#: What starts a list, a heading underline or a quote when it opens a line.
_MD_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])")


def md_text(text: str, *, line_start: bool = False) -> str:
    """Data as literal Markdown text: HTML and Markdown syntax (``<script>``, ``|``, ``*``,
    ``_``, ``[``, backticks, ``#``, ``&``) backslash-escaped, line breaks made spaces; with
    ``line_start``, a leading ``-``, ``+``, ``=`` or ``1.`` too, so text opening a line is not
    a list or a heading."""
    text = text.translate(_MD_SYNTAX)
    if line_start:
        text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text


def md_table(header: list[str], rows: list[list[str]] | tuple[tuple[str, ...], ...]) -> str:
    """A Markdown table with every cell escaped (:func:`md_text`)."""
    lines = ["| " + " | ".join(md_text(h) for h in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(r: UnitReport, lang: str = "en") -> str:
    """The card as Markdown."""
    with _words_of(r, lang):
        md = md_text
        out = [f"# {md(_title(r, lang))}", ""]
        out.append(
            f"**{md(gettext(lang, 'to'))}:** {md(officer_title(r.officer, lang))} · "
            f"**{md(gettext(lang, 'period'))}:** {md(month_name(r.period, lang))}"
        )
        out += [f"\n> {md(line)}" for line in no_data_lines(r, lang)]
        out += ["", md_table(["", ""], [list(row) for row in _headline(r, lang)]), ""]
        out += [
            f"## {md(gettext(lang, 'schemes'))}",
            "",
            md_table(_scheme_header(lang), _scheme_rows(r, lang)),
            "",
        ]
        for key, items in (("strongest", r.strongest), ("weakest", r.weakest)):
            if items:
                out += [
                    f"## {md(gettext(lang, key))}",
                    "",
                    md_table(_standing_header(lang), _standing_rows(items, lang)),
                    "",
                ]
        out += [f"## {md(gettext(lang, 'trend'))}", ""]
        out.append(
            md_table(
                [gettext(lang, "period"), gettext(lang, "score"), gettext(lang, "rank")],
                [
                    [
                        month_name(p.period, lang),
                        format_number(p.score, lang),
                        format_count(p.rank, lang) if p.rank else "–",
                    ]
                    for p in r.trend
                ],
            )
        )
        for section in r.sections:
            title, header, rows, note = section_text(section, lang)
            out += ["", f"## {md(title)}", ""]
            if rows:
                out.append(md_table(header, rows))
            if note:
                out += ["", md(note, line_start=True)]
            if section.link:  # a checked relative path: nothing to escape
                out += ["", f"[{md(gettext(lang, 'actions.full_list'))}]({section.link})"]
        out += ["", f"_{md(gettext(lang, 'generated_by'))}_", ""]
        return "\n".join(out)


# -- terminal text ------------------------------------------------------------------------------


def to_text(r: UnitReport, lang: str = "en") -> str:
    """A compact plain-text card for the terminal."""
    with _words_of(r, lang):
        lines = [
            _title(r, lang),
            f"{gettext(lang, 'to')}: {officer_title(r.officer, lang)} · "
            f"{month_name(r.period, lang)}",
            *no_data_lines(r, lang),
            "",
        ]
        lines += [f"{k}: {v}" for k, v in _headline(r, lang)]
        lines += [
            "",
            render_table(_scheme_header(lang), _scheme_rows(r, lang), [False, True, True, True]),
        ]
        return printable("\n".join(lines))


# -- JSON ---------------------------------------------------------------------------------------


def _json_num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 6)


def _json_standing(s: Standing) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "name_hi": s.name_hi,
        "unit": s.unit,
        "value": _json_num(s.value),
        "score": _json_num(s.score),
        "rank": s.rank or None,
        "peers": s.peers,
        "best_value": _json_num(s.best_value),
        "best_name": s.best_name,
        "best_name_hi": s.best_name_hi,
        "change": _json_num(s.change),
        "estimated": s.estimated,
    }


def _json_section(s: Section, lang: str) -> dict[str, Any]:
    title, header, rows, note = section_text(s, lang, plain=True)
    out: dict[str, Any] = {"key": s.key, "title": title, "header": header, "rows": rows}
    out["note"] = note
    if s.link:
        out["link"] = s.link
    return out


def to_json(r: UnitReport, lang: str = "en") -> dict[str, Any]:
    """The card as JSON-ready data following ``docs/report-card.schema.json``; only plugins'
    section titles and cells are in ``lang`` (award reasons are in English)."""
    with _words_of(r, lang):
        return {
            "schema": SCHEMA_ID,
            "unit": {
                "code": r.code,
                "level": r.level,
                "name": r.name,
                "name_hi": r.name_hi,
                "officer": r.officer,
                "parent_code": r.parent_code,
                "parent_name": r.parent_name,
            },
            "period": r.period,
            "previous_period": r.previous_period,
            "score": _json_num(r.score),
            "band": r.band or None,
            "rank": r.rank or None,
            "peers": r.peers,
            "rank_in_parent": r.rank_in_parent or None,
            "parent_peers": r.parent_peers,
            "coverage": _json_num(r.coverage),
            "rejected_cells": len(r.result.rejected),
            "score_change": _json_num(r.score_change),
            "rank_change": r.rank_change,
            "delta_rank": r.delta_rank or None,
            "delta_peers": r.delta_peers,
            "streak": r.streak,
            "award": None
            if r.award is None
            else {
                "occasion": r.award.occasion,
                "year": r.award.year,
                "window": list(r.award.window),
                "place": r.award.place or None,
                "candidates": r.award.candidates,
                "eligible": r.award.eligible,
                "reasons": [reason_text(x, "en", r.framework.bands) for x in r.award.reasons],
            },
            "schemes": [_json_standing(s) for s in r.schemes],
            "strongest": [_json_standing(s) for s in r.strongest],
            "weakest": [_json_standing(s) for s in r.weakest],
            "trend": [
                {
                    "period": p.period,
                    "score": _json_num(p.score),
                    "rank": p.rank or None,
                    "band": p.band or None,
                }
                for p in r.trend
            ],
            "peers_chart": [
                {
                    "code": b.code,
                    "name": b.name,
                    "name_hi": b.name_hi,
                    "score": _json_num(b.score),
                    "is_self": b.is_self,
                }
                for b in r.bars
            ],
            "sections": [_json_section(s, lang) for s in r.sections],
            "no_data": list(r.no_data),
        } | interval_json(r)


def interval_json(r: UnitReport) -> dict[str, Any]:
    """The card's rank intervals as JSON (``rank_interval``, ``rank_in_parent_interval``);
    ``{}`` without a sensitivity analysis, so such a card is unchanged."""
    out: dict[str, Any] = {}
    for key, iv in (("rank_interval", r.interval), ("rank_in_parent_interval", r.parent_interval)):
        if iv is not None:
            out[key] = {
                "low": iv.low or None,
                "high": iv.high or None,
                "median": _json_num(iv.median),
                "ranked_share": _json_num(iv.ranked_share),
                "runs": iv.runs,
                "quantiles": list(iv.interval),
            }
    return out


def interval_rows(r: UnitReport, lang: str) -> list[list[object]]:
    """The card's rank intervals as long-form CSV rows (``rank_interval``: low in ``value``,
    high in ``rank``, the median in ``score``); none without a sensitivity analysis."""
    rows: list[list[object]] = []
    for item, iv, peers in (
        ("level", r.interval, r.peers),
        ("parent", r.parent_interval, r.parent_peers),
    ):
        if iv is not None:
            label = with_interval(format_rank(iv.nominal, peers, lang), iv, lang)
            rows.append(
                [
                    "rank_interval",
                    item,
                    label,
                    iv.low or "",
                    _num(iv.median, 6),
                    iv.high or "",
                    peers,
                    "",
                ]
            )
    return rows


def to_json_text(r: UnitReport, lang: str = "en") -> str:
    """The card as a JSON document (UTF-8, Devanagari unescaped)."""
    return json.dumps(to_json(r, lang), ensure_ascii=False, indent=2) + "\n"


# -- CSV ----------------------------------------------------------------------------------------


def rows_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows of cells as CSV text through the package's one writer
    (:func:`~egov_score.io.table.csv_text`): formula-leading text neutralised, numbers kept."""
    return csv_text({h: [row[k] for row in rows] for k, h in enumerate(header)})


def to_csv(r: UnitReport, lang: str = "en") -> str:
    """The card in long form: ``section,item,label,value,score,rank,peers,change``."""
    with _words_of(r, lang):
        header = ["section", "item", "label", "value", "score", "rank", "peers", "change"]
        rows: list[list[object]] = [
            [
                "unit",
                r.code,
                display_name(r, lang),
                r.period,
                _num(r.score, 6),
                r.rank or "",
                r.peers,
                _num(r.score_change, 6),
            ]
        ]
        rows += interval_rows(r, lang)
        if r.result.rejected:
            label = gettext(lang, "rejected_cells")
            rows.append(["rejected", "", label, len(r.result.rejected), "", "", "", ""])
        for section, items in (
            ("scheme", r.schemes),
            ("strongest", r.strongest),
            ("weakest", r.weakest),
        ):
            rows += [
                [
                    section,
                    s.code,
                    display_name(s, lang),
                    _num(s.value, 6),
                    _num(s.score, 6),
                    s.rank or "",
                    s.peers,
                    _num(s.change, 6),
                ]
                for s in items
            ]
        rows += [
            [
                "trend",
                p.period,
                month_name(p.period, lang),
                "",
                _num(p.score, 6),
                p.rank or "",
                "",
                "",
            ]
            for p in r.trend
        ]
        rows += [
            ["no_data", code, line, "", "", "", "", ""]
            for code, line in zip(r.no_data, no_data_lines(r, lang), strict=True)
        ]
        for extra in r.sections:
            rows += [
                [extra.key, cells[0], " · ".join(cells[1:]), "", "", "", "", ""]
                for cells in section_text(extra, lang)[2]
            ]
        return rows_csv(header, rows)


# -- HTML ---------------------------------------------------------------------------------------


def rank_move_text(r: UnitReport, lang: str) -> str:
    """The rank move since the previous month in words and an arrow ("Rank ▲2 since December
    2020", "Rank unchanged since …"); ``""`` without a previous month."""
    if r.rank_change is None or r.previous_period is None:
        return ""
    since = month_name(r.previous_period, lang)
    if r.rank_change == 0:
        return gettext(lang, "rank_move.same", month=since)
    key = "rank_move.up" if r.rank_change > 0 else "rank_move.down"
    return gettext(lang, key, n=abs(r.rank_change), month=since)


def _band_class(r: UnitReport) -> str:
    labels = r.framework.bands.labels
    return f"b{min(labels.index(r.band), 3)}" if r.band in labels else "bx"


def _html_table(header: list[str], rows: list[list[str]], numeric: set[int], cls: str = "") -> str:
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    table = f'<table class="{cls}">' if cls else "<table>"
    # A wide table scrolls inside its own box, never the page (a phone's 390 px).
    return (
        f'<div class="scroll">{table}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def bars_svg(bars: tuple[Bar, ...], lang: str) -> str:
    """Composite scores as horizontal bars, the unit's own highlighted."""
    row_h, label_w, width = 24, 170, 640
    height = row_h * len(bars) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart bars" '
        f'viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(gettext(lang, "score"))}">'
    ]
    for k, b in enumerate(bars):
        y = 5 + k * row_h
        w = 0.0 if math.isnan(b.score) else (width - label_w - 60) * b.score / 100
        colour = "#123c69" if b.is_self else "#9fb3c8"
        weight = "700" if b.is_self else "400"
        name = b.name_hi if lang == "hi" and b.name_hi else b.name
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="13" '
            f'font-weight="{weight}">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12">'
            f"{format_number(b.score, lang)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(r: UnitReport, lang: str) -> str:
    """The unit's composite score over the trend months as a line."""
    width, height, pad = 640, 220, 40
    pts = [(k, p.score) for k, p in enumerate(r.trend) if not math.isnan(p.score)]
    n = max(len(r.trend) - 1, 1)

    def xy(k: int, s: float) -> tuple[float, float]:
        return pad + k * (width - 2 * pad) / n, height - pad - s * (height - 2 * pad) / 100

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(gettext(lang, "trend"))}">'
    ]
    for level in (0, 50, 65, 100):
        _, y = xy(0, level)
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e8ec"/>'
            f'<text x="{pad - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6b7c">{format_plain(level, lang)}</text>'
        )
    if pts:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(k, s) for k, s in pts))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#123c69" stroke-width="2.5"/>')
        for k, s in pts:
            x, y = xy(k, s)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#123c69"/>')
    for k, p in enumerate(r.trend):
        x, _ = xy(k, 0)
        month = month_name(p.period, lang, short=True)
        parts.append(
            f'<text x="{x:.1f}" y="{height - pad + 18}" text-anchor="middle" font-size="10" '
            f'fill="#5b6b7c">{escape(month)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _page_of(lang: str) -> str:
    """The catalogue's "Page {page} of {pages}", its two fields left for CSS counters."""
    return gettext(lang, "page_of", page="{page}", pages="{pages}")


def page(title: str, lang: str, header_html: str, body_html: str, *, month: str = "") -> str:
    """A self-contained HTML page with the cards' style; printed, each A4 page is headed by
    ``title`` and ``month`` and numbered "Page 1 of 3" (:func:`~egov_score.render.style.
    page_css`)."""
    style = CARD_CSS + page_css(title, month, _page_of(lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style></head><body><main>"
        f"<header><h1>{escape(title)}</h1>{header_html}</header>{body_html}"
        f"<footer>{escape(gettext(lang, 'generated_by'))}</footer></main></body></html>\n"
    )


def html_table(header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    """An HTML table with escaped cells; ``numeric`` columns are right-aligned."""
    return _html_table(header, rows, numeric)


def to_html(r: UnitReport, lang: str = "en") -> str:
    """The card as one self-contained HTML page (inline CSS and SVG, no external references)."""
    with _words_of(r, lang):
        band = band_label(r.framework.bands, r.band, lang)
        move = rank_move_text(r, lang)
        move_class = (
            "up" if (r.rank_change or 0) > 0 else "down" if (r.rank_change or 0) < 0 else ""
        )
        cards = [
            (gettext(lang, "score"), format_number(r.score, lang)),
            (
                gettext(
                    lang,
                    "rank_level",
                    level=gettext(lang, r.level),
                    levels=level_plural(r.level, lang),
                ),
                format_rank(r.rank, r.peers, lang),
            ),
            (gettext(lang, "change"), format_signed(r.score_change, lang)),
        ]
        card_html = "".join(
            f'<div class="card"><div class="k">{escape(k)}</div>'
            f'<div class="v">{escape(v)}</div></div>'
            for k, v in cards
        )
        headline = _html_table(["", ""], [list(row) for row in _headline(r, lang)], {1}, "kv")
        sections = [
            f"<section><h2>{escape(gettext(lang, 'schemes'))}</h2>"
            + _html_table(_scheme_header(lang), _scheme_rows(r, lang), {1, 2, 3})
            + "</section>"
        ]
        for key, items in (("strongest", r.strongest), ("weakest", r.weakest)):
            if items:
                sections.append(
                    f"<section><h2>{escape(gettext(lang, key))}</h2>"
                    + _html_table(_standing_header(lang), _standing_rows(items, lang), {1, 2, 3})
                    + "</section>"
                )
        parent = (
            r.parent_name_hi if lang == "hi" and r.parent_name_hi else r.parent_name
        ) or r.name
        chart_title = gettext(
            lang,
            "peers_chart",
            parent=parent,
            level=gettext(lang, r.level),
            levels=level_plural(r.level, lang),
        )
        sections.append(
            f'<section class="figure"><h2>{escape(chart_title)}</h2>'
            f"{bars_svg(r.bars, lang)}</section>"
        )
        sections.append(
            f'<section class="figure"><h2>{escape(gettext(lang, "trend"))}</h2>'
            f"{trend_svg(r, lang)}</section>"
        )
        sections.append(card_map_sections(r, lang))  # "" without maps
        for s in r.sections:
            title, head, rows, note = section_text(s, lang)
            body = _html_table(head, rows, set(s.numeric)) if rows else ""
            para = f"<p>{escape(note)}</p>" if note else ""
            if s.link:
                label = escape(gettext(lang, "actions.full_list"))
                para += f'<p><a href="{escape(s.link)}">{label}</a></p>'
            sections.append(f"<section><h2>{escape(title)}</h2>{body}{para}</section>")
        header = (
            f"<p>{escape(gettext(lang, 'to'))}: {escape(officer_title(r.officer, lang))} · "
            f"{escape(month_name(r.period, lang))} · "
            f'<span class="band {_band_class(r)}">{escape(band)}</span>'
            + (f' <span class="move {move_class or "same"}">{escape(move)}</span>' if move else "")
            + "</p>"
        )
        notes = "".join(f'<p class="no-data">{escape(x)}</p>' for x in no_data_lines(r, lang))
        body = (
            f'{notes}<div class="cards">{card_html}</div><section>{headline}</section>'
            + "".join(sections)
        )
        return page(_title(r, lang), lang, header, body, month=month_name(r.period, lang))


#: The formats a report card renders to.
CARD_FORMATS = ("html", "md", "json", "csv", "text")


def render_card(card: UnitReport, fmt: str = "html", lang: str = "en") -> str:
    """A report card as text in one format.

    Args:
        card: the card's data (:func:`~egov_score.review.report.build_report`).
        fmt: one of :data:`CARD_FORMATS`: ``html`` (a self-contained page with inline SVG),
            ``md``, ``json`` (language-neutral), ``csv`` or ``text``.
        lang: ``"en"`` or ``"hi"``.

    Raises:
        InputError: an unknown format.
    """
    renderers = {
        "html": lambda: to_html(card, lang),
        "md": lambda: to_markdown(card, lang),
        "json": lambda: to_json_text(card, lang),
        "csv": lambda: to_csv(card, lang),
        "text": lambda: to_text(card, lang),
    }
    if fmt not in renderers:
        raise InputError(f"card format must be one of {list(CARD_FORMATS)!r}; got {fmt!r}")
    return renderers[fmt]()
