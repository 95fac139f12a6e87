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
    from engine.changes import Decision
    from engine.inputs import FileEntry
    from engine.plan import Plan, Step

BATCH = 500


@dataclass
class WarehouseState:
    existing: set[str] = field(default_factory=set)
    ddl: dict[str, str] = field(default_factory=dict)
    #: table -> file key -> (size, version)
    files: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)


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


def decide(plan: Plan, state: WarehouseState, full_refresh: bool) -> Decision:
    """Which selected tables this run rebuilds, updates or keeps (engine/changes.py), after refusing a
    selection that would read a table the warehouse does not hold yet."""
    from engine.changes import decide as decide_tables
    from engine.errors import Location
    from engine.selection import refuse_missing

    refuse_missing(plan.graph, plan.selected, state.existing, Location(plan.pipeline.file))
    return decide_tables(plan.graph, plan.selected, {t: plan.definition_hash(t) for t in plan.selected},
                         state.ddl, state.existing, full_refresh=full_refresh,
                         incremental_ok=None if plan.reads_local_files
                         else f"{plan.adapter.name} COPY reloads each source whole")


def steps_for(plan: Plan, decision: Decision) -> tuple[Step, ...]:
    """The steps that carry out ``decision``: incremental, the whole selection, or only what is rebuilt."""
    if decision.incremental:
        return plan.incremental_steps
    if decision.rebuild == plan.selected or plan.partial is None:
        return plan.steps
    return plan.partial(decision.rebuild)


def prepare(plan: Plan, decision: Decision) -> None:
    """The bookkeeping tables exist; the rows of the tables about to be rebuilt are forgotten (others stay,
    so tables the pipeline no longer declares can still be found and pruned)."""
    for sql in plan.renderer.statements("state/create.sql"):
        plan.adapter.execute(sql, "state")
    if not decision.incremental and decision.rebuild:
        for sql in plan.renderer.statements("state/reset.sql", pipeline=plan.pipeline.name,
                                            tables=sorted(decision.rebuild)):
            plan.adapter.execute(sql, "state")


def record_files(plan: Plan, table: str, files: list[FileEntry]) -> None:
    for i in range(0, len(files), BATCH):
        plan.adapter.execute(plan.renderer.template("state/record_files.sql", pipeline=plan.pipeline.name,
                                                    table=table, files=files[i:i + BATCH]), "state")


def record_tables(plan: Plan, rebuilt: frozenset[str]) -> None:
    tables = [(t, plan.definition_hash(t)) for t in plan.pipeline.tables if t in rebuilt]
    if not tables:
        return
    plan.adapter.execute(plan.renderer.template("state/record_tables.sql", pipeline=plan.pipeline.name,
                                                tables=tables), "state")
