"""An uncertainty and sensitivity analysis as files: CSV, JSON and an HTML page with inline SVG.

:func:`write_sensitivity` writes what ``egov-score sensitivity`` writes:

- ``ranks.csv``: every unit's rank statistics per period, level and scope (``level``: among
  all the level's units; ``parent``: among the parent's children);
- ``sobol.csv`` and ``removal.csv``, when the analysis holds Sobol' indices or removal
  importance;
- ``sensitivity.json``: all of it in one document (schema ``egov_score.sensitivity/1``);
- ``sensitivity.html``: a rank-interval chart per level (units sorted by median rank, a bar
  from the interval's low to its high end, a dot at the nominal rank; for a level of more than
  :data:`SHOWN` units the best and worst :data:`SHOWN` / 2, saying how many are left out),
  the Sobol' indices as bars (first and total order) and the removal importance as bars.

Every file is a function of the analysis alone, so the same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from egov_score.io.table import csv_text, path_inside, with_bom
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.sensitivity import RankStatistics, Sensitivity
from egov_score.render.card import html_table, page
from egov_score.render.intervals import percent_text
from egov_score.render.messages import gettext, messages, month_name
from egov_score.render.numbers import format_count, format_number

__all__ = [
    "SCHEMA_ID",
    "SHOWN",
    "interval_svg",
    "ranks_csv",
    "removal_csv",
    "sensitivity_html",
    "sensitivity_json",
    "sobol_csv",
    "write_sensitivity",
]

#: The identifier of the JSON document's schema.
SCHEMA_ID = "egov_score.sensitivity/1"
#: How many units a level's rank-interval chart shows at most: the best and the worst half.
SHOWN = 100
#: Units per SVG of a rank-interval chart: a chart of many units is cut into pieces that each
#: fit a printed page.
_PER_SVG = 25

_RANK_COLUMNS = (
    "nominal",
    "median",
    "low",
    "high",
    "top_share",
    "bottom_share",
    "ranked_share",
)


def _statistics(s: Sensitivity) -> list[tuple[str, RankStatistics]]:
    """Every (period, statistics) of the analysis, by period, level order as analysed, then
    scope."""
    out = []
    for (period, _), lv in sorted(s.levels.items(), key=lambda kv: kv[0][0]):
        out.append((period, lv.ranks))
        if lv.parent_ranks is not None:
            out.append((period, lv.parent_ranks))
    return out


def ranks_csv(s: Sensitivity) -> str:
    """Every unit's rank statistics: ``period,level,scope,code,nominal,median,low,high,
    top_share,bottom_share,ranked_share`` (an unranked nominal rank and a never-ranked
    interval are empty cells)."""
    parts: dict[str, list[np.ndarray[Any, Any]]] = {
        h: [] for h in ("period", "level", "scope", "code", *_RANK_COLUMNS)
    }
    for period, st in _statistics(s):  # a loop over periods, levels and scopes
        n = len(st.codes)
        parts["period"].append(np.full(n, period))
        parts["level"].append(np.full(n, st.level))
        parts["scope"].append(np.full(n, st.scope))
        parts["code"].append(np.asarray(st.codes, dtype=np.str_))
        for name in ("nominal", "low", "high"):
            column = getattr(st, name)
            parts[name].append(np.where(column > 0, column.astype(np.str_), ""))
        for name in ("median", "top_share", "bottom_share", "ranked_share"):
            parts[name].append(np.asarray(getattr(st, name), dtype=np.float64))
    return csv_text({h: np.concatenate(c) if c else np.zeros(0) for h, c in parts.items()})


def sobol_csv(s: Sensitivity) -> str:
    """The Sobol' indices: ``level,output,choice,first,first_low,first_high,total,total_low,
    total_high,confidence,samples``."""
    names = ("first", "first_low", "first_high", "total", "total_low", "total_high")
    parts: dict[str, list[Any]] = {
        h: [] for h in ("level", "output", "choice", *names, "confidence", "samples")
    }
    for level, ix in s.sobol.items():  # a loop over levels
        n = len(ix.choices)
        parts["level"] += [level] * n
        parts["output"] += [ix.output] * n
        parts["choice"] += list(ix.choices)
        for name in names:
            parts[name] += [float(x) for x in getattr(ix, name)]
        parts["confidence"] += [ix.confidence] * n
        parts["samples"] += [ix.samples] * n
    return csv_text(parts)


def removal_csv(s: Sensitivity) -> str:
    """The removal importance: ``level,kind,element,mean_abs_rank_change,
    max_abs_rank_change``."""
    parts: dict[str, list[Any]] = {
        h: [] for h in ("level", "kind", "element", "mean_abs_rank_change", "max_abs_rank_change")
    }
    for (level, kind), r in s.removal.items():  # a loop over levels and kinds
        n = len(r.elements)
        parts["level"] += [level] * n
        parts["kind"] += [kind] * n
        parts["element"] += list(r.elements)
        parts["mean_abs_rank_change"] += [float(x) for x in r.mean_abs_rank_change]
        parts["max_abs_rank_change"] += [float(x) for x in r.max_abs_rank_change]
    return csv_text(parts)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


def _nums(values: np.ndarray[Any, Any]) -> list[float | None]:
    return [_num(x) for x in np.asarray(values, dtype=np.float64).tolist()]


def _ranks(values: np.ndarray[Any, Any]) -> list[int | None]:
    return [int(x) or None for x in values.tolist()]


def _rank_json(st: RankStatistics) -> dict[str, Any]:
    return {
        "codes": st.codes.tolist(),
        "nominal": _ranks(st.nominal),
        "median": _nums(st.median),
        "low": _ranks(st.low),
        "high": _ranks(st.high),
        "top_share": _nums(st.top_share),
        "bottom_share": _nums(st.bottom_share),
        "ranked_share": _nums(st.ranked_share),
    }


def sensitivity_json(s: Sensitivity) -> dict[str, Any]:
    """The analysis as JSON-ready data: its settings, each period's levels (rank statistics
    column by column, both scopes), the Sobol' indices and the removal importance."""
    levels: list[dict[str, Any]] = []
    for (period, level), lv in sorted(s.levels.items(), key=lambda kv: kv[0][0]):
        levels.append(
            {
                "period": period,
                "level": level,
                "ranks": _rank_json(lv.ranks),
                "parent_ranks": None if lv.parent_ranks is None else _rank_json(lv.parent_ranks),
            }
        )
    return {
        "schema": SCHEMA_ID,
        "runs": s.runs,
        "seed": s.seed,
        "choices": list(s.choices),
        "interval": list(s.interval),
        "top_k": s.top_k,
        "bottom_k": s.bottom_k,
        "robust_share": s.robust_share,
        "levels": levels,
        "sobol": [
            {
                "level": level,
                "output": ix.output,
                "choices": list(ix.choices),
                "first": _nums(ix.first),
                "first_low": _nums(ix.first_low),
                "first_high": _nums(ix.first_high),
                "total": _nums(ix.total),
                "total_low": _nums(ix.total_low),
                "total_high": _nums(ix.total_high),
                "confidence": ix.confidence,
                "samples": ix.samples,
            }
            for level, ix in s.sobol.items()
        ],
        "removal": [
            {
                "level": level,
                "kind": kind,
                "elements": list(r.elements),
                "mean_abs_rank_change": _nums(r.mean_abs_rank_change),
                "max_abs_rank_change": _nums(r.max_abs_rank_change),
            }
            for (level, kind), r in s.removal.items()
        ],
    }


