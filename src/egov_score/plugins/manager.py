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
from collections.abc import Iterable

import pluggy

from egov_score.exceptions import PluginError
from egov_score.plugins import hookspecs

__all__ = ["DEFAULT_PLUGINS", "DISABLE_AUTOLOAD_ENV", "make_plugin_manager"]

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
        PluginError: a plugin implements a hook that does not exist (a misspelled hook name).
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
        try:
            pm.load_setuptools_entrypoints(hookspecs.PROJECT)
        except Exception as exc:
            raise PluginError(f"an entry-point plugin failed to load: {exc!r}") from exc
    for plugin in plugins:
        pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from None
    return pm
