"""The maps of issue 12 (render/maps.py, review/maps.py, the egov_score_locations hook): the
division page's districts by band (polygons from boundaries, dots from the machines' geo-tags,
tiles), a card's machines by status; well-formed SVG, one shape per unit, legend counts equal
the data's, deterministic bytes, nothing fetched."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import attrs
import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.exceptions import PluginError
from egov_score.io.geojson import read_boundaries
from egov_score.model.framework import DEFAULT_BANDS
from egov_score.plugins.locations import Locations
from egov_score.render import card as render
from egov_score.render.maps import band_map_svg, division_map_svg, point_map_svg
from egov_score.render.messages import catalogues
from egov_score.render.review import review_html
from egov_score.render.review_run import run_review
from egov_score.review.maps import BandMap, PointMap
from egov_score.review.report import build_report
from tests.demo import jaipur_review
from tests.test_geotag_reasons import BROKEN, CLEAN, UNTAGGED, box, write_data, write_geojson

SVG = "{http://www.w3.org/2000/svg}"
BANDS = DEFAULT_BANDS


def parse(svg: str) -> ET.Element:
    """The map as XML (raises when it is not well-formed)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    assert root.get("width") is None  # scales to its container
    return root


def shapes(root: ET.Element, kind: str) -> list[ET.Element]:
    """The elements whose class starts with ``kind`` (``unit`` or ``point``)."""
    return [e for e in root.iter() if (e.get("class") or "").split(" ")[0] == kind]


def legend(root: ET.Element) -> list[str]:
    group = next(e for e in root.iter() if e.get("class") == "legend")
    return ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]


def no_request(svg: str) -> None:
    """Nothing a browser would fetch: the one URL is the SVG namespace's name."""
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"]
    for external in ("href", "url(", "<image", "<script", "@import"):
        assert external not in svg


def units(**changes):
    base = {
        "codes": np.array(["D-1", "D-2", "D-3"]),
        "names": np.array(["North", "South <&>", "East"]),
        "band": np.array([0, 2, -1]),
        "band_labels": BANDS.labels,
        "score": np.array([40.0, 70.0, np.nan]),
        "bands": BANDS,
        "lang": "en",
        "latitude": np.array([27.5, 26.9, np.nan]),
        "longitude": np.array([76.5, 76.3, np.nan]),
    }
    return band_map_svg(**(base | changes))


def test_a_dot_map_draws_each_located_unit_once_with_its_band():
    svg = units()
    root = parse(svg)
    drawn = shapes(root, "unit")
    assert [(e.get("data-code"), e.get("class")) for e in drawn] == [
        ("D-1", "unit b0"),
        ("D-2", "unit b2"),
    ]
    assert drawn[1].find(f"{SVG}title").text == "South <&> — Front Runner, 70.0"
    assert "South &lt;&amp;&gt;" in svg  # names are escaped text, never markup
    assert legend(root) == [
        "Aspirant: 1",
        "Performer: 0",
        "Front Runner: 1",
        "Achiever: 0",
        "insufficient data: 1",
        "Not on the map (no location): 1",
    ]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    # Labels, the north arrow and a scale bar: 0.6° of latitude over 440 - 2 × 72 units is
    # 493.3 units a degree, 0.2254 km a unit; a fifth of 640 units is 28.9 km, shown as 20.
    assert {"North", "South <&>", "N", "20 km"} <= set(texts)
    no_request(svg)


def test_north_is_up_on_a_dot_map():
    root = parse(units())
    north, south = (
        float(re.match(r"M([\d.]+),([\d.]+)", e.get("d")).group(2)) for e in shapes(root, "unit")
    )
    assert north < south  # D-1 (27.5 °N) above D-2 (26.9 °N)


def test_no_location_at_all_gives_tiles_for_every_unit():
    nan = np.full(3, np.nan)
    root = parse(units(latitude=nan, longitude=nan))
    assert [e.get("class") for e in shapes(root, "unit")] == ["unit b0", "unit b2", "unit b4"]
    assert "Not on the map" not in " ".join(legend(root))
    assert not [e for e in root.iter() if e.get("class") == "north"]  # tiles are not geography


