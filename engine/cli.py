"""The command line: each command is a thin call into the Python API.

Exit codes: 0 ok; 1 the run or a check failed; 2 bad input (pipeline file,
command line).  Engine errors are shown as one screen of text, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from engine.cli_cluster import cluster_app

if TYPE_CHECKING:
    from engine.config import Pipeline
    from engine.errors import EngineError
    from engine.plan import Plan

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Declarative star-schema ELT: YAML in, checked warehouse tables out.")

PipelineArg = Annotated[Path, typer.Argument(help="The pipeline file.", show_default=False)]
VarOpt = Annotated[list[str] | None, typer.Option("--var", help="Override a var: NAME=VALUE (repeatable).")]
VarsFileOpt = Annotated[list[Path] | None, typer.Option("--vars-file", help="A YAML file of vars (repeatable).")]
TargetOpt = Annotated[str | None, typer.Option("--target", "-t", help="Target name (default: default_target).")]
AllowOpt = Annotated[list[Path] | None, typer.Option(
    "--allow-path", help="A folder outside the pipeline's and the working directory that sources may read "
    "(repeatable).", show_default=False)]
ReadWaitOpt = Annotated[float, typer.Option("--wait", help="Seconds to wait for a run that holds a DuckDB "
                                           "warehouse file.", min=0)]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Settings file (INI, e.g. the original project's dwh.cfg) for ${VAR} references "
    "the environment does not set.", show_default=False)]


def _fail(exc: EngineError) -> NoReturn:
    from engine.output import show_error

    show_error(exc)
    raise typer.Exit(exc.exit_code)


def _plan(file: Path, var: list[str] | None, vars_file: list[Path] | None, target: str | None,
          config: Path | None, allow: list[Path] | None = None) -> Plan:
    from engine.plan import build_plan
    from engine.settings import Settings

    settings = Settings(config_file=config.resolve() if config else None)
    return build_plan(_load(file, var, vars_file, allow), target, settings)


def _load(file: Path, var: list[str] | None, vars_file: list[Path] | None,
          allow: list[Path] | None = None) -> Pipeline:
    from engine.config import load_pipeline
    from engine.variables import parse_cli_vars

    cwd = Path.cwd()
    return load_pipeline(file, parse_cli_vars(var or [], cwd), [cwd / f for f in vars_file or []],
                         tuple((cwd / a).resolve() for a in allow or []))


def _record_unplanned(file: Path, var: list[str] | None, vars_file: list[Path] | None, target: str | None,
                      config: Path | None, allow: list[Path] | None, error: EngineError) -> None:
    from contextlib import suppress

    from engine.errors import EngineError
    from engine.history import record_unplanned
    from engine.settings import Settings

    with suppress(EngineError):
        record_unplanned(_load(file, var, vars_file, allow), target,
                         Settings(config_file=config.resolve() if config else None), error)


def _open_to_read(plan: Plan, wait: float) -> None:
    from engine.output import console, safe
    from engine.readers import open_to_read

    open_to_read(plan.adapter, wait, lambda text: console(stderr=True).print(safe(text)))


@app.command()
def validate(file: PipelineArg, var: VarOpt = None, vars_file: VarsFileOpt = None,
             target: TargetOpt = None, config: ConfigOpt = None, allow_path: AllowOpt = None) -> None:
    """Check the pipeline file (schema, references, SQL, graph) without touching a database."""
    from engine.errors import EngineError
    from engine.plan import check_plan
    from engine.settings import Settings

    try:
        pipeline = _load(file, var, vars_file, allow_path)
        checked = check_plan(pipeline, target, Settings(config_file=config.resolve() if config else None))
    except EngineError as exc:
        _fail(exc)
    typer.echo(f"{file}: ok ({len(pipeline.tables)} tables, {checked.steps} steps, target {checked.target.name})")


@app.command()
def run(file: PipelineArg, var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Print every statement in order, secrets "
                                              "redacted; touch no database.")] = False,
        full_refresh: Annotated[bool, typer.Option(
            "--full-refresh", help="Rebuild every table from all files, instead of loading only new files "
            "and merging star tables by key.")] = False,
        wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for another run of this pipeline "
                                            "to finish before giving up.", min=0)] = 0.0,
        config: ConfigOpt = None, allow_path: AllowOpt = None) -> None:
    """Build the warehouse: create, load, transform, check, then publish in one transaction."""
    from engine.errors import EngineError, TargetError

    try:
        plan = _plan(file, var, vars_file, target, config, allow_path)
    except TargetError as exc:  # planning reads inputs (an S3 JSONPaths file): a failed run, recorded
        if not dry_run:
            _record_unplanned(file, var, vars_file, target, config, allow_path, exc)
        _fail(exc)
    except EngineError as exc:
        _fail(exc)
    from engine import output

    if dry_run:
        output.print_plan(plan)
        return
    from engine.runner import RunFailed, run_plan

    output.announce(plan)
    try:
        result = run_plan(plan, output.Progress(), full_refresh=full_refresh, wait=wait)
    except RunFailed as failed:
        output.print_summary(failed.result, f"{plan.pipeline.name}: failed (run {failed.result.run_id})")
        _fail(failed.cause)
    output.print_summary(result, f"{plan.pipeline.name}: done (run {result.run_id})")


@app.command()
def query(file: PipelineArg, name: Annotated[str | None, typer.Argument(help="Query name; all if omitted.")] = None,
          var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
          config: ConfigOpt = None, allow_path: AllowOpt = None, wait: ReadWaitOpt = 300.0) -> None:
    """Run the pipeline's analytic queries against the built warehouse and print the results."""
    from engine.errors import ConfigError, EngineError, Issue, Location

    try:
        plan = _plan(file, var, vars_file, target, config, allow_path)
        plan.adapter.preflight()
        _open_to_read(plan, wait)
        queries = plan.pipeline.queries
        if name is not None and name not in queries:
            from engine.validate import suggest

            raise ConfigError([Issue(f"no query named '{name}'", Location(plan.pipeline.file),
                                     suggest(name, list(queries)))])
        from rich.table import Table

        from engine.output import console

        for qname, q in queries.items():
            if name is not None and qname != name:
                continue
            sql = plan.renderer.user_sql(q.sql, q.location)
            names, cursor_rows = plan.adapter.fetch_named(sql, f"query:{qname}")
            table = Table(title=qname, title_justify="left")
            for column in names:
                table.add_column(column)
            for row in cursor_rows[:200]:
                table.add_row(*("" if v is None else str(v) for v in row))
            console().print(table)
        plan.adapter.close()
    except EngineError as exc:
        _fail(exc)


