"""The Redshift adapter's real code, driven against a recording DB-API connection.

No cluster runs here: the rendered SQL is covered by golden files and sqlglot
(tests/test_render.py); this covers what the adapter does with it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redshift_connector
from conftest import ROOT
from recording import RecordingConnection, connector
from typer.testing import CliRunner

from engine.cli import app
from engine.config import load_pipeline
from engine.errors import ConfigError, RunLocked
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.settings import Settings
from engine.variables import parse_cli_vars

PASSWORD = "Pa55-word-never-shown"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENV = {
    "REDSHIFT_HOST": "dwh.abc123.us-west-2.redshift.amazonaws.com",
    "REDSHIFT_DB": "dwh",
    "REDSHIFT_USER": "dwhuser",
    "REDSHIFT_PASSWORD": PASSWORD,
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::123456789012:role/dwhRole",
}
S3 = ["data_root=s3://udacity-dend"]

LOAD_ERROR = "Load into table 'staging_events' failed.  Check 'stl_load_errors' system table for details."
STL_ROWS = [
    (
        "s3://udacity-dend/log_data/2018/11/2018-11-07-events.json",
        42,
        "ts",
        "int8",
        "abc",
        1207,
        "Invalid digit, Value 'a', Pos 0, Type: Long",
    )
]


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[RecordingConnection, list[dict[str, Any]]]:
    conn = RecordingConnection()
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(redshift_connector, "connect", connector(conn, calls))
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    return conn, calls


def _plan(env: dict[str, str] | None = None, config: Path | None = None) -> Any:
    pipeline = load_pipeline(ROOT / "pipeline.yaml", parse_cli_vars(S3, ROOT))
    return build_plan(pipeline, "redshift", Settings(env=ENV if env is None else env, config_file=config))


TABLES = ["staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time"]


def test_statements_run_in_plan_order_inside_one_transaction(recorded: Any) -> None:
    conn, calls = recorded
    plan = _plan()
    result = run_plan(plan)
    assert result.committed
    # the bookkeeping tables (and this pipeline's lock table) are created in a transaction of their own
    setup_end = conn.executed.index("COMMIT")
    assert conn.executed[0] == "BEGIN TRANSACTION"
    assert all(s.startswith("CREATE TABLE IF NOT EXISTS") for s in conn.executed[1:setup_end])
    assert 'CREATE TABLE IF NOT EXISTS "_etl_lock_sparkify"' in conn.executed[setup_end - 1]
    run = conn.executed[setup_end + 1 :]
    # the lock's wait is bounded before BEGIN, and the lock is the first statement of the transaction
    assert run[:4] == [
        "SET statement_timeout TO 5000",
        "BEGIN TRANSACTION",
        'LOCK "_etl_lock_sparkify"',
        "RESET statement_timeout",
    ]
    # every planned statement, in plan order, except those of checks skipped for want of a count;
    # the bookkeeping (_etl_tables, _etl_files, _etl_runs) happens inside the same transaction
    expected = [
        sql
        for step in plan.steps
        if not (step.check and step.check.skipped_reason)
        for sql in step.statements
        if step.kind != "publish"
    ]
    bookkeeping = [
        s
        for s in run
        if any(
            t in s
            for t in (
                '"_etl_files"',
                '"_etl_tables"',
                '"_etl_runs"',
                '"_etl_run_steps"',
                "information_schema",
                "AS source_rows",
            )
        )
    ]  # and the count of duplicate keys a dimension folded (engine/folds.py)
    core = [
        s
        for s in run[4:]
        if (s not in bookkeeping and not s.startswith("ALTER TABLE") and not s.startswith('DROP TABLE IF EXISTS "'))
        or s.endswith('__etl_next"')
    ]
    # after COMMIT the lock's bound is lifted once more (a ROLLBACK would have undone the lift inside)
    assert core[: len(expected)] == expected and core[len(expected) :] == ["COMMIT", "RESET statement_timeout"]
    assert any(s.startswith('INSERT INTO "_etl_tables"') for s in bookkeeping)
    assert run.count("BEGIN TRANSACTION") == 1 and run.count("COMMIT") == 1 and run[-2] == "COMMIT"
    assert not any(s.upper().startswith("TRUNCATE") for s in conn.executed)  # TRUNCATE would commit
    # the driver's own transaction handling is off: our BEGIN/COMMIT are the only boundaries
    assert conn.autocommit is True and conn.closed
    assert calls == [
        {
            "host": ENV["REDSHIFT_HOST"],
            "port": 5439,
            "database": "dwh",
            "user": "dwhuser",
            "password": PASSWORD,
            "timeout": 30,
        }
    ]
    copies = [s for s in conn.executed if s.startswith("COPY")]
    assert len(copies) == 2  # one COPY per source, never per file
    assert "IAM_ROLE 'arn:aws:iam::123456789012:role/dwhRole'" in copies[0]
    assert "FORMAT AS JSON 's3://udacity-dend/log_json_path.json'" in copies[0]
    assert "REGION 'us-west-2'" in copies[1]
    # every table is built as a shadow, loaded before anything reads it, and published after every
    # check: on a first run (no live tables) the shadows are renamed into place, just before COMMIT
    order = [
        s.split('"')[1]
        for s in conn.executed
        if s.startswith(('CREATE TABLE "', "COPY", "INSERT INTO")) and "_etl_" not in s.split('"')[1][:5]
    ]
    assert order.index("staging_events__etl_next") < order.index("songplays__etl_next")
    renames = [i for i, s in enumerate(conn.executed) if s.startswith("ALTER TABLE") and "RENAME TO" in s]
    check_sql = {sql for step in plan.steps if step.kind == "check" for sql in step.statements}
    checks = [i for i, s in enumerate(conn.executed) if s in check_sql]
    assert len(renames) == 7 and min(renames) > max(checks)
    assert any(s.startswith('INSERT INTO "_etl_runs"') and "'committed'" in s for s in conn.executed)


def test_a_second_run_renames_the_live_tables_away_and_drops_them_after_commit(recorded: Any) -> None:
    """Publish.RENAME_BACKUP: no DROP of a live table before its replacement is in place; dependent views
    are rebound to the new table; declared grants re-applied; the backups go after COMMIT."""
    conn, _ = recorded
    conn.on(r"information_schema\.tables", rows=[(t,) for t in TABLES])
    conn.on(
        r"pg_get_viewdef",
        rows=[("users", "active_users", " SELECT users.user_id FROM users;")],
        columns=("table_name", "view_name", "definition"),
    )
    pipeline = load_pipeline(ROOT / "pipeline.yaml", parse_cli_vars(S3, ROOT))
    pipeline = replace(pipeline, grants={"select": ("analyst", "group bi")})
    run_plan(build_plan(pipeline, "redshift", Settings(env=ENV)))
    commit = len(conn.executed) - 1 - conn.executed[::-1].index("COMMIT")
    inside, after = conn.executed[:commit], conn.executed[commit + 1 :]
    for t in TABLES:
        live_away = inside.index(f'ALTER TABLE "{t}" RENAME TO "{t}__etl_old"')
        new_in = inside.index(f'ALTER TABLE "{t}__etl_next" RENAME TO "{t}"')
        assert live_away < new_in
        assert f'DROP TABLE IF EXISTS "{t}"' not in conn.executed  # the live table is never dropped
        assert f'GRANT SELECT ON "{t}" TO "analyst"' in inside[new_in:]
        assert f'GRANT SELECT ON "{t}" TO GROUP "bi"' in inside[new_in:]
        assert f'DROP TABLE IF EXISTS "{t}__etl_old"' in after
    rebind = inside.index('CREATE OR REPLACE VIEW "active_users" AS SELECT users.user_id FROM users')
    assert rebind > inside.index('ALTER TABLE "users__etl_next" RENAME TO "users"')
    assert not any(s.startswith(("BEGIN", "COMMIT")) for s in after)  # each cleanup commits on its own


def test_a_held_lock_is_waited_for_at_most_wait_seconds(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^LOCK "_etl_lock_sparkify"', error="Query (123) cancelled on user's request")
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan(), wait=12.5)
    assert isinstance(failed.value.cause, RunLocked)
    assert "SET statement_timeout TO 12500" in conn.executed
    lock = conn.executed.index('LOCK "_etl_lock_sparkify"')
    assert conn.executed[lock - 1] == "BEGIN TRANSACTION" and conn.executed[lock + 1] == "ROLLBACK"
    assert not any(s.startswith(('CREATE TABLE "', "COPY", "DROP")) for s in conn.executed[lock:])


def test_failed_copy_is_explained_from_stl_load_errors(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR)
    conn.on(
        r"FROM stl_load_errors",
        rows=STL_ROWS,
        columns=("filename", "line_number", "colname", "col_type", "raw_value", "err_code", "reason"),
    )
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan())
    message = str(failed.value.cause)
    assert "2018-11-07-events.json line 42, column ts (int8): Invalid digit" in message
    assert "'abc'" in message and "code 1207" in message
    # after the failed COPY: end the aborted transaction, read the errors, roll back; then, in a
    # transaction of its own, the failure goes into the run history; nothing else
    i = next(i for i, s in enumerate(conn.executed) if s.startswith('COPY "staging_events__etl_next"'))
    tail = conn.executed[i + 1 :]
    assert tail[0] == "ROLLBACK" and "stl_load_errors" in tail[1]
    # found by this session and its start, never by pg_last_copy_id() (not updated by a rolled-back COPY)
    assert "pg_last_copy_id" not in tail[1] and "session = pg_backend_pid()" in tail[1]
    assert "FROM stv_sessions WHERE process = pg_backend_pid()" in tail[1]
    assert "LIKE 's3://udacity-dend/log_data%'" in tail[1]
    # the ROLLBACK undid the lift of the lock's bound: it is lifted again before anything else runs
    assert tail[2] == "ROLLBACK" and tail[3] == "RESET statement_timeout"
    assert tail[4] == "BEGIN TRANSACTION" and tail[-1] == "COMMIT"
    history = tail[5:-1]
    assert all("_etl_runs" in s or "_etl_run_steps" in s for s in history)
    assert any(s.startswith('INSERT INTO "_etl_runs"') and "'failed'" in s and "stl_load_errors" in s for s in history)
    assert conn.executed.count("COMMIT") == 2  # the bookkeeping tables' own transaction, and the history
    assert not any(s.startswith(("ALTER TABLE", 'COPY "staging_songs__etl_next"')) for s in tail)


def test_failed_copy_through_the_cli_names_the_file_and_hides_the_password(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR + f" (password={PASSWORD})")
    conn.on(r"FROM stl_load_errors", rows=STL_ROWS)
    out = CliRunner().invoke(
        app, ["run", str(ROOT / "pipeline.yaml"), "--target", "redshift", "--var", "data_root=s3://udacity-dend"]
    )
    assert out.exit_code == 1, out.output
    assert "2018-11-07-events.json line 42" in out.output
    assert "rolled back" in out.output
    assert PASSWORD not in out.output
    assert "Traceback" not in out.output


def test_a_check_failure_rolls_back(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^SELECT duplicated_keys FROM "_etl_keys_', rows=[(3,)])  # a primary key with duplicates
    with pytest.raises(RunFailed):
        run_plan(_plan())
    rollback = conn.executed.index("ROLLBACK")
    assert conn.executed[:rollback].count("COMMIT") == 1  # the bookkeeping tables' own; never the data
    assert not any(s.startswith("ALTER TABLE") for s in conn.executed)


def test_settings_from_the_original_dwh_cfg(recorded: Any, tmp_path: Path) -> None:
    conn, calls = recorded
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text(
        "[CLUSTER]\nHOST=cfg-host.example.com\nDB_NAME=dev\nDB_USER=cfguser\n"
        f"DB_PASSWORD={PASSWORD}\nDB_PORT=5440\n\n[IAM_ROLE]\nARN='arn:aws:iam::1:role/fromcfg'\n"
        "\n[S3]\nLOG_DATA='s3://udacity-dend/log_data'\n"
    )
    plan = _plan(env={}, config=cfg)
    run_plan(plan)
    assert calls[0]["host"] == "cfg-host.example.com" and calls[0]["port"] == 5440
    assert calls[0]["password"] == PASSWORD and calls[0]["database"] == "dev"
    assert any("IAM_ROLE 'arn:aws:iam::1:role/fromcfg'" in s for s in conn.executed)
    # the environment wins over the file
    plan = _plan(env={"REDSHIFT_HOST": "env-host"}, config=cfg)
    assert plan.adapter.option("host") == "env-host"


def test_missing_settings_stop_the_run_before_any_sql(recorded: Any) -> None:
    conn, calls = recorded
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan(env={"REDSHIFT_HOST": "h"}))
    cause = failed.value.cause
    assert isinstance(cause, ConfigError)
    names = " ".join(i.message for i in cause.issues)
    assert "REDSHIFT_PASSWORD is not set" in names and "REDSHIFT_DB" in names
    assert all(i.location.line for i in cause.issues)  # each points at its line in pipeline.yaml
    assert calls == [] and conn.executed == []


def test_dry_run_redacts_and_needs_no_connection(
    recorded: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, calls = recorded
    text = (
        (ROOT / "pipeline.yaml")
        .read_text()
        .replace(
            'iam_role: "${REDSHIFT_IAM_ROLE_ARN}"',
            'access_key_id: "${AWS_ACCESS_KEY_ID}"\n    secret_access_key: "${AWS_SECRET_ACCESS_KEY}"',
        )
    )
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    (tmp_path / "pipeline.yaml").write_text(text)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    out = CliRunner().invoke(
        app,
        [
            "run",
            str(tmp_path / "pipeline.yaml"),
            "--target",
            "redshift",
            "--var",
            "data_root=s3://udacity-dend",
            "--dry-run",
        ],
    )
    assert out.exit_code == 0, out.output
    assert 'COPY "staging_events__etl_next"' in out.output and "SECRET_ACCESS_KEY '***'" in out.output
    for secret in (SECRET_KEY, "AKIAIOSFODNN7EXAMPLE", PASSWORD):
        assert secret not in out.output
    assert calls == []


def test_local_folders_are_refused_with_a_hint() -> None:
    pipeline = load_pipeline(ROOT / "pipeline.yaml")
    with pytest.raises(ConfigError) as err:
        build_plan(pipeline, "redshift", Settings(env=ENV))
    assert "Redshift COPY reads S3" in str(err.value)
    assert err.value.issues[0].location.line


#: AWS "Leader node-only functions" (deprecated date functions): an error in any statement touching a user table
#: https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_functions_leader_node_only.html
LEADER_ONLY = ("CURRENT_TIMESTAMP", "NOW", "CURRENT_TIME", "LOCALTIME", "AGE", "ISFINITE")


def lint_hits(executed: list[str]) -> list[str]:
    """Every statement a recorded run sent that the Redshift lint (AWS's lists) would refuse."""
    from engine.lint import rules, scan

    return [f"{h.match.word}: {sql[:80]}" for sql in executed for h in scan(sql, "redshift", rules("redshift"))]


@pytest.mark.parametrize("failure", [None, "check", "copy"])
def test_every_statement_of_a_recorded_run_passes_the_lint(recorded: Any, failure: str | None) -> None:
    """Success and failure paths (the failure's own history transaction included) send nothing AWS lists."""
    conn, _ = recorded
    if failure == "check":
        conn.on(r'^SELECT duplicated_keys FROM "_etl_keys_', rows=[(3,)])
    elif failure == "copy":
        conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR)
    try:
        run_plan(_plan())
    except RunFailed:
        assert failure is not None
    # the bookkeeping tables' own transaction, the run's, and a failed run's history
    assert conn.executed.count("BEGIN TRANSACTION") == (2 if failure is None else 3)
    assert lint_hits(conn.executed) == []


