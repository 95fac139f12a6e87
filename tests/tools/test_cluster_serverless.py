# ruff: noqa: F811  (test_cluster's fixtures are imported so pytest finds them here; tests take them by name)
"""`etl-engine cluster up|status|down --serverless`: the role on moto's IAM server, Redshift Serverless stubbed.

moto (5.2) has no redshift-serverless service, so those calls go to botocore's Stubber with
responses shaped from the Redshift Serverless API reference (Namespace, Workgroup, Endpoint;
ResourceNotFoundException for what is not there).  The Stubber checks each request's operation
and parameters in order, so these tests pin the request sequence: create, wait (bounded), and
on the way down workgroup, then namespace, then role, each waited for until it is gone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from test_cluster import FAST, PIPELINE, Aws, aws, cli, moto_clients, moto_url, no_role  # noqa: F401

from engine.tools.cluster import serverless

pytestmark = pytest.mark.moto

ACCOUNT = "123456789012"
NS, WG = "etl-ns", "etl-wg"
HOST = f"{WG}.{ACCOUNT}.us-west-2.redshift-serverless.amazonaws.com"
SECRET = f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:redshift!{NS}-admin-AbCdEf"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _namespace(status: str, role: str = "arn:aws:iam::123456789012:role/r") -> dict[str, Any]:
    return {
        "namespace": {
            "namespaceName": NS,
            "namespaceId": "0b8f6f5e-1111-4c2d-9a57-3f7c2d1e0a01",
            "namespaceArn": f"arn:aws:redshift-serverless:us-west-2:{ACCOUNT}:namespace/0b8f",
            "dbName": "dev",
            "adminUsername": "admin",
            "status": status,
            "iamRoles": [role],
            "defaultIamRoleArn": role,
            "adminPasswordSecretArn": SECRET,
            "creationDate": NOW,
        }
    }


def _workgroup(status: str) -> dict[str, Any]:
    return {
        "workgroup": {
            "workgroupName": WG,
            "namespaceName": NS,
            "status": status,
            "baseCapacity": 8,
            "publiclyAccessible": False,
            "port": 5439,
            "creationDate": NOW,
            "workgroupArn": f"arn:aws:redshift-serverless:us-west-2:{ACCOUNT}:workgroup/1c9e",
            "endpoint": {"address": HOST, "port": 5439},
        }
    }


@pytest.fixture
def stub(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """Hand the commands a Stubber-backed redshift-serverless client; every other client is moto's."""
    names = f"DWH_PORT=5439\nDWH_NAMESPACE={NS}\nDWH_WORKGROUP={WG}\n"
    aws.cfg.write_text(aws.dwh().replace("DWH_PORT=5439\n", names), encoding="utf-8")
    real = serverless.client
    import boto3

    rs = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-west-2"
    ).client("redshift-serverless")
    stubber = Stubber(rs)
    monkeypatch.setattr(
        serverless, "client", lambda session, name: rs if name == "redshift-serverless" else real(session, name)
    )
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def _missing(stubber: Stubber, operation: str, **params: str) -> None:
    stubber.add_client_error(
        operation, service_error_code="ResourceNotFoundException", http_status_code=404, expected_params=params
    )


