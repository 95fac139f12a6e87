"""The whole Redshift plan rehearsed on the real PostgreSQL server (tests/targets/rehearsal.py).

The Redshift adapter's run, statement by statement as it would reach a cluster, transpiled to
PostgreSQL and executed; COPY replaced by the PostgreSQL target's load of the same files.  The
tables must equal, row for row, the DuckDB run's on the real Sparkify data; a second run, a failed
check and a failure injected at every step must all leave the previous tables as they were.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
import redshift_connector
from conftest import ROOT
from recording import connector
from rehearsal import RehearsalConnection, to_postgres
from sources.test_s3 import s3_env, s3_server  # noqa: F401  (moto's S3 server, for the incremental rehearsal)

from engine.config import load_pipeline
from engine.inputs import list_files
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.settings import Settings
from engine.targets.postgres import PostgresAdapter
from engine.variables import parse_cli_vars

pytestmark = pytest.mark.postgres
ENV = {
    "REDSHIFT_HOST": "h",
    "REDSHIFT_DB": "d",
    "REDSHIFT_USER": "u",
    "REDSHIFT_PASSWORD": "p",
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::1:role/r",
}
TABLES = ("staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time")
SAMPLE = ROOT / "examples" / "sparkify" / "data"


class Rehearsal:
    """Redshift plans of the shipped pipeline, run through a RehearsalConnection on one PostgreSQL database."""

    def __init__(
        self,
        params: dict[str, str],
        data: Path,
        monkeypatch: pytest.MonkeyPatch,
        pipeline: Path = ROOT / "pipeline.yaml",
        s3_root: str = "s3://udacity-dend",
    ) -> None:
        self.pg = psycopg.connect(**params, autocommit=True)  # type: ignore[arg-type]
        self.data, self.pipeline, self.s3_root = data, pipeline, s3_root
        # the files COPY would read from S3, loaded by the PostgreSQL target's own templates
        local = load_pipeline(ROOT / "pipeline.yaml", parse_cli_vars([f"data_root={data}"], ROOT))
        self.pg_plan = build_plan(local, "postgres")
        self.conn = RehearsalConnection(self.pg, self._load)
        monkeypatch.setattr(redshift_connector, "connect", connector(self.conn, []))  # type: ignore[arg-type]

    def _load(self, table: str, copy: str) -> int:
        base = table.removesuffix("__etl_next")
        step = replace(next(s for s in self.pg_plan.steps if s.id == f"load:{base}"), into=table)
        source = self.pg_plan.pipeline.sources[self.pg_plan.pipeline.staging[base].source]
        if "\nMANIFEST\n" in copy:  # exactly the objects the run's manifest lists, as local files
            paths = tuple(str(self.data / url.removeprefix(self.s3_root + "/")) for url in _manifest_urls(copy))
        else:
            paths = tuple(f.location for f in list_files(source))
        rendered = self.pg_plan.render_load(step, paths)
        adapter: PostgresAdapter = self.pg_plan.adapter  # type: ignore[assignment]
        rows = 0
        with self.pg.cursor() as cur:
            for sql in rendered.statements:
                adapter._execute(cur, sql, rendered.feed)
                if sql.startswith("INSERT"):
                    rows += cur.rowcount
        return rows

    def plan(self, vars_files: list[Path] | None = None) -> Any:
        pipeline = load_pipeline(self.pipeline, parse_cli_vars([f"data_root={self.s3_root}"], ROOT), vars_files)
        return build_plan(pipeline, "redshift", Settings(env=ENV))

    def run(self, vars_files: list[Path] | None = None, plan: Any = None) -> Any:
        self.conn.executed.clear()
        self.conn.translated.clear()
        return run_plan(plan or self.plan(vars_files))

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        for t in TABLES:
            with self.pg.cursor() as cur:
                cur.execute(f'SELECT * FROM "{t}"')
                out[t] = sorted(cur.fetchall(), key=repr)
        return out

    def names(self) -> set[str]:
        return {
            r[0]
            for r in self.pg.execute(
                "select table_name from information_schema.tables where table_schema = current_schema()"
            ).fetchall()
        }


def _manifest_urls(copy: str) -> list[str]:
    import json

    import boto3

    url = copy.split("FROM '", 1)[1].split("'", 1)[0]
    bucket, _, key = url[5:].partition("/")
    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return [e["url"] for e in json.loads(body)["entries"]]


@pytest.fixture
def rehearsal(pg_database: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    r = Rehearsal(pg_database, SAMPLE, monkeypatch)
    yield r
    r.pg.close()


def _duckdb_tables(project: Path, data: Path) -> dict[str, list[tuple[Any, ...]]]:
    run_plan(build_plan(load_pipeline(project / "pipeline.yaml", parse_cli_vars([f"data_root={data}"], ROOT))))
    with duckdb.connect(str(project / "warehouse.duckdb"), read_only=True) as con:
        return {t: sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr) for t in TABLES}


@pytest.mark.integration
@pytest.mark.slow
def test_rehearsal_on_the_real_data_equals_duckdb_row_for_row(
    pg_database: dict[str, str], sparkify_real: Path, project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _duckdb_tables(project_copy, sparkify_real)
    r = Rehearsal(pg_database, sparkify_real, monkeypatch)
    try:
        result = r.run()
        assert result.committed
        assert len(r.conn.executed) == len(r.conn.translated) > 60
        # the run's transaction ends in COMMIT; after it, the lock's bound lifted and the backups dropped
        done = len(r.conn.executed) - 1 - r.conn.executed[::-1].index("COMMIT")
        assert r.conn.executed[0] == "BEGIN TRANSACTION" and r.conn.executed[done + 1] == "RESET statement_timeout"
        assert all(s.startswith('DROP TABLE IF EXISTS "') for s in r.conn.executed[done + 2 :])
        got = r.tables()
        for t in TABLES:
            assert len(got[t]) == len(expected[t]), t
            assert got[t] == expected[t], t
        assert len(got["songplays"]) == 6820
        # the measured VARCHAR widths held the real data (PostgreSQL enforces them; Redshift would too)
        widths = dict(
            r.pg.execute(
                "select column_name, character_maximum_length from information_schema.columns "
                "where table_name = 'songplays' and data_type = 'character varying'"
            ).fetchall()
        )
        assert widths["user_agent"] == 256 and widths["song_id"] == 32
        # a second run rebuilds in shadows and swaps: the same tables again, nothing left behind
        again = r.run()
        assert again.committed and r.tables() == got
        assert not any(n.endswith("__etl_next") for n in r.names())
    finally:
        r.pg.close()


def test_a_failed_check_rolls_back_and_keeps_the_previous_tables(rehearsal: Rehearsal, tmp_path: Path) -> None:
    assert rehearsal.run([SAMPLE / "expected_counts.yaml"]).committed
    before = rehearsal.tables()
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text((SAMPLE / "expected_counts.yaml").read_text().replace("events: 300", "events: 301"))
    with pytest.raises(RunFailed) as failed:
        rehearsal.run([wrong])
    assert "row_count_staging_events" in str(failed.value.cause)
    assert rehearsal.tables() == before
    assert not any(n.endswith("__etl_next") for n in rehearsal.names())
    status = rehearsal.pg.execute('select status from "_etl_runs" order by started_at').fetchall()
    assert [s for (s,) in status] == ["committed", "failed"]


@pytest.mark.slow
def test_a_failure_injected_at_each_step_leaves_the_previous_tables(rehearsal: Rehearsal) -> None:
    first = rehearsal.run([SAMPLE / "expected_counts.yaml"])
    assert first.committed
    before = rehearsal.tables()
    plan = rehearsal.plan([SAMPLE / "expected_counts.yaml"])
    # the first statement of every step, each statement of the publish, and the bookkeeping at the end
    targets = [(s.id, s.statements[0]) for s in plan.steps if s.kind != "publish" and s.statements]
    targets += [("publish", sql) for s in plan.steps if s.kind == "publish" for sql in s.statements]
    targets += [
        ("bookkeeping", 'INSERT INTO "_etl_tables"'),
        ("history", 'INSERT INTO "_etl_runs"'),
        ("commit", "COMMIT"),
    ]
    runs = 1
    for where, statement in targets:
        hits = {"n": 0}

        def fail(sql: str, statement: str = statement, hits: dict[str, int] = hits, where: str = where) -> str | None:
            if sql.startswith(statement) and hits["n"] == 0:
                hits["n"] += 1
                return f"injected failure at {where}"
            return None

        rehearsal.conn.fail = fail
        with pytest.raises(RunFailed) as failed:
            rehearsal.run(plan=plan)
        assert hits["n"] == 1, f"{where}: the statement was never sent ({failed.value.cause})"
        assert "injected failure" in str(failed.value.cause), where
        assert rehearsal.tables() == before, where
        assert not any(n.endswith("__etl_next") for n in rehearsal.names()), where
        runs += 1
    rehearsal.conn.fail = lambda sql: None
    statuses = [s for (s,) in rehearsal.pg.execute('select status from "_etl_runs"').fetchall()]
    # every failure is in the history, except the one whose history write itself was made to fail
    assert statuses.count("committed") == 1 and statuses.count("failed") >= runs - 2
    assert rehearsal.run([SAMPLE / "expected_counts.yaml"]).committed and rehearsal.tables() == before


def test_a_dependent_view_and_a_grant_survive_a_run_and_a_failed_run(rehearsal: Rehearsal) -> None:
    """Publish.RENAME_BACKUP as Redshift gets it: the user's view is rebound to the new table and the grant
    the YAML declares is re-applied; a failed run leaves both, and the tables, as they were."""
    rehearsal.pg.execute("DO $$ BEGIN CREATE ROLE etl_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    granted = replace(rehearsal.plan().pipeline, grants={"select": ("etl_reader",)})

    def plan() -> Any:
        return build_plan(granted, "redshift", Settings(env=ENV))

    assert rehearsal.run(plan=plan()).committed
    rehearsal.pg.execute("CREATE VIEW plays_per_level AS SELECT level, count(*) AS plays FROM songplays GROUP BY level")
    assert rehearsal.run(plan=plan()).committed
    assert 'CREATE OR REPLACE VIEW "plays_per_level"' in " ".join(rehearsal.conn.executed)
    assert rehearsal.pg.execute("select sum(plays) from plays_per_level").fetchone() == (244,)

    def grants() -> list[tuple[Any, ...]]:
        return rehearsal.pg.execute(
            "select privilege_type from information_schema.role_table_grants "
            "where grantee = 'etl_reader' and table_name = 'songplays'"
        ).fetchall()

    assert grants() == [("SELECT",)]
    before = rehearsal.tables()
    rehearsal.conn.fail = lambda sql: "injected" if sql.startswith('ALTER TABLE "time__etl_next"') else None
    with pytest.raises(RunFailed):
        rehearsal.run(plan=plan())
    rehearsal.conn.fail = lambda sql: None
    assert rehearsal.tables() == before and grants() == [("SELECT",)]
    assert rehearsal.pg.execute("select sum(plays) from plays_per_level").fetchone() == (244,)


def test_physical_hints_are_dropped_and_the_rest_kept() -> None:
    sql = (
        'CREATE TABLE "t" ("a" VARCHAR(32) NOT NULL ENCODE ZSTD, "b" TIMESTAMP, PRIMARY KEY ("a")) '
        'BACKUP NO DISTSTYLE KEY DISTKEY ("a") COMPOUND SORTKEY ("b")'
    )
    assert to_postgres(sql) == 'CREATE TABLE "t" ("a" VARCHAR(32) NOT NULL, "b" TIMESTAMP, PRIMARY KEY ("a"))'
    assert to_postgres('INSERT INTO "x" ("t") VALUES (SYSDATE)') == 'INSERT INTO "x" ("t") VALUES (CURRENT_TIMESTAMP)'
    assert to_postgres('LOCK "_etl_runs"') == 'LOCK "_etl_runs"'


@pytest.mark.integration
@pytest.mark.slow
def test_incremental_rehearsal_merges_the_new_days_into_the_same_tables(
    pg_database: dict[str, str],
    sparkify_real: Path,
    project_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_env: Any,  # noqa: F811
) -> None:
    """Redshift's incremental path for real: a manifest of only the new days, COPY into the live staging
    table, MERGE (and its temporary table) per star table; equal to a DuckDB build of everything."""
    from concurrent.futures import ThreadPoolExecutor

    expected = _duckdb_tables(project_copy, sparkify_real)
    bucket = "rehearsal-incremental"
    s3_env.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    days = sorted((sparkify_real / "log_data").rglob("*.json"))
    first = [sparkify_real / "log_json_path.json", *days[:15], *(sparkify_real / "song_data").rglob("*.json")]

    def upload(paths: list[Path]) -> None:
        with ThreadPoolExecutor(8) as pool:
            list(
                pool.map(
                    lambda p: s3_env.upload_file(str(p), bucket, f"sparkify/{p.relative_to(sparkify_real).as_posix()}"),
                    paths,
                )
            )

    upload(first)
    text = (
        (ROOT / "pipeline.yaml")
        .read_text()
        .replace("    region: us-west-2", f"    manifest_prefix: s3://{bucket}/manifests\n    region: us-west-2")
    )
    (tmp_path / "pipeline.yaml").write_text(text)
    (tmp_path / "pipeline.profile.yaml").write_text((ROOT / "pipeline.profile.yaml").read_text())
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    r = Rehearsal(pg_database, sparkify_real, monkeypatch, tmp_path / "pipeline.yaml", f"s3://{bucket}/sparkify")
    try:
        built = r.run()
        assert built.committed and not built.incremental
        upload(days[15:])
        second = r.run()
        assert second.incremental, second.mode_reason
        assert any(s.startswith("MERGE INTO") for s in r.conn.executed)
        copies = [s for s in r.conn.executed if s.startswith("COPY")]
        assert len(copies) == 1 and copies[0].startswith('COPY "staging_events" (')
        assert len(_manifest_urls(copies[0])) == len(days) - 15
        assert r.tables() == expected
    finally:
        r.pg.close()
