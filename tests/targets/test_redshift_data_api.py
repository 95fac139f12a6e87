"""Redshift through the Data API (boto3 ``redshift-data``), and Serverless/IAM connection options.

The SQL is the Redshift adapter's, unchanged: the recorded statement sequence is compared with
the one through the driver.  The Data API calls go through a real boto3 client; botocore's
``before-call`` hook answers them from the recording connection (tests/targets/recording.py),
since moto's redshift-data (5.2) never finishes a statement and has no sessions.  What moto's
server does implement (ExecuteStatement, DescribeStatement, CancelStatement, GetStatementResult)
is exercised over loopback below: the bounded wait, the cancel, and result parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redshift_connector
from conftest import ROOT
from recording import DataApiRecorder, RecordingConnection, connector

from engine.aws import redshift_connect
from engine.aws.data_api import DataApiConnection, DataApiError
from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.settings import Settings
from engine.variables import parse_cli_vars

ENV = {
    "REDSHIFT_HOST": "dwh.abc123.us-west-2.redshift.amazonaws.com",
    "REDSHIFT_DB": "dwh",
    "REDSHIFT_USER": "dwhuser",
    "REDSHIFT_PASSWORD": "Pa55-word-never-shown",
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::123456789012:role/dwhRole",
    "REDSHIFT_WORKGROUP": "etl-wg",
}
EXTRA_TARGETS = """\
  serverless:
    type: redshift
    workgroup: "${REDSHIFT_WORKGROUP}"
    database: "${REDSHIFT_DB}"
    iam_role: "${REDSHIFT_IAM_ROLE_ARN}"
    region: us-west-2
  by_method:
    type: redshift
    method: "${REDSHIFT_METHOD:-driver}"
    host: "${REDSHIFT_HOST}"
    user: "${REDSHIFT_USER}"
    password: "${REDSHIFT_PASSWORD}"
    workgroup: "${REDSHIFT_WORKGROUP}"
    database: "${REDSHIFT_DB}"
    iam_role: "${REDSHIFT_IAM_ROLE_ARN}"
    region: us-west-2
  redshift_data_api:
    type: redshift_data_api
    workgroup: "${REDSHIFT_WORKGROUP}"
    database: "${REDSHIFT_DB}"
    iam_role: "${REDSHIFT_IAM_ROLE_ARN}"
    region: us-west-2
