"""Execute a plan: the only place that orders build, check and publish.

On a warehouse with transactional DDL the whole run is one transaction, opened by the run
lock: tables are built as shadows, loaded and checked inside it, and it commits only when
every error-severity check passes.  A failure anywhere, Ctrl-C included, rolls back and the
previous tables stay exactly as they were.  Where DDL commits on its own the same steps run
without a transaction; a failure before publish drops the shadows and leaves the live
tables as they were (docs/targets.md, "Warehouses whose DDL commits").
"""

from __future__ import annotations

import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from engine.checks import evaluate
from engine.errors import CheckFailed, EngineError, Interrupted, RunLocked, TargetError
from engine.plan import Step

# the results live in engine/results.py; re-exported here, where callers of the runner look for them
from engine.results import Listener as Listener
from engine.results import RunFailed as RunFailed
from engine.results import RunResult as RunResult
from engine.results import StepResult as StepResult
from engine.targets.contract import ErrorLookup, Publish

if TYPE_CHECKING:
    from engine.context import PlannedRun, RunContext
    from engine.inputs import FileEntry


def _quiet(event: str, step: Step, result: StepResult | None) -> None:
    """The listener used when nobody watches."""


def run_plan(
    run: PlannedRun,
    listener: Listener | None = None,
    full_refresh: bool = False,
    wait: float = 0.0,
    prune: bool = False,
) -> RunResult:
    """Run every step in order; raise RunFailed when anything fails.

    Where the warehouse already holds this pipeline's tables, built with the same shape,
    the run is incremental: staging tables get only the files not loaded before and star
    tables are merged by primary key; ``full_refresh`` rebuilds everything instead.  One
    run at a time: a second one waits up to ``wait`` seconds for the lock, then stops.
    """
    from datetime import UTC, datetime

    from engine import history

    ctx, plan = run.context, run.plan
    result = RunResult(run_id=history.new_run_id())
    started = time.perf_counter()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    walk = _Walk(run, listener or _quiet, result, prune)

    def record(status: str, error: str | None) -> history.RunRecord:
        mode = result.mode
        return history.RunRecord(
            result.run_id,
            plan.pipeline,
            plan.target,
            history.pipeline_hash(plan),
            mode,
            status,
            started_at,
            round(time.perf_counter() - started, 3),
            error,
        )

    adapter = ctx.adapter
    try:
        adapter.preflight()
        from engine.diskspace import refuse_if_short

        refuse_if_short(ctx, walk.listings)
        adapter.open(wait)
        history.setup(ctx, plan)
        if plan.transactional:
            bound, release = ctx.lock_bound(wait)
            for sql in bound:
                adapter.execute(sql, "lock")
            try:
                with adapter.transaction(plan.begin, plan.commit, plan.rollback):
                    history.take_lock(ctx, wait)  # the first statement after BEGIN
                    for sql in release:
                        adapter.execute(sql, "lock")
                    walk.body(full_refresh)
                    history.record(ctx, record("committed", None), result)
            finally:
                # a ROLLBACK undoes a SET made inside the transaction, so the bound set before BEGIN would
                # outlive a failed run on this session: lift it again, outside any transaction
                for sql in release:
                    with suppress(TargetError):
                        adapter.execute(sql, "lock")
        else:
            history.take_lock(ctx, wait)
            try:
                walk.body(full_refresh)
            except BaseException:
                walk.drop_shadows()
                raise
            history.record(ctx, record("committed", None), result)
        result.committed = True
        walk.cleanup()
    except KeyboardInterrupt:
        result.seconds = time.perf_counter() - started
        cause: EngineError = Interrupted("interrupted; the run was rolled back and the previous tables stand")
        history.record_failure(ctx, plan, record("interrupted", str(cause)), result)
        raise RunFailed(cause, result) from None
    except EngineError as exc:
        result.seconds = time.perf_counter() - started
        # every failed run is recorded where the warehouse can be reached (not when its settings are incomplete,
        # nor when another run holds it)
        if not isinstance(exc, RunLocked) and not adapter.unresolved():
            history.record_failure(ctx, plan, record("failed", str(exc)), result)
        raise RunFailed(exc, result) from None
    finally:
        adapter.close()
    result.seconds = time.perf_counter() - started
    result.phases["commit"] = time.perf_counter() - walk.steps_done  # closing included: DuckDB checkpoints then
    return result


