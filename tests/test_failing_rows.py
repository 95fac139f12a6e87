"""A failed check shows up to five failing rows (the key and the offending values), kept in the run history."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
from helpers import MINIMAL, make_project

ROWS: list[dict[str, object]] = [{"id": i, "name": None if i % 2 else f"n{i}", "kind": "x"} for i in range(1, 15)]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_failed_checks_show_and_keep_failing_rows(tmp_path: Path) -> None:
    pipeline = MINIMAL + (
        "checks:\n  - not_null: {table: things, columns: [name]}\n"
        "  - accepted_values: {table: things, column: kind, values: [y]}\n    severity: warn\n"
    )
    file = make_project(tmp_path, pipeline, [*ROWS, {"id": 3, "name": "again", "kind": "x"}])
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 1
    out = done.stdout
    # the duplicated key, with how often it occurs
    assert "failing rows of primary_key_unique_things (first 1):\n  id=3, occurrences=2" in out, out
    # NULL names: the key and the offending value, five at most
    nulls = out.split("failing rows of not_null_things_name (first 5):\n")[1].splitlines()[:6]
    assert nulls[:5] == [f"  id={i}, name=NULL" for i in (1, 3, 5, 7, 9)], nulls
    assert not nulls[5].startswith("  id=")
    # a warning shows its rows too
    assert "failing rows of accepted_values_things_kind (first 5):\n  id=1, kind='x'" in out
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        detail = con.execute("select detail from _etl_run_steps where step = 'check:not_null_things_name'").fetchone()
    assert detail is not None
    count, _, kept = detail[0].partition("; failing rows: ")
    assert count == "7 NULL rows"
    assert json.loads(kept) == [{"id": i, "name": None} for i in (1, 3, 5, 7, 9)]


def test_passing_checks_fetch_no_rows(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 0, done.stderr
    assert "failing rows" not in done.stdout
