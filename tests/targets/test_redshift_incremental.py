"""Incremental Redshift runs: S3 listed with boto3 (moto's server), a COPY manifest of only the new objects,
COPY ... MANIFEST into the live staging table, star tables merged by key; driven through the recording
connection, since no cluster runs here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redshift_connector
from conftest import ROOT
from recording import RecordingConnection, connector
from sources.test_s3 import s3_env, s3_server  # noqa: F401  (the moto fixtures)
from test_redshift_target import lint_hits

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import RunResult, run_plan
from engine.settings import Settings
from engine.variables import parse_cli_vars

ENV = {
    "REDSHIFT_HOST": "h",
    "REDSHIFT_DB": "d",
    "REDSHIFT_USER": "u",
    "REDSHIFT_PASSWORD": "p",
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::1:role/r",
}
pytestmark = [pytest.mark.integration, pytest.mark.moto]


def _upload(s3: Any, bucket: str, real: Path, paths: list[Path]) -> None:
    for path in paths:
        s3.upload_file(str(path), bucket, f"sparkify/{path.relative_to(real).as_posix()}")


@pytest.fixture
def bucket(s3_env: Any, sparkify_real: Path, tmp_path: Path) -> tuple[Any, list[Path], str]:  # noqa: F811
    import uuid

    name = f"sparkify-{uuid.uuid4().hex[:10]}"  # moto's server lives for the module: a bucket per test
    s3_env.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    days = sorted((sparkify_real / "log_data").rglob("*.json"))
    songs = sorted((sparkify_real / "song_data").rglob("*.json"))[:5]
    _upload(s3_env, name, sparkify_real, [sparkify_real / "log_json_path.json", *days[:2], *songs])
    return s3_env, days, name


def _project(tmp_path: Path, bucket: str) -> Path:
    text = (
        (ROOT / "pipeline.yaml")
        .read_text()
        .replace("    region: us-west-2", f"    manifest_prefix: s3://{bucket}/manifests\n    region: us-west-2")
    )
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    (tmp_path / "pipeline.yaml").write_text(text)
    return tmp_path / "pipeline.yaml"


def _run(file: Path, conn: RecordingConnection, bucket: str, full_refresh: bool = False) -> tuple[Any, RunResult]:
    conn.executed.clear()
    pipeline = load_pipeline(file, parse_cli_vars([f"data_root=s3://{bucket}/sparkify"], ROOT))
    plan = build_plan(pipeline, "redshift", Settings(env=ENV))
    return plan, run_plan(plan, full_refresh=full_refresh)


def _manifest(s3: Any, copy: str) -> list[str]:
    url = copy.split("FROM '", 1)[1].split("'", 1)[0]
    bucket, _, key = url[5:].partition("/")
    assert key.startswith("manifests/log_data/") or key.startswith("manifests/song_data/"), key
    body = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return [e["url"] for e in body["entries"]]


def _remember(conn: RecordingConnection, plan: Any) -> None:
    """Answer the next run's state queries with what the previous run recorded (its INSERTs)."""
    import sqlglot

    files: list[tuple[Any, ...]] = []
    for sql in conn.executed:
        if sql.startswith('INSERT INTO "_etl_files"'):
            values = sqlglot.parse_one(sql, read="redshift").expression.expressions
            files += [tuple(v.name if v.is_string else int(v.name) for v in row.expressions[1:5]) for row in values]
    tables = [*plan.pipeline.tables, "_etl_tables", "_etl_files", "_etl_runs"]
    conn.rules.clear()
    conn.on(r"pg_get_viewdef", rows=[])  # no views depend on the tables
    conn.on(r"FROM information_schema\.tables", rows=[(t,) for t in tables])
    conn.on(r'FROM "_etl_tables"', rows=[(t, plan.plan.definitions[t]) for t in plan.pipeline.tables])
    conn.on(r'FROM "_etl_files"', rows=files)


