"""Checks beyond keys: accepted values, custom SQL returning failing rows, row counts relative
to the previous run; warn or error; results printed and stored in the run history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.errors import CheckFailed
from engine.plan import build_plan
from engine.runner import RunFailed, RunResult, run_plan

CHECKS = """\
checks:
  - accepted_values: {table: things, column: kind, values: [x, y]}
  - name: names_are_short
    sql:
      table: things
      query: select id from things where length(name) > 5
  - name: things_do_not_shrink
    row_count: {table: things, change: {max_drop_pct: 50, max_growth_pct: 300}}
"""


def _run(file: Path, full_refresh: bool = False) -> RunResult:
    return run_plan(build_plan(load_pipeline(file)), full_refresh=full_refresh)


def _statuses(result: RunResult) -> dict[str, str]:
    return {s.step.id: s.status for s in result.steps if s.check}


def _write(file: Path, rows: list[dict[str, Any]]) -> None:
    (file.parent / "data" / "part.json").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_checks_pass_and_a_relative_count_waits_for_a_previous_run(tmp_path: Path) -> None:
    file = make_project(tmp_path, MINIMAL + CHECKS)
    first = _statuses(_run(file))
    assert first["check:accepted_values_things_kind"] == "pass"
    assert first["check:names_are_short"] == "pass"
    assert first["check:things_do_not_shrink"] == "skipped"  # nothing to compare with yet
    assert _statuses(_run(file, full_refresh=True))["check:things_do_not_shrink"] == "pass"


def test_each_new_kind_fails_the_run(tmp_path: Path) -> None:
    file = make_project(tmp_path, MINIMAL + CHECKS)
    _run(file)
    _write(file, [{"id": 1, "name": "much too long", "kind": "z"}])  # 3 rows -> 1: a 67% drop
    with pytest.raises(RunFailed) as failed:
        _run(file, full_refresh=True)
    assert isinstance(failed.value.cause, CheckFailed)
    results = {c.check.name: c for c in failed.value.result.failed_checks}
    assert set(results) == {"accepted_values_things_kind", "names_are_short", "things_do_not_shrink"}
    assert results["accepted_values_things_kind"].actual == "1 rows with other values"
    assert results["names_are_short"].actual == "1 failing rows"
    assert "at most 50% fewer than 3" in results["things_do_not_shrink"].expected
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from things").fetchone() == (3,)
        stored = dict(
            con.execute(
                "select step, status from _etl_run_steps where run_id = ? and step like 'check:%'",
                [failed.value.result.run_id],
            ).fetchall()
        )
    assert stored["check:names_are_short"] == "fail" and stored["check:things_do_not_shrink"] == "fail"


def test_relative_count_on_an_incremental_run(tmp_path: Path) -> None:
    text = MINIMAL + CHECKS.replace("max_growth_pct: 300", "max_growth_pct: 50")
    file = make_project(tmp_path, text)
    _run(file)
    (file.parent / "data" / "more.json").write_text(
        "".join(json.dumps({"id": 10 + i, "name": "n", "kind": "x"}) + "\n" for i in range(5))
    )
    with pytest.raises(RunFailed) as failed:
        _run(file)  # incremental: 3 -> 8 rows is more than 50% growth
    assert failed.value.result.incremental
    assert [c.check.name for c in failed.value.result.failed_checks] == ["things_do_not_shrink"]


def test_warn_severity_reports_but_publishes(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """\
checks:
  - accepted_values: {table: things, column: kind, values: [x]}
    severity: warn
"""
    )
    file = make_project(tmp_path, text)
    result = _run(file)
    assert result.committed and _statuses(result)["check:accepted_values_things_kind"] == "warn"


def test_custom_sql_and_values_are_validated(tmp_path: Path) -> None:
    from engine.errors import ConfigError

    text = (
        MINIMAL
        + """\
checks:
  - sql: {table: things, query: "select id from nothing"}
  - accepted_values: {table: things, column: knd, values: [x]}
"""
    )
    with pytest.raises(ConfigError) as err:
        build_plan(load_pipeline(make_project(tmp_path, text)))
    messages = " ".join(i.message for i in err.value.issues)
    assert "undefined table 'nothing'" in messages and "knd" in messages
