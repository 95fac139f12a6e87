"""Dependencies between tables and the order steps run in.

A star table depends on what its SELECT reads: sqlglot parses the rendered SQL
and we collect its tables (CTE names excluded), so users never list them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import GraphError, Issue, Location

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.dialects.dialect import DialectType


@dataclass(frozen=True)
class ParsedSql:
    tree: exp.Expression
    tables: frozenset[str]


def parse_select(sql: str, dialect: DialectType) -> ParsedSql:
    """Parse one SELECT; raises sqlglot's ParseError (with line and column) when it cannot."""
    import sqlglot
    from sqlglot import exp

    tree: Any = sqlglot.parse_one(sql, read=dialect)
    ctes: set[str] = set()
    named: list[str] = []
    for node in tree.walk():  # one walk of the tree (a large pipeline parses thousands)
        if isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
        elif isinstance(node, exp.Table) and node.name:
            named.append(node.name.lower())
    tables = frozenset(n for n in named if n not in ctes)
    return ParsedSql(tree, tables)


KIND_RANK = {"create": 0, "load": 1, "transform": 2, "check": 3, "publish": 4}


def topological_order(
    nodes: list[str],
    deps: Mapping[str, Iterable[str]],
    rank: dict[str, tuple[int, int]],
    locations: dict[str, Location] | None = None,
) -> list[str]:
    """Kahn's algorithm, always taking the ready node of lowest rank, so the order is stable.

    Ranking by (kind, declaration order) makes every create come first and every check
    last, which reads like the hand-written scripts users know.
    """
    indegree = {n: 0 for n in nodes}
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for node in nodes:
        for dep in set(deps.get(node, ())):
            indegree[node] += 1
            children[dep].append(node)
    ready = [(rank[n], n) for n in nodes if indegree[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, (rank[child], child))
    if len(order) != len(nodes):
        stuck = [n for n in nodes if n not in set(order)]
        cycle = find_cycle(stuck, deps)
        where = (locations or {}).get(cycle[0]) or Location(None)
        raise GraphError(
            [
                Issue(
                    f"dependency cycle: {' -> '.join(cycle)}",
                    where,
                    "a table cannot read, directly or not, from itself",
                )
            ]
        )
    return order


def find_cycle(nodes: list[str], deps: Mapping[str, Iterable[str]]) -> list[str]:
    """One cycle among ``nodes``, written start → … → start."""
    allowed = set(nodes)
    start = nodes[0]
    path, seen = [start], {start: 0}
    node = start
    while True:
        nxt = next(d for d in sorted(set(deps.get(node, ()))) if d in allowed)
        if nxt in seen:
            return [*path[seen[nxt] :], nxt]
        seen[nxt] = len(path)
        path.append(nxt)
        node = nxt


def table_order(tables: list[str], reads: dict[str, frozenset[str]], locations: dict[str, Location]) -> list[str]:
    """Tables in build order; a GraphError names the cycle if there is one."""
    rank = {t: (0, i) for i, t in enumerate(tables)}
    deps = {t: [r for r in reads.get(t, frozenset()) if r in rank and r != t] for t in tables}
    for t in tables:
        if t in reads.get(t, frozenset()):
            raise GraphError(
                [
                    Issue(
                        f"dependency cycle: {t} -> {t}",
                        locations.get(t) or Location(None),
                        "a table cannot read from itself",
                    )
                ]
            )
    return topological_order(tables, deps, rank, locations)
