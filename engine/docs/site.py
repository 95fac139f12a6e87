"""``etl-engine docs``: a static site describing the pipeline, written from the plan.

One overview page (lineage and ER pictures, tables, sources, queries, recent runs), a page
per table and one per source.  Everything is in the output folder (the stylesheet
included, no script, no CDN), so the site opens from disk, offline, or from any static
file server.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.docs.runs import RunHistory, read_history
from engine.docs.svg import er_svg, lineage_svg
from engine.lineage import Lineage, foreign_keys, lineage, node_id

if TYPE_CHECKING:
    from jinja2 import Environment

    from engine.config import Source
    from engine.context import PlannedRun

HERE = Path(__file__).parent
#: a load statement over thousands of files would make a page of paths: its first lines say enough
MAX_SQL_LINES = 80
MAX_FILES = 200


@dataclass(frozen=True)
class Site:
    folder: Path
    pages: tuple[Path, ...]
    history_note: str


def build_site(plan: PlannedRun, out: Path, history: RunHistory | None = None) -> Site:
    """Write the site into ``out`` (created; pages already there are replaced)."""
    from markupsafe import Markup

    history = history if history is not None else read_history(plan)
    graph = lineage(plan)
    env = _environment()
    out.mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(exist_ok=True)
    (out / "sources").mkdir(exist_ok=True)
    from pygments.formatters import HtmlFormatter

    css = (HERE / "templates" / "style.css").read_text(encoding="utf-8")
    (out / "style.css").write_text(css + HtmlFormatter().get_style_defs(".sql") + "\n", encoding="utf-8")
    p = plan.pipeline
    href = {n.id: _page(n.id) for n in graph.nodes if not n.id.startswith("query:")}
    common = {"pipeline": p, "target": plan.target, "adapter": plan.adapter.describe(), "history": history}
    pages: list[Path] = []

    def write(path: Path, template: str, **context: Any) -> None:
        depth = len(path.relative_to(out).parts) - 1
        html = env.get_template(template).render(root="../" * depth, **common, **context)
        path.write_text(html, encoding="utf-8")
        pages.append(path)

    er_href = {t: f"tables/{t}.html" for t in p.star}
    write(
        out / "index.html",
        "index.html",
        lineage_svg=Markup(lineage_svg(graph, href, f"lineage of {p.name}")),
        er_svg=Markup(er_svg(list(p.star.values()), er_href)) if p.star else None,
        tables=[_table_summary(plan, t, history) for t in p.tables],
        sources=list(p.sources.values()),
        queries=[(q, _highlight(q.sql)) for q in p.queries.values()],
    )
    for table in p.tables:
        write(out / "tables" / f"{table}.html", "table.html", **_table_context(plan, graph, history, table))
    for source in p.sources.values():
        write(
            out / "sources" / f"{source.name}.html",
            "source.html",
            source=source,
            options=_options(source),
            files=_files(source),
            feeds=[t for t, st in p.staging.items() if st.source == source.name],
        )
    return Site(out, tuple(pages), history.note)


def _page(nid: str) -> str:
    kind, _, name = nid.partition(":")
    return f"{'sources' if kind == 'source' else 'tables'}/{name}.html"


def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ts"] = lambda v: "" if v is None else str(v)[:19]
    env.filters["num"] = lambda v: (
        "" if v is None else f"{v:,}" if isinstance(v, int) else f"{v:,.2f}" if isinstance(v, float) else str(v)
    )
    return env


def _highlight(sql: str) -> Any:
    """SQL as highlighted HTML (Pygments, which rich already brings), trimmed to MAX_SQL_LINES."""
    from markupsafe import Markup
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import SqlJinjaLexer

    from engine.redact import redact

    lines = redact(sql.strip()).splitlines()
    if len(lines) > MAX_SQL_LINES:
        lines = [*lines[:MAX_SQL_LINES], f"-- ... {len(lines) - MAX_SQL_LINES:,} more lines"]
    return Markup(highlight("\n".join(lines), SqlJinjaLexer(), HtmlFormatter(cssclass="sql", nowrap=False)))


def _kind(plan: PlannedRun, table: str) -> str:
    return "staging" if table in plan.pipeline.staging else plan.pipeline.star[table].kind


def _table_summary(plan: PlannedRun, table: str, history: RunHistory) -> dict[str, Any]:
    p = plan.pipeline
    described = p.staging[table].description if table in p.staging else p.star[table].description
    # a full run writes the whole table, so its count is the table's size; an incremental one writes a part
    full = [rows for run, rows in history.table_rows(table) if run["mode"] == "full" and run["status"] == "committed"]
    return {
        "name": table,
        "kind": _kind(plan, table),
        "description": described or "",
        "columns": len(p.table_columns(table)),
        "rows": full[-1] if full else None,
    }


def _table_context(plan: PlannedRun, graph: Lineage, history: RunHistory, table: str) -> dict[str, Any]:
    p = plan.pipeline
    star = p.star.get(table)
    nid = node_id("staging", table)
    fks = {col: (ref_table, ref_col) for t, col, ref_table, ref_col in foreign_keys(plan) if t == table}
    referenced_by = [(t, col, ref_col) for t, col, ref_table, ref_col in foreign_keys(plan) if ref_table == table]
    columns = [
        {
            "name": c.name,
            "type": c.type,
            "not_null": c.not_null,
            "description": c.description or "",
            "pk": bool(star and c.name in star.primary_key),
            "fk": fks.get(c.name),
        }
        for c in p.table_columns(table)
    ]
    sql: list[tuple[str, Any]] = []
    if star is not None:
        sql.append((f"SELECT ({star.sql_file.name})" if star.sql_file else "SELECT", _highlight(star.sql)))
    from engine.shadow import shadow_name

    for step in plan.steps:
        if step.table == table and step.kind in ("create", "load"):
            # a full run builds into a shadow table and swaps it in at publish: show the table's own name
            text = (";\n".join(step.statements) + ";").replace(shadow_name(table), table)
            sql.append((f"{step.kind} ({plan.adapter.name})", _highlight(text)))
    checks = []
    for step in plan.steps:
        if step.check is not None and step.check.table == table:
            last = history.last_check(step.check.name)
            checks.append(
                {
                    "name": step.check.name,
                    "kind": step.check.kind,
                    "severity": step.check.severity,
                    "implied": not step.check.declared,
                    "status": last[1]["status"] if last else None,
                    "detail": last[1]["detail"] if last else None,
                    "when": last[0]["started_at"] if last else None,
                }
            )
    return {
        "table": table,
        "kind": _kind(plan, table),
        "star": star,
        "columns": columns,
        "description": (star.description if star else p.staging[table].description) or "",
        "source": p.staging[table].source if table in p.staging else None,
        "upstream": [(n, _page(n.id)) for n in graph.upstream(nid)],
        "downstream": [(n, _page(n.id) if n.kind != "query" else None) for n in graph.downstream(nid)],
        "referenced_by": referenced_by,
        "sql": sql,
        "checks": checks,
        "row_counts": _row_chart(history.table_rows(table)),
    }


def _row_chart(counts: list[tuple[dict[str, Any], int | None]]) -> list[dict[str, Any]]:
    """Rows per run with a bar width in percent of the largest, for a CSS bar chart."""
    top = max((r or 0 for _, r in counts), default=0)
    return [
        {
            "run_id": run["run_id"],
            "when": run["started_at"],
            "status": run["status"],
            "mode": run["mode"],
            "rows": rows,
            "pct": round(100 * (rows or 0) / top, 1) if top else 0.0,
        }
        for run, rows in counts
    ]


def _options(source: Source) -> list[tuple[str, str]]:
    """The settings that differ from the defaults, plus path and format."""
    out = [("path", source.path), ("format", source.format)]
    for f in dataclasses.fields(source):
        if f.name in ("name", "path", "format", "location", "description"):
            continue
        value = getattr(source, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        out.append((f.name, ", ".join(value) if isinstance(value, tuple) else str(value)))
    return out


def _files(source: Source) -> dict[str, Any]:
    """The source's files as they are now: local ones only (listing a bucket is the run's job)."""
    if source.is_remote:
        return {
            "listed": False,
            "files": [],
            "count": 0,
            "bytes": 0,
            "note": "files in a bucket are listed when a run starts",
        }
    from engine.errors import EngineError
    from engine.inputs import list_files

    try:
        entries = list_files(source)
    except (EngineError, OSError) as exc:
        return {"listed": False, "files": [], "count": 0, "bytes": 0, "note": str(exc).splitlines()[0]}
    return {
        "listed": True,
        "files": [(e.key, e.size) for e in entries[:MAX_FILES]],
        "count": len(entries),
        "bytes": sum(e.size for e in entries),
        "note": "",
    }
