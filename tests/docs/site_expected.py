"""What the pictures must show, worked out from the pipeline model and sqlglot alone (not from
engine.lineage), so a mistake there cannot hide in the expected values."""

from __future__ import annotations

import re
from pathlib import Path

import sqlglot
from sqlglot import exp

from engine.config import load_pipeline
from engine.variables import parse_cli_vars


def _reads(sql: str) -> set[str]:
    # macros ({{ ... }}) only ever make expressions here, never table names
    tree = sqlglot.parse_one(re.sub(r"\{\{.*?\}\}", "null", sql), read="duckdb")
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    return {t.name.lower() for t in tree.find_all(exp.Table) if t.name.lower() not in ctes}


def expected(file: Path, cli_vars: list[str] | None = None) -> dict[str, set[tuple[str, str]] | set[str]]:
    p = load_pipeline(file, parse_cli_vars(cli_vars or [], Path.cwd()))
    tables = set(p.tables)
    nodes = {f"source:{s}" for s in p.sources} | {f"table:{t}" for t in tables} | {f"query:{q}" for q in p.queries}
    edges = {(f"source:{st.source}", f"table:{t}") for t, st in p.staging.items()}
    for t in p.star.values():
        edges |= {(f"table:{r}", f"table:{t.name}") for r in _reads(t.sql) if r in tables and r != t.name}
    for q in p.queries.values():
        edges |= {(f"table:{r}", f"query:{q.name}") for r in _reads(q.sql) if r in tables}
    fks = {
        (f"{t.name}.{fk.column}", f"{fk.table}.{fk.ref_column or p.star[fk.table].primary_key[0]}")
        for t in p.star.values()
        for fk in t.foreign_keys
    }
    return {"nodes": nodes, "edges": edges, "er_nodes": set(p.star), "fks": fks}
