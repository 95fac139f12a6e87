"""``etl-engine init``: a first pipeline file drafted from a folder of data files.

Typing out sources and staging columns by hand is the slow, error-prone part of
starting a pipeline, and DuckDB already guesses formats and types well.  So init
walks the folder, groups like files into sources (by top-level subfolder, or by
file-name pattern for files at the top), lets DuckDB's sniffers type a *sample*
of each group, then rehearses the engine's own load statement on that sample and
widens any type that would not load.  What it writes must pass ``validate`` and
load with ``run`` as is; the star schema is left as a commented sketch, because
only the user knows what the facts and dimensions are.

Only ``init`` imports this package, and duckdb only inside functions, so
``validate`` keeps starting fast.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from engine.errors import UsageError
from engine.tools.scaffold.discover import discover, group_files
from engine.tools.scaffold.include import include_for
from engine.tools.scaffold.model import DraftSource, InitResult, Inspection
from engine.tools.scaffold.naming import name_sources, table_name
from engine.tools.scaffold.sniff import GroupFailed, Sniffer, first_error_line
from engine.tools.scaffold.yaml_writer import render_pipeline, skipped_summary


def inspect_folder(folder: Path) -> Inspection:
    """Find, group and type the data files under ``folder``; nothing is written."""
    started = time.perf_counter()
    if not folder.exists():
        raise UsageError(f"folder not found: {folder}")
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder} (init inspects a folder of data files)")
    root = Path(os.path.abspath(folder))
    files, skipped = discover(root)
    if not files:
        seen = f"; passed over {len(skipped)}: {skipped_summary(skipped)}" if skipped else ""
        raise UsageError(
            f"no data files in {folder}: looked for JSON (.json, .jsonl, .ndjson), CSV (.csv, .tsv) "
            f"and Parquet (.parquet) files, optionally gzipped{seen}"
        )
    sniffer = Sniffer()
    sources: list[DraftSource] = []
    warnings: list[str] = []
    for g in group_files(files):
        where = (
            f"{g.top}/"
            if g.top
            else str(g.files[0].rel) + (f" and {len(g.files) - 1} more like it" if len(g.files) > 1 else "")
        )
        try:
            sources.extend(sniffer.source(g))
        except GroupFailed as exc:
            warnings.append(f"left out {len(g.files)} {g.format} file(s) in {where}: {exc}")
        except Exception as exc:  # odd data drops its group, not init
            warnings.append(f"left out {len(g.files)} {g.format} file(s) in {where}: {first_error_line(exc)}")
    if not sources:
        raise UsageError(f"no loadable data in {folder}: " + "; ".join(warnings))
    name_sources(sources)
    sources.sort(key=lambda s: s.name)
    for s in sources:
        s.include = include_for(s, str(root))
    return Inspection(root, len(files), sources, skipped, warnings, time.perf_counter() - started)


def pipeline_name(folder: Path) -> str:
    name = table_name(Path(os.path.abspath(folder)).name)
    if not name:
        return "pipeline"
    return name if name[0].isalpha() else f"p_{name}"


def data_root_for(folder: Path, output: Path) -> str:
    """FOLDER for ``vars.data_root``: as given when absolute, else relative to the output's folder
    (where the engine resolves a relative var written in the file)."""
    if folder.is_absolute():
        return folder.as_posix()
    try:
        rel = os.path.relpath(os.path.abspath(folder), os.path.abspath(output.parent))
    except ValueError:  # another drive on Windows: no relative path exists
        return Path(os.path.abspath(folder)).as_posix()
    return Path(rel).as_posix()


def init_pipeline(folder: Path, output: Path, force: bool = False) -> InitResult:
    """Inspect ``folder``, write the pipeline (and any JSONPaths files) and validate what was written."""
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give --output the path of the file to write")
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; pass --force to overwrite it")
    ins = inspect_folder(folder)
    out_dir = output.parent
    stem = output.stem
    extra: dict[Path, str] = {}
    for s in ins.sources:
        if s.jsonpaths is not None:
            s.jsonpaths_file = f"{stem}.{s.name}.jsonpaths.json"
            extra[out_dir / s.jsonpaths_file] = json.dumps({"jsonpaths": s.jsonpaths}, indent=4) + "\n"
    clobbered = [p for p in extra if p.exists()]
    if clobbered and not force:
        raise UsageError(f"{clobbered[0]} already exists; pass --force to overwrite it")
    text = render_pipeline(
        ins, data_root_for(folder, output), pipeline_name(folder), folder.as_posix(), output.as_posix()
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for path, content in extra.items():
            path.write_text(content, encoding="utf-8")
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or output}: {exc.strerror}") from None
    from engine.config import load_pipeline
    from engine.plan import build_plan

    plan = build_plan(load_pipeline(output))
    return InitResult(ins, output, [output, *extra], plan)


def show_summary(result: InitResult) -> None:
    """What was found, on stderr: the YAML is the real output, this is the receipt."""
    from rich.markup import escape

    from engine.output import console

    ins = result.inspection
    err = console(stderr=True)
    left_out = f", {ins.found - ins.data_files:,} left out" if ins.found > ins.data_files else ""
    err.print(
        f"inspected {escape(str(ins.folder))}: {ins.data_files:,} data files in {len(ins.sources)} "
        f"source(s){left_out}, {len(ins.skipped)} passed over ({ins.seconds:.2f}s)"
    )
    width = max(len(s.name) for s in ins.sources)
    for s in ins.sources:
        files = f"{len(s.files):,} file{'s' if len(s.files) != 1 else ''}"
        err.print(
            f"  {escape(s.name):<{width}}  {s.format:<7} {files:>12}  {len(s.columns):>3} columns  -> {s.staging}"
        )
    for w in ins.warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}")
    for path in result.written:
        err.print(f"wrote {escape(str(path))}")
    plan = result.plan
    err.print(
        f"[green]valid[/]: {len(plan.pipeline.tables)} tables, {len(plan.steps)} steps; next: "
        f"etl-engine run {escape(str(result.output))}"
    )
