"""What the warehouse remembers between runs, and the choice of a full or incremental run.

Two bookkeeping tables live beside the star (``_etl_files``: which file each staging
table loaded, with its size and version; ``_etl_tables``: the shape each table was
built with).  They are created before the run's transaction and read and written inside
it, so they can never disagree with the tables they describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.changes import Decision
    from engine.context import PlannedRun, RunContext
    from engine.inputs import FileEntry
    from engine.plan import Step


@dataclass
class WarehouseState:
    existing: set[str] = field(default_factory=set)
    ddl: dict[str, str] = field(default_factory=dict)
    #: table -> file key -> (size, version)
    files: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)
    #: tables that exist but lost their rows to crash recovery (Capabilities.unlogged_staging)
    emptied: set[str] = field(default_factory=set)


def read(ctx: RunContext) -> WarehouseState:
    r, adapter = ctx.renderer, ctx.adapter
    names = [*ctx.pipeline.tables, "_etl_tables", "_etl_files", "_etl_runs"]
    state = WarehouseState({row[0] for row in adapter.fetch(r.template("state/existing.sql", tables=names))})
    if {"_etl_tables", "_etl_files"} <= state.existing:
        tables_sql, files_sql = r.statements("state/read.sql", pipeline=ctx.pipeline.name)
        state.ddl = {str(t): str(h) for t, h in adapter.fetch(tables_sql)}
        for table, key, size, version in adapter.fetch(files_sql):
            state.files.setdefault(str(table), {})[str(key)] = (int(size), str(version))
        if adapter.capabilities.unlogged_staging and ctx.pipeline.staging:
            staging = list(ctx.pipeline.staging)
            state.emptied = {str(row[0]) for row in adapter.fetch(r.template("state/emptied.sql", tables=staging))}
    return state


def decide(run: PlannedRun, state: WarehouseState, full_refresh: bool) -> Decision:
    """Which selected tables this run rebuilds, updates or keeps, and why (engine/changes.py), after
    refusing a selection that would read a table the warehouse does not hold yet."""
    from engine.changes import decide as decide_tables
    from engine.errors import Location
    from engine.selection import refuse_missing

    plan, adapter = run.plan, run.context.adapter
    refuse_missing(plan.graph, plan.selected, state.existing, Location(run.context.pipeline.file))
    caps = adapter.capabilities
    why_not = None
    if not caps.transactional_ddl:
        why_not = f"{adapter.name} commits DDL on its own: every run rebuilds into shadows"
    elif not caps.incremental:
        why_not = f"{adapter.name} has no incremental runs"
    elif not run.context.tracks_files:
        why_not = f"{adapter.name} COPY reloads each source whole (manifest_prefix: makes runs incremental)"
    return decide_tables(
        plan.graph,
        plan.selected,
        plan.definitions,
        state.ddl,
        state.existing,
        emptied=frozenset(state.emptied),
        full_refresh=full_refresh,
        incremental_ok=why_not,
    )


def steps_for(run: PlannedRun, decision: Decision) -> tuple[Step, ...]:
    """The steps that carry out ``decision``: incremental, the whole selection, or only what is rebuilt."""
    if decision.incremental:
        return run.incremental_steps()
    return run.partial_steps(decision.rebuild)


def reset_statements(run: PlannedRun, decision: Decision) -> tuple[str, ...]:
    """Forget the files and definitions of the tables about to be rebuilt (other tables' rows stay, so
    tables the pipeline no longer declares can still be found and pruned)."""
    if decision.incremental or not decision.rebuild:
        return ()
    if decision.rebuild == run.plan.selected:
        return run.plan.reset
    return run.context.renderer.statements(
        "state/reset.sql", pipeline=run.context.pipeline.name, tables=sorted(decision.rebuild)
    )


def bookkeeping_statements(run: PlannedRun, decision: Decision) -> tuple[str, ...]:
    """Record the definitions of the tables this run rebuilt."""
    if decision.incremental or not decision.rebuild:
        return ()
    if decision.rebuild == run.plan.selected:
        return run.plan.bookkeeping
    tables = [(t, run.plan.definitions[t]) for t in run.context.pipeline.tables if t in decision.rebuild]
    return run.context.renderer.statements("state/record_tables.sql", pipeline=run.context.pipeline.name, tables=tables)


def record_files(ctx: RunContext, table: str, files: list[FileEntry]) -> None:
    # also as one JSON text per batch, which a warehouse that parses JSON reads far faster than a VALUES list
    import json

    rows = [[f.key, str(f.size), f.version] for f in files]
    batch = ctx.adapter.capabilities.files_per_statement
    for i in range(0, len(files), batch):
        ctx.adapter.execute(
            ctx.renderer.template(
                "state/record_files.sql",
                pipeline=ctx.pipeline.name,
                table=table,
                files=files[i : i + batch],
                files_json=json.dumps(rows[i : i + batch]),
            ),
            "state",
        )
