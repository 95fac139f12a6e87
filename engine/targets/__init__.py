"""Target adapters, found by name: ``type: duckdb`` loads ``engine.targets.duckdb``.

A new warehouse is one module here (defining ``ADAPTER``) plus one template
folder; nothing else changes, because nothing else names a warehouse.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from engine.errors import ConfigError, Issue, Location

if TYPE_CHECKING:
    from engine.targets.base import Adapter


def available() -> list[str]:
    """The target types this installation knows."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")


def adapter_class(type_name: str, where: Location | None = None) -> type[Adapter]:
    """The adapter class for a target ``type``, imported only when asked for."""
    if type_name not in available():
        from engine.validate import suggest

        raise ConfigError([Issue(f"unknown target type '{type_name}'", where or Location(None),
                                 suggest(type_name, available()) or f"known types: {', '.join(available())}")])
    module = importlib.import_module(f"engine.targets.{type_name}")
    cls: type[Adapter] = module.ADAPTER
    return cls
