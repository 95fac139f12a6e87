"""Changing the model safely, through the real CLI: rebuild only what changed, run part of the pipeline,
no silent leftovers (issue 15, traps 2 to 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import make_project, with_pg

PIPELINE = """\
name: shop
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
    tags: [nightly]
    primary_key: kind
    columns: {kind: varchar}
    sql: select distinct kind as kind from staging_things where kind is not null
  names:
    kind: dimension
    primary_key: name
    columns: {name: varchar}
    sql: select distinct name from staging_things
  things:
    kind: fact
    primary_key: id
    foreign_keys: {kind: kinds}
    columns: {id: integer, name: varchar, kind: varchar}
    sql: select id, name, kind from staging_things
"""


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=180
    )


def ok(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = cli(folder, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def last_run_steps(fetch: Any) -> dict[str, str]:
    run = fetch("select run_id from _etl_runs order by started_at desc limit 1")[0][0]
    return {
        str(step): str(status)
        for step, status in fetch(f"select step, status from _etl_run_steps where run_id = '{run}'")
    }


def _one_column_change(file: Path) -> None:
    file.write_text(
        file.read_text().replace(
            "    columns: {kind: varchar}\n"
            "    sql: select distinct kind as kind from staging_things where kind is not null",
            "    columns: {kind: varchar, label: varchar}\n"
            "    sql: select distinct kind as kind, upper(kind) as label from staging_things where kind is not null",
        )
    )


def _check_one_column_run(done: subprocess.CompletedProcess[str], steps: dict[str, str]) -> None:
    # only the changed dimension is rebuilt; the rest is kept, and the summary says why, per table
    assert "kinds           rebuilt (definition changed)" in done.stdout, done.stdout
    for kept in ("staging_things", "names", "things"):
        assert f"{kept:<15} kept (unchanged)" in done.stdout
        assert steps[f"keep:{kept}"] == "kept"
    assert steps["create:kinds"] == "ok" and steps["transform:kinds"] == "ok" and steps["publish"] == "ok"
    assert not any(s.startswith(("load:", "transform:things", "transform:names")) for s in steps)


def test_one_column_change_rebuilds_only_that_table_duckdb(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    ok(tmp_path, "run", str(file))
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        loaded_before = con.execute("select loaded_at from _etl_files").fetchall()
    _one_column_change(file)
    done = ok(tmp_path, "run", str(file))
    with duckdb.connect(str(db), read_only=True) as con:
        steps = last_run_steps(lambda sql: con.execute(sql).fetchall())
        assert con.execute("select kind, label from kinds order by kind").fetchall() == [("x", "X"), ("y", "Y")]
        assert con.execute("select count(*) from things").fetchone() == (3,)
        # the staging table was not reloaded
        assert con.execute("select loaded_at from _etl_files").fetchall() == loaded_before
    _check_one_column_run(done, steps)
    # a changed staging table reloads its own files and rebuilds what reads it
    file.write_text(
        file.read_text().replace(
            "columns: {id: integer, name: varchar, kind: varchar}\nstar",
            "columns: {id: integer, name: varchar, kind: varchar, extra: varchar}\nstar",
        )
    )
    done = ok(tmp_path, "run", str(file))
    assert "staging_things  rebuilt (definition changed)" in done.stdout
    assert "things          rebuilt (reads staging_things, rebuilt)" in done.stdout
    # and a run with nothing changed is incremental again
    assert "incremental" in ok(tmp_path, "run", str(file)).stdout


@pytest.mark.postgres
def test_one_column_change_rebuilds_only_that_table_postgres(tmp_path: Path, pg_database: dict[str, str]) -> None:
    import psycopg

    file = make_project(tmp_path, with_pg(PIPELINE))
    ok(tmp_path, "run", str(file), "-t", "pg")
    _one_column_change(file)
    done = ok(tmp_path, "run", str(file), "-t", "pg")
    with psycopg.connect(**pg_database) as con:  # type: ignore[arg-type]
        steps = last_run_steps(lambda sql: con.execute(sql).fetchall())
        assert con.execute("select kind, label from kinds order by kind").fetchall() == [("x", "X"), ("y", "Y")]
        assert con.execute("select count(*) from things").fetchone() == (3,)
    _check_one_column_run(done, steps)


def test_select_runs_part_of_the_pipeline(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    # a selection reading a table that does not exist yet is refused, with the fix
    done = cli(tmp_path, "run", str(file), "--select", "kinds")
    assert done.returncode == 2
    assert "'kinds' is selected and reads 'staging_things'" in done.stderr and "--select +kinds" in done.stderr
    # the dry run and validate show only the selection
    plan = ok(tmp_path, "run", str(file), "--dry-run", "--select", "+kinds").stdout
    assert "-- transform:kinds" in plan and "-- load:staging_things" in plan
    assert "transform:things" not in plan and "check:primary_key_unique_things" not in plan
    assert "1 of 4 tables selected" in ok(tmp_path, "validate", str(file), "--select", "tag:nightly").stdout
    ok(tmp_path, "run", str(file), "--select", "+kinds")
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"staging_things", "kinds"} <= tables and not {"things", "names"} & tables
    # the rest, by source and downstream minus what exists: untouched tables stay as they are
    done = ok(tmp_path, "run", str(file), "--select", "source:things+", "--exclude", "tag:nightly")
    assert "kinds" not in done.stdout.split("tables:")[1]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from things").fetchone() == (3,)
    done = cli(tmp_path, "validate", str(file), "--select", "tag:nighty")
    assert done.returncode == 2 and "did you mean 'nightly'?" in done.stderr


def test_leftovers_are_listed_and_pruned(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    ok(tmp_path, "run", str(file))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create table my_own as select 1 as x")  # the engine did not create it: never touched
    file.write_text(file.read_text().replace("  names:\n", "  dim_names:\n"))
    done = ok(tmp_path, "run", str(file))
    assert "still in the warehouse (built by this pipeline): names; drop them with --prune" in done.stdout
    assert "my_own" not in done.stdout
    done = ok(tmp_path, "run", str(file), "--prune")
    assert "pruned (built by this pipeline, no longer declared): names" in done.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "names" not in tables and {"dim_names", "my_own"} <= tables
    assert "still in the warehouse" not in ok(tmp_path, "run", str(file)).stdout


def test_an_incremental_run_of_a_selection_leaves_the_rest_alone(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    ok(tmp_path, "run", str(file))
    (tmp_path / "data" / "more.json").write_text('{"id": 4, "name": "d", "kind": "z"}\n')
    done = ok(tmp_path, "run", str(file), "--select", "+kinds")
    assert "incremental" in done.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from staging_things").fetchone() == (4,)
        assert con.execute("select count(*) from kinds").fetchone() == (3,)
        assert con.execute("select count(*) from things").fetchone() == (3,)  # not selected: untouched
        steps = last_run_steps(lambda sql: con.execute(sql).fetchall())
    assert "transform:things" not in steps and "transform:names" not in steps, steps


def test_graph_shows_only_the_selection(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    whole = ok(tmp_path, "graph", str(file)).stdout
    assert "things" in whole and "names" in whole
    part = ok(tmp_path, "graph", str(file), "--select", "+kinds").stdout
    assert "kinds" in part and "staging_things" in part and "names" not in part
