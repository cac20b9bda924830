"""The maps' projection (kernels/projection.py): known answers by hand, every point inside the
view, and group locations against a slow pure-Python median."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from egov_score.kernels.projection import (
    MIN_SPAN_DEGREES,
    fit_view,
    group_location,
    km_per_px,
    project,
)


def test_a_box_by_hand():
    # 26-28 °N, 75-77 °E into 600 wide, at most 400 high, 20 padding.
    # Middle latitude 27°: kx = cos 27° = 0.891007; spans: x 2 × 0.891007 = 1.782013°, y 2°.
    # scale = min(560 / 1.782013, 360 / 2) = min(314.25, 180) = 180 units per degree;
    # height = 2 × 180 + 40 = 400; the middle (27, 76) at (300, 200).
    view = fit_view(
        np.array([26.0, 28.0]), np.array([75.0, 77.0]), width=600, max_height=400, pad=20
    )
    assert view.kx == pytest.approx(0.891007, abs=1e-6)
    assert view.scale == pytest.approx(180.0)
    assert (view.width, view.height, view.cx, view.cy) == pytest.approx((600, 400, 300, 200))
    # (28 °N, 77 °E): x = 300 + 1 × 0.891007 × 180 = 460.381, y = 200 - 1 × 180 = 20 (north up).
    # (26 °N, 75 °E): x = 300 - 160.381 = 139.619, y = 380.
    x, y = project(view, np.array([28.0, 26.0]), np.array([77.0, 75.0]))
    assert x == pytest.approx([460.3813, 139.6187], abs=1e-3)
    assert y == pytest.approx([20.0, 380.0])
    # One unit is 1/180 of a degree of latitude: π × 6371.0088 / 180 / 180 = 0.617750 km.
    assert km_per_px(view) == pytest.approx(0.617750, abs=1e-6)


def test_a_wide_box_keeps_the_width_and_shrinks_the_height():
    # On the equator (kx = 1): 4° wide, 1° high into 440 wide (400 + 2 × 20): scale 100,
    # height 1 × 100 + 40 = 140.
    view = fit_view(
        np.array([-0.5, 0.5]), np.array([10.0, 14.0]), width=440, max_height=400, pad=20
    )
    assert view.scale == pytest.approx(100.0)
    assert view.height == pytest.approx(140.0)
    assert fit_view(
        np.array([-0.5, 0.5]),
        np.array([10.0, 14.0]),
        width=440,
        max_height=400,
        pad=20,
        min_height=200,
    ).height == pytest.approx(200.0)


def test_one_point_lands_in_the_middle_and_nan_is_ignored():
    view = fit_view(
        np.array([27.0, np.nan]), np.array([76.0, 80.0]), width=200, max_height=100, pad=10
    )
    # A single point spans MIN_SPAN_DEGREES: scale = min(180 / (0.01 cos 27°), 80 / 0.01).
    assert view.scale == pytest.approx(
        min(180 / (MIN_SPAN_DEGREES * math.cos(math.radians(27))), 8000)
    )
    x, y = project(view, np.array([27.0, np.nan]), np.array([76.0, np.nan]))
    assert (x[0], y[0]) == pytest.approx((100.0, view.height / 2))
    assert np.isnan(x[1])
    assert np.isnan(y[1])


coordinates = st.lists(
    st.tuples(st.floats(-80, 80, allow_nan=False), st.floats(-179, 179, allow_nan=False)),
    min_size=1,
    max_size=40,
)


@given(
    coordinates,
    st.floats(100, 2000),
    st.floats(50, 2000),
    st.floats(0, 40),
)
def test_every_projected_point_lies_inside_the_view(points, width, max_height, pad):
    assume(2 * pad < min(width, max_height))  # room to draw in
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    view = fit_view(lat, lon, width=width, max_height=max_height, pad=pad)
    x, y = project(view, lat, lon)
    eps = 1e-6 * max(width, max_height)
    assert view.height <= max_height + eps
    assert np.all(x >= pad - eps)
    assert np.all(x <= width - pad + eps)
    assert np.all(y >= pad - eps)
    assert np.all(y <= view.height - pad + eps)
    # North up: a point further north is never lower on the page.
    order = np.argsort(lat)
    assert np.all(np.diff(y[order]) <= eps)


def _slow_location(lat, lon, group, n):
    out_lat, out_lon, counts = [], [], []
    for g in range(n):
        rows = [
            i
            for i in range(len(group))
            if group[i] == g and not math.isnan(lat[i]) and not math.isnan(lon[i])
        ]
        counts.append(len(rows))
        out_lat.append(statistics.median(lat[i] for i in rows) if rows else math.nan)
        out_lon.append(statistics.median(lon[i] for i in rows) if rows else math.nan)
    return out_lat, out_lon, counts


maybe_nan = st.one_of(st.floats(-80, 80, allow_nan=False), st.just(math.nan))


@given(
    st.lists(st.tuples(maybe_nan, maybe_nan, st.integers(-1, 4)), max_size=30),
)
def test_group_location_is_the_median_of_located_points(rows):
    lat = np.array([r[0] for r in rows], dtype=np.float64)
    lon = np.array([r[1] for r in rows], dtype=np.float64)
    group = np.array([r[2] for r in rows], dtype=np.intp)
    got_lat, got_lon, got_n = group_location(lat, lon, group, 5)
    want_lat, want_lon, want_n = _slow_location(lat, lon, group, 5)
    np.testing.assert_allclose(got_lat, want_lat, equal_nan=True)
    np.testing.assert_allclose(got_lon, want_lon, equal_nan=True)
    assert got_n.tolist() == want_n


def test_group_location_by_hand():
    lat = np.array([27.0, 27.2, 27.1, np.nan, 26.0])
    lon = np.array([76.0, 76.4, 76.2, 75.0, 75.0])
    lat_m, lon_m, n = group_location(lat, lon, np.array([0, 0, 0, 0, 2]), 3)
    assert lat_m[0] == pytest.approx(27.1)
    assert lon_m[0] == pytest.approx(76.2)
    assert np.isnan(lat_m[1])
    assert lat_m[2] == 26.0
    assert n.tolist() == [3, 0, 1]