@app.command()
def init(folder: Annotated[Path, typer.Argument(help="The folder of data files to inspect (recursively).",
                                                show_default=False)],
         output: Annotated[Path, typer.Option("--output", "-o", help="The pipeline file to write.")]
         = Path("pipeline.yaml"),
         force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False) -> None:
    """Draft a pipeline file from FOLDER's JSON, CSV and Parquet files: sources and typed staging tables."""
    from engine.errors import EngineError
    from engine.scaffold import init_pipeline, show_summary

    try:
        show_summary(init_pipeline(folder, output, force))
    except EngineError as exc:
        _fail(exc)


@app.command()
def history(file: PipelineArg, run_id: Annotated[str | None, typer.Argument(
                help="A run id: show its steps.", show_default=False)] = None,
            limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.", min=1)] = 20,
            var: VarOpt = None, vars_file: VarsFileOpt = None, target: TargetOpt = None,
            config: ConfigOpt = None, allow_path: AllowOpt = None, wait: ReadWaitOpt = 300.0) -> None:
    """Show the runs recorded in the warehouse (or one run's steps): status, mode, rows, seconds, errors."""
    from engine.errors import EngineError

    try:
        plan = _plan(file, var, vars_file, target, config, allow_path)
        plan.adapter.preflight()
        _open_to_read(plan, wait)
        from rich.table import Table

        from engine import history as runs
        from engine.output import console

        names, rows = runs.steps(plan, run_id) if run_id else runs.runs(plan, limit)
        plan.adapter.close()
        table = Table(title=f"run {run_id}" if run_id else f"runs of {plan.pipeline.name} on {plan.target.name}",
                      title_justify="left")
        for name in names:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
        console().print(table)
    except EngineError as exc:
        _fail(exc)


@app.command()
def compact(file: PipelineArg, source: Annotated[str, typer.Argument(help="The source to combine.")],
            out: Annotated[str, typer.Argument(help="A new folder, or an s3:// prefix, for the combined files.")],
            target_mb: Annotated[int, typer.Option("--target-mb", help="About how large each part is, in MB.",
                                                   min=1)] = 128,
            var: VarOpt = None, vars_file: VarsFileOpt = None, allow_path: AllowOpt = None) -> None:
    """Combine a source's many small files into a few large gzip'd ones (faster COPY on Redshift)."""
    from engine.errors import ConfigError, EngineError, Issue

    try:
        pipeline = _load(file, var, vars_file, allow_path)
        from engine.paths import location_issues

        if issues := location_issues(pipeline):  # compact reads sources too: the same roots and URLs
            raise ConfigError(issues)
        if source not in pipeline.sources:
            from engine.validate import suggest

            raise ConfigError([Issue(f"no source named '{source}'", pipeline.document.locate(("sources",)),
                                     suggest(source, list(pipeline.sources)))])
        from engine.compact import compact as combine
        from engine.inputs import cache_dir

        done = combine(pipeline.sources[source], out, target_mb * 1024 * 1024, cache_dir(pipeline))
    except EngineError as exc:
        _fail(exc)
    typer.echo(f"{source}: {done.files_in:,} files ({done.bytes_in:,} bytes) -> {done.files_out:,} files "
               f"({done.bytes_out:,} bytes, gzip) in {done.where}")


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


if __name__ == "__main__":
    main()
