"""The pipeline file ``init`` writes: the pipeline as data, dumped by PyYAML, with the comments that
make it a starting point placed on the dumped lines (see yaml_style)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.tools.scaffold.model import DraftSource, Inspection, Skipped
from engine.tools.scaffold.sketch import CHECKS_HEADER, STAR_HEADER, checks_sketch, star_sketch
from engine.tools.scaffold.yaml_style import Quoted, annotate, commented, dump


def skipped_summary(skipped: list[Skipped], limit: int = 4) -> str:
    shown = ", ".join(f"{s.rel} ({s.reason})" for s in skipped[:limit])
    return shown + (f" and {len(skipped) - limit} more" if len(skipped) > limit else "")


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size):,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n:,} bytes"


def describe(s: DraftSource) -> str:
    kind = {"json": "JSON", "csv": "CSV", "parquet": "Parquet"}[s.format]
    n = len(s.files)
    text = f"{n:,} {kind} file{'s' if n != 1 else ''}, {human_size(s.size)}"
    if any(f.gzip for f in s.files):
        text += ", gzipped" if all(f.gzip for f in s.files) else ", some gzipped"
    if s.layout:
        text += f"; {s.layout}"
    if s.format == "csv":
        text += "; header row" if s.header else "; no header row"
    if s.sampled and s.sampled < n:
        text += f"; types sniffed from {s.sampled} of them"
    return text


def _source(s: DraftSource) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": Quoted(describe(s)),
        "path": Quoted("{{ data_root }}" + (f"/{s.top}" if s.top else "")),
        "format": s.format,
    }
    if s.include is not None:
        out["include"] = Quoted(s.include[0]) if len(s.include) == 1 else [Quoted(p) for p in s.include]
    if s.compression != "auto":
        out["compression"] = s.compression
    if s.format == "csv":
        out.update(header=s.header, delimiter=s.delimiter, quote=s.quote)
    if s.jsonpaths_file:
        out["jsonpaths"] = Quoted(s.jsonpaths_file)
    return out


def _column_order(s: DraftSource) -> str:
    if s.format == "json":
        return "matched to JSON keys by name" if not s.jsonpaths else "in the JSONPaths file's order"
    if s.format == "csv":
        return (
            "in file order (matched by position; the header row is skipped)"
            if s.header
            else "in file order (matched by position)"
        )
    return "matched to Parquet columns by name"


def _header(ins: Inspection, folder_as_given: str, pipeline_file: str) -> list[str]:
    counts: dict[str, int] = {}
    for s in ins.sources:
        counts[s.format] = counts.get(s.format, 0) + len(s.files)
    kinds = ", ".join(f"{n:,} {fmt}" for fmt, n in counts.items())
    lines = [
        f"Drafted by `etl-engine init {folder_as_given}`: inspected {ins.found + len(ins.skipped):,} file(s)",
        f"under that folder; {sum(counts.values()):,} data file(s) ({kinds}) make {len(ins.sources)} source(s).",
    ]
    if ins.skipped:
        lines.append(f"Passed over {len(ins.skipped)}: {skipped_summary(ins.skipped, 3)}.")
    lines += [f"Warning: {w}." for w in ins.warnings]
    return [
        *lines,
        "Column types were sniffed by DuckDB from a sample of each source's files and",
        "loaded once on that sample; check them against the whole data, then add star",
        "tables and checks (sketches at the end of this file).",
        f"Next: etl-engine validate {pipeline_file}   (touches no database)",
        f"Then: etl-engine run {pipeline_file}        (loads the staging tables into warehouse.duckdb)",
    ]


def render_pipeline(
    ins: Inspection, data_root: str, name: str, folder_as_given: str, pipeline_file: str = "pipeline.yaml"
) -> str:
    """The pipeline file's text, with the comments that make it a starting point."""
    head = {
        "version": 1,
        "name": name,
        "description": Quoted(f"The data files in {folder_as_given}, loaded into staging tables."),
    }
    where = (
        "Relative to this file's folder; --var data_root=PATH (relative to the working"
        if not Path(data_root).is_absolute()
        else "--var data_root=PATH (relative to the working"
    )
    settings: dict[str, Any] = {"vars": {"data_root": Quoted(data_root)}}
    outside = Path(data_root).is_absolute() or data_root.startswith("..")
    if outside:  # sources may read only the pipeline's folder, the working directory and allowed roots
        settings["allowed_roots"] = [Quoted("{{ data_root }}")]
    settings.update({"default_target": "local", "targets": {"local": {"type": "duckdb", "path": "warehouse.duckdb"}}})
    trailing: dict[tuple[str, ...], str] = {}
    before: dict[tuple[str, ...], list[str]] = {
        ("vars", "data_root"): [where, "directory) points the same pipeline at another copy of the data."]
    }
    if outside:
        before[("allowed_roots",)] = [
            "The data is outside this file's folder: sources may read it because it is allowed here."
        ]
    sources: dict[str, Any] = {}
    staging: dict[str, Any] = {}
    for s in ins.sources:
        sources[s.name] = _source(s)
        if s.compression != "auto":
            trailing[("sources", s.name, "compression")] = "gzip, though the names do not say so"
        if s.jsonpaths_file:
            trailing[("sources", s.name, "jsonpaths")] = "the JSON keys as written, by position"
        if s.notes:
            last = list(sources[s.name])[-1]
            trailing.setdefault(("sources", s.name, last), "; ".join(s.notes))
        staging[s.staging] = {"source": s.name, "columns": {c.name: c.type for c in s.columns}}
        trailing[("staging", s.staging, "columns")] = _column_order(s)
        for c in s.columns:
            source_key = f"{json.dumps(c.original, ensure_ascii=False)} in the files" if c.original else None
            remarks = [r for r in (source_key, c.note) if r]
            if remarks:
                trailing[("staging", s.staging, "columns", c.name)] = "; ".join(remarks)
    body = annotate(
        dump(head) + "\n" + dump(settings) + "\n" + dump({"sources": sources}) + "\n" + dump({"staging": staging}),
        trailing,
        before,
    )
    sketch = (
        commented("\n".join(STAR_HEADER))
        + commented(dump({"star": star_sketch(ins.sources)}))
        + "\n"
        + commented("\n".join(CHECKS_HEADER))
        + commented(dump({"checks": checks_sketch(ins.sources)}))
    )
    return commented("\n".join(_header(ins, folder_as_given, pipeline_file))) + body + "\n" + sketch
