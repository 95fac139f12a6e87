"""`etl-engine cluster up|status|down`: the Redshift cluster the warehouse needs, from dwh.cfg.

Only typer is imported here; boto3 and the logic in engine.tools.cluster load when a
cluster command runs, so the other commands start as fast as before.  Results go
to stdout (scripts read them); progress and warnings go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.tools.cluster.aws import Report
    from engine.tools.cluster.provisioned import ClusterInfo
    from engine.tools.cluster.serverless import ServerlessInfo
    from engine.tools.cluster.settings import ClusterSettings

cluster_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Create, inspect and delete the Redshift cluster (settings from dwh.cfg [DWH]).",
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="INI file with a [DWH] section.  [default: dwh.cfg here, if present]", show_default=False
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="AWS region (overrides DWH_REGION; else AWS_DEFAULT_REGION, else us-west-2)."),
]
IdentifierOpt = Annotated[
    str | None, typer.Option("--identifier", help="Cluster id (overrides DWH_CLUSTER_IDENTIFIER).")
]
RoleOpt = Annotated[str | None, typer.Option("--role-name", help="IAM role name (overrides DWH_IAM_ROLE_NAME).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait for the cluster before giving up.")]
ServerlessOpt = Annotated[
    bool,
    typer.Option(
        "--serverless",
        help="Redshift Serverless: a namespace and a workgroup (DWH_NAMESPACE, DWH_WORKGROUP) "
        "instead of a provisioned cluster.",
    ),
]
NamespaceOpt = Annotated[
    str | None, typer.Option("--namespace", help="Serverless namespace (overrides DWH_NAMESPACE).")
]
WorkgroupOpt = Annotated[
    str | None, typer.Option("--workgroup", help="Serverless workgroup (overrides DWH_WORKGROUP).")
]
# Tests poll moto many times a second; real clusters change state in minutes, so 15 s is plenty.
PollOpt = Annotated[float, typer.Option("--poll-interval", hidden=True, min=0.0)]


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


def _buckets(pipeline: Path | None, variables: list[str], report: Report) -> list[str]:
    """The S3 buckets the role may read: those the pipeline's sources name (with --var applied)."""
    from engine.tools.cluster.iam import source_buckets

    path = pipeline or (Path("pipeline.yaml") if Path("pipeline.yaml").is_file() else None)
    if path is None:
        return []
    buckets = source_buckets(path, variables)
    if buckets:
        report(f"{path} reads S3 bucket(s): {', '.join(buckets)}")
    return buckets


