"""A target's ``schema:``: every table the engine creates lands there, bookkeeping included.

PostgreSQL for real (marker postgres); Redshift through the recording connection; DuckDB too.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
import pytest
import redshift_connector
from helpers import MINIMAL, make_project, with_pg
from recording import RecordingConnection, connector

from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.plan import build_plan
from engine.runner import run_plan

ENGINE_TABLES = {"staging_things", "kinds", "things", "_etl_files", "_etl_tables", "_etl_runs", "_etl_run_steps"}


def _tables(params: dict[str, str]) -> set[tuple[str, str]]:
    with psycopg.connect(**params) as con:  # type: ignore[arg-type]
        return {
            (s, t)
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema not in ('pg_catalog', 'information_schema')"
            ).fetchall()
        }


@pytest.mark.postgres
def test_postgres_schema_holds_everything_and_a_second_run_finds_it(
    tmp_path: Path, pg_database: dict[str, str]
) -> None:
    text = with_pg(MINIMAL).replace('    user: "${PGUSER}"\n', '    user: "${PGUSER}"\n    schema: mart\n', 1)
    file = make_project(tmp_path, text)
    first = run_plan(build_plan(load_pipeline(file), "pg"))
    assert first.committed and not first.incremental
    tables = _tables(pg_database)
    assert tables == {("mart", t) for t in ENGINE_TABLES}, tables  # nothing in public
    second = run_plan(build_plan(load_pipeline(file), "pg"))
    assert second.incremental, second.mode_reason  # the bookkeeping was found in the schema
    with psycopg.connect(**pg_database) as con:  # type: ignore[arg-type]
        assert con.execute("select count(*) from mart.things").fetchone() == (3,)
        assert con.execute("select count(*) from mart._etl_runs").fetchone() == (2,)


@pytest.mark.postgres
def test_postgres_existing_schema_is_not_created_again(tmp_path: Path, pg_database: dict[str, str]) -> None:
    with psycopg.connect(**pg_database, autocommit=True) as con:  # type: ignore[arg-type]
        con.execute("create schema mart")
        con.execute("create table public.things (id int)")  # same name elsewhere: left alone
    text = with_pg(MINIMAL).replace('    user: "${PGUSER}"\n', '    user: "${PGUSER}"\n    schema: mart\n', 1)
    run_plan(build_plan(load_pipeline(make_project(tmp_path, text)), "pg"))
    assert ("public", "things") in _tables(pg_database) and ("mart", "things") in _tables(pg_database)


def test_redshift_schema_is_set_before_the_run_and_on_the_failure_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conn = RecordingConnection()
    monkeypatch.setattr(redshift_connector, "connect", connector(conn, []))
    conn.on(r"FROM pg_catalog.pg_namespace", rows=[])  # not there yet
    text = MINIMAL.replace(
        "targets:\n",
        "targets:\n  rs: {type: redshift, host: h, database: d, user: u, "
        "password: '${RS_PASSWORD}', iam_role: 'arn:aws:iam::1:role/r', schema: mart}\n",
    )
    text = text.replace("things: {path: data, format: json}", "things: {path: 's3://bkt/things', format: json}")
    monkeypatch.setenv("RS_PASSWORD", "pw")
    run_plan(build_plan(load_pipeline(make_project(tmp_path, text)), "rs"))
    assert conn.executed[:3] == [
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = 'mart'",
        'CREATE SCHEMA IF NOT EXISTS "mart"',
        'SET search_path TO "mart"',
    ]
    assert conn.executed[3] == "BEGIN TRANSACTION"
    assert conn.executed.count('SET search_path TO "mart"') == 1


def test_duckdb_schema(tmp_path: Path) -> None:
    text = MINIMAL.replace("path: warehouse.duckdb}", "path: warehouse.duckdb, schema: mart}")
    run_plan(build_plan(load_pipeline(make_project(tmp_path, text))))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"mart"}


@pytest.mark.parametrize("schema", ["'my-schema'", "pg_catalog"])
def test_bad_schema_is_refused_at_its_line(tmp_path: Path, schema: str) -> None:
    text = MINIMAL.replace("path: warehouse.duckdb}", f"path: warehouse.duckdb, schema: {schema}}}")
    with pytest.raises(ConfigError) as err:
        build_plan(load_pipeline(make_project(tmp_path, text)))
    assert err.value.issues[0].location.line == 3
