"""The analysis report (:mod:`egov_score.review.analysis`) as JSON and as one HTML page.

The page is self-contained (inline CSS and SVG, no script, no external request) and reads on
a phone: each heatmap is an SVG with a ``viewBox`` that scales to the screen's width.
"""

from __future__ import annotations

import json
import math
from html import escape

from egov_score.review.analysis import Analysis, GroupAnalysis

__all__ = ["analysis_html", "analysis_json", "heatmap_svg"]

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#1c2733}"
    "main{max-width:60rem;margin:auto;padding:1rem}"
    "svg{width:100%;height:auto;max-width:40rem;display:block}"
    "table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .5rem;"
    "border-bottom:1px solid #dde3ea;text-align:left}td.n{text-align:right}"
    ".flag{color:#a3261a}"
)


def analysis_json(analysis: Analysis) -> str:
    """The analysis as a JSON document (NaN as null, UTF-8 text unescaped)."""
    return json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _colour(r: float) -> str:
    """Blue for +1, white for 0, red for -1; grey when undefined."""
    if math.isnan(r):
        return "#c8ced6"
    t = min(abs(r), 1.0)
    other = round(255 * (1 - t))
    return f"rgb({other},{other},255)" if r >= 0 else f"rgb(255,{other},{other})"


def _fmt(x: float, digits: int = 2) -> str:
    return "–" if math.isnan(x) else f"{x:.{digits}f}"


def heatmap_svg(group: GroupAnalysis, *, which: str = "pearson") -> str:
    """The ``which`` (``"pearson"`` or ``"spearman"``) correlation matrix of ``group`` as an
    inline SVG heatmap, each cell coloured by r and labelled with it."""
    matrix = group.pearson if which == "pearson" else group.spearman
    names = group.children
    k = len(names)
    cell, label = 44, 12 + 7 * max((len(n) for n in names), default=1)
    size = label + k * cell
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="{escape(which)} correlations in {escape(group.group)}">'
    ]
    for i, name in enumerate(names):  # a loop over the group's children
        y = label + i * cell + cell / 2 + 4
        parts.append(
            f'<text x="{label - 6}" y="{y:.0f}" font-size="12" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        x = label + i * cell + cell / 2
        parts.append(
            f'<text x="{x:.0f}" y="{label - 6}" font-size="12" text-anchor="start" '
            f'transform="rotate(-60 {x:.0f} {label - 6})">{escape(name)}</text>'
        )
        for j in range(k):
            r = float(matrix[i, j])
            x0, y0 = label + j * cell, label + i * cell
            parts.append(
                f'<rect x="{x0}" y="{y0}" width="{cell}" height="{cell}" '
                f'fill="{_colour(r)}" stroke="#fff"><title>{escape(names[i])} / '
                f"{escape(names[j])}: {_fmt(r, 3)}</title></rect>"
            )
            parts.append(
                f'<text x="{x0 + cell / 2:.0f}" y="{y0 + cell / 2 + 4:.0f}" font-size="11" '
                f'text-anchor="middle">{_fmt(r)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _group_html(group: GroupAnalysis) -> str:
    rows = "".join(
        f"<tr><td>{escape(c)}</td><td class='n'>{_fmt(float(group.parent_pearson[k]))}</td>"
        f"<td class='n'>{_fmt(float(group.parent_spearman[k]))}</td></tr>"
        for k, c in enumerate(group.children)
    )
    flags = "".join(
        f"<li class='flag'>{escape(f.a)} / {escape(f.b)}: r = {_fmt(f.r)} "
        f"({'negative' if f.kind == 'negative' else 'near-collinear'})</li>"
        for f in group.flags
    )
    return (
        f"<section><h2>{escape(group.group)}</h2>"
        f"<p>Cronbach's alpha: {_fmt(group.alpha)} (over {group.alpha_units} units with "
        f"every child present)</p>"
        f"<h3>Pearson</h3>{heatmap_svg(group)}"
        f"<h3>Spearman</h3>{heatmap_svg(group, which='spearman')}"
        f"<h3>Each child with {escape(group.group)}</h3><table><tr><th>child</th>"
        f"<th>Pearson</th><th>Spearman</th></tr>{rows}</table>"
        + (f"<h3>Flags</h3><ul>{flags}</ul>" if flags else "<p>No flagged pairs.</p>")
        + "</section>"
    )


def analysis_html(analysis: Analysis, *, title: str = "Indicator analysis") -> str:
    """The analysis as one self-contained HTML page."""
    head = (
        f"<p>Level {escape(analysis.level)}, period {escape(analysis.period)}, "
        f"{analysis.units} units. Pairs with r &lt; 0 are flagged negative, pairs with "
        f"|r| &gt; {analysis.collinear:g} near-collinear.</p>"
    )
    body = "".join(_group_html(g) for g in analysis.groups)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{escape(title)}</h1>{head}{body}</main></body></html>\n"
    )
