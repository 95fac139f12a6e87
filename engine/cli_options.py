"""The CLI's shared arguments and options, and the two steps every command starts with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.api import Pipeline
    from engine.context import PlannedRun

PipelineArg = Annotated[Path, typer.Argument(help="The pipeline file.", show_default=False)]
VarOpt = Annotated[list[str] | None, typer.Option("--var", help="Override a var: NAME=VALUE (repeatable).")]
VarsFileOpt = Annotated[list[Path] | None, typer.Option("--vars-file", help="A YAML file of vars (repeatable).")]
TargetOpt = Annotated[str | None, typer.Option("--target", "-t", help="Target name (default: default_target).")]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        help="Only these tables: NAME, +NAME (and upstream), NAME+ (and downstream), tag:TAG, "
        "source:SOURCE (repeatable; dbt's syntax).",
        show_default=False,
    ),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Leave these tables out (same syntax as --select).", show_default=False),
]
AllowOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-path",
        help="A folder outside the pipeline's and the working directory that sources may read (repeatable).",
        show_default=False,
    ),
]
ReadWaitOpt = Annotated[
    float, typer.Option("--wait", help="Seconds to wait for a run that holds a DuckDB warehouse file.", min=0)
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Settings file (INI, e.g. the original project's dwh.cfg) for ${VAR} references "
        "the environment does not set.",
        show_default=False,
    ),
]


def open_to_read_or_wait(planned: PlannedRun, wait: float) -> None:
    """A reader waits (saying so) for a run that holds a DuckDB file, instead of failing at once."""
    from engine.output import console, safe
    from engine.readers import open_to_read

    if planned.adapter.missing() is None:  # a warehouse never built is reported by the reader, not created
        planned.adapter.preflight()
        open_to_read(planned.adapter, wait, lambda text: console(stderr=True).print(safe(text)))


def pipeline_of(
    file: Path,
    var: list[str] | None,
    vars_file: list[Path] | None,
    config: Path | None,
    allow: list[Path] | None = None,
) -> Pipeline:
    from engine.api import Pipeline
    from engine.variables import parse_cli_vars

    cwd = Path.cwd()
    cli = parse_cli_vars(var or [], cwd)
    return Pipeline.load(file, cli.values, vars_file or [], config, cwd=cwd, allow=allow or [])