@cluster_app.command()
def up(
    cidr: Annotated[
        str | None,
        typer.Option(
            "--cidr",
            help="Who may connect on the cluster port, e.g. your address as 203.0.113.7/32 "
            "(0.0.0.0/0 is everyone, and warned about). Needed with --public.",
            show_default=False,
        ),
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Give the cluster a public endpoint (default: private, reachable from its VPC or "
            "through the Data API).",
        ),
    ] = False,
    serverless: ServerlessOpt = False,
    pipeline: Annotated[
        Path | None,
        typer.Option(
            "--pipeline",
            help="The pipeline whose S3 buckets the role may read.  [default: pipeline.yaml here]",
            show_default=False,
        ),
    ] = None,
    var: Annotated[
        list[str] | None,
        typer.Option("--var", help="NAME=VALUE for the pipeline, e.g. data_root=s3://my-bucket/data (repeatable)."),
    ] = None,
    config: ConfigOpt = None,
    region: RegionOpt = None,
    identifier: IdentifierOpt = None,
    role_name: RoleOpt = None,
    namespace: NamespaceOpt = None,
    workgroup: WorkgroupOpt = None,
    base_capacity: Annotated[
        int | None,
        typer.Option("--base-capacity", help="Serverless RPUs (8 to 1024; overrides DWH_BASE_CAPACITY, default 8)."),
    ] = None,
    cluster_type: Annotated[
        str | None,
        typer.Option("--cluster-type", help="single-node (default) or multi-node (overrides DWH_CLUSTER_TYPE)."),
    ] = None,
    nodes: Annotated[int | None, typer.Option("--nodes", help="Node count (overrides DWH_NUM_NODES).")] = None,
    node_type: Annotated[
        str | None, typer.Option("--node-type", help="e.g. ra3.large, the default (overrides DWH_NODE_TYPE).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database name (overrides DWH_DB).")] = None,
    db_user: Annotated[str | None, typer.Option("--db-user", help="Master user (overrides DWH_DB_USER).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Database port (overrides DWH_PORT).")] = None,
    write_config: Annotated[
        Path | None,
        typer.Option(
            "--write-config",
            help="Write [CLUSTER] and [IAM_ROLE] (and [ENV] REDSHIFT_WORKGROUP) into this INI file "
            "(it may be dwh.cfg itself); other sections are kept, no password is written.",
        ),
    ] = None,
    timeout: TimeoutOpt = 1800.0,
    poll_interval: PollOpt = 15.0,
) -> None:
    """Create (or reuse) the IAM role, a security group and the cluster (or, with --serverless, a namespace and
    workgroup); wait until it is available; with --cidr, open its port to that network.

    Private and encrypted unless --public; the role reads only the pipeline's S3 buckets.  The master password
    of a provisioned cluster is read from REDSHIFT_PASSWORD (or DWH_DB_PASSWORD in the file), never shown.
    """
    from engine.errors import UsageError
    from engine.tools.cluster import connection_file
    from engine.tools.cluster.settings import SERVERLESS_UP_KEYS, UP_KEYS, opens_to_everyone

    if public and cidr is None:
        raise UsageError("--public needs --cidr: the network that may connect (e.g. your address/32)")
    if serverless and (public or cidr):
        raise UsageError(
            "--serverless makes a private workgroup; reach it with the Data API "
            "(type: redshift_data_api), which needs no open port"
        )
    settings = _settings(
        config,
        SERVERLESS_UP_KEYS if serverless else UP_KEYS,
        DWH_CLUSTER_TYPE=cluster_type,
        DWH_NUM_NODES=nodes,
        DWH_NODE_TYPE=node_type,
        DWH_IAM_ROLE_NAME=role_name,
        DWH_CLUSTER_IDENTIFIER=identifier,
        DWH_DB=db,
        DWH_DB_USER=db_user,
        DWH_PORT=port,
        DWH_REGION=region,
        DWH_NAMESPACE=namespace,
        DWH_WORKGROUP=workgroup,
        DWH_BASE_CAPACITY=base_capacity,
    )
    if write_config is not None:
        connection_file.check_connection_config(write_config)
    report = _reporter()
    if cidr is not None and opens_to_everyone(cidr):
        report(
            f"warning: --cidr {cidr} lets every address on the internet try to log in on port "
            f"{settings.port}; prefer your own address, e.g. 203.0.113.7/32"
        )
    buckets = _buckets(pipeline, var or [], report)
    if serverless:
        from engine.tools.cluster.serverless import serverless_up

        found = serverless_up(settings, buckets, timeout, poll_interval, report)
        _print_serverless(found, settings.region)
        sections = connection_file.serverless_sections(found)
    else:
        from engine.tools.cluster.provisioned import cluster_up

        result = cluster_up(settings, cidr, public, buckets, timeout, poll_interval, report)
        # Print before writing the file: if the write fails, the user still has the endpoint.
        info = result.cluster
        typer.echo(f"cluster:   {info.identifier} ({info.status})")
        typer.echo(f"host:      {info.host or '(not assigned yet)'}")
        typer.echo(f"port:      {info.port or settings.port}")
        typer.echo(f"database:  {info.db} (user {info.db_user})")
        typer.echo(f"public:    {'yes' if info.public else 'no (reach it from its VPC, or with the Data API)'}")
        typer.echo(f"group:     {result.security_group}")
        typer.echo(f"role ARN:  {result.role_arn}")
        sections = connection_file.cluster_sections(result)
    if write_config is not None:
        connection_file.write_connection_config(write_config, sections)
        report(f"wrote {', '.join(f'[{s}]' for s in sections)} to {write_config}")


