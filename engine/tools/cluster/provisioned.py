"""A provisioned Redshift cluster: create it (with its role and network access), look at it, delete it.

This is the course's "create cluster" notebook as idempotent steps, so that `up` and `down` can
be re-run after any failure without the user cleaning up by hand first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.tools.cluster.aws import ClusterError, Report, aws_call, client, error_code, session, wait_for
from engine.tools.cluster.iam import S3_READ_POLICY, ensure_role
from engine.tools.cluster.settings import ClusterSettings, check_password, parse_cidr


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
        identifier=cluster["ClusterIdentifier"], status=cluster.get("ClusterStatus", "unknown"),
        host=endpoint.get("Address"), port=endpoint.get("Port"), node_type=cluster.get("NodeType", ""),
        nodes=int(cluster.get("NumberOfNodes", 1)), db=cluster.get("DBName", ""),
        db_user=cluster.get("MasterUsername", ""),
        role_arns=tuple(r["IamRoleArn"] for r in cluster.get("IamRoles", [])),
        security_groups=tuple(g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])),
        vpc_id=cluster.get("VpcId"), public=bool(cluster.get("PubliclyAccessible")))



def _ensure_cluster(redshift: Any, settings: ClusterSettings, role_arn: str, report: Report) -> None:
    from botocore.exceptions import ClientError

    existing = describe(redshift, settings.identifier)
    if existing is not None:
        if existing.get("ClusterStatus") == "deleting":
            raise ClusterError(f"cluster {settings.identifier} is being deleted; wait for "
                               "'etl-engine cluster down' to finish, then run 'up' again")
        report(f"reusing cluster {settings.identifier} ({existing.get('ClusterStatus')})")
        if role_arn not in info(existing).role_arns:
            report(f"warning: cluster {settings.identifier} does not have role {role_arn}; COPY from S3 will "
                   "need a role it has")
        return
    password = check_password(settings)
    extra: dict[str, Any] = {"NumberOfNodes": settings.num_nodes} if settings.cluster_type == "multi-node" else {}
    with aws_call(f"creating cluster {settings.identifier}", password):
        try:
            redshift.create_cluster(
                ClusterIdentifier=settings.identifier, ClusterType=settings.cluster_type,
                NodeType=settings.node_type, DBName=settings.db, MasterUsername=settings.db_user,
                MasterUserPassword=password, Port=settings.port, IamRoles=[role_arn],
                # The point of --cidr is connecting from outside the VPC, which needs a public endpoint.
                PubliclyAccessible=True, **extra)
            report(f"creating cluster {settings.identifier} ({settings.cluster_type}, "
                   f"{settings.num_nodes if extra else 1} x {settings.node_type})")
        except ClientError as exc:
            if error_code(exc) != "ClusterAlreadyExists":  # someone else won the race: fine
                raise


def _security_group(ec2: Any, cluster: ClusterInfo) -> str:
    """The cluster's own VPC group, else its VPC's default group (what the course notebook opened)."""
    if cluster.security_groups:
        return cluster.security_groups[0]
    with aws_call("finding the cluster's security group"):
        vpc = cluster.vpc_id
        if not vpc:
            vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
            vpc = vpcs[0]["VpcId"] if vpcs else None
        groups = [] if not vpc else ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}],
        )["SecurityGroups"]
    if not groups:
        raise ClusterError(f"cannot find a VPC security group for cluster {cluster.identifier}; open TCP port "
                           f"{cluster.port} to your address in the AWS console")
    return str(groups[0]["GroupId"])


def _open_port(ec2: Any, group: str, port: int, cidr: str, report: Report) -> None:
    from botocore.exceptions import ClientError

    network = parse_cidr(cidr)
    ranges: dict[str, Any] = (
        {"IpRanges": [{"CidrIp": str(network), "Description": "etl-engine cluster up"}]} if network.version == 4
        else {"Ipv6Ranges": [{"CidrIpv6": str(network), "Description": "etl-engine cluster up"}]})
    with aws_call(f"opening port {port} in security group {group}"):
        try:
            ec2.authorize_security_group_ingress(
                GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}])
            report(f"opened TCP port {port} to {network} in security group {group}")
        except ClientError as exc:
            if error_code(exc) != "InvalidPermission.Duplicate":
                raise
            report(f"TCP port {port} is already open to {network} in security group {group}")


def cluster_up(settings: ClusterSettings, cidr: str, timeout: float, poll: float, report: Report) -> UpResult:
    """Role, cluster, wait, ingress: each step reuses what a previous run left, so re-running is the retry."""
    parse_cidr(cidr)  # refuse a bad --cidr before anything is created
    aws = session(settings)
    iam, redshift, ec2 = (client(aws, name) for name in ("iam", "redshift", "ec2"))
    if describe(redshift, settings.identifier) is None:
        check_password(settings)  # ... and a bad password before the role is made
    role_arn = ensure_role(iam, settings.role_name, report)
    _ensure_cluster(redshift, settings, role_arn, report)
    wait_for(redshift, "cluster_available", settings.identifier, "available", timeout, poll, report)
    cluster = describe(redshift, settings.identifier)
    if cluster is None:
        raise ClusterError(f"cluster {settings.identifier} disappeared while starting")
    found = info(cluster)
    group = _security_group(ec2, found)
    _open_port(ec2, group, found.port or settings.port, cidr, report)
    return UpResult(found, role_arn, group)


def cluster_status(settings: ClusterSettings) -> ClusterInfo:
    redshift = client(session(settings), "redshift")
    cluster = describe(redshift, settings.identifier)
    if cluster is None:
        raise ClusterError(f"cluster {settings.identifier} does not exist in {settings.region}")
    return info(cluster)


def cluster_down(settings: ClusterSettings, wait: bool, timeout: float, poll: float, report: Report) -> None:
    """Delete without a final snapshot (the warehouse is rebuilt from S3 by `run`), then the role."""
    from botocore.exceptions import ClientError

    aws = session(settings)
    iam, redshift = client(aws, "iam"), client(aws, "redshift")
    name = settings.identifier
    cluster = describe(redshift, name)
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
    role = settings.role_name
    with aws_call(f"deleting IAM role {role}"):
        try:
            iam.detach_role_policy(RoleName=role, PolicyArn=S3_READ_POLICY)
        except ClientError as exc:
            if error_code(exc) != "NoSuchEntity":  # role gone, or policy not attached
                raise
        try:
            iam.delete_role(RoleName=role)
            report(f"deleted IAM role {role}")
        except ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                raise
            report(f"IAM role {role} does not exist; nothing to delete")

