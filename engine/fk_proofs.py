"""Foreign keys two SELECTs guarantee together: every value the child's column can hold is a key of the parent.

When a full build fills both tables from their SELECTs in the same transaction, from the same table, the
orphan count of a foreign key can be proved instead of counted (an anti-join of every child row against
every parent key: the costliest part left of the key checks on a large fact). The one shape taken, which
holds whatever the data:

* the child's column is ``E(t.x, ...)``: an expression over the columns of one table ``T`` (read directly,
  or through CTEs and derived tables that pass the columns on unchanged), built only from operations that
  give NULL on a NULL input (columns, literals, casts, arithmetic, epoch-to-timestamp); so each child value
  is NULL (never an orphan) or ``E`` of some row of ``T``, whatever the joins and filters around it;
* the parent's key is the same ``E`` over the same ``T`` with no join and no filter but ``IS NOT NULL`` on
  columns of ``E`` (a row whose ``E`` is not NULL passes it), kept for every value: plain, ``DISTINCT``, a
  ``GROUP BY`` of it, or one row picked per partition of it (``ROW_NUMBER() OVER (PARTITION BY E) = 1``),
  in the outermost SELECT or in the one derived table or CTE it reads;
* the column's declared type is the key's, and sqlglot infers each as declared (the INSERTs cast nothing).

Anything else proves nothing, and the orphans are counted as before.
"""

from __future__ import annotations

from typing import Any

Node = Any  # a sqlglot node (see engine/key_proofs.py)

#: function names (sqlglot's Anonymous) known to return NULL for a NULL argument and never otherwise
_STRICT_FUNCTIONS = frozenset({"epoch_ms", "to_timestamp"})


def prove_inclusion(
    child_sql: str,
    child_column: tuple[str, str, int],
    parent_sql: str,
    parent_key: tuple[str, str, int],
    dialect: str,
    schema: dict[str, dict[str, str]],
) -> str:
    """Why every non-NULL value of the child's column (name, declared type, position) is a key of the parent
    (name, declared type, position), or "" when the SELECTs do not show it. Found once per text (user cache)."""
    import json

    from engine.user_cache import remembered

    parts = [child_sql, parent_sql, dialect, json.dumps([child_column, parent_key]), json.dumps(schema, sort_keys=True)]
    found = remembered("fks", parts, lambda: _prove(child_sql, child_column, parent_sql, parent_key, dialect, schema))
    return found or ""


def _tree(sql: str, dialect: str, schema: dict[str, object]) -> Node | None:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    try:
        tree = annotate_types(
            qualify(sqlglot.parse_one(sql, read=dialect), schema=schema, dialect=dialect),
            schema=schema,
            dialect=dialect,
        )
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError):
        return None
    return tree if isinstance(tree, exp.Select) else None


def _prove(
    child_sql: str,
    child_column: tuple[str, str, int],
    parent_sql: str,
    parent_key: tuple[str, str, int],
    dialect: str,
    schema: dict[str, dict[str, str]],
) -> str:
    from engine.key_proofs import _same_type

    tables: dict[str, object] = dict(schema)
    child, parent = _tree(child_sql, dialect, tables), _tree(parent_sql, dialect, tables)
    if child is None or parent is None or child_column[1].lower() != parent_key[1].lower():
        return ""
    if len(child.selects) <= child_column[2] or len(parent.selects) <= parent_key[2]:
        return ""
    c_node, p_node = child.selects[child_column[2]], parent.selects[parent_key[2]]
    if not (_same_type(c_node, child_column[1], dialect) and _same_type(p_node, parent_key[1], dialect)):
        return ""
    known = frozenset(t.lower() for t in schema)
    c_expr = _based(child, c_node.unalias(), dialect, known)
    p_expr = _kept_key(parent, p_node.unalias(), dialect, known)
    if c_expr is None or p_expr is None or c_expr != p_expr:
        return ""
    return "the column and the parent's key are one expression of one table's rows, the parent keeping every value"


def _strict(node: Node) -> bool:
    """Whether ``node`` gives NULL when any column in it is NULL, and is made of nothing else."""
    from sqlglot import exp

    allowed = (
        exp.Column, exp.Identifier, exp.Literal, exp.Paren, exp.Cast, exp.DataType, exp.DataTypeParam,
        exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Interval, exp.Var, exp.UnixToTime,
    )  # fmt: skip
    for sub in node.walk():
        if isinstance(sub, exp.Anonymous) and str(sub.this).lower() in _STRICT_FUNCTIONS:
            continue
        if not isinstance(sub, allowed) or isinstance(sub, exp.TryCast):
            return False
    return True


