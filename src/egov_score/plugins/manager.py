"""The plugin manager: the hook specifications, the built-in plugins and discovery.

There is no process-global plugin manager: :func:`make_plugin_manager` builds a fresh one, so
two apps in one process can use different plugin sets. Built-in plugins
(:data:`DEFAULT_PLUGINS`) are registered by the same code path as third-party ones, then the
entry-point group ``egov_score`` is loaded unless the environment variable
:data:`DISABLE_AUTOLOAD_ENV` is set, then the plugins the caller passes.
"""

from __future__ import annotations

import importlib
import os
import types
from collections.abc import Iterable
from importlib import metadata

import pluggy

from egov_score.exceptions import PluginError
from egov_score.plugins import hookspecs

__all__ = ["DEFAULT_PLUGINS", "DISABLE_AUTOLOAD_ENV", "load_entry_points", "make_plugin_manager"]

#: The built-in scheme plugins, registered exactly as third-party plugins are.
DEFAULT_PLUGINS = (
    "egov_score.plugins.builtin.emitra",
    "egov_score.plugins.builtin.pension",
    "egov_score.plugins.builtin.housing",
    "egov_score.plugins.builtin.nrega",
    "egov_score.plugins.builtin.slwm",
    "egov_score.plugins.builtin.sampark",
)
#: Set this environment variable (to anything non-empty) to skip entry-point plugins.
DISABLE_AUTOLOAD_ENV = "EGOV_SCORE_DISABLE_PLUGIN_AUTOLOAD"


def _short_name(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def _distribution_name(dist: metadata.Distribution) -> str:
    name = dist.metadata["Name"] if dist.metadata is not None else None
    return f"{name or '?'} {dist.version}"


def load_entry_points(pm: pluggy.PluginManager) -> None:
    """Register the plugins of the entry-point group ``egov_score``, one entry point at a time
    (through pluggy, which records each one's distribution), skipping blocked names.

    Raises:
        PluginError: an entry point failed to import or register, naming the entry point,
            its distribution and the error, with how to keep it out.
    """
    for dist in metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != hookspecs.PROJECT or pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            try:
                pm.load_setuptools_entrypoints(hookspecs.PROJECT, name=ep.name)
            except Exception as exc:
                raise PluginError(
                    f"entry-point plugin {ep.name!r} (distribution {_distribution_name(dist)}, "
                    f"{ep.value}) must import and register; got {exc!r}. Fix or uninstall it, "
                    f"or keep it out: --block {ep.name} (make_plugin_manager(block="
                    f"[{ep.name!r}])), or {DISABLE_AUTOLOAD_ENV}=1 for every entry point"
                ) from exc


def _plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    """A readable name for a caller's plugin object, so messages can name it: a module's name,
    else its class's name (``MyPlugin``), numbered if that name is taken
    (``MyPlugin-2``)."""
    if isinstance(plugin, types.ModuleType):
        base = plugin.__name__
    else:
        base = getattr(plugin, "__name__", None) or type(plugin).__name__
    name, n = base, 1
    while pm.has_plugin(name) or pm.is_blocked(name):
        n += 1
        name = f"{base}-{n}"
    return name


def make_plugin_manager(
    plugins: Iterable[object] = (),
    *,
    block: Iterable[str] = (),
    autoload: bool | None = None,
    builtins: bool = True,
) -> pluggy.PluginManager:
    """Build a fresh plugin manager.

    Args:
        plugins: further plugin objects or modules to register, after the others.
        block: plugin names not to register: a built-in's short name (``"pension"``) or an
            entry point's name.
        autoload: load the ``egov_score`` entry points; default: yes unless
            ``EGOV_SCORE_DISABLE_PLUGIN_AUTOLOAD`` is set.
        builtins: register :data:`DEFAULT_PLUGINS`.

    Raises:
        PluginError: a plugin implements a hook that does not exist (a misspelled hook name),
            or an entry-point plugin fails to import (:func:`load_entry_points`).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in block:
        pm.set_blocked(name)
    if builtins:
        for module in DEFAULT_PLUGINS:
            name = _short_name(module)
            if not pm.is_blocked(name):
                pm.register(importlib.import_module(module), name=name)
    if autoload is None:
        autoload = not os.environ.get(DISABLE_AUTOLOAD_ENV)
    if autoload:
        load_entry_points(pm)
    for plugin in plugins:
        pm.register(plugin, name=_plugin_name(pm, plugin))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from None
    return pm
