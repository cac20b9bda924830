"""The e-governance awards as text: citations, Markdown, HTML, JSON and CSV."""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

import attrs

from egov_score.exceptions import InputError
from egov_score.model.framework import DEFAULT_BANDS, Bands
from egov_score.render.card import md_text, page, reason_text, rows_csv
from egov_score.render.messages import band_label, gettext, month_name, ngettext
from egov_score.review.awards import Awards, Candidate

__all__ = [
    "AWARD_FORMATS",
    "awards_csv",
    "awards_headline",
    "awards_html",
    "awards_json",
    "awards_json_text",
    "awards_markdown",
    "citation",
    "render_awards",
]


def _cname(c: Candidate, lang: str) -> str:
    return c.name_hi if lang == "hi" and c.name_hi else c.name


def _window_text(a: Awards, lang: str) -> str:
    return f"{month_name(a.periods[0], lang)} – {month_name(a.periods[-1], lang)}"


def citation(c: Candidate, lang: str = "en", bands: Bands = DEFAULT_BANDS) -> str:
    """One line on what the candidate achieved, in numbers (message ``citation``, plural in
    the months); the lowest band is named from ``bands`` (the framework's)."""
    parent = c.parent_name_hi if lang == "hi" and c.parent_name_hi else c.parent_name
    return ngettext(
        lang,
        "citation",
        "citation.plural",
        c.months,
        name=_cname(c, lang),
        where=f" ({parent})" if parent else "",
        mean=c.mean_score,
        improvement=c.improvement,
        first=month_name(c.first_period, lang),
        last=month_name(c.last_period, lang),
        band=band_label(bands, c.lowest_band, lang),
    )


def _title(a: Awards, lang: str) -> str:
    occasion = gettext(lang, f"occasion.{a.occasion}")
    return gettext(lang, "awards_title", year=a.year, occasion=occasion)


def _reasons(c: Candidate, a: Awards, lang: str) -> str:
    return "; ".join(reason_text(x, lang, a.bands) for x in c.reasons)


def awards_headline(a: Awards, lang: str = "en") -> str:
    """One line naming the first winner of every level."""
    firsts = [
        f"{_cname(a.winners[level][0], lang)} ({gettext(lang, level)})"
        for level in a.rules.levels
        if a.winners[level]
    ]
    return f"{_title(a, lang)} — " + ", ".join(firsts)


def awards_markdown(a: Awards, lang: str = "en") -> str:
    """The awards as Markdown (names and reasons escaped: :func:`~egov_score.render.card.
    md_text`)."""
    md = md_text
    out = [
        f"# {md(_title(a, lang))}",
        "",
        f"**{md(gettext(lang, 'window'))}:** {md(_window_text(a, lang))} · "
        f"**{md(gettext(lang, 'criterion'))}:** {md(a.rules.criterion)}",
        "",
    ]
    for level in a.rules.levels:
        out += [f"## {md(gettext(lang, level))}", "", f"### {md(gettext(lang, 'winners'))}", ""]
        out += [f"{c.place}. {md(citation(c, lang, a.bands))}" for c in a.winners[level]] or ["–"]
        if a.runners_up[level]:
            out += ["", f"### {md(gettext(lang, 'runners_up'))}", ""]
            out += [f"{c.place}. {md(citation(c, lang, a.bands))}" for c in a.runners_up[level]]
        if a.near_misses[level]:
            out += ["", f"### {md(gettext(lang, 'near_misses'))}", ""]
            out += [
                f"- {md(_cname(c, lang))}: {md(_reasons(c, a, lang))}" for c in a.near_misses[level]
            ]
        out.append("")
    return "\n".join(out)


def _cand_json(c: Candidate, a: Awards) -> dict[str, Any]:
    def num(x: float) -> float | None:
        return None if math.isnan(x) else round(x, 6)

    return {
        "level": c.level,
        "code": c.code,
        "name": c.name,
        "name_hi": c.name_hi,
        "parent_name": c.parent_name,
        "place": c.place or None,
        "eligible": c.eligible,
        "reasons": [reason_text(x, "en", a.bands) for x in c.reasons],
        "reasons_hi": [reason_text(x, "hi", a.bands) for x in c.reasons],
        "months": c.months,
        "mean_score": num(c.mean_score),
        "improvement": num(c.improvement),
        "first_period": c.first_period,
        "last_period": c.last_period,
        "lowest_band": c.lowest_band or None,
        "mean_coverage": num(c.mean_coverage),
        "criterion_value": num(c.criterion_value),
        "citation": citation(c, "en", a.bands) if c.months else "",
        "citation_hi": citation(c, "hi", a.bands) if c.months else "",
    }


