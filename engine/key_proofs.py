"""Primary keys a star table's SELECT guarantees by its shape, so a full rebuild need not scan for them.

A full rebuild fills a new, empty shadow table with exactly the rows its SELECT returns, so what the
SELECT guarantees on any data holds in the table: no duplicate scan is needed for a key the SELECT
makes unique, no NULL count for a key it never leaves NULL. Counting duplicates is the costly part of
the key checks on a large table (a hash of every key: about a second per 10M rows on a laptop); the
foreign-key orphans are counted in the same single scan unless engine/fk_proofs.py proves them, and
every check still reports. Only shapes that hold whatever the data are taken (otherwise the check scans, as before):

unique
  * ``ROW_NUMBER() OVER (...)`` without PARTITION BY as the key column of the outermost SELECT: one
    number per result row, computed after its joins, WHERE and GROUP BY (QUALIFY, DISTINCT and LIMIT only
    remove rows);
  * one row per key picked: ``QUALIFY ROW_NUMBER() OVER (PARTITION BY p ...) = 1``, or a single derived
    table or CTE (no join) filtered on its ``ROW_NUMBER() OVER (PARTITION BY p ...)`` column ``= 1``,
    where every partition expression is one of the key's columns, as written;
  * ``GROUP BY`` of the key's columns (no ROLLUP, CUBE or GROUPING SETS), at the outermost SELECT or in
    a single derived table or CTE it reads; ``SELECT DISTINCT`` whose every column is in the key, at
    either place;
not null
  * a ROW_NUMBER() key column; a key column filtered ``IS NOT NULL`` by the WHERE of the SELECT that
    names it, at the outermost SELECT or, for a column it reads unchanged from the derived table, there.

Each needs the key column's type as sqlglot infers it to be the declared type (the INSERT casts to the
declared type, and only the identity cast is sure to keep distinct values distinct); a set-returning
function (UNNEST, generate_series) in the outermost SELECT list, a set operation, ``SELECT *`` or any
other shape proves nothing. NULL keys count as one key in the duplicate scan, as GROUP BY, DISTINCT and
PARTITION BY group them, so the shapes above agree with the scan they replace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: a sqlglot node: its classes' typing differs between sqlglot versions, and these helpers only walk them
Node = Any

#: the functions whose one call yields several rows (a row per element), by name, where sqlglot has no class
_ROW_MAKERS = frozenset({"unnest", "generate_series", "generate_subscripts", "range", "json_each", "explode"})


@dataclass(frozen=True)
class KeyProof:
    """Why the key is unique and why it is never NULL, by the SELECT's shape ("" where not proved)."""

    unique: str = ""
    not_null: str = ""
    #: foreign keys whose orphans the child's and the parent's SELECTs rule out: (column, why)
    orphans: tuple[tuple[str, str], ...] = ()


def prove_keys(
    sql: str, dialect: str, key: tuple[str, ...], columns: list[tuple[str, str]], schema: dict[str, dict[str, str]]
) -> KeyProof:
    """What the SELECT ``sql`` (rendered for ``dialect``) guarantees about the key ``key`` of the table
    whose declared ``columns`` (name, type) it fills by position. Found once per text: the user cache
    keeps the answer, so a run of unchanged SQL imports no sqlglot."""
    from engine.user_cache import remembered

    parts = [sql, dialect, json.dumps(list(key)), json.dumps(columns), json.dumps(schema, sort_keys=True)]
    found = remembered("keys", parts, lambda: json.dumps(_prove(sql, dialect, key, columns, schema)))
    try:
        unique, not_null = json.loads(found or "")
        return KeyProof(str(unique), str(not_null))
    except (ValueError, TypeError):
        return KeyProof()


