"""The star tables and checks ``init`` sketches (commented out) from the staging columns.

Removing the leading ``# `` gives sections that validate and build, so the user edits a working
example instead of starting from a blank page.  The sketch reads the data's shape:

* a *dimension* for each ``*_id`` column that has a file of its own: the source named after it
  (``movie_id`` -> ``movies``) or in which the column is unique (no repeats or nulls in the sample);
  one row per key, whatever the staging rows repeat;
* the *fact* is the source with the most rows (estimated from the sample) among those with several
  ``*_id`` columns, with a foreign key to each dimension it names; its key is its own ``*_id``
  column when that was unique in a sample holding every row, else a surrogate row number;
* a *date dimension* on the fact's first date or timestamp column.

The SELECTs come from templates/default/sketch/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.tools.scaffold.model import DraftColumn, DraftSource
from engine.tools.scaffold.yaml_style import Block, Flow

MAX_DIMENSIONS = 4
MEASURE_TYPES = ("smallint", "integer", "bigint", "real", "double", "decimal")


def sql_name(name: str) -> str:
    """A column as written in a sketch's SELECT: quoted only where a keyword or a capital would clash."""
    from sqlglot import exp
    from sqlglot.tokens import Tokenizer

    if name.upper() in Tokenizer.KEYWORDS or name != name.lower():
        return exp.to_identifier(name, quoted=True).sql()
    return name


def _sql(template: str, **context: Any) -> Block:
    from engine.render import SqlRenderer

    return Block(SqlRenderer("duckdb", "duckdb").template(f"sketch/{template}", **context) + "\n")


def is_key(column: DraftColumn) -> bool:
    return column.name == "id" or column.name.endswith("_id")


def _entity(source: DraftSource, column: DraftColumn) -> str:
    if column.name != "id":
        return column.name[:-3]
    return source.name[:-1] if source.name.endswith("s") and len(source.name) > 1 else source.name


def _named_after(source: DraftSource, entity: str) -> bool:
    return source.name in (entity, f"{entity}s", f"{entity}es") or source.name.startswith(f"{entity}_")


@dataclass
class Dimension:
    name: str
    source: DraftSource
    key: DraftColumn
    attributes: list[DraftColumn]


def dimensions(sources: list[DraftSource], fact: DraftSource | None = None) -> list[Dimension]:
    """One per entity whose ``*_id`` has a file of its own (named after it, or where it is unique), when
    the fact names it, another source does too, or its file is named after it."""
    named_in: dict[str, int] = {}
    for s in sources:
        for c in s.columns:
            named_in[c.name] = named_in.get(c.name, 0) + 1
    owners: dict[str, tuple[tuple[bool, bool, int], DraftSource, DraftColumn]] = {}
    for s in sources:
        for c in s.columns:
            if not is_key(c):
                continue
            entity = _entity(s, c)
            named = _named_after(s, entity)
            if not (named or c.unique):
                continue
            rank = (named, c.unique, len(s.columns))
            if entity not in owners or rank > owners[entity][0]:
                owners[entity] = (rank, s, c)
    dims = []
    for entity, (rank, s, key) in sorted(owners.items()):
        if s is fact:
            continue
        if not (rank[0] or named_in[key.name] > 1 or (fact and any(c.name == key.name for c in fact.columns))):
            continue
        others = [c for c in s.columns if c is not key and not is_key(c)]
        attributes = sorted(others, key=lambda c: c.type != "varchar")[:3]
        dims.append(Dimension(f"dim_{entity}", s, key, attributes))
    return dims[:MAX_DIMENSIONS]


def fact_source(sources: list[DraftSource]) -> DraftSource:
    """The source with the most rows among those naming several keys; else the one with the most rows."""

    def size(s: DraftSource) -> tuple[int, int]:
        return s.rows, s.size

    several = [s for s in sources if sum(is_key(c) for c in s.columns) >= 2]
    return max(several or sources, key=size)


