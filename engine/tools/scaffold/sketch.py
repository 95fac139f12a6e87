"""The star tables and checks ``init`` sketches (commented out) from the staging columns.

Removing the leading ``# `` gives sections that validate, so the user edits a working example
instead of starting from a blank page.  The SELECTs come from templates/default/sketch/.
"""

from __future__ import annotations

import re
from typing import Any

from engine.tools.scaffold.model import DraftColumn, DraftSource
from engine.tools.scaffold.naming import table_name
from engine.tools.scaffold.yaml_style import Block, Flow


def sql_name(name: str) -> str:
    """A column as written in a sketch's SELECT: quoted only where a keyword would clash."""
    from sqlglot import exp
    from sqlglot.tokens import Tokenizer

    return exp.to_identifier(name, quoted=True).sql() if name.upper() in Tokenizer.KEYWORDS else name


def _sql(template: str, **context: Any) -> Block:
    from engine.render import SqlRenderer

    return Block(SqlRenderer("duckdb", "duckdb").template(f"sketch/{template}", **context) + "\n")


def _by_size(sources: list[DraftSource]) -> list[DraftSource]:
    """Biggest first: the biggest source is the likeliest fact, the next a dimension."""
    return sorted(sources, key=lambda s: -s.size)


def _dimension(sources: list[DraftSource]) -> tuple[DraftSource, DraftColumn, DraftColumn | None]:
    """The sketch dimension's source, key (the first *id column) and one attribute."""
    ordered = _by_size(sources)
    src = ordered[1] if len(ordered) > 1 else ordered[0]
    key = next((c for c in src.columns if c.name.lower().endswith("id")), src.columns[0])
    attr = next((c for c in src.columns if c is not key and c.type == "varchar"),
                next((c for c in src.columns if c is not key), None))
    return src, key, attr


def star_sketch(sources: list[DraftSource]) -> dict[str, Any]:
    """``star:``'s tables: a fact on the biggest source and a dimension on the next one's *id column."""
    fact_src = _by_size(sources)[0]
    dim_src, key, attr = _dimension(sources)
    dim = "dim_" + (table_name(re.sub(r"(?i)_?id$", "", key.name)) or table_name(dim_src.name))
    fk = next((c for c in fact_src.columns if c.name.lower() == key.name.lower()), None)
    fact_cols = ([fk] if fk else []) + [c for c in fact_src.columns if c is not fk][: 4 - (1 if fk else 0)]
    surrogate = f"{fact_src.name}_key"
    fact: dict[str, Any] = {"kind": "fact", "description": f"One row per {fact_src.name} record.",
                            "primary_key": surrogate}
    if fk:
        fact["foreign_keys"] = Flow({fk.name: dim})
    fact["columns"] = {surrogate: Flow(type="bigint", not_null=True), **{c.name: c.type for c in fact_cols}}
    fact["sql"] = _sql("fact.sql", surrogate=surrogate, columns=[sql_name(c.name) for c in fact_cols],
                       order_by=sql_name(fact_cols[0].name), staging=fact_src.staging)
    columns: dict[str, Any] = {key.name: Flow(type=key.type, not_null=True)}
    if attr:
        columns[attr.name] = attr.type
    dimension = {"kind": "dimension", "primary_key": key.name, "columns": columns,
                 "sql": _sql("dimension.sql", key=sql_name(key.name), attributes=[sql_name(attr.name)] if attr else [],
                             staging=dim_src.staging)}
    return {f"fact_{fact_src.name}": fact, dim: dimension}


STAR_HEADER = [
    "Star tables: what the warehouse is for. Below is a sketch built from the staging",
    "columns; remove the leading '# ' to try it, then make it say what your data means.",
    "Each table's SELECT reads staging tables; the engine derives the build order from",
    "the SQL and checks every primary key (unique, not null) and foreign key itself.",
]
CHECKS_HEADER = ["Checks run before anything is published; a failing one rolls the run back."]


def checks_sketch(sources: list[DraftSource]) -> list[Any]:
    """``checks:``: a row count per staging table; not null and unique (as a warning) on the dimension's key."""
    checks: list[Any] = [{"row_count": Flow(table=s.staging, min=1)} for s in sources]
    dim_src, key, _ = _dimension(sources)
    checks.append({"not_null": Flow(table=dim_src.staging, columns=[key.name])})
    checks.append({"unique": Flow(table=dim_src.staging, columns=[key.name]), "severity": "warn"})
    return checks
