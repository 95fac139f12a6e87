"""A run publishes all its tables or none, whatever stops it, on real DuckDB files and PostgreSQL.

Each case first builds the warehouse from one set of files, then starts a full rebuild
from different files and stops it: an injected failure at each step in turn, a failing
check, Ctrl-C (SIGINT) and SIGKILL of the process in the middle of a load.  Afterwards
every table must hold exactly its previous rows, and the next run must succeed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import MINIMAL, make_project, with_pg

from engine.config import load_pipeline
from engine.errors import RunLocked, TargetError
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan

NEW_ROWS = [{"id": 7, "name": "new", "kind": "q"}, {"id": 8, "name": "newer", "kind": "r"}]


def _snapshot(target: str, where: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the run history (which records the failed runs too)."""
    tables = ("staging_things", "kinds", "things", "_etl_files", "_etl_tables")
    if target == "local":
        with duckdb.connect(str(where), read_only=True) as con:
            present = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
            assert not any(t.endswith("__etl_next") for t in present), "a shadow table outlived its run"
            return {t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr) for t in tables}
    import psycopg

    with psycopg.connect(**where) as con:
        present = {r[0] for r in con.execute("select tablename from pg_tables").fetchall()}
        assert not any(t.endswith("__etl_next") for t in present), "a shadow table outlived its run"
        return {t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr) for t in tables}


@pytest.fixture(params=["local", "pg"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Any]:
    """(target name, pipeline file, what _snapshot needs), built once from the first files."""
    if request.param == "pg":
        where = request.getfixturevalue("pg_database")
        file = make_project(tmp_path, with_pg(MINIMAL))
    else:
        file = make_project(tmp_path)
        where = tmp_path / "warehouse.duckdb"
    assert run_plan(build_plan(load_pipeline(file), request.param)).committed
    (tmp_path / "data" / "more.json").write_text("".join(json.dumps(r) + "\n" for r in NEW_ROWS))
    return request.param, file, where


def _step_ids() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [s.id for s in build_plan(load_pipeline(make_project(Path(tmp)))).steps]


@pytest.mark.parametrize("failing_step", _step_ids())
def test_a_failure_at_any_step_leaves_the_previous_tables(warehouse: tuple[str, Path, Any], failing_step: str) -> None:
    target, file, where = warehouse
    before = _snapshot(target, where)

    def fail_at(event: str, step: Any, result: Any) -> None:
        if event == "start" and step.id == failing_step:
            raise TargetError("injected failure", step.id)

    with pytest.raises(RunFailed):
        run_plan(build_plan(load_pipeline(file), target), fail_at, full_refresh=True)
    assert _snapshot(target, where) == before
    after = run_plan(build_plan(load_pipeline(file), target), full_refresh=True)
    assert after.committed and {s.step.id: s.rows for s in after.steps}["load:staging_things"] == 5


def test_a_failed_check_publishes_nothing_and_is_recorded(warehouse: tuple[str, Path, Any]) -> None:
    target, file, where = warehouse
    before = _snapshot(target, where)
    (file.parent / "data" / "dup.json").write_text('{"id": 1, "name": "again", "kind": "x"}\n')
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file), target), full_refresh=True)
    assert _snapshot(target, where) == before
    from engine import history

    plan = build_plan(load_pipeline(file), target)
    names, rows = history.runs(plan, 5)
    plan.adapter.close()
    latest = dict(zip(names, rows[0], strict=True))
    assert latest["run_id"] == failed.value.result.run_id and latest["status"] == "failed"
    assert "primary_key_unique_things" in latest["error"]


def _cli(file: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "engine", "run", str(file), *args],
        cwd=file.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _slow_data(file: Path) -> None:
    """Enough rows that a load takes a moment (600k rows: about 0.25 s on DuckDB): the process is stopped
    inside it, or earlier in the run's transaction, never after its commit."""
    for n in range(6):
        rows = "".join(
            json.dumps({"id": (n + 1) * 1_000_000 + i, "name": "x" * 200, "kind": f"k{i % 50}"}) + "\n"
            for i in range(100_000)
        )
        (file.parent / "data" / f"bulk{n}.json").write_text(rows)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_a_stopped_process_leaves_the_previous_tables(warehouse: tuple[str, Path, Any], sig: int) -> None:
    target, file, where = warehouse
    before = _snapshot(target, where)
    _slow_data(file)
    proc = _cli(file, "--target", target, "--full-refresh")
    assert proc.stderr is not None
    for line in proc.stderr:  # progress arrives on stderr as each step ends
        if "create:things" in line:
            break
    time.sleep(0.05)  # inside load:staging_things (or still before it: the transaction is open either way)
    assert proc.poll() is None, "the run ended before it could be stopped"
    os.kill(proc.pid, sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), err
    if sig == signal.SIGINT:
        assert "rolled back" in err and "Traceback" not in err
    assert _snapshot(target, where) == before
    for bulk in (file.parent / "data").glob("bulk*.json"):
        bulk.unlink()
    done = _cli(file, "--target", target)
    _out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err


def test_a_second_run_waits_or_stops(warehouse: tuple[str, Path, Any]) -> None:
    target, file, where = warehouse
    if target == "local":
        # another process with the file open for writing holds DuckDB's lock; it is killed below,
        # as a crashed run would be, and the lock must go with it
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
                str(where),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        holder: Any = type("Killer", (), {"close": lambda self: (proc.kill(), proc.wait())})()
    else:
        import psycopg

        from engine.context import lock_key

        holder = psycopg.connect(**where, autocommit=True)
        holder.execute("select pg_advisory_lock(%s)", (lock_key("mini"),))
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file), target))
    assert isinstance(failed.value.cause, RunLocked)
    assert "--wait" in str(failed.value.cause)
    threading.Timer(1.0, holder.close).start()  # the holder goes away (a killed run's session ends too)
    started = time.monotonic()
    assert run_plan(build_plan(load_pipeline(file), target), wait=30).committed
    assert time.monotonic() - started >= 0.5
