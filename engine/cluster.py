"""The Redshift cluster the warehouse runs on: create it, look at it, tear it down.

This is the course's "create cluster" notebook as idempotent steps, so that
`up` and `down` can be re-run after any failure without the user cleaning up by
hand first.  Settings come from the same dwh.cfg the notebook used, so existing
projects need no new file.  boto3 is imported inside the functions: the rest of
the engine (and `etl-engine validate`) must not pay for it or even need it.

The master password is read here and handed to AWS once; it is kept out of
every repr, message and file we write, and scrubbed from AWS error text.
"""

from __future__ import annotations

import configparser
import ipaddress
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import ConfigError, EngineError, Issue, Location, UsageError

DEFAULT_CONFIG = Path("dwh.cfg")
DEFAULT_REGION = "us-west-2"
PASSWORD_ENV = "REDSHIFT_PASSWORD"
S3_READ_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "redshift.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}
# The [DWH] keys and the flag that overrides each, so a "missing key" message can offer both fixes.
FLAGS = {
    "DWH_CLUSTER_TYPE": "--cluster-type",
    "DWH_NUM_NODES": "--nodes",
    "DWH_NODE_TYPE": "--node-type",
    "DWH_IAM_ROLE_NAME": "--role-name",
    "DWH_CLUSTER_IDENTIFIER": "--identifier",
    "DWH_DB": "--db",
    "DWH_DB_USER": "--db-user",
    "DWH_PORT": "--port",
    "DWH_REGION": "--region",
}
UP_KEYS = ("DWH_CLUSTER_TYPE", "DWH_NUM_NODES", "DWH_NODE_TYPE", "DWH_IAM_ROLE_NAME", "DWH_CLUSTER_IDENTIFIER",
           "DWH_DB", "DWH_DB_USER", "DWH_PORT")
STATUS_KEYS = ("DWH_CLUSTER_IDENTIFIER",)
DOWN_KEYS = ("DWH_CLUSTER_IDENTIFIER", "DWH_IAM_ROLE_NAME")

Report = Callable[[str], None]


class ClusterError(EngineError):
    """AWS refused or could not be reached; the message says which call and why, on one line."""

    exit_code = 1


@dataclass(frozen=True)
class ClusterSettings:
    """The [DWH] section after CLI overrides; fields a command does not need may be empty."""

    file: Path
    identifier: str
    region: str
    cluster_type: str = ""
    num_nodes: int = 0
    node_type: str = ""
    role_name: str = ""
    db: str = ""
    db_user: str = ""
    port: int = 0
    # Where the password came from matters for the error message, never its value.
    password: str | None = field(default=None, repr=False)
    password_source: str = ""
    aws_key: str | None = field(default=None, repr=False)
    aws_secret: str | None = field(default=None, repr=False)


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


# --- settings ---------------------------------------------------------------------------------------------------


def _parser() -> configparser.ConfigParser:
    # No interpolation: a '%' in a password or URL is data, not syntax.  Keys keep their case
    # so a rewritten dwh.cfg still reads HOST=, as the course's scripts expect.
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    return parser


def _lines(text: str) -> dict[tuple[str, str], int]:
    """Line numbers of sections (key "") and keys, which configparser does not keep."""
    found: dict[tuple[str, str], int] = {}
    section = ""
    for n, line in enumerate(text.splitlines(), 1):
        if m := re.match(r"\s*\[([^\]]+)\]", line):
            section = m.group(1).strip()
            found.setdefault((section.upper(), ""), n)
        elif (m := re.match(r"\s*([^#;\s=:][^=:]*?)\s*[=:]", line)) and section:
            found.setdefault((section.upper(), m.group(1).upper()), n)
    return found


def _read_ini(path: Path) -> tuple[configparser.ConfigParser, str]:
    parser = _parser()
    try:
        text = path.read_text(encoding="utf-8")
        parser.read_string(text, source=str(path))
    except OSError as exc:
        raise ConfigError([Issue(f"cannot read the file: {exc.strerror or exc}", Location(path))]) from None
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        errors = getattr(exc, "errors", None)  # ParsingError lists (line, text); its subclasses may not
        if line is None and errors:
            line = errors[0][0]
        first = str(exc).splitlines()[0]
        raise ConfigError([Issue(f"not a valid INI file: {first}", Location(path, line))]) from None
    return parser, text