# -- HTML ---------------------------------------------------------------------------------------


def _shown(st: RankStatistics) -> tuple[np.ndarray[Any, Any], int]:
    """The units the chart shows, by median rank (never ranked last, then code), and how
    many in the middle are left out."""
    median = np.where(np.isnan(st.median), np.inf, st.median)
    nominal = np.where(st.nominal > 0, st.nominal, np.iinfo(np.int64).max)
    order = np.lexsort((st.codes, nominal, median))
    if len(order) <= SHOWN:
        return order, 0
    half = SHOWN // 2
    return np.concatenate([order[:half], order[-half:]]), len(order) - SHOWN


def _name_of(names: Mapping[str, str], code: str) -> str:
    name = names.get(code, "")
    return f"{name} ({code})" if name and name != code else code


def interval_svg(
    st: RankStatistics, rows: np.ndarray[Any, Any], names: Mapping[str, str], lang: str
) -> str:
    """One rank-interval chart of the units ``rows`` (positions in ``st``), in that order: a
    bar from each unit's low to its high rank, a dot at its nominal rank, a ``<title>`` with
    its numbers."""
    ranked = st.high[st.high > 0]
    worst = max(int(ranked.max()) if ranked.size else 1, int(st.nominal.max(initial=1)), 2)
    row_h, label_w, width, pad = 26, 200, 640, 16
    height = row_h * len(rows) + 30
    span = width - label_w - 2 * pad

    def x(rank: float) -> float:
        return label_w + pad + span * (rank - 1) / (worst - 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart bars intervals" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(gettext(lang, "robust.intervals"))}">'
    ]
    for tick in sorted({1, max(1, worst // 2), worst}):
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="4" y2="{height - 22}" stroke="#e4e8ec"/>'
            f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle" font-size="11" '
            f'fill="#5b6b7c">{escape(format_count(tick, lang))}</text>'
        )
    for k, i in enumerate(rows.tolist()):
        y = 4 + k * row_h
        code = str(st.codes[i])
        low, high, nominal = int(st.low[i]), int(st.high[i]), int(st.nominal[i])
        interval = f"{format_count(low, lang)}–{format_count(high, lang)}" if low else "–"
        rank = format_count(nominal, lang) if nominal else "–"
        title = (
            f"{_name_of(names, code)}: {gettext(lang, 'rank')} {rank}; "
            f"{gettext(lang, 'robust.interval')} {interval}; "
            f"{gettext(lang, 'robust.median')} {format_number(float(st.median[i]), lang, 1)}"
        )
        parts.append(f"<g><title>{escape(title)}</title>")
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="12">'
            f"{escape(names.get(code) or code)}</text>"
        )
        if low:
            parts.append(
                f'<rect x="{x(low) - 3:.1f}" y="{y + 6}" width="{x(high) - x(low) + 6:.1f}" '
                f'height="{row_h - 12}" rx="4" fill="#9fb3c8"/>'
            )
        if nominal:
            parts.append(
                f'<circle cx="{x(nominal):.1f}" cy="{y + row_h / 2:.1f}" r="4.5" fill="#123c69"/>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _level_section(period: str, st: RankStatistics, names: Mapping[str, str], lang: str) -> str:
    rows, left_out = _shown(st)
    level_name = messages(lang).lookup(st.level) or st.level
    scope = gettext(lang, f"sensitivity.scope.{st.scope}")
    title = f"{level_name} · {scope} · {month_name(period, lang)}"
    charts = "".join(
        interval_svg(st, rows[k : k + _PER_SVG], names, lang)
        for k in range(0, len(rows), _PER_SVG)  # pieces of 25 units, each fits a page
    )
    note = ""
    if left_out:
        words = gettext(lang, "sensitivity.left_out", n=format_count(left_out, lang))
        note = f"<p>{escape(words)}</p>"
    return f'<section class="figure"><h2>{escape(title)}</h2>{charts}{note}</section>'


def _bars_svg(labels: list[str], series: list[tuple[str, list[float], str]], lang: str) -> str:
    """Horizontal bars, one group per label, one bar per series (name, values, colour)."""
    finite = [v for _, values, _ in series for v in values if math.isfinite(v)]
    top = max([*finite, 1e-9])
    bar_h, gap, label_w, width = 14, 10, 200, 640
    group_h = bar_h * len(series) + gap
    height = group_h * len(labels) + 30
    span = width - label_w - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for k, (name, _, colour) in enumerate(series):  # the legend
        lx = label_w + 160 * k
        parts.append(
            f'<rect x="{lx}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18}" y="15" font-size="12">{escape(name)}</text>'
        )
    for g, label in enumerate(labels):
        y0 = 26 + g * group_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end" font-size="12">{escape(label)}</text>'
        )
        for k, (name, values, colour) in enumerate(series):
            v = values[g]
            w = 0.0 if not math.isfinite(v) else span * max(v, 0.0) / top
            y = y0 + k * bar_h
            shown = format_number(v, lang, 2) if math.isfinite(v) else "–"
            parts.append(
                f"<g><title>{escape(f'{label} · {name}: {shown}')}</title>"
                f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colour}"/>'
                f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h - 3}" font-size="11">'
                f"{escape(shown)}</text></g>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _choice(name: str, lang: str) -> str:
    return messages(lang).lookup(f"choice.{name}") or name


