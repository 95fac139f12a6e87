"""Run history in the warehouse: one row per run, one per step, and the lock between runs.

A successful run's record commits with its data; a failed run's record is written after
the rollback, in a transaction of its own, so the history shows failures too.  Errors are
stored redacted, like everything else the engine prints.
"""

from __future__ import annotations

import hashlib
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError, RunLocked, TargetError

if TYPE_CHECKING:
    from engine.config import Pipeline
    from engine.plan import Plan
    from engine.runner import RunResult
    from engine.settings import Settings


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    pipeline: str
    target: str
    pipeline_hash: str
    mode: str
    status: str
    started_at: str
    seconds: float
    error: str | None


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def pipeline_hash(plan: Plan) -> str:
    """Identifies what ran: every statement of the full plan, as rendered."""
    digest = hashlib.sha256()
    for _, sql in plan.statements():
        digest.update(sql.encode())
    return digest.hexdigest()[:16]


def lock_key(pipeline: str) -> int:
    """A stable 63-bit key per pipeline for advisory locks."""
    return int.from_bytes(hashlib.sha256(f"etl-engine:{pipeline}".encode()).digest()[:8], "big") >> 1


def create_tables(plan: Plan) -> None:
    for sql in plan.renderer.statements("history/create.sql"):
        plan.adapter.execute(sql, "history")


def take_lock(plan: Plan, wait: float) -> None:
    """Take the run lock (inside the transaction), retrying for ``wait`` seconds."""
    import time

    statements = plan.renderer.statements("lock.sql", key=lock_key(plan.pipeline.name))
    if not statements:
        return
    if not statements[0].upper().startswith("SELECT"):
        plan.adapter.execute(statements[0], "lock")  # a blocking lock (Redshift's LOCK): it waits itself
        return
    deadline = time.monotonic() + wait
    while True:
        rows = plan.adapter.fetch(statements[0], "lock")
        if rows and rows[0][0]:
            return
        if time.monotonic() >= deadline:
            raise RunLocked(f"another run of pipeline '{plan.pipeline.name}' is in progress on target "
                            f"'{plan.target.name}'; try again when it ends, or pass --wait SECONDS")
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


def _record_sql(plan: Plan, run: RunRecord, result: RunResult) -> tuple[str, ...]:
    from engine.redact import redact

    steps = [{"step": s.step.id, "table": s.step.table, "kind": s.step.kind, "status": s.status,
              "rows": s.rows, "seconds": round(s.seconds, 4),
              "detail": s.check.actual if s.check else (f"{s.rejected:,} rejected" if s.rejected else None)}
             for s in result.steps]
    safe = RunRecord(**{**run.__dict__, "error": redact(run.error)[:4000] if run.error else None})
    return plan.renderer.statements("history/record.sql", run=safe, steps=steps)


def record_unplanned(pipeline: Pipeline, target_name: str | None, settings: Settings | None,
                     error: EngineError) -> None:
    """A run that failed while it was being planned (an S3 JSONPaths file out of reach): recorded where the
    warehouse can be reached, like any failed run; whatever goes wrong here is swallowed, as in record_failure."""
    from engine.redact import redact
    from engine.render import SqlRenderer
    from engine.targets import adapter_class

    with suppress(Exception):
        target = pipeline.target(target_name)
        adapter = adapter_class(target.type, target.location)(target, settings=settings)
        if adapter.unresolved():
            return
        r = SqlRenderer(adapter.templates(), adapter.sqlglot_dialect, pipeline.templates_dir, pipeline.vars)
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        run = RunRecord(new_run_id(), pipeline.name, target.name, "", "full", "failed", started, 0.0,
                        redact(str(error))[:4000])
        try:
            adapter.open()
            with adapter.transaction(r.template("begin.sql"), r.template("commit.sql"), r.template("rollback.sql")):
                for sql in (*r.statements("history/create.sql"), *r.statements("history/record.sql", run=run,
                                                                                 steps=[])):
                    adapter.execute(sql, "history")
        finally:
            adapter.close()


def record(plan: Plan, run: RunRecord, result: RunResult) -> None:
    """Inside the run's transaction: committed with the data."""
    for sql in _record_sql(plan, run, result):
        plan.adapter.execute(sql, "history")


def record_failure(plan: Plan, run: RunRecord, result: RunResult) -> None:
    """After a rollback, in a transaction of its own; a history that cannot be written is no reason to
    hide the run's real error, so any failure here is swallowed."""
    adapter = plan.adapter
    with suppress(TargetError, Exception):
        adapter.open()
        with adapter.transaction(plan.begin, plan.commit, plan.rollback):
            create_tables(plan)
            record(plan, run, result)
        # where the warehouse keeps a rolled-back run's blocks in its file (DuckDB), give them back
        for sql in plan.renderer.statements("after_failure.sql"):
            adapter.execute(sql, "history")


def runs(plan: Plan, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    return plan.adapter.fetch_named(plan.renderer.template("history/runs.sql", pipeline=plan.pipeline.name,
                                                           limit=int(limit)), "history")


def steps(plan: Plan, run_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    return plan.adapter.fetch_named(plan.renderer.template("history/steps.sql", run_id=run_id), "history")
