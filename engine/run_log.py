"""``--log-format json``: one JSON object per line on stderr for each event of a run.

Events: ``run_start``, ``step_start``, ``step_end`` (status, rows, rejected, seconds, the check's
verdict) and ``run_end`` (the same totals as the summary table).  Messages are redacted like
everything else the engine prints.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from engine.plan import Step
    from engine.runner import RunResult, StepResult


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def step_record(result: StepResult) -> dict[str, Any]:
    """A finished step as plain data: the same fields in the log, the artifact and the summary."""
    step = result.step
    check = result.check
    return {
        "step": step.id,
        "kind": step.kind,
        "table": step.table,
        "status": result.status,
        "rows": result.rows,
        "rejected": result.rejected,
        "files": result.files,
        "bytes": result.bytes,
        "seconds": round(result.seconds, 4),
        "notes": list(result.notes),
        "check": None
        if check is None
        else {
            "name": check.check.name,
            "table": check.check.table,
            "kind": check.check.kind,
            "severity": check.check.severity,
            "status": check.status,
            "expected": check.expected,
            "actual": check.actual,
        },
    }


def run_totals(result: RunResult, wall: float, error: str | None) -> dict[str, Any]:
    checks = [s for s in result.steps if s.check is not None]
    return {
        "run_id": result.run_id,
        "status": "committed" if result.committed else "rolled back",
        "mode": "incremental" if result.incremental else "full",
        "mode_reason": result.mode_reason,
        "seconds": round(wall, 4),
        "run_seconds": round(result.seconds, 4),
        "phases": {k: round(v, 4) for k, v in result.phases.items()},
        "rows": sum(s.rows or 0 for s in result.steps if s.check is None),
        "rejected": sum(s.rejected or 0 for s in result.steps),
        "checks": {
            "total": len(checks),
            **{k: sum(1 for s in checks if s.status == k) for k in ("pass", "fail", "warn", "skipped")},
        },
        "error": error,
    }


class JsonLog:
    """The run's listener in JSON mode; the CLI adds run_start and run_end around the run."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def emit(self, event: str, **fields: Any) -> None:
        from engine.redact import redact

        line = json.dumps({"event": event, "time": now(), **fields}, default=str, ensure_ascii=False)
        self.stream.write(redact(line) + "\n")
        self.stream.flush()

    def __call__(self, event: str, step: Step, result: StepResult | None) -> None:
        if event == "start":
            self.emit("step_start", step=step.id, kind=step.kind, table=step.table)
        elif event == "input" and result is not None:
            self.emit("step_input", step=step.id, files=result.files, bytes=result.bytes)
        elif result is not None:
            self.emit("step_end", **step_record(result))

    def __enter__(self) -> JsonLog:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
