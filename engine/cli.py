"""The command line: each command is a thin call into the Python API.

Exit codes: 0 ok; 1 the run or a check failed; 2 bad input (pipeline file,
command line).  Engine errors are shown as one screen of text, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from engine.cli_more import compact, docs, explain, graph, history, init
from engine.cli_options import (
    AllowOpt,
    ConfigOpt,
    ExcludeOpt,
    PipelineArg,
    ReadWaitOpt,
    SelectOpt,
    TargetOpt,
    VarOpt,
    VarsFileOpt,
    open_to_read_or_wait,
    pipeline_of,
)
from engine.errors import EngineError
from engine.tools.cli_cluster import cluster_app

if TYPE_CHECKING:
    pass


class _Commands(TyperGroup):
    """Every command runs through here: the one place an engine error becomes what the user sees
    (one screen, its exit code, no traceback unless --debug)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            raise typer.Exit(_show(exc)) from None


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_Commands,
    help="Declarative star-schema ELT: YAML in, checked warehouse tables out.",
)

#: --debug (or ETL_ENGINE_DEBUG=1): show the traceback behind an engine error
_DEBUG = {"on": False}


def _show_version(value: bool) -> None:
    if value:
        from engine import __version__

        typer.echo(f"etl-engine {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback behind an error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Declarative star-schema ELT: YAML in, checked warehouse tables out."""
    _DEBUG["on"] = debug


@app.command()
def validate(
    file: PipelineArg,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    config: ConfigOpt = None,
    allow_path: AllowOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """Check the pipeline file (schema, references, SQL, graph) without touching a database."""
    pipeline = pipeline_of(file, var, vars_file, config, allow_path)
    checked = pipeline.validate(target, select or (), exclude or ())
    total = len(pipeline.model.tables)
    tables = (
        f"{checked.selected} of {total} tables selected"
        if checked.selected is not None and checked.selected < total
        else f"{total} tables"
    )
    typer.echo(f"{file}: ok ({tables}, {checked.steps} steps, target {checked.target.name})")


@app.command()
def run(
    file: PipelineArg,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print every statement in order, secrets redacted; touch no database.")
    ] = False,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Rebuild every table from all files, instead of loading only new files "
            "and merging star tables by key.",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", help="Seconds to wait for another run of this pipeline to finish before giving up.", min=0
        ),
    ] = 0.0,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text, or json: one JSON object per event on stderr.")
    ] = "text",
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Where to write run_results.json (default: .etl-engine/ beside the pipeline)."),
    ] = None,
    config: ConfigOpt = None,
    allow_path: AllowOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Drop the tables this pipeline built and no longer "
            "declares (never a table the engine did not create).",
        ),
    ] = False,
) -> None:
    """Build the warehouse: create, load, transform, check, then publish in one transaction."""
    from engine.errors import TargetError

    pipeline = pipeline_of(file, var, vars_file, config, allow_path)
    try:
        planned = pipeline.plan(target, select=select or (), exclude=exclude or ())
    except TargetError as exc:  # planning reads inputs (an S3 JSONPaths file): a failed run, recorded
        if not dry_run:
            from engine.history import record_unplanned

            record_unplanned(pipeline.model, target, pipeline.settings, exc)
        raise
    if dry_run:
        from engine import output

        output.print_plan(planned)
        return
    from engine.run_cli import run_command

    run_command(planned, full_refresh, wait, log_format, results, prune=prune)


@app.command()
def query(
    file: PipelineArg,
    name: Annotated[str | None, typer.Argument(help="Query name; all if omitted.")] = None,
    sql: Annotated[
        str | None,
        typer.Option("--sql", help="An ad hoc SELECT instead of a named query (read-only: exactly one SELECT)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", "-n", min=0, help="At most N rows (default: all; a table on a terminal shows what fits)."
        ),
    ] = None,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    config: ConfigOpt = None,
    allow_path: AllowOpt = None,
    wait: ReadWaitOpt = 300.0,
) -> None:
    """Run the pipeline's analytic queries (or --sql) against the built warehouse and print the results."""
    from engine.query_cli import query_command

    planned = pipeline_of(file, var, vars_file, config, allow_path).plan(target)
    open_to_read_or_wait(planned, wait)
    query_command(planned, str(file), name, sql, format, limit)


@app.command()
def version() -> None:
    """Print the installed version."""
    from engine import __version__

    typer.echo(__version__)


for _command in (explain, init, history, compact, docs, graph):
    app.command()(_command)
app.add_typer(cluster_app, name="cluster")


def main() -> None:
    """Console-script entry point: a stored answer for validate / dry-run first (engine/fastpath.py)."""
    from engine import fastpath

    argv = sys.argv[1:]
    answered = fastpath.replay(argv)
    if answered is not None:
        sys.exit(answered)
    recorder = fastpath.Recorder.start(argv)
    code = 1
    try:
        # the top-level options (--debug, --version) take no value: the first other word names the command
        _lean(next((a for a in argv if not a.startswith("-")), ""))()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
        sys.exit(130)
    finally:
        if recorder is not None:
            recorder.finish(code)


def _lean(name: str) -> typer.Typer:
    """The app with only the command ``name`` when there is one of that name (else all of it): typer reads
    every registered command's signature to build its click group, about 20 ms a call for commands this
    call does not run. The one command's options, help and errors are the same either way."""
    import copy

    from typer.main import get_command_name

    picked = [c for c in app.registered_commands if (c.name or get_command_name(c.callback.__name__)) == name]  # type: ignore[union-attr]
    groups = [g for g in app.registered_groups if g.name == name]
    if not picked and not groups:
        return app
    lean = copy.copy(app)
    lean.registered_commands, lean.registered_groups = picked, groups
    return lean


def _show(exc: EngineError) -> int:
    import os

    from engine.output import show_error

    if _DEBUG["on"] or os.environ.get("ETL_ENGINE_DEBUG"):
        import traceback

        from engine.redact import redact

        sys.stderr.write(redact("".join(traceback.format_exception(exc))))
    show_error(exc)
    return exc.exit_code


if __name__ == "__main__":
    main()
