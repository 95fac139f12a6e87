"""Structured vars drive {% for %} in user SQL as data, and a user's macros.sql adds to the shipped macros."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
from helpers import make_project

PIPELINE = """\
name: loops
templates: my_templates
vars:
  kinds: [x, "y'z"]
targets:
  local: {type: duckdb, path: warehouse.duckdb}
sources:
  things: {path: data, format: json}
staging:
  staging_things:
    source: things
    columns: {id: integer, name: varchar, kind: varchar, ts: bigint}
star:
  counts:
    kind: dimension
    primary_key: name
    columns: {name: varchar, k1_n: integer, k2_n: integer, first_seen: timestamp, doubled: integer}
    sql: |
      select name,
      {% for k in var_data('kinds') %}
        sum(case when kind = {{ k }} then 1 else 0 end) as {{ 'k' | ident(suffix=loop.index ~ '_n') }},
      {% endfor %}
        min({{ epoch_ms_to_timestamp('ts') }}) as first_seen,
        {{ twice('count(*)') }} as doubled
      from staging_things
      group by name
"""

ROWS: list[dict[str, object]] = [
    {"id": 1, "name": "a", "kind": "x", "ts": 0},
    {"id": 2, "name": "a", "kind": "y'z", "ts": 1000},
    {"id": 3, "name": "b", "kind": "x", "ts": 2000},
]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def _project(root: Path) -> Path:
    file = make_project(root, PIPELINE, ROWS)
    (root / "my_templates").mkdir()
    (root / "my_templates" / "macros.sql").write_text("{% macro twice(expr) %}(2 * {{ expr }}){% endmacro %}\n")
    return file


def test_list_var_drives_a_loop_and_user_macros_add_up(tmp_path: Path) -> None:
    file = _project(tmp_path)
    plan = cli(tmp_path, "run", str(file), "--dry-run")
    assert plan.returncode == 0, plan.stderr
    # each element arrives as a quoted literal, its quote doubled; the shipped macro still works
    assert "kind = 'y''z'" in plan.stdout and "kind = 'x'" in plan.stdout
    assert "EPOCH_MS(ts)" in plan.stdout and "2 * COUNT(*)" in plan.stdout
    done = cli(tmp_path, "run", str(file))
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select name, k1_n, k2_n, doubled from counts order by name").fetchall()
    assert rows == [("a", 1, 1, 4), ("b", 1, 0, 2)]


def test_var_data_text_is_never_pasted(tmp_path: Path) -> None:
    file = _project(tmp_path)
    hostile = "x' or 1=1 --"
    text = file.read_text().replace('kinds: [x, "y\'z"]', f'kinds: ["{hostile}", y]')
    # concatenating an element still yields a literal: the SQL can break, the quoting cannot
    text = text.replace("sum(case when kind = {{ k }}", "sum(case when kind = {{ k ~ '' }}")
    file.write_text(text)
    plan = cli(tmp_path, "run", str(file), "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "kind = 'x'' or 1=1 --'" in plan.stdout
    assert "kind = x' or 1=1" not in plan.stdout