def awards_json(a: Awards) -> dict[str, Any]:
    """The awards as JSON-ready data."""
    return {
        "schema": "egov_score.awards/1",
        "occasion": a.occasion,
        "year": a.year,
        "window": list(a.window),
        "periods": list(a.periods),
        "rules": {**attrs.asdict(a.rules), "window": list(a.window)},
        "levels": {
            level: {
                "winners": [_cand_json(c, a) for c in a.winners[level]],
                "runners_up": [_cand_json(c, a) for c in a.runners_up[level]],
                "near_misses": [_cand_json(c, a) for c in a.near_misses[level]],
            }
            for level in a.rules.levels
        },
    }


def awards_csv(a: Awards) -> str:
    """Every candidate of every level, one row each (through the package's one CSV writer)."""
    header = [
        "level",
        "outcome",
        "place",
        "code",
        "name",
        "parent",
        "months",
        "mean_score",
        "improvement",
        "lowest_band",
        "mean_coverage",
        "criterion",
        "reasons",
    ]
    rows: list[list[object]] = []
    for level in a.rules.levels:
        won = {c.code for c in a.winners[level]}
        ran = {c.code for c in a.runners_up[level]}
        rows += [
            [
                level,
                "winner"
                if c.code in won
                else "runner_up"
                if c.code in ran
                else ("eligible" if c.eligible else "not_eligible"),
                c.place or "",
                c.code,
                c.name,
                c.parent_name,
                c.months,
                f"{c.mean_score:.6f}",
                f"{c.improvement:.6f}",
                c.lowest_band,
                f"{c.mean_coverage:.6f}",
                f"{c.criterion_value:.6f}",
                _reasons(c, a, "en"),
            ]
            for c in a.candidates[level]
        ]
    return rows_csv(header, rows)


def awards_html(a: Awards, lang: str = "en") -> str:
    """The awards as a self-contained HTML page."""
    body = []
    for level in a.rules.levels:
        parts = [
            f"<h2>{escape(gettext(lang, level))}</h2>"
            f"<h3>{escape(gettext(lang, 'winners'))}</h3><ol>"
        ]
        parts += [f"<li>{escape(citation(c, lang, a.bands))}</li>" for c in a.winners[level]]
        parts.append("</ol>")
        if a.runners_up[level]:
            first = a.runners_up[level][0].place
            parts.append(f'<h3>{escape(gettext(lang, "runners_up"))}</h3><ol start="{first}">')
            parts += [f"<li>{escape(citation(c, lang, a.bands))}</li>" for c in a.runners_up[level]]
            parts.append("</ol>")
        if a.near_misses[level]:
            parts.append(f"<h3>{escape(gettext(lang, 'near_misses'))}</h3><ul>")
            parts += [
                f"<li>{escape(_cname(c, lang))}: {escape(_reasons(c, a, lang))}</li>"
                for c in a.near_misses[level]
            ]
            parts.append("</ul>")
        body.append("<section>" + "".join(parts) + "</section>")
    header = f"<p>{escape(gettext(lang, 'window'))}: {escape(_window_text(a, lang))}</p>"
    return page(_title(a, lang), lang, header, "".join(body))


def awards_json_text(a: Awards) -> str:
    """The awards as a JSON document."""
    return json.dumps(awards_json(a), ensure_ascii=False, indent=2) + "\n"


#: The formats the awards render to.
AWARD_FORMATS = ("html", "md", "json", "csv")


def render_awards(awards: Awards, fmt: str = "html", lang: str = "en") -> str:
    """The awards as text in one format (``html``, ``md``, ``json`` or ``csv``).

    Raises:
        InputError: an unknown format.
    """
    renderers = {
        "html": lambda: awards_html(awards, lang),
        "md": lambda: awards_markdown(awards, lang),
        "json": lambda: awards_json_text(awards),
        "csv": lambda: awards_csv(awards),
    }
    if fmt not in renderers:
        raise InputError(f"awards format must be one of {list(AWARD_FORMATS)!r}; got {fmt!r}")
    return renderers[fmt]()
