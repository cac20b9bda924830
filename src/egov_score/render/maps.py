"""Maps as inline SVG: units coloured by band on the division page, machines by status on cards.

Every map is one ``<svg>`` with a ``viewBox`` (it scales to its container), north up
(equirectangular, longitude scaled by the cosine of the middle latitude:
:mod:`~egov_score.kernels.projection`), a north arrow and a scale bar, hover text in
``<title>`` elements, and a legend that names every band or status with its count beside the
same marker shape and colour the map uses, so colour is never the only carrier of meaning. No
tiles, fonts or requests: nothing outside the page is referenced.

What the division page draws (:func:`band_map_svg`), in order of preference:

1. the units' polygons, when boundaries were given for the level (``--boundaries
   district=FILE``), filled by band and labelled at their centroids;
2. else a dot per unit at the median location of its located machines;
3. else (no unit has a location) a tile per unit, in the level's order.

A card (:func:`point_map_svg`) draws the located units under its unit (e-Mitra machines) as
dots by status, and counts those with no usable location in the legend.

The shapes are built column-wise with numpy's string functions (one element per unit, no loop
over units); the same input gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np

from egov_score._arrays import FloatArray, IntArray, StrArray
from egov_score.io.geojson import Boundaries
from egov_score.kernels.projection import View, fit_view, km_per_px, project
from egov_score.model.framework import Bands
from egov_score.render.messages import band_label, gettext
from egov_score.review.division import Review
from egov_score.review.maps import BandMap, PointMap, child_map
from egov_score.review.report import UnitReport

__all__ = [
    "BAND_FILLS",
    "NO_BAND_FILL",
    "STATUS_FILLS",
    "band_map_svg",
    "card_map_sections",
    "division_map_svg",
    "point_map_svg",
    "units_map_svg",
]

#: The band colours of the cards' badges (``.b0`` … ``.b3``), weakest first; more bands share
#: the last.
BAND_FILLS = ("#c0392b", "#e67e22", "#27ae60", "#1e8449")
#: The colour of a unit with no band (``.bx``).
NO_BAND_FILL = "#7f8c8d"
#: The colours of the statuses, in legend order (transacting green, not transacting red, …).
STATUS_FILLS = ("#1e8449", "#c0392b", "#123c69", "#e67e22")
#: Text on the maps: the cards' text colour on a white halo (15:1).
TEXT = "#1d2733"

_WIDTH = 640.0
_MAX_HEIGHT = 440.0
_PAD = 36.0
_ROW = 20.0  # a legend row

#: Marker shapes as SVG path commands relative to the point: weakest band first, then "no
#: band"; distinct shapes so the bands differ without colour.
_TRIANGLE = "m-5.5,-4.5h11l-5.5,9.5z"
_SQUARE = "m-4.5,-4.5h9v9h-9z"
_DIAMOND = "m0,-6l6,6l-6,6l-6,-6z"
_CIRCLE = "m-5,0a5,5 0 1,0 10,0a5,5 0 1,0 -10,0z"
_CROSS = "m-4,-4l8,8m0,-8l-8,8"
_BAND_MARKS = (_TRIANGLE, _SQUARE, _DIAMOND, _CIRCLE, _CROSS)
#: Statuses: a small circle first (the expected state), then a triangle, square, diamond.
_SMALL_CIRCLE = "m-3.5,0a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0z"
_STATUS_MARKS = (
    _SMALL_CIRCLE,
    "m-4.5,-3.5h9l-4.5,8z",
    "m-3.5,-3.5h7v7h-7z",
    "m0,-5l5,5l-5,5l-5,-5z",
)


def _text(values: Any) -> StrArray:
    """Data as SVG text, column-wise: ``&``, ``<``, ``>`` and quotes escaped."""
    out = np.asarray(values, dtype=np.str_)
    joined = "".join(out.tolist())  # one scan finds whether any cell needs escaping
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        if raw in joined:
            # numpy's replace keeps the array's width, cutting a cell that grows: widen first.
            grown = int(np.strings.count(out, raw).max()) * (len(safe) - len(raw))
            out = out.astype(f"<U{out.dtype.itemsize // 4 + grown}")
            out = np.strings.replace(out, raw, safe)
    return out


def _num(values: Any) -> StrArray:
    """Coordinates as whole user units, column-wise (a unit is 1/640 of the map's width:
    finer than a marker, and integers format four times faster than decimals)."""
    out: StrArray = np.rint(np.asarray(values, dtype=np.float64)).astype(np.int64).astype(np.str_)
    return out


def _cat(*parts: Any) -> StrArray:
    """Strings and string columns joined element-wise."""
    out = np.asarray(parts[0], dtype=np.str_)
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part, dtype=np.str_))
    return out


def _svg(label: str, width: float, height: float, body: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="map" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-label="{escape(label)}" font-size="12" style="max-width:100%;height:auto">'
        f"<title>{escape(label)}</title>"
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fff"/>{body}</svg>'
    )


def _nice_km(target: float) -> float:
    """The largest 1, 2 or 5 × 10^k km not above ``target``."""
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target)


def _compass(view: View, lang: str) -> str:
    """A north arrow in the top right corner and a scale bar in the bottom left."""
    x = view.width - 22
    km = _nice_km(km_per_px(view) * view.width / 5)
    length = km / km_per_px(view)
    y = view.height - 14
    shown = f"{km:g}"
    return (
        f'<g class="north"><path d="M{x:.0f},10l7,20l-7,-5l-7,5z" fill="{TEXT}"/>'
        f'<text x="{x:.0f}" y="44" text-anchor="middle" fill="{TEXT}" font-weight="600">'
        f"{escape(gettext(lang, 'map.north'))}</text></g>"
        f'<g class="scale"><path d="M12,{y - 5:.0f}v5h{length:.1f}v-5" fill="none" '
        f'stroke="{TEXT}" stroke-width="1.5"/><text x="{12 + length / 2:.1f}" y="{y - 8:.0f}" '
        f'text-anchor="middle" fill="{TEXT}">'
        f"{escape(gettext(lang, 'map.km', n=shown))}</text></g>"
    )


def _legend(top: float, entries: Sequence[tuple[str, str, str, str]]) -> str:
    """Legend rows from ``top``: each the marker (class, fill, shape) and its words."""
    rows = []
    for k, (css, fill, mark, words) in enumerate(entries):  # a loop over legend rows
        y = top + _ROW * k + _ROW / 2
        if mark == _CROSS:
            paint = f'fill="none" stroke="{fill}" stroke-width="2"'
        else:
            paint = f'fill="{fill}" stroke="{TEXT}" stroke-width="0.6"'
        shape = f'<path class="{css}" d="M20,{y:.0f}{mark}" {paint}/>' if mark else ""
        rows.append(
            f'<g class="legend-row">{shape}<text x="34" y="{y + 4:.0f}" fill="{TEXT}">'
            f"{escape(words)}</text></g>"
        )
    return f'<g class="legend">{"".join(rows)}</g>'


def _labels(x: FloatArray, y: FloatArray, names: StrArray, view: View) -> str:
    """Unit names beside their points, dark on a white halo, away from the nearer edge."""
    if not len(x):
        return ""
    left = x > view.cx
    anchor = np.where(left, "end", "start")
    tx = np.where(left, x - 8, x + 8)
    parts = _cat(
        '<text x="',
        _num(tx),
        '" y="',
        _num(y + 4),
        '" text-anchor="',
        anchor,
        f'" fill="{TEXT}" stroke="#fff" stroke-width="3" paint-order="stroke">',
        _text(names),
        "</text>",
    )
    return f'<g class="labels">{"".join(parts.tolist())}</g>'


def _band_classes(band: IntArray) -> IntArray:
    """Each unit's marker class: its band (capped at the last colour), 4 for no band."""
    out: IntArray = np.where(band < 0, len(BAND_FILLS), np.minimum(band, len(BAND_FILLS) - 1))
    return out


