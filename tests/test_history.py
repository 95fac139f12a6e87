"""Run history and the run lock, on a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_project

from engine import history
from engine.config import load_pipeline
from engine.context import lock_key, lock_table
from engine.errors import RunLocked
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan


def test_lock_names_are_per_pipeline_and_stable() -> None:
    assert lock_key("a") == lock_key("a") != lock_key("b") and 0 <= lock_key("a") < 2**63
    assert lock_table("sparkify") == "_etl_lock_sparkify" and lock_table("x" * 200).__len__() == 127


def test_pipeline_hash_follows_the_rendered_sql(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    one = history.pipeline_hash(build_plan(load_pipeline(file)).plan)
    assert one == history.pipeline_hash(build_plan(load_pipeline(file)).plan)
    file.write_text(file.read_text().replace("select id, name, kind", "select id, upper(name) as name, kind"))
    assert one != history.pipeline_hash(build_plan(load_pipeline(file)).plan)


def test_runs_and_steps_are_recorded_and_a_locked_warehouse_records_nothing(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    result = run_plan(build_plan(load_pipeline(file)))
    ctx = build_plan(load_pipeline(file)).context
    names, rows = history.runs(ctx, 5)
    run = dict(zip(names, rows[0], strict=True))
    assert run["run_id"] == result.run_id and run["status"] == "committed" and run["mode"] == "full"
    names, steps = history.steps(ctx, result.run_id)
    assert [s[0] for s in steps] == [s.step.id for s in result.steps]
    ctx.adapter.close()
    # a second process holds the warehouse: this run is refused and leaves no record

    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)",
            str(tmp_path / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = subprocess.run(
            [sys.executable, "-m", "engine", "run", str(file)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 1 and "in use by another process" in done.stderr
    finally:
        holder.kill()
        holder.wait()
    assert len(history.runs(ctx, 5)[1]) == 1
    ctx.adapter.close()


def test_a_failed_run_is_recorded_after_the_rollback(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    run_plan(build_plan(load_pipeline(file)))
    (tmp_path / "data" / "dup.json").write_text('{"id": 1, "name": "again", "kind": "x"}\n')
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    assert not isinstance(failed.value.cause, RunLocked)
    ctx = build_plan(load_pipeline(file)).context
    names, rows = history.runs(ctx, 5)
    ctx.adapter.close()
    latest = dict(zip(names, rows[0], strict=True))
    assert latest["status"] == "failed" and "primary_key_unique_things" in latest["error"]
    assert len(rows) == 2
