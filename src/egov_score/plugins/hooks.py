"""Calling hooks plugin by plugin, in pluggy's order, so a failure names the plugin that failed.

pluggy calls a hook's implementations last-registered first, with ``tryfirst`` ones before and
``trylast`` ones after the rest (`pluggy's call order
<https://pluggy.readthedocs.io/en/stable/#call-time-order>`_). These helpers walk the
implementations in exactly that order, one at a time, instead of ``pm.hook.<name>(...)``, so an
exception is re-raised as a :class:`~egov_score.exceptions.PluginError` naming the plugin and
the hook. Hook wrappers (``wrapper=True`` or ``hookwrapper=True``) are not supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import pluggy

from egov_score.exceptions import PluginError

__all__ = [
    "Answer",
    "call_all",
    "call_first",
    "call_order",
    "collect_records",
    "plugin_name",
    "records_of",
    "reject_wrappers",
]

#: One plugin's non-None result of a hook: (plugin name, result).
Answer = tuple[str, Any]

_R = TypeVar("_R")


def plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    """The name ``plugin`` is registered under in ``pm`` (its ``repr`` if it has none)."""
    return pm.get_name(plugin) or repr(plugin)


def _wrapper_error(pm: pluggy.PluginManager, hook: str, impl: pluggy.HookImpl) -> PluginError:
    style = "wrapper=True" if impl.wrapper else "hookwrapper=True"
    return PluginError(
        f"plugin {plugin_name(pm, impl.plugin)!r}, hook {hook!r}: hook wrappers are not "
        f"supported, a hook implementation must return its result; got {style}"
    )


def reject_wrappers(pm: pluggy.PluginManager) -> None:
    """Refuse a plugin manager in which any plugin implements a hook as a wrapper.

    Raises:
        PluginError: naming the first such plugin and hook, in registration order.
    """
    for _, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        for caller in pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    raise _wrapper_error(pm, caller.name, impl)


def call_order(pm: pluggy.PluginManager, hook: str) -> list[pluggy.HookImpl]:
    """The implementations of ``hook`` in the order pluggy would call them.

    Raises:
        PluginError: an implementation is a hook wrapper.
    """
    impls: list[pluggy.HookImpl] = getattr(pm.hook, hook).get_hookimpls()
    for impl in impls:
        if impl.wrapper or impl.hookwrapper:
            raise _wrapper_error(pm, hook, impl)
    return impls[::-1]  # pluggy keeps them last-to-call first


def _call_one(
    pm: pluggy.PluginManager, hook: str, impl: pluggy.HookImpl, kwargs: Mapping[str, Any]
) -> Any:
    try:
        return impl.function(*(kwargs[a] for a in impl.argnames))
    except Exception as exc:
        name = plugin_name(pm, impl.plugin)
        raise PluginError(f"plugin {name!r} failed in hook {hook!r}: {exc!r}") from exc


def call_all(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> list[Answer]:
    """Call every implementation of a collect-all ``hook`` in pluggy's order.

    Returns:
        The non-None results, in plugin registration order, so what the caller combines from
        them does not change when a plugin asks to be called first or last.

    Raises:
        PluginError: a plugin raised (naming it and the hook), or implements a hook wrapper.
    """
    answers = []
    for impl in call_order(pm, hook):
        result = _call_one(pm, hook, impl, kwargs)
        if result is not None:
            answers.append((plugin_name(pm, impl.plugin), result))
    position = {name: i for i, (name, _) in enumerate(pm.list_name_plugin())}
    return sorted(answers, key=lambda answer: position.get(answer[0], len(position)))


def collect_records(
    pm: pluggy.PluginManager, hook: str, record: type[_R], **kwargs: Any
) -> list[_R]:
    """Call a collect-all ``hook`` whose implementations return sequences of ``record``, and
    join their answers in plugin registration order.

    Raises:
        PluginError: a plugin raised, or returned something other than ``record`` records
            (naming the plugin, the hook and what it returned).
    """
    out: list[_R] = []
    for plugin, returned in call_all(pm, hook, **kwargs):
        out.extend(records_of(plugin, hook, returned, record))
    return out


def records_of(plugin: str, hook: str, returned: Any, record: type[_R]) -> list[_R]:
    """One plugin's answer to a hook that returns a sequence of ``record``, checked.

    Raises:
        PluginError: ``returned`` is not a list or tuple of ``record`` records (naming the
            plugin, the hook and what it returned).
    """
    if not isinstance(returned, list | tuple):
        raise PluginError(
            f"plugin {plugin!r}, hook {hook!r}: must return a list of {record.__name__} "
            f"records; got {type(returned).__name__}"
        )
    for item in returned:
        if not isinstance(item, record):
            raise PluginError(
                f"plugin {plugin!r}, hook {hook!r}: must return {record.__name__} records; "
                f"got {type(item).__name__}"
            )
    return list(returned)


def call_first(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> Answer | None:
    """Call a ``firstresult`` ``hook`` in pluggy's order until one plugin returns non-None.

    Returns:
        That plugin's answer, or None if none answered.

    Raises:
        PluginError: a plugin raised (naming it and the hook), or implements a hook wrapper.
    """
    for impl in call_order(pm, hook):
        result = _call_one(pm, hook, impl, kwargs)
        if result is not None:
            return plugin_name(pm, impl.plugin), result
    return None
