"""``kind: view`` star tables: light transforms over staging with no storage (real CLI, DuckDB and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import make_project, with_pg

PIPELINE = """\
name: viewy
targets:
  local: {type: duckdb, path: warehouse.duckdb}
sources:
  things: {path: data, format: json}
staging:
  staging_things:
    source: things
    columns: {id: integer, name: varchar, kind: varchar, cents: integer}
star:
  clean_things:
    kind: view
    primary_key: id
    columns: {id: integer, name: varchar, kind: varchar, amount: double}
    sql: select id, upper(name) as name, kind, cents / 100.0 as amount from staging_things
  kinds:
    kind: dimension
    primary_key: kind
    columns: {kind: varchar, total: double}
    sql: select kind, sum(amount) as total from clean_things group by kind
"""

ROWS: list[dict[str, object]] = [
    {"id": 1, "name": "a", "kind": "x", "cents": 250},
    {"id": 2, "name": "b", "kind": "y", "cents": 100},
    {"id": 3, "name": "c", "kind": "x", "cents": 50},
]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def _check(fetch: Any) -> None:
    assert fetch("select id, name, amount from clean_things order by id") == [
        (1, "A", 2.5),
        (2, "B", 1.0),
        (3, "C", 0.5),
    ]
    assert fetch("select kind, total from kinds order by kind") == [("x", 3.0), ("y", 1.0)]


def test_view_over_staging_duckdb(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE, ROWS)
    for _ in range(2):  # a full run, then an incremental one
        done = cli(tmp_path, "run", str(file))
        assert done.returncode == 0, done.stderr
        with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
            _check(lambda sql, con=con: con.execute(sql).fetchall())
            kinds = dict(con.execute("select table_name, table_type from information_schema.tables").fetchall())
        assert kinds["clean_things"] == "VIEW" and "clean_things__etl_next" not in kinds
    # a new file: the view shows it without being rebuilt
    (tmp_path / "data" / "more.json").write_text('{"id": 4, "name": "d", "kind": "y", "cents": 1}\n')
    assert cli(tmp_path, "run", str(file)).returncode == 0
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from clean_things").fetchone() == (4,)


@pytest.mark.postgres
def test_view_over_staging_postgres(tmp_path: Path, pg_database: dict[str, str]) -> None:
    import psycopg

    file = make_project(tmp_path, with_pg(PIPELINE), ROWS)
    for flags in ((), ("--full-refresh",)):  # the second publish replaces a live view that depends on live tables
        done = cli(tmp_path, "run", str(file), "-t", "pg", *flags)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(**pg_database) as con:  # type: ignore[arg-type]
            _check(
                lambda sql, con=con: [
                    tuple(float(v) if hasattr(v, "as_tuple") else v for v in row) for row in con.execute(sql).fetchall()
                ]
            )