def _print_serverless(found: ServerlessInfo, region: str) -> None:
    endpoint = f"{found.host}:{found.port}" if found.host else "(none yet)"
    typer.echo(f"namespace:   {found.namespace}")
    typer.echo(f"workgroup:   {found.workgroup} ({found.status})")
    typer.echo(f"region:      {region}")
    typer.echo(f"endpoint:    {endpoint}")
    typer.echo(f"capacity:    {found.base_capacity} RPUs (billed per second while queries run)")
    typer.echo(f"database:    {found.db}")
    typer.echo(f"public:      {'yes' if found.public else 'no (use the Data API: type redshift_data_api)'}")
    typer.echo(f"role ARN:    {found.role_arn}")
    if found.admin_secret:
        typer.echo(f"admin secret: {found.admin_secret}")


@cluster_app.command()
def status(
    config: ConfigOpt = None,
    region: RegionOpt = None,
    identifier: IdentifierOpt = None,
    serverless: ServerlessOpt = False,
    namespace: NamespaceOpt = None,
    workgroup: WorkgroupOpt = None,
) -> None:
    """Show the cluster's (or the serverless workgroup's) state, endpoint, size and roles; exit 1 if it does not
    exist."""
    from engine.tools.cluster.settings import SERVERLESS_KEYS, STATUS_KEYS

    settings = _settings(
        config,
        SERVERLESS_KEYS if serverless else STATUS_KEYS,
        DWH_CLUSTER_IDENTIFIER=identifier,
        DWH_REGION=region,
        DWH_NAMESPACE=namespace,
        DWH_WORKGROUP=workgroup,
    )
    if serverless:
        from engine.tools.cluster.serverless import serverless_status

        _print_serverless(serverless_status(settings), settings.region)
        return
    from engine.tools.cluster.provisioned import cluster_status

    info = cluster_status(settings)
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
    serverless: ServerlessOpt = False,
    namespace: NamespaceOpt = None,
    workgroup: WorkgroupOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until the cluster is gone.")] = True,
    timeout: TimeoutOpt = 1800.0,
    poll_interval: PollOpt = 15.0,
) -> None:
    """Delete the cluster (no final snapshot), its security group and its IAM role (with --serverless: the
    workgroup, the namespace and the role); succeeds if they are already gone.  Asks first unless --yes."""
    from engine.tools.cluster.settings import DOWN_KEYS, SERVERLESS_DOWN_KEYS

    settings = _settings(
        config,
        SERVERLESS_DOWN_KEYS if serverless else DOWN_KEYS,
        DWH_CLUSTER_IDENTIFIER=identifier,
        DWH_IAM_ROLE_NAME=role_name,
        DWH_REGION=region,
        DWH_NAMESPACE=namespace,
        DWH_WORKGROUP=workgroup,
    )
    what = (
        f"workgroup {settings.workgroup}, namespace {settings.namespace} (and its data)"
        if serverless
        else f"cluster {settings.identifier} (and its data; no final snapshot)"
    )
    if not yes and not typer.confirm(f"Delete {what} and role {settings.role_name} in {settings.region}?", err=True):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)
    if serverless:
        from engine.tools.cluster.serverless import serverless_down

        serverless_down(settings, timeout, poll_interval, _reporter())
        typer.echo(
            f"workgroup {settings.workgroup}, namespace {settings.namespace} and role {settings.role_name} are gone"
        )
        return
    from engine.tools.cluster.provisioned import cluster_down

    cluster_down(settings, wait, timeout, poll_interval, _reporter())
    typer.echo(
        f"cluster {settings.identifier} and role {settings.role_name} are gone"
        if wait
        else f"cluster {settings.identifier} is being deleted; role {settings.role_name} is gone"
    )
