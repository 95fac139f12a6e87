"""The cluster commands' settings: dwh.cfg's [DWH] and [AWS] sections, overridden by flags.

The file is read by engine.dwhcfg (the one reader of dwh.cfg).  The master password is read
here and handed to AWS once; it is kept out of every repr and message.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.dwhcfg import DwhCfg
from engine.errors import ConfigError, Issue, Location, UsageError

DEFAULT_CONFIG = Path("dwh.cfg")
DEFAULT_REGION = "us-west-2"
PASSWORD_ENV = "REDSHIFT_PASSWORD"
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
    "DWH_NAMESPACE": "--namespace",
    "DWH_WORKGROUP": "--workgroup",
    "DWH_BASE_CAPACITY": "--base-capacity",
}
#: what `up` uses when neither dwh.cfg nor a flag says: one node of the smallest current type
DEFAULTS = {
    "DWH_CLUSTER_TYPE": "single-node",
    "DWH_NUM_NODES": "1",
    "DWH_NODE_TYPE": "ra3.large",
    "DWH_PORT": "5439",
    "DWH_BASE_CAPACITY": "8",
}
#: node families AWS is retiring (dc2 end of life); `up` warns and names the replacement
RETIRING = ("dc2.", "ds2.", "dc1.")
UP_KEYS = (
    "DWH_CLUSTER_TYPE",
    "DWH_NUM_NODES",
    "DWH_NODE_TYPE",
    "DWH_IAM_ROLE_NAME",
    "DWH_CLUSTER_IDENTIFIER",
    "DWH_DB",
    "DWH_DB_USER",
    "DWH_PORT",
)
STATUS_KEYS = ("DWH_CLUSTER_IDENTIFIER",)
DOWN_KEYS = ("DWH_CLUSTER_IDENTIFIER", "DWH_IAM_ROLE_NAME")
SERVERLESS_UP_KEYS = ("DWH_NAMESPACE", "DWH_WORKGROUP", "DWH_IAM_ROLE_NAME", "DWH_DB", "DWH_BASE_CAPACITY")
SERVERLESS_KEYS = ("DWH_NAMESPACE", "DWH_WORKGROUP")
SERVERLESS_DOWN_KEYS = ("DWH_NAMESPACE", "DWH_WORKGROUP", "DWH_IAM_ROLE_NAME")


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
    namespace: str = ""
    workgroup: str = ""
    base_capacity: int = 0


def load_settings(
    config: Path | None, overrides: Mapping[str, str | None], required: tuple[str, ...]
) -> ClusterSettings:
    """Read [DWH] (and [AWS]) from dwh.cfg, apply the command-line overrides, check what this command needs.

    ``config`` None means "dwh.cfg here, if there is one": a user who passes every
    setting as a flag needs no file, but a file they name must exist.
    """
    path = config or DEFAULT_CONFIG
    cfg = DwhCfg.read(path) if config is not None or path.is_file() else DwhCfg(path)
    text = cfg.text
    values: dict[str, str] = {}
    for key in FLAGS:
        given = overrides.get(key)
        value = given.strip() if given is not None and given.strip() else cfg.get("DWH", key)
        if value is None and key in DEFAULTS and key in required:
            value = DEFAULTS[key]
        if value is not None:
            values[key] = value

    issues: list[Issue] = []
    for key in required:
        if key not in values:
            where = Location(path, cfg.line("DWH"), yaml_path=f"DWH.{key}")
            how = f"add {key}=... under [DWH]" if text else f"create {path} with a [DWH] section"
            issues.append(Issue("required setting is missing", where, f"{how}, or pass {FLAGS[key]}"))

    def number(key: str, low: int, high: int) -> int:
        if key not in values:
            return 0
        raw = values[key]
        if raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        from_flag = overrides.get(key) is not None
        where = Location(path, None if from_flag else cfg.line("DWH", key), yaml_path=f"DWH.{key}")
        issues.append(
            Issue(
                f"'{raw}' is not a whole number from {low} to {high}"
                + (f" (given with {FLAGS[key]})" if from_flag else ""),
                where,
            )
        )
        return 0

    nodes = number("DWH_NUM_NODES", 1, 128)
    port = number("DWH_PORT", 1150, 65535)
    capacity = number("DWH_BASE_CAPACITY", 8, 1024)
    cluster_type = values.get("DWH_CLUSTER_TYPE", "")
    if cluster_type and cluster_type not in ("single-node", "multi-node"):
        issues.append(
            Issue(
                f"cluster type '{cluster_type}' is neither single-node nor multi-node",
                Location(path, cfg.line("DWH", "DWH_CLUSTER_TYPE"), yaml_path="DWH.DWH_CLUSTER_TYPE"),
            )
        )
    elif cluster_type == "multi-node" and 0 < nodes < 2:
        issues.append(
            Issue(
                "a multi-node cluster needs at least 2 nodes",
                Location(path, cfg.line("DWH", "DWH_NUM_NODES"), yaml_path="DWH.DWH_NUM_NODES"),
                "set DWH_CLUSTER_TYPE=single-node for one node",
            )
        )

    key_id, secret = cfg.get("AWS", "KEY"), cfg.get("AWS", "SECRET")
    if (key_id is None) != (secret is None):
        issues.append(
            Issue(
                "[AWS] needs both KEY and SECRET, or neither (then boto3's usual credentials apply)",
                Location(path, cfg.line("AWS")),
                None,
            )
        )
    if issues:
        raise ConfigError(issues)

    password, source = os.environ.get(PASSWORD_ENV) or None, PASSWORD_ENV
    if password is None:
        password, source = cfg.get("DWH", "DWH_DB_PASSWORD"), f"{path} [DWH] DWH_DB_PASSWORD"
    from engine.redact import remember

    remember(password)  # second net: any output that goes through engine.output masks them too
    remember(secret)
    region = values.get("DWH_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return ClusterSettings(
        file=path,
        identifier=values.get("DWH_CLUSTER_IDENTIFIER", ""),
        region=region,
        cluster_type=cluster_type,
        num_nodes=nodes,
        node_type=values.get("DWH_NODE_TYPE", ""),
        role_name=values.get("DWH_IAM_ROLE_NAME", ""),
        db=values.get("DWH_DB", ""),
        db_user=values.get("DWH_DB_USER", ""),
        port=port,
        password=password,
        password_source=source if password else "",
        aws_key=key_id,
        aws_secret=secret,
        namespace=values.get("DWH_NAMESPACE", ""),
        workgroup=values.get("DWH_WORKGROUP", ""),
        base_capacity=capacity,
    )


def check_password(settings: ClusterSettings) -> str:
    """Refuse locally what Redshift would refuse, without ever echoing the value."""
    password = settings.password
    if not password:
        raise UsageError(
            f"creating the cluster needs a master password: set {PASSWORD_ENV} in the environment "
            f"(or DWH_DB_PASSWORD under [DWH] in {settings.file})"
        )
    ok = (
        8 <= len(password) <= 64
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
        and not any(c in "'\"\\/@ " for c in password)
        and all(33 <= ord(c) <= 126 for c in password)
    )
    if not ok:
        raise UsageError(
            f"the master password from {settings.password_source} is not one Redshift accepts: it "
            "needs 8 to 64 printable ASCII characters with an upper-case letter, a lower-case letter "
            "and a digit, and none of ' \" \\ / @ or space"
        )
    return password


def parse_cidr(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(cidr.strip())
    except ValueError as exc:
        raise UsageError(
            f"--cidr {cidr!r} is not a network in CIDR form ({exc}); for just your own address use e.g. 203.0.113.7/32"
        ) from None


def opens_to_everyone(cidr: str) -> bool:
    return parse_cidr(cidr).prefixlen == 0
