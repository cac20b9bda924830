"""Reading boundaries from GeoJSON: the format, and a clear error for every way it breaks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from egov_score.exceptions import InputError
from egov_score.io.geojson import Boundaries, read_boundaries
from egov_score.kernels.geo import inside_polygons

SQUARE = [[75, 26], [76, 26], [76, 27], [75, 27], [75, 26]]
HOLE = [[75.4, 26.4], [75.6, 26.4], [75.6, 26.6], [75.4, 26.6], [75.4, 26.4]]
FAR = [[80, 20], [81, 20], [81, 21], [80, 21], [80, 20]]


def feature(code, geometry, key="code"):
    return {"type": "Feature", "properties": {key: code}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def geo(tmp_path):
    def _write(data, name="b.geojson"):
        path = tmp_path / name
        text = data if isinstance(data, str) else json.dumps(data)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def test_polygon_with_hole_and_multipolygon(geo):
    path = geo(
        collection(
            feature("B1", {"type": "Polygon", "coordinates": [SQUARE, HOLE]}),
            feature(812, {"type": "MultiPolygon", "coordinates": [[SQUARE], [FAR]]}),
        )
    )
    b = read_boundaries(path)
    assert b.codes == ("812", "B1")
    assert list(b.polygon_code) == ["B1", "812", "812"]
    assert list(b.polygon_feature) == [1, 2, 2]
    assert len(b.edge_polygon) == 4 + 4 + 4 + 4
    lat = np.array([26.5, 26.2, 26.5, 20.5, 20.5])
    lon = np.array([75.5, 75.2, 75.5, 80.5, 80.5])
    codes = np.array(["B1", "B1", "812", "812", "B1"])
    inside, bounded = inside_polygons(lat, lon, codes, b)
    assert list(inside) == [False, True, True, True, False]  # the hole is outside
    assert bounded.all()


def test_other_code_property_and_extra_position_numbers(geo):
    ring = [[*p, 350.0] for p in SQUARE]  # an altitude is ignored
    path = geo(collection(feature("0812", {"type": "Polygon", "coordinates": [ring]}, "lgd")))
    b = read_boundaries(path, code_property="lgd")
    assert b.codes == ("0812",)
    assert b == Boundaries.from_polygons([("0812", [SQUARE])], source=str(path))


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.geojson"
    text = json.dumps(collection(feature("B1", {"type": "Polygon", "coordinates": [SQUARE]})))
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_boundaries(path).codes == ("B1",)


def poly(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ("{", ["must be GeoJSON (JSON text); got a JSON syntax error at line 1, column 2"]),
        ("", ["JSON syntax error at line 1, column 1"]),
        (
            '{"type": "FeatureCollection", "features": [NaN]}',
            ["must be GeoJSON with finite numbers; got NaN"],
        ),
        ([1, 2], ['must be a GeoJSON object with "type": "FeatureCollection"; got a list of 2']),
        (
            {"type": "Feature"},
            ['"type": "FeatureCollection"; got \'Feature\''],
        ),
        (
            {"type": "FeatureCollection", "features": []},
            ['"features" must be a non-empty list; got a list of 0'],
        ),
        (
            collection({"type": "Point"}),
            ['feature 1: must be an object with "type": "Feature"; got \'Point\''],
        ),
        (
            collection({"type": "Feature", "geometry": poly(SQUARE)}),
            ["feature 1: \"properties\" must be an object holding 'code'; got null"],
        ),
        (
            collection(feature("B1", poly(SQUARE), key="name")),
            ["feature 1: properties must hold the unit code as 'code'; got keys ['name']"],
        ),
        (
            collection(feature(True, poly(SQUARE))),
            [
                "feature 1: property 'code' must be a unit code (text or a whole number); "
                "got true (a boolean)"
            ],
        ),
        (
            collection(feature(" ", poly(SQUARE))),
            ["property 'code' must be a unit code", "got ' '"],
        ),
        (
            collection(feature("B1", {"type": "Point", "coordinates": [75, 26]})),
            [
                "feature 1 (code 'B1'): geometry type must be 'Polygon' or 'MultiPolygon'; "
                "got 'Point'"
            ],
        ),
        (
            collection(feature("B1", None)),
            [
                "feature 1 (code 'B1'): \"geometry\" must be a Polygon or MultiPolygon object; "
                "got null"
            ],
        ),
        (
            collection(feature("B1", {"type": "Polygon", "coordinates": []})),
            ["feature 1 (code 'B1'): a Polygon's \"coordinates\" must be a non-empty list"],
        ),
        (
            collection(feature("B1", {"type": "MultiPolygon", "coordinates": [[SQUARE], []]})),
            ["each polygon of a MultiPolygon must be a non-empty list of rings; got polygon 2"],
        ),
        (
            collection(feature("B1", poly(SQUARE[:3]))),
            [
                "feature 1 (code 'B1'), ring 1 (outer): a ring must be a list of at least "
                "4 positions; got a list of 3 positions"
            ],
        ),
        (
            collection(feature("B1", poly(SQUARE, [[1, 2], [3, "4"], [5, 6], [1, 2]]))),
            [
                "feature 1 (code 'B1'), ring 2 (hole): every position must be a list of at "
                "least two numbers [longitude, latitude]; got [3, '4'] at position 2"
            ],
        ),
        (
            collection(feature("B1", poly([[75, 26], [76], [76, 27], [75, 26]]))),
            ["got [76] at position 2"],
        ),
        (
            collection(feature("B1", poly([[75, 26], [76, 26], [76, 97], [75, 26]]))),
            [
                "ring 1 (outer), position 3: longitude must lie in [-180, 180] and latitude "
                "in [-90, 90]; got [76, 97]"
            ],
        ),
        (
            collection(feature("B1", poly([*SQUARE[:-1], [75, 26.5]]))),
            [
                "a ring must be closed (its last position equal to its first); got first "
                "[75, 26], last [75, 26.5]"
            ],
        ),
        (
            collection(
                feature("B1", {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE[:2]]]})
            ),
            ["feature 1 (code 'B1'), polygon 2, ring 1 (outer): a ring must be a list"],
        ),
    ],
)
def test_bad_geojson_names_file_feature_and_problem(geo, data, fragments):
    path = geo(data)
    with pytest.raises(InputError) as err:
        read_boundaries(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_every_problem_is_listed(geo):
    path = geo(
        collection(
            feature("B1", {"type": "Point"}),
            feature("B2", poly(SQUARE)),
            {"type": "Feature", "properties": {}, "geometry": poly(SQUARE)},
        )
    )
    with pytest.raises(InputError) as err:
        read_boundaries(path)
    message = str(err.value)
    assert ": 2 problems:" in message
    assert "feature 1 (code 'B1'): geometry type" in message
    assert "feature 3: properties must hold" in message


def test_absent_and_not_utf8_files(tmp_path):
    with pytest.raises(InputError, match="file must exist; got"):
        read_boundaries(tmp_path / "none.geojson")
    path = tmp_path / "latin.geojson"
    path.write_bytes(b'{"type": "caf\xe9"}')
    with pytest.raises(
        InputError, match=r"must be UTF-8 text \(RFC 7946\); got byte 0xE9 at offset"
    ):
        read_boundaries(path)


def test_boundaries_records_are_checked():
    with pytest.raises(InputError, match="x0 must have one entry per edge; got 0 for 1 edges"):
        Boundaries(
            source="s",
            polygon_code=np.array(["A"]),
            polygon_feature=np.array([1]),
            edge_polygon=np.array([0]),
            x0=np.array([]),
            y0=np.array([0.0]),
            x1=np.array([0.0]),
            y1=np.array([0.0]),
        )
    with pytest.raises(InputError, match="edge_polygon must be sorted polygon indices"):
        Boundaries(
            source="s",
            polygon_code=np.array(["A"]),
            polygon_feature=np.array([1]),
            edge_polygon=np.array([1]),
            x0=np.array([0.0]),
            y0=np.array([0.0]),
            x1=np.array([0.0]),
            y1=np.array([0.0]),
        )
