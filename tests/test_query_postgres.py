"""query and docs on the PostgreSQL target: the same answers and refusals as on DuckDB, run history read back."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MINIMAL, make_project, with_pg

pytestmark = pytest.mark.postgres

QUERIES = "queries:\n  things_by_id: select id, name from things order by id\n"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_query_and_docs_on_postgres(tmp_path: Path, pg_database: dict[str, str]) -> None:
    rows: list[dict[str, object]] = [{"id": i, "name": f"n{i}", "kind": "ab"[i % 2]} for i in range(1200)]
    make_project(tmp_path, with_pg(MINIMAL + QUERIES), rows)
    done = cli("run", "pipeline.yaml", "--target", "pg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = cli("query", "pipeline.yaml", "things_by_id", "--target", "pg", "-f", "csv", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert list(csv.reader(io.StringIO(out.stdout)))[1:] == [[str(r["id"]), str(r["name"])] for r in rows]
    refused = cli("query", "pipeline.yaml", "--target", "pg", "--sql", "delete from things", cwd=tmp_path)
    assert refused.returncode == 2 and "read-only" in refused.stderr
    count = cli(
        "query",
        "pipeline.yaml",
        "--target",
        "pg",
        "--sql",
        "select count(*) as n from things",
        "-f",
        "json",
        cwd=tmp_path,
    )
    assert count.stdout.strip() == '[{"n": 1200}]'
    site = cli("docs", "pipeline.yaml", "--target", "pg", "--out", "site", cwd=tmp_path)
    assert site.returncode == 0, site.stderr
    assert "note:" not in site.stderr  # the history was read
    page = (tmp_path / "site" / "tables" / "things.html").read_text(encoding="utf-8")
    assert '<td class="num">1,200</td>' in page
    assert not (tmp_path / "warehouse.duckdb").exists()
