"""Map projection for the report cards' maps: degrees in, SVG user units out, north up.

The projection is equirectangular with the longitude scaled by the cosine of the middle
latitude of what is drawn (:func:`fit_view`), so a district's shape is right to within a few
per cent across its extent; a scale bar can then use one length per degree (:func:`km_per_px`).
Pure numpy: arrays in, arrays out.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from egov_score._arrays import FloatArray, IntArray
from egov_score.kernels.geo import EARTH_RADIUS_KM, group_median

__all__ = [
    "MIN_SPAN_DEGREES",
    "View",
    "fit_view",
    "group_location",
    "km_per_px",
    "project",
]

#: The smallest extent (degrees) a view spans, so one point or points on a line still get a
#: finite scale (about 1 km).
MIN_SPAN_DEGREES = 0.01


class View(NamedTuple):
    """Where a map's degrees go: ``x = cx + (lon - lon0) * kx * scale``,
    ``y = cy - (lat - lat0) * scale`` (SVG's y grows downwards, so north is up).

    Attributes:
        lat0, lon0: the middle of the box drawn (degrees).
        kx: ``cos(lat0)``: a degree of longitude's length relative to one of latitude.
        scale: user units per degree of latitude.
        cx, cy: where ``(lat0, lon0)`` lands.
        width, height: the map's extent (user units), padding included.
    """

    lat0: float
    lon0: float
    kx: float
    scale: float
    cx: float
    cy: float
    width: float
    height: float


def fit_view(
    latitude: FloatArray,
    longitude: FloatArray,
    *,
    width: float,
    max_height: float,
    pad: float,
    min_height: float = 0.0,
) -> View:
    """The view that fits every finite point into ``width`` by at most ``max_height``, with
    ``pad`` on every side; the height shrinks to the points' shape (but not below
    ``min_height``), the width is kept. ``2 × pad`` must be less than ``width`` and
    ``max_height``.

    NaN points are ignored; with none finite the view is centred on (0, 0).
    """
    ok = np.isfinite(latitude) & np.isfinite(longitude)
    if ok.any():
        lat, lon = latitude[ok], longitude[ok]
        south, north = float(lat.min()), float(lat.max())
        west, east = float(lon.min()), float(lon.max())
    else:
        south = north = west = east = 0.0
    lat0, lon0 = (south + north) / 2, (west + east) / 2
    kx = math.cos(math.radians(lat0))
    span_x = max((east - west) * kx, MIN_SPAN_DEGREES)
    span_y = max(north - south, MIN_SPAN_DEGREES)
    scale = min((width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
    height = max(min(max_height, span_y * scale + 2 * pad), min_height)
    return View(lat0, lon0, kx, scale, width / 2, height / 2, width, height)


def project(
    view: View, latitude: FloatArray, longitude: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The points' ``(x, y)`` in the view's user units (NaN stays NaN)."""
    x: FloatArray = view.cx + (np.asarray(longitude, dtype=np.float64) - view.lon0) * (
        view.kx * view.scale
    )
    y: FloatArray = view.cy - (np.asarray(latitude, dtype=np.float64) - view.lat0) * view.scale
    return x, y


def km_per_px(view: View) -> float:
    """How many kilometres one user unit covers (a degree of latitude is
    ``π R / 180`` km on the mean Earth sphere)."""
    return math.pi * EARTH_RADIUS_KM / 180 / view.scale


def group_location(
    latitude: FloatArray, longitude: FloatArray, group: IntArray, n_groups: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Each group's location: the median latitude and median longitude of its points with
    both coordinates (NaN for a group with none), and how many points each median counts.

    Rows with a negative group or a NaN coordinate are ignored; one sort, no loop.
    """
    ok = np.isfinite(latitude) & np.isfinite(longitude) & (group >= 0)
    g = np.where(ok, group, -1).astype(np.intp)
    counts: IntArray = np.bincount(g[ok], minlength=n_groups).astype(np.intp)
    return group_median(latitude, g, n_groups), group_median(longitude, g, n_groups), counts
