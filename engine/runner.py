"""Execute a plan: the only place that orders build, check and publish.

The whole run is one transaction on targets with transactional DDL: tables are
dropped, rebuilt, loaded and checked inside it, and it commits only when every
error-severity check passes.  A failure anywhere, Ctrl-C included, rolls back and
the previous tables stay exactly as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.checks import CheckResult, evaluate
from engine.errors import CheckFailed, EngineError, Interrupted, RunLocked, TargetError
from engine.plan import Plan, Step


@dataclass
class StepResult:
    step: Step
    status: str  # "ok", "failed", "pass", "fail", "warn", "skipped"
    seconds: float
    rows: int | None = None
    check: CheckResult | None = None
    notes: list[str] = field(default_factory=list)
    #: bad source records this load skipped into _etl_rejects (on_error: skip)
    rejected: int | None = None


@dataclass
class RunResult:
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    committed: bool = False
    incremental: bool = False
    mode_reason: str = ""
    run_id: str = ""

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [s.check for s in self.steps if s.check and s.check.blocking]


class RunFailed(EngineError):
    """A step or check failed; carries what ran so the CLI can show the summary."""

    def __init__(self, cause: EngineError, result: RunResult) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.result = result
        self.exit_code = cause.exit_code


Listener = Callable[[str, Step, StepResult | None], None]


def _quiet(event: str, step: Step, result: StepResult | None) -> None:
    """The listener used when nobody watches."""


def run_plan(plan: Plan, listener: Listener = _quiet, full_refresh: bool = False, wait: float = 0.0) -> RunResult:
    """Run every step in order inside one transaction; raise RunFailed when anything fails.

    Where the warehouse already holds this pipeline's tables, built with the same shape,
    the run is incremental: staging tables get only the files not loaded before and star
    tables are merged by primary key; ``full_refresh`` rebuilds everything instead.  One
    run at a time: a second one waits up to ``wait`` seconds for the lock, then stops.
    """
    from engine import history, state

    result = RunResult(run_id=history.new_run_id())
    adapter = plan.adapter
    started = time.perf_counter()
    from datetime import UTC, datetime

    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def record(status: str, error: str | None) -> history.RunRecord:
        mode = "incremental" if result.incremental else "full"
        return history.RunRecord(result.run_id, plan.pipeline.name, plan.target.name, history.pipeline_hash(plan),
                                 mode, status, started_at, round(time.perf_counter() - started, 3), error)

    try:
        adapter.preflight()
        from engine.diskspace import refuse_if_short

        refuse_if_short(plan)
        adapter.open(wait)
        with adapter.transaction(plan.begin, plan.commit, plan.rollback):
            history.create_tables(plan)
            history.take_lock(plan, wait)
            warehouse = state.read(plan)
            mode = state.choose_mode(plan, warehouse, full_refresh)
            result.incremental, result.mode_reason = mode.incremental, mode.reason
            state.prepare(plan, mode)
            run = _Run(plan, mode.incremental, warehouse.files if mode.incremental else {})
            run.take_baselines(plan.incremental_steps if mode.incremental else plan.steps, warehouse.existing)
            for step in plan.incremental_steps if mode.incremental else plan.steps:
                if step.kind == "publish":
                    _stop_on_failed_checks(result)
                listener("start", step, None)
                t0 = time.perf_counter()
                try:
                    result.steps.append(run.step(step))
                except (TargetError, KeyboardInterrupt):
                    result.steps.append(StepResult(step, "failed", time.perf_counter() - t0))
                    listener("end", step, result.steps[-1])
                    raise
                listener("end", step, result.steps[-1])
            _stop_on_failed_checks(result)
            if not mode.incremental:
                state.record_tables(plan)
            history.record(plan, record("committed", None), result)
        result.committed = True
    except KeyboardInterrupt:
        result.seconds = time.perf_counter() - started
        cause: EngineError = Interrupted("interrupted; the run was rolled back and the previous tables stand")
        history.record_failure(plan, record("interrupted", str(cause)), result)
        raise RunFailed(cause, result) from None
    except EngineError as exc:
        result.seconds = time.perf_counter() - started
        # every failed run is recorded where the warehouse can be reached (not when its settings are incomplete,
        # nor when another run holds it)
        if not isinstance(exc, RunLocked) and not adapter.unresolved():
            history.record_failure(plan, record("failed", str(exc)), result)
        raise RunFailed(exc, result) from None
    finally:
        adapter.close()
    result.seconds = time.perf_counter() - started
    return result


def _stop_on_failed_checks(result: RunResult) -> None:
    failed = result.failed_checks
    if failed:
        names = ", ".join(c.check.name for c in failed)
        raise CheckFailed(f"{len(failed)} check(s) failed: {names}; nothing was published")


class _Run:
    """One run's walk over the plan: what each step does in this run's mode."""

    def __init__(self, plan: Plan, incremental: bool, known: dict[str, dict[str, tuple[int, str]]]) -> None:
        self.plan = plan
        self.incremental = incremental
        self.known = known
        self.new_rows = False
        self.before: dict[str, int] = {}

    def take_baselines(self, steps: tuple[Step, ...], existing: set[str]) -> None:
        """Row counts of the live tables before anything changes, for checks relative to them."""
        for step in steps:
            if step.baseline and step.check is not None and step.check.table in existing:
                rows = self.plan.adapter.fetch(step.baseline[0], step.id)
                self.before[step.id] = int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def step(self, step: Step) -> StepResult:
        t0 = time.perf_counter()
        if step.check is not None:
            return _run_check(self.plan, step, self.before.get(step.id))
        if step.kind == "load" and self.plan.reads_local_files:
            return self._load(step, t0)
        if step.kind == "transform" and self.incremental and not self.new_rows:
            return StepResult(step, "up to date", 0.0, 0)
        result = _execute(self.plan, step, step.statements, t0)
        if step.kind == "transform":
            from engine.folds import fold_notes

            result.notes.extend(fold_notes(self.plan, step))
        return result

    def _load(self, step: Step, t0: float) -> StepResult:
        """List the source now; load the files this warehouse has not seen (all of them when full)."""
        from engine import state
        from engine.inputs import cache_dir, list_files, localise

        assert step.table is not None
        plan = self.plan
        source = plan.pipeline.sources[plan.pipeline.staging[step.table].source]
        listing_notes: list[str] = []
        entries = list_files(source, listing_notes)
        from engine.compact import tiny_files_note

        note = tiny_files_note(source.name, [e.size for e in entries])
        if self.incremental:
            seen = self.known.get(step.table, {})
            changed = [e.key for e in entries if e.key in seen and seen[e.key] != (e.size, e.version)]
            if changed:
                raise TargetError(f"{len(changed)} file(s) of source '{source.name}' changed since they were "
                                  f"loaded (first: {changed[0]}); staging is append-only, so run with "
                                  "--full-refresh to rebuild from the files as they are now", step.id)
            entries = [e for e in entries if e.key not in seen]
            if not entries:
                return StepResult(step, "up to date", time.perf_counter() - t0, 0)
        paths = localise(source, entries, cache_dir(plan.pipeline))
        rendered = plan.render_load(step, paths)
        result = _execute(plan, step, rendered.statements, t0, rendered)
        if rendered.rejects:
            counted = plan.adapter.fetch(rendered.rejects, step.id)
            result.rejected = int(counted[0][0]) if counted and counted[0][0] is not None else 0
            if result.rejected:
                result.notes.append(f"{result.rejected:,} bad record(s) skipped into _etl_rejects "
                                    f"(file, line, reason, raw text)")
        result.notes.extend(listing_notes)
        if note:
            result.notes.append(note)
        state.record_files(plan, step.table, entries)
        self.new_rows = True
        return result


def _execute(plan: Plan, step: Step, statements: tuple[str, ...], t0: float,
             rendered: Step | None = None) -> StepResult:
    adapter = plan.adapter
    current = rendered or step
    written: list[int] = []
    last: int | None = None
    for sql in statements:
        try:
            count = adapter.execute(sql, step.id, current.feed)
        except TargetError as error:
            from engine.nulls import explain_null

            raise explain_null(plan, step, adapter.explain_failure(error, current.diagnose)) from None
        if count is not None:
            last = count
            if sql.lstrip()[:6].upper() in ("INSERT", "MERGE "):
                written.append(count)
    # rows the step put in its table: its INSERTs and MERGEs (a load may read in several groups);
    # a COPY straight into the table counts itself
    rows = sum(written) if written else last
    return StepResult(step, "ok", time.perf_counter() - t0, rows if step.kind in ("load", "transform") else None)


def _run_check(plan: Plan, step: Step, before: int | None) -> StepResult:
    t0 = time.perf_counter()
    assert step.check is not None
    if step.check.skipped_reason:
        checked = evaluate(step.check, [])
    else:
        checked = evaluate(step.check, [plan.adapter.fetch(sql, step.id) for sql in step.statements], before)
    return StepResult(step, checked.status, time.perf_counter() - t0, None, checked)
