"""Hypothesis properties of the geo-tag kernels against slow pure-Python references:
point-in-polygon (even-odd), near duplicates (every pair measured), far from the block
(medians one block at a time)."""

from __future__ import annotations

import itertools
import math
import statistics

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.io.geojson import Boundaries
from egov_score.kernels.geo import (
    EARTH_RADIUS_KM,
    GeoSettings,
    geotag_problems,
    inside_polygons,
    near_duplicates,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ref_haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


def ref_inside(x, y, rings):
    """Even-odd rule over every ring of one polygon, one edge at a time."""
    odd = False
    for ring in rings:
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            if (y0 > y) != (y1 > y):
                x_at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                if x < x_at:
                    odd = not odd
    return odd


def ref_near(points, metres):
    out = []
    for i, (a, b) in enumerate(points):
        if a is None:
            out.append(0)
            continue
        out.append(
            sum(
                1
                for j, (c, d) in enumerate(points)
                if j != i and c is not None and ref_haversine_km(a, b, c, d) * 1000 <= metres
            )
        )
    return out


# Rings: star-shaped polygons around a centre (simple), sometimes with a hole inside.
@st.composite
def polygons(draw):
    cx = draw(st.floats(70, 90))
    cy = draw(st.floats(10, 30))
    n = draw(st.integers(3, 12))
    angles = sorted(draw(st.lists(st.floats(0, 2 * math.pi), min_size=n, max_size=n, unique=True)))
    radii = draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n))
    outer = [
        (cx + r * math.cos(a), cy + r * math.sin(a)) for a, r in zip(angles, radii, strict=True)
    ]
    rings = [[*outer, outer[0]]]
    if draw(st.booleans()):
        h = 0.1
        rings.append([(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)])
        rings[-1].append(rings[-1][0])
    return rings


@SETTINGS
@given(
    shapes=st.lists(polygons(), min_size=1, max_size=3),
    points=st.lists(
        st.tuples(st.integers(0, 3), st.floats(-1.2, 1.2), st.floats(-1.2, 1.2)),
        min_size=1,
        max_size=60,
    ),
)
def test_point_in_polygon_matches_reference(shapes, points):
    # Unit "U<i>" has polygon i; unit "U3" has none. Points sit around their unit's centre.
    b = Boundaries.from_polygons([(f"U{i}", rings) for i, rings in enumerate(shapes)])
    centre = [(r[0][0] - 0.0, r[0][1]) for r in (s[0] for s in shapes)]
    codes, xs, ys = [], [], []
    for unit, dx, dy in points:
        cx, cy = centre[unit % len(shapes)]
        codes.append(f"U{unit}")
        xs.append(cx + dx)
        ys.append(cy + dy)
    inside, bounded = inside_polygons(np.array(ys), np.array(xs), np.array(codes, dtype=np.str_), b)
    for k, code in enumerate(codes):
        i = int(code[1:])
        has = i < len(shapes)
        assert bounded[k] == has
        assert inside[k] == (has and ref_inside(xs[k], ys[k], shapes[i]))


coordinate_steps = st.lists(
    st.one_of(
        st.none(),
        st.tuples(st.integers(0, 12), st.integers(0, 12)),
        st.tuples(st.floats(0, 0.0005), st.floats(0, 0.0005)),
    ),
    min_size=0,
    max_size=40,
)


@SETTINGS
@given(steps=coordinate_steps, metres=st.sampled_from([5.0, 10.0, 25.0]))
def test_near_duplicates_match_every_pair(steps, metres):
    points = []
    for s in steps:
        if s is None:
            points.append((None, None))
        elif isinstance(s[0], int):
            points.append((26.9 + s[0] * 0.00003, 75.8 + s[1] * 0.00003))
        else:
            points.append((26.9 + s[0], 75.8 + s[1]))
    lat = np.array([np.nan if a is None else a for a, _ in points], dtype=np.float64)
    lon = np.array([np.nan if b is None else b for _, b in points], dtype=np.float64)
    assert list(near_duplicates(lat, lon, metres)) == ref_near(points, metres)


def ref_far(blocks, lats, lons, s):
    far = [False] * len(blocks)
    distance = [math.nan] * len(blocks)
    for blk in set(blocks):
        rows = [i for i, b in enumerate(blocks) if b == blk and lats[i] is not None]
        if len(rows) < s.min_machines:
            continue
        mid_lat = statistics.median(lats[i] for i in rows)
        mid_lon = statistics.median(lons[i] for i in rows)
        d = {i: ref_haversine_km(lats[i], lons[i], mid_lat, mid_lon) for i in rows}
        limit = max(s.min_km, s.k * statistics.median(d.values()))
        for i in rows:
            distance[i] = d[i]
            far[i] = d[i] > limit
    return far, distance


@SETTINGS
@given(
    machines=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.one_of(st.none(), st.floats(26.0, 27.5)),
            st.floats(75.0, 76.5),
        ),
        min_size=0,
        max_size=40,
    ),
    k=st.floats(0.5, 5.0),
    min_km=st.floats(0.0, 30.0),
)
def test_far_from_block_matches_reference(machines, k, min_km):
    s = GeoSettings(k=k, min_km=min_km)
    blocks = [b for b, _, _ in machines]
    # Written with 6 decimals; the reference reads the same text.
    lat_text = ["" if a is None else f"{a:.6f}" for _, a, _ in machines]
    lon_text = [f"{c:.6f}" for _, _, c in machines]
    lats = [None if t == "" else float(t) for t in lat_text]
    lons = [float(t) for t in lon_text]
    report = geotag_problems(
        np.array(lat_text, dtype=np.str_),
        np.array(lon_text, dtype=np.str_),
        np.array(blocks, dtype=np.intp),
        settings=s,
    )
    far, distance = ref_far(blocks, lats, lons, s)
    assert list(report.checks["geotag_far_from_block"]) == far
    np.testing.assert_allclose(report.distance_km, distance, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(
    machines=st.lists(
        st.tuples(st.integers(0, 2), st.floats(26.0, 27.0), st.floats(75.0, 76.0)),
        min_size=1,
        max_size=30,
    ),
    data=st.data(),
)
def test_checks_do_not_depend_on_machine_order(machines, data):
    order = data.draw(st.permutations(range(len(machines))))
    lat = np.array([f"{a:.5f}" for _, a, _ in machines])
    lon = np.array([f"{c:.5f}" for _, _, c in machines])
    block = np.array([b for b, _, _ in machines], dtype=np.intp)
    one = geotag_problems(lat, lon, block)
    two = geotag_problems(lat[order], lon[order], block[order])
    assert list(one.reason[order]) == list(two.reason)
    assert list(one.duplicates[order]) == list(two.duplicates)
