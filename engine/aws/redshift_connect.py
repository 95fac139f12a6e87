"""How the Redshift target reaches its warehouse: which authentication, over the driver or the Data API.

Three ways to authenticate, picked by ``auth:`` or else by which options are set:

* ``password`` (``password:`` given): the classic host, user and password.
* ``iam``: temporary credentials from boto3's credential chain (profile, environment, instance
  role); redshift-connector asks Redshift for them (GetClusterCredentials for a cluster,
  redshift-serverless GetCredentials for a workgroup).  No password anywhere.
* ``secret`` (``secret_arn:`` given): user and password from a Secrets Manager secret; the
  Data API takes the ARN itself.

A ``workgroup:`` makes the target Redshift Serverless; ``cluster_identifier:`` names a
provisioned cluster where the host alone is not enough (IAM, Data API).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.errors import ConfigError, Issue, Location, TargetError

Option = Callable[..., str | None]


def auth_mode(option: Option) -> str:
    explicit = (option("auth") or "").strip().lower()
    if explicit:
        return explicit
    if option("secret_arn"):
        return "secret"
    return "password" if option("password") is not None else "iam"


def required(option: Option, method: str) -> tuple[str, ...]:
    """The options this way of connecting cannot do without."""
    auth = auth_mode(option)
    where: tuple[str, ...] = ("workgroup",) if option("workgroup") else ("cluster_identifier",)
    if method == "data_api":
        user = ("secret_arn",) if auth == "secret" else ("db_user",) if where == ("cluster_identifier",) else ()
        return (*where, "database", *user)
    if auth == "password":
        return ("host", "database", "user", "password")
    if auth == "secret":
        return ("database", "secret_arn", *(() if option("workgroup") else ("host",)))
    return (*where, "database", *(("db_user",) if where == ("cluster_identifier",) else ()))


def boto_session(option: Option) -> Any:
    import boto3

    return boto3.session.Session(
        profile_name=option("aws_profile") or None, region_name=option("aws_region") or option("region") or None
    )


def _secret(option: Option) -> dict[str, Any]:
    """username, password (and host, port, dbname where the secret has them) from Secrets Manager."""
    from engine.redact import remember

    arn = option("secret_arn") or ""
    try:
        text = boto_session(option).client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        value: dict[str, Any] = json.loads(text)
    except Exception as exc:
        raise TargetError(f"cannot read the Secrets Manager secret {arn}: {str(exc).splitlines()[0]}") from None
    remember(str(value.get("password") or ""))
    return value


def driver_kwargs(option: Option, port: int, timeout: int) -> dict[str, Any]:
    """Arguments for ``redshift_connector.connect``."""
    auth = auth_mode(option)
    if auth == "password":
        return {
            "host": option("host") or "",
            "port": port,
            "database": option("database") or "",
            "user": option("user") or "",
            "password": option("password") or "",
            "timeout": timeout,
        }
    if auth == "secret":
        secret = _secret(option)
        return {
            "host": option("host") or str(secret.get("host") or ""),
            "port": int(secret.get("port") or port),
            "database": option("database") or str(secret.get("dbname") or ""),
            "user": str(secret.get("username") or ""),
            "password": str(secret.get("password") or ""),
            "timeout": timeout,
        }
    if auth != "iam":
        raise ConfigError([Issue(f"auth must be password, iam or secret, got {auth!r}", Location(None))])
    kwargs: dict[str, Any] = {"iam": True, "database": option("database") or "", "port": port, "timeout": timeout}
    for key, name in (("host", "host"), ("aws_profile", "profile"), ("db_user", "db_user")):
        if option(key):
            kwargs[name] = option(key)
    if region := option("aws_region") or option("region"):
        kwargs["region"] = region
    if workgroup := option("workgroup"):
        kwargs.update(is_serverless=True, serverless_work_group=workgroup)
    else:
        kwargs["cluster_identifier"] = option("cluster_identifier") or ""
    return kwargs


def data_api_target(option: Option) -> dict[str, str]:
    """The parameters that say where a Data API statement runs and as whom."""
    target = {"Database": option("database") or ""}
    if workgroup := option("workgroup"):
        target["WorkgroupName"] = workgroup
    else:
        target["ClusterIdentifier"] = option("cluster_identifier") or ""
    if auth_mode(option) == "secret":
        target["SecretArn"] = option("secret_arn") or ""
    elif db_user := option("db_user"):
        target["DbUser"] = db_user
    return target


def data_api_connection(option: Option, client: Any | None = None) -> Any:
    from engine.aws.data_api import DataApiConnection

    def number(key: str, default: str) -> int:
        raw = option(key, default) or default
        if not raw.isdigit():
            raise ConfigError([Issue(f"{key} must be a whole number of seconds, got {raw!r}", Location(None))])
        return int(raw)

    if client is None:
        client = boto_session(option).client("redshift-data")
    return DataApiConnection(
        client,
        data_api_target(option),
        keep_alive=number("session_keep_alive", "600"),
        timeout=float(number("statement_timeout", "3600")),
    )