def test_boundaries_give_one_polygon_path_per_unit(tmp_path):
    path = write_geojson(
        tmp_path / "d.geojson",
        box("D-1", (27.3, 27.9), (76.3, 76.9)),
        box("D-2", (26.5, 27.3), (76.0, 76.9)),
        box("D-9", (20.0, 21.0), (70.0, 71.0)),  # no such unit: not drawn, not in the view
    )
    b = read_boundaries(path)
    svg = units(boundaries=b)
    root = parse(svg)
    drawn = shapes(root, "unit")
    assert [(e.tag, e.get("data-code"), e.get("class")) for e in drawn] == [
        (f"{SVG}path", "D-1", "unit b0"),
        (f"{SVG}path", "D-2", "unit b2"),
    ]
    # The box's four corners: a closed ring of four edges.
    assert re.fullmatch(r"M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){4}Z", drawn[0].get("d"))
    assert legend(root)[-1] == "Not on the map (no location): 1"  # D-3 has no polygon
    xs = [float(v) for e in drawn for v in re.findall(r"([\d.]+),", e.get("d"))]
    assert max(xs) <= float(root.get("viewBox").split()[2])
    no_request(svg)


def test_a_polygon_with_a_hole_is_one_path_of_two_rings(tmp_path):
    from egov_score.io.geojson import Boundaries

    outer = [(76.0, 27.0), (77.0, 27.0), (77.0, 28.0), (76.0, 28.0), (76.0, 27.0)]
    hole = [(76.4, 27.4), (76.6, 27.4), (76.6, 27.6), (76.4, 27.4)]
    b = Boundaries.from_polygons([("D-1", [outer, hole])])
    root = parse(units(boundaries=b))
    (path,) = shapes(root, "unit")
    assert path.get("d").count("M") == 2
    assert path.get("d").count("Z") == 2
    assert path.get("fill-rule") == "evenodd"


def test_maps_are_deterministic_bytes():
    assert units() == units()
    m = point_map()
    with catalogues(eg.Registry().catalogues()):
        assert point_map_svg(m, "en") == point_map_svg(m, "en")


def point_map() -> PointMap:
    return PointMap(
        key="emitra.machines",
        level="machine",
        codes=np.array(["M-1", "M-2", "M-3", "M-4"]),
        names=np.array(["GP A", "GP B", "GP C", "GP D"]),
        latitude=np.array([27.1, 27.2, np.nan, 27.15]),
        longitude=np.array([76.1, 76.2, np.nan, 76.3]),
        status=np.array([0, 1, 1, 0]),
        labels=("emitra.status.transacting", "emitra.status.not_transacting"),
        unlocated="emitra.map.unlocated",
    )


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_card_map_has_one_dot_per_located_machine_by_status(lang):
    m = point_map()
    with catalogues(eg.Registry().catalogues()):
        svg = point_map_svg(m, lang)
    root = parse(svg)
    dots = shapes(root, "point")
    # Transacting first, the exceptions drawn on top.
    assert [(e.get("data-code"), e.get("class")) for e in dots] == [
        ("M-1", "point s0"),
        ("M-4", "point s0"),
        ("M-2", "point s1"),
    ]
    rows = legend(root)
    assert [r.rsplit(": ", 1)[1] for r in rows] == ["2", "1", "1"]
    if lang == "en":
        assert rows == [
            "Transacting: 2",
            "Not transacting: 1",
            "Installed but not on the map (not geo-tagged, or failing a geo-tag check): 1",
        ]
        assert dots[2].find(f"{SVG}title").text == "M-2 · GP B — Not transacting"
    else:
        assert rows[0].startswith("ट्रांजक्शन करने वाली")
    # Shapes differ by status, not colour alone: a circle and a triangle.
    assert "a3.5" in dots[0].get("d")
    assert "a" not in dots[2].get("d").split("M")[1][:2]
    no_request(svg)


def test_a_card_map_with_no_location_is_only_the_legend():
    m = point_map()
    nan = np.full(4, np.nan)
    blank = attrs.evolve(m, latitude=nan, longitude=nan)
    with catalogues(eg.Registry().catalogues()):
        root = parse(point_map_svg(blank, "en"))
        assert point_map_svg(attrs.evolve(m, codes=m.codes[:0]), "en") == ""
    assert not shapes(root, "point")
    assert legend(root)[-1].endswith(": 4")


# -- the Locations record and the hook ------------------------------------------------------


def locations(**changes):
    base = {
        "key": "kiosk.machines",
        "level": "machine",
        "latitude": np.array([27.0, np.nan]),
        "longitude": np.array([76.0, np.nan]),
        "status": np.array([0, 1]),
        "labels": ("kiosk.open", "kiosk.shut"),
        "unlocated": "kiosk.nowhere",
    }
    return Locations(**(base | changes))


