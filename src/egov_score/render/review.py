"""The divisional review: the commissioner's tables and every CEO's and BDO's report card.

:func:`review_text` prints what the commissioner saw (machines per district, district scores with
change since last month, the weak told to improve and the strong praised, the five best and
weakest blocks);
:func:`write_cards` writes a card for every district and block and the division summary.
"""

from __future__ import annotations

import json
import logging
import math
from html import escape
from pathlib import Path

import numpy as np

from egov_score.io.table import safe_file_names, unit_file_names
from egov_score.model.result import LevelResult
from egov_score.render import card as render
from egov_score.render.actions import write_action_lists
from egov_score.render.card_writer import card_paths, write_card_files
from egov_score.render.intervals import call_flag, interval_table
from egov_score.render.maps import division_map_svg
from egov_score.render.messages import band_label, catalogues, gettext, messages, month_name
from egov_score.render.numbers import format_column, format_count, format_signed
from egov_score.render.text_table import printable, render_table
from egov_score.review.actions import division_section
from egov_score.review.division import Review
from egov_score.review.report import Bar

__all__ = [
    "WRITTEN_FORMATS",
    "card_files",
    "plugin_sections",
    "review_markdown",
    "review_text",
    "write_cards",
]

#: The formats :func:`write_cards` writes, by file suffix.
WRITTEN_FORMATS = ("html", "md", "json", "csv")
_FLAGGED = 2  # how many districts are told to improve, and how many are praised
_log = logging.getLogger(__name__)


def plugin_sections(
    rv: Review, lang: str
) -> list[tuple[str, list[str], list[list[str]], set[int]]]:
    """The plugins' review tables (``egov_score_review_sections``) in ``lang``: title, header,
    rows and the numeric columns of each."""
    if rv.registry is None:
        return []
    out = []
    with catalogues(rv.registry.catalogues()):
        messages(lang)
        extra = division_section(rv.actions, rv.result)
        for section in [*rv.registry.review_sections(rv.result, rv.hierarchy), *extra]:
            title, header, rows, _ = render.section_text(section, lang)
            out.append((title, header, rows, set(section.numeric)))
    return out


def _local_name(lv: LevelResult, i: int, lang: str) -> str:
    return str(lv.names_hi[i]) if lang == "hi" and lv.names_hi[i] else str(lv.names[i])


def _move(change: float, lang: str) -> str:
    return "" if math.isnan(change) else format_signed(change, lang)