def _get(parser: configparser.ConfigParser, section: str, key: str) -> str | None:
    """A key's value, matching section and key case-insensitively (dwh.cfg files in the wild vary)."""
    for name in parser.sections():
        if name.upper() == section:
            for option, value in parser.items(name):
                if option.upper() == key and value.strip():
                    return value.strip()
    return None


def load_settings(config: Path | None, overrides: Mapping[str, str | None],
                  required: tuple[str, ...]) -> ClusterSettings:
    """Read [DWH] (and [AWS]) from dwh.cfg, apply the command-line overrides, check what this command needs.

    ``config`` None means "dwh.cfg here, if there is one": a user who passes every
    setting as a flag needs no file, but a file they name must exist.
    """
    path = config or DEFAULT_CONFIG
    parser, text = _parser(), ""
    if config is not None or path.is_file():
        if not path.is_file():
            raise ConfigError([Issue("config file not found", Location(path),
                                     "pass --config with the path of your dwh.cfg")])
        parser, text = _read_ini(path)
    lines = _lines(text)
    values: dict[str, str] = {}
    for key in FLAGS:
        given = overrides.get(key)
        value = given.strip() if given is not None and given.strip() else _get(parser, "DWH", key)
        if value is not None:
            values[key] = value

    issues: list[Issue] = []
    for key in required:
        if key not in values:
            where = Location(path, lines.get(("DWH", "")), yaml_path=f"DWH.{key}")
            how = f"add {key}=... under [DWH]" if text else f"create {path} with a [DWH] section"
            issues.append(Issue("required setting is missing", where, f"{how}, or pass {FLAGS[key]}"))

    def number(key: str, low: int, high: int) -> int:
        if key not in values:
            return 0
        raw = values[key]
        if raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        from_flag = overrides.get(key) is not None
        where = Location(path, None if from_flag else lines.get(("DWH", key)), yaml_path=f"DWH.{key}")
        issues.append(Issue(f"'{raw}' is not a whole number from {low} to {high}"
                            + (f" (given with {FLAGS[key]})" if from_flag else ""), where))
        return 0

    nodes = number("DWH_NUM_NODES", 1, 128)
    port = number("DWH_PORT", 1150, 65535)
    cluster_type = values.get("DWH_CLUSTER_TYPE", "")
    if cluster_type and cluster_type not in ("single-node", "multi-node"):
        issues.append(Issue(f"cluster type '{cluster_type}' is neither single-node nor multi-node",
                            Location(path, lines.get(("DWH", "DWH_CLUSTER_TYPE")), yaml_path="DWH.DWH_CLUSTER_TYPE")))
    elif cluster_type == "multi-node" and 0 < nodes < 2:
        issues.append(Issue("a multi-node cluster needs at least 2 nodes",
                            Location(path, lines.get(("DWH", "DWH_NUM_NODES")), yaml_path="DWH.DWH_NUM_NODES"),
                            "set DWH_CLUSTER_TYPE=single-node for one node"))

    key_id, secret = _get(parser, "AWS", "KEY"), _get(parser, "AWS", "SECRET")
    if (key_id is None) != (secret is None):
        issues.append(Issue("[AWS] needs both KEY and SECRET, or neither (then boto3's usual credentials apply)",
                            Location(path, lines.get(("AWS", ""))), None))
    if issues:
        raise ConfigError(issues)

    password, source = os.environ.get(PASSWORD_ENV) or None, PASSWORD_ENV
    if password is None:
        password, source = _get(parser, "DWH", "DWH_DB_PASSWORD"), f"{path} [DWH] DWH_DB_PASSWORD"
    from engine.redact import remember

    remember(password)  # second net: any output that goes through engine.output masks them too
    remember(secret)
    region = values.get("DWH_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return ClusterSettings(
        file=path, identifier=values.get("DWH_CLUSTER_IDENTIFIER", ""), region=region,
        cluster_type=cluster_type, num_nodes=nodes, node_type=values.get("DWH_NODE_TYPE", ""),
        role_name=values.get("DWH_IAM_ROLE_NAME", ""), db=values.get("DWH_DB", ""),
        db_user=values.get("DWH_DB_USER", ""), port=port, password=password,
        password_source=source if password else "", aws_key=key_id, aws_secret=secret)


