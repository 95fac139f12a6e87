"""``--select`` / ``--exclude``: dbt's node selection grammar over the pipeline's tables.

A selector is one of::

    customers        the table
    +orders          the table and everything it reads, transitively (upstream)
    customers+       the table and everything that reads it (downstream)
    2+orders         upstream two levels only (``customers+1`` downstream one level)
    tag:nightly      tables with that tag (``tags:`` on a table)
    source:raw_orders  the staging tables loaded from that source (``source:raw_orders+`` and downstream)

Several selectors (repeated options, or separated by spaces) are a union; ``a,b`` is an
intersection, as in dbt.  ``--exclude`` uses the same grammar and is taken away last.
The graph is plain data (who reads whom), so this module needs no plan and no connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from engine.config import Pipeline
from engine.errors import ConfigError, Issue, Location

_SELECTOR = re.compile(r"^(?:(?P<up>\d*)\+)?(?P<method>[a-z_]+:)?(?P<name>[^+:]+)(?:\+(?P<down>\d*))?$")


@dataclass(frozen=True)
class TableGraph:
    """What selection needs to know about the pipeline: tables in order, what each reads, tags, sources."""

    tables: tuple[str, ...]
    #: table -> the pipeline tables its SELECT reads (its parents)
    reads: Mapping[str, frozenset[str]]
    tags: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: staging table -> the source it loads
    sources: Mapping[str, str] = field(default_factory=dict)

    def parents(self, table: str) -> frozenset[str]:
        return self.reads.get(table, frozenset())

    def children(self, table: str) -> frozenset[str]:
        return frozenset(t for t in self.tables if table in self.reads.get(t, ()))

    def upstream(self, tables: Iterable[str], depth: int | None = None) -> set[str]:
        return self._walk(tables, self.parents, depth)

    def downstream(self, tables: Iterable[str], depth: int | None = None) -> set[str]:
        return self._walk(tables, self.children, depth)

    @staticmethod
    def _walk(start: Iterable[str], step: Callable[[str], frozenset[str]], depth: int | None) -> set[str]:
        seen = set(start)
        frontier = set(seen)
        level = 0
        while frontier and (depth is None or level < depth):
            frontier = {n for t in frontier for n in step(t)} - seen
            seen |= frontier
            level += 1
        return seen


@dataclass(frozen=True)
class Selector:
    text: str
    method: str  # "table", "tag" or "source"
    name: str
    up: int | None = None  # None: not asked; -1: all levels
    down: int | None = None


def parse(text: str, where: Location | None = None) -> Selector:
    """One selector, e.g. ``+orders`` or ``source:raw_orders+``."""
    match = _SELECTOR.match(text.strip())
    if not match:
        raise ConfigError(
            [
                Issue(
                    f"cannot read the selector {text!r}",
                    where or Location(None),
                    "use NAME, +NAME, NAME+, tag:TAG or source:SOURCE (with + for up/downstream)",
                )
            ]
        )
    method = (match.group("method") or "table:")[:-1]
    if method not in ("table", "tag", "source"):
        raise ConfigError(
            [
                Issue(
                    f"unknown selector method '{method}:' in {text!r}",
                    where or Location(None),
                    "the methods are tag: and source: (a bare name selects a table)",
                )
            ]
        )

    def depth(group: str | None) -> int | None:
        if group is None:
            return None
        return int(group) if group else -1

    return Selector(text, method, match.group("name"), depth(match.group("up")), depth(match.group("down")))


def _base(sel: Selector, graph: TableGraph, where: Location) -> set[str]:
    from engine.validate import suggest

    if sel.method == "table":
        if sel.name not in graph.tables:
            raise ConfigError(
                [
                    Issue(
                        f"--select/--exclude: no table named '{sel.name}'",
                        where,
                        suggest(sel.name, graph.tables) or f"tables: {', '.join(graph.tables)}",
                    )
                ]
            )
        return {sel.name}
    if sel.method == "tag":
        found = {t for t in graph.tables if sel.name in graph.tags.get(t, ())}
        if not found:
            known = sorted({tag for tags in graph.tags.values() for tag in tags})
            raise ConfigError(
                [
                    Issue(
                        f"--select/--exclude: no table has the tag '{sel.name}'",
                        where,
                        suggest(sel.name, known)
                        or (f"tags in use: {', '.join(known)}" if known else "add tags: [name] to a table"),
                    )
                ]
            )
        return found
    found = {t for t, s in graph.sources.items() if s == sel.name}
    if not found:
        sources = sorted(set(graph.sources.values()))
        raise ConfigError(
            [
                Issue(
                    f"--select/--exclude: no staging table loads a source named '{sel.name}'",
                    where,
                    suggest(sel.name, sources) or f"sources: {', '.join(sources)}",
                )
            ]
        )
    return found


def _one(sel: Selector, graph: TableGraph, where: Location) -> set[str]:
    base = _base(sel, graph, where)
    out = set(base)
    if sel.up is not None:
        out |= graph.upstream(base, None if sel.up < 0 else sel.up)
    if sel.down is not None:
        out |= graph.downstream(base, None if sel.down < 0 else sel.down)
    return out


def _terms(values: Iterable[str]) -> list[str]:
    return [term for value in values for term in value.split() if term]


def _expression(term: str, graph: TableGraph, where: Location) -> set[str]:
    """``a,b``: the tables both select."""
    parts = [_one(parse(p, where), graph, where) for p in term.split(",") if p]
    out = parts[0]
    for part in parts[1:]:
        out &= part
    return out


def resolve(
    graph: TableGraph, select: Iterable[str] = (), exclude: Iterable[str] = (), where: Location | None = None
) -> frozenset[str]:
    """The tables the selectors pick (all of them when ``select`` is empty), minus the excluded ones."""
    where = where or Location(None)
    terms = _terms(select)
    chosen: set[str] = set(graph.tables) if not terms else set()
    for term in terms:
        chosen |= _expression(term, graph, where)
    for term in _terms(exclude):
        chosen -= _expression(term, graph, where)
    if not chosen:
        raise ConfigError([Issue("the selection leaves no table to run", where, "check --select and --exclude")])
    return frozenset(chosen)


def missing_inputs(graph: TableGraph, selected: frozenset[str], existing: set[str]) -> list[tuple[str, str]]:
    """(selected table, unselected table it reads that the warehouse does not hold yet)."""
    return sorted(
        (t, parent)
        for t in selected
        for parent in graph.parents(t)
        if parent not in selected and parent not in existing
    )


def refuse_missing(graph: TableGraph, selected: frozenset[str], existing: set[str], where: Location) -> None:
    """Stop a selection whose tables would read a table that does not exist yet; the fix is in the message."""
    missing = missing_inputs(graph, selected, existing)
    if not missing:
        return
    issues = [
        Issue(
            f"'{table}' is selected and reads '{parent}', which is not selected and does not exist in "
            "the warehouse yet",
            where,
            f"add it: --select +{table} (or --select {parent} too), or run the whole pipeline once",
        )
        for table, parent in missing
    ]
    raise ConfigError(issues)


def graph_of(pipeline: Pipeline, order: Iterable[str], reads: Mapping[str, Iterable[str]]) -> TableGraph:
    """The selection graph of a pipeline: tables in build order, what each reads, their tags and sources."""
    tables = tuple(order)
    known = set(tables)
    return TableGraph(
        tables,
        {t: frozenset(r for r in reads.get(t, ()) if r != t and r in known) for t in tables},
        {t: frozenset((pipeline.staging[t] if t in pipeline.staging else pipeline.star[t]).tags) for t in tables},
        {t: st.source for t, st in pipeline.staging.items()},
    )