def test_recorded_run_uses_no_leader_node_only_function(recorded: Any) -> None:
    import sqlglot
    from sqlglot.dialects.dialect import Dialect

    conn, _ = recorded
    run_plan(_plan())
    tokens = [t for sql in conn.executed for t in Dialect.get_or_raise("redshift").tokenize(sql)]
    words = {t.text.upper() for t in tokens}
    assert not words & set(LEADER_ONLY), words & set(LEADER_ONLY)
    # the bookkeeping that used CURRENT_TIMESTAMP now stamps rows with SYSDATE (the transaction's start)
    tables = next(s for s in conn.executed if s.startswith('INSERT INTO "_etl_tables"'))
    assert "SYSDATE" in tables
    assert isinstance(sqlglot.parse_one(tables, read="redshift"), sqlglot.exp.Insert)


def test_failed_copy_on_serverless_is_explained_from_sys_load_error_detail(recorded: Any) -> None:
    """STL views cannot be read on Serverless: the lookup falls back to SYS_LOAD_ERROR_DETAIL."""
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR)
    conn.on(r"FROM stl_load_errors", error='relation "stl_load_errors" does not exist')
    conn.on(r"FROM sys_load_error_detail", rows=[(*STL_ROWS[0][:4], None, *STL_ROWS[0][5:])])
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan())
    message = str(failed.value.cause)
    assert "sys_load_error_detail (1 shown)" in message
    assert "2018-11-07-events.json line 42, column ts (int8): Invalid digit" in message and "; value" not in message
    i = next(i for i, s in enumerate(conn.executed) if s.startswith('COPY "staging_events__etl_next"'))
    lookup = conn.executed[i + 3]
    assert "session_id = pg_backend_pid()" in lookup and "sys_session_history" in lookup