def band_map_svg(
    *,
    codes: StrArray,
    names: StrArray,
    band: IntArray,
    band_labels: Sequence[str],
    score: FloatArray,
    bands: Bands,
    lang: str,
    latitude: FloatArray,
    longitude: FloatArray,
    boundaries: Boundaries | None = None,
) -> str:
    """Units coloured by band: polygons from ``boundaries`` when any polygon names a unit;
    else dots at ``latitude``/``longitude``; else tiles.

    Args:
        codes, names: the units (names as the page shows them: Hindi on a Hindi page).
        band: each unit's band index into ``band_labels`` (-1: none).
        band_labels: the level's band labels.
        score: each unit's composite (for the hover text).
        bands: the framework's bands (their words in ``lang``).
        lang: the page's language.
        latitude, longitude: each unit's location (NaN: none).
        boundaries: the level's polygons, if given.
    """
    cls = _band_classes(np.asarray(band))
    words = [band_label(bands, label, lang) for label in band_labels]  # a loop over bands
    words.append(band_label(bands, "", lang))
    word_of = np.array(words, dtype=np.str_)[np.where(band < 0, len(words) - 1, band)]
    hover = _cat(_text(names), " — ", _text(word_of), ", ", np.char.mod("%.1f", score))
    fills = np.array([*BAND_FILLS, NO_BAND_FILL], dtype=np.str_)
    unit = _cat('class="unit b', np.char.mod("%d", cls), '" data-code="', _text(codes), '"')
    title = gettext(lang, "map.title_units")
    entries = []
    for k, label_words in enumerate(words[:-1]):  # a loop over bands
        c = min(k, len(BAND_FILLS) - 1)
        n = int((band == k).sum())
        entries.append((f"b{c}", BAND_FILLS[c], _BAND_MARKS[c], f"{label_words}: {n}"))
    if (band < 0).any():
        n = int((band < 0).sum())
        entries.append(("b4", NO_BAND_FILL, _CROSS, f"{words[-1]}: {n}"))
    polygons = _polygon_unit(boundaries, codes) if boundaries is not None else None
    compass = ""
    if boundaries is not None and polygons is not None and (polygons >= 0).any():
        body, view, drawn = _polygons(boundaries, polygons, unit, fills[cls], hover, names)
        compass = _compass(view, lang)
    elif np.isfinite(latitude).any():
        body, view, drawn = _dots(latitude, longitude, unit, fills[cls], cls, hover, names)
        compass = _compass(view, lang)
    else:
        body, height = _tiles(unit, fills[cls], cls, hover, names)
        view = View(0.0, 0.0, 1.0, 1.0, _WIDTH / 2, height / 2, _WIDTH, height)
        drawn = np.ones(len(codes), dtype=bool)
    missing = int((~drawn).sum())
    if missing:
        entries.append(("", "", "", gettext(lang, "map.not_on_map", n=missing)))
    legend = _legend(view.height, entries)
    height = view.height + _ROW * len(entries) + 8
    return _svg(title, _WIDTH, height, body + compass + legend)


