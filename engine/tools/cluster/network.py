"""The cluster's own VPC security group: made by `up`, opened only to the CIDR asked for, removed by `down`.

The course notebook opened the VPC's *default* group, which every other resource in the VPC
shares; a group of the cluster's own keeps its rule from leaking to them and goes away with it.
"""

from __future__ import annotations

from typing import Any

from engine.tools.cluster.aws import ClusterError, Report, aws_call, error_code
from engine.tools.cluster.settings import parse_cidr


def group_name(identifier: str) -> str:
    return f"etl-engine-{identifier}"


def _default_vpc(ec2: Any) -> str:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    if not vpcs:
        raise ClusterError(
            "the region has no default VPC to put the cluster in; create one "
            "(aws ec2 create-default-vpc) or use the AWS console"
        )
    return str(vpcs[0]["VpcId"])


def find_group(ec2: Any, name: str) -> str | None:
    with aws_call(f"looking for security group {name}"):
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    return str(groups[0]["GroupId"]) if groups else None


def ensure_group(ec2: Any, identifier: str, report: Report) -> str:
    name = group_name(identifier)
    found = find_group(ec2, name)
    if found:
        report(f"reusing security group {name} ({found})")
        return found
    with aws_call(f"creating security group {name}"):
        created = ec2.create_security_group(
            GroupName=name, VpcId=_default_vpc(ec2), Description=f"etl-engine: Redshift cluster {identifier}"
        )
    report(f"created security group {name} ({created['GroupId']}); it allows no inbound traffic until --cidr")
    return str(created["GroupId"])


def delete_group(ec2: Any, identifier: str, report: Report) -> None:
    name = group_name(identifier)
    found = find_group(ec2, name)
    if found is None:
        report(f"security group {name} does not exist; nothing to delete")
        return
    from botocore.exceptions import ClientError

    with aws_call(f"deleting security group {name}"):
        try:
            ec2.delete_security_group(GroupId=found)
        except ClientError as exc:
            if error_code(exc) != "DependencyViolation":
                raise
            report(
                f"security group {name} is still in use (the cluster is not gone yet); run "
                "'etl-engine cluster down' again once it is"
            )
            return
    report(f"deleted security group {name}")


def open_port(ec2: Any, group: str, port: int, cidr: str, report: Report) -> None:
    from botocore.exceptions import ClientError

    network = parse_cidr(cidr)
    ranges: dict[str, Any] = (
        {"IpRanges": [{"CidrIp": str(network), "Description": "etl-engine cluster up"}]}
        if network.version == 4
        else {"Ipv6Ranges": [{"CidrIpv6": str(network), "Description": "etl-engine cluster up"}]}
    )
    with aws_call(f"opening port {port} in security group {group}"):
        try:
            ec2.authorize_security_group_ingress(
                GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}]
            )
            report(f"opened TCP port {port} to {network} in security group {group}")
        except ClientError as exc:
            if error_code(exc) != "InvalidPermission.Duplicate":
                raise
            report(f"TCP port {port} is already open to {network} in security group {group}")
