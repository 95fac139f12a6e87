"""What ``etl-engine run`` does once the plan is built: run it with the chosen progress display,
then write the summary, the JSON events and run_results.json."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.context import PlannedRun
    from engine.runner import RunResult


def run_command(
    plan: PlannedRun, full_refresh: bool, wait: float, log_format: str, results: Path | None, prune: bool = False
) -> None:
    """Run ``plan``; raises the run's error (after the summary and the artifact) when it fails."""
    from engine import STARTED, artifacts, output
    from engine.errors import UsageError
    from engine.progress import progress_for
    from engine.run_log import JsonLog, now
    from engine.runner import RunFailed, run_plan

    if log_format not in ("text", "json"):
        raise UsageError(f"unknown log format '{log_format}'; use text or json")
    started_at = now()
    listener = progress_for(len(plan.steps), log_format)
    if isinstance(listener, JsonLog):
        listener.emit(
            "run_start",
            pipeline=plan.pipeline.name,
            target=plan.target.name,
            target_type=plan.adapter.name,
            full_refresh=full_refresh,
        )
    else:
        output.announce(plan)
    startup = time.perf_counter() - STARTED
    failure = None
    with listener:
        try:
            result = run_plan(plan, listener, full_refresh=full_refresh, wait=wait, prune=prune)
        except RunFailed as failed:
            result, failure = failed.result, failed
    error = str(failure.cause) if failure else None
    wall = time.perf_counter() - STARTED
    phases = _phases(result, startup, wall)
    result.phases = phases
    if isinstance(listener, JsonLog):
        from engine.run_log import run_totals

        listener.emit("run_end", **run_totals(result, wall, error))
    artifacts.write(
        results or artifacts.default_path(plan), artifacts.run_results(plan, result, wall, started_at, error)
    )
    title = f"{plan.pipeline.name}: {'failed' if failure else 'done'} (run {result.run_id})"
    output.print_summary(result, title, phases, wall)
    if failure is None:
        return
    if isinstance(listener, JsonLog):
        # stderr stays one JSON object per line: the error is an event too, not a text screen
        listener.emit("error", message=output.error_text(failure.cause), exit_code=failure.cause.exit_code)
        raise SystemExit(failure.cause.exit_code)
    raise failure.cause


def _phases(result: RunResult, startup: float, wall: float) -> dict[str, float]:
    """startup, prepare and commit as measured; "other" is the rest of the wall time outside the steps."""
    phases = {"startup": startup, **result.phases}
    accounted = sum(phases.values()) + sum(s.seconds for s in result.steps)
    phases["other"] = max(0.0, wall - accounted)
    return phases