"""
#: what differs between any two runs: the run id (time + random), timestamps, and durations in the history
VOLATILE = re.compile(
    r"\d{8}T\d{6}-[0-9a-f]{6}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?)?"
    r"|(?<=AS TIMESTAMP\), )\d+(\.\d+)?|\d+\.\d+(?=, (NULL|'[^']*')\)[,\n]?)"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    text = (ROOT / "pipeline.yaml").read_text(encoding="utf-8")
    text = text.replace("\nsources:\n", "\n" + EXTRA_TARGETS + "\nsources:\n", 1)
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    for extra in ("log_json_path.json",):
        if (ROOT / extra).exists():
            (tmp_path / extra).symlink_to(ROOT / extra)
    (tmp_path / "pipeline.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "pipeline.yaml"


def _plan(project: Path, target: str, **env: str) -> Any:
    pipeline = load_pipeline(project, parse_cli_vars(["data_root=s3://udacity-dend"], project.parent))
    return build_plan(pipeline, target, Settings(env={**ENV, **env}))


def _data_api(monkeypatch: pytest.MonkeyPatch, conn: RecordingConnection) -> DataApiRecorder:
    recorder = DataApiRecorder(conn)
    real = redshift_connect.data_api_connection
    monkeypatch.setattr(
        redshift_connect, "data_api_connection", lambda option, client=None: real(option, recorder.client())
    )
    return recorder


def _driver(monkeypatch: pytest.MonkeyPatch) -> tuple[RecordingConnection, list[dict[str, Any]]]:
    conn, calls = RecordingConnection(), []  # type: ignore[var-annotated]
    monkeypatch.setattr(redshift_connector, "connect", connector(conn, calls))
    return conn, calls


def _stable(statements: list[str]) -> list[str]:
    return [VOLATILE.sub("<volatile>", s) for s in statements]


def test_the_same_sql_runs_through_the_driver_and_the_data_api(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one target, two methods: the target's name (recorded in the run history) is the same
    driver, calls = _driver(monkeypatch)
    run_plan(_plan(project, "by_method"))
    assert calls[0]["password"] == ENV["REDSHIFT_PASSWORD"]
    through_api = RecordingConnection()
    recorder = _data_api(monkeypatch, through_api)
    result = run_plan(_plan(project, "by_method", REDSHIFT_METHOD="data_api"))
    assert result.committed
    assert len(driver.executed) > 30
    assert _stable(through_api.executed) == _stable(driver.executed)
    # one session for the whole run: the first statement opens it, every later one names it
    executes = [params for name, params in recorder.calls if name == "ExecuteStatement"]
    assert len(executes) == len(through_api.executed)
    first, rest = executes[0], executes[1:]
    assert first["Sql"] == "BEGIN TRANSACTION"
    assert [e["Sql"] for e in rest[-2:]] == ["COMMIT", "RESET statement_timeout"]
    assert {k: first[k] for k in ("WorkgroupName", "Database", "SessionKeepAliveSeconds")} == {
        "WorkgroupName": "etl-wg",
        "Database": "dwh",
        "SessionKeepAliveSeconds": 600,
    }
    assert "SessionId" not in first and "DbUser" not in first and "SecretArn" not in first
    assert all(set(p) == {"Sql", "SessionId"} and p["SessionId"] == recorder.session_id for p in rest)
    # every statement is waited for before the next one starts
    names = [name for name, _ in recorder.calls]
    assert all(names[i + 1] == "DescribeStatement" for i, n in enumerate(names) if n == "ExecuteStatement")


def test_query_results_are_paged_and_typed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = RecordingConnection().on(
        r"^select 1", rows=[(1, "a", None), (2, "b", 2.5), (3, "c", True)], columns=("n", "s", "x")
    )
    recorder = _data_api(monkeypatch, conn)
    adapter = _plan(project, "redshift_data_api").adapter
    assert adapter.serverless and adapter.describe() == "redshift serverless workgroup etl-wg/dwh via the Data API"
    names, rows = adapter.fetch_named("select 1")
    assert names == ["n", "s", "x"] and rows == [(1, "a", None), (2, "b", 2.5), (3, "c", True)]
    pages = [p for name, p in recorder.calls if name == "GetStatementResult"]
    assert [p.get("NextToken") for p in pages] == [None, "2"]


def test_a_failed_copy_is_explained_through_the_data_api_too(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = RecordingConnection()
    conn.on(r'^COPY "staging_events__etl_next"', error="Load into table 'staging_events' failed.")
    conn.on(
        r"FROM stl_load_errors",
        rows=[("s3://b/log_data/x.json", 42, "ts", "int8", "abc", 1207, "Invalid digit")],
        columns=("filename", "line_number", "colname", "col_type", "raw_value", "err_code", "reason"),
    )
    _data_api(monkeypatch, conn)
    with pytest.raises(RunFailed) as failed:
        run_plan(_plan(project, "redshift_data_api"))
    message = str(failed.value.cause)
    assert "Load into table 'staging_events' failed." in message and "x.json line 42, column ts" in message


def test_serverless_over_the_driver_uses_iam_and_needs_no_password(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn, calls = _driver(monkeypatch)
    plan = _plan(project, "serverless")
    assert plan.adapter.serverless and plan.adapter.unresolved() == []
    run_plan(plan)
    assert calls == [
        {
            "iam": True,
            "database": "dwh",
            "port": 5439,
            "timeout": 30,
            "region": "us-west-2",
            "is_serverless": True,
            "serverless_work_group": "etl-wg",
        }
    ]
    assert conn.executed[0] == "BEGIN TRANSACTION"
    assert not _plan(project, "redshift").adapter.serverless


def test_options_each_way_of_connecting_needs(project: Path) -> None:
    def needs(**options: str) -> tuple[str, ...]:
        return redshift_connect.required(
            lambda key, default=None: options.get(key, default), options.pop("_method", "driver")
        )

    assert needs(password="x") == ("host", "database", "user", "password")
    assert needs(workgroup="w") == ("workgroup", "database")
    assert needs(cluster_identifier="c") == ("cluster_identifier", "database", "db_user")
    assert needs(secret_arn="arn", workgroup="w") == ("database", "secret_arn")
    assert needs(_method="data_api", workgroup="w") == ("workgroup", "database")
    assert needs(_method="data_api", secret_arn="arn") == ("cluster_identifier", "database", "secret_arn")
    text = project.read_text(encoding="utf-8").replace(
        '    workgroup: "${REDSHIFT_WORKGROUP}"\n    database', "    method: dataapi\n    database", 1
    )
    project.write_text(text, encoding="utf-8")
    issues = " | ".join(i.message for i in _plan(project, "serverless").adapter.unresolved())
    assert "method must be driver or data_api, got 'dataapi'" in issues
    assert "target 'serverless' needs 'cluster_identifier'" in issues


# --- moto's redshift-data server on loopback --------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.mark.moto
def test_on_moto_a_statement_that_never_finishes_is_cancelled_after_the_bounded_wait(moto_url: str) -> None:
    import boto3

    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-west-2"
    ).client("redshift-data", endpoint_url=moto_url)
    warm = client.execute_statement(ClusterIdentifier="dwhcluster", Database="dwh", DbUser="etl", Sql="select 0")
    client.describe_statement(Id=warm["Id"])  # the server's first requests are slow; the timing below is not
    seen: list[str] = []
    client.meta.events.register("before-call.redshift-data.*", lambda model, **_: seen.append(model.name))

    def add_session(parsed: dict[str, Any], **_: Any) -> None:
        parsed.setdefault("SessionId", "moto-has-no-sessions")  # moto 5.2 ignores SessionKeepAliveSeconds

    client.meta.events.register("after-call.redshift-data.ExecuteStatement", add_session)
    conn = DataApiConnection(
        client, {"ClusterIdentifier": "dwhcluster", "Database": "dwh", "DbUser": "etl"}, timeout=0.5, poll=(0.02, 0.05)
    )
    with pytest.raises(DataApiError, match=r"gave up after 0.5 s waiting for the Data API .* is STARTED; cancelled"):
        conn.cursor().execute("select 1")
    statement = conn.statements[0]
    assert seen[0] == "ExecuteStatement" and seen[-1] == "CancelStatement"
    assert set(seen[1:-1]) == {"DescribeStatement"} and 2 <= len(seen) - 2 < 40
    assert client.describe_statement(Id=statement)["Status"] == "ABORTED"
    # moto's canned result, through the same parser a finished query uses
    names, rows = conn.results(statement)
    assert names == ["Number", "Street", "City"]
    assert rows[0] == (10, "Alpha st", "Vancouver") and len(rows) == 3


@pytest.mark.moto
def test_secret_auth_reads_user_and_password_from_secrets_manager(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import boto3

    for name, value in (
        ("AWS_ENDPOINT_URL", moto_url),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-west-2"),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    password = "Secret-Pa55-from-the-vault"
    arn = boto3.client("secretsmanager").create_secret(
        Name="etl/redshift", SecretString=json.dumps({"username": "etl", "password": password, "port": 5440})
    )["ARN"]
    options = {"secret_arn": arn, "host": "wg.example.com", "database": "dev", "aws_region": "us-west-2"}

    def option(key: str, default: str | None = None) -> str | None:
        return options.get(key, default)

    assert redshift_connect.auth_mode(option) == "secret"
    assert redshift_connect.driver_kwargs(option, 5439, 30) == {
        "host": "wg.example.com",
        "port": 5440,
        "database": "dev",
        "user": "etl",
        "password": password,
        "timeout": 30,
    }
    from engine.redact import redact

    assert password not in redact(f"error: {password}")  # remembered as a secret for every output
    options.update(workgroup="wg")
    assert redshift_connect.data_api_target(option) == {"Database": "dev", "WorkgroupName": "wg", "SecretArn": arn}
