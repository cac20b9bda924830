"""District and block boundaries read from GeoJSON with the standard ``json`` module.

A boundaries file is a GeoJSON ``FeatureCollection`` (RFC 7946) whose features are
``Polygon`` or ``MultiPolygon`` geometries, one or more per unit, each naming its unit in a
property: ``code`` by default (the unit's code as the units file writes it; pass
``code_property="lgd_code"`` or any other name to read the LGD code or another key, which must
then be the codes of the units file). Integer codes are read as their decimal text (``"0812"``
must be written as a string to keep its leading zero). Every polygon is an outer ring and
optional holes; rings are lists of ``[longitude, latitude]`` positions (further numbers, such
as an altitude, are ignored), closed (first position = last) with at least four positions.
Several features or polygons may name the same unit: a point is in the unit when it is in any
of them.

:func:`read_boundaries` checks the whole file and raises one
:class:`~egov_score.exceptions.InputError` listing every problem, each naming the file, the
feature (1-based, in file order), its code when it has one, and what is wrong. The result,
:class:`Boundaries`, is plain numpy arrays of edges: what the point-in-polygon kernel
(:mod:`egov_score.kernels.geo`) reads, with no GIS library needed.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq, readonly
from egov_score.exceptions import InputError
from egov_score.io.table import format_problems

__all__ = ["Boundaries", "read_boundaries"]

#: The geometry types a boundaries file may hold.
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


@attrs.frozen(kw_only=True)
class Boundaries:
    """The polygons of units, as edges (longitude ``x``, latitude ``y``, degrees).

    Edges are grouped by polygon: the edges of polygon ``p`` are the rows where
    ``edge_polygon == p`` (sorted, so they are one run). A polygon is its outer ring and its
    holes together, read with the even-odd rule: a point is inside when a ray from it crosses
    the polygon's edges an odd number of times, so a point in a hole is outside.

    Attributes:
        source: the file (or a description) named in messages.
        polygon_code: the unit code of each polygon.
        polygon_feature: the 1-based feature number each polygon came from.
        edge_polygon: the polygon of each edge (sorted ascending).
        x0, y0, x1, y1: each edge's start and end, longitude and latitude.
    """

    source: str
    polygon_code: StrArray = attrs.field(eq=array_eq)
    polygon_feature: IntArray = attrs.field(eq=array_eq)
    edge_polygon: IntArray = attrs.field(eq=array_eq)
    x0: FloatArray = attrs.field(eq=array_eq)
    y0: FloatArray = attrs.field(eq=array_eq)
    x1: FloatArray = attrs.field(eq=array_eq)
    y1: FloatArray = attrs.field(eq=array_eq)

    def __attrs_post_init__(self) -> None:
        n_edges = len(self.edge_polygon)
        if len(self.polygon_feature) != len(self.polygon_code):
            msg = (
                "polygon_feature must have one entry per polygon; got "
                f"{len(self.polygon_feature)} for {len(self.polygon_code)} polygons"
            )
            raise InputError(msg)
        for name in ("x0", "y0", "x1", "y1"):
            if len(getattr(self, name)) != n_edges:
                msg = (
                    f"{name} must have one entry per edge; got {len(getattr(self, name))} "
                    f"for {n_edges} edges"
                )
                raise InputError(msg)
        if n_edges and (
            np.any(np.diff(self.edge_polygon) < 0)
            or self.edge_polygon[0] < 0
            or self.edge_polygon[-1] >= len(self.polygon_code)
        ):
            msg = "edge_polygon must be sorted polygon indices in [0, polygons); got others"
            raise InputError(msg)

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct unit codes that have a polygon, sorted."""
        return tuple(str(c) for c in np.unique(self.polygon_code))

    @classmethod
    def from_polygons(
        cls,
        polygons: Sequence[tuple[str, Sequence[Sequence[Sequence[float]]]]],
        *,
        source: str = "<boundaries>",
    ) -> Boundaries:
        """Boundaries from ``(code, rings)`` pairs, each ring a closed list of ``(x, y)``.

        Used by the reader and by tests; the rings are taken as given (closed, ≥ 4
        positions; the reader checks that).
        """
        parts = [
            (p, np.asarray(ring, dtype=np.float64)[:, :2])
            for p, (_, rings) in enumerate(polygons)
            for ring in rings
        ]
        return cls._from_rings(
            [code for code, _ in polygons], list(range(1, len(polygons) + 1)), parts, source
        )

    @classmethod
    def _from_rings(
        cls,
        codes: list[str],
        features: list[int],
        rings: list[tuple[int, FloatArray]],
        source: str,
    ) -> Boundaries:
        starts = [r[:-1] for _, r in rings]
        ends = [r[1:] for _, r in rings]
        owner = [np.full(len(r) - 1, p, dtype=np.intp) for p, r in rings]
        a = np.concatenate(starts) if rings else np.empty((0, 2))
        b = np.concatenate(ends) if rings else np.empty((0, 2))
        edge_polygon = np.concatenate(owner) if rings else np.empty(0, dtype=np.intp)
        order = np.argsort(edge_polygon, kind="stable")
        return cls(
            source=source,
            polygon_code=readonly(np.array(codes, dtype=np.str_)),
            polygon_feature=readonly(np.array(features, dtype=np.intp)),
            edge_polygon=readonly(edge_polygon[order]),
            x0=readonly(np.ascontiguousarray(a[order, 0])),
            y0=readonly(np.ascontiguousarray(a[order, 1])),
            x1=readonly(np.ascontiguousarray(b[order, 0])),
            y1=readonly(np.ascontiguousarray(b[order, 1])),
        )


