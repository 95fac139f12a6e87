"""What ``etl-engine query`` does once the plan is built: choose the SQL, run it, write the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import UsageError

if TYPE_CHECKING:
    from engine.context import PlannedRun


def query_command(
    plan: PlannedRun, pipeline_arg: str, name: str | None, sql: str | None, fmt: str, limit: int | None
) -> None:
    from engine import query, query_output

    if fmt not in query_output.FORMATS:
        raise UsageError(f"unknown format '{fmt}'; use one of: {', '.join(query_output.FORMATS)}")
    if sql is not None and name is not None:
        raise UsageError("give a query name or --sql, not both")
    statements = [("sql", query.adhoc(plan, sql))] if sql is not None else query.pick(plan, name)
    if not statements:
        raise UsageError("the pipeline has no queries; add a queries: section or pass --sql")
    if fmt == "csv" and len(statements) > 1:
        raise UsageError(f"--format csv writes one query: name one of {', '.join(n for n, _ in statements)}")
    answers = query.run(plan, statements, pipeline_arg)
    query_output.write(answers, fmt, limit, single=sql is not None or name is not None)
