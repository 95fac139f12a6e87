"""Redshift Serverless: a namespace (the database, encrypted by AWS) and a workgroup (the compute).

`up --serverless` makes the role, the namespace (its admin password managed by AWS in Secrets
Manager: nobody types one) and a private workgroup, waits until the workgroup is available and
returns its endpoint; `down --serverless` deletes the workgroup, then the namespace, then the
role, waiting for each, so nothing is left behind.  Every step reuses or skips what is already
there, so re-running is the retry.  Serverless bills RPU-hours only while queries run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.tools.cluster.aws import ClusterError, Report, aws_call, client, error_code, session
from engine.tools.cluster.iam import delete_role, ensure_role
from engine.tools.cluster.settings import ClusterSettings

NOT_FOUND = "ResourceNotFoundException"


@dataclass(frozen=True)
class ServerlessInfo:
    namespace: str
    workgroup: str
    status: str
    host: str | None
    port: int | None
    db: str
    role_arn: str
    admin_secret: str | None
    base_capacity: int
    public: bool


def _get(call: Callable[[], dict[str, Any]], action: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    with aws_call(action):
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) == NOT_FOUND:
                return None
            raise


def _namespace(rs: Any, name: str) -> dict[str, Any] | None:
    found = _get(lambda: rs.get_namespace(namespaceName=name), f"describing namespace {name}")
    return None if found is None else dict(found["namespace"])


def _workgroup(rs: Any, name: str) -> dict[str, Any] | None:
    found = _get(lambda: rs.get_workgroup(workgroupName=name), f"describing workgroup {name}")
    return None if found is None else dict(found["workgroup"])


def _wait(
    look: Callable[[], dict[str, Any] | None], what: str, goal: str, timeout: float, poll: float, report: Report
) -> dict[str, Any] | None:
    """Poll until ``look`` shows status ``goal`` ("gone": until it returns None); bounded by ``timeout``."""
    start = time.monotonic()
    while True:
        found = look()
        status = "gone" if found is None else str(found.get("status", "unknown"))
        if status == goal:
            return found
        elapsed = time.monotonic() - start
        if elapsed + poll > timeout:
            raise ClusterError(
                f"gave up after {timeout:g} s waiting for {what} to be {goal.lower()} (it is "
                f"{status.lower()}); run the command again to keep waiting"
            )
        report(f"waiting for {what} to be {goal.lower()}: {status.lower()} ({elapsed:.0f} s)")
        time.sleep(poll)


def serverless_up(
    settings: ClusterSettings, buckets: list[str], timeout: float, poll: float, report: Report
) -> ServerlessInfo:
    aws = session(settings)
    iam, rs = client(aws, "iam"), client(aws, "redshift-serverless")
    role_arn = ensure_role(iam, settings.role_name, buckets, report)
    ns_name, wg_name = settings.namespace, settings.workgroup
    namespace = _namespace(rs, ns_name)
    if namespace is None:
        with aws_call(f"creating namespace {ns_name}"):
            namespace = dict(
                rs.create_namespace(
                    namespaceName=ns_name,
                    dbName=settings.db,
                    adminUsername=settings.db_user or "admin",
                    manageAdminPassword=True,
                    iamRoles=[role_arn],
                    defaultIamRoleArn=role_arn,
                )["namespace"]
            )
        report(
            f"created namespace {ns_name} (database {settings.db}, encrypted; admin password kept by AWS "
            "Secrets Manager)"
        )
    else:
        report(f"reusing namespace {ns_name} ({str(namespace.get('status', '')).lower()})")
        if role_arn not in str(namespace.get("iamRoles", "")):
            report(f"warning: namespace {ns_name} does not have role {role_arn}; COPY will need a role it has")
    workgroup = _workgroup(rs, wg_name)
    if workgroup is None:
        with aws_call(f"creating workgroup {wg_name}"):
            rs.create_workgroup(
                workgroupName=wg_name,
                namespaceName=ns_name,
                baseCapacity=settings.base_capacity,
                publiclyAccessible=False,
            )
        report(f"creating workgroup {wg_name} ({settings.base_capacity} RPUs, private)")
    else:
        report(f"reusing workgroup {wg_name} ({str(workgroup.get('status', '')).lower()})")
    workgroup = _wait(lambda: _workgroup(rs, wg_name), f"workgroup {wg_name}", "AVAILABLE", timeout, poll, report)
    assert workgroup is not None
    endpoint = workgroup.get("endpoint") or {}
    return ServerlessInfo(
        ns_name,
        wg_name,
        str(workgroup.get("status")),
        endpoint.get("address"),
        endpoint.get("port"),
        str(namespace.get("dbName") or settings.db),
        role_arn,
        namespace.get("adminPasswordSecretArn"),
        int(workgroup.get("baseCapacity") or 0),
        bool(workgroup.get("publiclyAccessible")),
    )


def serverless_down(settings: ClusterSettings, timeout: float, poll: float, report: Report) -> None:
    """Workgroup, then namespace (a namespace with a workgroup cannot be deleted), then the role."""
    aws = session(settings)
    iam, rs = client(aws, "iam"), client(aws, "redshift-serverless")
    wg_name, ns_name = settings.workgroup, settings.namespace
    workgroup = _workgroup(rs, wg_name)
    if workgroup is None:
        report(f"workgroup {wg_name} does not exist in {settings.region}; nothing to delete")
    else:
        if workgroup.get("status") != "DELETING":
            with aws_call(f"deleting workgroup {wg_name}"):
                rs.delete_workgroup(workgroupName=wg_name)
        report(f"deleting workgroup {wg_name}")
        _wait(lambda: _workgroup(rs, wg_name), f"workgroup {wg_name}", "gone", timeout, poll, report)
        report(f"deleted workgroup {wg_name}")
    namespace = _namespace(rs, ns_name)
    if namespace is None:
        report(f"namespace {ns_name} does not exist in {settings.region}; nothing to delete")
    else:
        if namespace.get("status") != "DELETING":
            with aws_call(f"deleting namespace {ns_name}"):
                rs.delete_namespace(namespaceName=ns_name)
        report(f"deleting namespace {ns_name}")
        _wait(lambda: _namespace(rs, ns_name), f"namespace {ns_name}", "gone", timeout, poll, report)
        report(f"deleted namespace {ns_name}")
    delete_role(iam, settings.role_name, report)


def serverless_status(settings: ClusterSettings) -> ServerlessInfo:
    rs = client(session(settings), "redshift-serverless")
    namespace, workgroup = _namespace(rs, settings.namespace), _workgroup(rs, settings.workgroup)
    if workgroup is None or namespace is None:
        missing = f"workgroup {settings.workgroup}" if workgroup is None else f"namespace {settings.namespace}"
        raise ClusterError(f"{missing} does not exist in {settings.region}")
    endpoint = workgroup.get("endpoint") or {}
    roles = namespace.get("iamRoles") or []
    return ServerlessInfo(
        settings.namespace,
        settings.workgroup,
        str(workgroup.get("status")),
        endpoint.get("address"),
        endpoint.get("port"),
        str(namespace.get("dbName") or ""),
        str(namespace.get("defaultIamRoleArn") or (roles[0] if roles else "")),
        namespace.get("adminPasswordSecretArn"),
        int(workgroup.get("baseCapacity") or 0),
        bool(workgroup.get("publiclyAccessible")),
    )