def _polygon_unit(boundaries: Boundaries, codes: StrArray) -> IntArray:
    """The unit (index into ``codes``) of each polygon; -1 where no unit has its code."""
    codes = np.asarray(codes, dtype=np.str_)
    if not len(codes):
        return np.full(len(boundaries.polygon_code), -1, dtype=np.intp)
    order = np.argsort(codes, kind="stable")
    at = np.minimum(np.searchsorted(codes[order], boundaries.polygon_code), len(codes) - 1)
    found = codes[order][at] == boundaries.polygon_code
    out: IntArray = np.where(found, order[at], -1).astype(np.intp)
    return out


def _polygons(
    b: Boundaries,
    polygon_unit: IntArray,
    unit: StrArray,
    fill: StrArray,
    hover: StrArray,
    names: StrArray,
) -> tuple[str, View, np.ndarray[Any, np.dtype[np.bool_]]]:
    """One ``<path>`` per unit (all its polygons' rings, even-odd), labels at centroids."""
    owner = polygon_unit[b.edge_polygon]
    keep = np.flatnonzero(owner >= 0)
    keep = keep[np.argsort(owner[keep], kind="stable")]  # a unit's edges together, in order
    owner = owner[keep]
    view = fit_view(
        np.concatenate([b.y0[keep], b.y1[keep]]),
        np.concatenate([b.x0[keep], b.x1[keep]]),
        width=_WIDTH,
        max_height=_MAX_HEIGHT,
        pad=_PAD,
        min_height=160.0,
    )
    px, py = project(view, b.y0[keep], b.x0[keep])
    qx, qy = project(view, b.y1[keep], b.x1[keep])
    n = len(keep)
    first = np.ones(n, dtype=bool)  # the first edge of a unit
    first[1:] = owner[1:] != owner[:-1]
    poly = b.edge_polygon[keep]
    ring_start = first.copy()
    ring_start[1:] |= (
        (poly[1:] != poly[:-1])
        | (b.x0[keep][1:] != b.x1[keep][:-1])
        | (b.y0[keep][1:] != b.y1[keep][:-1])
    )
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    ring_end = np.ones(n, dtype=bool)
    ring_end[:-1] = ring_start[1:]
    token = _cat(
        np.where(ring_start, _cat("M", _num(px), ",", _num(py)), ""),
        "L",
        _num(qx),
        ",",
        _num(qy),
        np.where(ring_end, "Z", ""),
    )
    head = _cat(
        "<path ",
        unit[owner],
        ' fill="',
        fill[owner],
        '" fill-rule="evenodd" stroke="#fff" stroke-width="1.2" d="',
    )
    tail = _cat('"><title>', hover[owner], "</title></path>")
    token = _cat(np.where(first, head, ""), token, np.where(last, tail, ""))
    # The label point: each unit's area-weighted centroid (shoelace over its rings' edges).
    units = len(names)
    cross = px * qy - qx * py
    area = np.bincount(owner, cross, minlength=units) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        cx = np.bincount(owner, (px + qx) * cross, minlength=units) / (6 * area)
        cy = np.bincount(owner, (py + qy) * cross, minlength=units) / (6 * area)
    drawn = np.bincount(owner, minlength=units) > 0
    ok = drawn & np.isfinite(cx) & np.isfinite(cy)
    labels = _labels_centred(cx[ok], cy[ok], names[ok])
    return f'<g class="units">{"".join(token.tolist())}</g>{labels}', view, drawn


