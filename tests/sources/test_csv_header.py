"""CSV files fill staging columns by their header's names, on every target, through the real CLI.

The trap: a YAML listing ``email`` before ``city`` over a file whose header says ``city,email``
loaded "Madrid" into ``email`` and exited 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import with_pg
from test_s3 import s3_env, s3_server

__all__ = ["s3_env", "s3_server"]  # fixtures, used by name

PIPELINE = """\
name: hdr
targets:
  local: {type: duckdb, path: warehouse.duckdb}
  redshift:
    type: redshift
    host: example.invalid
    database: dev
    user: u
    password: "${RS_PASSWORD}"
    iam_role: arn:aws:iam::123456789012:role/r
sources:
  people: {path: "{{ data_root }}", format: csv, include: "*.csv"MATCH}
vars:
  data_root: data
staging:
  stg_users:
    source: people
    columns:
      id: integer
      email: varchar
      city: varchar
star:
  users:
    kind: dimension
    primary_key: id
    columns: {id: integer, email: varchar, city: varchar}
    sql: select id, email, city from stg_users
"""

EXPECTED = [(1, "a@x.com", "Madrid"), (2, "b@y.com", "Paris"), (3, "c@z.com", "Rome")]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def project(root: Path, match: str = "", pipeline: str = PIPELINE) -> Path:
    """Two files: one with the header in another order than the YAML plus an undeclared field, one
    with yet another order."""
    data = root / "data"
    data.mkdir(parents=True)
    (data / "a.csv").write_text("id,city,email,signup\n1,Madrid,a@x.com,2020\n2,Paris,b@y.com,2021\n")
    (data / "b.csv").write_text("Email,ID,City\nc@z.com,3,Rome\n")
    file = root / "pipeline.yaml"
    file.write_text(pipeline.replace("MATCH", match))
    return file


def users(db: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select id, email, city from users order by id").fetchall()


def test_duckdb_maps_by_header_name(tmp_path: Path) -> None:
    file = project(tmp_path)
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 0, done.stderr
    assert users(tmp_path / "warehouse.duckdb") == EXPECTED
    # the undeclared field is named once, whatever number of files carry it
    assert done.stderr.count("signup") == 1 and "not loaded" in done.stderr


def test_position_keeps_positional_mapping(tmp_path: Path) -> None:
    file = project(tmp_path, ", match_columns: position")
    (tmp_path / "data" / "a.csv").write_text("id,city,email\n1,Madrid,a@x.com\n")
    (tmp_path / "data" / "b.csv").unlink()
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 0, done.stderr
    assert users(tmp_path / "warehouse.duckdb") == [(1, "Madrid", "a@x.com")]


def test_headerless_file_is_positional(tmp_path: Path) -> None:
    file = project(tmp_path, ", header: false")
    (tmp_path / "data" / "a.csv").write_text("1,a@x.com,Madrid\n")
    (tmp_path / "data" / "b.csv").unlink()
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 0, done.stderr
    assert users(tmp_path / "warehouse.duckdb") == [(1, "a@x.com", "Madrid")]


def test_missing_column_points_at_csv_and_yaml(tmp_path: Path) -> None:
    file = project(tmp_path)
    (tmp_path / "data" / "b.csv").write_text("Email,ID,Town\nc@z.com,3,Rome\n")
    for command in (("validate", str(file)), ("run", str(file))):
        done = cli(tmp_path, *command)
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"{tmp_path / 'data' / 'b.csv'}:1:" in done.stderr
        assert "column 'city'" in done.stderr
        line = next(i for i, text in enumerate(file.read_text().splitlines(), 1) if text.strip() == "city: varchar")
        assert f"{file}:{line}:" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "warehouse.duckdb").exists() or "users" not in str(
        duckdb.connect(str(tmp_path / "warehouse.duckdb")).execute("show tables").fetchall()
    )


@pytest.mark.postgres
def test_postgres_maps_by_header_name(tmp_path: Path, pg_database: dict[str, str]) -> None:
    file = project(tmp_path, pipeline=with_pg(PIPELINE))
    done = cli(tmp_path, "run", str(file), "-t", "pg")
    assert done.returncode == 0, done.stderr
    import psycopg

    with psycopg.connect(**pg_database) as con:  # type: ignore[arg-type]
        rows = con.execute("select id, email, city from users order by id").fetchall()
    assert rows == EXPECTED
    assert done.stderr.count("signup") == 1
    # the COPY's column list is the first file's header order
    plan = cli(tmp_path, "run", str(file), "-t", "pg", "--dry-run")
    assert 'COPY "stg_users__etl_next" ("id", "city", "email")' in plan.stdout


def test_redshift_copy_column_list_from_s3_header(tmp_path: Path, s3_env: Any) -> None:
    s3_env.create_bucket(Bucket="hdr", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3_env.put_object(Bucket="hdr", Key="in/a.csv", Body=b"ID,City,Email\n1,Madrid,a@x.com\n")
    s3_env.put_object(Bucket="hdr", Key="in/b.csv", Body=b"id,email,city\n2,b@y.com,Paris\n")
    file = project(tmp_path, pipeline=PIPELINE.replace(', include: "*.csv"', ""))
    done = cli(tmp_path, "run", str(file), "-t", "redshift", "--dry-run", "--var", "data_root=s3://hdr/in")
    assert done.returncode == 0, done.stderr
    assert 'COPY "stg_users__etl_next" ("id", "city", "email")' in done.stdout
    # an undeclared field cannot be skipped by COPY: refused before anything runs
    # the same command again after the header changed: read again, never a stored answer
    s3_env.put_object(Bucket="hdr", Key="in/a.csv", Body=b"ID,City,Email,Signup\n1,Madrid,a@x.com,2020\n")
    done = cli(tmp_path, "run", str(file), "-t", "redshift", "--dry-run", "--var", "data_root=s3://hdr/in")
    assert done.returncode == 2 and "Signup" in done.stderr


def test_header_names_match_loosely_but_never_twice(tmp_path: Path) -> None:
    from engine.config import Column, StagingTable
    from engine.errors import ConfigError, Location
    from engine.sources.csv_header import match

    table = StagingTable("stg", "src", (Column("user_id", "integer"), Column("title", "varchar")), Location(None))
    source = load_source(tmp_path)
    layout = match(("Title", "userId", "extra"), table, source, "f.csv")
    assert [(h, c.name) for h, c in layout.filled] == [("Title", "title"), ("userId", "user_id")]
    assert layout.ignored == ("extra",)
    with pytest.raises(ConfigError, match="names 'user_id' 2 times"):
        match(("userId", "user-id", "title"), table, source, "f.csv")
    # a name written exactly (any case) wins over loose spellings
    assert match(("userId", "USER_ID", "title"), table, source, "f.csv").filled[0][0] == "USER_ID"


def load_source(tmp_path: Path) -> Any:
    from engine.config import load_pipeline

    return load_pipeline(project(tmp_path)).sources["people"]