def _kept(tables: list[str], why: dict[str, str]) -> list[StepResult]:
    """A "kept" entry per table this run left as it was, so the summary and the run history show it."""
    return [StepResult(Step(f"keep:{t}", "transform", t, ()), "kept", 0.0, notes=[why[t]]) for t in tables]


def _stop_on_failed_checks(result: RunResult) -> None:
    failed = result.failed_checks
    if failed:
        names = ", ".join(c.check.name for c in failed)
        raise CheckFailed(f"{len(failed)} check(s) failed: {names}; nothing was published")


class _Walk:
    """One run's walk over the plan: what each step does in this run's mode."""

    def __init__(self, run: PlannedRun, listener: Listener, result: RunResult, prune: bool = False) -> None:
        self.run, self.ctx, self.plan = run, run.context, run.plan
        self.prune = prune
        #: the tables this run builds into shadows and publishes (all selected ones in a full run)
        self.built: frozenset[str] = run.plan.selected
        self.listener = listener
        self.result = result
        self.incremental = False
        self.known: dict[str, dict[str, tuple[int, str]]] = {}
        self.existing: set[str] = set()
        self.new_rows = False
        self.before: dict[str, int] = {}
        self.started = time.perf_counter()
        self.steps_done = self.started
        #: without a transaction, bookkeeping waits until publish, so a failed run leaves it as it was
        self.deferred: list[tuple[str, list[FileEntry]]] = []
        #: local sources listed once at the start (by the disk space check): a load reads that listing
        self.listings: dict[str, tuple[list[FileEntry], list[str]]] = {}
        #: a row_count check's COUNT(*) -> its rows: a table no longer changes once its checks run (only its
        #: own step writes it, and they wait for that step), and a pipeline counts some tables several times
        self.counts: dict[str, list[tuple[Any, ...]]] = {}

    def body(self, full_refresh: bool) -> None:
        """Everything between the lock and the run record: state, build, checks, publish, bookkeeping."""
        from engine import state

        ctx, plan, result = self.ctx, self.plan, self.result
        warehouse = state.read(ctx)
        self.existing = warehouse.existing
        decision = state.decide(self.run, warehouse, full_refresh)
        result.incremental, result.mode_reason = decision.incremental, decision.reason
        result.mode, result.tables = decision.mode, dict(decision.tables)
        self.incremental = decision.incremental
        self.built = decision.rebuild
        self.known = warehouse.files if decision.incremental else {}
        reset = state.reset_statements(self.run, decision)
        if plan.transactional:
            for sql in reset:
                ctx.adapter.execute(sql, "state")
        steps = state.steps_for(self.run, decision)
        self.take_baselines(steps)
        result.phases["prepare"] = time.perf_counter() - self.started
        for step in steps:
            if step.kind == "publish":
                _stop_on_failed_checks(result)
                step = self.publish_step(step)
            self.listener("start", step, None)
            t0 = time.perf_counter()
            try:
                result.steps.append(self.step(step))
            except (TargetError, KeyboardInterrupt):
                result.steps.append(StepResult(step, "failed", time.perf_counter() - t0))
                self.listener("end", step, result.steps[-1])
                raise
            self.listener("end", step, result.steps[-1])
        _stop_on_failed_checks(result)
        self.steps_done = time.perf_counter()
        result.steps += _kept(decision.kept, decision.tables)
        if not plan.transactional:
            for sql in reset:
                ctx.adapter.execute(sql, "state")
            for table, entries in self.deferred:
                state.record_files(ctx, table, entries)
        for sql in state.bookkeeping_statements(self.run, decision):
            ctx.adapter.execute(sql, "state")
        from engine import prune

        result.leftovers, result.pruned = prune.handle(ctx, self.prune)

    def publish_step(self, step: Step) -> Step:
        """The publish for the tables this warehouse holds now, with the views that depend on them."""
        from dataclasses import replace

        from engine.steps import publish_statements

        if self.ctx.adapter.publish is Publish.SWAP:
            return step
        live = [t for t in self.ctx.analysis.order if t in self.existing and t in self.built]
        views: dict[str, list[tuple[str, str]]] = {}
        if live:
            sql = self.ctx.renderer.template("publish_views.sql", tables=live)
            for table, view, definition in self.ctx.adapter.fetch(sql, "publish"):
                if str(view) in self.ctx.pipeline.star:  # the pipeline's own views: publish recreates them
                    continue
                views.setdefault(str(table), []).append((str(view), str(definition).strip().rstrip(";")))
        return replace(step, statements=publish_statements(self.ctx, live, views, only=self.built))

    def cleanup(self) -> None:
        """After COMMIT: drop the backups publish left (each on its own; a failure is a note, not a failed
        run: the new tables are published already)."""
        from engine.steps import cleanup_statements

        if not self.result.incremental:
            for sql in cleanup_statements(self.ctx, self.existing, self.built):
                try:
                    self.ctx.adapter.execute(sql, "cleanup")
                except TargetError as exc:
                    self.result.notes.append(f"published, but could not clean up ({exc.message.splitlines()[0]})")

    def drop_shadows(self) -> None:
        """A failed run on a warehouse whose DDL commits: the shadows go, the live tables were not touched."""
        from engine.shadow import shadow_name

        for t in self.ctx.analysis.order:
            if t not in self.built:
                continue
            with suppress(EngineError, KeyboardInterrupt):
                self.ctx.adapter.execute(self.ctx.renderer.template("drop_table.sql", table=shadow_name(t)), "cleanup")

    def take_baselines(self, steps: tuple[Step, ...]) -> None:
        """Row counts of the live tables before anything changes, for checks relative to them."""
        for step in steps:
            if step.baseline and step.check is not None and step.check.table in self.existing:
                rows = self.ctx.adapter.fetch(step.baseline[0], step.id)
                self.before[step.id] = int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def step(self, step: Step) -> StepResult:
        t0 = time.perf_counter()
        if step.check is not None and step.check.table not in self.built and step.check.table not in self.existing:
            return StepResult(step, "skipped", 0.0, notes=[f"{step.check.table} is not in the warehouse yet"])
        if step.check is not None:
            return _run_check(self.ctx, step, self.before.get(step.id), self.counts)
        if step.kind == "load" and self.ctx.tracks_files:
            return self._load(step, t0)
        if step.kind == "transform" and self.incremental and not self.new_rows:
            return StepResult(step, "up to date", 0.0, 0)
        result = _execute(self.ctx, step, step.statements, t0)
        if step.kind == "transform":
            from engine.folds import fold_notes

            result.notes.extend(fold_notes(self.ctx, step))
        return result

    def _load(self, step: Step, t0: float) -> StepResult:
        """List the source now; load the files this warehouse has not seen (all of them when full)."""
        from engine import state
        from engine.inputs import cache_dir, list_files, tiny_files_note
        from engine.steps import render_load

        assert step.table is not None
        ctx = self.ctx
        source = ctx.pipeline.sources[ctx.pipeline.staging[step.table].source]
        listed = self.listings.get(source.name)
        listing_notes: list[str] = listed[1] if listed else []
        entries = listed[0] if listed else list_files(source, listing_notes)
        note = tiny_files_note(source.name, [e.size for e in entries])
        if self.incremental:
            seen = self.known.get(step.table, {})
            changed = [e.key for e in entries if e.key in seen and seen[e.key] != (e.size, e.version)]
            if changed:
                raise TargetError(
                    f"{len(changed)} file(s) of source '{source.name}' changed since they were "
                    f"loaded (first: {changed[0]}); staging is append-only, so run with "
                    "--full-refresh to rebuild from the files as they are now",
                    step.id,
                )
            entries = [e for e in entries if e.key not in seen]
            if not entries:
                return StepResult(step, "up to date", time.perf_counter() - t0, 0)
        size = sum(e.size for e in entries)
        # "input": what the load is about to read (live progress shows it while the load runs)
        self.listener("input", step, StepResult(step, "loading", 0.0, files=len(entries), bytes=size))
        paths = ctx.adapter.stage_files(source, entries, cache_dir(ctx.pipeline))
        rendered = render_load(ctx, step, paths)
        result = _execute(ctx, step, rendered.statements, t0, rendered)
        result.files, result.bytes = len(entries), size
        if rendered.rejects:
            counted = ctx.adapter.fetch(rendered.rejects, step.id)
            result.rejected = int(counted[0][0]) if counted and counted[0][0] is not None else 0
            if result.rejected:
                result.notes.append(
                    f"{result.rejected:,} bad record(s) skipped into _etl_rejects (file, line, reason, raw text)"
                )
        result.notes.extend(listing_notes)
        from engine.sources.csv_header import load_note

        for extra in (note, load_note(source, ctx.pipeline.staging[step.table], paths)):
            if extra:
                result.notes.append(extra)
        if self.plan.transactional:
            state.record_files(ctx, step.table, entries)
        else:
            self.deferred.append((step.table, entries))
        # the rejects count and the file manifest are part of the load (20,000 files: seconds)
        result.seconds = time.perf_counter() - t0
        self.new_rows = True
        # the rejects count and the file manifest are part of the load (20,000 files: seconds)
        result.seconds = time.perf_counter() - t0
        return result