def test_a_valid_locations_record_is_read_only():
    loc = locations()
    assert loc.n_units == 2
    assert loc.located.tolist() == [True, False]
    with pytest.raises(ValueError, match="read-only"):
        loc.latitude[0] = 1.0


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"key": "machines"}, "key must be '<plugin>.<name>'"),
        ({"labels": ()}, "labels must be a non-empty tuple"),
        ({"unlocated": ""}, "unlocated must be a message id"),
        ({"status": np.array([0, 2])}, "status must be -1 or an index into labels (0 to 1); got 2"),
        ({"status": np.array([0.0, 1.0])}, "status must be an integer array"),
        ({"latitude": np.array([95.0, 1.0])}, "latitude must lie in [-90, 90] or be NaN; got 95.0"),
        ({"longitude": np.array([1.0])}, "one value per unit; got lengths [1, 2]"),
    ],
)
def test_a_bad_locations_record_is_refused_with_words(changes, fragment):
    with pytest.raises(PluginError) as info:
        locations(**changes)
    assert fragment in str(info.value)


@pytest.fixture(scope="module")
def jaipur():
    job = datasets.load("jaipur")
    return job, job.score("2021-01")


def registry_with(answer):
    class Kiosk:
        @eg.hookimpl
        def egov_score_locations(self, result, hierarchy, tables):
            return answer(hierarchy)

    return eg.Registry(eg.make_plugin_manager([Kiosk()], autoload=False))


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda h: [locations(level="kiosk")], ["level must be one of", "got 'kiosk'"]),
        (lambda h: [locations()], ["one value per 'machine' unit (2995)", "got 2"]),
        (lambda h: "nope", ["must return a list of Locations records"]),
    ],
)
def test_the_registry_checks_every_plugins_locations(jaipur, answer, fragments):
    job, result = jaipur
    with pytest.raises(PluginError) as info:
        registry_with(answer).locations(result, job.hierarchy, job.tables)
    for fragment in ["hook 'egov_score_locations'", *fragments]:
        assert fragment in str(info.value)


def test_two_plugins_may_not_share_a_locations_key(jaipur):
    job, result = jaipur
    n = len(job.hierarchy.level("machine"))
    nan = np.full(n, np.nan)

    def same_key(h):
        return [
            locations(
                key="emitra.machines", latitude=nan, longitude=nan, status=np.zeros(n, dtype=int)
            )
        ]

    with pytest.raises(PluginError, match=r"locations keys must be unique; got 'emitra\.machines'"):
        registry_with(same_key).locations(result, job.hierarchy, job.tables)


def test_emitra_locates_installed_machines_that_pass_the_geo_checks(tmp_path):
    run = run_review(write_data(tmp_path / "data"), formats=("json",), out=tmp_path / "out")
    rv = run.review
    (loc,) = rv.registry.locations(rv.result, rv.hierarchy, rv.tables)
    codes = np.asarray(rv.hierarchy.level("machine").codes)
    located = set(codes[loc.located].tolist())
    assert located == set(CLEAN)  # every broken geo-tag is left off the map, as is the untagged
    assert set(codes[loc.status == 0].tolist()) == {*CLEAN, *BROKEN, UNTAGGED}  # 20 transactions
    card = rv.report("B-1")
    (m,) = card.maps
    drawn, missing = m.counts()
    assert drawn.tolist() == [len(CLEAN), 0]
    assert missing == len(BROKEN) + 1
    # The south has a block but no machine: its card's machine map is empty, and its block
    # (no location, no boundaries) gets no map by band either.
    (south,) = rv.report("D-2").maps
    assert isinstance(south, PointMap)
    assert south.codes.size == 0
    assert 'class="map"' not in render.render_card(rv.report("D-2"), "html", "en")


def test_the_division_page_uses_the_district_boundaries_when_given(tmp_path):
    data = write_data(tmp_path / "data")
    districts = write_geojson(
        tmp_path / "d.geojson",
        box("D-1", (27.30, 27.90), (76.30, 76.90)),
        box("D-2", (26.50, 27.30), (76.30, 76.90)),
    )
    with_b = run_review(
        data, formats=("html",), out=tmp_path / "a", boundaries={"district": districts}
    )
    without = run_review(data, formats=("html",), out=tmp_path / "b")
    a = parse(division_map_svg(with_b.review, "en"))
    b = parse(division_map_svg(without.review, "en"))
    assert [(e.tag, e.get("data-code")) for e in shapes(a, "unit")] == [
        (f"{SVG}path", "D-1"),
        (f"{SVG}path", "D-2"),
    ]
    assert all(e.get("d").endswith("Z") for e in shapes(a, "unit"))  # polygons
    # Without boundaries: D-1 a dot at its machines' median, D-2 (no machines) not on the map.
    assert [e.get("data-code") for e in shapes(b, "unit")] == ["D-1"]
    assert legend(b)[-1] == "Not on the map (no location): 1"
    page = (tmp_path / "a" / "division.html").read_text("utf-8")
    assert division_map_svg(with_b.review, "en") in page


# -- the Jaipur demo ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def review():
    return jaipur_review()


