"""Geo-tag checks: which machines' coordinates are missing, wrong or suspect, and why.

:func:`geotag_problems` takes every machine's latitude and longitude *as written* (text, so
that the decimals can be counted) and its block, and returns a :class:`GeoReport`: one boolean
column per named check (:data:`GEO_CHECKS`, in order), the first failing check's name per
machine as its reason, an English sentence per machine, and the numbers behind them. All of it
is vectorised over machines; the loops are over checks, blocks' polygons and their edges.

The checks, in order (a machine failing an early one is not checked by the later ones that
need a usable location; ``docs/geotags.md`` gives each rule and default):

``geotag_missing``
    either coordinate blank (empty once spaces are stripped).
``geotag_unreadable``
    either coordinate not a plain decimal number (``27°21'N``, ``N/A``, ``1e400``).
``geotag_zero``
    both coordinates zero: a device that never got a fix.
``geotag_swapped``
    the pair lies outside India's box (:data:`INDIA_LATITUDE`, :data:`INDIA_LONGITUDE`) and
    the swapped pair lies in the expected region: the machine's own area when boundaries give
    one, India's box otherwise.
``geotag_outside_india``
    outside India's box and not swapped.
``geotag_imprecise``
    either coordinate written with ``min_decimals - 1`` decimals or fewer (2 by default,
    about 1 km), counted on the text as written: ``27.3500`` has four, ``27.35`` two.
``geotag_outside_<level>``
    with boundaries for a level (``district``, ``block``): not inside its own unit's polygons
    (even-odd rule, holes respected); units with no polygon are not checked.
``geotag_far_from_block``
    farther (haversine, km) from its block's median location than
    ``max(min_km, k × the block's median distance)``; blocks with fewer than
    ``min_machines`` located machines are skipped.
``geotag_duplicate``
    another machine within ``duplicate_m`` metres (haversine).

This module is pure numpy: it reads :class:`~egov_score.io.geojson.Boundaries` as arrays.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq, columns_eq, readonly
from egov_score.exceptions import InputError
from egov_score.io.geojson import Boundaries

__all__ = [
    "EARTH_RADIUS_KM",
    "GEO_CHECKS",
    "INDIA_LATITUDE",
    "INDIA_LONGITUDE",
    "GeoReport",
    "GeoSettings",
    "geotag_problems",
    "group_median",
    "haversine_km",
    "in_india",
    "inside_polygons",
    "near_duplicates",
    "written_decimals",
]

BoolArray = npt.NDArray[np.bool_]

#: India's extent, for checking coordinates (degrees, inclusive): the mainland with Lakshadweep
#: and the Andaman and Nicobar Islands, with a margin (Indira Point 6.75 °N, Siachen 35.6 °N,
#: Guhar Moti 68.2 °E, Kibithu 97.4 °E).
INDIA_LATITUDE = (6.5, 37.5)
INDIA_LONGITUDE = (68.0, 97.5)

#: The mean radius of the Earth (IUGG), for haversine distances.
EARTH_RADIUS_KM = 6371.0088

#: Every check's machine-readable name and its English sentence, in the order they are
#: applied (a machine's reason is the first that fails). ``geotag_outside_<level>`` checks come
#: from the boundaries given; their sentence is :data:`OUTSIDE_SENTENCE`.
GEO_CHECKS: dict[str, str] = {
    "geotag_missing": "the latitude or longitude is blank",
    "geotag_unreadable": "the latitude or longitude is not a decimal number",
    "geotag_zero": "the location is (0, 0): the device never got a fix",
    "geotag_swapped": (
        "latitude and longitude look swapped: swapped, they lie in the expected area"
    ),
    "geotag_outside_india": "the location lies outside India",
    "geotag_imprecise": (
        "the location has only {decimals} decimal(s) (about {metres} m): too coarse to find a kiosk"
    ),
    "geotag_far_from_block": (
        "the location is {distance_km} km from the middle of its block's machines "
        "(more than {threshold_km} km)"
    ),
    "geotag_duplicate": (
        "{duplicates} other machine(s) share this location (within {duplicate_m} m)"
    ),
}
#: The sentence of a ``geotag_outside_<level>`` check.
OUTSIDE_SENTENCE = "the location lies outside its {level}'s boundary"

#: Where ``geotag_outside_<level>`` checks go in the order: after ``geotag_imprecise``.
_OUTSIDE_AFTER = "geotag_imprecise"


@attrs.frozen(kw_only=True)
class GeoSettings:
    """The thresholds of the geo-tag checks (see ``docs/geotags.md``).

    Attributes:
        min_decimals: a coordinate needs at least this many decimals as written (3: about
            110 m of latitude); fewer is ``geotag_imprecise``.
        min_km: a machine is never far from its block at this distance or less (km).
        k: how many times the block's median distance from its middle a machine may be.
        min_machines: blocks with fewer located machines are not checked for distance.
        duplicate_m: two machines this close (metres, haversine) or closer are duplicates.
    """

    min_decimals: int = attrs.field(default=3)
    min_km: float = attrs.field(default=10.0)
    k: float = attrs.field(default=4.0)
    min_machines: int = attrs.field(default=3)
    duplicate_m: float = attrs.field(default=10.0)

    def __attrs_post_init__(self) -> None:
        rules = [
            ("min_decimals", self.min_decimals, self.min_decimals >= 0, ">= 0"),
            ("min_km", self.min_km, bool(np.isfinite(self.min_km)) and self.min_km >= 0, ">= 0"),
            ("k", self.k, bool(np.isfinite(self.k)) and self.k > 0, "> 0"),
            ("min_machines", self.min_machines, self.min_machines >= 2, ">= 2"),
            (
                "duplicate_m",
                self.duplicate_m,
                bool(np.isfinite(self.duplicate_m)) and 0 < self.duplicate_m <= 10_000,
                "in (0, 10000]",
            ),
        ]
        for name, value, ok, rule in rules:
            if not ok:
                raise InputError(f"GeoSettings.{name} must be {rule}; got {value!r}")


@attrs.frozen(kw_only=True)
class GeoReport:
    """The geo-tag checks of every machine (one row per machine, in input order).

    Attributes:
        checks: check name -> a boolean column, True where the machine fails it, in the
            order the checks are applied.
        reason: the first failing check's name, ``""`` where none fails.
        latitude, longitude: the coordinates read (NaN where blank or unreadable).
        decimals: the fewer of the two coordinates' decimals as written (-1 where not read).
        distance_km: the distance from the block's median location (NaN where not measured).
        threshold_km: the block's far-from-block threshold (NaN where not measured).
        duplicates: how many other machines lie within ``duplicate_m`` (0 where not checked).
        settings: the thresholds used.
        unbounded: level -> the distinct codes of that level's units that have machines but no
            polygon in the boundaries (their machines were not checked for that level).
    """

    checks: Mapping[str, BoolArray] = attrs.field(eq=columns_eq)
    reason: StrArray = attrs.field(eq=array_eq)
    latitude: FloatArray = attrs.field(eq=array_eq)
    longitude: FloatArray = attrs.field(eq=array_eq)
    decimals: IntArray = attrs.field(eq=array_eq)
    distance_km: FloatArray = attrs.field(eq=array_eq)
    threshold_km: FloatArray = attrs.field(eq=array_eq)
    duplicates: IntArray = attrs.field(eq=array_eq)
    settings: GeoSettings
    unbounded: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    @property
    def failing(self) -> BoolArray:
        """Where any check fails."""
        failing: BoolArray = self.reason != ""
        return failing

    def counts(self) -> dict[str, int]:
        """How many machines fail each check."""
        return {name: int(col.sum()) for name, col in self.checks.items()}

    def sentences(self) -> StrArray:
        """An English sentence per machine for its reason (``""`` where none fails)."""
        out = np.full(len(self.reason), "", dtype=object)
        for name in self.checks:  # a loop over checks, filled per column
            rows = np.flatnonzero(self.reason == name)
            if not len(rows):
                continue
            if name.startswith("geotag_outside_") and name != "geotag_outside_india":
                level = name.removeprefix("geotag_outside_")
                out[rows] = OUTSIDE_SENTENCE.format(level=level)
                continue
            template = GEO_CHECKS[name]
            filled = _fill(template, self, rows)
            out[rows] = filled
        return np.asarray(out.astype(str), dtype=np.str_)


def _fill(template: str, report: GeoReport, rows: IntArray) -> StrArray | str:
    """``template`` filled with the numbers of ``rows``, as a column of sentences."""
    s = report.settings
    numbers: dict[str, StrArray] = {
        "decimals": np.char.mod("%d", report.decimals[rows]),
        "metres": np.char.mod("%d", np.round(111_195.0 * 10.0 ** -report.decimals[rows])),
        "distance_km": np.char.mod("%.1f", report.distance_km[rows]),
        "threshold_km": np.char.mod("%.1f", report.threshold_km[rows]),
        "duplicates": np.char.mod("%d", report.duplicates[rows]),
        "duplicate_m": np.full(len(rows), f"{s.duplicate_m:g}"),
    }
    used = [k for k in numbers if "{" + k + "}" in template]
    if not used:
        return template
    # Split the template on its fields and join the text with the columns, element-wise.
    out = np.full(len(rows), "", dtype=np.str_)
    rest = template
    while rest:  # a loop over the template's fields
        start = rest.find("{")
        if start < 0:
            out = np.strings.add(out, rest)
            break
        end = rest.index("}", start)
        out = np.strings.add(np.strings.add(out, rest[:start]), numbers[rest[start + 1 : end]])
        rest = rest[end + 1 :]
    return out


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """The great-circle distance (km) between points given in degrees, element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return d


