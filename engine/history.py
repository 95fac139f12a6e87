"""Run history in the warehouse: one row per run, one per step, and the lock between runs.

The bookkeeping tables are created in a transaction of their own before the run's, so the
run lock is the first statement of the run's transaction (a CREATE before it would fix the
transaction's snapshot before the lock was held).  A successful run's record commits with its
data; a failed run's record is written after the rollback, in a transaction of its own, so the
history shows failures too.  Errors are stored redacted, like everything else the engine prints.
"""

from __future__ import annotations

import time
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError, RunLocked, TargetError
from engine.targets.contract import Lock

if TYPE_CHECKING:
    from engine.config import Pipeline
    from engine.context import RunContext
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
    import hashlib

    digest = hashlib.sha256()
    for _, sql in plan.statements():
        digest.update(sql.encode())
    return digest.hexdigest()[:16]


def setup(ctx: RunContext, plan: Plan) -> None:
    """The bookkeeping tables, in their own transaction where DDL is transactional."""
    adapter = ctx.adapter
    if plan.transactional:
        with adapter.transaction(plan.begin, plan.commit, plan.rollback):
            for sql in plan.setup:
                adapter.execute(sql, "setup")
    else:
        for sql in plan.setup:
            adapter.execute(sql, "setup")


def _locked(ctx: RunContext) -> RunLocked:
    return RunLocked(
        f"another run of pipeline '{ctx.pipeline.name}' is in progress on target "
        f"'{ctx.target.name}'; try again when it ends, or pass --wait SECONDS"
    )


def take_lock(ctx: RunContext, wait: float) -> None:
    """Take the run lock, first inside the transaction, waiting at most ``wait`` seconds."""
    adapter = ctx.adapter
    if adapter.lock is Lock.EXCLUSIVE_CONNECTION:
        return  # held since open(): the warehouse admits one writing connection
    statements = ctx.lock_statements(wait)
    if adapter.lock is Lock.BLOCKING:
        try:
            for sql in statements:
                adapter.execute(sql, "lock")  # waits itself, bounded by lock_wait.sql
        except TargetError as error:
            if adapter.lock_timed_out(error):
                raise _locked(ctx) from None
            raise
        return
    deadline = time.monotonic() + wait
    while True:
        rows = adapter.fetch(statements[0], "lock")
        if rows and rows[0][0]:
            return
        if time.monotonic() >= deadline:
            raise _locked(ctx)
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


def _record_sql(ctx: RunContext, run: RunRecord, result: RunResult) -> tuple[str, ...]:
    from engine.redact import redact
    from engine.samples import as_json

    steps = [
        {
            "step": s.step.id,
            "table": s.step.table,
            "kind": s.step.kind,
            "status": s.status,
            "rows": s.rows,
            "seconds": round(s.seconds, 4),
            "detail": (
                s.check.actual
                + (f"; failing rows: {redact(as_json(s.check.failing))[:4000]}" if s.check.failing else "")
            )
            if s.check
            else (f"{s.rejected:,} rejected" if s.rejected else "; ".join(s.notes) or None),
        }
        for s in result.steps
    ]
    safe = RunRecord(**{**run.__dict__, "error": redact(run.error)[:4000] if run.error else None})
    return ctx.renderer.statements("history/record.sql", run=safe, steps=steps)


def record_unplanned(
    pipeline: Pipeline, target_name: str | None, settings: Settings | None, error: EngineError
) -> None:
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
        run = RunRecord(
            new_run_id(), pipeline.name, target.name, "", "full", "failed", started, 0.0, redact(str(error))[:4000]
        )
        try:
            adapter.open()
            with adapter.transaction(r.template("begin.sql"), r.template("commit.sql"), r.template("rollback.sql")):
                for sql in (
                    *r.statements("history/create.sql"),
                    *r.statements("history/record.sql", run=run, steps=[]),
                ):
                    adapter.execute(sql, "history")
        finally:
            adapter.close()


def record(ctx: RunContext, run: RunRecord, result: RunResult) -> None:
    """Inside the run's transaction: committed with the data."""
    for sql in _record_sql(ctx, run, result):
        ctx.adapter.execute(sql, "history")


def record_failure(ctx: RunContext, plan: Plan, run: RunRecord, result: RunResult) -> None:
    """After a rollback, in a transaction of its own; a history that cannot be written is no reason to
    hide the run's real error, so any failure here is swallowed."""
    adapter = ctx.adapter
    with suppress(TargetError, Exception):
        adapter.open()
        if plan.transactional:
            with adapter.transaction(plan.begin, plan.commit, plan.rollback):
                for sql in ctx.renderer.statements("history/create.sql"):
                    adapter.execute(sql, "history")
                record(ctx, run, result)
        else:
            record(ctx, run, result)
        # where the warehouse keeps a rolled-back run's blocks in its file (DuckDB), give them back
        for sql in ctx.renderer.statements("after_failure.sql"):
            adapter.execute(sql, "history")


def runs(ctx: RunContext, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    return ctx.adapter.fetch_named(
        ctx.renderer.template("history/runs.sql", pipeline=ctx.pipeline.name, limit=int(limit)), "history"
    )


def steps(ctx: RunContext, run_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    return ctx.adapter.fetch_named(ctx.renderer.template("history/steps.sql", run_id=run_id), "history")
