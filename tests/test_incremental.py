"""Incremental runs on the real Sparkify logs: a second run loads only the new days.

The month is split in two: a first run builds from days 1-15, then days 16-30 arrive.
What the second run must do is derived independently (tests/expected.py) from the two
halves: exactly the new days' events and plays are added, and the users whose latest
attributes (their level, mostly) changed are updated; everything else stays untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, SHARED
from expected import derive

from engine.config import load_pipeline
from engine.errors import TargetError
from engine.plan import build_plan
from engine.runner import RunFailed, RunResult, run_plan
from engine.variables import parse_cli_vars

pytestmark = pytest.mark.integration


def _days(real: Path) -> list[Path]:
    return sorted((real / "log_data").rglob("*.json"))


def _data(tmp: Path, real: Path, days: list[Path]) -> Path:
    data = tmp / "data"
    (data / "log_data").mkdir(parents=True, exist_ok=True)
    if not (data / "song_data").exists():
        (data / "song_data").symlink_to(real / "song_data", target_is_directory=True)
        (data / "log_json_path.json").symlink_to(real / "log_json_path.json")
    for day in days:
        link = data / "log_data" / day.name
        if not link.exists():
            shutil.copy2(day, link)  # a copy: a link out of the source folder is not followed
    return data


def _run(project: Path, data: Path, target: str = "local", full_refresh: bool = False) -> RunResult:
    pipeline = load_pipeline(
        project / "pipeline.yaml", parse_cli_vars([f"data_root={data}"], project), allow=(SHARED,)
    )  # data/song_data links to the shared data set
    return run_plan(build_plan(pipeline, target), full_refresh=full_refresh)


def _rows(result: RunResult) -> dict[str, int | None]:
    return {s.step.id: s.rows for s in result.steps if s.check is None}


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f'select * from "{t}" order by all').fetchall()
            for t in ("staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time")
        }


def test_second_run_adds_exactly_the_new_days(project_copy: Path, sparkify_real: Path, tmp_path: Path) -> None:
    days = _days(sparkify_real)
    first = _data(tmp_path, sparkify_real, days[:15])
    half, whole = derive(first), derive(sparkify_real)

    built = _run(project_copy, first)
    assert not built.incremental and built.mode_reason == "first run"
    assert _rows(built)["transform:songplays"] == half.songplays

    _data(tmp_path, sparkify_real, days[15:])
    second = _run(project_copy, first)
    assert second.incremental, second.mode_reason
    rows = _rows(second)
    # no shadow tables and no swap: the live tables are updated in place, inside the transaction
    assert not [s for s in second.steps if s.step.kind in ("create", "publish")]
    assert rows["load:staging_events"] == whole.staging_events - half.staging_events
    assert [s.status for s in second.steps if s.step.id == "load:staging_songs"] == ["up to date"]
    # new plays come later in time, so existing songplay ids stay and only new rows are merged in
    assert rows["transform:songplays"] == whole.songplays - half.songplays
    assert rows["transform:time"] == whole.time - half.time
    new_users = set(whole.users_latest) - set(half.users_latest)
    changed = {u for u, row in half.users_latest.items() if whole.users_latest[u] != row}
    assert changed, "the split should catch users whose level changed"
    assert rows["transform:users"] == len(new_users) + len(changed)
    assert rows["transform:songs"] == 0 and rows["transform:artists"] == 0
    assert all(s.status == "pass" for s in second.steps if s.check and not s.check.check.skipped_reason)

    # the incremental warehouse equals one built from scratch on all the files
    incremental = _snapshot(project_copy / "warehouse.duckdb")
    with duckdb.connect(str(project_copy / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from songplays").fetchone() == (whole.songplays,)
        users = {r[0]: tuple(r[1:]) for r in con.execute("select * from users").fetchall()}
        assert users == dict(whole.users_latest)

    # a third run on the same files changes nothing
    third = _run(project_copy, first)
    assert third.incremental
    assert {s.status for s in third.steps if s.step.kind in ("load", "transform")} == {"up to date"}
    assert _snapshot(project_copy / "warehouse.duckdb") == incremental

    # --full-refresh rebuilds everything, to the same tables
    rebuilt = _run(project_copy, first, full_refresh=True)
    assert not rebuilt.incremental and _rows(rebuilt)["load:staging_events"] == whole.staging_events
    assert _snapshot(project_copy / "warehouse.duckdb") == incremental


def test_a_changed_file_stops_an_incremental_run(project_copy: Path, sparkify_real: Path, tmp_path: Path) -> None:
    days = _days(sparkify_real)
    data = _data(tmp_path, sparkify_real, days[:2])
    _run(project_copy, data)
    before = _snapshot(project_copy / "warehouse.duckdb")
    changed = data / "log_data" / days[0].name
    text = changed.read_text()
    changed.unlink()
    changed.write_text(text.rstrip("\n") + "\n" + text.splitlines()[0] + "\n")
    with pytest.raises(RunFailed) as failed:
        _run(project_copy, data)
    assert isinstance(failed.value.cause, TargetError)
    assert days[0].name in str(failed.value.cause) and "--full-refresh" in str(failed.value.cause)
    assert _snapshot(project_copy / "warehouse.duckdb") == before
    assert _run(project_copy, data, full_refresh=True).committed


def test_a_changed_definition_rebuilds(project_copy: Path, sparkify_real: Path, tmp_path: Path) -> None:
    data = _data(tmp_path, sparkify_real, _days(sparkify_real)[:2])
    _run(project_copy, data)
    sql = project_copy / "transforms" / "users.sql"
    sql.write_text(sql.read_text().replace("first_name,", "trim(first_name) as first_name,", 1))
    result = _run(project_copy, data)
    assert not result.incremental and "users" in result.mode_reason


@pytest.mark.postgres
def test_incremental_on_postgres(
    project_copy: Path, sparkify_real: Path, tmp_path: Path, pg_database: dict[str, str]
) -> None:
    days = _days(sparkify_real)
    data = _data(tmp_path, sparkify_real, days[:15])
    half, whole = derive(data), derive(sparkify_real)
    assert _rows(_run(project_copy, data, "postgres"))["transform:songplays"] == half.songplays
    _data(tmp_path, sparkify_real, days[15:])
    second = _run(project_copy, data, "postgres")
    assert second.incremental
    assert _rows(second)["transform:songplays"] == whole.songplays - half.songplays
    third = _run(project_copy, data, "postgres")
    assert {s.status for s in third.steps if s.step.kind in ("load", "transform")} == {"up to date"}
    import psycopg

    with psycopg.connect(**pg_database) as con:  # type: ignore[arg-type]
        assert con.execute("select count(*) from songplays").fetchone() == (whole.songplays,)
        assert con.execute("select count(*) from users").fetchone() == (whole.users,)


def test_root_is_the_project() -> None:
    assert (ROOT / "pipeline.yaml").exists()
