"""What the schema cannot say: references between sections, columns, and SQL.

Runs after schema validation on the typed model and gathers every issue before
raising, so the user fixes a file in one pass rather than one error per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.config import Check, Pipeline, StarTable
from engine.errors import ConfigError, Issue, Location
from engine.graph import ParsedSql, parse_select, table_order
from engine.identifier_case import case_issues
from engine.render import SqlRenderer
from engine.static import bound_issues, name_issues, statement_issue
from engine.validate import suggest

if TYPE_CHECKING:
    from sqlglot import exp

    from engine.sql_cache import SqlCache


@dataclass(frozen=True)
class Analysis:
    """What later stages need from the checks: each star table's rendered SELECT and reads."""

    selects: dict[str, str]
    reads: dict[str, frozenset[str]]
    #: for each check with custom SQL (by name): that SQL rendered, and the tables it reads
    check_sql: dict[str, tuple[str, frozenset[str]]]
    order: list[str]
    #: the parsed trees of the star SELECTs and the checks' SQL, so a full run's SQL can be
    #: pointed at the shadow tables without parsing again
    trees: dict[str, exp.Expression]


def sql_location(
    table: StarTable | None, base: Location, sql: str, line: int | None, col: int | None, file: Path | None
) -> Location:
    """Map a line inside the SQL text back to the .sql file or the YAML block holding it."""
    if file is not None:
        return Location(file, line, col, base.yaml_path)
    if line is None or base.line is None:
        return base
    if "\n" not in sql.strip():
        column = base.column + col - 1 if base.column is not None and col is not None else base.column
        return Location(base.file, base.line, column, base.yaml_path)
    # a block scalar (sql: |) starts on the line after its key
    return Location(base.file, base.line + line, col, base.yaml_path)


