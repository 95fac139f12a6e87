"""Duplicate keys a dimension's SELECT folds: counted and said, never silent.

A dimension's SQL often picks one row per key among several (``row_number() over
(partition by key ...)`` kept where it is 1, a ``GROUP BY`` or ``DISTINCT``).  The rule
that picks is the user's; the run says how many source rows were folded into how many
keys, so a source that suddenly repeats itself is noticed.  The rows picked among are
found in the statement the step ran (sqlglot, as for shadow tables); a SELECT of another
shape is left unsaid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp

    from engine.context import RunContext
    from engine.plan import Step


def _picked_from(select: exp.Select) -> exp.Expression | None:
    """The SELECT of the rows ``select`` picks among, or None when it does not pick."""
    from sqlglot import exp

    source = select.args.get("from") or select.args.get("from_")
    inner = source.this if source is not None else None
    where = select.args.get("where")
    if (
        isinstance(inner, exp.Subquery)
        and isinstance(inner.this, exp.Select)
        and where is not None
        and not select.args.get("joins")
    ):
        picks = {
            e.alias.lower()
            for e in inner.this.expressions
            if isinstance(e, exp.Alias)
            and isinstance(e.this, exp.Window)
            and isinstance(e.this.this, exp.RowNumber)
            and e.this.args.get("partition_by")
        }
        condition = where.this
        if (
            isinstance(condition, (exp.EQ, exp.LTE))
            and isinstance(condition.this, exp.Column)
            and condition.this.name.lower() in picks
            and condition.expression.sql() == "1"
        ):
            return inner.this.copy()
    if select.args.get("group") or select.args.get("distinct"):
        rows: Any = select.copy()
        for key in ("group", "distinct", "having", "order", "limit"):
            rows.set(key, None)
        rows.set("expressions", [exp.Literal.number(1)])
        return rows  # type: ignore[no-any-return]
    return None


def fold_source(sql: str, dialect: str) -> str | None:
    """The rows the SELECT inside ``sql`` (an INSERT ... SELECT or a MERGE ... USING) picks among; found
    once per statement text (the user cache keeps the answer, so a run of unchanged SQL imports no sqlglot)."""
    from engine.user_cache import remembered

    return remembered("folds", [sql, dialect], lambda: _fold_source(sql, dialect))


def _fold_source(sql: str, dialect: str) -> str | None:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return None
    select = tree.find(exp.Select)
    if select is None:
        return None
    rows = _picked_from(select)
    return rows.sql(dialect=dialect) if rows is not None else None


def fold_notes(plan: RunContext, step: Step) -> list[str]:
    """A note when the step's dimension folded source rows into fewer keys."""
    table = step.table
    if table is None or table not in plan.pipeline.star or plan.pipeline.star[table].kind != "dimension":
        return []
    source = next((s for sql in step.statements if (s := fold_source(sql, plan.renderer.sqlglot_dialect))), None)
    if source is None:
        return []
    rows = plan.adapter.fetch(
        plan.renderer.template("fold_count.sql", source=source, table=step.into or table), step.id
    )
    if not rows or len(rows[0]) < 2 or rows[0][0] is None or rows[0][1] is None:
        return []
    source_rows, keys = int(rows[0][0]), int(rows[0][1])
    if source_rows <= keys:
        return []
    return [f"'{table}': {source_rows:,} source rows folded into {keys:,} keys by its SQL (one row picked per key)"]
