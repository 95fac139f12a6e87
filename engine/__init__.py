"""etl-engine: declarative star-schema ELT.

The public API (engine/api.py), imported lazily so ``etl-engine validate`` stays instant::

    from engine import Pipeline
    result = Pipeline.load("pipeline.yaml").plan(target="local").run()

The lower-level pieces stay importable: ``load_pipeline`` (the typed model), ``build_plan``
(a ``PlannedRun``: the plain-data ``Plan`` and its run context) and ``run_plan``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Pipeline", "build_plan", "load_pipeline", "run_plan"]

if TYPE_CHECKING:
    from engine.api import Pipeline
    from engine.config import load_pipeline
    from engine.plan import build_plan
    from engine.runner import run_plan

_LAZY = {"Pipeline": "engine.api", "load_pipeline": "engine.config", "build_plan": "engine.plan",
         "run_plan": "engine.runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
