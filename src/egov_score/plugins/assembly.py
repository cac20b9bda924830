"""A framework assembled from the schemes' defaults, each scheme a group under ``index``, with
overrides from a dict or a TOML file (``docs/plugins.md``, "The framework from schemes").
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from egov_score.exceptions import FrameworkError
from egov_score.model.framework import Framework
from egov_score.plugins.scheme import Scheme

__all__ = ["framework_from_schemes", "framework_from_toml"]

#: The top group every scheme's group hangs under.
_INDEX = {"code": "index", "name": "e-Governance score", "name_hi": "ई-गवर्नेंस स्कोर"}
#: Keys of the overrides copied into the framework as they are.
_AS_GIVEN = ("bands", "name", "name_hi")


def _as_toml(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's dict as TOML would give it: no empty values, tuples as lists."""
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in record.items()
        if v is not None and v != {} and v != ()
    }


def _method_table(method: Mapping[str, Any]) -> dict[str, Any]:
    """A normalisation or aggregation record as a TOML table: its ``params`` inlined."""
    out = _as_toml(method)
    out.update(out.pop("params", {}))
    return out


def _scheme_nodes(
    scheme: Scheme,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """A scheme's fields, indicators and group, as framework TOML tables."""
    fields = [_as_toml(attrs.asdict(f)) for f in scheme.fields]
    indicators = []
    for ind in scheme.indicators:
        raw = _as_toml(attrs.asdict(ind, recurse=True))
        raw["normalise"] = _method_table(raw["normalise"])
        indicators.append(raw)
    group = {
        "code": scheme.code,
        "name": scheme.name,
        "name_hi": scheme.name_hi,
        "parent": "index",
        "weight": scheme.weight,
        "aggregate": _method_table(attrs.asdict(scheme.aggregate)),
        "min_coverage": scheme.min_coverage,
    }
    return fields, indicators, group


def _apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], source: str) -> None:
    """Set the overridden weights, targets, methods and coverages in framework ``data``."""
    nodes = {n["code"]: n for n in [*data["indicator"], *data["group"]]}
    indicators = {n["code"]: n for n in data["indicator"]}
    groups = {n["code"]: n for n in data["group"]}
    tables: dict[str, tuple[dict[str, Any], str]] = {
        "weights": (nodes, "weight"),
        "targets": (indicators, "target"),
        "normalise": (indicators, "normalise"),
        "aggregate": (groups, "aggregate"),
        "min_coverage": (groups, "min_coverage"),
    }
    unknown = sorted(set(overrides) - set(tables))
    if unknown:
        raise FrameworkError(
            f"override keys must be among {sorted([*tables, 'schemes', 'levels', 'bands'])!r}; "
            f"got {unknown!r} ({source})"
        )
    for key, (targets, attr) in tables.items():
        for code, value in dict(overrides.get(key, {})).items():
            if code not in targets:
                raise FrameworkError(
                    f"[{key}] must name an active code {sorted(targets)!r}; got {code!r} ({source})"
                )
            targets[code][attr] = value


def framework_from_schemes(
    schemes: Mapping[str, Scheme],
    levels: Sequence[str],
    *,
    normalisers: Mapping[str, Callable[..., Any]],
    aggregators: Mapping[str, Callable[..., Any]],
    active: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    source: str = "<schemes>",
) -> Framework:
    """Assemble a framework from the schemes' defaults: each scheme a group under ``index``.

    Args:
        schemes: scheme code -> scheme, in registration order.
        levels: the unit levels, top first.
        normalisers: the normalisation methods a framework may name.
        aggregators: the aggregation methods a framework may name.
        active: the scheme codes to include (default: all, in the order of ``schemes``).
        overrides: ``weights`` (code -> weight), ``targets`` (indicator -> target),
            ``normalise`` (indicator -> table), ``aggregate`` (group -> table),
            ``min_coverage`` (group -> share), ``bands``, ``name``, ``name_hi``.
        source: a name for messages.

    Raises:
        FrameworkError: an unknown scheme or code in the overrides, or any framework rule.
    """
    rest = dict(overrides or {})
    codes = list(schemes) if active is None else list(active)
    unknown = [c for c in codes if c not in schemes]
    if unknown:
        raise FrameworkError(
            f"active schemes must be among {sorted(schemes)!r}; got {unknown!r} ({source})"
        )
    data: dict[str, Any] = {
        "levels": list(levels),
        "field": [],
        "indicator": [],
        "group": [dict(_INDEX)],
    }
    data.update({key: rest.pop(key) for key in _AS_GIVEN if key in rest})
    for code in codes:
        fields, indicators, group = _scheme_nodes(schemes[code])
        data["field"] += fields
        data["indicator"] += indicators
        data["group"].append(group)
    _apply_overrides(data, rest, source)
    return Framework.from_dict(
        data, source=source, normalisers=normalisers, aggregators=aggregators
    )


def framework_from_toml(
    schemes: Mapping[str, Scheme],
    path: str | os.PathLike[str],
    levels: Sequence[str],
    *,
    normalisers: Mapping[str, Callable[..., Any]],
    aggregators: Mapping[str, Callable[..., Any]],
) -> Framework:
    """Load a framework file: a full framework, or (with a ``schemes`` key) overrides of the
    schemes' defaults, assembled by :func:`framework_from_schemes`.

    Args:
        schemes: scheme code -> scheme.
        path: the TOML file.
        levels: the unit levels, top first, unless the file has ``levels``.
        normalisers: the normalisation methods a framework may name.
        aggregators: the aggregation methods a framework may name.

    Raises:
        FrameworkError: the file is absent or not TOML, ``schemes`` is not a list, or as
            :func:`framework_from_schemes` and :meth:`Framework.from_dict`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise FrameworkError(f"framework file must exist; got {str(path)!r}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{path}: framework must be valid TOML; {exc}") from None
    if "schemes" not in data:
        return Framework.from_dict(
            data, source=str(path), text=text, normalisers=normalisers, aggregators=aggregators
        )
    active = data.pop("schemes")
    if not isinstance(active, list):
        raise FrameworkError(f"schemes must be a list of scheme codes; got {active!r} ({path})")
    lv = data.pop("levels", list(levels))
    return framework_from_schemes(
        schemes,
        lv,
        normalisers=normalisers,
        aggregators=aggregators,
        active=active,
        overrides=data,
        source=str(path),
    )