def read_boundaries(path: str | os.PathLike[str], *, code_property: str = "code") -> Boundaries:
    """Read unit boundaries from a GeoJSON file (see the module docstring for the format).

    Args:
        path: the GeoJSON file.
        code_property: the feature property holding the unit's code.

    Raises:
        InputError: the file is absent, not UTF-8, not JSON, or breaks a rule of the format;
            every problem is listed, naming the file, feature, code and what is wrong.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"file must exist; got {source!r}") from None
    except OSError as exc:
        raise InputError(f"{source}: must be a readable file; got {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = (
            f"{source}: a GeoJSON file must be UTF-8 text (RFC 7946); got byte "
            f"0x{raw[exc.start]:02X} at offset {exc.start}, which is not UTF-8"
        )
        raise InputError(msg) from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        msg = (
            f"{source}: must be GeoJSON (JSON text); got a JSON syntax error at line "
            f"{exc.lineno}, column {exc.colno}: {exc.msg}"
        )
        raise InputError(msg) from None
    except ValueError as exc:
        raise InputError(f"{source}: must be GeoJSON with finite numbers; got {exc}") from None
    return _boundaries(data, source, code_property)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} (JSON has no NaN or Infinity)")


def _kind(value: object) -> str:
    """A JSON value's type, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)


def _boundaries(data: Any, source: str, code_property: str) -> Boundaries:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        got = data.get("type") if isinstance(data, dict) else data
        msg = (
            f'{source}: a boundaries file must be a GeoJSON object with "type": '
            f'"FeatureCollection"; got {_kind(got)}'
        )
        raise InputError(msg)
    features = data.get("features")
    if not isinstance(features, list) or not features:
        msg = f'{source}: "features" must be a non-empty list; got {_kind(features)}'
        raise InputError(msg)
    problems: list[str] = []
    codes: list[str] = []
    numbers: list[int] = []
    rings: list[tuple[int, FloatArray]] = []
    for number, feature in enumerate(features, start=1):  # features, not machines
        where = f"feature {number}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            got = feature.get("type") if isinstance(feature, dict) else feature
            problems.append(f'{where}: must be an object with "type": "Feature"; got {_kind(got)}')
            continue
        code, problem = _code(feature.get("properties"), code_property)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        where = f"{where} (code {code!r})"
        polygons, problem = _polygons(feature.get("geometry"))
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        for p, polygon in enumerate(polygons, start=1):
            label = f"{where}, polygon {p}" if len(polygons) > 1 else where
            checked = _rings(polygon, label, problems)
            if checked:
                rings.extend((len(codes), r) for r in checked)
                codes.append(code)
                numbers.append(number)
    if problems:
        raise InputError(format_problems(problems, source))
    return Boundaries._from_rings(codes, numbers, rings, source)


