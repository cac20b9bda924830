"""Whatever JSON a boundaries file holds, reading it returns boundaries or raises InputError,
never another exception; and the decimals of a coordinate are those written."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.io.geojson import read_boundaries
from egov_score.kernels.geo import written_decimals

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(-200, 200, allow_nan=False),
    st.text(max_size=5),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)
position = st.one_of(
    st.lists(st.floats(-200, 200, allow_nan=False), min_size=0, max_size=3), json_values
)
ring = st.lists(position, min_size=0, max_size=6)
geometry = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Polygon", "MultiPolygon", "Point", 3]),
            "coordinates": st.one_of(
                st.lists(ring, max_size=3), st.lists(st.lists(ring, max_size=2)), json_values
            ),
        }
    ),
    json_values,
)
features = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "properties": st.one_of(
                    st.fixed_dictionaries({"code": st.one_of(st.text(max_size=4), scalars)}),
                    json_values,
                ),
                "geometry": geometry,
            }
        ),
        json_values,
    ),
    max_size=4,
)
documents = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["FeatureCollection", "Feature"]), "features": features}
    ),
    json_values,
)


def outcome(path):
    """ "read" when the file reads (with at least one polygon), else the InputError's text."""
    try:
        b = read_boundaries(path)
    except InputError as exc:
        return str(exc)
    return "read" if len(b.polygon_code) >= 1 else "no polygon"


@SETTINGS
@given(document=documents)
def test_reading_any_json_never_crashes(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("geo") / "b.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    message = outcome(path)
    assert message == "read" or str(path) in message


@SETTINGS
@given(data=st.binary(max_size=200))
def test_reading_any_bytes_never_crashes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("geo") / "b.geojson"
    path.write_bytes(data)
    message = outcome(path)
    assert message == "read" or str(path) in message


@SETTINGS
@given(
    value=st.floats(-180, 180, allow_nan=False),
    decimals=st.integers(0, 8),
    zeros=st.integers(0, 3),
    sign=st.sampled_from(["", "+"]),
)
def test_decimals_are_the_digits_written(value, decimals, zeros, sign):
    text = f"{value:.{decimals}f}" + ("0" * zeros if decimals else "")
    text = sign + text if not text.startswith("-") else text
    values, counted, missing, bad = written_decimals(np.array([text, f" {text} "]))
    expected = decimals + (zeros if decimals else 0)
    assert list(counted) == [expected, expected]
    assert values[0] == float(text)
    assert not missing.any()
    assert not bad.any()