def _prove(
    sql: str, dialect: str, key: tuple[str, ...], columns: list[tuple[str, str]], schema: dict[str, dict[str, str]]
) -> tuple[str, str]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    tables: dict[str, object] = dict(schema)
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
        tree = annotate_types(qualify(tree, schema=tables, dialect=dialect), schema=tables, dialect=dialect)
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError):
        return "", ""  # a shape sqlglot cannot follow proves nothing; the scan decides
    names = [name.lower() for name, _type in columns]
    if not isinstance(tree, exp.Select) or len(tree.selects) != len(columns) or any(k not in names for k in key):
        return "", ""
    if any(_makes_rows(e) for e in tree.selects) or any(isinstance(e, exp.Star) for e in tree.selects):
        return "", ""
    outputs: list[Node] = []
    for k in key:
        i = names.index(k.lower())
        node = tree.selects[i]
        if not _same_type(node, columns[i][1], dialect):
            return "", ""
        outputs.append(node.unalias())
    shown = {o.sql(dialect=dialect) for o in outputs}
    unique = _unique(tree, outputs, shown, dialect)
    null_free = [_not_null(tree, o, dialect) for o in outputs]
    return unique, (" and ".join(sorted(set(null_free))) if all(null_free) else "")


def _makes_rows(node: Node) -> bool:
    from sqlglot import exp

    for sub in node.walk():
        if isinstance(sub, (exp.Explode, exp.Unnest, exp.GenerateSeries, exp.Subquery)):
            return True
        if isinstance(sub, exp.Anonymous) and str(sub.this).lower() in _ROW_MAKERS:
            return True
    return False


def _same_type(node: Node, declared: str, dialect: str) -> bool:
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    found = node.type
    if found is None or found.this == exp.DataType.Type.UNKNOWN:
        return False
    try:
        wanted = exp.DataType.build(declared, dialect=dialect)
    except (SqlglotError, ValueError):
        return False
    return bool(found.sql(dialect=dialect) == wanted.sql(dialect=dialect))


def _conjuncts(condition: Node | None) -> list[Node]:
    from sqlglot import exp

    if condition is None:
        return []
    if isinstance(condition, (exp.Where, exp.Qualify)):
        condition = condition.this
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    if isinstance(condition, exp.And):
        return _conjuncts(condition.this) + _conjuncts(condition.expression)
    return [condition]


def _is_one(node: Node) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Literal) and not node.is_string and str(node.this) in ("1", "1.0")


def _first_of(condition: Node) -> Node | None:
    """``x`` of a conjunct that keeps only the rows where ``x`` is 1 (x = 1, 1 = x, x <= 1, x < 2)."""
    from sqlglot import exp

    if isinstance(condition, exp.EQ):
        if _is_one(condition.expression):
            return condition.this
        if _is_one(condition.this):
            return condition.expression
    if isinstance(condition, exp.LTE) and _is_one(condition.expression):
        return condition.this
    if isinstance(condition, exp.LT) and condition.expression.sql() == "2":
        return condition.this
    return None


def _partition(node: Node | None) -> list[Node] | None:
    """The PARTITION BY expressions of a ``ROW_NUMBER() OVER (...)``, or None for any other node."""
    from sqlglot import exp

    if isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber):
        return list(node.args.get("partition_by") or [])
    return None


def _plain_group(select: Node) -> list[Node] | None:
    """The GROUP BY expressions of ``select``, or None without one or with ROLLUP, CUBE or GROUPING SETS."""
    from sqlglot import exp

    group = select.args.get("group")
    if group is None or set(k for k, v in group.args.items() if v) != {"expressions"}:
        return None
    items = list(group.expressions)
    if not items or any(i.find(exp.Rollup, exp.Cube, exp.GroupingSets) for i in items):
        return None
    return items


def _derived(tree: Node) -> tuple[str, Node] | None:
    """The single derived table or CTE the outermost SELECT reads, without a join: (its alias, its SELECT)."""
    from sqlglot import exp

    source = tree.args.get("from") or tree.args.get("from_")
    if source is None or tree.args.get("joins") or tree.args.get("laterals"):
        return None
    inner = source.this
    if isinstance(inner, exp.Subquery) and isinstance(inner.this, exp.Select):
        return inner.alias_or_name, inner.this
    if isinstance(inner, exp.Table) and not inner.args.get("db"):
        with_ = tree.args.get("with") or tree.args.get("with_")
        for cte in with_.expressions if with_ is not None else []:
            if cte.alias_or_name == inner.name and isinstance(cte.this, exp.Select):
                return inner.alias_or_name, cte.this
    return None


