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
    from engine.context import PlannedRun, RunContext
    from engine.inputs import FileEntry

BATCH = 500


@dataclass
class WarehouseState:
    existing: set[str] = field(default_factory=set)
    ddl: dict[str, str] = field(default_factory=dict)
    #: table -> file key -> (size, version)
    files: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Mode:
    incremental: bool
    reason: str


def read(ctx: RunContext) -> WarehouseState:
    r, adapter = ctx.renderer, ctx.adapter
    names = [*ctx.pipeline.tables, "_etl_tables", "_etl_files", "_etl_runs"]
    state = WarehouseState({row[0] for row in adapter.fetch(r.template("state/existing.sql", tables=names))})
    if {"_etl_tables", "_etl_files"} <= state.existing:
        tables_sql, files_sql = r.statements("state/read.sql", pipeline=ctx.pipeline.name)
        state.ddl = {str(t): str(h) for t, h in adapter.fetch(tables_sql)}
        for table, key, size, version in adapter.fetch(files_sql):
            state.files.setdefault(str(table), {})[str(key)] = (int(size), str(version))
    return state


def choose_mode(run: PlannedRun, state: WarehouseState, full_refresh: bool) -> Mode:
    """Incremental only when every table is there, built with today's shape, on a target that can."""
    caps = run.context.adapter.capabilities
    if full_refresh:
        return Mode(False, "--full-refresh")
    if not caps.transactional_ddl:
        return Mode(False, f"{run.context.adapter.name} commits DDL on its own: every run rebuilds into shadows")
    if not caps.incremental:
        return Mode(False, f"{run.context.adapter.name} has no incremental runs")
    if not run.context.tracks_files:
        return Mode(False, f"{run.context.adapter.name} COPY reloads each source whole (manifest_prefix: makes runs "
                           "incremental)")
    if not state.ddl:
        return Mode(False, "first run")
    for table in run.context.pipeline.tables:
        if table not in state.existing:
            return Mode(False, f"table {table} is missing")
        if state.ddl.get(table) != run.plan.definitions[table]:
            return Mode(False, f"table {table} is defined differently than when it was built")
    return Mode(True, "only files not loaded before")


def record_files(ctx: RunContext, table: str, files: list[FileEntry]) -> None:
    for i in range(0, len(files), BATCH):
        ctx.adapter.execute(ctx.renderer.template("state/record_files.sql", pipeline=ctx.pipeline.name,
                                                  table=table, files=files[i:i + BATCH]), "state")
