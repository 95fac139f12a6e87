"""Tables this pipeline built and no longer declares (renamed or removed): listed after a run, dropped on ``--prune``.

The warehouse's bookkeeping (``_etl_tables``) names every table the engine built for the
pipeline, so only those are ever candidates: a table the engine did not create is never
listed and never dropped.  Pruning happens inside the run's transaction, so it commits
with the run or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.context import RunContext


def leftovers(ctx: RunContext) -> list[tuple[str, str]]:
    """(table, "VIEW" or "BASE TABLE") for tables the pipeline built, still there, no longer declared."""
    r, adapter = ctx.renderer, ctx.adapter
    declared = set(ctx.pipeline.tables)
    built = {
        str(row[0]) for row in adapter.fetch(r.template("state/built.sql", pipeline=ctx.pipeline.name), "prune") if row
    }
    candidates = sorted(built - declared)
    if not candidates:
        return []
    there = {str(row[0]) for row in adapter.fetch(r.template("state/existing.sql", tables=candidates), "prune") if row}
    views = {str(row[0]) for row in adapter.fetch(r.template("state/views.sql", tables=candidates), "prune") if row}
    return [(t, "VIEW" if t in views else "BASE TABLE") for t in candidates if t in there]


def drop(ctx: RunContext, found: list[tuple[str, str]]) -> None:
    """Drop the leftover tables (or views) and forget them."""
    r, adapter = ctx.renderer, ctx.adapter
    for table, kind in found:
        template = "drop_view.sql" if "VIEW" in kind.upper() else "drop_table.sql"
        adapter.execute(r.template(template, table=table, view=table), "prune")
        for sql in r.statements("state/forget.sql", pipeline=ctx.pipeline.name, table=table):
            adapter.execute(sql, "prune")


def handle(ctx: RunContext, prune: bool) -> tuple[list[str], bool]:
    """After a run's steps: the leftover tables, and whether they were dropped."""
    found = leftovers(ctx)
    if prune and found:
        drop(ctx, found)
    return [t for t, _ in found], prune and bool(found)
