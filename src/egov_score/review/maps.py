"""The maps' data: where the units are, prepared once per review and sliced per card.

The plugins say where their units are (``egov_score_locations``: the e-Mitra machines'
geo-tags and whether each transacts); :func:`review_maps` places every unit above them at the
median latitude and median longitude of its located units (the division page's dot map, when
no boundaries are given) and sorts the located units by their ancestors once, so a card's map
is a slice (:meth:`ReviewMaps.card_maps`), not a search. Records only; the render layer draws
them (``render/maps.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from egov_score._arrays import FloatArray, IntArray, StrArray, array_eq, readonly
from egov_score.io.geojson import Boundaries
from egov_score.kernels.projection import group_location
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import Result
from egov_score.plugins.actions import ActionSettings
from egov_score.plugins.locations import Locations
from egov_score.plugins.registry import Registry
from egov_score.plugins.tables import CheckedTables

__all__ = ["BandMap", "PointMap", "ReviewMaps", "child_map", "review_maps"]


@attrs.frozen(kw_only=True)
class PointMap:
    """The units of one plugin's :class:`~egov_score.plugins.locations.Locations` under one
    card's unit: what its map draws and counts.

    Attributes:
        key: the locations' key (``emitra.machines``).
        level: the level of the units (``machine``).
        codes, names: the units with a status (in code order within the card's unit).
        latitude, longitude: their locations (NaN: not on the map).
        status: their status, an index into ``labels``.
        labels: the statuses' message ids, in legend order.
        unlocated: the message id of the legend line counting units with no location.
    """

    key: str
    level: str
    codes: StrArray = attrs.field(eq=array_eq)
    names: StrArray = attrs.field(eq=array_eq)
    latitude: FloatArray = attrs.field(eq=array_eq)
    longitude: FloatArray = attrs.field(eq=array_eq)
    status: IntArray = attrs.field(eq=array_eq)
    labels: tuple[str, ...]
    unlocated: str

    @property
    def located(self) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        """Where a unit has both coordinates (drawn)."""
        located: np.ndarray[tuple[int], np.dtype[np.bool_]] = np.isfinite(
            self.latitude
        ) & np.isfinite(self.longitude)
        return located

    def counts(self) -> tuple[IntArray, int]:
        """Units drawn per status (legend order) and units not drawn (no location)."""
        drawn: IntArray = np.bincount(self.status[self.located], minlength=len(self.labels))
        return drawn, int((~self.located).sum())


@attrs.frozen(kw_only=True)
class BandMap:
    """The units one level below a card's unit (a district's blocks), for a map by band.

    Attributes:
        level: their level.
        codes, names, names_hi: the units.
        band: each unit's band index into ``band_labels`` (-1: none).
        band_labels: the level's band labels.
        score: each unit's composite.
        latitude, longitude: each unit's location (the median of its located units; NaN:
            none).
        boundaries: the level's polygons, when the user gave them.
    """

    level: str
    codes: StrArray = attrs.field(eq=array_eq)
    names: StrArray = attrs.field(eq=array_eq)
    names_hi: StrArray = attrs.field(eq=array_eq)
    band: IntArray = attrs.field(eq=array_eq)
    band_labels: tuple[str, ...]
    score: FloatArray = attrs.field(eq=array_eq)
    latitude: FloatArray = attrs.field(eq=array_eq)
    longitude: FloatArray = attrs.field(eq=array_eq)
    boundaries: Boundaries | None = None


@attrs.frozen(kw_only=True)
class _Layer:
    """One plugin's locations with its units sorted, per level above, by their ancestor."""

    locations: Locations
    codes: StrArray
    names: StrArray
    # level -> the units with a status sorted by (ancestor, code), and each ancestor's slice
    order: Mapping[str, IntArray]
    starts: Mapping[str, IntArray]


@attrs.frozen(kw_only=True)
class ReviewMaps:
    """The month's maps, prepared once per review.

    Attributes:
        latitude, longitude: level -> every unit's location (the median of its located
            units; NaN where it has none), for the levels above the plugins' units.
        located: level -> how many located units each median counts.
        boundaries: level -> the unit polygons the user gave (``--boundaries``).
    """

    latitude: Mapping[str, FloatArray]
    longitude: Mapping[str, FloatArray]
    located: Mapping[str, IntArray]
    boundaries: Mapping[str, Boundaries]
    _layers: tuple[_Layer, ...] = attrs.field(alias="layers")

    def card_maps(self, level: str, index: int) -> tuple[PointMap, ...]:
        """The maps of the card of unit ``index`` of ``level``: per plugin's locations, its
        units under that unit (none when ``level`` is not above them)."""
        out = []
        for layer in self._layers:  # a loop over plugins' records
            if level not in layer.order:
                continue
            lo, hi = layer.starts[level][index], layer.starts[level][index + 1]
            rows = layer.order[level][lo:hi]
            loc = layer.locations
            out.append(
                PointMap(
                    key=loc.key,
                    level=loc.level,
                    codes=layer.codes[rows],
                    names=layer.names[rows],
                    latitude=loc.latitude[rows],
                    longitude=loc.longitude[rows],
                    status=loc.status[rows],
                    labels=loc.labels,
                    unlocated=loc.unlocated,
                )
            )
        return tuple(out)


