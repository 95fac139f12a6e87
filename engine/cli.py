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

from engine.errors import EngineError
from engine.tools.cli_cluster import cluster_app

if TYPE_CHECKING:
    from engine.api import Pipeline
    from engine.context import PlannedRun

class _Commands(TyperGroup):
    """Every command runs through here: the one place an engine error becomes what the user sees
    (one screen, its exit code, no traceback unless --debug)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            raise typer.Exit(_show(exc)) from None


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=_Commands,
                  help="Declarative star-schema ELT: YAML in, checked warehouse tables out.")

PipelineArg = Annotated[Path, typer.Argument(help="The pipeline file.", show_default=False)]
VarOpt = Annotated[list[str] | None, typer.Option("--var", help="Override a var: NAME=VALUE (repeatable).")]
VarsFileOpt = Annotated[list[Path] | None, typer.Option("--vars-file", help="A YAML file of vars (repeatable).")]
TargetOpt = Annotated[str | None, typer.Option("--target", "-t", help="Target name (default: default_target).")]
SelectOpt = Annotated[list[str] | None, typer.Option(
    "--select", "-s", help="Only these tables: NAME, +NAME (and upstream), NAME+ (and downstream), tag:TAG, "
    "source:SOURCE (repeatable; dbt's syntax).", show_default=False)]
ExcludeOpt = Annotated[list[str] | None, typer.Option(
    "--exclude", help="Leave these tables out (same syntax as --select).", show_default=False)]
AllowOpt = Annotated[list[Path] | None, typer.Option(
    "--allow-path", help="A folder outside the pipeline's and the working directory that sources may read "
    "(repeatable).", show_default=False)]
ReadWaitOpt = Annotated[float, typer.Option("--wait", help="Seconds to wait for a run that holds a DuckDB "
                                           "warehouse file.", min=0)]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Settings file (INI, e.g. the original project's dwh.cfg) for ${VAR} references "
    "the environment does not set.", show_default=False)]


#: --debug (or ETL_ENGINE_DEBUG=1): show the traceback behind an engine error
_DEBUG = {"on": False}


def _show_version(value: bool) -> None:
    if value:
        from engine import __version__

        typer.echo(f"etl-engine {__version__}")
        raise typer.Exit()


@app.callback()
def _options(debug: Annotated[bool, typer.Option("--debug", help="Show the traceback behind an error.")] = False,
             version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                                   help="Print the version and exit.")] = False) -> None:
    """Declarative star-schema ELT: YAML in, checked warehouse tables out."""
    _DEBUG["on"] = debug


def _open_to_read(planned: PlannedRun, wait: float) -> None:
    """A reader waits (saying so) for a run that holds a DuckDB file, instead of failing at once."""
    from engine.output import console, safe
    from engine.readers import open_to_read

    if planned.adapter.missing() is None:  # a warehouse never built is reported by the reader, not created
        planned.adapter.preflight()
        open_to_read(planned.adapter, wait, lambda text: console(stderr=True).print(safe(text)))


def _pipeline(file: Path, var: list[str] | None, vars_file: list[Path] | None, config: Path | None,
              allow: list[Path] | None = None) -> Pipeline:
    from engine.api import Pipeline
    from engine.variables import parse_cli_vars

    cwd = Path.cwd()
    cli = parse_cli_vars(var or [], cwd)
    return Pipeline.load(file, cli.values, vars_file or [], config, cwd=cwd, allow=allow or [])


@app.command()
def validate(file: PipelineArg, var: VarOpt = None, vars_file: VarsFileOpt = None,
             target: TargetOpt = None, config: ConfigOpt = None, allow_path: AllowOpt = None,
             select: SelectOpt = None, exclude: ExcludeOpt = None) -> None:
    """Check the pipeline file (schema, references, SQL, graph) without touching a database."""
    pipeline = _pipeline(file, var, vars_file, config, allow_path)
    checked = pipeline.validate(target, select or (), exclude or ())
    total = len(pipeline.model.tables)
    tables = f"{checked.selected} of {total} tables selected" if checked.selected is not None and \
        checked.selected < total else f"{total} tables"
    typer.echo(f"{file}: ok ({tables}, {checked.steps} steps, target {checked.target.name})")


@app.command()
def run(file: PipelineArg, var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Print every statement in order, secrets "
                                              "redacted; touch no database.")] = False,
        full_refresh: Annotated[bool, typer.Option(
            "--full-refresh", help="Rebuild every table from all files, instead of loading only new files "
            "and merging star tables by key.")] = False,
        wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for another run of this pipeline "
                                            "to finish before giving up.", min=0)] = 0.0,
        log_format: Annotated[str, typer.Option("--log-format", help="text, or json: one JSON object per event "
                                                "on stderr.")] = "text",
        results: Annotated[Path | None, typer.Option("--results", help="Where to write run_results.json "
                                                     "(default: .etl-engine/ beside the pipeline).")] = None,
        config: ConfigOpt = None, allow_path: AllowOpt = None, select: SelectOpt = None,
        exclude: ExcludeOpt = None,
        prune: Annotated[bool, typer.Option("--prune", help="Drop the tables this pipeline built and no longer "
                                            "declares (never a table the engine did not create).")] = False) -> None:
    """Build the warehouse: create, load, transform, check, then publish in one transaction."""
    from engine.errors import TargetError

    pipeline = _pipeline(file, var, vars_file, config, allow_path)
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
def explain(file: PipelineArg, var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
            measure: Annotated[bool, typer.Option("--measure", help="Read the data once (a DuckDB build of the "
                                                  "pipeline) and store what it measured beside the pipeline.")]
            = False, allow_path: AllowOpt = None) -> None:
    """Print each table's distribution, sort key and VARCHAR widths on the target, and why."""
    from engine.explain import explain as report

    typer.echo(report(_pipeline(file, var, vars_file, None, allow_path).model, target, measure))


