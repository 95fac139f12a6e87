"""Shadow tables: where a full run builds, so the live tables stand until the publish.

A full run creates ``<table>__etl_next`` for every table, loads and transforms into
those, runs the checks on them, and only then swaps them in (drop the live table,
rename the shadow) inside the same transaction.  Readers of the live tables on a server
(PostgreSQL, Redshift) are not held up while the run builds (a DuckDB file admits one process
at a time: engine/readers.py), and a failure anywhere leaves them as they were.

The user's SELECTs name the live tables; they are pointed at the shadows by renaming
table references in sqlglot's tree (the alias keeps the old name, so qualified column
references such as ``orders.id`` still resolve).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp

SUFFIX = "__etl_next"


def shadow_name(table: str) -> str:
    return f"{table}{SUFFIX}"


def point_at(tree: exp.Expression, names: Mapping[str, str], dialect: str) -> str:
    """The SQL of ``tree`` with every reference to a table in ``names`` renamed to its value."""
    from engine.sql_cache import CachedTree

    if isinstance(tree, CachedTree):  # pointed already, when the SQL was first checked (engine/sql_cache.py)
        if tree.names == tuple(sorted(names.items())):
            return tree.pointed
        from engine.graph import parse_select

        tree = parse_select(tree.sql, dialect).tree
    from sqlglot import exp

    copy: Any = tree.copy()
    ctes = {cte.alias_or_name.lower() for cte in copy.find_all(exp.CTE)}
    for table in list(copy.find_all(exp.Table)):
        if table.args.get("db") or table.args.get("catalog"):
            continue
        ident = table.this
        name = table.name if getattr(ident, "quoted", False) else table.name.lower()
        if name not in names or name in ctes:
            continue
        if not table.alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
        table.set("this", exp.to_identifier(names[name], quoted=True))
    sql: str = copy.sql(dialect=dialect, pretty=True)
    return sql


BACKUP_SUFFIX = "__etl_old"


def backup_name(table: str) -> str:
    """Where Publish.RENAME_BACKUP moves the live table until the run has committed."""
    return f"{table}{BACKUP_SUFFIX}"
