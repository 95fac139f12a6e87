"""A failed check's evidence: up to five failing rows (the table's key and the offending values).

The query is rendered with the plan (templates/<dialect>/checks/samples/) and run only when
its check fails or warns; the rows are shown under the check and kept in the run history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.config import Check
from engine.errors import TargetError

if TYPE_CHECKING:
    from engine.render import SqlRenderer
    from engine.targets.base import Adapter

#: failing rows shown and kept per failed check
LIMIT = 5


def sample_sql(
    check: Check, r: SqlRenderer, name: Callable[[str], str], custom_sql: str, key: tuple[str, ...]
) -> str | None:
    """The query for a few failing rows of ``check``; None where failures are not rows (row_count)."""
    if check.kind == "row_count" or check.skipped_reason:
        return None
    context: dict[str, Any] = {"table": name(check.table), "columns": check.columns, "key": key, "limit": LIMIT}
    if check.kind == "sql":
        context["sql"] = custom_sql
    elif check.kind in ("relationships", "accepted_values"):
        context["column"] = check.columns[0]
        if check.kind == "relationships":
            assert check.to_table is not None
            context.update(to_table=name(check.to_table), to_column=check.to_column or check.columns[0])
        else:
            context["values"] = check.values
    return r.template(f"checks/samples/{check.kind}.sql", **context)


Rows = tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]


def fetch(adapter: Adapter, sql: str, step: str) -> Rows | None:
    """The failing rows (column names, rows), or None when the query itself fails (the verdict stands)."""
    try:
        names, rows = adapter.fetch_named(sql, step)
    except TargetError:
        return None
    return tuple(names), tuple(tuple(row) for row in rows)


def as_text(rows: Rows) -> list[str]:
    """One line per row: ``key=value, column=value``."""
    names, values = rows
    return [", ".join(f"{n}={_show(v)}" for n, v in zip(names, row, strict=False)) for row in values]


def as_json(rows: Rows) -> str:
    """The rows as JSON objects, for the run history."""
    names, values = rows
    return json.dumps([{n: _plain(v) for n, v in zip(names, row, strict=False)} for row in values], ensure_ascii=False)


def _show(value: Any) -> str:
    return "NULL" if value is None else repr(value) if isinstance(value, str) else str(value)


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