def _sources(select: Node) -> dict[str, Node]:
    """The relations a SELECT reads, by alias: a base table's name (str) or a SELECT (CTE or derived)."""
    from sqlglot import exp

    ctes: dict[str, Node] = {}
    scope: Node | None = select
    while scope is not None:  # CTEs of this SELECT and of the SELECTs around it
        with_ = scope.args.get("with") or scope.args.get("with_")
        for cte in with_.expressions if with_ is not None else []:
            ctes.setdefault(cte.alias_or_name, cte.this)
        scope = scope.parent_select if hasattr(scope, "parent_select") else None
    out: dict[str, Node] = {}
    source = select.args.get("from") or select.args.get("from_")
    relations = [source.this] if source is not None else []
    relations += [j.this for j in select.args.get("joins") or []]
    for rel in relations:
        if isinstance(rel, exp.Subquery):
            out[rel.alias_or_name] = rel.this
        elif isinstance(rel, exp.Table):
            if rel.name in ctes and not rel.args.get("db"):
                out[rel.alias_or_name] = ctes[rel.name]
            elif isinstance(rel.this, exp.Identifier) and not rel.args.get("db"):
                # a table the pipeline names (no schema: other_schema.x is not its x), not a table function
                out[rel.alias_or_name] = rel.name
    return out


def _column_origin(select: Node, column: Node, depth: int = 0) -> tuple[str, str] | None:
    """(base table, column) a qualified column of ``select`` carries unchanged, or None."""
    from sqlglot import exp

    rel = _sources(select).get(column.table)
    if isinstance(rel, str):
        return rel.lower(), column.name.lower()
    if not isinstance(rel, exp.Select) or depth > 8:
        return None
    inner = next((e.unalias() for e in rel.selects if e.alias_or_name == column.name), None)
    return _column_origin(rel, inner, depth + 1) if isinstance(inner, exp.Column) else None


def _canonical(select: Node, expr: Node, dialect: str, known: frozenset[str]) -> str | None:
    """``expr`` of ``select`` with each column replaced by the base (table, column) it carries, as text; None
    if one carries none, or the columns come from more than one table, or from one the pipeline does not
    build (only its own tables are sure not to change between the child's statement and the parent's)."""
    from sqlglot import exp

    origins = {(c.table, c.name): _column_origin(select, c) for c in expr.find_all(exp.Column)}
    if any(o is None for o in origins.values()) or len({o[0] for o in origins.values() if o}) != 1:
        return None
    if not {o[0] for o in origins.values() if o} <= known:
        return None

    def swap(node: Node) -> Node:
        if isinstance(node, exp.Column):
            table, column = origins[(node.table, node.name)] or ("", "")
            return exp.column(column, table=table)
        return node

    return str(expr.copy().transform(swap).sql(dialect=dialect))


def _based(select: Node, expr: Node, dialect: str, known: frozenset[str]) -> str | None:
    """The child's column as an expression of one base table's columns, or None."""

    return _canonical(select, expr, dialect, known) if _strict(expr) else None


def _keeps_every_row(select: Node) -> bool:
    """No join, HAVING, QUALIFY, LIMIT or set-returning trick: each row of the FROM yields an output row
    or a group it belongs to does."""
    return not any(select.args.get(k) for k in ("joins", "laterals", "having", "qualify", "limit", "offset"))


def _key_of_base(select: Node, expr: Node, dialect: str, known: frozenset[str]) -> str | None:
    """``expr`` of a SELECT straight from one base table whose every value is kept: no filter but IS NOT NULL
    on its own columns, no join, GROUP BY only of ``expr`` or with it, or none."""
    from sqlglot import exp

    from engine.key_proofs import _conjuncts, _plain_group

    sources = _sources(select)
    if len(sources) != 1 or not isinstance(next(iter(sources.values())), str) or not _keeps_every_row(select):
        return None
    distinct = select.args.get("distinct")
    if distinct is not None and distinct.args.get("on"):
        return None
    group = _plain_group(select)
    if select.args.get("group") is not None and (group is None or expr.sql() not in {g.sql() for g in group}):
        return None
    own = {c.sql() for c in expr.find_all(exp.Column)}
    for condition in _conjuncts(select.args.get("where")):
        negated = isinstance(condition, exp.Not)
        test = condition.this if negated else condition
        if not (
            isinstance(test, exp.Is)
            and isinstance(test.expression, exp.Null)
            and negated != bool(test.args.get("negate"))
            and test.this.sql() in own
        ):
            return None
    return _based(select, expr, dialect, known)


def _kept_key(select: Node, expr: Node, dialect: str, known: frozenset[str]) -> str | None:
    """The parent's key as an expression of one base table, when every value of it is kept, or None."""
    from sqlglot import exp

    from engine.key_proofs import _conjuncts, _derived, _first_of, _partition

    if not isinstance(expr, exp.Column):
        return _key_of_base(select, expr, dialect, known)
    derived = _derived(select)
    if derived is None:
        return _key_of_base(select, expr, dialect, known)
    alias, inner = derived
    if select.args.get("group") is not None or not _keeps_every_row(select) or expr.table not in ("", alias):
        return None
    inner_expr = next((e.unalias() for e in inner.selects if e.alias_or_name == expr.name), None)
    if inner_expr is None:
        return None
    picks = {e.alias_or_name: e.unalias() for e in inner.selects}
    for condition in _conjuncts(select.args.get("where")):
        first = _first_of(condition)  # one row picked per partition of the key: every key kept
        parts = _partition(picks.get(first.name)) if isinstance(first, exp.Column) else None
        if not parts or [p.sql() for p in parts] != [inner_expr.sql()]:
            return None
    return _key_of_base(inner, inner_expr, dialect, known)
