"""Tables this pipeline built and no longer declares (renamed or removed): listed after a run, dropped on ``--prune``.

The warehouse's bookkeeping (``_etl_tables``) names every table the engine built for the
pipeline, so only those are ever candidates: a table the engine did not create is never
listed and never dropped.  Pruning happens inside the run's transaction, so it commits
with the run or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.plan import Plan


def leftovers(plan: Plan) -> list[tuple[str, str]]:
    """(table, warehouse table type) for tables the pipeline built, still there, no longer declared."""
    declared = set(plan.pipeline.tables)
    rows = plan.adapter.fetch(plan.renderer.template("state/built.sql", pipeline=plan.pipeline.name), "prune")
    return [(str(name), str(kind)) for name, kind in rows if str(name) not in declared]


def drop(plan: Plan, found: list[tuple[str, str]]) -> None:
    """Drop the leftover tables (or views) and forget them."""
    r, adapter = plan.renderer, plan.adapter
    for table, kind in found:
        template = "drop_view.sql" if "VIEW" in kind.upper() else "drop_table.sql"
        adapter.execute(r.template(template, table=table, view=table), "prune")
        for sql in r.statements("state/forget.sql", pipeline=plan.pipeline.name, table=table):
            adapter.execute(sql, "prune")


def handle(plan: Plan, prune: bool) -> tuple[list[str], bool]:
    """After a run's steps: the leftover tables, and whether they were dropped."""
    found = leftovers(plan)
    if prune and found:
        drop(plan, found)
    return [t for t, _ in found], prune and bool(found)
