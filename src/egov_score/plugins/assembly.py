"""A framework assembled from the schemes' defaults, each scheme a group under ``index``, with
overrides from a dict or a TOML file (``docs/plugins.md``, "The framework from schemes").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from egov_score.exceptions import FrameworkError
from egov_score.io.toml import KeyPath, describe_path, did_you_mean, key_lines, located, read_toml
from egov_score.model.framework import Framework, finite_rule
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


#: Each override table: the records it applies to, the key it sets, what its values must be.
_OVERRIDES = {
    "weights": ("node", "weight", "a number"),
    "targets": ("indicator", "target", "a number"),
    "normalise": ("indicator", "normalise", "a method name or a table"),
    "aggregate": ("group", "aggregate", "a method name or a table"),
    "min_coverage": ("group", "min_coverage", "a number"),
}


def _value_problem(value: object, expected: str) -> bool:
    """Whether an override value is not of the ``expected`` kind."""
    if expected == "a number":
        return finite_rule(value, "", "") is not None
    return not isinstance(value, str | Mapping)


def _apply_overrides(
    data: dict[str, Any],
    overrides: Mapping[str, Any],
    source: str,
    lines: Mapping[KeyPath, int],
    original: Mapping[str, Any],
) -> dict[KeyPath, tuple[int, str]]:
    """Set the overridden weights, targets, methods and coverages in framework ``data``.

    Returns:
        The line and words of each framework key path an override set (``("group", 1,
        "weight")`` -> ``(5, "[weights], key 'pension'")``), for the framework's messages.
    """
    where: dict[str, tuple[str, int]] = {}
    for kind in ("indicator", "group"):
        where.update({n["code"]: (kind, i) for i, n in enumerate(data[kind])})
    unknown = sorted(
        (k for k in overrides if k not in _OVERRIDES), key=lambda k: (lines.get((k,), 0), k)
    )
    if unknown:
        allowed = sorted([*_OVERRIDES, "schemes", "levels", "bands", "name", "name_hi"])
        raise FrameworkError(
            f"override keys must be among {allowed!r}; got {unknown!r}"
            + did_you_mean(unknown[0], allowed)
            + located(source, lines, (unknown[0],), original)
        )
    spots: dict[KeyPath, tuple[int, str]] = {}
    for key, (kind, attr, expected) in _OVERRIDES.items():
        table = overrides.get(key, {})
        if not isinstance(table, Mapping):
            raise FrameworkError(
                f"[{key}] must be a table of code = {expected.removeprefix('a ')}; got {table!r}"
                + located(source, lines, (key,), original)
            )
        active = sorted(c for c, (k, _) in where.items() if kind in ("node", k))
        for code, value in table.items():
            if code not in active:
                raise FrameworkError(
                    f"[{key}] must name an active code {active!r}; got {code!r}"
                    + did_you_mean(code, active)
                    + located(source, lines, (key, code), original)
                )
            if _value_problem(value, expected):
                raise FrameworkError(
                    f"[{key}] {code} must be {expected}; got {value!r}"
                    + located(source, lines, (key, code), original)
                )
            node_kind, index = where[code]
            data[node_kind][index][attr] = value
            spots.update(
                ((node_kind, index, attr, *path[2:]), (line, describe_path(path, original)))
                for path, line in lines.items()
                if path[:2] == (key, code)
            )
    spots.update(
        (path, (line, describe_path(path, original)))
        for path, line in lines.items()
        if path[0] in (*_AS_GIVEN, "levels")
    )
    return spots


def framework_from_schemes(
    schemes: Mapping[str, Scheme],
    levels: Sequence[str],
    *,
    normalisers: Mapping[str, Callable[..., Any]],
    aggregators: Mapping[str, Callable[..., Any]],
    active: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    source: str = "<schemes>",
    lines: Mapping[KeyPath, int] | None = None,
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
        lines: the line of each key path of the overrides, when they were read from the TOML
            file ``source`` (see :func:`~egov_score.io.toml.key_lines`), for messages.

    Raises:
        FrameworkError: an unknown scheme or code in the overrides, a value of the wrong type,
            or any framework rule; with the file and line where ``lines`` has them.
    """
    lines = lines or {}
    original = dict(overrides or {})
    rest = dict(original)
    codes = list(schemes) if active is None else list(active)
    if not codes:
        raise FrameworkError(
            f"schemes must list at least one of {sorted(schemes)!r}; got []"
            + located(source, lines, ("schemes",), original)
        )
    for n, code in enumerate(codes):
        if not isinstance(code, str) or code not in schemes:
            raise FrameworkError(
                f"active schemes must be among {sorted(schemes)!r}; got {[code]!r}"
                + did_you_mean(code, schemes)
                + located(source, lines, ("schemes", n), original)
            )
        if code in codes[:n]:
            raise FrameworkError(
                f"active schemes must be listed once each; got {code!r} twice"
                + located(source, lines, ("schemes", n), original)
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
    spots = _apply_overrides(data, rest, source, lines, original)
    return Framework.from_dict(
        data, source=source, lines=spots, normalisers=normalisers, aggregators=aggregators
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
    data, text = read_toml(path, "framework file")
    source = str(path)
    lines = key_lines(text)
    if "schemes" not in data:
        overriding = sorted(set(data) & set(_OVERRIDES), key=lambda k: (lines.get((k,), 0), k))
        if overriding:
            raise FrameworkError(
                f"an overrides file must list its schemes (schemes = [...]); got {overriding!r} "
                f"without 'schemes'" + located(source, lines, (overriding[0],), data)
            )
        return Framework.from_dict(
            data, source=source, text=text, normalisers=normalisers, aggregators=aggregators
        )
    active = data.pop("schemes")
    if not isinstance(active, list):
        raise FrameworkError(
            f"schemes must be a list of scheme codes; got {active!r}"
            + located(source, lines, ("schemes",), data)
        )
    lv = data.pop("levels", list(levels))
    if not isinstance(lv, list):
        raise FrameworkError(
            f"levels must be a non-empty list of level names; got {lv!r}"
            + located(source, lines, ("levels",), data)
        )
    return framework_from_schemes(
        schemes,
        lv,
        normalisers=normalisers,
        aggregators=aggregators,
        active=active,
        overrides=data,
        source=source,
        lines=lines,
    )
