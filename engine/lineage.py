"""The pipeline's lineage: sources -> staging -> star -> queries, with each table's checks.

Derived from the plan the run executes (a transform step's dependencies are the tables its
SELECT reads), so the picture and the run can never disagree.  Building it needs no
connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from engine.context import PlannedRun

NodeKind = Literal["source", "staging", "fact", "dimension", "view", "query", "check"]


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    name: str
    #: the checks run on this table (declared ones and those its keys imply)
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str


@dataclass(frozen=True)
class Lineage:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def upstream(self, node_id: str) -> list[Node]:
        return [self.node(e.src) for e in self.edges if e.dst == node_id]

    def downstream(self, node_id: str) -> list[Node]:
        return [self.node(e.dst) for e in self.edges if e.src == node_id]


def node_id(kind: str, name: str) -> str:
    """Ids keep sources, tables and queries apart even where a name is shared."""
    prefix = "table" if kind in ("staging", "fact", "dimension", "view") else kind
    return f"{prefix}:{name}"


def lineage(plan: PlannedRun, with_checks: bool = False) -> Lineage:
    """The graph; ``with_checks`` adds a node per check, after the tables it reads (else a table
    node only lists its checks)."""
    from engine.graph import parse_select

    p = plan.pipeline
    checks: dict[str, list[str]] = {}
    for step in plan.steps:
        if step.check is not None:
            checks.setdefault(step.check.table, []).append(step.check.name)
    nodes = [Node(node_id("source", s), "source", s) for s in p.sources]
    nodes += [Node(node_id("staging", t), "staging", t, tuple(checks.get(t, ()))) for t in p.staging]
    nodes += [Node(node_id(t.kind, t.name), t.kind, t.name, tuple(checks.get(t.name, ()))) for t in p.star.values()]
    edges = [Edge(node_id("source", st.source), node_id("staging", t)) for t, st in p.staging.items()]
    by_step = {s.id: s for s in plan.steps}
    for step in plan.steps:
        if step.kind != "transform" or step.table is None:
            continue
        for dep in step.depends_on:
            upstream = by_step.get(dep)
            if upstream is not None and upstream.kind in ("load", "transform") and upstream.table:
                edges.append(Edge(node_id("staging", upstream.table), node_id("staging", step.table)))
    for q in p.queries.values():
        nodes.append(Node(node_id("query", q.name), "query", q.name))
        sql = plan.renderer.user_sql(q.sql, q.location)
        for table in sorted(parse_select(sql, plan.adapter.sqlglot_dialect).tables):
            if table in p.staging or table in p.star:
                edges.append(Edge(node_id("staging", table), node_id("query", q.name)))
    if with_checks:
        for step in plan.steps:
            if step.check is None:
                continue
            nodes.append(Node(node_id("check", step.check.name), "check", step.check.name))
            # the checked table, the one a foreign key points at, and what a check's own SQL reads
            read = {step.check.table, *([step.check.to_table] if step.check.to_table else [])}
            for dep in step.depends_on:
                upstream_table = by_step[dep].table if dep in by_step else None
                if upstream_table:
                    read.add(upstream_table)
            for name in sorted(t for t in read if t in p.staging or t in p.star):
                edges.append(Edge(node_id("staging", name), node_id("check", step.check.name)))
    return _selected(Lineage(tuple(nodes), tuple(dict.fromkeys(edges))), plan)


def _selected(graph: Lineage, plan: PlannedRun) -> Lineage:
    """Only the tables --select / --exclude left, with what feeds them and what reads them."""
    chosen = plan.plan.selected
    if not chosen or chosen == set(plan.pipeline.tables):
        return graph
    tables = {node_id("staging", t) for t in chosen}
    near = {e.src for e in graph.edges if e.dst in tables} | {e.dst for e in graph.edges if e.src in tables}
    keep = tables | {n for n in near if not n.startswith("table:")}
    nodes = tuple(n for n in graph.nodes if n.id in keep)
    return Lineage(nodes, tuple(e for e in graph.edges if e.src in keep and e.dst in keep))


def foreign_keys(plan: PlannedRun) -> list[tuple[str, str, str, str]]:
    """(table, column, referenced table, referenced column) for every declared foreign key."""
    out = []
    for t in plan.pipeline.star.values():
        for fk in t.foreign_keys:
            parent = plan.pipeline.star.get(fk.table)
            ref = fk.ref_column or (parent.primary_key[0] if parent else fk.column)
            out.append((t.name, fk.column, fk.table, ref))
    return out