def _labels_centred(x: FloatArray, y: FloatArray, names: StrArray) -> str:
    if not len(x):
        return ""
    parts = _cat(
        '<text x="',
        _num(x),
        '" y="',
        _num(y + 4),
        f'" text-anchor="middle" fill="{TEXT}" stroke="#fff" stroke-width="3" '
        'paint-order="stroke">',
        _text(names),
        "</text>",
    )
    return f'<g class="labels">{"".join(parts.tolist())}</g>'


def _dots(
    latitude: FloatArray,
    longitude: FloatArray,
    unit: StrArray,
    fill: StrArray,
    cls: IntArray,
    hover: StrArray,
    names: StrArray,
) -> tuple[str, View, np.ndarray[Any, np.dtype[np.bool_]]]:
    """A marker per located unit (shape and colour by band), labelled with its name."""
    drawn = np.isfinite(latitude) & np.isfinite(longitude)
    at = np.flatnonzero(drawn)
    view = fit_view(
        latitude[at],
        longitude[at],
        width=_WIDTH,
        max_height=_MAX_HEIGHT,
        pad=_PAD * 2,
        min_height=200.0,
    )
    x, y = project(view, latitude[at], longitude[at])
    marks = np.array(_BAND_MARKS, dtype=np.str_)[cls[at]]
    cross = cls[at] == len(BAND_FILLS)
    paint = np.where(
        cross,
        _cat('fill="none" stroke="', fill[at], '" stroke-width="2"'),
        _cat('fill="', fill[at], f'" stroke="{TEXT}" stroke-width="0.8"'),
    )
    shapes = _cat(
        "<path ",
        unit[at],
        " ",
        paint,
        ' d="M',
        _num(x),
        ",",
        _num(y),
        marks,
        '"><title>',
        hover[at],
        "</title></path>",
    )
    body = f'<g class="units">{"".join(shapes.tolist())}</g>' + _labels(x, y, names[at], view)
    return body, view, drawn


