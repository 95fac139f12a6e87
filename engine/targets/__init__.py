"""Target adapters, found by ``type:``: registered ones, the engine's own modules here
(``type: duckdb`` loads ``engine.targets.duckdb``), then installed plugins.

A new warehouse is one adapter class plus one template folder; nothing else changes, because
nothing else names a warehouse.  It plugs in without editing the engine in either of two ways:
``register("name", AdapterClass)`` from Python, or a package that declares the entry point
``[project.entry-points."etl_engine.targets"] name = "module:AdapterClass"``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from engine.errors import ConfigError, Issue, Location

if TYPE_CHECKING:
    from engine.targets.base import Adapter

_REGISTERED: dict[str, type[Adapter]] = {}
_MODULES_NOT_ADAPTERS = {"base", "contract"}


def register(type_name: str, cls: type[Adapter]) -> None:
    """Make ``type: type_name`` in a pipeline file mean ``cls`` (tests, embedding applications)."""
    _REGISTERED[type_name] = cls


def unregister(type_name: str) -> None:
    _REGISTERED.pop(type_name, None)


def _builtin() -> list[str]:
    # a module whose name starts with _ is a helper of an adapter, not one
    return [
        m.name
        for m in pkgutil.iter_modules(__path__)
        if m.name not in _MODULES_NOT_ADAPTERS and not m.name.startswith("_")
    ]


def _plugins() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="etl_engine.targets")}


def available() -> list[str]:
    """The target types this installation knows."""
    return sorted({*_REGISTERED, *_builtin(), *_plugins()})


def adapter_class(type_name: str, where: Location | None = None) -> type[Adapter]:
    """The adapter class for a target ``type``, imported only when asked for."""
    if type_name in _REGISTERED:
        return _REGISTERED[type_name]
    if type_name in _builtin():
        cls: type[Adapter] = importlib.import_module(f"engine.targets.{type_name}").ADAPTER
        return cls
    plugins = _plugins()
    if type_name in plugins:
        module, _, attr = plugins[type_name].partition(":")
        plugin: type[Adapter] = getattr(importlib.import_module(module), attr or "ADAPTER")
        return plugin
    from engine.validate import suggest

    raise ConfigError(
        [
            Issue(
                f"unknown target type '{type_name}'",
                where or Location(None),
                suggest(type_name, available()) or f"known types: {', '.join(available())}",
            )
        ]
    )
