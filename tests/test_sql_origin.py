"""A runtime SQL error names the user's .sql file and line, not a line of the rewritten statement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MINIMAL, make_project, with_pg

SQL_FILE = """\
-- things, one row each
-- (a comment that says name and kind, to be skipped)
select
    id,
    name,
    NOSUCHFN(kind) as kind
from staging_things
"""


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def _file_project(root: Path, pipeline: str = MINIMAL) -> Path:
    file = make_project(root, pipeline.replace("sql: select id, name, kind from staging_things", "sql: things.sql"))
    (root / "things.sql").write_text(SQL_FILE)
    return file


def test_duckdb_error_points_at_sql_file_line(tmp_path: Path) -> None:
    file = _file_project(tmp_path)
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 1
    assert f"in your SQL: {tmp_path / 'things.sql'}:6: NOSUCHFN(kind) as kind" in done.stderr, done.stderr


@pytest.mark.postgres
def test_postgres_error_points_at_sql_file_line(tmp_path: Path, pg_database: dict[str, str]) -> None:
    file = _file_project(tmp_path, with_pg(MINIMAL))
    done = cli(tmp_path, "run", str(file), "-t", "pg")
    assert done.returncode == 1
    assert f"in your SQL: {tmp_path / 'things.sql'}:6: NOSUCHFN(kind) as kind" in done.stderr, done.stderr


def test_inline_yaml_sql_points_at_yaml_line(tmp_path: Path) -> None:
    pipeline = MINIMAL.replace(
        "sql: select id, name, kind from staging_things",
        "sql: |\n      select id, name,\n        kind\n      from staging_things\n"
        "      where upper(kind) = BADFN(name)",
    )
    file = make_project(tmp_path, pipeline)
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 1
    line = next(i for i, t in enumerate(file.read_text().splitlines(), 1) if "BADFN" in t)
    assert f"in your SQL: {file}:{line}: where upper(kind) = BADFN(name)" in done.stderr, done.stderr


def test_check_sql_points_at_yaml_line(tmp_path: Path) -> None:
    pipeline = (
        MINIMAL + "checks:\n  - sql:\n      table: things\n      query: |\n        select id\n"
        "        from things\n        where CHECKFN(name)\n"
    )
    file = make_project(tmp_path, pipeline)
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 1
    line = next(i for i, t in enumerate(file.read_text().splitlines(), 1) if "CHECKFN" in t)
    assert f"in your SQL: {file}:{line}: where CHECKFN(name)" in done.stderr, done.stderr
