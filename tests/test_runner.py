"""A run publishes everything or nothing: failures leave the previous tables intact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.errors import CheckFailed, TargetError
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        # the run history grows with every run, failed ones too; everything else must stand still
        tables = [
            r[0]
            for r in con.execute("select table_name from information_schema.tables").fetchall()
            if not r[0].startswith("_etl_run")
        ]
        return {t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr) for t in sorted(tables)}


def test_run_builds_and_counts(tmp_path: Path) -> None:
    result = run_plan(build_plan(load_pipeline(make_project(tmp_path))))
    assert result.committed
    rows = {s.step.id: s.rows for s in result.steps}
    assert rows["load:staging_things"] == 3
    assert rows["transform:kinds"] == 2
    assert all(s.status == "pass" for s in result.steps if s.check)


def test_failed_check_rolls_back_to_previous_tables(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    run_plan(build_plan(load_pipeline(file)))
    before = _snapshot(tmp_path / "warehouse.duckdb")
    # a duplicate primary key in new data: the key check must fail and publish nothing
    (tmp_path / "data" / "part.json").write_text(
        "".join(json.dumps(r) + "\n" for r in [{"id": 1, "name": "a", "kind": "z"}, {"id": 1, "name": "b"}])
    )
    with pytest.raises(RunFailed) as info:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    assert isinstance(info.value.cause, CheckFailed)
    assert [c.check.name for c in info.value.result.failed_checks] == ["primary_key_unique_things"]
    assert _snapshot(tmp_path / "warehouse.duckdb") == before


def test_failed_load_rolls_back(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    run_plan(build_plan(load_pipeline(file)))
    before = _snapshot(tmp_path / "warehouse.duckdb")
    (tmp_path / "data" / "part.json").write_text('{"id": "not a number", "name": "a", "kind": "x"}\n')
    with pytest.raises(RunFailed) as info:
        run_plan(build_plan(load_pipeline(file)), full_refresh=True)
    assert isinstance(info.value.cause, TargetError)
    assert info.value.cause.step == "load:staging_things"
    assert info.value.result.steps[-1].status == "failed"
    assert _snapshot(tmp_path / "warehouse.duckdb") == before


def test_interrupt_rolls_back(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    run_plan(build_plan(load_pipeline(file)))
    before = _snapshot(tmp_path / "warehouse.duckdb")
    (tmp_path / "data" / "part.json").write_text('{"id": 9, "name": "n", "kind": "q"}\n')

    def interrupt(event: str, step: object, result: object) -> None:
        if event == "start" and getattr(step, "id", "") == "transform:things":
            raise KeyboardInterrupt

    with pytest.raises(RunFailed, match="interrupted"):
        run_plan(build_plan(load_pipeline(file)), interrupt, full_refresh=True)
    assert _snapshot(tmp_path / "warehouse.duckdb") == before


def test_row_count_checks_from_vars_and_queries(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """\
vars: {expected: {things: 3}}
checks:
  - row_count: {table: things, equals: "{{ expected.things }}"}
  - row_count: {table: kinds, equals: "{{ expected.kinds }}"}
  - name: every_thing
    row_count: {table: things, equals_sql: "select count(*) from staging_things"}
  - name: too_many
    severity: warn
    row_count: {table: things, max: 2}
"""
    )
    result = run_plan(build_plan(load_pipeline(make_project(tmp_path, text))))
    status = {s.step.id: s.status for s in result.steps if s.check}
    assert status["check:row_count_things_equals"] == "pass"
    assert status["check:row_count_kinds_equals"] == "skipped"
    assert status["check:every_thing"] == "pass"
    assert status["check:too_many"] == "warn"
    assert result.committed


def test_a_run_lists_each_local_source_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk space check lists the sources before anything starts; the load reads that listing
    instead of walking the folder again (a walk is a stat per file: thousands of files cost seconds)."""
    from helpers import make_project

    import engine
    import engine.inputs

    listed: list[str] = []
    real = engine.inputs.list_files

    def counting(source: Any, notes: list[str] | None = None) -> Any:
        listed.append(source.name)
        return real(source, notes)

    monkeypatch.setattr(engine.inputs, "list_files", counting)
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    assert engine.Pipeline.load(file).plan().run().committed
    assert listed == ["things"]


def test_a_table_counted_by_several_row_count_checks_is_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.targets.base import Adapter

    text = MINIMAL + (
        "checks:\n"
        "  - row_count: {table: things, min: 1}\n"
        "  - name: every_thing\n"
        "    row_count: {table: things, equals_sql: 'select count(*) from staging_things'}\n"
        "  - name: too_many\n"
        "    row_count: {table: things, max: 2}\n"
    )
    file = make_project(tmp_path, text)
    fetched: list[str] = []
    original = Adapter.fetch_named

    def recording(self: Adapter, sql: str, step: str | None = None) -> Any:
        fetched.append(sql)
        return original(self, sql, step)

    monkeypatch.setattr(Adapter, "fetch_named", recording)
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file), "local"))
    # the same answer for every check: 3 rows, one over the maximum
    assert isinstance(failed.value.cause, CheckFailed)
    checks = {r.check.check.name: r.check for r in failed.value.result.steps if r.check}
    assert checks["every_thing"].status == "pass" and checks["too_many"].actual == "3 rows"
    assert sum(1 for sql in fetched if sql.strip().upper() == 'SELECT COUNT(*) FROM "THINGS__ETL_NEXT"') == 1