def in_india(latitude: FloatArray, longitude: FloatArray) -> BoolArray:
    """Whether each point lies in India's box (:data:`INDIA_LATITUDE`, :data:`INDIA_LONGITUDE`,
    inclusive); NaN is outside."""
    (a, b), (c, d) = INDIA_LATITUDE, INDIA_LONGITUDE
    with np.errstate(invalid="ignore"):
        inside: BoolArray = (latitude >= a) & (latitude <= b) & (longitude >= c) & (longitude <= d)
    return inside


def written_decimals(text: StrArray) -> tuple[FloatArray, IntArray, BoolArray, BoolArray]:
    """Parse coordinates as written.

    Returns:
        ``(values, decimals, missing, unreadable)``: the value (NaN where missing or
        unreadable); the decimals as written (digits after the point, less the exponent:
        ``2.735e1`` has 2; trailing zeros count, ``27.3500`` has 4; -1 where not read);
        where the cell is blank; where it is not a plain finite decimal number (ASCII digits,
        an optional sign, point and exponent).
    """
    cells = np.strings.strip(np.asarray(text, dtype=np.str_))
    if not len(cells):  # numpy's partition refuses an empty column
        empty = np.zeros(0, dtype=bool)
        return np.zeros(0), np.zeros(0, dtype=np.intp), empty, empty.copy()
    missing = np.strings.str_len(cells) == 0
    body = np.where(
        np.strings.startswith(cells, "+") | np.strings.startswith(cells, "-"),
        np.strings.slice(cells, 1, None),
        cells,
    )
    mantissa, sep, exponent = np.strings.partition(np.strings.lower(body), "e")
    whole, _, fraction = np.strings.partition(mantissa, ".")
    exp_digits = np.where(
        np.strings.startswith(exponent, "+") | np.strings.startswith(exponent, "-"),
        np.strings.slice(exponent, 1, None),
        exponent,
    )
    plain = (
        _digits_only(whole)
        & _digits_only(fraction)
        & (np.strings.str_len(whole) + np.strings.str_len(fraction) > 0)
        & ((sep == "") | ((np.strings.str_len(exp_digits) > 0) & _digits_only(exp_digits)))
        & (np.strings.str_len(exp_digits) <= 4)
        & (np.strings.count(mantissa, ".") <= 1)
    )
    values = np.full(len(cells), np.nan)
    if plain.any():
        with np.errstate(over="ignore"):
            values[plain] = cells[plain].astype(np.float64)
    unreadable = ~missing & ~(plain & np.isfinite(values))
    values[unreadable] = np.nan
    exp = np.zeros(len(cells), dtype=np.intp)
    has_exp = plain & (sep != "")
    if has_exp.any():
        exp[has_exp] = exponent[has_exp].astype(np.intp)
    decimals = np.maximum(np.strings.str_len(fraction).astype(np.intp) - exp, 0)
    decimals[missing | unreadable] = -1
    return values, decimals, missing, unreadable


