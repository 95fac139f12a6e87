"""The run's record as a file: ``run_results.json`` (like dbt's), written after every run, ok or not.

Its shape is ``schemas/run_results.schema.json``; CI reads it instead of parsing tables.  By
default it is ``.etl-engine/run_results.json`` beside the pipeline, replaced by each run;
``--results PATH`` puts it elsewhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.run_log import now, run_totals, step_record

if TYPE_CHECKING:
    from engine.context import PlannedRun
    from engine.runner import RunResult

SCHEMA_VERSION = 1


def default_path(plan: PlannedRun) -> Path:
    return plan.pipeline.root / ".etl-engine" / "run_results.json"


def run_results(plan: PlannedRun, result: RunResult, wall: float, started_at: str, error: str | None) -> dict[str, Any]:
    from engine import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "engine_version": __version__,
        "pipeline": plan.pipeline.name,
        "pipeline_file": str(plan.pipeline.file),
        "target": plan.target.name,
        "target_type": plan.adapter.name,
        "started_at": started_at,
        "finished_at": now(),
        **run_totals(result, wall, error),
        "steps": [step_record(s) for s in result.steps],
    }


def write(path: Path, data: dict[str, Any]) -> None:
    """Written whole or not at all: a reader never sees half a file."""
    from engine.redact import redact

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(redact(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n", encoding="utf-8")
    os.replace(partial, path)
