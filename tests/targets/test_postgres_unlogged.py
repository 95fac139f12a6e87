"""Capabilities.unlogged_staging on a real PostgreSQL server: staging tables skip the WAL, star tables do not,
and a staging table emptied the way crash recovery empties an unlogged table is reloaded whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import MINIMAL, make_project, with_pg

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import run_plan

pytestmark = pytest.mark.postgres


def _rows(params: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(**params) as con:  # type: ignore[arg-type]
        return con.execute(sql).fetchall()


def test_staging_is_unlogged_and_the_star_is_logged(tmp_path: Path, pg_database: dict[str, str]) -> None:
    file = make_project(tmp_path, with_pg(MINIMAL))
    run_plan(build_plan(load_pipeline(file), "pg"))
    persistence = _rows(
        pg_database,
        "select relname, relpersistence from pg_class where relname in ('staging_things', 'things', 'kinds') "
        "order by relname",
    )
    assert persistence == [("kinds", "p"), ("staging_things", "u"), ("things", "p")]


def test_an_emptied_unlogged_staging_table_is_reloaded_from_all_its_files(
    tmp_path: Path, pg_database: dict[str, str]
) -> None:
    file = make_project(tmp_path, with_pg(MINIMAL))
    run_plan(build_plan(load_pipeline(file), "pg"))
    # crash recovery resets an unlogged table to its empty init fork; TRUNCATE leaves the same state
    with psycopg.connect(**pg_database) as con:  # type: ignore[arg-type]
        con.execute("truncate staging_things")
    (tmp_path / "data" / "more.json").write_text('{"id": 4, "name": "d", "kind": "z"}\n')
    result = run_plan(build_plan(load_pipeline(file), "pg"))
    assert result.mode == "full"  # every star table of this pipeline reads it
    assert result.tables["staging_things"] == "rebuilt (empty and unlogged, as a crash leaves it)"
    assert result.tables["things"] == "rebuilt (reads staging_things, rebuilt)"
    # every file, not only the new one, and the star built from them
    assert _rows(pg_database, "select count(*) from staging_things") == [(4,)]
    assert _rows(pg_database, "select id from things order by id") == [(1,), (2,), (3,), (4,)]
    # a table that still holds its rows keeps incremental runs
    again = run_plan(build_plan(load_pipeline(file), "pg"))
    assert again.mode == "incremental"
