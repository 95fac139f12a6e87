"""A provisioned Redshift cluster: create it (with its role and network access), look at it, delete it.

This is the course's "create cluster" notebook as idempotent steps, so that `up` and `down` can
be re-run after any failure without the user cleaning up by hand first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.tools.cluster.aws import ClusterError, Report, aws_call, client, error_code, session, wait_for
from engine.tools.cluster.iam import delete_role, ensure_role
from engine.tools.cluster.network import delete_group, ensure_group, open_port
from engine.tools.cluster.settings import RETIRING, ClusterSettings, check_password, parse_cidr


@dataclass(frozen=True)
class ClusterInfo:
    """What describe_clusters says, reduced to what a user connects or loads with."""

    identifier: str
    status: str
    host: str | None
    port: int | None
    node_type: str
    nodes: int
    db: str
    db_user: str
    role_arns: tuple[str, ...]
    security_groups: tuple[str, ...]
    vpc_id: str | None
    public: bool


@dataclass(frozen=True)
class UpResult:
    cluster: ClusterInfo
    role_arn: str
    security_group: str


def describe(redshift: Any, identifier: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    with aws_call(f"describing cluster {identifier}"):
        try:
            clusters = redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"]
        except ClientError as exc:
            if error_code(exc) == "ClusterNotFound":
                return None
            raise
    return dict(clusters[0]) if clusters else None


def info(cluster: Mapping[str, Any]) -> ClusterInfo:
    endpoint = cluster.get("Endpoint") or {}
    return ClusterInfo(
        identifier=cluster["ClusterIdentifier"],
        status=cluster.get("ClusterStatus", "unknown"),
        host=endpoint.get("Address"),
        port=endpoint.get("Port"),
        node_type=cluster.get("NodeType", ""),
        nodes=int(cluster.get("NumberOfNodes", 1)),
        db=cluster.get("DBName", ""),
        db_user=cluster.get("MasterUsername", ""),
        role_arns=tuple(r["IamRoleArn"] for r in cluster.get("IamRoles", [])),
        security_groups=tuple(g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])),
        vpc_id=cluster.get("VpcId"),
        public=bool(cluster.get("PubliclyAccessible")),
    )


def _ensure_cluster(
    redshift: Any, settings: ClusterSettings, role_arn: str, group: str, public: bool, report: Report
) -> None:
    from botocore.exceptions import ClientError

    existing = describe(redshift, settings.identifier)
    if existing is not None:
        if existing.get("ClusterStatus") == "deleting":
            raise ClusterError(
                f"cluster {settings.identifier} is being deleted; wait for "
                "'etl-engine cluster down' to finish, then run 'up' again"
            )
        report(f"reusing cluster {settings.identifier} ({existing.get('ClusterStatus')})")
        found = info(existing)
        if role_arn not in found.role_arns:
            report(
                f"warning: cluster {settings.identifier} does not have role {role_arn}; COPY from S3 will "
                "need a role it has"
            )
        if found.public != public:
            report(
                f"warning: cluster {settings.identifier} is {'' if found.public else 'not '}publicly accessible; "
                "'up' does not change that on an existing cluster"
            )
        return
    password = check_password(settings)
    if settings.node_type.startswith(RETIRING):
        report(
            f"warning: {settings.node_type} nodes are being retired by AWS (no new dc2 clusters); "
            "prefer ra3.large (DWH_NODE_TYPE=ra3.large or --node-type ra3.large)"
        )
    extra: dict[str, Any] = {"NumberOfNodes": settings.num_nodes} if settings.cluster_type == "multi-node" else {}
    with aws_call(f"creating cluster {settings.identifier}", password):
        try:
            redshift.create_cluster(
                ClusterIdentifier=settings.identifier,
                ClusterType=settings.cluster_type,
                NodeType=settings.node_type,
                DBName=settings.db,
                MasterUsername=settings.db_user,
                MasterUserPassword=password,
                Port=settings.port,
                IamRoles=[role_arn],
                VpcSecurityGroupIds=[group],
                Encrypted=True,
                # Private unless asked: reach it from inside the VPC, or over the Data API from anywhere.
                PubliclyAccessible=public,
                **extra,
            )
            report(
                f"creating cluster {settings.identifier} ({settings.cluster_type}, "
                f"{settings.num_nodes if extra else 1} x {settings.node_type}, encrypted, "
                f"{'publicly accessible' if public else 'private'})"
            )
        except ClientError as exc:
            if error_code(exc) != "ClusterAlreadyExists":  # someone else won the race: fine
                raise


def cluster_up(
    settings: ClusterSettings,
    cidr: str | None,
    public: bool,
    buckets: list[str],
    timeout: float,
    poll: float,
    report: Report,
) -> UpResult:
    """Role, security group, cluster, wait, ingress: each step reuses what a previous run left, so re-running
    is the retry."""
    if cidr is not None:
        parse_cidr(cidr)  # refuse a bad --cidr before anything is created
    aws = session(settings)
    iam, redshift, ec2 = (client(aws, name) for name in ("iam", "redshift", "ec2"))
    if describe(redshift, settings.identifier) is None:
        check_password(settings)  # ... and a bad password before the role is made
    role_arn = ensure_role(iam, settings.role_name, buckets, report)
    group = ensure_group(ec2, settings.identifier, report)
    _ensure_cluster(redshift, settings, role_arn, group, public, report)
    wait_for(redshift, "cluster_available", settings.identifier, "available", timeout, poll, report)
    cluster = describe(redshift, settings.identifier)
    if cluster is None:
        raise ClusterError(f"cluster {settings.identifier} disappeared while starting")
    found = info(cluster)
    # A cluster made before clusters had their own group keeps the group(s) it has.
    target = group if group in found.security_groups or not found.security_groups else found.security_groups[0]
    if cidr is not None:
        open_port(ec2, target, found.port or settings.port, cidr, report)
    return UpResult(found, role_arn, target)


def cluster_status(settings: ClusterSettings) -> ClusterInfo:
    redshift = client(session(settings), "redshift")
    cluster = describe(redshift, settings.identifier)
    if cluster is None:
        raise ClusterError(f"cluster {settings.identifier} does not exist in {settings.region}")
    return info(cluster)


def cluster_down(settings: ClusterSettings, wait: bool, timeout: float, poll: float, report: Report) -> None:
    """Delete without a final snapshot (the warehouse is rebuilt from S3 by `run`), then its group and role."""
    aws = session(settings)
    iam, redshift, ec2 = client(aws, "iam"), client(aws, "redshift"), client(aws, "ec2")
    name = settings.identifier
    cluster = describe(redshift, name)
    gone = cluster is None
    if cluster is None:
        report(f"cluster {name} does not exist in {settings.region}; nothing to delete")
    else:
        if cluster.get("ClusterStatus") != "deleting":
            with aws_call(f"deleting cluster {name}"):
                redshift.delete_cluster(ClusterIdentifier=name, SkipFinalClusterSnapshot=True)
        report(f"deleting cluster {name}")
        if wait:
            wait_for(redshift, "cluster_deleted", name, "deleted", timeout, poll, report)
            report(f"deleted cluster {name}")
            gone = True
    if gone:
        delete_group(ec2, name, report)
    else:
        report("its security group stays until the cluster is gone: run 'etl-engine cluster down' again then")
    delete_role(iam, settings.role_name, report)
