"""The Redshift adapter's real code, driven against a recording DB-API connection.

No cluster runs here: the rendered SQL is covered by golden files and sqlglot
(tests/test_render.py); this covers what the adapter does with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redshift_connector
from conftest import ROOT
from recording import RecordingConnection, connector
from typer.testing import CliRunner

from engine.cli import app
from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.settings import Settings
from engine.variables import parse_cli_vars

PASSWORD = "Pa55-word-never-shown"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENV = {"REDSHIFT_HOST": "dwh.abc123.us-west-2.redshift.amazonaws.com", "REDSHIFT_DB": "dwh",
       "REDSHIFT_USER": "dwhuser", "REDSHIFT_PASSWORD": PASSWORD,
       "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::123456789012:role/dwhRole"}
S3 = ["data_root=s3://udacity-dend"]

LOAD_ERROR = ("Load into table 'staging_events' failed.  Check 'stl_load_errors' system table for details.")
STL_ROWS = [("s3://udacity-dend/log_data/2018/11/2018-11-07-events.json", 42, "ts", "int8", "abc", 1207,
             "Invalid digit, Value 'a', Pos 0, Type: Long")]


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


def test_statements_run_in_plan_order_inside_one_transaction(recorded: Any) -> None:
    conn, calls = recorded
    plan = _plan()
    result = run_plan(plan)
    assert result.committed
    # every planned statement, in plan order, except those of checks skipped for want of a count;
    # the bookkeeping (_etl_tables, _etl_files) happens inside the same transaction
    expected = [plan.begin, *(sql for step in plan.steps if not (step.check and step.check.skipped_reason)
                              for sql in step.statements), plan.commit]
    bookkeeping = [s for s in conn.executed if any(t in s for t in (
        '"_etl_files"', '"_etl_tables"', '"_etl_runs"', '"_etl_run_steps"', "information_schema",
        "AS source_rows"))]  # and the count of duplicate keys a dimension folded (engine/folds.py)
    assert [s for s in conn.executed if s not in bookkeeping] == expected
    assert bookkeeping and all(0 < conn.executed.index(s) < len(conn.executed) - 1 for s in bookkeeping)
    assert any(s.startswith('INSERT INTO "_etl_tables"') for s in bookkeeping)
    assert conn.executed[0] == "BEGIN TRANSACTION" and conn.executed[-1] == "COMMIT"
    assert conn.executed.count("BEGIN TRANSACTION") == 1 and conn.executed.count("COMMIT") == 1
    assert not any(s.upper().startswith("TRUNCATE") for s in conn.executed)  # TRUNCATE would commit
    # the driver's own transaction handling is off: our BEGIN/COMMIT are the only boundaries
    assert conn.autocommit is True and conn.closed
    assert calls == [{"host": ENV["REDSHIFT_HOST"], "port": 5439, "database": "dwh", "user": "dwhuser",
                      "password": PASSWORD, "timeout": 30}]
    copies = [s for s in conn.executed if s.startswith("COPY")]
    assert len(copies) == 2  # one COPY per source, never per file
    assert "IAM_ROLE 'arn:aws:iam::123456789012:role/dwhRole'" in copies[0]
    assert "FORMAT AS JSON 's3://udacity-dend/log_json_path.json'" in copies[0]
    assert "REGION 'us-west-2'" in copies[1]
    # every table is built as a shadow, loaded before anything reads it, and published after every
    # check: the swap (drop the live table, rename the shadow) comes last, just before COMMIT
    order = [s.split('"')[1] for s in conn.executed
             if s.startswith(("CREATE TABLE \"", "COPY", "INSERT INTO")) and "_etl_" not in s.split('"')[1][:5]]
    assert order.index("staging_events__etl_next") < order.index("songplays__etl_next")
    renames = [i for i, s in enumerate(conn.executed) if s.startswith("ALTER TABLE") and "RENAME TO" in s]
    checks = [i for i, s in enumerate(conn.executed) if s.startswith("SELECT COUNT(*)")]
    assert len(renames) == 7 and min(renames) > max(checks)
    assert conn.executed[max(renames) + 1].startswith('INSERT INTO "_etl_tables"')
    # one run at a time: the history table is locked right after it is sure to exist
    assert conn.executed.index('LOCK "_etl_runs"') < conn.executed.index(next(s for s in conn.executed
                                                                             if s.startswith("DROP TABLE")))
    assert any(s.startswith('INSERT INTO "_etl_runs"') and "'committed'" in s for s in conn.executed)


def test_failed_copy_is_explained_from_stl_load_errors(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR)
    conn.on(r"FROM stl_load_errors", rows=STL_ROWS,
            columns=("filename", "line_number", "colname", "col_type", "raw_value", "err_code", "reason"))
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan())
    message = str(failed.value.cause)
    assert "2018-11-07-events.json line 42, column ts (int8): Invalid digit" in message
    assert "'abc'" in message and "code 1207" in message
    # after the failed COPY: end the aborted transaction, read the errors, roll back; then, in a
    # transaction of its own, the failure goes into the run history; nothing else
    i = next(i for i, s in enumerate(conn.executed) if s.startswith('COPY "staging_events__etl_next"'))
    tail = conn.executed[i + 1:]
    assert tail[0] == "ROLLBACK" and "stl_load_errors" in tail[1] and "pg_last_copy_id()" in tail[1]
    assert tail[2] == "ROLLBACK" and tail[3] == "BEGIN TRANSACTION" and tail[-1] == "COMMIT"
    history = tail[4:-1]
    assert all("_etl_runs" in s or "_etl_run_steps" in s for s in history)
    assert any(s.startswith('INSERT INTO "_etl_runs"') and "'failed'" in s and "stl_load_errors" in s
               for s in history)
    assert conn.executed.count("COMMIT") == 1
    assert not any(s.startswith(("ALTER TABLE", "COPY \"staging_songs__etl_next\"")) for s in tail)


def test_failed_copy_through_the_cli_names_the_file_and_hides_the_password(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r'^COPY "staging_events__etl_next"', error=LOAD_ERROR + f" (password={PASSWORD})")
    conn.on(r"FROM stl_load_errors", rows=STL_ROWS)
    out = CliRunner().invoke(app, ["run", str(ROOT / "pipeline.yaml"), "--target", "redshift",
                                   "--var", "data_root=s3://udacity-dend"])
    assert out.exit_code == 1, out.output
    assert "2018-11-07-events.json line 42" in out.output
    assert "rolled back" in out.output
    assert PASSWORD not in out.output
    assert "Traceback" not in out.output


def test_a_check_failure_rolls_back(recorded: Any) -> None:
    conn, _ = recorded
    conn.on(r"HAVING COUNT\(\*\) > 1", rows=[(3,)])  # a primary key with duplicates
    with pytest.raises(RunFailed):
        run_plan(_plan())
    rollback = conn.executed.index("ROLLBACK")
    assert "COMMIT" not in conn.executed[:rollback]  # the data never committed; only the history after
    assert not any(s.startswith("ALTER TABLE") for s in conn.executed)


def test_settings_from_the_original_dwh_cfg(recorded: Any, tmp_path: Path) -> None:
    conn, calls = recorded
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[CLUSTER]\nHOST=cfg-host.example.com\nDB_NAME=dev\nDB_USER=cfguser\n"
                   f"DB_PASSWORD={PASSWORD}\nDB_PORT=5440\n\n[IAM_ROLE]\nARN='arn:aws:iam::1:role/fromcfg'\n"
                   "\n[S3]\nLOG_DATA='s3://udacity-dend/log_data'\n")
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


def test_dry_run_redacts_and_needs_no_connection(recorded: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _, calls = recorded
    text = (ROOT / "pipeline.yaml").read_text().replace(
        'iam_role: "${REDSHIFT_IAM_ROLE_ARN}"',
        'access_key_id: "${AWS_ACCESS_KEY_ID}"\n    secret_access_key: "${AWS_SECRET_ACCESS_KEY}"')
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    (tmp_path / "pipeline.yaml").write_text(text)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    out = CliRunner().invoke(app, ["run", str(tmp_path / "pipeline.yaml"), "--target", "redshift",
                                   "--var", "data_root=s3://udacity-dend", "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "COPY \"staging_events__etl_next\"" in out.output and "SECRET_ACCESS_KEY '***'" in out.output
    for secret in (SECRET_KEY, "AKIAIOSFODNN7EXAMPLE", PASSWORD):
        assert secret not in out.output
    assert calls == []


def test_local_folders_are_refused_with_a_hint() -> None:
    pipeline = load_pipeline(ROOT / "pipeline.yaml")
    with pytest.raises(ConfigError) as err:
        build_plan(pipeline, "redshift", Settings(env=ENV))
    assert "Redshift COPY reads S3" in str(err.value)
    assert err.value.issues[0].location.line
