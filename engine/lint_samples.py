"""The bookkeeping statements a run renders as it goes, rendered ahead with sample values for the lint.

The run writes these (state, history, lock) with values known only while it runs; their SQL
shape is the same whatever the values, so sample values show the lint what will be sent.  A
template that needs a value these samples lack is left out of the lint rather than blocking the
user's run for the engine's own omission; tests/test_lint.py checks that every one renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.context import PlannedRun


def contexts(plan: PlannedRun) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) for every bookkeeping template a run of ``plan`` renders."""
    from engine.history import RunRecord
    from engine.inputs import FileEntry

    name = plan.pipeline.name
    run = RunRecord(
        "20260101T000000-abcdef",
        name,
        plan.target.name,
        "0" * 16,
        "full",
        "committed",
        "2026-01-01 00:00:00.000000",
        1.0,
        None,
    )
    step = {"step": "load:x", "table": "x", "kind": "load", "status": "ok", "rows": 1, "seconds": 0.1, "detail": None}
    entry = FileEntry("key.json", 1, "v1", "s3://bucket/key.json")
    return [
        ("state/create.sql", {}),
        ("state/existing.sql", {"tables": [*plan.pipeline.tables, "_etl_tables"]}),
        ("state/read.sql", {"pipeline": name}),
        ("state/reset.sql", {"pipeline": name, "tables": plan.pipeline.tables}),
        ("state/built.sql", {"pipeline": name}),
        ("state/views.sql", {"tables": plan.pipeline.tables}),
        ("state/forget.sql", {"pipeline": name, "table": "x"}),
        ("drop_view.sql", {"view": "x"}),
        ("state/record_files.sql", {"pipeline": name, "table": "x", "files": [entry]}),
        ("state/record_tables.sql", {"pipeline": name, "tables": [(t, "0" * 16) for t in plan.pipeline.tables]}),
        ("history/create.sql", {}),
        ("history/record.sql", {"run": run, "steps": [step]}),
        ("history/runs.sql", {"pipeline": name, "limit": 20}),
        ("history/steps.sql", {"run_id": run.run_id}),
        ("lock.sql", {"key": 1, "pipeline": name, "lock_table": f"_etl_lock_{name}", "wait_ms": 1}),
        ("lock_wait.sql", {"wait_ms": 1}),
        ("lock_wait_reset.sql", {}),
        ("publish_views.sql", {"tables": plan.pipeline.tables}),
    ]


def bookkeeping(plan: PlannedRun) -> Iterator[tuple[str, str]]:
    """(template name, SQL) of the bookkeeping statements that render with the sample values."""
    from engine.errors import ConfigError

    for template, context in contexts(plan):
        try:
            statements = plan.renderer.statements(template, **context) if plan.renderer.has_template(template) else ()
        except ConfigError:
            continue
        for sql in statements:
            yield template, sql
