"""etl-engine: declarative star-schema ELT.

The public API, imported lazily so ``etl-engine validate`` stays instant::

    from engine import load_pipeline, build_plan, run_plan
    plan = build_plan(load_pipeline("pipeline.yaml"))
    result = run_plan(plan)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["build_plan", "load_pipeline", "run_plan"]

if TYPE_CHECKING:
    from engine.config import load_pipeline
    from engine.plan import build_plan
    from engine.runner import run_plan

_LAZY = {"load_pipeline": "engine.config", "build_plan": "engine.plan", "run_plan": "engine.runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