def sensitivity_html(
    s: Sensitivity, lang: str = "en", *, hierarchy: Hierarchy | None = None, title: str = ""
) -> str:
    """The analysis as one self-contained, printable HTML page (the cards' stylesheet): a
    rank-interval chart per period, level and scope, the Sobol' indices and the removal
    importance as bars. ``hierarchy`` names the units (else their codes)."""
    names: dict[str, str] = {}
    if hierarchy is not None:
        for level in hierarchy.level_names:  # a loop over levels
            lv = hierarchy.level(level)
            shown = lv.names_hi if lang == "hi" else lv.names
            chosen = np.where(shown != "", shown, lv.names)
            names |= dict(zip(lv.codes.tolist(), chosen.tolist(), strict=True))
    low, high = s.interval
    about = gettext(
        lang,
        "sensitivity.about",
        runs=format_count(s.runs, lang),
        seed=str(s.seed),
    )
    quantiles = f"{percent_text(low, lang)}–{percent_text(high, lang)}"
    body = [f"<section><p>{escape(about)} ({escape(quantiles)})</p></section>"]
    body += [_level_section(period, st, names, lang) for period, st in _statistics(s)]
    for level, ix in s.sobol.items():  # a loop over levels
        labels = [_choice(c, lang) for c in ix.choices]
        chart = _bars_svg(
            labels,
            [
                (gettext(lang, "sensitivity.first"), ix.first.tolist(), "#9fb3c8"),
                (gettext(lang, "sensitivity.total"), ix.total.tolist(), "#123c69"),
            ],
            lang,
        )
        rows = [
            [label, format_number(f, lang, 3), format_number(t, lang, 3)]
            for label, f, t in zip(labels, ix.first.tolist(), ix.total.tolist(), strict=True)
        ]
        table = html_table(
            ["", gettext(lang, "sensitivity.first"), gettext(lang, "sensitivity.total")],
            rows,
            {1, 2},
        )
        level_name = messages(lang).lookup(level) or level
        heading = f"{gettext(lang, 'sensitivity.sobol')} · {level_name}"
        body.append(f'<section class="figure"><h2>{escape(heading)}</h2>{chart}{table}</section>')
    for (level, kind), r in s.removal.items():  # a loop over levels and kinds
        chart = _bars_svg(
            list(r.elements),
            [(gettext(lang, "sensitivity.removal"), r.mean_abs_rank_change.tolist(), "#123c69")],
            lang,
        )
        level_name = messages(lang).lookup(level) or level
        heading = f"{gettext(lang, 'sensitivity.removal')} · {level_name} · {kind}"
        body.append(f'<section class="figure"><h2>{escape(heading)}</h2>{chart}</section>')
    page_title = title or gettext(lang, "sensitivity.title")
    return page(page_title, lang, "", "".join(body))


def write_sensitivity(
    s: Sensitivity,
    out: str | Path,
    lang: str = "en",
    *,
    hierarchy: Hierarchy | None = None,
    bom: bool = True,
) -> list[Path]:
    """Write the analysis into folder ``out``: ``ranks.csv``, ``sobol.csv`` and
    ``removal.csv`` (when present), ``sensitivity.json`` and ``sensitivity.html``; the CSV
    files start with a UTF-8 byte-order mark for Excel unless ``bom=False``.

    Returns:
        The files written.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, str]] = [("ranks.csv", with_bom(ranks_csv(s), bom))]
    if s.sobol:
        files.append(("sobol.csv", with_bom(sobol_csv(s), bom)))
    if s.removal:
        files.append(("removal.csv", with_bom(removal_csv(s), bom)))
    document = json.dumps(sensitivity_json(s), ensure_ascii=False, indent=2) + "\n"
    files.append(("sensitivity.json", document))
    files.append(("sensitivity.html", sensitivity_html(s, lang, hierarchy=hierarchy)))
    written = []
    for name, text in files:  # a handful of files
        path = path_inside(folder, name)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