def test_second_run_copies_a_manifest_of_only_the_new_objects(
    bucket: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3, days, name = bucket
    conn = RecordingConnection().on(r"pg_get_viewdef", rows=[])  # no views depend on the tables
    monkeypatch.setattr(redshift_connector, "connect", connector(conn, []))
    file = _project(tmp_path, name)
    logs = f"s3://{name}/sparkify/log_data/"

    plan, first = _run(file, conn, name)
    assert first.committed and not first.incremental and first.mode_reason == "first run"
    copies = [s for s in conn.executed if s.startswith("COPY")]
    assert len(copies) == 2 and all("\nMANIFEST\n" in c for c in copies)
    events = next(c for c in copies if c.startswith('COPY "staging_events__etl_next"'))
    assert sorted(_manifest(s3, events)) == sorted(
        logs + d.relative_to(days[0].parents[2]).as_posix() for d in days[:2]
    )
    recorded = [s for s in conn.executed if s.startswith('INSERT INTO "_etl_files"')]
    assert len(recorded) == 2 and "SYSDATE" in recorded[0]

    _remember(conn, plan)
    _upload(s3, name, days[0].parents[3], [days[2]])
    plan, second = _run(file, conn, name)
    assert second.incremental, second.mode_reason
    copies = [s for s in conn.executed if s.startswith("COPY")]
    # only the new day, into the live staging table; the songs are up to date (no COPY at all)
    assert len(copies) == 1 and copies[0].startswith('COPY "staging_events" (')
    assert _manifest(s3, copies[0]) == [logs + days[2].relative_to(days[0].parents[2]).as_posix()]
    assert [s.status for s in second.steps if s.step.id == "load:staging_songs"] == ["up to date"]
    # no shadow, no swap: star tables merged by key in place, analyzed after
    assert not any("__etl_next" in s for s in conn.executed)
    merges = [s for s in conn.executed if s.startswith("MERGE INTO")]
    assert {m.split('"')[1] for m in merges} == set(plan.pipeline.star)
    assert all("WHEN MATCHED THEN UPDATE" in m and "WHEN NOT MATCHED THEN INSERT" in m for m in merges)
    for table in plan.pipeline.star:
        assert f'ANALYZE "{table}"' in conn.executed
    assert conn.executed[0] == "BEGIN TRANSACTION" and conn.executed[-2:] == ["COMMIT", "RESET statement_timeout"]
    assert lint_hits(conn.executed) == []

    # --full-refresh: today's full rebuild into shadows, from a manifest of every object
    _remember(conn, plan)
    plan, third = _run(file, conn, name, full_refresh=True)
    assert not third.incremental and third.mode_reason == "--full-refresh"
    events = next(s for s in conn.executed if s.startswith('COPY "staging_events__etl_next"'))
    assert len(_manifest(s3, events)) == 3


def test_without_a_manifest_prefix_runs_stay_full(bucket: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = bucket[2]
    conn = RecordingConnection().on(r"pg_get_viewdef", rows=[])  # no views depend on the tables
    monkeypatch.setattr(redshift_connector, "connect", connector(conn, []))
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    (tmp_path / "pipeline.yaml").write_text((ROOT / "pipeline.yaml").read_text())
    _, result = _run(tmp_path / "pipeline.yaml", conn, name)
    assert "manifest_prefix" in result.mode_reason
    copies = [s for s in conn.executed if s.startswith("COPY")]
    assert f"FROM 's3://{name}/sparkify/log_data'" in copies[0] and "MANIFEST" not in copies[0]
    assert not any(s.startswith('INSERT INTO "_etl_files"') for s in conn.executed)


def test_a_table_of_keys_only_is_merged_by_an_insert_of_the_missing_keys() -> None:
    """Redshift's MERGE needs WHEN MATCHED and WHEN NOT MATCHED; a table whose columns are all keys has nothing
    to update, so the old template's MERGE with WHEN NOT MATCHED alone would be refused by the cluster."""
    import sqlglot

    from engine.config import Column
    from engine.render import SqlRenderer

    r = SqlRenderer("redshift", "redshift")
    columns = [Column("song_id", "varchar"), Column("artist_id", "varchar")]
    statements = r.statements(
        "merge.sql",
        table="song_artists",
        columns=columns,
        keys=("song_id", "artist_id"),
        select="SELECT song_id, artist_id FROM staging_songs",
    )
    assert not any(s.startswith("MERGE") for s in statements)
    insert = next(s for s in statements if s.startswith("INSERT INTO"))
    assert "WHERE NOT EXISTS" in insert and 'target."song_id" = source."song_id"' in insert
    assert statements[-1] == 'ANALYZE "song_artists"'
    for s in statements:
        assert not isinstance(sqlglot.parse_one(s, read="redshift"), sqlglot.exp.Command), s
    # a table with other columns still gets MERGE with both clauses
    both = r.statements(
        "merge.sql",
        table="songs",
        columns=[*columns, Column("title", "varchar")],
        keys=("song_id",),
        select="SELECT song_id, artist_id, title FROM staging_songs",
    )
    merge = next(s for s in both if s.startswith("MERGE INTO"))
    assert "WHEN MATCHED THEN UPDATE" in merge and "WHEN NOT MATCHED THEN INSERT" in merge