def _tiles(
    unit: StrArray, fill: StrArray, cls: IntArray, hover: StrArray, names: StrArray
) -> tuple[str, float]:
    """A tile per unit in the level's order: a white box edged in its band's colour, with
    the band's marker and the name in dark text."""
    n = len(names)
    cols = max(1, min(4, math.ceil(math.sqrt(n))))
    w, h = (_WIDTH - 24) / cols, 40.0
    k = np.arange(n)
    x, y = 12 + (k % cols) * w, 12 + (k // cols) * h
    marks = np.array(_BAND_MARKS, dtype=np.str_)[cls]
    tiles = _cat(
        "<g ",
        unit,
        "><title>",
        hover,
        '</title><rect x="',
        _num(x + 2),
        '" y="',
        _num(y + 2),
        f'" width="{w - 4:.1f}" height="{h - 4:.1f}" rx="6" fill="#fff" stroke="',
        fill,
        '" stroke-width="3"/><path d="M',
        _num(x + 18),
        ",",
        _num(y + h / 2),
        marks,
        '" fill="',
        fill,
        f'" stroke="{TEXT}" stroke-width="0.8"/><text x="',
        _num(x + 32),
        '" y="',
        _num(y + h / 2 + 4),
        f'" fill="{TEXT}">',
        _text(names),
        "</text></g>",
    )
    rows = math.ceil(n / cols) if n else 0
    return f'<g class="units">{"".join(tiles.tolist())}</g>', 24 + rows * h


def point_map_svg(m: PointMap, lang: str) -> str:
    """The units under a card's unit (machines) as dots by status, with the legend counting
    those drawn per status and those with no location; ``""`` when there are none.

    The status words are the plugin's messages (its catalogue must be in force).
    """
    if not len(m.codes):
        return ""
    located = m.located
    drawn, missing = m.counts()
    at = np.flatnonzero(located)
    at = at[np.argsort(m.status[at], kind="stable")]  # the exceptions drawn last, on top
    words = [gettext(lang, label) for label in m.labels]  # a loop over statuses
    marks = [_STATUS_MARKS[k % len(_STATUS_MARKS)] for k in range(len(words))]
    fills = [STATUS_FILLS[k % len(STATUS_FILLS)] for k in range(len(words))]
    entries = [
        (f"s{k}", fills[k], marks[k], f"{words[k]}: {int(drawn[k])}") for k in range(len(words))
    ]
    if missing:
        entries.append(("", "", "", f"{gettext(lang, m.unlocated)}: {missing}"))
    title = gettext(lang, "map.title_points")
    if not len(at):
        return _svg(title, _WIDTH, _ROW * len(entries) + 8, _legend(0.0, entries))
    view = fit_view(
        m.latitude[at],
        m.longitude[at],
        width=_WIDTH,
        max_height=_MAX_HEIGHT,
        pad=_PAD,
        min_height=160.0,
    )
    x, y = project(view, m.latitude[at], m.longitude[at])
    status = m.status[at]
    hover = _cat(
        _text(m.codes[at]),
        " · ",
        _text(m.names[at]),
        " — ",
        _text(np.array(words, dtype=np.str_)[status]),
    )
    shapes = _cat(
        '<path class="point s',
        np.char.mod("%d", status),
        '" data-code="',
        _text(m.codes[at]),
        '" fill="',
        np.array(fills, dtype=np.str_)[status],
        f'" stroke="{TEXT}" stroke-width="0.5" d="M',
        _num(x),
        ",",
        _num(y),
        np.array(marks, dtype=np.str_)[status],
        '"><title>',
        hover,
        "</title></path>",
    )
    body = f'<g class="points">{"".join(shapes.tolist())}</g>' + _compass(view, lang)
    legend = _legend(view.height, entries)
    return _svg(title, _WIDTH, view.height + _ROW * len(entries) + 8, body + legend)


def division_map_svg(rv: Review, lang: str) -> str:
    """The division page's map: its districts by band, named as the page names them (Hindi
    names on a Hindi page), from the district boundaries when given (``--boundaries``);
    ``""`` for a division without districts."""
    m = child_map(rv.maps, rv.result, rv.result.levels[0].level, 0)
    return "" if m is None else units_map_svg(m, rv.result.framework.bands, lang)


def units_map_svg(m: BandMap, bands: Bands, lang: str) -> str:
    """A :class:`~egov_score.review.maps.BandMap` drawn by :func:`band_map_svg`, the units
    named in ``lang`` (``name_hi`` in Hindi where given)."""
    names = np.where(m.names_hi != "", m.names_hi, m.names) if lang == "hi" else m.names
    return band_map_svg(
        codes=m.codes,
        names=names,
        band=m.band,
        band_labels=m.band_labels,
        score=m.score,
        bands=bands,
        lang=lang,
        latitude=m.latitude,
        longitude=m.longitude,
        boundaries=m.boundaries,
    )


def card_map_sections(r: UnitReport, lang: str) -> str:
    """A card's map sections (HTML): the units one level below by band (a district's blocks,
    named as the card names them), then each plugin's located units by status; ``""`` for a
    card without maps. The card's plugin catalogues must be in force."""
    out = []
    for m in r.maps:  # a loop over maps
        if isinstance(m, BandMap):
            svg = units_map_svg(m, r.framework.bands, lang)
            title = gettext(lang, "map.title_units")
        else:
            svg = point_map_svg(m, lang)
            title = gettext(lang, "map.title_points")
        if svg:
            out.append(f'<section class="map"><h2>{escape(title)}</h2>{svg}</section>')
    return "".join(out)
