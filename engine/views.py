"""``kind: view`` star tables: light transforms (casts, renames, cents to units) with no storage.

Why a view in the star rather than ``sql:`` on a staging table: a view is one more star
table, so the graph, the semantic checks (columns, reads), key checks and selection all
apply unchanged, and the staging table stays what it is, the file as loaded (which the
incremental manifest and the CSV/JSON mapping rely on). A staging ``sql:`` would need a
second, hidden table per staging table and two column lists.

A full run builds the view over the shadow tables (so checks and later transforms read
the new data); the publish drops the live views before the tables are swapped (a view
depends on its tables in PostgreSQL and Redshift) and creates them again over the live
names after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.config import Pipeline

if TYPE_CHECKING:
    from engine.render import SqlRenderer


def is_view(p: Pipeline, name: str) -> bool:
    return name in p.star and p.star[name].kind == "view"


def create(r: SqlRenderer, p: Pipeline, name: str, into: str, select: str) -> tuple[str, ...]:
    """The statements that (re)create the view ``into`` over ``select``."""
    return r.statements("create_view.sql", view=into, columns=p.star[name].columns, select=select)


def publish(
    r: SqlRenderer, p: Pipeline, order: list[str], shadow: dict[str, str], selects: dict[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(before the table swaps: drop live and shadow views; after: create the live views)."""
    views = [t for t in order if is_view(p, t)]
    before = tuple(r.template("drop_view.sql", view=v) for v in reversed(views)) + tuple(
        r.template("drop_view.sql", view=shadow[v]) for v in reversed(views)
    )
    after = tuple(sql for v in views for sql in create(r, p, v, v, selects[v]))
    return before, after