def _execute(
    ctx: RunContext, step: Step, statements: tuple[str, ...], t0: float, rendered: Step | None = None
) -> StepResult:
    adapter = ctx.adapter
    current = rendered or step
    written: list[int] = []
    last: int | None = None
    for sql in statements:
        try:
            count = adapter.execute(sql, step.id, current.feed, current.bound)
        except TargetError as error:
            from engine.nulls import explain_null
            from engine.sql_origin import locate

            if current.diagnose is not None and adapter.error_lookup is not ErrorLookup.NONE:
                error = adapter.explain_failure(error, current.diagnose, ctx.renderer)
            raise locate(explain_null(ctx, step, error), ctx.pipeline, step) from None
        if count is not None:
            last = count
            if sql.lstrip()[:6].upper() in ("INSERT", "MERGE "):
                written.append(count)
    # rows the step put in its table: its INSERTs and MERGEs (a load may read in several groups);
    # a COPY straight into the table counts itself
    rows = sum(written) if written else last
    return StepResult(step, "ok", time.perf_counter() - t0, rows if step.kind in ("load", "transform") else None)


def _run_check(
    ctx: RunContext, step: Step, before: int | None, counts: dict[str, list[tuple[Any, ...]]] | None = None
) -> StepResult:
    t0 = time.perf_counter()
    assert step.check is not None
    if step.check.skipped_reason:
        checked = evaluate(step.check, [])
    else:
        try:
            memo, rows = {} if counts is None else counts, []
            for i, sql in enumerate(step.statements):
                # a row_count check's first statement counts its table (engine/steps.py): once per run
                cached = step.check.kind == "row_count" and i == 0
                rows.append(memo[sql] if cached and sql in memo else ctx.adapter.fetch(sql, step.id))
                if cached:
                    memo[sql] = rows[-1]
        except TargetError as error:
            from engine.sql_origin import locate

            raise locate(error, ctx.pipeline, step) from None
        checked = evaluate(step.check, rows, before)
        if step.proof and checked.status == "pass":
            from dataclasses import replace

            checked = replace(checked, actual=f"{checked.actual} (proved by its SQL)")
        if checked.status in ("fail", "warn") and step.samples:
            from dataclasses import replace

            from engine import samples

            checked = replace(checked, failing=samples.fetch(ctx.adapter, step.samples, step.id))
    return StepResult(step, checked.status, time.perf_counter() - t0, None, checked)