class _Checker:
    def __init__(self, p: Pipeline, renderer: SqlRenderer) -> None:
        self.p = p
        self.r = renderer
        self.issues: list[Issue] = []
        self.tables = set(p.tables)
        self.cache: SqlCache | None = None
        # answers to store once the whole analysis (the identifier case check included) has passed
        self.passed: list[tuple[str, list[str] | None, frozenset[str], str]] = []
        self._dialect: Any = None

    @property
    def dialect(self) -> Any:
        """One sqlglot dialect instance for every parse and qualify (sqlglot builds a new one per call given a
        name); made on first use, so SQL the cache answers never imports sqlglot."""
        if self._dialect is None:
            from sqlglot.dialects.dialect import Dialect

            self._dialect = Dialect.get_or_raise(self.r.sqlglot_dialect)
        return self._dialect

    def add(self, message: str, where: Location, hint: str | None = None) -> None:
        self.issues.append(Issue(message, where, hint))

    def columns_of(self, table: str) -> list[str]:
        return [c.name for c in self.p.table_columns(table)]

    def need_table(self, name: str, where: Location, what: str = "table") -> bool:
        if name in self.tables:
            return True
        self.add(f"undefined {what} '{name}'", where, suggest(name, self.tables))
        return False

    def need_column(self, table: str, column: str, where: Location) -> None:
        cols = self.columns_of(table)
        if column not in cols:
            self.add(f"table '{table}' has no column '{column}'", where, suggest(column, cols))

    def structure(self) -> None:
        doc = self.p.document
        for name, st in self.p.staging.items():
            if name in self.p.star:
                self.add(f"'{name}' is declared under both staging and star", self.p.star[name].location)
            if st.source not in self.p.sources:
                self.add(
                    f"undefined source '{st.source}'",
                    doc.locate(("staging", name, "source")),
                    suggest(st.source, list(self.p.sources)),
                )
        for name, t in self.p.star.items():
            for col in t.primary_key:
                self.need_column(name, col, doc.locate(("star", name, "primary_key")))
            for fk in t.foreign_keys:
                self.need_column(name, fk.column, fk.location)
                if fk.table not in self.p.star:
                    self.add(
                        f"foreign key {name}.{fk.column} names '{fk.table}', which is not a star table",
                        fk.location,
                        suggest(fk.table, list(self.p.star)),
                    )
                    continue
                parent = self.p.star[fk.table]
                ref = fk.ref_column or (parent.primary_key[0] if len(parent.primary_key) == 1 else None)
                if ref is None:
                    self.add(
                        f"'{fk.table}' has a composite key; give the column: {{table: {fk.table}, column: ...}}",
                        fk.location,
                    )
                else:
                    self.need_column(fk.table, ref, fk.location)
            if t.distribution and t.distribution.key:
                self.need_column(name, t.distribution.key, doc.locate(("star", name, "distribution", "key")))
            if t.sort:
                for col in t.sort.keys:
                    self.need_column(name, col, doc.locate(("star", name, "sort")))

    def check(self, c: Check) -> tuple[str, ParsedSql] | None:
        if not self.need_table(c.table, c.location):
            return None
        for col in c.columns:
            self.need_column(c.table, col, c.location)
        if c.to_table and self.need_table(c.to_table, c.location) and c.to_column:
            self.need_column(c.to_table, c.to_column, c.location)
        custom = c.equals_sql or c.query
        if custom:
            return self.sql(custom, c.location, None, None)
        return None

    def sql(
        self, text: str, where: Location, file: Path | None, declared: list[str] | None, table: StarTable | None = None
    ) -> tuple[str, ParsedSql] | None:
        try:
            rendered = self.r.user_sql(text, where)
        except ConfigError as exc:
            self.issues.extend(exc.issues)
            return None
        hit = self.cache.get(rendered, declared) if self.cache else None
        if hit is not None:  # this SQL passed every check below before, with these tables and columns
            return rendered, ParsedSql(hit[1], hit[0])  # type: ignore[arg-type]
        before = len(self.issues)
        result = self._parsed(rendered, text, where, file, declared, table)
        if result is not None and self.cache and len(self.issues) == before:
            from engine.shadow import point_at

            parsed = result[1]
            pointed = point_at(parsed.tree, dict(self.cache.names), self.r.sqlglot_dialect)
            self.passed.append((rendered, declared, parsed.tables, pointed))
        return result

    def _parsed(
        self,
        rendered: str,
        text: str,
        where: Location,
        file: Path | None,
        declared: list[str] | None,
        table: StarTable | None,
    ) -> tuple[str, ParsedSql] | None:
        from sqlglot.errors import OptimizeError, ParseError

        dialect = self.dialect
        try:
            parsed = parse_select(rendered, dialect)
        except ParseError as exc:
            err = exc.errors[0] if exc.errors else {}
            self.add(
                f"SQL does not parse: {err.get('description', exc)}",
                sql_location(table, where, text, err.get("line"), err.get("col"), file),
            )
            return None
        not_a_query = statement_issue(parsed.tree)
        if not_a_query:
            self.add(not_a_query, where)
            return None
        from sqlglot import exp

        unknown = sorted(t for t in parsed.tables if t not in self.tables)
        for name in unknown:
            table_node = next(t for t in parsed.tree.find_all(exp.Table) if t.name.lower() == name)
            line, col = _position(table_node, name)
            self.add(
                f"SQL reads undefined table '{name}'",
                sql_location(table, where, text, line, col, file),
                suggest(name, self.tables),
            )
        if unknown:
            return None
        from sqlglot.optimizer.qualify import qualify

        schema: dict[str, object] = {t: {c.name: c.type for c in self.p.table_columns(t)} for t in parsed.tables}
        try:
            qualified = (
                parsed.tree
                if _plainly_valid(parsed.tree, self.p, parsed.tables)
                else qualify(
                    parsed.tree.copy(), schema=schema, dialect=dialect, validate_qualify_columns=True, identify=False
                )
            )
        except OptimizeError as exc:
            line = col = None
            hint = None
            match = re.search(r"(?:Unknown column:?\s*|Column\s+)'?([A-Za-z_][A-Za-z0-9_]*)", str(exc))
            if match:
                name = match.group(1)
                node = next((c for c in parsed.tree.find_all(exp.Column) if c.name == name), None)
                if node is not None:
                    line, col = _position(node, name)
                known = sorted({c.name for t in parsed.tables for c in self.p.table_columns(t)})
                hint = suggest(name, known)
            self.add(f"SQL: {exc}", sql_location(table, where, text, line, col, file), hint)
            return None
        if declared is not None:
            names = [n.lower() for n in qualified.named_selects] if hasattr(qualified, "named_selects") else []
            if len(names) != len(declared):
                self.add(
                    f"the SELECT returns {len(names)} columns but the table declares {len(declared)}",
                    where,
                    f"select, in order: {', '.join(declared)}",
                )
            else:
                for i, (got, want) in enumerate(zip(names, declared, strict=False), 1):
                    if got != want.lower():
                        self.add(
                            f"column {i} of the SELECT is '{got}' but the table declares '{want}' there",
                            where,
                            "alias each output column as the declared name, in order",
                        )
        return rendered, parsed