def child_map(maps: ReviewMaps, result: Result, level: str, index: int) -> BandMap | None:
    """The map by band of the units one level below unit ``index`` of ``level`` (the
    division's districts, a district's blocks).

    None when there are none, or when none of them is located and no boundaries were given for
    their level, unless ``level`` is the top (the division page always has its map: tiles when
    nothing is located); the plugins' own units (machines) are drawn by status instead.
    """
    levels = result.framework.levels
    depth = levels.index(level)
    if depth + 1 >= len(levels):
        return None
    child = levels[depth + 1]
    lv = result.level(child)
    rows = np.flatnonzero(lv.parent == index)
    nan = np.full(len(lv), np.nan)
    located = np.isfinite(maps.latitude.get(child, nan)[rows]).any()
    if not len(rows) or (depth > 0 and not located and child not in maps.boundaries):
        return None
    return BandMap(
        level=child,
        codes=lv.codes[rows],
        names=lv.names[rows],
        names_hi=lv.names_hi[rows],
        band=lv.band[rows],
        band_labels=lv.band_labels,
        score=lv.score[rows],
        latitude=maps.latitude.get(child, nan)[rows],
        longitude=maps.longitude.get(child, nan)[rows],
        boundaries=maps.boundaries.get(child),
    )


def review_maps(
    result: Result,
    hierarchy: Hierarchy,
    registry: Registry | None,
    tables: CheckedTables | None = None,
    settings: ActionSettings | None = None,
) -> ReviewMaps:
    """The month's maps from every plugin's locations (none without a registry).

    Args:
        result: the month, scored.
        hierarchy: the unit tree.
        registry: the plugins (``egov_score_locations``).
        tables: the checked raw tables (the coordinates as written).
        settings: the boundaries and geo-tag thresholds (a location failing a check is not
            drawn).
    """
    records = registry.locations(result, hierarchy, tables, settings) if registry else []
    layers = []
    lat_parts: dict[str, list[FloatArray]] = {}
    lon_parts: dict[str, list[FloatArray]] = {}
    owner_parts: dict[str, list[IntArray]] = {}
    for loc in records:  # a loop over plugins' records
        depth = hierarchy.depth(loc.level)
        level = hierarchy.level(loc.level)
        codes = np.asarray(level.codes, dtype=np.str_)
        shown = np.flatnonzero(loc.status >= 0)
        order: dict[str, IntArray] = {}
        starts: dict[str, IntArray] = {}
        for name in hierarchy.level_names[:depth]:  # a loop over levels
            owner = hierarchy.ancestors(loc.level, name)
            n = len(hierarchy.level(name))
            rows = shown[np.lexsort((codes[shown], owner[shown]))]
            order[name] = readonly(rows)
            counts = np.bincount(owner[rows], minlength=n)
            starts[name] = readonly(np.concatenate(([0], np.cumsum(counts))).astype(np.intp))
            lat_parts.setdefault(name, []).append(loc.latitude[shown])
            lon_parts.setdefault(name, []).append(loc.longitude[shown])
            owner_parts.setdefault(name, []).append(owner[shown])
        layers.append(
            _Layer(
                locations=loc,
                codes=codes,
                names=np.asarray(level.names, dtype=np.str_),
                order=order,
                starts=starts,
            )
        )
    latitude, longitude, located = {}, {}, {}
    for name in lat_parts:  # a loop over levels
        n = len(hierarchy.level(name))
        lat, lon, count = group_location(
            np.concatenate(lat_parts[name]),
            np.concatenate(lon_parts[name]),
            np.concatenate(owner_parts[name]),
            n,
        )
        latitude[name], longitude[name], located[name] = readonly(lat), readonly(lon), count
    bounds = dict(settings.boundaries) if settings is not None else {}
    return ReviewMaps(
        latitude=latitude,
        longitude=longitude,
        located=located,
        boundaries=bounds,
        layers=tuple(layers),
    )