def _digits_only(cells: StrArray) -> BoolArray:
    """Whether every character of each cell is an ASCII digit (empty cells are)."""
    rest = cells
    for digit in "0123456789":  # ten passes over the column
        rest = np.strings.replace(rest, digit, "")
    only: BoolArray = np.strings.str_len(rest) == 0
    return only


def group_median(values: FloatArray, group: IntArray, n_groups: int) -> FloatArray:
    """The median of ``values`` per group (NaN for an empty group); one sort, no loop.

    Rows with a negative group are ignored.
    """
    keep = group >= 0
    v, g = values[keep], group[keep]
    order = np.lexsort((v, g))
    v = v[order]
    counts = np.bincount(g, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(n_groups, np.nan)
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2
    return out


def near_duplicates(latitude: FloatArray, longitude: FloatArray, metres: float) -> IntArray:
    """How many *other* points lie within ``metres`` (haversine) of each point.

    The rule: points are first collapsed to distinct coordinates (equal floats are at 0 m);
    the distinct points are put on a grid of cells at least ``metres`` wide in each direction
    (latitude cells ``metres`` of arc, longitude cells ``metres`` at the highest latitude
    present, 1 % wider), so any two points within ``metres`` lie in the same or neighbouring
    cells; the pairs of each cell with itself and its 8 neighbours are measured exactly.
    NaN points are never duplicates (their count is 0).
    """
    n = len(latitude)
    out = np.zeros(n, dtype=np.intp)
    ok = np.flatnonzero(np.isfinite(latitude) & np.isfinite(longitude))
    if len(ok) < 2:
        return out
    lat, lon = latitude[ok], longitude[ok]
    order = np.lexsort((lon, lat))
    lat_s, lon_s = lat[order], lon[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (lat_s[1:] != lat_s[:-1]) | (lon_s[1:] != lon_s[:-1])
    which = np.cumsum(new) - 1  # distinct point of each sorted point
    ulat, ulon = lat_s[new], lon_s[new]
    weight = np.bincount(which)  # points at each distinct location
    near = weight - 1  # others at exactly the same place
    arc = metres / (EARTH_RADIUS_KM * 1000.0)  # radians
    cell_lat = np.degrees(arc) * 1.01
    widest = max(float(np.cos(np.radians(min(np.abs(ulat).max(), 89.0)))), 1e-6)
    cell_lon = np.degrees(arc) / widest * 1.01
    ci = np.floor((ulat - ulat.min()) / cell_lat).astype(np.int64)
    cj = np.floor((ulon - ulon.min()) / cell_lon).astype(np.int64)
    width = int(cj.max()) + 3
    key = ci * width + cj + 1
    by_cell = np.argsort(key, kind="stable")
    cells, start, count = np.unique(key[by_cell], return_index=True, return_counts=True)
    for di in (-1, 0, 1):  # the 9 neighbouring cells
        for dj in (-1, 0, 1):
            target = key + di * width + dj
            pos = np.minimum(np.searchsorted(cells, target), len(cells) - 1)
            c = np.where(cells[pos] == target, count[pos], 0)
            # Points in batches of at most _PAIRS pairs, so a dense cluster cannot exhaust
            # memory (its time still grows with the pairs; see docs/geotags.md).
            reach = np.cumsum(c)
            cuts = np.searchsorted(reach, np.arange(_PAIRS, int(reach[-1]), _PAIRS), "right")
            for lo, hi in zip(  # a loop over batches of points
                np.concatenate(([0], cuts)), np.concatenate((cuts, [len(c)])), strict=True
            ):
                near += _close_pairs(
                    np.arange(lo, hi),
                    c[lo:hi],
                    start[pos[lo:hi]],
                    by_cell,
                    ulat,
                    ulon,
                    weight,
                    metres,
                )
    out[ok[order]] = near[which]
    return out


def _close_pairs(
    points: IntArray,
    c: IntArray,
    first: IntArray,
    by_cell: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    weight: IntArray,
    metres: float,
) -> IntArray:
    """For each distinct point, the weight of the other points within ``metres`` among the
    ``c`` points of one neighbouring cell (sorted positions from ``first``)."""
    total = int(c.sum())
    out = np.zeros(len(lat), dtype=np.intp)
    if not total:
        return out
    p = np.repeat(points, c)
    offset = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
    q = by_cell[np.repeat(first, c) + offset]
    keep = p != q
    p, q = p[keep], q[keep]
    close = haversine_km(lat[p], lon[p], lat[q], lon[q]) * 1000.0 <= metres
    found: IntArray = np.bincount(p[close], weights=weight[q[close]], minlength=len(lat)).astype(
        np.intp
    )
    return out + found


def inside_polygons(
    latitude: FloatArray, longitude: FloatArray, code: StrArray, boundaries: Boundaries
) -> tuple[BoolArray, BoolArray]:
    """Whether each point lies inside a polygon of its own unit (even-odd rule).

    Args:
        latitude: the points' latitudes (degrees); NaN points are never inside.
        longitude: the points' longitudes (degrees).
        code: each point's unit code; points are tested only against that unit's polygons.
        boundaries: the polygons.

    Returns:
        ``(inside, bounded)``: inside its unit's polygons (holes are outside); whether its
        unit has any polygon (where not, ``inside`` is False and the point is not judged).
        A point exactly on an edge may count either way.
    """
    n = len(latitude)
    inside = np.zeros(n, dtype=bool)
    poly_codes = np.asarray(boundaries.polygon_code, dtype=np.str_)
    bounded = np.isin(code, poly_codes)
    # NaN points are never inside: leave them out of the sort, so no edge is tested for them.
    located = np.flatnonzero(np.isfinite(latitude) & np.isfinite(longitude))
    by_code = located[np.argsort(code[located], kind="stable")]
    sorted_codes = code[by_code]
    edge_start = np.searchsorted(boundaries.edge_polygon, np.arange(len(poly_codes)))
    edge_end = np.searchsorted(boundaries.edge_polygon, np.arange(len(poly_codes)), "right")
    lo = np.searchsorted(sorted_codes, poly_codes, "left")
    hi = np.searchsorted(sorted_codes, poly_codes, "right")
    for p in range(len(poly_codes)):  # a loop over polygons, vectorised over their points
        if lo[p] == hi[p]:
            continue
        points = by_code[lo[p] : hi[p]]
        e = slice(int(edge_start[p]), int(edge_end[p]))
        parity = _crossings(
            longitude[points],
            latitude[points],
            boundaries.x0[e],
            boundaries.y0[e],
            boundaries.x1[e],
            boundaries.y1[e],
        )
        inside[points] |= parity
    return inside, bounded


#: The most point × edge pairs held at once by the point-in-polygon test.
_PAIRS = 4_000_000


def _crossings(
    px: FloatArray, py: FloatArray, x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray
) -> BoolArray:
    """Odd crossings of a ray from each point towards +x over the edges (even-odd rule)."""
    odd = np.zeros(len(px), dtype=bool)
    step = max(1, _PAIRS // max(len(px), 1))
    for s in range(0, len(x0), step):  # blocks of edges, vectorised over points
        a0, b0 = x0[s : s + step], y0[s : s + step]
        a1, b1 = x1[s : s + step], y1[s : s + step]
        y = py[:, None]
        straddles = (b0 > y) != (b1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = a0 + (y - b0) * (a1 - a0) / (b1 - b0)
        odd ^= (np.count_nonzero(straddles & (px[:, None] < x_at), axis=1) % 2).astype(bool)
    return odd


def geotag_problems(
    latitude_text: StrArray,
    longitude_text: StrArray,
    block: IntArray,
    *,
    settings: GeoSettings | None = None,
    boundaries: Mapping[str, Boundaries] | None = None,
    unit_codes: Mapping[str, StrArray] | None = None,
) -> GeoReport:
    """Check every machine's geo-tag.

    Args:
        latitude_text: the latitudes as written (degrees, text).
        longitude_text: the longitudes as written (degrees, text).
        block: each machine's block index (0 … blocks - 1; negative = unknown, skipped by
            the distance check).
        settings: the thresholds (:class:`GeoSettings` defaults when None).
        boundaries: level name (``"district"``, ``"block"``) -> the polygons of that level's
            units; each level gets a ``geotag_outside_<level>`` check, in this order.
        unit_codes: level name -> each machine's unit code at that level; needed for every
            level of ``boundaries``.

    Returns:
        The :class:`GeoReport`, one row per machine in input order.

    Raises:
        InputError: the columns differ in length, or a level of ``boundaries`` has no
            ``unit_codes``.
    """
    s = settings if settings is not None else GeoSettings()
    bounds = dict(boundaries or {})
    codes = dict(unit_codes or {})
    n = len(latitude_text)
    block = np.asarray(block, dtype=np.intp)
    if len(longitude_text) != n or len(block) != n:
        msg = (
            "latitude, longitude and block must have one entry per machine; got "
            f"{n}, {len(longitude_text)} and {len(block)}"
        )
        raise InputError(msg)
    for level in bounds:
        if level not in codes or len(codes[level]) != n:
            got = len(codes[level]) if level in codes else "none"
            msg = (
                f"unit_codes[{level!r}] must give each machine's {level} code (one per "
                f"machine) when boundaries of that level are given; got {got}"
            )
            raise InputError(msg)

    lat, lat_dec, lat_missing, lat_bad = written_decimals(latitude_text)
    lon, lon_dec, lon_missing, lon_bad = written_decimals(longitude_text)
    missing = lat_missing | lon_missing
    unreadable = ~missing & (lat_bad | lon_bad)
    read = ~missing & ~unreadable
    zero = read & (lat == 0) & (lon == 0)
    usable = read & ~zero
    decimals = np.where(read, np.minimum(lat_dec, lon_dec), -1)

    india = usable & in_india(lat, lon)
    swapped_india = usable & in_india(lon, lat)
    # The expected region of a swapped pair: its own (finest) area when a polygon gives one.
    swapped_ok = swapped_india.copy()
    unbounded: dict[str, tuple[str, ...]] = {}
    outside: dict[str, BoolArray] = {}
    inside_own: dict[str, tuple[BoolArray, BoolArray]] = {}
    for level, b in bounds.items():  # a loop over levels
        unit = np.asarray(codes[level], dtype=np.str_)
        # Only points in India's box are judged against boundaries: NaN skips the others.
        inside_own[level] = inside_polygons(
            np.where(india, lat, np.nan), np.where(india, lon, np.nan), unit, b
        )
        _, bounded = inside_own[level]
        unbounded[level] = tuple(str(c) for c in np.unique(unit[~bounded]))
    if bounds:
        level = list(bounds)[-1]
        unit = np.asarray(codes[level], dtype=np.str_)
        maybe = np.flatnonzero(swapped_india & ~india)  # only these can be swapped
        swapped_in, bounded = inside_polygons(lon[maybe], lat[maybe], unit[maybe], bounds[level])
        swapped_ok[maybe] = np.where(bounded, swapped_in, True)
    swapped = usable & ~india & swapped_ok
    outside_india = usable & ~india & ~swapped
    imprecise = usable & (decimals < s.min_decimals)
    for level, (inside, bounded) in inside_own.items():
        outside[f"geotag_outside_{level}"] = india & bounded & ~inside

    located = india
    distance, threshold, far = _far_from_block(lat, lon, block, located, s)
    precise = located & ~imprecise
    duplicates = near_duplicates(
        np.where(precise, lat, np.nan), np.where(precise, lon, np.nan), s.duplicate_m
    )
    columns: dict[str, BoolArray] = {}
    for name, col in (
        ("geotag_missing", missing),
        ("geotag_unreadable", unreadable),
        ("geotag_zero", zero),
        ("geotag_swapped", swapped),
        ("geotag_outside_india", outside_india),
        ("geotag_imprecise", imprecise),
        *outside.items(),
        ("geotag_far_from_block", far),
        ("geotag_duplicate", duplicates > 0),
    ):
        columns[name] = readonly(np.asarray(col, dtype=bool))
    reason = np.full(n, "", dtype=f"<U{max(len(k) for k in columns)}")
    for name in reversed(columns):  # the first failing check wins
        reason[columns[name]] = name
    return GeoReport(
        checks=columns,
        reason=readonly(reason),
        latitude=readonly(lat),
        longitude=readonly(lon),
        decimals=readonly(decimals.astype(np.intp)),
        distance_km=readonly(distance),
        threshold_km=readonly(threshold),
        duplicates=readonly(duplicates),
        settings=s,
        unbounded=unbounded,
    )


def _far_from_block(
    lat: FloatArray, lon: FloatArray, block: IntArray, located: BoolArray, s: GeoSettings
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Distance from the block's median location, the block's threshold, and far or not."""
    n = len(lat)
    distance = np.full(n, np.nan)
    threshold = np.full(n, np.nan)
    far = np.zeros(n, dtype=bool)
    group = np.where(located & (block >= 0), block, -1)
    if not (group >= 0).any():
        return distance, threshold, far
    n_blocks = int(group.max()) + 1
    counts = np.bincount(group[group >= 0], minlength=n_blocks)
    mid_lat = group_median(lat, group, n_blocks)
    mid_lon = group_median(lon, group, n_blocks)
    checked = (group >= 0) & (counts[np.maximum(group, 0)] >= s.min_machines)
    g = group[checked]
    d = haversine_km(lat[checked], lon[checked], mid_lat[g], mid_lon[g])
    spread = group_median(d, g, n_blocks)
    limit = np.maximum(s.min_km, s.k * spread[g])
    distance[checked] = d
    threshold[checked] = limit
    far[checked] = d > limit
    return distance, threshold, far
