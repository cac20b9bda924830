"""The record a scheme plugin returns for the action lists: its reasons for action, unit by unit.

Which reasons exist is the plugins' knowledge, not the review's: each plugin answers
``egov_score_action_reasons`` with :class:`ActionReasons` records (one boolean column per reason
over every unit of one level, the reasons' message ids, and optional text columns such as the
nodal officer's name), and the review layer builds the lists per block and district from them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from egov_score._arrays import StrArray, columns_eq, readonly
from egov_score.exceptions import InputError, PluginError
from egov_score.io.geojson import Boundaries
from egov_score.kernels.geo import GeoSettings

__all__ = ["ActionReasons", "ActionSettings"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _frozen_columns(columns: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict of read-only copies of ``columns`` (non-arrays kept, for the checks)."""
    if not isinstance(columns, Mapping):
        return columns  # refused with words in the checks
    return {
        k: readonly(np.array(v)) if isinstance(v, np.ndarray) else v for k, v in columns.items()
    }


def _boundaries(value: Mapping[str, Boundaries]) -> Mapping[str, Boundaries]:
    """A plain dict copy of the level -> boundaries map (refused with words when not one)."""
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Boundaries) for k, v in value.items()
    ):
        raise InputError(
            f"boundaries must map level names to Boundaries (read_boundaries); got {value!r}"
        )
    return dict(value)


@attrs.frozen(kw_only=True)
class ActionSettings:
    """What the user chose for the action lists' checks, passed to every plugin's
    ``egov_score_action_reasons``.

    Attributes:
        boundaries: level name (``district``, ``block``) -> that level's unit polygons
            (:func:`~egov_score.io.geojson.read_boundaries`); each level given adds the check
            that a machine's geo-tag lies inside its own unit. Empty: no such check.
        geo: the thresholds of the geo-tag checks (:class:`~egov_score.kernels.geo.GeoSettings`).
    """

    boundaries: Mapping[str, Boundaries] = attrs.field(factory=dict, converter=_boundaries)
    geo: GeoSettings = attrs.field(factory=GeoSettings)


@attrs.frozen(kw_only=True)
class ActionReasons:
    """Why each unit of one level needs action, as one plugin sees it.

    Attributes:
        key: a stable identifier, ``"<plugin>.<name>"``.
        level: the level of the units (``machine`` for e-Mitra).
        reasons: the reason codes, lower-case identifiers (``not_inspected``), in the order
            the lists show their columns.
        labels: one message id per reason (``emitra.not_inspected``), for the cards' words.
        flags: reason code -> bool array over every unit of ``level`` (True: needs action for
            that reason).
        details: column name -> text per unit of ``level`` (``""`` = not known), shown beside
            the reasons (the nodal officer's name and phone).
        detail_labels: one message id per detail column, for the cards' words.
    """

    key: str
    level: str
    reasons: tuple[str, ...]
    labels: tuple[str, ...]
    flags: Mapping[str, np.ndarray[Any, Any]] = attrs.field(
        converter=_frozen_columns, eq=columns_eq
    )
    details: Mapping[str, StrArray] = attrs.field(
        factory=dict, converter=_frozen_columns, eq=columns_eq
    )
    detail_labels: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        problem = self._problem()
        if problem is not None:
            raise PluginError(problem)

    def _problem(self) -> str | None:
        """The first rule the record breaks, in words, or None."""
        if not isinstance(self.key, str) or not self.key:
            return f"an action-reasons key must be a non-empty string; got {self.key!r}"
        who = f"action reasons {self.key!r}"
        if not isinstance(self.level, str) or not self.level:
            return f"{who}: level must be a non-empty string; got {self.level!r}"
        for name, items in (
            ("reasons", self.reasons),
            ("labels", self.labels),
            ("detail_labels", self.detail_labels),
        ):
            if not isinstance(items, tuple) or not all(isinstance(x, str) and x for x in items):
                return f"{who}: {name} must be a tuple of non-empty strings; got {items!r}"
        bad = next((r for r in self.reasons if not _CODE.match(r)), None)
        if bad is not None:
            return f"{who}: a reason code must be a lower-case identifier; got {bad!r}"
        if len(set(self.reasons)) < len(self.reasons):
            return f"{who}: reason codes must be unique; got {list(self.reasons)!r}"
        if len(self.labels) != len(self.reasons):
            return (
                f"{who}: labels must give one message id per reason ({len(self.reasons)}); "
                f"got {len(self.labels)}"
            )
        if not isinstance(self.flags, Mapping) or list(self.flags) != list(self.reasons):
            got = list(self.flags) if isinstance(self.flags, Mapping) else self.flags
            return f"{who}: flags must hold one column per reason, in order; got {got!r}"
        if not isinstance(self.details, Mapping):
            return f"{who}: details must map column names to text columns; got {self.details!r}"
        if len(self.detail_labels) != len(self.details):
            return (
                f"{who}: detail_labels must give one message id per detail column "
                f"({len(self.details)}); got {len(self.detail_labels)}"
            )
        clash = sorted(set(self.details) & set(self.reasons))
        if clash:
            return f"{who}: a detail column may not share a reason's name; got {clash!r}"
        lengths = set()
        for name, col in self.flags.items():
            if not isinstance(col, np.ndarray) or col.dtype != np.bool_ or col.ndim != 1:
                shown = getattr(col, "dtype", type(col).__name__)
                return f"{who}: flag {name!r} must be a 1-d bool array; got {shown}"
            lengths.add(len(col))
        for name, col in self.details.items():
            if not isinstance(name, str) or not name:
                return f"{who}: a detail column needs a non-empty name; got {name!r}"
            if not isinstance(col, np.ndarray) or col.dtype.kind != "U" or col.ndim != 1:
                shown = getattr(col, "dtype", type(col).__name__)
                return f"{who}: detail {name!r} must be a 1-d str array; got {shown}"
            lengths.add(len(col))
        if len(lengths) > 1:
            shown = sorted(lengths)
            return f"{who}: every column must have one value per unit; got lengths {shown}"
        return None

    @property
    def n_units(self) -> int:
        """The number of units the columns cover (0 with no reasons)."""
        return len(next(iter(self.flags.values()))) if self.flags else 0

    def matrix(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """The flags as a units x reasons bool matrix."""
        if not self.reasons:
            return np.zeros((self.n_units, 0), dtype=bool)
        return np.column_stack([self.flags[r] for r in self.reasons])
