"""Small builders for tests: a minimal valid pipeline that each test bends one way."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

MINIMAL = """\
name: mini
targets:
  local: {type: duckdb, path: warehouse.duckdb}
sources:
  things: {path: data, format: json}
staging:
  staging_things:
    source: things
    columns: {id: integer, name: varchar, kind: varchar}
star:
  kinds:
    kind: dimension
    primary_key: kind
    columns: {kind: varchar}
    sql: select distinct kind as kind from staging_things where kind is not null
  things:
    kind: fact
    primary_key: id
    foreign_keys: {kind: kinds}
    columns: {id: integer, name: varchar, kind: varchar}
    sql: select id, name, kind from staging_things
"""


def make_project(root: Path, pipeline: str = MINIMAL, rows: list[dict[str, object]] | None = None) -> Path:
    """A folder with pipeline.yaml and data/part.json; returns the pipeline file."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = (
        rows
        if rows is not None
        else [
            {"id": 1, "name": "a", "kind": "x"},
            {"id": 2, "name": "b", "kind": "y"},
            {"id": 3, "name": "c", "kind": "x"},
        ]
    )
    (data / "part.json").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    file = root / "pipeline.yaml"
    file.write_text(pipeline, encoding="utf-8")
    return file


#: a postgres target reading the PG* variables the pg_database fixture exports
PG_TARGET = """\
  pg:
    type: postgres
    host: "${PGHOST}"
    port: "${PGPORT}"
    dbname: "${PGDATABASE}"
    user: "${PGUSER}"
"""


def with_pg(text: str) -> str:
    """``text`` (a pipeline) with the postgres target ``pg`` added."""
    return text.replace("targets:\n", "targets:\n" + PG_TARGET, 1)


def load_bench(name: str) -> ModuleType:
    """Import bench/<name>.py by path (as ``bench_<name>``): bench is a folder of scripts, not a package."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        f"bench_{name}", Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
