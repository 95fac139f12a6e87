"""etl-engine query: every row unless told otherwise, CSV/JSON/table, ad hoc read-only SQL, clear errors."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import MINIMAL, make_project

ROWS = 1500
PIPELINE = (
    MINIMAL
    + """\
queries:
  all_things: {sql: queries/all_things.sql, description: every thing}
  per_kind: select kind, count(*) as n, sum(id) * 1.5 as weight from things group by kind order by kind
"""
)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    rows: list[dict[str, object]] = [{"id": i, "name": f"thing {i}", "kind": "xyz"[i % 3]} for i in range(ROWS)]
    make_project(tmp_path, PIPELINE, rows)
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "all_things.sql").write_text("select id, name, kind from things order by id\n")
    done = cli("run", "pipeline.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_csv_returns_every_row_from_a_sql_file_query(built: Path) -> None:
    done = cli("query", "pipeline.yaml", "all_things", "--format", "csv", cwd=built)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["id", "name", "kind"]
    assert len(rows) - 1 == ROWS > 1000
    assert rows[-1] == [str(ROWS - 1), f"thing {ROWS - 1}", "xyz"[(ROWS - 1) % 3]]


def test_json_and_limit(built: Path) -> None:
    done = cli("query", "pipeline.yaml", "all_things", "-f", "json", "--limit", "7", cwd=built)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [r["id"] for r in data] == list(range(7)) and data[0] == {"id": 0, "name": "thing 0", "kind": "x"}
    every = json.loads(cli("query", "pipeline.yaml", "-f", "json", cwd=built).stdout)
    assert set(every) == {"all_things", "per_kind"} and len(every["all_things"]) == ROWS
    con = duckdb.connect(str(built / "warehouse.duckdb"), read_only=True)
    want = con.execute("select kind, count(*), sum(id) * 1.5 from things group by kind order by kind").fetchall()
    con.close()
    assert [(r["kind"], r["n"], r["weight"]) for r in every["per_kind"]] == [(k, n, float(w)) for k, n, w in want]


def test_table_has_no_silent_cap_and_right_aligns_numbers(built: Path) -> None:
    done = cli("query", "pipeline.yaml", "all_things", cwd=built)
    assert done.returncode == 0, done.stderr
    body = [line for line in done.stdout.splitlines() if line.startswith("│")]
    assert len(body) == ROWS  # piped: every row
    first = body[0].split("│")[1:-1]
    assert first[0].endswith(" 0 ") and first[0].strip() == "0" and first[0].startswith("  ")  # right-aligned
    assert first[1].startswith(" thing 0 ") and first[1].endswith("  ")  # text stays left
    limited = cli("query", "pipeline.yaml", "all_things", "--limit", "10", cwd=built)
    assert len([line for line in limited.stdout.splitlines() if line.startswith("│")]) == 10
    assert f"showing 10 of {ROWS:,} rows" in limited.stdout


def test_adhoc_sql_is_read_only(built: Path) -> None:
    done = cli("query", "pipeline.yaml", "--sql", "select count(*) as n from things", "-f", "json", cwd=built)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"n": ROWS}]
    for sql in (
        "drop table things",
        "delete from things",
        "insert into things values (1, 'a', 'x')",
        "select 1; drop table things",
        "create table t as select 1",
        "select * into t2 from things",
        "copy things to 'out.csv'",
        "attach 'other.duckdb'",
    ):
        refused = cli("query", "pipeline.yaml", "--sql", sql, cwd=built)
        assert refused.returncode == 2, sql
        assert "--sql" in refused.stderr and "Traceback" not in refused.stderr, sql
    con = duckdb.connect(str(built / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from things").fetchone() == (ROWS,)
    con.close()
    assert not (built / "out.csv").exists() and not (built / "other.duckdb").exists()


def test_unknown_name_lists_the_queries(built: Path) -> None:
    done = cli("query", "pipeline.yaml", "al_things", cwd=built)
    assert done.returncode == 2
    assert "no query named 'al_things'; the pipeline's queries: all_things, per_kind" in done.stderr
    assert "did you mean 'all_things'?" in done.stderr


def test_never_built_warehouse_is_reported_and_not_created(tmp_path: Path) -> None:
    make_project(
        tmp_path, PIPELINE.replace("{sql: queries/all_things.sql, description: every thing}", "select * from things")
    )
    done = cli("query", "pipeline.yaml", "per_kind", cwd=tmp_path)
    assert done.returncode == 1
    where = tmp_path / "warehouse.duckdb"
    assert done.stderr.strip() == f"error: no warehouse yet at {where}; run `etl-engine run pipeline.yaml` first"
    assert not where.exists()
    assert re.search(r"no warehouse yet", cli("query", "pipeline.yaml", "--sql", "select 1", cwd=tmp_path).stderr)
    assert not where.exists()


def test_table_on_a_terminal_shows_what_fits_and_says_so(built: Path) -> None:
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "query", "pipeline.yaml", "all_things"],
        cwd=built,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(120)
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode(errors="replace"))
    assert proc.returncode == 0
    shown = [line for line in text.splitlines() if line.startswith("│")]
    assert 5 <= len(shown) < 30
    assert f"showing {len(shown)} of {ROWS:,} rows" in text


def test_a_missing_query_sql_file_points_at_the_yaml(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)  # queries/all_things.sql is not there
    done = cli("validate", "pipeline.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = PIPELINE.splitlines().index("  all_things: {sql: queries/all_things.sql, description: every thing}") + 1
    assert f"{file}:{line}:" in done.stderr and "queries.all_things.sql: cannot read SQL file" in done.stderr


def test_queries_run_in_a_read_only_transaction(built: Path) -> None:
    from engine import query
    from engine.config import load_pipeline
    from engine.errors import TargetError
    from engine.plan import build_plan

    plan = build_plan(load_pipeline(built / "pipeline.yaml"))
    # what got past the SELECT-only check would still be refused by the warehouse itself
    with pytest.raises(TargetError, match="read-only"):
        query.run(plan, [("w", "insert into things values (99999, 'x', 'x')")], "pipeline.yaml")
    con = duckdb.connect(str(built / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from things").fetchone() == (ROWS,)
    con.close()
