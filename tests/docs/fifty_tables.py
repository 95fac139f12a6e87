"""A generated pipeline of 50 tables (10 staging, 8 facts, 32 dimensions, some snowflaked), for
checking that the docs pictures stay readable at that size."""

from __future__ import annotations

import json
from pathlib import Path

SOURCES = 10
FACTS = 8
DIMENSIONS = 32
FACT_DIMS = 4


def fact_dims(f: int) -> list[int]:
    return sorted({(f * 3 + k * 7) % DIMENSIONS for k in range(FACT_DIMS)})


def snowflake_parent(d: int) -> int | None:
    """Dimensions from 24 on reference an earlier dimension (a snowflake), so the ER has three layers."""
    return d - 20 if d >= 24 else None


def write_pipeline(root: Path) -> Path:
    lines = [
        "name: wide",
        "description: A generated pipeline of fifty tables.",
        "targets:",
        "  local: {type: duckdb, path: warehouse.duckdb}",
        "sources:",
    ]
    for s in range(SOURCES):
        (root / "data" / f"s{s}").mkdir(parents=True, exist_ok=True)
        rows = [{"id": i, "name": f"n{i}", "ref": i % 3} for i in range(3)]
        (root / "data" / f"s{s}" / "part.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
        lines.append(f"  src_{s}: {{path: data/s{s}, format: json, description: generated source {s}}}")
    lines.append("staging:")
    for s in range(SOURCES):
        lines += [f"  staging_{s}:", f"    source: src_{s}", "    columns: {id: integer, name: varchar, ref: integer}"]
    lines.append("star:")
    for d in range(DIMENSIONS):
        parent = snowflake_parent(d)
        cols = f"dim_{d}_id: {{type: integer, not_null: true}}, name: varchar"
        select = f"select distinct ref as dim_{d}_id, max(name) as name"
        if parent is not None:
            cols += f", dim_{parent}_id: integer"
            select += f", min(ref) as dim_{parent}_id"
        lines += [
            f"  dim_{d}:",
            "    kind: dimension",
            f"    description: generated dimension {d}",
            f"    primary_key: dim_{d}_id",
            f"    columns: {{{cols}}}",
            f"    sql: {select} from staging_{d % SOURCES} group by ref",
        ]
        if parent is not None:
            lines.append(f"    foreign_keys: {{dim_{parent}_id: dim_{parent}}}")
    for f in range(FACTS):
        dims = fact_dims(f)
        cols = ", ".join([f"fact_{f}_id: {{type: integer, not_null: true}}", *(f"dim_{d}_id: integer" for d in dims)])
        # each fact also joins two of its dimensions, so the lineage crosses between the sources' branches
        select = ", ".join([f"s.id as fact_{f}_id", *(f"s.ref as dim_{d}_id" for d in dims)])
        joins = " ".join(f"left join dim_{d} on dim_{d}.dim_{d}_id = s.ref" for d in dims[:2])
        lines += [
            f"  fact_{f}:",
            "    kind: fact",
            f"    primary_key: fact_{f}_id",
            f"    columns: {{{cols}}}",
            "    foreign_keys: {" + ", ".join(f"dim_{d}_id: dim_{d}" for d in dims) + "}",
            f"    sql: select {select} from staging_{f % SOURCES} as s {joins}",
        ]
    lines += ["queries:", "  fact_rows: select count(*) as n from fact_0"]
    file = root / "pipeline.yaml"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file