def district_rows(
    rv: Review, lang: str, *, short: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Districts by rank: score, band, change since last month, and every scheme's score,
    headed by the scheme's name in ``lang`` (by its code when ``short``); numbers in Indian
    grouping, each column formatted at once."""
    fw = rv.result.framework
    lv = rv.result.levels[1]
    prev = rv.panel.previous(rv.period)
    before = prev.levels[1] if prev is not None else None
    schemes = [g for g in fw.children(fw.root) if g in lv.groups]
    header = [
        gettext(lang, "rank"),
        gettext(lang, lv.level),
        gettext(lang, "score"),
        gettext(lang, "band"),
        gettext(lang, "change"),
    ]
    header += [
        g if short else (fw.groups[g].name_hi if lang == "hi" else fw.groups[g].name) or g
        for g in schemes
    ]
    rows = []
    shown = {"": format_column(lv.score, lang)} | {
        g: format_column(lv.groups[g], lang) for g in schemes
    }
    for i in np.lexsort((lv.codes, np.where(lv.rank > 0, lv.rank, 1 << 30))):
        change = np.nan
        if before is not None:
            j = np.flatnonzero(before.codes == lv.codes[i])
            if len(j):
                change = float(lv.score[i] - before.score[j[0]])
        rows.append(
            [
                format_count(lv.rank[i], lang) if lv.rank[i] else "–",
                _local_name(lv, i, lang),
                str(shown[""][i]),
                band_label(fw.bands, lv.band_of(i), lang),
                _move(change, lang),
                *(str(shown[g][i]) for g in schemes),
            ]
        )
    return header, rows


def district_flags(rv: Review, lang: str) -> list[str]:
    """Sentences: the weakest districts told to improve (with the indicators that pull them
    down), the strongest praised (with what they lead the division on)."""
    lv = rv.result.levels[1]
    order = [int(i) for i in np.argsort(np.where(lv.rank > 0, lv.rank, 1 << 30), kind="stable")]
    ranked = [i for i in order if lv.rank[i] > 0]
    lines = []
    for i in ranked[:_FLAGGED]:
        card = rv.report(str(lv.codes[i]))
        leads = [s for s in (*card.schemes, *card.strongest) if s.rank == 1]
        what = ", ".join(render.display_name(s, lang) for s in leads) or "–"
        lines.append(
            f"{gettext(lang, 'praised')}: {_local_name(lv, i, lang)} — "
            f"{gettext(lang, 'leads_on')}: {what}" + call_flag(rv, str(lv.codes[i]), "strong", lang)
        )
    for i in reversed(ranked[-_FLAGGED:] if len(ranked) > _FLAGGED else []):
        card = rv.report(str(lv.codes[i]))
        what = (
            ", ".join(
                f"{render.display_name(s, lang)} ({render.format_value(s, lang)}; "
                f"{render.format_rank(s.rank, s.peers, lang)})"
                for s in card.weakest
            )
            or "–"
        )
        lines.append(
            f"{gettext(lang, 'needs_improvement')}: {_local_name(lv, i, lang)} — "
            f"{gettext(lang, 'pulled_down_by')}: {what}"
            + call_flag(rv, str(lv.codes[i]), "weak", lang)
        )
    return lines


def block_rows(
    rv: Review, lang: str, n: int = 5
) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """The ``n`` best and ``n`` weakest blocks of the division."""
    blocks = rv.result.levels[2]
    districts = rv.result.levels[1]
    ranked = np.flatnonzero(blocks.rank > 0)
    ranked = ranked[np.lexsort((blocks.codes[ranked], blocks.rank[ranked]))]
    header = [
        gettext(lang, "rank"),
        gettext(lang, blocks.level),
        gettext(lang, districts.level),
        gettext(lang, "score"),
        gettext(lang, "band"),
    ]

    shown = format_column(blocks.score, lang)

    def row(i: int) -> list[str]:
        return [
            format_count(blocks.rank[i], lang),
            _local_name(blocks, i, lang),
            _local_name(districts, int(blocks.parent[i]), lang),
            str(shown[i]),
            band_label(rv.result.framework.bands, blocks.band_of(i), lang),
        ]

    return header, [row(i) for i in ranked[:n]], [row(i) for i in ranked[::-1][:n]]


def review_text(rv: Review, lang: str = "en", cards_dir: Path | None = None) -> str:
    """The review as the commissioner would read it in a terminal."""
    top = rv.result.levels[0]
    out = [
        f"{gettext(lang, 'division_review')}: {_local_name(top, 0, lang)} · "
        f"{month_name(rv.period, lang)}",
        "",
    ]
    for title, head, rows, nums in plugin_sections(rv, lang):
        aligned = [k in nums for k in range(len(head))]
        out += [title, render_table(head, rows, aligned), ""]
    header, rows = district_rows(rv, lang)
    out += [
        gettext(lang, "district_scores"),
        render_table(header, rows, [True, False, True, False, True] + [True] * (len(header) - 5)),
        "",
    ]
    out += [*district_flags(rv, lang), ""]
    if (intervals := interval_table(rv, rv.levels[1], lang)) is not None:
        aligned = [True, False, True, True, True, True]
        out += [gettext(lang, "robust.intervals"), render_table(*intervals, aligned), ""]
    if len(rv.levels) > 2:
        header, best, worst = block_rows(rv, lang)
        numeric = [True, False, False, True, False]
        out += [gettext(lang, "best_blocks"), render_table(header, best, numeric), ""]
        out += [gettext(lang, "weakest_blocks"), render_table(header, worst, numeric), ""]
    if cards_dir is not None:
        out.append(f"{gettext(lang, 'cards_written')}: {cards_dir}")
    return printable("\n".join(out))


def review_markdown(rv: Review, lang: str = "en") -> str:
    """The division summary as Markdown."""
    top = rv.result.levels[0]
    md, txt = render.md_table, render.md_text
    out = [
        f"# {txt(gettext(lang, 'division_review'))}: {txt(_local_name(top, 0, lang))}",
        "",
        f"**{txt(gettext(lang, 'period'))}:** {txt(month_name(rv.period, lang))}",
        "",
    ]
    for title, head, rows, _ in plugin_sections(rv, lang):
        out += [f"## {txt(title)}", "", md(head, rows), ""]
    out += [f"## {txt(gettext(lang, 'district_scores'))}", "", md(*district_rows(rv, lang)), ""]
    out += [f"- {txt(line)}" for line in district_flags(rv, lang)] + [""]
    if (intervals := interval_table(rv, rv.levels[1], lang)) is not None:
        out += [f"## {txt(gettext(lang, 'robust.intervals'))}", "", md(*intervals), ""]
    if len(rv.levels) > 2:
        header, best, worst = block_rows(rv, lang)
        out += [f"## {txt(gettext(lang, 'best_blocks'))}", "", md(header, best), ""]
        out += [f"## {txt(gettext(lang, 'weakest_blocks'))}", "", md(header, worst), ""]
    return "\n".join(out)


def review_html(rv: Review, lang: str = "en") -> str:
    """The division summary as a self-contained HTML page with the districts as bars."""
    top, districts = rv.result.levels[0], rv.result.levels[1]
    sections = [
        (title, render.html_table(head, rows, numeric))
        for title, head, rows, numeric in plugin_sections(rv, lang)
    ]
    header, rows = district_rows(rv, lang)
    order = np.argsort(-np.nan_to_num(districts.score, nan=-1), kind="stable")
    bars = tuple(
        Bar(
            code=str(districts.codes[i]),
            name=_local_name(districts, int(i), lang),
            score=float(districts.score[i]),
            is_self=False,
        )
        for i in order
    )
    table = render.html_table(header, rows, {0, 2, 4, *range(5, len(header))})
    flags = "".join(f"<li>{escape(x)}</li>" for x in district_flags(rv, lang))
    sections.append(
        (
            gettext(lang, "district_scores"),
            render.bars_svg(bars, lang) + table + f"<ul>{flags}</ul>",
        )
    )
    if (intervals := interval_table(rv, rv.levels[1], lang)) is not None:
        table = render.html_table(*intervals, {0, 2, 3, 4, 5})
        sections.append((gettext(lang, "robust.intervals"), table))
    sections.append((gettext(lang, "map.title_units"), division_map_svg(rv, lang)))
    if len(rv.levels) > 2:
        header, best, worst = block_rows(rv, lang)
        sections.append((gettext(lang, "best_blocks"), render.html_table(header, best, {0, 3})))
        sections.append((gettext(lang, "weakest_blocks"), render.html_table(header, worst, {0, 3})))
    body = "".join(f"<section><h2>{escape(t)}</h2>{b}</section>" for t, b in sections)
    title = f"{gettext(lang, 'division_review')}: {_local_name(top, 0, lang)}"
    month = month_name(rv.period, lang)
    return render.page(title, lang, f"<p>{escape(month)}</p>", body, month=month)


def card_files(rv: Review) -> dict[str, dict[str, str]]:
    """Where :func:`write_cards` puts each card: level, then code, to the card's path inside
    the output folder without its format suffix (``district/alwar-87``): the level's folder
    made safe by :func:`~egov_score.io.table.safe_file_names`, the card's readable name by
    :func:`~egov_score.io.table.unit_file_names` (the English name's slug and the code's
    digits)."""
    files = {}
    folders = safe_file_names(list(rv.levels[1:]))
    for level, folder_name in zip(rv.levels[1:], folders, strict=True):
        lv = rv.result.level(level)
        codes = lv.codes.tolist()
        names = unit_file_names(codes, lv.names.tolist())
        files[level] = {
            code: f"{folder_name}/{name}" for code, name in zip(codes, names, strict=True)
        }
    return files


def write_cards(
    rv: Review,
    out_dir: str | Path,
    lang: str = "en",
    formats: tuple[str, ...] = WRITTEN_FORMATS,
    *,
    bom: bool = True,
    lists_from: str | Path | None = None,
    unit_cards: bool = True,
) -> list[Path]:
    """Write a card for every district (to its CEO) and block (to its BDO), and the division
    summary, into ``out_dir``: ``<level>/<name>.<format>`` (``district/alwar-87.html``) and
    ``division.{md,html}``.

    Card names are readable and stable (:func:`card_files`,
    :func:`~egov_score.io.table.unit_file_names`): only ``a-z``, ``0-9`` and ``-``, so every
    file lands inside ``out_dir``, and units whose names would clash get a hash of their code,
    so no two cards share one. ``index.json`` maps every code to its file
    (``files``). The action lists the cards link to are written too
    (:func:`~egov_score.render.actions.write_action_lists`). The CSV cards and lists start
    with a UTF-8 byte-order mark for Excel unless ``bom=False``. ``lists_from``: a folder
    where this review's cards were written in another language with the same ``bom``; the
    action lists, the same in every language, are copied from there. ``unit_cards=False``
    leaves the district and block cards to another process
    (:func:`~egov_score.render.card_writer.start_cards`), writing the rest; their paths are
    returned all the same.
    """
    out = Path(out_dir)
    written = []
    files = card_files(rv)
    total = sum(len(cards) for cards in files.values())
    if unit_cards:
        _log.info(
            "writing %d cards into %s",
            total,
            out,
            extra={"egov_step": "writing cards", "egov_done": 0, "egov_total": total},
        )
    stems = {code: stem for cards in files.values() for code, stem in cards.items()}
    if unit_cards:
        chosen = [(stem, rv.report(code)) for code, stem in stems.items()]
        written += write_card_files(chosen, out, lang, formats, bom=bom)
    else:
        written += card_paths(list(stems.values()), out, formats)
    out.mkdir(parents=True, exist_ok=True)
    (out / "division.md").write_text(review_markdown(rv, lang), encoding="utf-8")
    (out / "division.html").write_text(review_html(rv, lang), encoding="utf-8")
    index = {lv: rv.result.level(lv).codes.tolist() for lv in rv.levels[1:]}
    (out / "index.json").write_text(
        json.dumps(
            {"period": rv.period, "cards": index, "files": files}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )
    lists = write_action_lists(rv, out, bom=bom, same_as=lists_from)  # the cards link to them
    return [*written, *lists, out / "division.md", out / "division.html", out / "index.json"]
