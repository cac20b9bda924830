"""The record a scheme plugin returns for the maps: where its units are, and their status.

Which units have a location, and what status colours them, is the plugins' knowledge: the
e-Mitra plugin answers ``egov_score_locations`` with its machines' geo-tags (those that pass
the geo-tag checks) and whether each installed machine transacts. The review layer places the
units above them (a district's dot is the median of its machines) and the render layer draws
them (``render/maps.py``).
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import numpy as np

from egov_score._arrays import FloatArray, IntArray, array_eq, readonly
from egov_score.exceptions import PluginError

__all__ = ["Locations"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _floats(value: Any) -> Any:
    return readonly(np.array(value, dtype=np.float64)) if isinstance(value, np.ndarray) else value


def _ints(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return readonly(np.array(value, dtype=np.intp))
    return value


@attrs.frozen(kw_only=True)
class Locations:
    """Where each unit of one level is, as one plugin knows it, and its status.

    Attributes:
        key: a stable identifier, ``"<plugin>.<name>"`` (``emitra.machines``).
        level: the level of the units (``machine``).
        latitude, longitude: degrees per unit of ``level`` (float64); NaN where the unit has
            no usable location (not geo-tagged, or its geo-tag fails a check).
        status: per unit, an index into ``labels``; -1 for a unit the map neither draws nor
            counts (a machine not installed).
        labels: one message id per status, in legend order (``emitra.status.transacting``).
        unlocated: the message id of the legend line counting units with a status but no
            location (``emitra.map.unlocated``).
    """

    key: str
    level: str
    latitude: FloatArray = attrs.field(converter=_floats, eq=array_eq)
    longitude: FloatArray = attrs.field(converter=_floats, eq=array_eq)
    status: IntArray = attrs.field(converter=_ints, eq=array_eq)
    labels: tuple[str, ...]
    unlocated: str

    def __attrs_post_init__(self) -> None:
        problem = self._problem()
        if problem is not None:
            raise PluginError(problem)

    def _problem(self) -> str | None:
        """The first rule the record breaks, in words, or None."""
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            return f"a locations key must be '<plugin>.<name>' in lower case; got {self.key!r}"
        who = f"locations {self.key!r}"
        if not isinstance(self.level, str) or not self.level:
            return f"{who}: level must be a non-empty string; got {self.level!r}"
        labels_ok = isinstance(self.labels, tuple) and all(
            isinstance(x, str) and x for x in self.labels
        )
        if not labels_ok or not self.labels:
            return f"{who}: labels must be a non-empty tuple of message ids; got {self.labels!r}"
        if not isinstance(self.unlocated, str) or not self.unlocated:
            return f"{who}: unlocated must be a message id; got {self.unlocated!r}"
        for name in ("latitude", "longitude", "status"):
            col = getattr(self, name)
            if not isinstance(col, np.ndarray) or col.ndim != 1:
                return f"{who}: {name} must be a 1-d numpy array; got {type(col).__name__}"
        if self.status.dtype.kind not in "iu":
            return f"{who}: status must be an integer array; got {self.status.dtype}"
        lengths = {len(self.latitude), len(self.longitude), len(self.status)}
        if len(lengths) > 1:
            return (
                f"{who}: every column must have one value per unit; got lengths {sorted(lengths)}"
            )
        for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
            col = getattr(self, name)
            with np.errstate(invalid="ignore"):
                bad = np.flatnonzero(~np.isnan(col) & ~(np.abs(col) <= limit))
            if len(bad):
                return (
                    f"{who}: {name} must lie in [-{limit:g}, {limit:g}] or be NaN; got "
                    f"{float(col[bad[0]])!r} for unit {int(bad[0])}"
                )
        bad = np.flatnonzero((self.status < -1) | (self.status >= len(self.labels)))
        if len(bad):
            return (
                f"{who}: status must be -1 or an index into labels (0 to {len(self.labels) - 1});"
                f" got {int(self.status[bad[0]])} for unit {int(bad[0])}"
            )
        return None

    @property
    def n_units(self) -> int:
        """The number of units the columns cover."""
        return len(self.status)

    @property
    def located(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Where a unit with a status has both coordinates (what a map draws)."""
        located: np.ndarray[Any, np.dtype[np.bool_]] = (
            (self.status >= 0) & np.isfinite(self.latitude) & np.isfinite(self.longitude)
        )
        return located