@app.command()
def query(file: PipelineArg, name: Annotated[str | None, typer.Argument(help="Query name; all if omitted.")] = None,
          sql: Annotated[str | None, typer.Option("--sql", help="An ad hoc SELECT instead of a named query "
                                                  "(read-only: exactly one SELECT).")] = None,
          format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
          limit: Annotated[int | None, typer.Option("--limit", "-n", min=0, help="At most N rows (default: all; "
                                                    "a table on a terminal shows what fits).")] = None,
          var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
          config: ConfigOpt = None, allow_path: AllowOpt = None, wait: ReadWaitOpt = 300.0) -> None:
    """Run the pipeline's analytic queries (or --sql) against the built warehouse and print the results."""
    from engine.query_cli import query_command

    planned = _pipeline(file, var, vars_file, config, allow_path).plan(target)
    _open_to_read(planned, wait)
    query_command(planned, str(file), name, sql, format, limit)


@app.command()
def init(folder: Annotated[Path, typer.Argument(help="The folder of data files to inspect (recursively).",
                                                show_default=False)],
         output: Annotated[Path, typer.Option("--output", "-o", help="The pipeline file to write.")]
         = Path("pipeline.yaml"),
         force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False) -> None:
    """Draft a pipeline file from FOLDER's JSON, CSV and Parquet files: sources and typed staging tables."""
    from engine.tools.scaffold import init_pipeline, show_summary

    show_summary(init_pipeline(folder, output, force))


@app.command()
def history(file: PipelineArg, run_id: Annotated[str | None, typer.Argument(
                help="A run id: show its steps.", show_default=False)] = None,
            limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.", min=1)] = 20,
            var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
            config: ConfigOpt = None, allow_path: AllowOpt = None, wait: ReadWaitOpt = 300.0) -> None:
    """Show the runs recorded in the warehouse (or one run's steps): status, mode, rows, seconds, errors."""
    from rich.table import Table

    from engine.output import console, safe

    pipeline = _pipeline(file, var, vars_file, config, allow_path)
    names, rows = pipeline.history(target, run_id, limit, wait=wait,
                                   say=lambda text: console(stderr=True).print(safe(text)))
    title = f"run {run_id}" if run_id else f"runs of {pipeline.name} on {pipeline.model.target(target).name}"
    table = Table(title=title, title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
    console().print(table)


@app.command()
def compact(file: PipelineArg, source: Annotated[str, typer.Argument(help="The source to combine.")],
            out: Annotated[str, typer.Argument(help="A new folder, or an s3:// prefix, for the combined files.")],
            target_mb: Annotated[int, typer.Option("--target-mb", help="About how large each part is, in MB.",
                                                   min=1)] = 128,
            var: VarOpt = None, vars_file: VarsFileOpt = None, allow_path: AllowOpt = None) -> None:
    """Combine a source's many small files into a few large gzip'd ones (faster COPY on Redshift)."""
    from engine.errors import ConfigError, Issue

    pipeline = _pipeline(file, var, vars_file, None, allow_path).model
    from engine.paths import location_issues

    if issues := location_issues(pipeline):  # compact reads sources too: the same roots and URLs
        raise ConfigError(issues)
    if source not in pipeline.sources:
        from engine.validate import suggest

        raise ConfigError([Issue(f"no source named '{source}'", pipeline.document.locate(("sources",)),
                                 suggest(source, list(pipeline.sources)))])
    from engine.inputs import cache_dir
    from engine.tools.compact import compact as combine

    done = combine(pipeline.sources[source], out, target_mb * 1024 * 1024, cache_dir(pipeline))
    typer.echo(f"{source}: {done.files_in:,} files ({done.bytes_in:,} bytes) -> {done.files_out:,} files "
               f"({done.bytes_out:,} bytes, gzip) in {done.where}")


@app.command()
def docs(file: PipelineArg,
         out: Annotated[Path | None, typer.Option("--out", "-o", help="The folder to write the site into.")] = None,
         serve: Annotated[bool, typer.Option("--serve", help="Also serve the site on http://127.0.0.1:PORT.")] = False,
         port: Annotated[int, typer.Option("--port", help="The port for --serve (0: any free one).", min=0)] = 8000,
         var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
         config: ConfigOpt = None, allow_path: AllowOpt = None, select: SelectOpt = None,
         exclude: ExcludeOpt = None) -> None:
    """Write a static site: lineage and star-schema pictures, a page per table and per source, run history."""
    from engine.docs.cli import docs_command

    planned = _pipeline(file, var, vars_file, config, allow_path).plan(target, select=select or (),
                                                                       exclude=exclude or ())
    docs_command(planned, out, serve, port)


@app.command()
def graph(file: PipelineArg,
          format: Annotated[str, typer.Option("--format", "-f", help="mermaid, dot or text.")] = "text",
          checks: Annotated[bool, typer.Option("--checks", help="A node per check, after the tables it reads.")]
          = False,
          var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
          config: ConfigOpt = None, allow_path: AllowOpt = None, select: SelectOpt = None,
          exclude: ExcludeOpt = None) -> None:
    """Print the lineage (sources -> staging -> star -> queries) as Mermaid, DOT or an indented tree."""
    from engine.lineage_text import render

    planned = _pipeline(file, var, vars_file, config, allow_path).plan(target, select=select or (),
                                                                       exclude=exclude or ())
    typer.echo(render(planned, format, checks), nl=False)


@app.command()
def version() -> None:
    """Print the installed version."""
    from engine import __version__

    typer.echo(__version__)


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
        app()
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
