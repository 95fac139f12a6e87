"""The PostgreSQL adapter against a real server on loopback (.ci/start-postgres)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from helpers import MINIMAL, make_project, with_pg

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan

pytestmark = pytest.mark.postgres


def _rows(params: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(**params) as con:  # type: ignore[arg-type]
        return con.execute(sql).fetchall()


def test_json_loads_every_layout_and_gzip(tmp_path: Path, pg_database: dict[str, str]) -> None:
    file = make_project(tmp_path, with_pg(MINIMAL), rows=[{"id": 1, "name": "a", "kind": "x"}])
    data = tmp_path / "data"
    (data / "pretty.json").write_text(
        json.dumps({"id": 2, "name": "b", "kind": "y"}, indent=2)
        + json.dumps({"id": 3, "name": 'c\\n\t"q"', "kind": "y"})
    )
    (data / "array.json").write_text(
        json.dumps([{"id": 4, "name": "d", "kind": "x"}, {"id": 5, "name": None, "kind": "z"}])
    )
    (data / "packed.json.gz").write_bytes(gzip.compress(b'{"id": 6, "name": "f", "kind": "x"}\n'))
    # gzip recognised by its bytes, not only by name
    (data / "sneaky.json").write_bytes(gzip.compress(b'{"id": 7, "name": "\xc3\xa9", "kind": "x"}'))
    result = run_plan(build_plan(load_pipeline(file), "pg"))
    assert result.committed
    assert _rows(pg_database, "select id, name from things order by id") == [
        (1, "a"),
        (2, "b"),
        (3, 'c\\n\t"q"'),
        (4, "d"),
        (5, None),
        (6, "f"),
        (7, "é"),
    ]
    assert _rows(pg_database, "select kind from kinds order by kind") == [("x",), ("y",), ("z",)]


def test_jsonpaths_map_by_position_including_nested(tmp_path: Path, pg_database: dict[str, str]) -> None:
    text = with_pg(MINIMAL).replace(
        "things: {path: data, format: json}", "things: {path: data, format: json, jsonpaths: paths.json}"
    )
    file = make_project(
        tmp_path,
        text,
        rows=[
            {"ID": 7, "label": {"text": "seven"}, "Kind": "odd"},
            {"ID": 8, "label": {"text": "eight"}, "Kind": "even", "extra": True},
        ],
    )
    (tmp_path / "paths.json").write_text(json.dumps({"jsonpaths": ["$['ID']", "$.label.text", "$['Kind']"]}))
    run_plan(build_plan(load_pipeline(file), "pg"))
    assert _rows(pg_database, "select id, name, kind from staging_things order by id") == [
        (7, "seven", "odd"),
        (8, "eight", "even"),
    ]


def test_csv_files_each_lose_their_header(tmp_path: Path, pg_database: dict[str, str]) -> None:
    text = with_pg(MINIMAL).replace(
        "things: {path: data, format: json}", "things: {path: data, format: csv, null_string: 'NA'}"
    )
    file = make_project(tmp_path, text, rows=[])
    data = tmp_path / "data"
    (data / "part.json").unlink()
    (data / "a.csv").write_text('id,name,kind\n1,"a, with comma",x\n2,NA,y\n')
    (data / "b.csv.gz").write_bytes(gzip.compress(b"id,name,kind\r\n3,c,x"))  # CRLF, no final newline
    run_plan(build_plan(load_pipeline(file), "pg"))
    assert _rows(pg_database, "select id, name, kind from staging_things order by id") == [
        (1, "a, with comma", "x"),
        (2, None, "y"),
        (3, "c", "x"),
    ]


def test_failed_run_leaves_previous_tables(tmp_path: Path, pg_database: dict[str, str]) -> None:
    file = make_project(tmp_path, with_pg(MINIMAL))
    run_plan(build_plan(load_pipeline(file), "pg"))
    before = _rows(pg_database, "select * from things order by id")
    (tmp_path / "data" / "part.json").write_text('{"id": "not a number", "name": "x", "kind": "x"}\n')
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file), "pg"), full_refresh=True)
    assert failed.value.cause.step == "load:staging_things"  # type: ignore[attr-defined]
    assert "invalid input syntax for type integer" in str(failed.value.cause)
    assert _rows(pg_database, "select * from things order by id") == before
    assert _rows(pg_database, "select count(*) from pg_tables where tablename like '_etl_load_%'") == [(0,)]


@pytest.mark.integration
def test_real_sparkify_gives_the_same_tables_as_duckdb(
    project_copy: Path, sparkify_real: Path, pg_database: dict[str, str]
) -> None:
    """Identical counts, and identical rows, on DuckDB and PostgreSQL from the same files."""
    from engine.variables import parse_cli_vars

    pipeline = project_copy / "pipeline.yaml"
    cli = parse_cli_vars([f"data_root={sparkify_real}"], project_copy)
    counts = project_copy / "examples" / "sparkify" / "real_counts.yaml"
    for target in ("local", "postgres"):
        result = run_plan(build_plan(load_pipeline(pipeline, cli, [counts]), target))
        assert result.committed
        assert not [s for s in result.steps if s.check and s.status != "pass"]
    tables = ("staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time")
    with duckdb.connect(str(project_copy / "warehouse.duckdb"), read_only=True) as con:
        for table in tables:
            sql = f'select count(*) from "{table}"'
            n_duck = con.execute(sql).fetchone()[0]  # type: ignore[index]
            assert _rows(pg_database, sql) == [(n_duck,)], table
        # the fact and the user dimension row for row (ids, matches and picks agree)
        for table, order in (("songplays", "songplay_id"), ("users", "user_id"), ("time", "start_time")):
            sql = f'select * from "{table}" order by {order}'
            assert _rows(pg_database, sql) == con.execute(sql).fetchall(), table
    assert _rows(pg_database, "select count(*) from songplays")[0][0] == 6820