def _check_password(settings: ClusterSettings) -> str:
    """Refuse locally what Redshift would refuse, without ever echoing the value."""
    password = settings.password
    if not password:
        raise UsageError(f"creating the cluster needs a master password: set {PASSWORD_ENV} in the environment "
                         f"(or DWH_DB_PASSWORD under [DWH] in {settings.file})")
    ok = (8 <= len(password) <= 64 and any(c.isupper() for c in password) and any(c.islower() for c in password)
          and any(c.isdigit() for c in password) and not any(c in "'\"\\/@ " for c in password)
          and all(33 <= ord(c) <= 126 for c in password))
    if not ok:
        raise UsageError(f"the master password from {settings.password_source} is not one Redshift accepts: it "
                         "needs 8 to 64 printable ASCII characters with an upper-case letter, a lower-case letter "
                         "and a digit, and none of ' \" \\ / @ or space")
    return password


def parse_cidr(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(cidr.strip())
    except ValueError as exc:
        raise UsageError(f"--cidr {cidr!r} is not a network in CIDR form ({exc}); "
                         "for just your own address use e.g. 203.0.113.7/32") from None


def opens_to_everyone(cidr: str) -> bool:
    return parse_cidr(cidr).prefixlen == 0


# --- AWS plumbing -----------------------------------------------------------------------------------------------


@contextmanager
def _aws(action: str, secret: str | None = None) -> Iterator[None]:
    """Turn any botocore failure into one ClusterError line, with the password scrubbed out."""
    try:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
        )
    except ImportError:
        raise ClusterError("the cluster commands need boto3: pip install boto3") from None

    def clean(text: str) -> str:
        text = " ".join(text.split())
        return text.replace(secret, "********") if secret else text

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", "")
        raise ClusterError(clean(f"{action} failed: {code}: {message}".rstrip(": "))) from None
    except NoCredentialsError:
        raise ClusterError(f"{action} failed: no AWS credentials found; set AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or KEY and SECRET under [AWS] in dwh.cfg") from None
    except EndpointConnectionError as exc:
        raise ClusterError(clean(f"{action} failed: cannot reach AWS at {exc.kwargs.get('endpoint_url')}; "
                                 "check the network, the region and AWS_ENDPOINT_URL")) from None
    except BotoCoreError as exc:
        raise ClusterError(clean(f"{action} failed: {exc}")) from None


def _session(settings: ClusterSettings) -> Any:
    """A boto3 session; endpoints follow AWS_ENDPOINT_URL like any boto3 program.

    Callers make only the clients they use: loading a service model (EC2's above all)
    is most of a command's start-up time.
    """
    try:
        import boto3
    except ImportError:
        raise ClusterError("the cluster commands need boto3: pip install boto3") from None
    with _aws("setting up the AWS session"):
        return boto3.session.Session(aws_access_key_id=settings.aws_key,
                                     aws_secret_access_key=settings.aws_secret, region_name=settings.region)


def _client(session: Any, service: str) -> Any:
    with _aws(f"setting up the AWS {service} client"):
        return session.client(service)


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _describe(redshift: Any, identifier: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    with _aws(f"describing cluster {identifier}"):
        try:
            clusters = redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"]
        except ClientError as exc:
            if _error_code(exc) == "ClusterNotFound":
                return None
            raise
    return dict(clusters[0]) if clusters else None


def _info(cluster: Mapping[str, Any]) -> ClusterInfo:
    endpoint = cluster.get("Endpoint") or {}
    return ClusterInfo(
        identifier=cluster["ClusterIdentifier"], status=cluster.get("ClusterStatus", "unknown"),
        host=endpoint.get("Address"), port=endpoint.get("Port"), node_type=cluster.get("NodeType", ""),
        nodes=int(cluster.get("NumberOfNodes", 1)), db=cluster.get("DBName", ""),
        db_user=cluster.get("MasterUsername", ""),
        role_arns=tuple(r["IamRoleArn"] for r in cluster.get("IamRoles", [])),
        security_groups=tuple(g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])),
        vpc_id=cluster.get("VpcId"), public=bool(cluster.get("PubliclyAccessible")))