def _code(properties: object, name: str) -> tuple[str, str]:
    """The unit code in a feature's properties, or ``("", problem)``."""
    if not isinstance(properties, dict):
        return "", f'"properties" must be an object holding {name!r}; got {_kind(properties)}'
    if name not in properties:
        return (
            "",
            f"properties must hold the unit code as {name!r}; got keys {sorted(properties)!r}",
        )
    value = properties[name]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), ""
    if isinstance(value, str) and value.strip():
        return value.strip(), ""
    return "", f"property {name!r} must be a unit code (text or a whole number); got {_kind(value)}"


def _polygons(geometry: object) -> tuple[list[Any], str]:
    """The polygons (lists of rings) of a geometry, or ``([], problem)``."""
    if not isinstance(geometry, dict):
        return [], f'"geometry" must be a Polygon or MultiPolygon object; got {_kind(geometry)}'
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return [], f"geometry type must be 'Polygon' or 'MultiPolygon'; got {_kind(kind)}"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return [], f'a {kind}\'s "coordinates" must be a non-empty list; got {_kind(coordinates)}'
    if kind == "Polygon":
        return [coordinates], ""
    bad = [i for i, p in enumerate(coordinates, start=1) if not isinstance(p, list) or not p]
    if bad:
        return (
            [],
            "each polygon of a MultiPolygon must be a non-empty list of rings; "
            f"got polygon {bad[0]} empty or not a list",
        )
    return coordinates, ""


def _rings(polygon: Any, where: str, problems: list[str]) -> list[FloatArray]:
    """The checked rings of one polygon (outer ring first); problems are appended."""
    out: list[FloatArray] = []
    for r, ring in enumerate(polygon, start=1):  # rings, not machines
        label = f"{where}, ring {r}{' (outer)' if r == 1 else ' (hole)'}"
        if not isinstance(ring, list) or len(ring) < 4:
            got = _kind(ring) + (" positions" if isinstance(ring, list) else "")
            problems.append(f"{label}: a ring must be a list of at least 4 positions; got {got}")
            continue
        try:
            xy = _positions(ring)
        except (TypeError, ValueError):
            problems.append(
                f"{label}: every position must be a list of at least two numbers "
                f"[longitude, latitude]; got {_first_bad(ring)}"
            )
            continue
        outside = ~((np.abs(xy[:, 0]) <= 180) & (np.abs(xy[:, 1]) <= 90))
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            problems.append(
                f"{label}, position {i + 1}: longitude must lie in [-180, 180] and latitude "
                f"in [-90, 90]; got {ring[i]!r}"
            )
            continue
        if not np.array_equal(xy[0], xy[-1]):
            problems.append(
                f"{label}: a ring must be closed (its last position equal to its first); "
                f"got first {ring[0]!r}, last {ring[-1]!r}"
            )
            continue
        out.append(xy)
    return out


def _positions(ring: list[Any]) -> FloatArray:
    """A ring's positions as an (n, 2) float array; TypeError/ValueError when malformed."""
    if not all(isinstance(p, list) and len(p) >= 2 for p in ring):
        raise ValueError("not a position")
    pairs = [p[:2] for p in ring]
    flat = [v for p in pairs for v in p]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in flat):
        raise TypeError("not a number")
    xy = np.array(pairs, dtype=np.float64)
    if not np.isfinite(xy).all():
        raise ValueError("not finite")
    return xy


def _first_bad(ring: list[Any]) -> str:
    """The first malformed position of a ring, for a message."""
    for i, p in enumerate(ring, start=1):
        ok = (
            isinstance(p, list)
            and len(p) >= 2
            and all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in p[:2]
            )
        )
        if not ok:
            return f"{p!r} at position {i}"
    return repr(ring)
