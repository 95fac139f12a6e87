"""``etl-engine query``: the pipeline's named queries, or one ad hoc SELECT, against the built warehouse.

Reading never builds: a warehouse that is not there is reported, not created.  Ad hoc SQL
must be exactly one SELECT (sqlglot decides, in the target's dialect), and every query runs in
a read-only transaction (the warehouse refuses writes) that is rolled back at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, EngineError, Issue, Location, UsageError

if TYPE_CHECKING:
    from engine.context import PlannedRun


class NoWarehouse(EngineError):
    """The target's warehouse was never built: there is nothing to query yet."""


@dataclass(frozen=True)
class Answer:
    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]


def pick(plan: PlannedRun, name: str | None) -> list[tuple[str, str]]:
    """(name, rendered SQL) of the named query, or of every query; an unknown name lists the valid ones."""
    queries = plan.pipeline.queries
    if name is not None and name not in queries:
        from engine.validate import suggest

        valid = ", ".join(queries) or "none (add a queries: section)"
        hint = suggest(name, list(queries))
        where = plan.pipeline.document.locate(("queries",)) if queries else Location(plan.pipeline.file)
        raise ConfigError([Issue(f"no query named '{name}'; the pipeline's queries: {valid}", where, hint)])
    chosen = [queries[name]] if name is not None else list(queries.values())
    return [(q.name, plan.renderer.user_sql(q.sql, q.location)) for q in chosen]


def adhoc(plan: PlannedRun, sql: str) -> str:
    """``sql`` when it is exactly one read-only SELECT in the target's dialect; UsageError otherwise."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = [t for t in sqlglot.parse(sql, read=plan.adapter.sqlglot_dialect) if t is not None]
    except ParseError as exc:
        raise UsageError(f"--sql is not valid SQL: {str(exc).splitlines()[0]}") from None
    if len(trees) != 1:
        raise UsageError(f"--sql takes exactly one SELECT statement, not {len(trees)}")
    tree = trees[0]
    writes = (
        exp.Insert,
        exp.Update,
        exp.Delete,
        exp.Merge,
        exp.Create,
        exp.Drop,
        exp.Alter,
        exp.Command,
        exp.Copy,
        exp.Into,
        exp.Transaction,
        exp.Commit,
        exp.Rollback,
        exp.Set,
        exp.Pragma,
        exp.Use,
    )
    if not isinstance(tree, exp.Query) or any(isinstance(node, writes) for node in tree.walk()):
        raise UsageError(
            f"--sql is read-only: one SELECT (or WITH ... SELECT), not {tree.key.upper()}"
            if not isinstance(tree, exp.Query)
            else "--sql is read-only: this SELECT also writes (SELECT INTO, or a command inside it)"
        )
    return sql.strip().rstrip(";")


def run(plan: PlannedRun, statements: list[tuple[str, str]], pipeline_arg: str) -> list[Answer]:
    """Each (name, SQL) against the warehouse, inside one read-only transaction, rolled back."""
    adapter = plan.adapter
    missing = adapter.missing()
    if missing:
        raise NoWarehouse(f"no warehouse yet at {missing}; run `etl-engine run {pipeline_arg}` first")
    adapter.preflight()
    answers = []
    try:
        adapter.execute(plan.renderer.template("begin_read_only.sql"))
        for name, sql in statements:
            columns, rows = adapter.fetch_named(sql, f"query:{name}")
            answers.append(Answer(name, columns, rows))
        adapter.execute(plan.plan.rollback)
    finally:
        adapter.close()
    return answers
