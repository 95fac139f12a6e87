"""The plan: every step of a run, in order, with its SQL rendered.

This is what ``--dry-run`` prints and what the runner executes, so the two can
never disagree.  Building a plan needs no connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from engine.config import Check, Pipeline, Target
from engine.graph import KIND_RANK, topological_order
from engine.inputs import LoadFiles, cache_dir, plan_files
from engine.render import SqlRenderer
from engine.semantics import Analysis, analyse
from engine.shadow import point_at, shadow_name
from engine.targets import adapter_class
from engine.targets.base import Adapter, LoadSpec

if TYPE_CHECKING:
    from engine.settings import Settings
    from engine.sources.stream import Feed

StepKind = Literal["create", "load", "transform", "check", "publish"]


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    table: str | None
    statements: tuple[str, ...]
    depends_on: tuple[str, ...] = ()
    check: Check | None = None
    #: files streamed to a ``COPY ... FROM STDIN`` statement of this step
    feed: Feed | None = None
    #: queries that explain this step's failure (Redshift's STL_LOAD_ERRORS)
    diagnose: tuple[str, ...] = ()
    #: the physical table the step writes: the shadow in a full run, the live table otherwise
    into: str | None = None
    #: a check's queries on the live table before the run changes anything (row_count change)
    baseline: tuple[str, ...] = ()
    #: a load's query for how many bad records it skipped into _etl_rejects (on_error: skip)
    rejects: str | None = None


@dataclass(frozen=True)
class Plan:
    """Both ways a run can go: a full build into shadow tables, or an incremental update.

    ``steps`` is the full run (what ``--dry-run`` prints): create, load and transform into
    shadow tables, check them, then publish them in place of the live tables.
    ``incremental_steps`` loads only new files into the live staging tables and merges the
    star tables by key.  The runner picks one after looking at the warehouse.
    """

    pipeline: Pipeline
    target: Target
    adapter: Adapter
    renderer: SqlRenderer
    steps: tuple[Step, ...]
    #: renders the incremental variant; only a run that turns out incremental pays for it
    incremental: Callable[[], tuple[Step, ...]]
    begin: str
    commit: str
    rollback: str

    @cached_property
    def incremental_steps(self) -> tuple[Step, ...]:
        return self.incremental()

    @property
    def reads_local_files(self) -> bool:
        """False where the warehouse reads the files itself (Redshift COPY from S3)."""
        return not self.adapter.capabilities.copy_from_s3

    def definition_hash(self, table: str) -> str:
        """Identifies how a table is built (its DDL, its source's settings, its SELECT).

        When it changes, rows already in the table may no longer follow the definition, so
        the next run rebuilds instead of adding to them.
        """
        import hashlib
        from dataclasses import asdict

        parts = [sql for s in self.steps if s.table == table and s.kind in ("create", "transform")
                 for sql in s.statements]
        if table in self.pipeline.staging:
            source = asdict(self.pipeline.sources[self.pipeline.staging[table].source])
            source.pop("location", None)
            parts.append(repr(sorted(source.items())))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def render_load(self, step: Step, paths: tuple[str, ...]) -> Step:
        """The load step over exactly ``paths`` (what this run lists), rendered as the plan was."""
        from dataclasses import replace

        assert step.table is not None and step.into is not None
        staging = self.pipeline.staging[step.table]
        source = self.pipeline.sources[staging.source]
        jsonpaths = plan_files(source, cache_dir(self.pipeline)).jsonpaths if source.jsonpaths else None
        spec = self.adapter.load_spec(source, replace(staging, name=step.into), LoadFiles(paths, jsonpaths))
        return replace(step, **_load_parts(self.renderer, spec, self.pipeline.name, step.table))

    def statements(self) -> list[tuple[str, str]]:
        """(step id, SQL) for every statement a full run would execute, in order."""
        out = [("begin", self.begin)]
        out += [(s.id, sql) for s in self.steps for sql in s.statements]
        out.append(("commit", self.commit))
        return out


def _load_parts(r: SqlRenderer, spec: LoadSpec, pipeline: str, table: str) -> dict[str, Any]:
    """A load's spec rendered into Step fields; the context gains the pipeline's and the staging table's
    names, which the rejects templates record."""
    context = {**spec.context, "pipeline": pipeline, "staging": table}
    return {"statements": r.statements(spec.template, **context), "feed": spec.feed,
            "diagnose": r.statements(spec.diagnose, **context) if spec.diagnose else (),
            "rejects": r.template(spec.rejects, **context) if spec.rejects else None}


def key_checks(p: Pipeline) -> list[Check]:
    """The checks every declared key implies: primary keys unique and not null, foreign keys resolve.
    They are computed in one scan per table (checks/key_scan.sql) by the table's unique check, whose
    ``values`` carry the table's foreign keys as (column, parent table, parent column); the others read
    their number from it."""
    out = []
    for name, t in p.star.items():
        cols = t.primary_key
        where = p.document.locate(("star", name, "primary_key"))
        fks = []
        for fk in t.foreign_keys:
            parent = p.star.get(fk.table)
            ref = fk.ref_column or (parent.primary_key[0] if parent else fk.column)
            fks.append(Check(f"foreign_key_{name}_{fk.column}", "relationships", name, fk.location,
                             columns=(fk.column,), to_table=fk.table, to_column=ref, declared=False))
        out.append(Check(f"primary_key_unique_{name}", "unique", name, where, columns=cols, declared=False,
                         values=tuple((c.columns[0], c.to_table, c.to_column) for c in fks)))
        out.append(Check(f"primary_key_not_null_{name}", "not_null", name, where, columns=cols, declared=False))
        out += fks
    return out


def _key_step(check: Check, r: SqlRenderer, final: dict[str, str], name: Callable[[str], str]) -> Step:
    """A check implied by a declared key: the table's unique check scans the table once for all of them
    (key_checks), the not-null and foreign-key checks read their number after it."""
    scan = f"_etl_keys_{name(check.table)}"
    first = f"check:primary_key_unique_{check.table}"
    if check.kind == "unique":
        fks = [(column, name(to_table), to_column) for column, to_table, to_column in check.values]
        statements = r.statements("checks/key_scan.sql", scan=scan, table=name(check.table), columns=check.columns,
                                  foreign_keys=fks)
        tables = {check.table} | {to_table for _c, to_table, _t in check.values}
        depends = tuple(sorted(final[t] for t in tables if t in final))
    else:
        value = "null_keys" if check.kind == "not_null" else f"orphans_{check.columns[0]}"
        statements = (r.template("checks/key_value.sql", scan=scan, value=value),)
        depends = (first,)
    return Step(f"check:{check.name}", "check", check.table, statements, depends, check)


def _check_step(check: Check, r: SqlRenderer, final: dict[str, str], custom_sql: str,
                custom_reads: frozenset[str], name: Callable[[str], str]) -> Step:
    if not check.declared and check.kind in ("unique", "not_null", "relationships"):
        return _key_step(check, r, final, name)
    tables = {check.table} | ({check.to_table} if check.to_table else set()) | custom_reads
    statements: tuple[str, ...]
    if check.kind == "row_count":
        statements = (r.template("checks/row_count.sql", table=name(check.table)),)
        if check.equals_sql:
            statements += (r.template("checks/row_count_sql.sql", sql=custom_sql),)
    elif check.kind == "sql":
        statements = (r.template("checks/failing_rows.sql", sql=custom_sql),)
    elif check.kind == "accepted_values":
        statements = (r.template("checks/accepted_values.sql", table=name(check.table), column=check.columns[0],
                                 values=check.values),)
    elif check.kind == "relationships":
        assert check.to_table is not None
        statements = (r.template("checks/relationships.sql", table=name(check.table), column=check.columns[0],
                                 to_table=name(check.to_table), to_column=check.to_column or check.columns[0]),)
    else:
        statements = (r.template(f"checks/{check.kind}.sql", table=name(check.table), columns=check.columns),)
    baseline = (r.template("checks/row_count.sql", table=check.table),) \
        if check.max_drop_pct is not None or check.max_growth_pct is not None else ()
    return Step(f"check:{check.name}", "check", check.table, statements,
                tuple(sorted(final[t] for t in tables if t in final)), check, baseline=baseline)


def build_plan(pipeline: Pipeline, target_name: str | None = None, settings: Settings | None = None) -> Plan:
    """Validate semantics, derive the graph and render every statement for ``target_name``."""
    target = pipeline.target(target_name)
    adapter = adapter_class(target.type, target.location)(target, settings=settings)
    r = SqlRenderer(adapter.templates(), adapter.sqlglot_dialect, pipeline.templates_dir, pipeline.vars)
    analysis: Analysis = analyse(pipeline, r)
    full = _Steps(pipeline, adapter, r, analysis, incremental=False).build()
    incremental = _Steps(pipeline, adapter, r, analysis, incremental=True).build
    return Plan(pipeline, target, adapter, r, full, incremental,
                r.template("begin.sql"), r.template("commit.sql"), r.template("rollback.sql"))


class _Steps:
    """Renders one variant of the run: into shadow tables (full) or into the live ones."""

    def __init__(self, pipeline: Pipeline, adapter: Adapter, r: SqlRenderer, analysis: Analysis,
                 incremental: bool) -> None:
        self.p, self.adapter, self.r, self.a = pipeline, adapter, r, analysis
        self.incremental = incremental
        self.names = {t: t if incremental else shadow_name(t) for t in pipeline.tables}

    def name(self, table: str) -> str:
        return self.names.get(table, table)

    def sql(self, key: str, rendered: str) -> str:
        """User SQL as written for the live tables, or pointed at the shadows."""
        if self.incremental or key not in self.a.trees:
            return rendered
        return point_at(self.a.trees[key], self.names, self.r.sqlglot_dialect)

    def build(self) -> tuple[Step, ...]:
        p, r, adapter = self.p, self.r, self.adapter
        steps: dict[str, Step] = {}
        final: dict[str, str] = {}
        for name in self.a.order:
            columns = p.table_columns(name)
            into = self.name(name)
            create = Step(f"create:{name}", "create", name, (
                r.template("drop_table.sql", table=into),
                r.template("create_table.sql", table=into, columns=columns,
                           table_def=p.star.get(name), capabilities=adapter.capabilities),
            ), into=into)
            if not self.incremental:
                steps[create.id] = create
            after = () if self.incremental else (create.id,)
            if name in p.staging:
                st = p.staging[name]
                source = p.sources[st.source]
                files = LoadFiles(()) if adapter.capabilities.copy_from_s3 else plan_files(source, cache_dir(p))
                spec = adapter.load_spec(source, replace(st, name=into), files)
                step = Step(f"load:{name}", "load", name, depends_on=after, into=into,
                            **_load_parts(r, spec, p.name, name))
            else:
                reads = sorted(t for t in self.a.reads.get(name, ()) if t != name)
                star = p.star[name]
                select = self.sql(name, self.a.selects[name])
                statements = r.statements("merge.sql", table=into, columns=columns, keys=star.primary_key,
                                          select=select) if self.incremental else \
                    (r.template("insert_select.sql", table=into, columns=columns, select=select),)
                step = Step(f"transform:{name}", "transform", name, statements,
                            (*after, *(f"{'load' if t in p.staging else 'transform'}:{t}" for t in reads)),
                            into=into)
            steps[step.id] = step
            final[name] = step.id
        for check in [*key_checks(p), *p.checks]:
            custom_sql, custom_reads = self.a.check_sql.get(check.name, ("", frozenset()))
            if custom_sql:
                custom_sql = self.sql(f"check:{check.name}", custom_sql)
            step = _check_step(check, r, final, custom_sql, custom_reads, self.name)
            steps[step.id] = step
        if not self.incremental:
            # the swap: last, after every check, inside the run's transaction
            publish = tuple(sql for t in self.a.order
                            for sql in r.statements("publish.sql", table=t, shadow=self.name(t)))
            steps["publish"] = Step("publish", "publish", None, publish, tuple(steps))
        ids = list(steps)
        rank = {sid: (KIND_RANK[steps[sid].kind], i) for i, sid in enumerate(ids)}
        order = topological_order(ids, {sid: steps[sid].depends_on for sid in ids}, rank)
        return tuple(steps[s] for s in order)
