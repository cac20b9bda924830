"""A minimal web app embedding egov_score: the division's ranking and every unit's report card.

The job is loaded and every month scored once, when the app is created; requests only read the
scored panel (report cards are built on first request and kept). Run it with
``flask --app examples/webapp/app.py run`` (see README.md beside this file).
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, render_template_string, request, url_for
from markupsafe import escape

import egov_score as eg
from egov_score import datasets

#: The languages of the report cards.
LANGS = ("en", "hi")

RANKING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ division }}: e-governance ranking</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; } th, td { padding: .3rem .8rem; border-bottom: 1px solid #ccc; }
td.num { text-align: right; }
</style></head>
<body>
<h1>{{ division }} division: e-governance ranking, {{ period }}</h1>
<p>Division score {{ division_score }} · the districts by rank; each links to its report card
(<a href="{{ url_for('ranking_json') }}">JSON</a>).</p>
<table>
<thead><tr><th>Rank</th><th>District</th><th>ज़िला</th><th>Score</th><th>Band</th>
<th>Coverage</th><th>Card</th></tr></thead>
<tbody>
{% for u in units %}<tr>
<td class="num">{{ u.rank or "–" }}</td>
<td><a href="{{ url_for('unit_page', code=u.code) }}">{{ u.name }}</a></td>
<td>{{ u.name_hi }}</td>
<td class="num">{{ "%.1f"|format(u.score) if u.score is not none else "–" }}</td>
<td>{{ u.band or "–" }}</td>
<td class="num">{{ "%.0f %%"|format(u.coverage * 100) if u.coverage is not none else "–" }}</td>
<td><a href="{{ url_for('unit_page', code=u.code) }}">English</a> ·
<a href="{{ url_for('unit_page', code=u.code, lang='hi') }}">हिन्दी</a></td>
</tr>
{% endfor %}</tbody></table>
</body></html>
"""


def _number(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def create_app(data_dir: str | os.PathLike[str] | None = None, period: str | None = None) -> Flask:
    """The app, with its job loaded and scored.

    Args:
        data_dir: a folder of scheme tables as ``egov-score demo --export`` writes it (read by
            :func:`egov_score.load`); default: the built-in Jaipur division.
        period: the month shown; default: the latest month of the data.
    """
    pipeline = eg.load(Path(data_dir)) if data_dir is not None else datasets.load("jaipur")
    panel = eg.score_panel(pipeline)
    period = period or panel.periods[-1]
    result = panel.result(period)
    top, ranked = pipeline.framework.levels[0], pipeline.framework.levels[1]
    codes = {str(c) for lv in result.levels for c in lv.codes}
    cards: dict[str, eg.UnitReport] = {}
    lock = threading.Lock()

    def ranking() -> dict[str, Any]:
        lv = result.level(ranked)
        order = sorted(range(len(lv)), key=lambda i: (lv.rank[i] == 0, lv.rank[i], lv.codes[i]))
        division = result.level(top)
        return {
            "period": period,
            "level": ranked,
            "division": {
                "code": str(division.codes[0]),
                "name": str(division.names[0]),
                "name_hi": str(division.names_hi[0]),
                "score": _number(division.score[0]),
            },
            "units": [
                {
                    "code": str(lv.codes[i]),
                    "name": str(lv.names[i]),
                    "name_hi": str(lv.names_hi[i]),
                    "score": _number(lv.score[i]),
                    "rank": int(lv.rank[i]) or None,
                    "band": str(lv.band_label[i]) or None,
                    "coverage": _number(lv.coverage[i]),
                    "card": url_for("unit_page", code=str(lv.codes[i])),
                }
                for i in order
            ],
        }

    def card(code: str) -> eg.UnitReport:
        if code not in codes:
            abort(
                404,
                description=f"No unit has the code {code!r} in {period}; "
                f"the ranking at / lists the {ranked}s' codes.",
            )
        with lock:
            if code not in cards:
                cards[code] = eg.build_report(
                    panel, code, period, hierarchy=pipeline.hierarchy, registry=pipeline.registry
                )
            return cards[code]

    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Hindi names as they are
    app.extensions["egov_score"] = {"pipeline": pipeline, "panel": panel, "period": period}

    @app.get("/")
    def ranking_page() -> str:
        data = ranking()
        score = data["division"]["score"]
        return render_template_string(
            RANKING_PAGE,
            division=data["division"]["name"],
            division_score="–" if score is None else f"{score:.1f}",
            period=period,
            units=data["units"],
        )

    @app.get("/api/ranking")
    def ranking_json() -> Response:
        return jsonify(ranking())

    @app.get("/unit/<code>")
    def unit_page(code: str) -> Response:
        lang = request.args.get("lang", "en")
        if lang not in LANGS:
            abort(400, description=f"lang must be one of {list(LANGS)!r}; got {lang!r}")
        html = eg.render_card(card(code), "html", lang)
        return Response(html, mimetype="text/html")

    @app.get("/api/unit/<code>")
    def unit_json(code: str) -> Response:
        return Response(eg.render_card(card(code), "json"), mimetype="application/json")

    @app.errorhandler(404)
    def not_found(error: Any) -> tuple[Response | str, int]:
        message = error.description
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), 404
        return f"<!DOCTYPE html><title>Not found</title><h1>Not found</h1><p>{escape(message)}", 404

    return app


if __name__ == "__main__":  # python examples/webapp/app.py [DATA_DIR]
    import sys

    create_app(sys.argv[1] if len(sys.argv) > 1 else None).run(debug=False)
