"""`etl-engine cluster up|status|down`: the Redshift cluster the warehouse needs, from dwh.cfg.

Only typer is imported here; boto3 and the logic in engine.tools.cluster load when a
cluster command runs, so the other commands start as fast as before.  Results go
to stdout (scripts read them); progress and warnings go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from engine.errors import EngineError
    from engine.tools.cluster.aws import Report
    from engine.tools.cluster.provisioned import ClusterInfo
    from engine.tools.cluster.settings import ClusterSettings

cluster_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                          help="Create, inspect and delete the Redshift cluster (settings from dwh.cfg [DWH]).")

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", help="INI file with a [DWH] section.  [default: dwh.cfg here, if present]",
    show_default=False)]
RegionOpt = Annotated[str | None, typer.Option(
    "--region", help="AWS region (overrides DWH_REGION; else AWS_DEFAULT_REGION, else us-west-2).")]
IdentifierOpt = Annotated[str | None, typer.Option(
    "--identifier", help="Cluster id (overrides DWH_CLUSTER_IDENTIFIER).")]
RoleOpt = Annotated[str | None, typer.Option("--role-name", help="IAM role name (overrides DWH_IAM_ROLE_NAME).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait for the cluster before giving up.")]
# Tests poll moto many times a second; real clusters change state in minutes, so 15 s is plenty.
PollOpt = Annotated[float, typer.Option("--poll-interval", hidden=True, min=0.0)]


def _fail(exc: EngineError) -> NoReturn:
    from engine.output import show_error

    show_error(exc)
    raise typer.Exit(exc.exit_code)


def _reporter() -> Report:
    from rich.markup import escape

    from engine.output import console

    err = console(stderr=True)

    def report(message: str) -> None:
        err.print(f"[yellow]{escape(message)}[/]" if message.startswith("warning") else escape(message))

    return report


def _settings(config: Path | None, required: tuple[str, ...], **overrides: object) -> ClusterSettings:
    from engine.tools.cluster.settings import load_settings

    given = {key: None if value is None else str(value) for key, value in overrides.items()}
    return load_settings(config, given, required)


@cluster_app.command()
def up(
    cidr: Annotated[str, typer.Option(
        "--cidr", help="Who may connect on the cluster port, e.g. your address as 203.0.113.7/32 "
                       "(0.0.0.0/0 is everyone, and warned about).", show_default=False)],
    config: ConfigOpt = None,
    region: RegionOpt = None,
    identifier: IdentifierOpt = None,
    role_name: RoleOpt = None,
    cluster_type: Annotated[str | None, typer.Option(
        "--cluster-type", help="single-node or multi-node (overrides DWH_CLUSTER_TYPE).")] = None,
    nodes: Annotated[int | None, typer.Option("--nodes", help="Node count (overrides DWH_NUM_NODES).")] = None,
    node_type: Annotated[str | None, typer.Option("--node-type", help="e.g. dc2.large (overrides DWH_NODE_TYPE).")]
    = None,
    db: Annotated[str | None, typer.Option("--db", help="Database name (overrides DWH_DB).")] = None,
    db_user: Annotated[str | None, typer.Option("--db-user", help="Master user (overrides DWH_DB_USER).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Database port (overrides DWH_PORT).")] = None,
    write_config: Annotated[Path | None, typer.Option(
        "--write-config", help="Write [CLUSTER] and [IAM_ROLE] into this INI file (it may be dwh.cfg itself); "
                               "other sections are kept, the password is not written.")] = None,
    timeout: TimeoutOpt = 1800.0,
    poll_interval: PollOpt = 15.0,
) -> None:
    """Create (or reuse) the IAM role and the cluster, wait until it is available, open its port to --cidr.

    The master password is read from REDSHIFT_PASSWORD (or DWH_DB_PASSWORD in the file) and never shown.
    """
    from engine.errors import EngineError
    from engine.tools.cluster.connection_file import check_connection_config, write_connection_config
    from engine.tools.cluster.provisioned import cluster_up
    from engine.tools.cluster.settings import UP_KEYS, opens_to_everyone

    try:
        settings = _settings(config, UP_KEYS, DWH_CLUSTER_TYPE=cluster_type, DWH_NUM_NODES=nodes,
                             DWH_NODE_TYPE=node_type, DWH_IAM_ROLE_NAME=role_name,
                             DWH_CLUSTER_IDENTIFIER=identifier, DWH_DB=db, DWH_DB_USER=db_user, DWH_PORT=port,
                             DWH_REGION=region)
        if write_config is not None:
            check_connection_config(write_config)
        report = _reporter()
        if opens_to_everyone(cidr):
            report(f"warning: --cidr {cidr} lets every address on the internet try to log in on port "
                   f"{settings.port}; prefer your own address, e.g. 203.0.113.7/32")
        result = cluster_up(settings, cidr, timeout, poll_interval, report)
    except EngineError as exc:
        _fail(exc)
    # Print before writing the file: if the write fails, the user still has the endpoint.
    info = result.cluster
    typer.echo(f"cluster:   {info.identifier} ({info.status})")
    typer.echo(f"host:      {info.host or '(not assigned yet)'}")
    typer.echo(f"port:      {info.port or settings.port}")
    typer.echo(f"database:  {info.db} (user {info.db_user})")
    typer.echo(f"role ARN:  {result.role_arn}")
    if write_config is not None:
        try:
            write_connection_config(write_config, result)
        except EngineError as exc:
            _fail(exc)
        report(f"wrote [CLUSTER] and [IAM_ROLE] to {write_config}")


@cluster_app.command()
def status(config: ConfigOpt = None, region: RegionOpt = None, identifier: IdentifierOpt = None) -> None:
    """Show the cluster's state, endpoint, size and roles; exit 1 if it does not exist."""
    from engine.errors import EngineError
    from engine.tools.cluster.provisioned import cluster_status
    from engine.tools.cluster.settings import STATUS_KEYS

    try:
        settings = _settings(config, STATUS_KEYS, DWH_CLUSTER_IDENTIFIER=identifier, DWH_REGION=region)
        info = cluster_status(settings)
    except EngineError as exc:
        _fail(exc)
    _print_info(info, settings.region)


