"""Rendering a run's steps: the build into shadow tables (full) or into the live ones
(incremental), the checks, and the publish.  Reads the run context; returns plain Steps.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import views
from engine.config import Check, Pipeline
from engine.graph import KIND_RANK, topological_order
from engine.inputs import LoadFiles, cache_dir, plan_files, plan_jsonpaths
from engine.key_checks import key_checks, key_step, rebuilt_proofs
from engine.key_proofs import KeyProof
from engine.physical import table_designs
from engine.plan import Step
from engine.shadow import backup_name, point_at, shadow_name
from engine.targets.base import LoadSpec, TemplateCall
from engine.targets.contract import Publish

if TYPE_CHECKING:
    from engine.context import RunContext
    from engine.render import SqlRenderer


def load_parts(r: SqlRenderer, spec: LoadSpec, pipeline: str, table: str) -> dict[str, Any]:
    """A load's spec rendered into Step fields; the context gains the pipeline's and the staging table's
    names, which the rejects templates record.  The diagnosis stays a template call: it is long and
    needed only when the load fails."""
    context = {**spec.context, "pipeline": pipeline, "staging": table}
    return {
        "statements": r.statements(spec.template, **context),
        "feed": spec.feed,
        "bound": spec.bound,
        "diagnose": TemplateCall(
            spec.diagnose, {**(spec.diagnose_context or spec.context), "pipeline": pipeline, "staging": table}
        )
        if spec.diagnose
        else None,
        "rejects": r.template(spec.rejects, **context) if spec.rejects else None,
    }


def render_load(ctx: RunContext, step: Step, paths: tuple[str, ...]) -> Step:
    """The load step over exactly ``paths`` (what this run lists), rendered as the plan was."""
    assert step.table is not None and step.into is not None
    staging = ctx.pipeline.staging[step.table]
    source = ctx.pipeline.sources[staging.source]
    # the JSONPaths only: the plan's glob check walks the source folder, and this run has listed it
    jsonpaths = None if ctx.adapter.capabilities.copy_from_s3 else plan_jsonpaths(source, cache_dir(ctx.pipeline))
    spec = ctx.adapter.load_spec(source, replace(staging, name=step.into), LoadFiles(paths, jsonpaths))
    return replace(step, **load_parts(ctx.renderer, spec, ctx.pipeline.name, step.table))


def definition_hashes(p: Pipeline, steps: Iterable[Step]) -> dict[str, str]:
    """Identifies how each table is built (its DDL, its source's settings, its SELECT).

    When it changes, rows already in the table may no longer follow the definition, so the
    next run rebuilds instead of adding to them.
    """
    parts: dict[str, list[str]] = {t: [] for t in p.tables}
    for s in steps:
        if s.table in parts and s.kind in ("create", "transform"):
            parts[s.table].extend(s.statements)
    for table in p.staging:
        source = asdict(p.sources[p.staging[table].source])
        source.pop("location", None)
        source.pop("description", None)  # words about the data do not change how it loads
        if source["format"] != "csv":  # only CSV loads map by header: other sources keep their hashes
            source.pop("match_columns", None)
        for key in ("path", "jsonpaths", "manifest"):
            # where the project lives is not how a table is built: a project moved (or cloned) elsewhere
            # keeps its tables' definitions
            source[key] = _relative(source.get(key), p.root)
        parts[table].append(repr(sorted(source.items())))
    return {t: hashlib.sha256("\n".join(sql).encode()).hexdigest()[:16] for t, sql in parts.items()}


def _relative(path: str | None, root: Path) -> str | None:
    if not path or "://" in path or not Path(path).is_absolute():
        return path
    return os.path.relpath(path, root)


def _check_step(
    check: Check,
    r: SqlRenderer,
    final: dict[str, str],
    custom_sql: str,
    custom_reads: frozenset[str],
    name: Callable[[str], str],
    key: tuple[str, ...] = (),
    scanned: bool = True,
    proof: KeyProof | None = None,
) -> Step:
    if not check.declared and check.kind in ("unique", "not_null", "relationships") and scanned:
        return key_step(check, r, final, name, key, proof)
    tables = {check.table} | ({check.to_table} if check.to_table else set()) | custom_reads
    statements: tuple[str, ...]
    if check.kind == "row_count":
        statements = (r.template("checks/row_count.sql", table=name(check.table)),)
        if check.equals_sql:
            statements += (r.template("checks/row_count_sql.sql", sql=custom_sql),)
    elif check.kind == "sql":
        statements = (r.template("checks/failing_rows.sql", sql=custom_sql),)
    elif check.kind == "accepted_values":
        statements = (
            r.template(
                "checks/accepted_values.sql", table=name(check.table), column=check.columns[0], values=check.values
            ),
        )
    elif check.kind == "relationships":
        assert check.to_table is not None
        statements = (
            r.template(
                "checks/relationships.sql",
                table=name(check.table),
                column=check.columns[0],
                to_table=name(check.to_table),
                to_column=check.to_column or check.columns[0],
            ),
        )
    else:
        statements = (r.template(f"checks/{check.kind}.sql", table=name(check.table), columns=check.columns),)
    baseline = (
        (r.template("checks/row_count.sql", table=check.table),)
        if check.max_drop_pct is not None or check.max_growth_pct is not None
        else ()
    )
    from engine.samples import sample_sql

    return Step(
        f"check:{check.name}",
        "check",
        check.table,
        statements,
        tuple(sorted(final[t] for t in tables if t in final)),
        check,
        baseline=baseline,
        samples=sample_sql(check, r, name, custom_sql, key),
    )


def grants_of(p: Pipeline, table: str) -> dict[str, tuple[str, ...]]:
    """What the YAML grants on ``table``: the table's own ``grants:``, else the pipeline-wide ones."""
    own = p.star[table].grants if table in p.star else p.staging[table].grants
    return dict(own if own is not None else p.grants)


def publish_statements(
    ctx: RunContext,
    existing: Iterable[str] | None,
    views: dict[str, list[tuple[str, str]]] | None = None,
    only: Iterable[str] | None = None,
) -> tuple[str, ...]:
    """The swap of every shadow into place, inside the run's transaction.  ``existing`` is the set of
    live tables (None: assume all, as the dry run shows a second run); ``views`` the views that depend
    on each live table, (name, definition), rebound to the new table (Publish.RENAME_BACKUP)."""
    from engine import views as pipeline_views

    r, p = ctx.renderer, ctx.pipeline
    built = set(ctx.analysis.order if only is None else only)
    order = [t for t in ctx.analysis.order if t in built]
    live = set(order if existing is None else existing)
    # kind: view tables are dropped before the swaps and created over the live tables after
    drop_views, create_views = pipeline_views.publish(
        r, p, order, {t: shadow_name(t) for t in order}, ctx.analysis.selects
    )
    out: list[str] = list(drop_views)
    for t in order:
        if pipeline_views.is_view(p, t):
            continue
        grants = grants_of(ctx.pipeline, t)
        if ctx.adapter.publish is Publish.SWAP:
            out += r.statements("publish.sql", table=t, shadow=shadow_name(t))
        else:
            out += r.statements(
                "publish_rename.sql",
                table=t,
                shadow=shadow_name(t),
                backup=backup_name(t),
                exists=t in live,
                views=(views or {}).get(t, []),
            )
        if grants:
            out += r.statements("grants.sql", table=t, grants=grants)
    out += create_views
    for t in order:
        grants = grants_of(ctx.pipeline, t)
        if pipeline_views.is_view(p, t) and grants:
            out += r.statements("grants.sql", table=t, grants=grants)
    return tuple(out)


def cleanup_statements(
    ctx: RunContext, existing: Iterable[str] | None, only: Iterable[str] | None = None
) -> tuple[str, ...]:
    """After COMMIT: drop what publish renamed away (Publish.RENAME_BACKUP); nothing for a swap."""
    from engine.views import is_view

    if ctx.adapter.publish is Publish.SWAP:
        return ()
    live = set(ctx.analysis.order if existing is None else existing) & set(ctx.analysis.order if only is None else only)
    return tuple(
        sql
        for t in ctx.analysis.order
        if t in live and not is_view(ctx.pipeline, t)
        for sql in ctx.renderer.statements("publish_cleanup.sql", table=t, backup=backup_name(t))
    )


class StepBuilder:
    """Renders one variant of the run: into shadow tables (full) or into the live ones."""

    def __init__(self, ctx: RunContext, incremental: bool, only: frozenset[str] | None = None) -> None:
        self.ctx, self.p, self.r, self.a = ctx, ctx.pipeline, ctx.renderer, ctx.analysis
        self.incremental = incremental
        #: the tables this variant builds (--select, or what changed); the others are read live, untouched
        self.only = frozenset(self.p.tables) if only is None else only
        self.names = {t: t if incremental or t not in self.only else shadow_name(t) for t in self.p.tables}
        self.design = table_designs(self.p, ctx.adapter)

    def name(self, table: str) -> str:
        return self.names.get(table, table)

    def sql(self, key: str, rendered: str) -> str:
        """User SQL as written for the live tables, or pointed at the shadows."""
        if self.incremental or key not in self.a.trees:
            return rendered
        return point_at(self.a.trees[key], self.names, self.r.sqlglot_dialect)

    def build(self) -> tuple[Step, ...]:
        p, r, adapter = self.p, self.r, self.ctx.adapter
        steps: dict[str, Step] = {}
        final: dict[str, str] = {}
        for name in self.a.order:
            if name not in self.only:
                continue
            columns = p.table_columns(name)
            into = self.name(name)
            if views.is_view(p, name):  # no storage: (re)created over what it reads
                after_reads = tuple(final[t] for t in sorted(self.a.reads.get(name, ())) if t in final)
                steps[f"transform:{name}"] = Step(
                    f"transform:{name}",
                    "transform",
                    name,
                    views.create(r, p, name, into, self.sql(name, self.a.selects[name])),
                    after_reads,
                    into=into,
                )
                final[name] = f"transform:{name}"
                continue
            create = Step(
                f"create:{name}",
                "create",
                name,
                (
                    r.template("drop_table.sql", table=into),
                    r.template(
                        "create_table.sql",
                        table=into,
                        columns=columns,
                        table_def=p.star.get(name),
                        capabilities=adapter.capabilities,
                        design=self.design.get(name),
                    ),
                ),
                into=into,
            )
            if not self.incremental:
                steps[create.id] = create
            after = () if self.incremental else (create.id,)
            if name in p.staging:
                st = p.staging[name]
                source = p.sources[st.source]
                files = LoadFiles(()) if adapter.capabilities.copy_from_s3 else plan_files(source, cache_dir(p))
                spec = adapter.load_spec(source, replace(st, name=into), files)
                step = Step(
                    f"load:{name}", "load", name, depends_on=after, into=into, **load_parts(r, spec, p.name, name)
                )
            else:
                reads = sorted(t for t in self.a.reads.get(name, ()) if t != name)
                star = p.star[name]
                select = self.sql(name, self.a.selects[name])
                statements = (
                    r.statements("merge.sql", table=into, columns=columns, keys=star.primary_key, select=select)
                    if self.incremental
                    else r.statements("insert_select.sql", table=into, columns=columns, select=select)
                )
                step = Step(
                    f"transform:{name}",
                    "transform",
                    name,
                    statements,
                    (*after, *(f"{'load' if t in p.staging else 'transform'}:{t}" for t in reads if t in self.only)),
                    into=into,
                )
            steps[step.id] = step
            final[name] = step.id
        # a table's key checks read one scan of it, made by its unique check; a foreign key of a table that
        # is not scanned (not selected, or kept) is checked on its own
        scanned = {t for t in self.only if t in p.star}
        # a full build fills each shadow from its SELECT alone: what the SELECT guarantees need not be counted
        proofs = {} if self.incremental else rebuilt_proofs(p, self.a, self.only, r.sqlglot_dialect)
        for check in [*key_checks(p), *p.checks]:
            # an unselected (or kept) table's checks do not run, but a foreign key into a rebuilt table does
            if check.table not in self.only and check.to_table not in self.only:
                continue
            custom_sql, custom_reads = self.a.check_sql.get(check.name, ("", frozenset()))
            if custom_sql:
                custom_sql = self.sql(f"check:{check.name}", custom_sql)
            key: tuple[str, ...] = p.star[check.table].primary_key if check.table in p.star else ()
            step = _check_step(
                check,
                r,
                final,
                custom_sql,
                custom_reads,
                self.name,
                key,
                scanned=check.table in scanned,
                proof=proofs.get(check.table),
            )
            steps[step.id] = step
        if not self.incremental:
            # the swap: last, after every check, inside the run's transaction
            steps["publish"] = Step(
                "publish", "publish", None, publish_statements(self.ctx, None, only=self.only), tuple(steps)
            )
        ids = list(steps)
        rank = {sid: (KIND_RANK[steps[sid].kind], i) for i, sid in enumerate(ids)}
        order = topological_order(ids, {sid: steps[sid].depends_on for sid in ids}, rank)
        return tuple(steps[s] for s in order)