def wait_for(redshift: Any, waiter_name: str, identifier: str, goal: str, timeout: float, poll: float,
          report: Report) -> None:
    """boto3's waiter decides what counts as done or failed; we poll it one attempt at a time to show progress."""
    from botocore.exceptions import WaiterError

    waiter = redshift.get_waiter(waiter_name)
    start = time.monotonic()
    while True:
        with _aws(f"waiting for cluster {identifier}"):
            try:
                waiter.wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": poll, "MaxAttempts": 1})
                return
            except WaiterError as exc:
                status = _last_status(exc.last_response)
                if not str(exc.kwargs.get("reason", "")).startswith("Max attempts exceeded"):
                    error = (exc.last_response or {}).get("Error")
                    if error:  # an AWS error no acceptor expects (AccessDenied, throttling...)
                        raise ClusterError(f"waiting for cluster {identifier} failed: {error.get('Code')}: "
                                           f"{error.get('Message', '')}") from None
                    raise ClusterError(f"cluster {identifier} will not become {goal}: it is {status}") from None
        elapsed = time.monotonic() - start
        if elapsed + poll > timeout:
            raise ClusterError(f"gave up after {timeout:g} s waiting for cluster {identifier} to be {goal} "
                               f"(it is {status}); run the command again to keep waiting, or see "
                               "'etl-engine cluster status'")
        report(f"waiting for {identifier} to be {goal}: {status} ({elapsed:.0f} s)")
        time.sleep(poll)


def _last_status(response: Any) -> str:
    if isinstance(response, dict):
        if response.get("Clusters"):
            return str(response["Clusters"][0].get("ClusterStatus", "unknown"))
        if response.get("Error", {}).get("Code") == "ClusterNotFound":
            return "not there yet"
    return "unknown"


# --- the commands -----------------------------------------------------------------------------------------------


def _ensure_role(iam: Any, name: str, report: Report) -> str:
    from botocore.exceptions import ClientError

    with _aws(f"creating IAM role {name}"):
        try:
            role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                                   Description="Lets Redshift read S3 for COPY (etl-engine cluster up)")["Role"]
            report(f"created IAM role {name}")
        except ClientError as exc:
            if _error_code(exc) != "EntityAlreadyExists":
                raise
            role = iam.get_role(RoleName=name)["Role"]
            report(f"reusing IAM role {name}")
    with _aws(f"attaching {S3_READ_POLICY} to role {name}"):
        iam.attach_role_policy(RoleName=name, PolicyArn=S3_READ_POLICY)  # attaching twice is a no-op in IAM
    return str(role["Arn"])


def _ensure_cluster(redshift: Any, settings: ClusterSettings, role_arn: str, report: Report) -> None:
    from botocore.exceptions import ClientError

    existing = _describe(redshift, settings.identifier)
    if existing is not None:
        if existing.get("ClusterStatus") == "deleting":
            raise ClusterError(f"cluster {settings.identifier} is being deleted; wait for "
                               "'etl-engine cluster down' to finish, then run 'up' again")
        report(f"reusing cluster {settings.identifier} ({existing.get('ClusterStatus')})")
        if role_arn not in _info(existing).role_arns:
            report(f"warning: cluster {settings.identifier} does not have role {role_arn}; COPY from S3 will "
                   "need a role it has")
        return
    password = _check_password(settings)
    extra: dict[str, Any] = {"NumberOfNodes": settings.num_nodes} if settings.cluster_type == "multi-node" else {}
    with _aws(f"creating cluster {settings.identifier}", password):
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
            if _error_code(exc) != "ClusterAlreadyExists":  # someone else won the race: fine
                raise


def _security_group(ec2: Any, cluster: ClusterInfo) -> str:
    """The cluster's own VPC group, else its VPC's default group (what the course notebook opened)."""
    if cluster.security_groups:
        return cluster.security_groups[0]
    with _aws("finding the cluster's security group"):
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
    with _aws(f"opening port {port} in security group {group}"):
        try:
            ec2.authorize_security_group_ingress(
                GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}])
            report(f"opened TCP port {port} to {network} in security group {group}")
        except ClientError as exc:
            if _error_code(exc) != "InvalidPermission.Duplicate":
                raise
            report(f"TCP port {port} is already open to {network} in security group {group}")


