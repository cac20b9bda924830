"""What a set of plugins declares: their schemes, their normalisation and aggregation methods,
and a description of each plugin. Every name must be unique; a clash names both plugins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import attrs
import pluggy

from egov_score.exceptions import PluginError
from egov_score.plugins.contracts import (
    NORMALISERS_HOOK,
    CheckedAggregator,
    CheckedNormaliser,
)
from egov_score.plugins.hooks import call_all, records_of
from egov_score.plugins.scheme import Scheme

__all__ = ["BUILTIN_SOURCE", "PluginInfo", "describe_plugins", "gather_methods", "gather_schemes"]

#: How messages name the methods egov_score itself provides.
BUILTIN_SOURCE = "egov_score (built in)"


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One registered plugin, for ``egov-score plugins``.

    Attributes:
        name: the name it is registered under.
        package: the distribution it comes from (``egov-score`` for the built-ins).
        version: that distribution's version.
        schemes: the codes of the schemes it declares.
    """

    name: str
    package: str
    version: str
    schemes: tuple[str, ...]


def _check_field_codes(
    scheme: Scheme, plugin: str, field_owner: dict[str, tuple[str, str]]
) -> None:
    """Record ``scheme``'s field and indicator codes, refusing one another scheme took."""
    for code in [f.code for f in scheme.fields] + [i.code for i in scheme.indicators]:
        if code in field_owner and field_owner[code][0] != scheme.code:
            other_scheme, other_plugin = field_owner[code]
            raise PluginError(
                f"field and indicator codes must be unique across schemes; {code!r} "
                f"is declared by plugin {other_plugin!r} (scheme {other_scheme!r}) "
                f"and plugin {plugin!r} (scheme {scheme.code!r})"
            )
        field_owner[code] = (scheme.code, plugin)


def gather_schemes(pm: pluggy.PluginManager) -> tuple[dict[str, Scheme], dict[str, str]]:
    """Every plugin's schemes (hook ``egov_score_schemes``), in plugin registration order.

    Returns:
        scheme code -> scheme, and scheme code -> the name of the plugin declaring it.

    Raises:
        PluginError: a plugin returned something other than schemes, or two plugins declare the
            same scheme, field or indicator code (naming both).
    """
    schemes: dict[str, Scheme] = {}
    owner: dict[str, str] = {}
    field_owner: dict[str, tuple[str, str]] = {}
    for plugin, declared in call_all(pm, "egov_score_schemes"):
        for scheme in records_of(plugin, "egov_score_schemes", declared, Scheme):
            if scheme.code in schemes:
                raise PluginError(
                    f"scheme codes must be unique; {scheme.code!r} is declared by plugins "
                    f"{owner[scheme.code]!r} and {plugin!r}"
                )
            _check_field_codes(scheme, plugin, field_owner)
            schemes[scheme.code] = scheme
            owner[scheme.code] = plugin
    return schemes, owner


def gather_methods(
    pm: pluggy.PluginManager, hook: str, builtin: Mapping[str, Callable[..., Any]]
) -> dict[str, Any]:
    """The built-in methods plus every plugin's (hook ``egov_score_normalisers`` or
    ``egov_score_aggregators``).

    Every plugin method comes wrapped in a :class:`~egov_score.plugins.contracts.
    CheckedNormaliser` or :class:`~egov_score.plugins.contracts.CheckedAggregator`, so each
    call of it is contained and its result checked.

    Raises:
        PluginError: a name is taken twice (naming both providers), a method is not callable,
            or the hook returned something other than a mapping of names to functions.
    """
    methods: dict[str, Any] = dict(builtin)
    source = dict.fromkeys(builtin, BUILTIN_SOURCE)
    checked = CheckedNormaliser if hook == NORMALISERS_HOOK else CheckedAggregator
    for plugin, contributed in call_all(pm, hook):
        if not isinstance(contributed, Mapping):
            raise PluginError(
                f"plugin {plugin!r}, hook {hook!r}: must return a mapping of method name -> "
                f"function; got {type(contributed).__name__}"
            )
        for name, fn in contributed.items():
            if not isinstance(name, str) or not name:
                raise PluginError(
                    f"plugin {plugin!r}, hook {hook!r}: method names must be non-empty "
                    f"strings; got {name!r}"
                )
            if name in methods:
                raise PluginError(
                    f"method names must be unique; {name!r} from plugin {plugin!r} is "
                    f"already provided by {source[name]!r}"
                )
            if not callable(fn):
                raise PluginError(
                    f"plugin {plugin!r}, hook {hook!r}: method {name!r} must be callable; "
                    f"got {type(fn).__name__}"
                )
            methods[name] = checked(plugin, name, fn)
            source[name] = f"plugin {plugin!r}"
    return methods


def _package_version(dist: Any) -> tuple[str, str]:
    if dist is not None:
        return str(dist.project_name), str(dist.version)
    try:
        return "egov-score", metadata.version("egov-score")
    except metadata.PackageNotFoundError:  # a source tree
        return "egov-score", "0+unknown"


def describe_plugins(pm: pluggy.PluginManager, owner: Mapping[str, str]) -> list[PluginInfo]:
    """Every registered plugin with its package, version and schemes, in registration order.

    Args:
        pm: the plugin manager.
        owner: scheme code -> the name of the plugin declaring it.
    """
    dists = {id(p): d for p, d in pm.list_plugin_distinfo()}
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        package, version = _package_version(dists.get(id(plugin)))
        schemes = tuple(s for s, by in owner.items() if by == name)
        out.append(PluginInfo(name=name, package=package, version=version, schemes=schemes))
    return out
