"""The e-governance awards as text: citations, Markdown, HTML, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from html import escape
from typing import Any

import attrs

from egov_score.exceptions import InputError
from egov_score.render.card import page
from egov_score.render.labels import label, month_name
from egov_score.review.awards import OCCASIONS, Awards, Candidate

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


def citation(c: Candidate, lang: str = "en") -> str:
    """One line on what the candidate achieved, in numbers."""
    if lang == "hi":
        name = c.name_hi or c.name
        parent = c.parent_name_hi or c.parent_name
        where = f" ({parent})" if parent else ""
        return (
            f"{name}{where}: औसत स्कोर {c.mean_score:.1f} ({c.months} माह), "
            f"{month_name(c.first_period, lang)} से {month_name(c.last_period, lang)} तक "
            f"{c.improvement:+.1f} अंक; न्यूनतम श्रेणी {label(c.lowest_band, lang)}"
        )
    where = f" ({c.parent_name})" if c.parent_name else ""
    return (
        f"{c.name}{where}: mean score {c.mean_score:.1f} over {c.months} months, "
        f"{c.improvement:+.1f} points from {month_name(c.first_period)} to "
        f"{month_name(c.last_period)}; never below {c.lowest_band}"
    )


def _title(a: Awards, lang: str) -> str:
    occ = OCCASIONS[a.occasion][3 if lang == "hi" else 2]
    word = "ई-गवर्नेंस पुरस्कार" if lang == "hi" else "e-Governance awards"
    return f"{word} {a.year}: {occ}"


_WORDS = {
    "winners": ("Winners", "विजेता"),
    "runners_up": ("Runners-up", "उपविजेता"),
    "near_misses": ("Not eligible", "अपात्र"),
    "window": ("Window", "अवधि"),
    "criterion": ("Criterion", "मानदंड"),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][1 if lang == "hi" else 0]


def awards_headline(a: Awards, lang: str = "en") -> str:
    """One line naming the first winner of every level."""
    firsts = [
        f"{_cname(a.winners[level][0], lang)} ({label(level, lang)})"
        for level in a.rules.levels
        if a.winners[level]
    ]
    return f"{_title(a, lang)} — " + ", ".join(firsts)


def awards_markdown(a: Awards, lang: str = "en") -> str:
    """The awards as Markdown."""
    out = [
        f"# {_title(a, lang)}",
        "",
        f"**{_w('window', lang)}:** {_window_text(a, lang)} · **{_w('criterion', lang)}:** "
        f"{a.rules.criterion}",
        "",
    ]
    for level in a.rules.levels:
        out += [f"## {label(level, lang)}", "", f"### {_w('winners', lang)}", ""]
        out += [f"{c.place}. {citation(c, lang)}" for c in a.winners[level]] or ["–"]
        if a.runners_up[level]:
            out += ["", f"### {_w('runners_up', lang)}", ""]
            out += [f"{c.place}. {citation(c, lang)}" for c in a.runners_up[level]]
        if a.near_misses[level]:
            out += ["", f"### {_w('near_misses', lang)}", ""]
            out += [
                f"- {_cname(c, lang)}: {'; '.join(c.reasons_hi if lang == 'hi' else c.reasons)}"
                for c in a.near_misses[level]
            ]
        out.append("")
    return "\n".join(out)


def _cand_json(c: Candidate) -> dict[str, Any]:
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
        "reasons": list(c.reasons),
        "reasons_hi": list(c.reasons_hi),
        "months": c.months,
        "mean_score": num(c.mean_score),
        "improvement": num(c.improvement),
        "first_period": c.first_period,
        "last_period": c.last_period,
        "lowest_band": c.lowest_band or None,
        "mean_coverage": num(c.mean_coverage),
        "criterion_value": num(c.criterion_value),
        "citation": citation(c) if c.months else "",
        "citation_hi": citation(c, "hi") if c.months else "",
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
                "winners": [_cand_json(c) for c in a.winners[level]],
                "runners_up": [_cand_json(c) for c in a.runners_up[level]],
                "near_misses": [_cand_json(c) for c in a.near_misses[level]],
            }
            for level in a.rules.levels
        },
    }


def awards_csv(a: Awards) -> str:
    """Every candidate of every level, one row each."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
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
    )
    for level in a.rules.levels:
        won = {c.code for c in a.winners[level]}
        ran = {c.code for c in a.runners_up[level]}
        for c in a.candidates[level]:
            outcome = (
                "winner"
                if c.code in won
                else "runner_up"
                if c.code in ran
                else ("eligible" if c.eligible else "not_eligible")
            )
            w.writerow(
                [
                    level,
                    outcome,
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
                    "; ".join(c.reasons),
                ]
            )
    return buf.getvalue()


def awards_html(a: Awards, lang: str = "en") -> str:
    """The awards as a self-contained HTML page."""
    body = []
    for level in a.rules.levels:
        parts = [f"<h2>{escape(label(level, lang))}</h2><h3>{escape(_w('winners', lang))}</h3><ol>"]
        parts += [f"<li>{escape(citation(c, lang))}</li>" for c in a.winners[level]]
        parts.append("</ol>")
        if a.runners_up[level]:
            first = a.runners_up[level][0].place
            parts.append(f'<h3>{escape(_w("runners_up", lang))}</h3><ol start="{first}">')
            parts += [f"<li>{escape(citation(c, lang))}</li>" for c in a.runners_up[level]]
            parts.append("</ol>")
        if a.near_misses[level]:
            parts.append(f"<h3>{escape(_w('near_misses', lang))}</h3><ul>")
            parts += [
                f"<li>{escape(_cname(c, lang))}: "
                f"{escape('; '.join(c.reasons_hi if lang == 'hi' else c.reasons))}</li>"
                for c in a.near_misses[level]
            ]
            parts.append("</ul>")
        body.append("<section>" + "".join(parts) + "</section>")
    header = f"<p>{escape(_w('window', lang))}: {escape(_window_text(a, lang))}</p>"
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