def cluster_up(settings: ClusterSettings, cidr: str, timeout: float, poll: float, report: Report) -> UpResult:
    """Role, cluster, wait, ingress: each step reuses what a previous run left, so re-running is the retry."""
    parse_cidr(cidr)  # refuse a bad --cidr before anything is created
    session = _session(settings)
    iam, redshift, ec2 = (_client(session, name) for name in ("iam", "redshift", "ec2"))
    if _describe(redshift, settings.identifier) is None:
        _check_password(settings)  # ... and a bad password before the role is made
    role_arn = _ensure_role(iam, settings.role_name, report)
    _ensure_cluster(redshift, settings, role_arn, report)
    wait_for(redshift, "cluster_available", settings.identifier, "available", timeout, poll, report)
    cluster = _describe(redshift, settings.identifier)
    if cluster is None:
        raise ClusterError(f"cluster {settings.identifier} disappeared while starting")
    info = _info(cluster)
    group = _security_group(ec2, info)
    _open_port(ec2, group, info.port or settings.port, cidr, report)
    return UpResult(info, role_arn, group)


def cluster_status(settings: ClusterSettings) -> ClusterInfo:
    redshift = _client(_session(settings), "redshift")
    cluster = _describe(redshift, settings.identifier)
    if cluster is None:
        raise ClusterError(f"cluster {settings.identifier} does not exist in {settings.region}")
    return _info(cluster)


def cluster_down(settings: ClusterSettings, wait: bool, timeout: float, poll: float, report: Report) -> None:
    """Delete without a final snapshot (the warehouse is rebuilt from S3 by `run`), then the role."""
    from botocore.exceptions import ClientError

    session = _session(settings)
    iam, redshift = _client(session, "iam"), _client(session, "redshift")
    name = settings.identifier
    cluster = _describe(redshift, name)
    if cluster is None:
        report(f"cluster {name} does not exist in {settings.region}; nothing to delete")
    else:
        if cluster.get("ClusterStatus") != "deleting":
            with _aws(f"deleting cluster {name}"):
                redshift.delete_cluster(ClusterIdentifier=name, SkipFinalClusterSnapshot=True)
        report(f"deleting cluster {name}")
        if wait:
            wait_for(redshift, "cluster_deleted", name, "deleted", timeout, poll, report)
            report(f"deleted cluster {name}")
    role = settings.role_name
    with _aws(f"deleting IAM role {role}"):
        try:
            iam.detach_role_policy(RoleName=role, PolicyArn=S3_READ_POLICY)
        except ClientError as exc:
            if _error_code(exc) != "NoSuchEntity":  # role gone, or policy not attached
                raise
        try:
            iam.delete_role(RoleName=role)
            report(f"deleted IAM role {role}")
        except ClientError as exc:
            if _error_code(exc) != "NoSuchEntity":
                raise
            report(f"IAM role {role} does not exist; nothing to delete")


def check_connection_config(path: Path) -> None:
    """Fail on an unreadable --write-config file before a cluster is paid for, not after."""
    if path.exists():
        _read_ini(path)


def write_connection_config(path: Path, result: UpResult) -> None:
    """Record where the warehouse is as [CLUSTER] and [IAM_ROLE], keeping every other section and key.

    The password is deliberately not written: it stays where the user keeps it.
    Comments in the file are lost (configparser does not keep them).
    """
    parser = _read_ini(path)[0] if path.exists() else _parser()
    cluster = result.cluster
    updates = {
        "CLUSTER": {"HOST": cluster.host or "", "DB_NAME": cluster.db, "DB_USER": cluster.db_user,
                    "DB_PORT": str(cluster.port or "")},
        "IAM_ROLE": {"ARN": result.role_arn},
    }
    for section, keys in updates.items():
        name = next((s for s in parser.sections() if s.upper() == section), section)
        if not parser.has_section(name):
            parser.add_section(name)
        for key, value in keys.items():
            for old in [o for o in parser.options(name) if o.upper() == key and o != key]:
                parser.remove_option(name, old)  # host= and HOST= would clash for a reader that lowercases
            parser.set(name, key, value)
    # Write beside the file and rename, so a crash never leaves half a dwh.cfg (it may hold secrets).
    directory = path.resolve().parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory, text=True)
    except OSError as exc:
        raise ClusterError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            parser.write(out, space_around_delimiters=False)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ClusterError(f"cannot write {path}: {exc.strerror or exc}") from None