def test_up_then_down_leaves_nothing_behind(aws: Aws, stub: Stubber) -> None:
    _missing(stub, "get_namespace", namespaceName=NS)
    stub.add_response(
        "create_namespace",
        _namespace("AVAILABLE"),
        {
            "namespaceName": NS,
            "dbName": "dwh",
            "adminUsername": "dwhuser",
            "manageAdminPassword": True,
            "iamRoles": [ANY],
            "defaultIamRoleArn": ANY,
        },
    )
    _missing(stub, "get_workgroup", workgroupName=WG)
    stub.add_response(
        "create_workgroup",
        _workgroup("CREATING"),
        {"workgroupName": WG, "namespaceName": NS, "baseCapacity": 8, "publiclyAccessible": False},
    )
    stub.add_response("get_workgroup", _workgroup("CREATING"), {"workgroupName": WG})
    stub.add_response("get_workgroup", _workgroup("AVAILABLE"), {"workgroupName": WG})
    result = cli("up", "--serverless", *PIPELINE, *FAST, "--write-config", "dwh.cfg")
    assert result.exit_code == 0, result.stderr
    role = aws.iam.get_role(RoleName=aws.role)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert "redshift-serverless.amazonaws.com" in trust["Statement"][0]["Principal"]["Service"]
    out = result.stdout
    assert f"workgroup:   {WG} (AVAILABLE)\n" in out and f"endpoint:    {HOST}:5439\n" in out
    assert "public:      no (use the Data API: type redshift_data_api)\n" in out
    assert f"admin secret: {SECRET}\n" in out and f"role ARN:    {role['Arn']}\n" in out
    assert "waiting for workgroup etl-wg to be available: creating" in result.stderr
    assert "may read s3://udacity-dend (and no other bucket)" in result.stderr
    assert f"REDSHIFT_WORKGROUP={WG}" in aws.cfg.read_text(encoding="utf-8")

    stub.add_response("get_workgroup", _workgroup("AVAILABLE"), {"workgroupName": WG})
    stub.add_response("delete_workgroup", _workgroup("DELETING"), {"workgroupName": WG})
    stub.add_response("get_workgroup", _workgroup("DELETING"), {"workgroupName": WG})
    _missing(stub, "get_workgroup", workgroupName=WG)
    stub.add_response("get_namespace", _namespace("AVAILABLE"), {"namespaceName": NS})
    stub.add_response("delete_namespace", _namespace("DELETING"), {"namespaceName": NS})
    _missing(stub, "get_namespace", namespaceName=NS)
    down = cli("down", "--serverless", "--yes", *FAST)
    assert down.exit_code == 0, down.stderr
    assert [line for line in down.stderr.splitlines() if line.startswith("deleted")] == [
        f"deleted workgroup {WG}",
        f"deleted namespace {NS}",
        f"deleted IAM role {aws.role}",
    ]
    assert no_role(aws, aws.role)

    # again: everything is already gone, and saying so is success
    _missing(stub, "get_workgroup", workgroupName=WG)
    _missing(stub, "get_namespace", namespaceName=NS)
    again = cli("down", "--serverless", "--yes", *FAST)
    assert again.exit_code == 0, again.stderr
    assert f"workgroup {WG} does not exist" in again.stderr and f"namespace {NS} does not exist" in again.stderr


def test_up_again_reuses_and_status_reports(aws: Aws, stub: Stubber) -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{aws.role}"
    stub.add_response("get_namespace", _namespace("AVAILABLE", role_arn), {"namespaceName": NS})
    stub.add_response("get_workgroup", _workgroup("AVAILABLE"), {"workgroupName": WG})
    stub.add_response("get_workgroup", _workgroup("AVAILABLE"), {"workgroupName": WG})
    result = cli("up", "--serverless", *PIPELINE, *FAST)
    assert result.exit_code == 0, result.stderr
    assert f"reusing namespace {NS}" in result.stderr and f"reusing workgroup {WG}" in result.stderr
    stub.add_response("get_namespace", _namespace("AVAILABLE", role_arn), {"namespaceName": NS})
    stub.add_response("get_workgroup", _workgroup("AVAILABLE"), {"workgroupName": WG})
    status = cli("status", "--serverless")
    assert status.exit_code == 0 and f"endpoint:    {HOST}:5439\n" in status.stdout


def test_a_workgroup_that_never_becomes_available_is_given_up_on(aws: Aws, stub: Stubber) -> None:
    stub.add_response("get_namespace", _namespace("AVAILABLE"), {"namespaceName": NS})
    stub.add_response("get_workgroup", _workgroup("CREATING"), {"workgroupName": WG})
    for _ in range(3):
        stub.add_response("get_workgroup", _workgroup("CREATING"), {"workgroupName": WG})
    result = cli("up", "--serverless", *PIPELINE, "--poll-interval", "0.02", "--timeout", "0.05")
    assert result.exit_code == 1
    assert "gave up after 0.05 s waiting for workgroup etl-wg to be available (it is creating)" in result.stderr


def test_serverless_refuses_a_public_endpoint(aws: Aws) -> None:
    result = cli("up", "--serverless", "--public", "--cidr", aws.cidr)
    assert result.exit_code == 2 and "reach it with the Data API" in result.stderr
