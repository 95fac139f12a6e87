"""A NULL in a star table's ``not_null`` column, traced back to the source records that produce it.

The warehouse only says which column refused the NULL (DuckDB: ``NOT NULL constraint failed:
orders__etl_next.ordered_at``), and the failed statement has aborted the transaction, so
nothing more can be asked of it.  The engine knows the rest: sqlglot's lineage gives the
staging columns the star column is computed from, the staging table's mapping gives the
source key each one reads, and a scan of the source's files finds the records where that
key is missing or null, by file and line.  The way to keep them out at load is to declare
the staging column ``not_null`` (a bad record then fails the load, or is skipped into
_etl_rejects, with file and line).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, TargetError
from engine.shadow import SUFFIX

if TYPE_CHECKING:
    from engine.config import Source, StagingTable
    from engine.context import RunContext
    from engine.plan import Step

_DUCKDB = re.compile(r'NOT NULL constraint failed: "?([A-Za-z_]\w*)"?\."?([A-Za-z_]\w*)"?')
_POSTGRES = re.compile(r'null value in column "([^"]+)" of relation "([^"]+)" violates not-null constraint')
#: source records named in the message
SHOWN = 5


def _refused(message: str) -> tuple[str, str] | None:
    """(table, column) of a NOT NULL refusal, the shadow suffix taken off the table."""
    if match := _DUCKDB.search(message):
        table, column = match.groups()
    elif match := _POSTGRES.search(message):
        column, table = match.groups()
    else:
        return None
    return table.removesuffix(SUFFIX), column


def explain_null(plan: RunContext, step: Step, error: TargetError) -> TargetError:
    """``error`` with the origin of the NULL added when it is a star column's NOT NULL refusal; else ``error``."""
    refused = _refused(error.message)
    if step.kind != "transform" or refused is None or refused[0] not in plan.pipeline.star:
        return error
    table, column = refused
    lines = [f"star table '{table}': its SELECT gives NULL in column '{column}', which is declared not_null"]
    # an explanation only: whatever goes wrong while tracing, the refusal itself stands
    try:
        feeds = _feeds(plan, table, column)
    except Exception:
        feeds = []
    for staging, staged in feeds:
        try:
            lines += _records(plan, plan.pipeline.staging[staging], staged)
        except Exception as exc:
            lines.append(f"  {staging}.{staged}: its source could not be read again ({type(exc).__name__})")
    if not feeds:
        lines.append("  (the staging columns it is computed from could not be traced)")
    lines.append(f"(warehouse: {error.message.splitlines()[0]})")
    return TargetError("\n".join(lines), error.step, error.sql)


def _feeds(plan: RunContext, table: str, column: str) -> list[tuple[str, str]]:
    """(staging table, column) pairs the star column is computed from."""
    from sqlglot import exp
    from sqlglot.lineage import lineage

    star = plan.pipeline.star[table]
    sql = plan.renderer.user_sql(star.sql, star.location)
    schema = {t: {c.name: c.type for c in plan.pipeline.table_columns(t)} for t in plan.pipeline.tables}
    node = lineage(column, sql, schema=schema, dialect=plan.renderer.sqlglot_dialect)
    out: list[tuple[str, str]] = []
    for leaf in node.walk():
        if leaf.downstream or not isinstance(leaf.source, exp.Table):
            continue
        name = leaf.source.name.lower()
        staged = leaf.name.rsplit(".", 1)[-1]
        if name in plan.pipeline.staging and (name, staged) not in out:
            out.append((name, staged))
    return out


def _records(plan: RunContext, staging: StagingTable, column: str) -> list[str]:
    """Lines naming the source records where the key the staging column reads is missing or null."""
    source = plan.pipeline.sources[staging.source]
    head = f"  {staging.name}.{column} (source '{source.name}')"
    if source.is_remote or source.format not in ("json", "csv"):
        return [f"{head}: NULL in some rows; declare it not_null to find them at load by file and line"]
    from engine.inputs import list_files

    try:
        files = list_files(source)
    except ConfigError:
        return [f"{head}: its files could not be listed again"]
    found: list[str] = []
    total = 0
    reader = (
        _json_nulls(plan, source, staging, column) if source.format == "json" else _csv_nulls(source, staging, column)
    )
    for entry in files:
        for line in reader(entry.location):
            total += 1
            if len(found) < SHOWN:
                found.append(f"    {entry.location}:{line}")
    if not total:
        return [f"{head}: no source record lacks it; the NULL comes from the table's SQL (a join or an expression)"]
    return [
        f"{head} is missing or null in {total:,} source record(s) (those the table's SQL keeps give the NULL):",
        *found,
        *(["    ..."] if total > SHOWN else []),
        f"  declare {staging.name}.{column} not_null: true to refuse them at load (on_error: skip keeps them "
        "in _etl_rejects), or keep them out in the table's SQL",
    ]


def _json_nulls(plan: RunContext, source: Source, staging: StagingTable, column: str) -> Any:
    from engine.inputs import cache_dir, plan_jsonpaths
    from engine.sources.jsonpaths import json_fields
    from engine.sources.stream import open_binary

    paths = plan_jsonpaths(source, cache_dir(plan.pipeline))
    field = next(f for f in json_fields(staging.columns, paths, source.location) if f.column == column)
    steps = field.path or (field.key,)

    def lines(path: str) -> Any:
        with open_binary(path, source.compression) as raw:
            for number, text in enumerate(io.TextIOWrapper(raw, encoding="utf-8", errors="replace"), 1):
                try:
                    value: Any = json.loads(text)
                except ValueError:
                    continue  # not one record per line, or a bad one: the load says so
                for step in steps:
                    if isinstance(value, dict) and isinstance(step, str):
                        value = value.get(step)
                    elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                        value = value[step]
                    else:
                        value = None
                    if value is None:
                        break
                if value is None:
                    yield number

    return lines


def _csv_nulls(source: Source, staging: StagingTable, column: str) -> Any:
    from engine.sources.stream import open_binary

    index = [c.name for c in staging.columns].index(column)
    empty = {"", source.null_string} if source.null_string is not None else {""}

    def lines(path: str) -> Any:
        with open_binary(path, source.compression) as raw:
            text = io.TextIOWrapper(raw, encoding=source.encoding, errors="replace", newline="")
            rows = csv.reader(text, delimiter=source.delimiter, quotechar=source.quote)
            for number, row in enumerate(rows, 1):
                if number == 1 and source.header:
                    continue
                if index >= len(row) or row[index] in empty:
                    yield number

    return lines
