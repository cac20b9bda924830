"""Known answers of the geo-tag checks: a machine built to fail exactly each check, and a
clean control set that fails none."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score.exceptions import InputError
from egov_score.io.geojson import Boundaries
from egov_score.kernels.geo import (
    GEO_CHECKS,
    INDIA_LATITUDE,
    INDIA_LONGITUDE,
    GeoSettings,
    geotag_problems,
    group_median,
    haversine_km,
    written_decimals,
)
from egov_score.plugins import scheme

# A clean block around Jaipur: six machines a few km apart, five decimals each.
CLEAN = [
    ("26.91234", "75.78731"),
    ("26.93010", "75.80112"),
    ("26.89876", "75.76543"),
    ("26.94567", "75.82001"),
    ("26.88765", "75.79876"),
    ("26.92222", "75.75555"),
]

# Block B1 is the square 75.7–75.9 °E × 26.85–26.97 °N with a hole 75.85–75.88 × 26.90–26.93;
# district D1 is a larger square around it, with a hole 75.73–75.75 × 26.95–26.97 inside B1 (so
# one machine can be in its block and outside its district, failing only that check).
B1 = [
    [(75.7, 26.85), (75.9, 26.85), (75.9, 26.97), (75.7, 26.97), (75.7, 26.85)],
    [(75.85, 26.90), (75.88, 26.90), (75.88, 26.93), (75.85, 26.93), (75.85, 26.90)],
]
D1 = [
    [(75.0, 26.0), (77.0, 26.0), (77.0, 28.0), (75.0, 28.0), (75.0, 26.0)],
    [(75.73, 26.95), (75.75, 26.95), (75.75, 26.97), (75.73, 26.97), (75.73, 26.95)],
]
BOUNDS = {
    "district": Boundaries.from_polygons([("D1", D1)]),
    "block": Boundaries.from_polygons([("B1", B1)]),
}

# One machine per check, each added to the clean block (so the block has 7 machines).
FAILING = {
    "geotag_missing": ("", "75.78731"),
    "geotag_unreadable": ("26°54'N", "75.78731"),
    "geotag_zero": ("0", "0.0"),
    "geotag_swapped": ("75.80001", "26.91001"),
    "geotag_outside_india": ("51.50700", "-0.12750"),
    "geotag_imprecise": ("26.91", "75.80"),
    "geotag_outside_district": ("26.95500", "75.74000"),  # in the district's hole
    "geotag_outside_block": ("26.91500", "75.86500"),  # in the hole
    "geotag_far_from_block": ("26.96000", "75.89000"),  # in the block, far from the rest
}


def run(pairs, *, bounds=False, settings=None):
    lat = np.array([a for a, _ in pairs], dtype=np.str_)
    lon = np.array([b for _, b in pairs], dtype=np.str_)
    block = np.zeros(len(pairs), dtype=np.intp)
    kwargs = {}
    if bounds:
        kwargs = {
            "boundaries": BOUNDS,
            "unit_codes": {
                "district": np.full(len(pairs), "D1"),
                "block": np.full(len(pairs), "B1"),
            },
        }
    return geotag_problems(lat, lon, block, settings=settings, **kwargs)


@pytest.mark.parametrize("bounds", [False, True])
def test_clean_control_set_fails_nothing(bounds):
    report = run(CLEAN, bounds=bounds)
    assert not report.failing.any()
    assert all(n == 0 for n in report.counts().values())
    assert list(report.sentences()) == [""] * len(CLEAN)
    assert np.isfinite(report.distance_km).all()


@pytest.mark.parametrize("check", list(FAILING))
def test_one_machine_fails_exactly_its_check(check):
    # The block is 20 km × 13 km: "far" inside it needs a tighter threshold than the default.
    far = check == "geotag_far_from_block"
    settings = GeoSettings(min_km=5.0, k=2.0) if far else None
    report = run([*CLEAN, FAILING[check]], bounds=True, settings=settings)
    failing = {name for name, col in report.checks.items() if col[-1]}
    assert failing == {check}
    assert not report.failing[:-1].any()
    assert report.reason[-1] == check


def test_check_columns_in_order_with_outside_levels_after_imprecise():
    report = run(CLEAN, bounds=True)
    assert list(report.checks) == [
        "geotag_missing",
        "geotag_unreadable",
        "geotag_zero",
        "geotag_swapped",
        "geotag_outside_india",
        "geotag_imprecise",
        "geotag_outside_district",
        "geotag_outside_block",
        "geotag_far_from_block",
        "geotag_duplicate",
    ]
    assert list(run(CLEAN).checks) == list(GEO_CHECKS)


def test_duplicates_flag_both_machines_and_count_the_others():
    near = ("26.91238", "75.78735")  # about 6 m from the first clean machine
    report = run([*CLEAN, near, CLEAN[0]])
    assert list(np.flatnonzero(report.checks["geotag_duplicate"])) == [0, 6, 7]
    assert list(report.duplicates[[0, 6, 7]]) == [2, 2, 2]
    assert set(report.reason[[0, 6, 7]]) == {"geotag_duplicate"}
    assert report.sentences()[6] == "2 other machine(s) share this location (within 10 m)"


def test_duplicates_across_a_cell_edge_eight_metres_apart():
    # 0.000072° of latitude is 8.0 m; place the pair on either side of many cell edges.
    base = 26.9 + np.arange(200) * 0.0000137
    lat = np.concatenate([base, base + 0.000072]).astype(str)
    lon = np.full(400, "75.800000")
    report = geotag_problems(
        np.char.mod("%.7f", lat.astype(float)), lon, np.full(400, -1, dtype=np.intp)
    )
    assert report.checks["geotag_duplicate"].all()


def test_eleven_metres_apart_is_not_a_duplicate():
    report = run([*CLEAN[1:], ("26.91234", "75.78731"), ("26.91244", "75.78731")])
    assert not report.checks["geotag_duplicate"].any()  # 0.0001° of latitude = 11.1 m


def test_early_checks_stop_distance_checks():
    report = run([*CLEAN, ("0", "0"), ("0", "0"), ("", "")])
    assert not report.checks["geotag_duplicate"].any()
    assert not report.checks["geotag_far_from_block"].any()
    assert np.isnan(report.distance_km[-3:]).all()
    assert list(report.reason[-3:]) == ["geotag_zero", "geotag_zero", "geotag_missing"]


def test_imprecise_machines_are_not_duplicates_of_each_other():
    report = run([*CLEAN, ("26.91", "75.79"), ("26.91", "75.79")])
    assert list(report.reason[-2:]) == ["geotag_imprecise"] * 2
    assert not report.checks["geotag_duplicate"].any()


def test_far_from_block_threshold_and_small_blocks_skipped():
    far = ("27.30000", "75.78731")  # about 43 km north
    report = run([*CLEAN, far])
    assert report.reason[-1] == "geotag_far_from_block"
    assert report.distance_km[-1] == pytest.approx(42.5, abs=1.0)
    spread = np.median(report.distance_km)
    assert report.threshold_km[-1] == pytest.approx(4 * spread)  # k × the median distance
    tight = run([*CLEAN, far], settings=GeoSettings(k=1.0))
    assert tight.threshold_km[-1] == 10.0  # min_km wins over k × a small spread
    assert report.sentences()[-1].startswith("the location is 42.")
    two = run([CLEAN[0], far])  # fewer than min_machines located machines
    assert not two.checks["geotag_far_from_block"].any()
    assert np.isnan(two.distance_km).all()


def test_far_from_block_uses_k_times_the_median_distance():
    lat = np.array(["26.00000", "26.10000", "26.20000", "26.30000", "26.40000"])
    lon = np.full(5, "75.00000")
    report = geotag_problems(lat, lon, np.zeros(5, dtype=np.intp), settings=GeoSettings(k=1.0))
    # median 26.2; distances 22.2, 11.1, 0, 11.1, 22.2 km; their median 11.1 km
    assert report.threshold_km[0] == pytest.approx(11.12, abs=0.01)
    assert list(report.checks["geotag_far_from_block"]) == [True, False, False, False, True]


def test_swapped_with_boundaries_needs_the_own_area():
    swapped_here = ("75.80001", "26.91001")  # swapped, inside B1
    swapped_elsewhere = ("80.00001", "22.00001")  # swapped, in India but not in B1
    report = run([*CLEAN, swapped_here, swapped_elsewhere], bounds=True)
    assert list(report.reason[-2:]) == ["geotag_swapped", "geotag_outside_india"]
    plain = run([*CLEAN, swapped_here, swapped_elsewhere])
    assert list(plain.reason[-2:]) == ["geotag_swapped", "geotag_swapped"]


def test_units_without_a_polygon_are_not_checked_and_listed():
    pairs = [*CLEAN, ("28.50000", "75.79000")]
    lat = np.array([a for a, _ in pairs])
    lon = np.array([b for _, b in pairs])
    codes = np.array(["B1"] * 6 + ["B9"])
    report = geotag_problems(
        lat,
        lon,
        np.zeros(7, dtype=np.intp),
        boundaries={"block": BOUNDS["block"]},
        unit_codes={"block": codes},
    )
    assert not report.checks["geotag_outside_block"].any()
    assert report.unbounded == {"block": ("B9",)}


def test_decimals_are_counted_as_written():
    values, decimals, missing, bad = written_decimals(
        np.array(["27.35", "27.3500", " 27 ", "2.735e1", "-0.5", "", "x", "1e400", "27.3.5", "+.5"])
    )
    assert list(decimals) == [2, 4, 0, 2, 1, -1, -1, -1, -1, 1]
    assert list(missing) == [False] * 5 + [True] + [False] * 4
    assert list(bad) == [False] * 6 + [True, True, True, False]
    assert values[0] == values[1] == values[3] == 27.35
    assert np.isnan(values[5:9]).all()


def test_trailing_zeros_make_a_location_precise():
    report = run([*CLEAN[1:], ("26.9100", "75.8000")])
    assert not report.checks["geotag_imprecise"].any()
    assert run([*CLEAN[1:], ("26.91", "75.80")]).reason[-1] == "geotag_imprecise"


def test_sentences_name_the_numbers():
    report = run([*CLEAN, ("26.91", "75.80"), ("", "1"), ("26.91500", "75.86500")], bounds=True)
    assert list(report.sentences()[-3:]) == [
        "the location has only 2 decimal(s) (about 1112 m): too coarse to find a kiosk",
        "the latitude or longitude is blank",
        "the location lies outside its block's boundary",
    ]


def test_india_box_moved_to_kernels_and_reused_by_plugins():
    assert scheme.INDIA_LATITUDE is INDIA_LATITUDE
    assert scheme.INDIA_LONGITUDE is INDIA_LONGITUDE
    assert INDIA_LATITUDE == (6.5, 37.5)
    assert INDIA_LONGITUDE == (68.0, 97.5)


def test_haversine_and_group_median():
    assert haversine_km(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.array([0.0]))[
        0
    ] == pytest.approx(111.195, abs=0.001)
    med = group_median(np.array([3.0, 1.0, 2.0, 10.0, 20.0, 5.0]), np.array([0, 0, 0, 2, 2, -1]), 3)
    assert med[0] == 2.0
    assert np.isnan(med[1])
    assert med[2] == 15.0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"min_decimals": -1}, "GeoSettings.min_decimals must be >= 0; got -1"),
        ({"min_km": float("nan")}, "GeoSettings.min_km must be >= 0; got nan"),
        ({"k": 0}, "GeoSettings.k must be > 0; got 0"),
        ({"min_machines": 1}, "GeoSettings.min_machines must be >= 2; got 1"),
        ({"duplicate_m": 0}, "GeoSettings.duplicate_m must be in (0, 10000]; got 0"),
    ],
)
def test_settings_are_checked(kwargs, fragment):
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        GeoSettings(**kwargs)


def test_mismatched_columns_are_refused():
    with pytest.raises(InputError, match="one entry per machine; got 2, 1 and 2"):
        geotag_problems(np.array(["1", "2"]), np.array(["1"]), np.zeros(2, dtype=np.intp))
    with pytest.raises(InputError, match=r"unit_codes\['block'\] must give each machine"):
        geotag_problems(
            np.array(["1"]),
            np.array(["1"]),
            np.zeros(1, dtype=np.intp),
            boundaries=BOUNDS,
            unit_codes={"district": np.array(["D1"])},
        )


def test_no_machines():
    report = geotag_problems(
        np.array([], dtype=np.str_), np.array([], dtype=np.str_), np.array([], dtype=np.intp)
    )
    assert len(report.reason) == 0
    assert report.counts() == dict.fromkeys(GEO_CHECKS, 0)
    assert len(report.sentences()) == 0


def test_docs_name_every_check_and_the_defaults():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "geotags.md").read_text("utf-8")
    for name in GEO_CHECKS:
        assert f"`{name}`" in text
    s = GeoSettings()
    assert (
        f"GeoSettings(min_decimals={s.min_decimals}, min_km={s.min_km}, k={s.k}, "
        f"min_machines={s.min_machines}, duplicate_m={s.duplicate_m})" in text
    )
    assert "box 6.5–37.5 °N, 68–97.5 °E" in text


@pytest.mark.parametrize("pairs", [7, 1000, 4_000_000])
def test_dense_cluster_counted_in_batches(monkeypatch, pairs):
    from egov_score.kernels import geo

    monkeypatch.setattr(geo, "_PAIRS", pairs)
    rng = np.random.default_rng(1)
    n = 400  # distinct points within about 3 m of each other
    lat = 26.9 + rng.uniform(0, 0.00002, n)
    lon = 75.8 + rng.uniform(0, 0.00002, n)
    far_lat, far_lon = np.append(lat, 27.0), np.append(lon, 75.9)
    counts = geo.near_duplicates(far_lat, far_lon, 10.0)
    assert list(counts) == [n - 1] * n + [0]