def test_the_demo_division_map_places_every_district_with_its_band(review):
    lv = review.result.levels[1]
    root = parse(division_map_svg(review, "en"))
    drawn = shapes(root, "unit")
    assert sorted(e.get("data-code") for e in drawn) == sorted(lv.codes.tolist())
    for e in drawn:
        i = int(np.flatnonzero(lv.codes == e.get("data-code"))[0])
        assert e.get("class") == f"unit b{min(int(lv.band[i]), 3)}"
    counts = {r.rsplit(": ", 1)[0]: int(r.rsplit(": ", 1)[1]) for r in legend(root)}
    for k, label in enumerate(lv.band_labels):
        assert counts[label] == int((lv.band == k).sum())


def test_the_hindi_division_map_names_districts_as_the_page_does(review):
    svg = division_map_svg(review, "hi")
    assert "अलवर" in svg
    assert ">Alwar<" not in svg
    assert "उ" in svg  # the north arrow's letter
    assert svg in review_html(review, "hi")


@pytest.mark.parametrize("code", ["D-87", "D-102"])
def test_a_district_card_draws_every_located_machine_once(review, code):
    card = review.report(code)
    html = render.render_card(card, "html", "en")
    blocks, m = card.maps
    assert isinstance(blocks, BandMap)
    assert isinstance(m, PointMap)
    svgs = re.findall(r'<svg xmlns="[^"]+" class="map".*?</svg>', html)
    assert len(svgs) == 2  # the blocks by band, then the machines by status
    svg = svgs[1]
    root = parse(svg)
    dots = shapes(root, "point")
    machines = np.asarray(review.hierarchy.level("machine").codes)[card.descendants("machine")]
    assert {e.get("data-code") for e in dots} <= set(machines.tolist())
    assert len(dots) == len({e.get("data-code") for e in dots}) == int(m.located.sum())
    drawn, missing = m.counts()
    rows = legend(root)
    assert [int(r.rsplit(": ", 1)[1]) for r in rows] == [*drawn.tolist(), missing]
    # The legend's counts are the data's: installed machines, transacting or not.
    fields = review.result.level("district").fields
    i = int(np.flatnonzero(review.result.level("district").codes == code)[0])
    assert sum(drawn) + missing == fields["installed"][i]
    assert drawn[0] + (m.status[~m.located] == 0).sum() == fields["transacting"][i]
    no_request(svg)


def test_maps_are_built_once_per_review(review):
    assert review.maps is review.maps
    i = int(np.flatnonzero(review.result.level("district").codes == "D-87")[0])
    a, b = review.report("D-87").maps[1], review.maps.card_maps("district", i)[0]
    assert a == b  # the card's map is the slice prepared once


def test_a_district_card_maps_its_blocks_by_band(review):
    card = review.report("D-87")
    html = render.render_card(card, "html", "hi")
    root = parse(re.findall(r'<svg xmlns="[^"]+" class="map".*?</svg>', html)[0])
    blocks = review.result.level("block")
    i = int(np.flatnonzero(review.result.level("district").codes == "D-87")[0])
    mine = np.flatnonzero(blocks.parent == i)
    drawn = shapes(root, "unit")
    assert sorted(e.get("data-code") for e in drawn) == sorted(blocks.codes[mine].tolist())
    for e in drawn:
        k = int(np.flatnonzero(blocks.codes == e.get("data-code"))[0])
        assert e.get("class") == f"unit b{min(int(blocks.band[k]), 3)}"
    named = {t.text for t in root.iter(f"{SVG}text")}
    shown = np.where(blocks.names_hi[mine] != "", blocks.names_hi[mine], blocks.names[mine])
    assert set(shown.tolist()) <= named  # as the Hindi card names them


def test_a_block_card_has_only_its_machines(review):
    blocks = review.result.level("block")
    (m,) = review.report(str(blocks.codes[0])).maps
    assert isinstance(m, PointMap)


def test_a_card_built_alone_has_no_map(review):
    card = build_report(review.panel, "D-87", "2021-01", hierarchy=review.hierarchy)
    assert card.maps == ()
    assert 'class="map"' not in render.render_card(card, "html", "en")


def test_check_plugin_calls_the_locations_hook():
    from egov_score.plugins.builtin import emitra
    from egov_score.plugins.testing import check_plugin
    from tests.test_check_plugin import PensionPlus

    class Misplaced(PensionPlus):
        @eg.hookimpl
        def egov_score_locations(self, result, hierarchy, tables):
            return [locations()]  # two values, whatever the units

    assert check_plugin(emitra) == ["emitra"]  # its own locations keep the contract
    with pytest.raises(PluginError, match=r"hook 'egov_score_locations': every column must"):
        check_plugin(Misplaced())
