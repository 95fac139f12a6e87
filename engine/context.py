"""The run context: the live objects a plan is made from and run with.

``plan_run`` builds the adapter and the renderer for a target, analyses the pipeline and
renders the plan; the ``PlannedRun`` it returns pairs the plain-data ``Plan`` with that
context, so the runner, the bookkeeping and the CLI reach the adapter through the context,
never through the plan.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.config import Pipeline, Target
from engine.plan import Plan, Step
from engine.render import SqlRenderer
from engine.search_path import schema_sql
from engine.semantics import Analysis, analyse
from engine.targets import adapter_class
from engine.targets.base import Adapter
from engine.targets.contract import Lock

if TYPE_CHECKING:
    from engine.runner import Listener, RunResult
    from engine.settings import Settings


@dataclass
class RunContext:
    pipeline: Pipeline
    target: Target
    adapter: Adapter
    renderer: SqlRenderer
    analysis: Analysis

    @property
    def tracks_files(self) -> bool:
        """Whether runs list the sources and remember the files they load (so a run can be incremental)."""
        return self.adapter.tracks_files([self.pipeline.sources[t.source] for t in self.pipeline.staging.values()])

    def lock_statements(self, wait: float) -> tuple[str, ...]:
        """The run lock for this pipeline, first after BEGIN (see the adapter's ``lock``)."""
        if self.adapter.lock is Lock.EXCLUSIVE_CONNECTION:
            return ()
        return self.renderer.statements(
            "lock.sql",
            key=lock_key(self.pipeline.name),
            pipeline=self.pipeline.name,
            lock_table=lock_table(self.pipeline.name),
            wait_ms=max(1, int(wait * 1000)),
        )

    def lock_bound(self, wait: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What bounds a blocking lock's wait, before BEGIN, and what lifts the bound once it is held."""
        if self.adapter.lock is not Lock.BLOCKING:
            return (), ()
        wait_ms = max(1, int(wait * 1000))
        return (
            self.renderer.statements("lock_wait.sql", wait_ms=wait_ms),
            self.renderer.statements("lock_wait_reset.sql"),
        )

    def setup_statements(self) -> tuple[str, ...]:
        """The bookkeeping tables, and the lock table where the lock is a table lock."""
        r = self.renderer
        return (
            *r.statements("history/create.sql"),
            *r.statements("state/create.sql"),
            *(
                r.statements("lock_table.sql", lock_table=lock_table(self.pipeline.name))
                if self.adapter.lock is Lock.BLOCKING
                else ()
            ),
        )


def lock_key(pipeline: str) -> int:
    """A stable 63-bit key per pipeline for advisory locks."""
    return int.from_bytes(hashlib.sha256(f"etl-engine:{pipeline}".encode()).digest()[:8], "big") >> 1


def lock_table(pipeline: str) -> str:
    """The table a table-locking warehouse locks for ``pipeline``: one per pipeline, so two pipelines in
    one schema do not wait for each other."""
    return f"_etl_lock_{pipeline}"[:127]


@dataclass
class PlannedRun:
    """A plan and the context that made it: what ``build_plan`` returns and ``run_plan`` runs."""

    context: RunContext
    plan: Plan
    _incremental: tuple[Step, ...] | None = field(default=None, repr=False)

    def incremental_steps(self) -> tuple[Step, ...]:
        """The incremental variant: new files into the live staging tables, star tables merged by key.
        Rendered on first use, so only a run that turns out incremental pays for it."""
        if self._incremental is None:
            from engine.steps import StepBuilder

            self._incremental = StepBuilder(self.context, incremental=True, only=self.plan.selected or None).build()
        return self._incremental

    def partial_steps(self, tables: frozenset[str]) -> tuple[Step, ...]:
        """The full variant over ``tables`` only (a run that rebuilds what changed); the rest is read live."""
        from engine.steps import StepBuilder

        if tables == self.plan.selected:
            return self.plan.steps
        return StepBuilder(self.context, incremental=False, only=tables).build()

    def render_load(self, step: Step, paths: tuple[str, ...]) -> Step:
        """The load step over exactly ``paths``, rendered as the plan was (see engine.steps.render_load)."""
        from engine.steps import render_load

        return render_load(self.context, step, paths)

    def run(
        self, listener: Listener | None = None, full_refresh: bool = False, wait: float = 0.0, prune: bool = False
    ) -> RunResult:
        from engine.runner import run_plan

        return run_plan(self, listener, full_refresh=full_refresh, wait=wait, prune=prune)

    # Shorthands for the plan's and the context's parts most callers want.
    @property
    def steps(self) -> tuple[Step, ...]:
        return self.plan.steps

    def statements(self) -> list[tuple[str, str]]:
        return self.plan.statements()

    @property
    def adapter(self) -> Adapter:
        return self.context.adapter

    @property
    def pipeline(self) -> Pipeline:
        return self.context.pipeline

    @property
    def target(self) -> Target:
        return self.context.target

    @property
    def renderer(self) -> SqlRenderer:
        return self.context.renderer


def make_context(
    pipeline: Pipeline, target_name: str | None = None, settings: Settings | None = None, connect: Any = None
) -> RunContext:
    """The adapter and renderer for a target, and the pipeline's analysis (its SQL checked and parsed)."""
    from engine.errors import ConfigError

    target = pipeline.target(target_name)
    cls = adapter_class(target.type, target.location)
    issues = cls.check_options(target)
    if issues:
        raise ConfigError(issues)
    adapter = cls(target, connect=connect, settings=settings)
    r = SqlRenderer(adapter.templates(), adapter.sqlglot_dialect, pipeline.templates_dir, pipeline.vars)
    analysis = analyse(pipeline, r)
    # the schema everything lands in (a target's schema: option), set on each connection the adapter opens
    adapter.schema_sql = schema_sql(adapter, r)
    return RunContext(pipeline, target, adapter, r, analysis)


def plan_run(
    pipeline: Pipeline,
    target_name: str | None = None,
    settings: Settings | None = None,
    connect: Any = None,
    select: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> PlannedRun:
    """Render the full run for ``target_name`` (over the tables ``select``/``exclude`` leave, when given);
    see ``engine.plan.Plan``."""
    from engine.errors import Location
    from engine.lint import lint_plan
    from engine.selection import graph_of, resolve
    from engine.steps import StepBuilder, cleanup_statements, definition_hashes

    ctx = make_context(pipeline, target_name, settings, connect)
    r = ctx.renderer
    graph = graph_of(pipeline, ctx.analysis.order, ctx.analysis.reads)
    selected = resolve(graph, select, exclude, Location(pipeline.file))
    steps = StepBuilder(ctx, incremental=False, only=selected).build()
    # definitions come from the whole build, whatever the selection: a table's hash must not depend on it
    everything = steps if selected == set(pipeline.tables) else StepBuilder(ctx, incremental=False).build()
    definitions = definition_hashes(pipeline, everything)
    tables = [(t, definitions[t]) for t in pipeline.tables if t in selected]
    bookkeeping = r.statements("state/record_tables.sql", pipeline=pipeline.name, tables=tables)
    bound, release = ctx.lock_bound(0.0)
    plan = Plan(
        pipeline=pipeline.name,
        target=ctx.target.name,
        where=ctx.adapter.describe(),
        transactional=ctx.adapter.capabilities.transactional_ddl,
        setup=ctx.setup_statements(),
        begin=r.template("begin.sql"),
        lock=ctx.lock_statements(0.0),
        reset=r.statements("state/reset.sql", pipeline=pipeline.name, tables=sorted(selected)),
        steps=steps,
        bookkeeping=bookkeeping,
        commit=r.template("commit.sql"),
        cleanup=cleanup_statements(ctx, None, selected),
        rollback=r.template("rollback.sql"),
        lock_bound=bound,
        lock_release=release,
        definitions=definitions,
        graph=graph,
        selected=selected,
    )
    planned = PlannedRun(ctx, plan)
    lint_plan(planned)  # a target with a lint file (Redshift): SQL that would fail there, refused here
    return planned


@dataclass(frozen=True)
class Checked:
    """What ``validate`` reports: the pipeline passed every check a plan makes, and how many steps it has."""

    target: Target
    steps: int
    #: how many tables a --select / --exclude left (None: no selection)
    selected: int | None = None


def check_plan(pipeline: Pipeline, target_name: str | None = None, settings: Settings | None = None) -> Checked:
    """Every check ``plan_run`` makes, without rendering the statements when only shipped templates would
    render them (they render for any valid model; rendering thousands is most of the cost of validating a
    large pipeline).  A pipeline with its own templates folder, or a target with a lint (which reads the
    rendered statements), is planned in full."""
    from engine.inputs import LoadFiles, cache_dir, plan_files
    from engine.key_checks import key_checks
    from engine.lint import rules

    target = pipeline.target(target_name)
    if pipeline.templates_dir is not None or rules(adapter_class(target.type, target.location).sqlglot_dialect):
        planned = plan_run(pipeline, target_name, settings)
        return Checked(planned.target, len(planned.plan.steps))
    ctx = make_context(pipeline, target_name, settings)
    listed: dict[str, LoadFiles] = {}
    for st in pipeline.staging.values():
        source = pipeline.sources[st.source]
        if not ctx.adapter.capabilities.copy_from_s3 and source.name not in listed:
            listed[source.name] = plan_files(source, cache_dir(pipeline))
        ctx.adapter.load_spec(source, st, listed.get(source.name, LoadFiles(())))
    checks = len(key_checks(pipeline)) + len(pipeline.checks)
    return Checked(ctx.target, 2 * len(ctx.analysis.order) + checks + 1)
