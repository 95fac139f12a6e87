"""etl-engine: declarative star-schema ELT.

The public API (engine/api.py), imported lazily so ``etl-engine validate`` stays instant::

    from engine import Pipeline
    result = Pipeline.load("pipeline.yaml").plan(target="local").run()

The lower-level pieces stay importable: ``load_pipeline`` (the typed model), ``build_plan``
(a ``PlannedRun``: the plain-data ``Plan`` and its run context) and ``run_plan``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any


def _age() -> float:
    """Seconds since this process started (Linux: /proc), so the interpreter's own start-up counts too."""
    try:
        import os

        with open("/proc/self/stat", "rb") as stat, open("/proc/uptime", "rb") as up:
            started = int(stat.read().rsplit(b")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
            return max(0.0, float(up.read().split()[0]) - started)
    except (OSError, ValueError, IndexError):
        return 0.0


#: when the process started, on the perf_counter clock: a run's summary totals the whole command's time
STARTED = time.perf_counter() - _age()
__version__ = "0.1.0"
__all__ = ["Pipeline", "build_plan", "load_pipeline", "run_plan"]

if TYPE_CHECKING:
    from engine.api import Pipeline
    from engine.config import load_pipeline
    from engine.plan import build_plan
    from engine.runner import run_plan

_LAZY = {
    "Pipeline": "engine.api",
    "load_pipeline": "engine.config",
    "build_plan": "engine.plan",
    "run_plan": "engine.runner",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
