"""What the warehouse remembers between runs, and the choice of a full or incremental run.

Two bookkeeping tables live beside the star (``_etl_files``: which file each staging
table loaded, with its size and version; ``_etl_tables``: the shape each table was
built with).  They are read and written inside the run's transaction, so they can
never disagree with the tables they describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.inputs import FileEntry
    from engine.plan import Plan

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


def read(plan: Plan) -> WarehouseState:
    r, adapter = plan.renderer, plan.adapter
    names = [*plan.pipeline.tables, "_etl_tables", "_etl_files", "_etl_runs"]
    state = WarehouseState({row[0] for row in adapter.fetch(r.template("state/existing.sql", tables=names))})
    if {"_etl_tables", "_etl_files"} <= state.existing:
        tables_sql, files_sql = r.statements("state/read.sql", pipeline=plan.pipeline.name)
        state.ddl = {str(t): str(h) for t, h in adapter.fetch(tables_sql)}
        for table, key, size, version in adapter.fetch(files_sql):
            state.files.setdefault(str(table), {})[str(key)] = (int(size), str(version))
    return state


def choose_mode(plan: Plan, state: WarehouseState, full_refresh: bool) -> Mode:
    """Incremental only when every table is there, built with today's shape, on a target that can."""
    if full_refresh:
        return Mode(False, "--full-refresh")
    if not plan.reads_local_files:
        return Mode(False, f"{plan.adapter.name} COPY reloads each source whole")
    if not state.ddl:
        return Mode(False, "first run")
    for table in plan.pipeline.tables:
        if table not in state.existing:
            return Mode(False, f"table {table} is missing")
        if state.ddl.get(table) != plan.definition_hash(table):
            return Mode(False, f"table {table} is defined differently than when it was built")
    return Mode(True, "only files not loaded before")


def prepare(plan: Plan, mode: Mode) -> None:
    for sql in plan.renderer.statements("state/create.sql"):
        plan.adapter.execute(sql, "state")
    if not mode.incremental:
        for sql in plan.renderer.statements("state/reset.sql", pipeline=plan.pipeline.name):
            plan.adapter.execute(sql, "state")


def record_files(plan: Plan, table: str, files: list[FileEntry]) -> None:
    # also as one JSON text per batch, which a warehouse that parses JSON reads far faster than a VALUES list
    import json

    rows = [[f.key, str(f.size), f.version] for f in files]
    for i in range(0, len(files), BATCH):
        plan.adapter.execute(plan.renderer.template("state/record_files.sql", pipeline=plan.pipeline.name,
                                                    table=table, files=files[i:i + BATCH],
                                                    files_json=json.dumps(rows[i:i + BATCH])), "state")


def record_tables(plan: Plan) -> None:
    tables = [(t, plan.definition_hash(t)) for t in plan.pipeline.tables]
    plan.adapter.execute(plan.renderer.template("state/record_tables.sql", pipeline=plan.pipeline.name,
                                                tables=tables), "state")