def _plainly_valid(tree: exp.Expression, p: Pipeline, tables: frozenset[str]) -> bool:
    """Whether a SELECT is plainly valid without sqlglot's qualify (most of the cost of validating a large
    pipeline): one table, no join, subquery, CTE or star, every output a column or an alias, and every
    column one of the table's.  Anything else, valid or not, goes through qualify, which says what is wrong."""
    from sqlglot import exp

    if not isinstance(tree, exp.Select) or len(tables) != 1 or tree.args.get("with") or tree.args.get("joins"):
        return False
    if not all(isinstance(e, (exp.Column, exp.Alias)) for e in tree.expressions):
        return False
    known = {c.name.lower() for c in p.table_columns(next(iter(tables)))}
    table: exp.Table | None = None
    columns: list[exp.Column] = []
    for node in tree.walk():  # one walk: this runs once per star table
        if isinstance(node, exp.Table):
            if table is not None or node.this.args.get("quoted") or node.args.get("db"):
                return False
            table = node
        elif isinstance(node, exp.Column):
            columns.append(node)
        elif isinstance(node, (exp.Subquery, exp.Star, exp.Lateral, exp.Unnest, exp.Values)):
            return False
    if table is None:
        return False
    names = {table.alias_or_name.lower(), table.name.lower()}
    for column in columns:
        if column.table and column.table.lower() not in names:
            return False
        if column.name.lower() not in known or not isinstance(column.this, exp.Identifier) or column.this.quoted:
            return False
    return True


def _position(node: exp.Expression, name: str) -> tuple[int | None, int | None]:
    """Line and first column of a parsed name (sqlglot records where the token ends)."""
    meta = getattr(node.this, "meta", None) or {}
    line, end = meta.get("line"), meta.get("col")
    return line, (end - len(name) + 1 if isinstance(end, int) else None)


def analyse(p: Pipeline, renderer: SqlRenderer) -> Analysis:
    """Run every semantic check; return the rendered SELECTs and the build order."""
    from engine.paths import location_issues
    from engine.shadow import shadow_name
    from engine.sql_cache import CachedTree, SqlCache

    c = _Checker(p, renderer)
    c.issues.extend(location_issues(p))
    c.issues.extend(name_issues(p))
    c.issues.extend(bound_issues(p))
    c.cache = SqlCache(
        renderer.sqlglot_dialect,
        {t: [(col.name, col.type) for col in p.table_columns(t)] for t in p.tables},
        {t: shadow_name(t) for t in p.tables},
    )
    c.structure()
    selects: dict[str, str] = {}
    reads: dict[str, frozenset[str]] = {}
    trees: dict[str, exp.Expression] = {}
    for name, t in p.star.items():
        result = c.sql(t.sql, p.document.locate(("star", name, "sql")), t.sql_file, [col.name for col in t.columns], t)
        if result:
            selects[name], parsed = result
            reads[name] = parsed.tables
            trees[name] = parsed.tree
    check_sql: dict[str, tuple[str, frozenset[str]]] = {}
    for check in p.checks:
        rendered = c.check(check)
        if rendered:
            check_sql[check.name] = (rendered[0], rendered[1].tables)
            trees[f"check:{check.name}"] = rendered[1].tree
    for q in p.queries.values():
        c.sql(q.sql, q.location, None, None)
    # A cached SELECT passed the case check when it was stored (stored only after it, below), so only
    # freshly parsed ones are checked: a first validate of unchanged SQL imports no sqlglot.
    fresh = {key: tree for key, tree in trees.items() if not isinstance(tree, CachedTree)}
    if fresh:
        c.issues += case_issues(p, fresh, renderer.sqlglot_dialect)
    if c.issues:
        raise ConfigError(c.issues)
    if c.cache:
        for entry in c.passed:
            c.cache.put(*entry)
    locations = {n: t.location for n, t in p.star.items()}
    return Analysis(selects, reads, check_sql, table_order(p.tables, reads, locations), trees)
