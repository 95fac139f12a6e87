"""Values that can never work, refused at validate rather than met at run time.

Warehouses fold unquoted names to one case, so two tables (or two columns of a table)
whose names differ only in case are one name there; a row_count whose ``min`` is above
its ``max`` fails on any data; SQL that is not a query (a DELETE where a check's SELECT
belongs) is never what a pipeline means, and it must not run inside the run's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.config import Pipeline
from engine.errors import Issue

if TYPE_CHECKING:
    from sqlglot import exp


def name_issues(p: Pipeline) -> list[Issue]:
    """Tables, and the columns of each table, whose names are equal but for case."""
    issues: list[Issue] = []
    first: dict[str, tuple[str, str]] = {}
    for section, tables in (("staging", p.staging), ("star", p.star)):
        for name in tables:
            seen = first.setdefault(name.lower(), (section, name))
            if seen[1] != name:
                issues.append(
                    Issue(
                        f"table '{name}' differs from table '{seen[1]}' only in case; a warehouse "
                        "folds them to one name",
                        p.document.locate((section, name), key=True),
                        "give one of them another name",
                    )
                )
    for section, tables in (("staging", p.staging), ("star", p.star)):
        for name, table in tables.items():
            columns: dict[str, str] = {}
            for column in table.columns:
                other = columns.setdefault(column.name.lower(), column.name)
                if other != column.name:
                    issues.append(
                        Issue(
                            f"column '{column.name}' of '{name}' differs from column '{other}' only "
                            "in case; a warehouse folds them to one name",
                            p.document.locate((section, name, "columns", column.name), key=True),
                            "give one of them another name",
                        )
                    )
    return issues


def bound_issues(p: Pipeline) -> list[Issue]:
    """row_count checks that no table can pass."""
    issues: list[Issue] = []
    for check in p.checks:
        if check.kind != "row_count":
            continue
        if check.min is not None and check.max is not None and check.min > check.max:
            issues.append(
                Issue(
                    f"row_count of '{check.table}': min {check.min:,} is above max {check.max:,}; no table can pass",
                    check.location,
                    "swap them, or fix the one that is wrong",
                )
            )
        for name, value in (("min", check.min), ("max", check.max), ("equals", check.equals)):
            if value is not None and value < 0:
                issues.append(Issue(f"row_count of '{check.table}': {name} {value:,} is below zero", check.location))
        if check.equals is not None and (
            (check.min is not None and check.equals < check.min) or (check.max is not None and check.equals > check.max)
        ):
            issues.append(
                Issue(f"row_count of '{check.table}': equals {check.equals:,} is outside min..max", check.location)
            )
    return issues


#: statements that change a warehouse; none belongs in a SELECT, a check or a query
def _writes(tree: exp.Expression) -> str | None:
    from sqlglot import exp

    kinds = (
        exp.Delete,
        exp.Insert,
        exp.Update,
        exp.Merge,
        exp.Drop,
        exp.Create,
        exp.Alter,
        exp.TruncateTable,
        exp.Command,
    )
    # a statement that writes is the whole SQL, or hides in a WITH at its top (PostgreSQL's data-modifying
    # CTEs, allowed nowhere else): a SELECT without one needs no walk of its tree
    plain = isinstance(tree, exp.Select) and not tree.args.get("with")
    found = tree if isinstance(tree, kinds) else None if plain else tree.find(*kinds)
    if found is not None:
        return found.key.upper().replace("TRUNCATETABLE", "TRUNCATE")
    if tree.args.get("into") is not None:
        return "SELECT INTO"
    return None


def statement_issue(tree: exp.Expression) -> str | None:
    """Why parsed SQL is not a plain query (a SELECT, a set operation, VALUES), or None when it is one."""
    from sqlglot import exp

    writes = _writes(tree)
    if writes:
        return f"{writes} is not a query: only a SELECT runs here, and nothing may change the warehouse"
    if not isinstance(tree, (exp.Query, exp.Values)):
        return f"{tree.key.upper()} is not a query: only a SELECT runs here"
    return None
