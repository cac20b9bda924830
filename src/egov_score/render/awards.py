"""The e-governance awards as text: citations, Markdown, HTML, JSON and CSV."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from html import escape
from typing import Any

import attrs
import numpy as np

from egov_score.exceptions import InputError
from egov_score.io.table import csv_text
from egov_score.model.framework import DEFAULT_BANDS, Bands
from egov_score.render.card import md_text, page, reason_text
from egov_score.render.intervals import win_text
from egov_score.render.messages import band_label, gettext, month_name, ngettext
from egov_score.render.numbers import Localised, format_plain
from egov_score.review.awards import REASONS, Awards, Candidate, CandidateColumns, Reason
from egov_score.review.robustness import AwardRobustness

#: Per level, how often each candidate wins across a sensitivity analysis' runs (none: the
#: awards are written as without an analysis).
Robustness = Mapping[str, AwardRobustness]

__all__ = [
    "AWARD_FORMATS",
    "awards_csv",
    "awards_headline",
    "awards_html",
    "awards_json",
    "awards_json_text",
    "awards_markdown",
    "citation",
    "criterion_text",
    "render_awards",
    "winner_note",
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
        mean=Localised(c.mean_score, lang),
        improvement=Localised(c.improvement, lang),
        first=month_name(c.first_period, lang),
        last=month_name(c.last_period, lang),
        band=band_label(bands, c.lowest_band, lang),
    )


def criterion_text(a: Awards, lang: str = "en") -> str:
    """The award criterion in words (message ``criterion.<criterion>``)."""
    return gettext(lang, f"criterion.{a.rules.criterion}")


def _title(a: Awards, lang: str) -> str:
    occasion = gettext(lang, f"occasion.{a.occasion}")
    return gettext(lang, "awards_title", year=format_plain(a.year, lang), occasion=occasion)


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


def winner_note(c: Candidate, robustness: Robustness | None, lang: str) -> str:
    """`` — wins in 72 % of runs`` after a winner's citation (``; not robust`` below the
    analysis' ``robust_share``); ``""`` without an analysis of the winner's level."""
    rob = None if robustness is None else robustness.get(c.level)
    if rob is None:
        return ""
    share = rob.share(c.code)
    return f" — {win_text(share, share >= rob.robust_share, lang)}"


def awards_markdown(a: Awards, lang: str = "en", robustness: Robustness | None = None) -> str:
    """The awards as Markdown (names and reasons escaped: :func:`~egov_score.render.card.
    md_text`); with ``robustness``, how often each winner wins across the runs."""
    md = md_text
    out = [
        f"# {md(_title(a, lang))}",
        "",
        f"**{md(gettext(lang, 'window'))}:** {md(_window_text(a, lang))} · "
        f"**{md(gettext(lang, 'criterion'))}:** {md(criterion_text(a, lang))}",
        "",
    ]
    for level in a.rules.levels:
        out += [f"## {md(gettext(lang, level))}", "", f"### {md(gettext(lang, 'winners'))}", ""]
        out += [
            f"{c.place}. {md(citation(c, lang, a.bands) + winner_note(c, robustness, lang))}"
            for c in a.winners[level]
        ] or ["–"]
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


def _win_json(c: Candidate, robustness: Robustness | None) -> dict[str, Any]:
    rob = None if robustness is None else robustness.get(c.level)
    if rob is None:
        return {}
    share = rob.share(c.code)
    return {"win_share": round(share, 6), "robust": share >= rob.robust_share}


def awards_json(a: Awards, robustness: Robustness | None = None) -> dict[str, Any]:
    """The awards as JSON-ready data; with ``robustness``, each winner's ``win_share`` (of the
    runs) and ``robust``."""
    return {
        "schema": "egov_score.awards/1",
        "occasion": a.occasion,
        "year": a.year,
        "window": list(a.window),
        "periods": list(a.periods),
        "rules": {**attrs.asdict(a.rules), "window": list(a.window)},
        "levels": {
            level: {
                "winners": [_cand_json(c, a) | _win_json(c, robustness) for c in a.winners[level]],
                "runners_up": [_cand_json(c, a) for c in a.runners_up[level]],
                "near_misses": [_cand_json(c, a) for c in a.near_misses[level]],
            }
            for level in a.rules.levels
        },
    }


#: Stands in for a value in a message so the message is formatted once for every row.
_SLOT = "\x00slot\x00"
#: Format specs of the str.format mini-language that printf-style formatting writes the same.
_PRINTF = re.compile(r"([-+ ]?)(#?)(0?)(\d*)(\.\d+)?([eEfFgG%])")


class _Slot:
    """A placeholder value that records the format specs it is formatted with."""

    def __init__(self) -> None:
        self.specs: list[str] = []

    def __format__(self, spec: str) -> str:
        self.specs.append(spec)
        return _SLOT

    def __str__(self) -> str:  # ``{got!s}`` / ``{got!r}``: not vectorised
        self.specs.append("!")
        return _SLOT

    __repr__ = __str__


def _format_all(values: np.ndarray[Any, Any], spec: str) -> np.ndarray[Any, Any] | None:
    """``format(x, spec)`` for every value, vectorised, or None for a spec not handled."""
    if values.dtype.kind in "iu" and spec in ("", "d"):
        return values.astype(np.int64).astype(np.str_)
    m = _PRINTF.fullmatch(spec)
    if values.dtype.kind != "f" or m is None:
        return None
    sign, alt, zero, width, precision, kind = m.groups()
    precision = precision or ".6"
    if kind == "%":  # str.format multiplies by 100 and writes it fixed, then the percent sign
        if width:
            return None
        return np.strings.add(np.char.mod(f"%{sign}{alt}{precision}f", values * 100), "%")
    return np.char.mod(f"%{sign}{alt}{zero}{width}{precision}{kind}", values)


def _reason_column(
    rule: str, cols: CandidateColumns, rows: np.ndarray[Any, Any], a: Awards, lang: str
) -> np.ndarray[Any, Any]:
    """The words of ``rule`` (message ``reason.<rule>``) for candidates ``rows``, as
    :func:`~egov_score.render.card.reason_text` writes them one at a time."""
    if rule not in cols.got:
        one = reason_text(
            Reason(rule=rule, band=cols.band if rule == "min_band" else ""), lang, a.bands
        )
        return np.full(len(rows), one)
    got = cols.got[rule][rows]
    needs: float | int = cols.needs[rule]
    if rule == "min_months":
        got, needs = got.astype(np.int64), int(needs)
    slot = _Slot()
    text = gettext(lang, f"reason.{rule}", got=slot, needs=needs, band="")
    parts = text.split(_SLOT)
    maybe = [_format_all(got, spec) for spec in slot.specs]
    formatted = [f for f in maybe if f is not None]
    if len(parts) != len(maybe) + 1 or len(formatted) != len(maybe):
        # A catalogue's own spec: one message per distinct value, not per row.
        distinct, back = np.unique(got, return_inverse=True)
        words = [
            reason_text(Reason(rule=rule, got=float(x), needs=float(needs)), lang, a.bands)
            for x in distinct
        ]
        return np.asarray(words, dtype=np.str_)[back.reshape(-1)]
    out = np.full(len(rows), parts[0])
    for f, part in zip(formatted, parts[1:], strict=True):
        out = np.strings.add(np.strings.add(out, f), part)
    return out


def _reasons_column(cols: CandidateColumns, a: Awards, lang: str) -> np.ndarray[Any, Any]:
    """Every candidate's reasons, ``"; "``-joined: the rows grouped by the rules they fail, so
    the loop is over combinations of rules, not candidates."""
    n = len(cols.codes)
    combo = np.zeros(n, dtype=np.int64)
    for k, rule in enumerate(REASONS):
        combo |= cols.failed[rule].astype(np.int64) << k
    out = np.full(n, "", dtype=object)
    for c in np.unique(combo):
        if not c:
            continue
        rows = np.flatnonzero(combo == c)
        pieces = [
            _reason_column(rule, cols, rows, a, lang)
            for k, rule in enumerate(REASONS)
            if c >> k & 1
        ]
        text = pieces[0]
        for piece in pieces[1:]:
            text = np.strings.add(np.strings.add(text, "; "), piece)
        out[rows] = text
    return out.astype(np.str_)


def _fixed(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.char.mod("%.6f", values)


def _win_columns(
    a: Awards, robustness: Robustness | None
) -> dict[str, np.ndarray[Any, Any]] | None:
    """``win_share`` and ``robust`` of every candidate, the levels in order, blank for a
    level without an analysis; None without robustness (the CSV is then as before)."""
    if robustness is None:
        return None
    shares, robust = [], []
    for level in a.rules.levels:  # a loop over levels
        codes = a.columns[level].codes
        rob = robustness.get(level)
        if rob is None or not len(codes):
            shares.append(np.full(len(codes), ""))
            robust.append(np.full(len(codes), ""))
            continue
        sorter = np.argsort(rob.codes, kind="stable")
        at = sorter[np.minimum(np.searchsorted(rob.codes, codes, sorter=sorter), len(sorter) - 1)]
        share = rob.win_share[at]
        shares.append(_fixed(share))
        robust.append(np.where(share >= rob.robust_share, "yes", "no"))
    return {"win_share": np.concatenate(shares), "robust": np.concatenate(robust)}


def awards_csv(a: Awards, robustness: Robustness | None = None) -> str:
    """Every candidate of every level, one row each, built from the candidates' columns
    (``Awards.columns``) and written through the package's one CSV writer; with
    ``robustness``, two more columns: ``win_share`` (of the runs) and ``robust``."""
    parts: dict[str, list[np.ndarray[Any, Any]]] = {
        h: []
        for h in (
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
        )
    }
    for level in a.rules.levels:
        cols = a.columns[level]
        n = len(cols.codes)
        for h, col in (
            ("level", np.full(n, level)),
            ("outcome", cols.outcome.astype(np.str_)),
            ("place", np.where(cols.place > 0, cols.place.astype(np.str_), "")),
            ("code", cols.codes),
            ("name", cols.names),
            ("parent", cols.parent_names),
            ("months", cols.months.astype(np.int64)),
            ("mean_score", _fixed(cols.mean_score)),
            ("improvement", _fixed(cols.improvement)),
            ("lowest_band", cols.lowest_band),
            ("mean_coverage", _fixed(cols.mean_coverage)),
            ("criterion", _fixed(cols.criterion_value)),
            ("reasons", _reasons_column(cols, a, "en")),
        ):
            parts[h].append(col)
    table = {h: np.concatenate(c) if c else np.zeros(0) for h, c in parts.items()}
    return csv_text(table | (_win_columns(a, robustness) or {}))


def awards_html(a: Awards, lang: str = "en", robustness: Robustness | None = None) -> str:
    """The awards as a self-contained HTML page; with ``robustness``, how often each winner
    wins across the runs."""
    body = []
    for level in a.rules.levels:
        parts = [
            f"<h2>{escape(gettext(lang, level))}</h2>"
            f"<h3>{escape(gettext(lang, 'winners'))}</h3><ol>"
        ]
        parts += [
            f"<li>{escape(citation(c, lang, a.bands) + winner_note(c, robustness, lang))}</li>"
            for c in a.winners[level]
        ]
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


def awards_json_text(a: Awards, robustness: Robustness | None = None) -> str:
    """The awards as a JSON document."""
    return json.dumps(awards_json(a, robustness), ensure_ascii=False, indent=2) + "\n"


#: The formats the awards render to.
AWARD_FORMATS = ("html", "md", "json", "csv")


def render_awards(
    awards: Awards, fmt: str = "html", lang: str = "en", robustness: Robustness | None = None
) -> str:
    """The awards as text in one format (``html``, ``md``, ``json`` or ``csv``); with
    ``robustness`` (:func:`~egov_score.review.robustness.award_robustness`), how often each
    winner wins across a sensitivity analysis' runs, flagged "not robust" below its
    ``robust_share``.

    Raises:
        InputError: an unknown format.
    """
    renderers = {
        "html": lambda: awards_html(awards, lang, robustness),
        "md": lambda: awards_markdown(awards, lang, robustness),
        "json": lambda: awards_json_text(awards, robustness),
        "csv": lambda: awards_csv(awards, robustness),
    }
    if fmt not in renderers:
        raise InputError(f"awards format must be one of {list(AWARD_FORMATS)!r}; got {fmt!r}")
    return renderers[fmt]()
