"""The plan: every statement of a run, in order and by phase, rendered.  Plain data.

This is what ``--dry-run`` prints and what the runner executes, so the two can never
disagree.  A ``Plan`` holds no connection, renderer or pipeline object: those live in
the run context (engine/context.py) that builds it and that the runner owns.  Building
a plan needs no connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from engine.config import Check
from engine.selection import TableGraph

if TYPE_CHECKING:
    from engine.config import Pipeline
    from engine.context import PlannedRun
    from engine.settings import Settings
    from engine.sources.stream import Feed
    from engine.targets.base import Bound, TemplateCall

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
    #: values bound to the named parameters (``$name``) of this step's statements: the text of a load's small
    #: files, which the engine has already read (engine/targets/_duckdb_json.py)
    bound: Bound = ()
    #: how to explain this step's failure (see the adapter's ``error_lookup``): rendered only on failure
    diagnose: TemplateCall | None = None
    #: the physical table the step writes: the shadow in a full run, the live table otherwise
    into: str | None = None
    #: a check's queries on the live table before the run changes anything (row_count change)
    baseline: tuple[str, ...] = ()
    #: a load's query for how many bad records it skipped into _etl_rejects (on_error: skip)
    rejects: str | None = None
    #: a check's query for a few of its failing rows (the key and the offending values), run when it fails
    samples: str | None = None
    #: a key check's number proved by the table's SELECT instead of counted: why (engine/key_proofs.py)
    proof: str = ""


@dataclass(frozen=True)
class Plan:
    """A full run, statement by statement: the incremental variant is rendered by the run context
    only for a run that turns out incremental (``PlannedRun.incremental_steps``)."""

    pipeline: str
    target: str
    #: where the target points, for humans (never a secret)
    where: str
    #: whether BEGIN/COMMIT wrap the run (the adapter's transactional_ddl)
    transactional: bool
    #: bookkeeping tables (run history, file manifest, table definitions, lock table): their own
    #: transaction, before the run's, so the run's first statement after BEGIN is its lock
    setup: tuple[str, ...]
    begin: str
    #: the run lock, first after BEGIN (rendered here for --wait 0; the runner renders its own wait)
    lock: tuple[str, ...]
    #: a full run forgets the files and table definitions it recorded before, right after the lock
    reset: tuple[str, ...]
    #: create, load, transform and check steps, then the publish step
    steps: tuple[Step, ...]
    #: the bookkeeping a full run writes inside its transaction, after publish (the run record itself
    #: is rendered when the run ends, and each load records its files as it goes)
    bookkeeping: tuple[str, ...]
    commit: str
    #: after COMMIT: what publish leaves behind (the backups of Publish.RENAME_BACKUP)
    cleanup: tuple[str, ...]
    rollback: str
    #: before BEGIN, what bounds a blocking lock's wait (Lock.BLOCKING), and after the lock, what lifts it
    lock_bound: tuple[str, ...] = ()
    lock_release: tuple[str, ...] = ()
    #: table -> the hash of how it is built (DDL, source settings, SELECT); a change means rebuild
    definitions: dict[str, str] = field(default_factory=dict)
    #: who reads whom, tags and sources: what --select and the rebuild decision walk
    graph: TableGraph = field(default_factory=lambda: TableGraph((), {}))
    #: the tables this run may touch (--select / --exclude); every table by default
    selected: frozenset[str] = frozenset()

    def phases(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(phase, [(step id, SQL)]) in the order a full run executes them."""
        out: list[tuple[str, list[tuple[str, str]]]] = [("setup", [("setup", s) for s in self.setup])]
        if self.transactional:
            out[0][1][:0] = [("setup", self.begin)]
            out[0][1].append(("setup", self.commit))
            out.append(("begin", [*(("lock", s) for s in self.lock_bound), ("begin", self.begin)]))
        out.append(("lock", [("lock", s) for s in (*self.lock, *self.lock_release)]))
        out.append(("state", [("state", s) for s in self.reset]))
        build = [(s.id, sql) for s in self.steps if s.kind not in ("check", "publish") for sql in s.statements]
        checks = [(s.id, sql) for s in self.steps if s.kind == "check" for sql in s.statements]
        publish = [(s.id, sql) for s in self.steps if s.kind == "publish" for sql in s.statements]
        out += [
            ("build", build),
            ("check", checks),
            ("publish", publish),
            ("bookkeeping", [("bookkeeping", s) for s in self.bookkeeping]),
        ]
        if self.transactional:
            out.append(("commit", [("commit", self.commit)]))
        out.append(("cleanup", [("cleanup", s) for s in self.cleanup]))
        return [(name, items) for name, items in out if items]

    def statements(self) -> list[tuple[str, str]]:
        """(step id, SQL) for every statement a full run would execute, in order."""
        return [item for _, items in self.phases() for item in items]


def build_plan(
    pipeline: Pipeline, target_name: str | None = None, settings: Settings | None = None, connect: object | None = None
) -> PlannedRun:
    """Validate semantics, derive the graph and render every statement for ``target_name``: the plan,
    with the run context that made it (adapter, renderer, pipeline), ready to run."""
    from engine.context import plan_run

    return plan_run(pipeline, target_name, settings, connect)