def star_sketch(sources: list[DraftSource]) -> dict[str, Any]:
    """``star:``'s tables: the fact, its dimensions and a date dimension."""
    fact_src = fact_source(sources)
    dims = dimensions(sources, fact_src)
    by_key = {d.key.name: d for d in dims}
    fks = [c for c in fact_src.columns if c.name in by_key]
    own = next(
        (c for c in fact_src.columns if is_key(c) and c.unique and fact_src.complete and c.name not in by_key), None
    )
    keys = [c for c in fact_src.columns if is_key(c) and c is not own and c not in fks]
    day = next((c for c in fact_src.columns if c.type in ("date", "timestamp", "timestamptz") or c.epoch), None)
    measures = [c for c in fact_src.columns if c.type.startswith(MEASURE_TYPES) and not is_key(c) and c is not day][:3]
    picked = [c for c in (own, *fks, *keys, *measures) if c is not None]
    if not picked:
        picked = [c for c in fact_src.columns if c is not own][:3]
    columns_sql = [{"name": sql_name(c.name), "source": None, "cast": None} for c in picked]
    table_columns: dict[str, Any] = {}
    foreign: dict[str, str] = {d_col.name: by_key[d_col.name].name for d_col in fks}
    surrogate = None if own else f"{fact_src.name}_key"
    if surrogate:
        table_columns[surrogate] = Flow(type="bigint", not_null=True)
    for c in picked:
        table_columns[c.name] = Flow(type=c.type, not_null=True) if c is own else c.type
    tables: dict[str, Any] = {}
    day_sql = _day_expression(day) if day is not None else ""
    if day is not None:
        day_key = day.name if day.type == "date" else f"{day.name}_date"
        if day.type != "date":
            columns_sql.append({"name": sql_name(day_key), "source": day_sql, "cast": "date"})
            table_columns[day_key] = "date"
        elif day not in picked:
            columns_sql.append({"name": sql_name(day.name), "source": None, "cast": None})
            table_columns[day.name] = "date"
        foreign[day_key] = "dim_date"
    fact: dict[str, Any] = {
        "kind": "fact",
        "description": f"One row per {fact_src.name} record (about {fact_src.rows:,} rows).",
        "primary_key": own.name if own else surrogate,
    }
    if foreign:
        fact["foreign_keys"] = Flow(foreign)
    fact["columns"] = table_columns
    fact["sql"] = _sql(
        "fact.sql",
        surrogate=surrogate,
        order_by=sql_name(picked[0].name),
        columns=columns_sql,
        staging=fact_src.staging,
        not_null=sql_name(own.name) if own else None,
    )
    tables[f"fact_{fact_src.name}"] = fact
    for d in dims:
        columns: dict[str, Any] = {d.key.name: Flow(type=d.key.type, not_null=True)}
        columns.update({a.name: a.type for a in d.attributes})
        tables[d.name] = {
            "kind": "dimension",
            "description": f"One row per {d.key.name}, from {d.source.name}.",
            "primary_key": d.key.name,
            "columns": columns,
            "sql": _sql(
                "dimension.sql",
                key=sql_name(d.key.name),
                attributes=[sql_name(a.name) for a in d.attributes],
                staging=d.source.staging,
            ),
        }
    if day is not None:
        names = {
            "key": "date_day",
            "year": "year",
            "month": "month",
            "day_of_month": "day_of_month",
            "day_of_week": "day_of_week",
        }
        tables["dim_date"] = {
            "kind": "dimension",
            "description": f"One row per day of {fact_src.name}.{day.name}.",
            "primary_key": "date_day",
            "columns": {
                "date_day": Flow(type="date", not_null=True),
                "year": "integer",
                "month": "integer",
                "day_of_month": "integer",
                "day_of_week": "integer",
            },
            "sql": _sql(
                "date_dimension.sql",
                day=day_sql,
                staging=fact_src.staging,
                **{k: sql_name(v) for k, v in names.items()},
            ),
        }
    return tables


def _day_expression(day: DraftColumn) -> str:
    """The column as a date or timestamp in SQL (epoch integers through the dialect's macro)."""
    return str(_sql("day.sql", column=sql_name(day.name), epoch=day.epoch)).strip()


STAR_HEADER = [
    "Star tables: what the warehouse is for. Below is a sketch built from the staging",
    "columns (a fact, dimensions for the *_id columns that have a file of their own, and a",
    "date dimension); remove the leading '# ' to try it, then make it say what your data means.",
    "Each table's SELECT reads staging tables; the engine derives the build order from",
    "the SQL and checks every primary key (unique, not null) and foreign key itself.",
]
CHECKS_HEADER = [
    "Checks run before anything is published; a failing one rolls the run back",
    "(severity: warn reports it and goes on).",
]


def checks_sketch(sources: list[DraftSource]) -> list[Any]:
    """``checks:``: a row count per staging table; not null and unique (as warnings) on each dimension's key."""
    checks: list[Any] = [{"row_count": Flow(table=s.staging, min=1)} for s in sources]
    for d in dimensions(sources, fact_source(sources))[:2]:
        checks.append({"not_null": Flow(table=d.source.staging, columns=[d.key.name]), "severity": "warn"})
        if d.key.unique:
            checks.append({"unique": Flow(table=d.source.staging, columns=[d.key.name]), "severity": "warn"})
    return checks
