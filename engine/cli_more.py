"""The CLI's commands beyond build and check: reading the warehouse (query, history), describing the
pipeline (docs, graph, explain) and the side tools (init, compact).  Each is a thin call into the API
or the module that owns the job; engine/cli.py registers them and handles their errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    pipeline_of,
)


def explain(
    file: PipelineArg,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    measure: Annotated[
        bool,
        typer.Option(
            "--measure",
            help="Read the data once (a DuckDB build of the pipeline) and store what it measured beside the pipeline.",
        ),
    ] = False,
    allow_path: AllowOpt = None,
) -> None:
    """Print each table's distribution, sort key and VARCHAR widths on the target, and why."""
    from engine.explain import explain as report

    typer.echo(report(pipeline_of(file, var, vars_file, None, allow_path).model, target, measure))


def init(
    folder: Annotated[
        Path, typer.Argument(help="The folder of data files to inspect (recursively).", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The pipeline file to write.")] = Path("pipeline.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Draft a pipeline file from FOLDER's JSON, CSV and Parquet files: sources and typed staging tables."""
    from engine.tools.scaffold import init_pipeline, show_summary

    show_summary(init_pipeline(folder, output, force))


def history(
    file: PipelineArg,
    run_id: Annotated[str | None, typer.Argument(help="A run id: show its steps.", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.", min=1)] = 20,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    config: ConfigOpt = None,
    allow_path: AllowOpt = None,
    wait: ReadWaitOpt = 300.0,
) -> None:
    """Show the runs recorded in the warehouse (or one run's steps): status, mode, rows, seconds, errors."""
    from rich.table import Table

    from engine.output import console, safe

    pipeline = pipeline_of(file, var, vars_file, config, allow_path)
    names, rows = pipeline.history(
        target, run_id, limit, wait=wait, say=lambda text: console(stderr=True).print(safe(text))
    )
    title = f"run {run_id}" if run_id else f"runs of {pipeline.name} on {pipeline.model.target(target).name}"
    table = Table(title=title, title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
    console().print(table)


def compact(
    file: PipelineArg,
    source: Annotated[str, typer.Argument(help="The source to combine.")],
    out: Annotated[str, typer.Argument(help="A new folder, or an s3:// prefix, for the combined files.")],
    target_mb: Annotated[int, typer.Option("--target-mb", help="About how large each part is, in MB.", min=1)] = 128,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    allow_path: AllowOpt = None,
) -> None:
    """Combine a source's many small files into a few large gzip'd ones (faster COPY on Redshift)."""
    from engine.errors import ConfigError, Issue

    pipeline = pipeline_of(file, var, vars_file, None, allow_path).model
    from engine.paths import location_issues

    if issues := location_issues(pipeline):  # compact reads sources too: the same roots and URLs
        raise ConfigError(issues)
    if source not in pipeline.sources:
        from engine.validate import suggest

        raise ConfigError(
            [
                Issue(
                    f"no source named '{source}'",
                    pipeline.document.locate(("sources",)),
                    suggest(source, list(pipeline.sources)),
                )
            ]
        )
    from engine.inputs import cache_dir
    from engine.tools.compact import compact as combine

    done = combine(pipeline.sources[source], out, target_mb * 1024 * 1024, cache_dir(pipeline))
    typer.echo(
        f"{source}: {done.files_in:,} files ({done.bytes_in:,} bytes) -> {done.files_out:,} files "
        f"({done.bytes_out:,} bytes, gzip) in {done.where}"
    )


def docs(
    file: PipelineArg,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The folder to write the site into.")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="Also serve the site on http://127.0.0.1:PORT.")] = False,
    port: Annotated[int, typer.Option("--port", help="The port for --serve (0: any free one).", min=0)] = 8000,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    config: ConfigOpt = None,
    allow_path: AllowOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """Write a static site: lineage and star-schema pictures, a page per table and per source, run history."""
    from engine.docs.cli import docs_command

    planned = pipeline_of(file, var, vars_file, config, allow_path).plan(
        target, select=select or (), exclude=exclude or ()
    )
    docs_command(planned, out, serve, port)


def graph(
    file: PipelineArg,
    format: Annotated[str, typer.Option("--format", "-f", help="mermaid, dot or text.")] = "text",
    checks: Annotated[bool, typer.Option("--checks", help="A node per check, after the tables it reads.")] = False,
    var: VarOpt = None,
    vars_file: VarsFileOpt = None,
    target: TargetOpt = None,
    config: ConfigOpt = None,
    allow_path: AllowOpt = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """Print the lineage (sources -> staging -> star -> queries) as Mermaid, DOT or an indented tree."""
    from engine.lineage_text import render

    planned = pipeline_of(file, var, vars_file, config, allow_path).plan(
        target, select=select or (), exclude=exclude or ()
    )
    typer.echo(render(planned, format, checks), nl=False)