def _print_info(info: ClusterInfo, region: str) -> None:
    endpoint = f"{info.host}:{info.port}" if info.host else "(none yet)"
    typer.echo(f"identifier:  {info.identifier}")
    typer.echo(f"status:      {info.status}")
    typer.echo(f"region:      {region}")
    typer.echo(f"endpoint:    {endpoint}")
    typer.echo(f"nodes:       {info.nodes} x {info.node_type}")
    typer.echo(f"database:    {info.db} (user {info.db_user})")
    typer.echo(f"public:      {'yes' if info.public else 'no'}")
    for arn in info.role_arns or ("(none)",):
        typer.echo(f"role ARN:    {arn}")
    if info.security_groups:
        typer.echo(f"vpc groups:  {', '.join(info.security_groups)}")


@cluster_app.command()
def down(
    config: ConfigOpt = None,
    region: RegionOpt = None,
    identifier: IdentifierOpt = None,
    role_name: RoleOpt = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until the cluster is gone.")] = True,
    timeout: TimeoutOpt = 1800.0,
    poll_interval: PollOpt = 15.0,
) -> None:
    """Delete the cluster (no final snapshot) and its IAM role; succeeds if they are already gone."""
    from engine.errors import EngineError
    from engine.tools.cluster.provisioned import cluster_down
    from engine.tools.cluster.settings import DOWN_KEYS

    try:
        settings = _settings(config, DOWN_KEYS, DWH_CLUSTER_IDENTIFIER=identifier, DWH_IAM_ROLE_NAME=role_name,
                             DWH_REGION=region)
        cluster_down(settings, wait, timeout, poll_interval, _reporter())
    except EngineError as exc:
        _fail(exc)
    typer.echo(f"cluster {settings.identifier} and role {settings.role_name} are gone"
               if wait else f"cluster {settings.identifier} is being deleted; role {settings.role_name} is gone")