def _inner_of(outputs: list[Node], alias: str) -> list[str] | None:
    """The derived table's column names the key columns read unchanged, or None if one is computed."""
    from sqlglot import exp

    names = []
    for o in outputs:
        if not isinstance(o, exp.Column) or (o.table and o.table != alias):
            return None
        names.append(o.name)
    return names


def _unique(tree: Node, outputs: list[Node], shown: set[str], dialect: str) -> str:
    from sqlglot import exp

    if any(_partition(o) == [] for o in outputs):
        return "ROW_NUMBER() without PARTITION BY numbers every row"
    windows = {e.alias_or_name: e.unalias() for e in tree.selects}
    for condition in _conjuncts(tree.args.get("qualify")):
        first = _first_of(condition)
        if isinstance(first, exp.Column) and not first.table:
            first = windows.get(first.name)
        parts = _partition(first)
        if parts and all(p.sql(dialect=dialect) in shown for p in parts):
            return "one row per key picked (QUALIFY ROW_NUMBER() OVER (PARTITION BY the key) = 1)"
    group = _plain_group(tree)
    if group is not None and all(g.sql(dialect=dialect) in shown for g in group):
        return "GROUP BY the key"
    plain_distinct = tree.args.get("distinct") is not None and not tree.args["distinct"].args.get("on")
    if plain_distinct and len(outputs) == len(tree.selects):
        return "SELECT DISTINCT of the key's columns only"
    derived = _derived(tree)
    if derived is None or _plain_group(tree) is not None:
        return ""
    alias, inner = derived
    names = _inner_of(outputs, alias)
    if names is None or any(_makes_rows(e) for e in inner.selects):
        return ""
    by_name = {e.alias_or_name: e.unalias() for e in inner.selects}
    if not all(n in by_name for n in names):
        return ""
    read = {by_name[n].sql(dialect=dialect) for n in names}
    for condition in _conjuncts(tree.args.get("where")):
        first = _first_of(condition)
        if isinstance(first, exp.Column) and first.table in ("", alias):
            parts = _partition(by_name.get(first.name))
            if parts and all(p.sql(dialect=dialect) in read for p in parts):
                return "one row per key picked (ROW_NUMBER() OVER (PARTITION BY the key) = 1)"
    group = _plain_group(inner)
    if group is not None and all(g.sql(dialect=dialect) in read for g in group):
        return "GROUP BY the key in the table it reads"
    plain_distinct = inner.args.get("distinct") is not None and not inner.args["distinct"].args.get("on")
    if plain_distinct and {e.alias_or_name for e in inner.selects} <= set(names):
        return "SELECT DISTINCT of the key's columns in the table it reads"
    return ""


def _filtered(select: Node, column: Node, dialect: str) -> bool:
    """Whether the WHERE of ``select`` keeps only rows where ``column`` is not NULL."""
    from sqlglot import exp

    text = column.sql(dialect=dialect)
    for condition in _conjuncts(select.args.get("where")):
        # NOT x IS NULL, or x IS NOT NULL (an Is that sqlglot marks negated, by dialect and version)
        negated = isinstance(condition, exp.Not)
        test = condition.this if negated else condition
        if (
            isinstance(test, exp.Is)
            and isinstance(test.expression, exp.Null)
            and negated != bool(test.args.get("negate"))
            and test.this.sql(dialect=dialect) == text
        ):
            return True
    return False


def _not_null(tree: Node, output: Node, dialect: str) -> str:
    from sqlglot import exp

    if _partition(output) is not None:
        return "ROW_NUMBER() is never NULL"
    if isinstance(output, exp.Column) and _filtered(tree, output, dialect):
        return "filtered IS NOT NULL"
    derived = _derived(tree)
    if derived is None or not isinstance(output, exp.Column) or output.table not in ("", derived[0]):
        return ""
    inner = next((e.unalias() for e in derived[1].selects if e.alias_or_name == output.name), None)
    if isinstance(inner, exp.Column) and _filtered(derived[1], inner, dialect):
        return "filtered IS NOT NULL in the table it reads"
    return ""
