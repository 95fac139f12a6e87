"""Which tables a run rebuilds, which it updates, which it keeps, and why (per table).

The warehouse remembers the definition each table was built with (``_etl_tables``).  A
table whose definition changed (or that is missing) is rebuilt from scratch, and so is
everything downstream of it; a changed staging table reloads only its own files.  Every
other selected table is kept as it is, still published.  When nothing changed, the run
is incremental: new files only, star tables merged by key.  This module only decides;
it needs no connection and no plan, only the graph and the two sets of definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.selection import TableGraph

#: full: every selected table rebuilt; partial: some rebuilt, the rest kept; incremental: new files, merge
RunMode = Literal["full", "partial", "incremental"]


@dataclass(frozen=True)
class Decision:
    mode: RunMode
    #: tables built into shadow tables and published (full and partial runs)
    rebuild: frozenset[str]
    #: the one-line reason the summary's total shows
    reason: str
    #: table -> why it is rebuilt, updated or kept
    tables: dict[str, str] = field(default_factory=dict)

    @property
    def incremental(self) -> bool:
        return self.mode == "incremental"

    @property
    def kept(self) -> list[str]:
        return [t for t, why in self.tables.items() if why.startswith("kept")]


def decide(
    graph: TableGraph,
    selected: frozenset[str],
    declared: dict[str, str],
    recorded: dict[str, str],
    existing: set[str],
    *,
    full_refresh: bool = False,
    incremental_ok: str | None = None,
    emptied: frozenset[str] = frozenset(),
) -> Decision:
    """The run's plan of action.

    ``declared``: each table's definition hash now; ``recorded``: as built; ``existing``: tables the
    warehouse holds; ``incremental_ok``: None where the target can update in place, else why not;
    ``emptied``: tables that exist but lost their rows to a crash (unlogged), rebuilt like changed ones.
    """
    order = [t for t in graph.tables if t in selected]
    whole = frozenset(order)

    def everything(why: str) -> Decision:
        return Decision("full", whole, why, {t: f"rebuilt ({why})" for t in order})

    if full_refresh:
        return everything("--full-refresh")
    if incremental_ok is not None:
        return everything(incremental_ok)
    if not recorded:
        return everything("first run")
    changed: dict[str, str] = {}
    for t in order:
        if t not in existing:
            changed[t] = "missing from the warehouse"
        elif t not in recorded:
            changed[t] = "not built by this pipeline before"
        elif recorded[t] != declared[t]:
            changed[t] = "definition changed"
        elif t in emptied:
            changed[t] = "empty and unlogged, as a crash leaves it"
    if not changed:
        return Decision(
            "incremental",
            frozenset(),
            "only files not loaded before",
            {t: "updated (new files only)" if not graph.parents(t) else "updated (merged by key)" for t in order},
        )
    reasons = {t: f"rebuilt ({why})" for t, why in changed.items()}
    rebuild = set(changed)
    for t in order:  # graph order: a table's parents come first
        if t in rebuild:
            continue
        parents = sorted(p for p in graph.parents(t) if p in rebuild)
        if parents:
            rebuild.add(t)
            reasons[t] = f"rebuilt (reads {', '.join(parents)}, rebuilt)"
    first = next(iter(changed))
    summary = f"{first} {changed[first]}" + (f" (+{len(changed) - 1} more)" if len(changed) > 1 else "")
    tables = {t: reasons.get(t, "kept (unchanged)") for t in order}
    if rebuild == whole:
        return Decision("full", whole, summary, tables)
    kept = len(whole) - len(rebuild)
    return Decision("partial", frozenset(rebuild), f"{summary}; rebuilt {len(rebuild)}, kept {kept}", tables)