def test_failed_copy_without_load_errors_keeps_the_copy_error(recorded: Any) -> None:
    """An S3 error leaves no load-error rows: the message is the COPY's own, not an older COPY's rows."""
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error="S3ServiceException:Access Denied")
    conn.on(r"FROM (stl_load_errors|sys_load_error_detail)", rows=[])
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan())
    assert str(failed.value.cause).startswith("S3ServiceException:Access Denied")
    assert "shown" not in str(failed.value.cause)


def test_copy_options_and_staging_without_backup(tmp_path: Path) -> None:
    text = (
        (ROOT / "pipeline.yaml")
        .read_text()
        .replace(
            "    compupdate: false",
            "    compupdate: false\n    accept_invalid_chars: '?'\n    truncate_columns: true\n"
            "    blanks_as_null: true\n    empty_as_null: true",
        )
        .replace(
            '    path: "{{ data_root }}/song_data"\n    format: json',
            '    path: "{{ data_root }}/song_data"\n    format: json\n    json_keys: ignorecase\n'
            "    accept_invalid_chars: true",
        )
    )
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    (tmp_path / "pipeline.yaml").write_text(text)
    plan = build_plan(
        load_pipeline(tmp_path / "pipeline.yaml", parse_cli_vars(S3, ROOT)), "redshift", Settings(env=ENV)
    )
    sql = dict(plan.statements())
    events, songs = sql["load:staging_events"], sql["load:staging_songs"]
    for option in ("ACCEPTINVCHARS AS '?'", "TRUNCATECOLUMNS", "BLANKSASNULL", "EMPTYASNULL"):
        assert option in events
    assert "FORMAT AS JSON 'auto ignorecase'" in songs and "ACCEPTINVCHARS\n" in songs + "\n"
    assert "TRUNCATECOLUMNS" not in songs
    creates = [s for s in plan.steps if s.kind == "create"]
    for step in creates:  # staging is rebuilt from S3 by a full run: no snapshot backup
        assert ("BACKUP NO" in step.statements[1]) == (step.table in plan.pipeline.staging), step.statements[1]
    import sqlglot

    for statement in (events, songs, *(s.statements[1] for s in creates)):
        assert not isinstance(sqlglot.parse_one(statement, read="redshift"), sqlglot.exp.Command)


def test_copy_option_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "pipeline.yaml").read_text().replace("    compupdate: false", "    accept_invalid_chars: '??'")
    (tmp_path / "pipeline.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_pipeline(tmp_path / "pipeline.yaml")
    assert "too long" in str(err.value) and err.value.issues[0].location.line == 49


def test_a_value_too_long_for_its_measured_column_is_explained_with_the_way_out(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR)
    conn.on(
        r"FROM stl_load_errors",
        rows=[
            (
                "s3://udacity-dend/log_data/2018/11/2018-11-30-events.json",
                7,
                "user_agent",
                "varchar",
                "Mozilla/5.0 ...",
                1204,
                "String length exceeds DDL length",
            )
        ],
    )
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan())
    message = str(failed.value.cause)
    assert "column user_agent (varchar): String length exceeds DDL length [code 1204]" in message
    assert "truncate_columns: true" in message and "explain --measure" in message
