"""Names a target would read in another case than DuckDB does.

The engine quotes every name it creates, so a column declared ``orderId`` exists as
``"orderId"`` everywhere.  In the user's SQL an unquoted ``orderId`` is then found by DuckDB
(case-insensitive) but not by PostgreSQL, which folds unquoted names to lower case and looks
for ``orderid``: validate passes on DuckDB and the run fails on the other target.  This finds
such references before any run.  Whether a dialect folds comes from sqlglot's description of
it (its normalization strategy), not from the target's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.config import Pipeline
from engine.errors import Issue, Location

if TYPE_CHECKING:
    from sqlglot import exp


def _folder(dialect: str) -> str | None:
    """'lower' or 'upper' where unquoted names are folded, None where they keep their case or match any."""
    from sqlglot.dialects.dialect import Dialect, NormalizationStrategy

    strategy = Dialect.get_or_raise(dialect).normalization_strategy
    return {NormalizationStrategy.LOWERCASE: "lower", NormalizationStrategy.UPPERCASE: "upper"}.get(strategy)


def case_issues(p: Pipeline, trees: dict[str, exp.Expression], dialect: str) -> list[Issue]:
    """One issue per unquoted name in the star SQL and checks that ``dialect`` would fold away from its
    declared spelling; ``trees`` are the parsed statements by star table name or ``check:<name>``."""
    fold = _folder(dialect)
    if fold is None:
        return []
    from sqlglot import exp

    from engine.semantics import _position, sql_location

    tables = {t.lower(): t for t in p.tables}
    columns = {c.name.lower(): c.name for t in p.tables for c in p.table_columns(t)}
    issues: list[Issue] = []
    for key, tree in trees.items():
        star = p.star.get(key)
        check = next((c for c in p.checks if f"check:{c.name}" == key), None)
        base = p.document.locate(("star", key, "sql")) if star else check.location if check else Location(None)
        text = star.sql if star else ""
        seen: set[str] = set()
        if not isinstance(tree, exp.Expression):  # a SELECT the SQL cache answered: parse it for this check
            import sqlglot

            tree = sqlglot.parse_one(tree.sql, read=dialect)
        for node in tree.find_all(exp.Column, exp.Table):
            ident = node.this
            if not isinstance(ident, exp.Identifier) or ident.quoted:
                continue
            name = ident.name
            folded = name.lower() if fold == "lower" else name.upper()
            declared = (tables if isinstance(node, exp.Table) else columns).get(name.lower())
            if declared is None or declared == folded or name in seen:
                continue
            seen.add(name)
            line, col = _position(node, name)
            what = "table" if isinstance(node, exp.Table) else "column"
            issues.append(
                Issue(
                    f'{what} {name} is unquoted, so {dialect} reads it as {folded}, but it is declared as "{declared}"',
                    sql_location(star, base, text, line, col, star.sql_file if star else None),
                    f"name the {what} in lower snake_case in the YAML (e.g. {_snake(declared)}), or quote it as "
                    f'"{declared}" in the SQL',
                )
            )
    return issues


def _snake(name: str) -> str:
    import re

    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
