"""A warehouse's lint: SQL that parses but fails on the real warehouse, refused before any SQL runs.

The rules are data (``schemas/<adapter>_lint.yaml``, each entry with the documentation page it
comes from); a target without such a file is not linted.  Every statement a run renders is
checked (the plan's steps in both variants, the failure diagnosis, the bookkeeping templates)
and every user SELECT (star tables, checks, queries).  Words are matched as sqlglot tokens of
the target's dialect, so quoted identifiers and string literals never match.  A hit is a
ConfigError at the file and line of the user's SQL, or of the template the statement came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, Issue, Location

if TYPE_CHECKING:
    from sqlglot import Token

    from engine.context import PlannedRun
    from engine.render import SqlRenderer

#: token types that are names or text, never a function or keyword
_OPAQUE = {"STRING", "IDENTIFIER", "NATIONAL_STRING", "RAW_STRING", "BIT_STRING", "HEX_STRING", "BYTE_STRING"}


@dataclass(frozen=True)
class Match:
    rule: str
    page: str
    message: str
    hint: str
    only_with_tables: bool
    kind: str  # function, keyword, type, sequence, operator, statement
    words: tuple[str, ...]
    contains: str | None = None

    @property
    def word(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Hit:
    match: Match
    line: int
    column: int


@cache
def rules(adapter_name: str) -> tuple[Match, ...]:
    """The lint rules for an adapter, from its data file; () when it has none."""
    import yaml

    from engine.resources import data_dir

    path = data_dir("schemas") / f"{adapter_name}_lint.yaml"
    if not path.is_file():
        return ()
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    pages: dict[str, str] = data["pages"]
    out = []
    for rule in data["rules"]:
        for entry in rule["match"]:
            kind = next(k for k in ("function", "keyword", "type", "sequence", "operator", "statement") if k in entry)
            value = entry[kind]
            words = tuple(str(w).upper() for w in (value if isinstance(value, list) else [value]))
            out.append(
                Match(
                    rule["id"],
                    pages[entry.get("page", rule["page"])],
                    rule["message"],
                    entry["hint"],
                    bool(rule.get("only_with_tables")),
                    kind,
                    words,
                    entry.get("contains"),
                )
            )
    return tuple(out)


def scan(sql: str, dialect: str, matches: tuple[Match, ...]) -> list[Hit]:
    """Every rule ``sql`` breaks, with the line and column (within ``sql``) of the offending word."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError

    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except TokenError:
        return []  # the parser reports it
    texts = [t.text.upper() if t.token_type.name not in _OPAQUE else "" for t in tokens]
    index = _index(matches)
    starts = {0} | {i + 1 for i, t in enumerate(texts) if t == ";"}
    hits: list[Hit] = []
    tables: bool | None = None
    for i, token in enumerate(tokens):
        for m in index.get(texts[i] or token.text, ()):
            if not _matches(m, i, tokens, texts, starts):
                continue
            if m.only_with_tables:
                if tables is None:
                    tables = _touches_tables(sql, dialect)
                if not tables:
                    continue
            hits.append(Hit(m, token.line, max(1, token.col - len(token.text) + 1)))
    return hits


@cache
def _index(matches: tuple[Match, ...]) -> dict[str, list[Match]]:
    """The rules by the first word (or operator) they match, so a statement is walked once."""
    out: dict[str, list[Match]] = {}
    for m in matches:
        out.setdefault(m.words[0], []).append(m)
    return out


def _matches(m: Match, i: int, tokens: list[Token], texts: list[str], starts: set[int]) -> bool:
    before = texts[i - 1] if i else ""
    if m.kind == "operator":
        return True
    if m.kind == "function":
        return i + 1 < len(tokens) and tokens[i + 1].text == "(" and before != "."
    if m.kind == "keyword":
        return before != "."
    if m.kind == "type":
        return before in ("::", "AS") or texts[0] == "CREATE"
    n = len(m.words)
    if tuple(t or tokens[i + k].text for k, t in enumerate(texts[i : i + n])) != m.words:
        return False
    if m.kind == "statement":
        return i in starts and (m.contains is None or m.contains.upper() in _rest(texts, i))
    return True


def _rest(texts: list[str], start: int) -> list[str]:
    """The words of the statement that starts at ``start``."""
    out = []
    for t in texts[start:]:
        if t == ";":
            break
        out.append(t)
    return out


def _touches_tables(sql: str, dialect: str) -> bool:
    """Whether ``sql`` reads or writes a table outside the leader node's catalog (or cannot be parsed)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = sqlglot.parse(sql, read=dialect)
    except ParseError:
        return True
    for tree in trees:
        if tree is None:
            continue
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name, schema = table.name.lower(), table.db.lower()
            if not name or name in ctes:
                continue
            if schema in ("pg_catalog", "information_schema") or name.startswith("pg_"):
                continue
            return True
    return False


def lint_plan(plan: PlannedRun) -> None:
    """Raise a ConfigError listing every hit in the plan's SQL and the user's; nothing when there are none."""
    matches = rules(plan.adapter.sqlglot_dialect)
    if not matches:
        return
    r, dialect = plan.renderer, plan.adapter.sqlglot_dialect
    issues: dict[tuple[str, str, str], Issue] = {}
    user_words: set[str] = set()
    for text, where, file, table in _user_sql(plan):
        rendered = r.user_sql(text, where)
        for hit in scan(rendered, dialect, matches):
            from engine.semantics import sql_location

            loc = sql_location(table, where, text, hit.line, hit.column, file)
            user_words.add(hit.match.word)
            issues.setdefault((str(loc), hit.match.rule, hit.match.word), _issue(hit, loc, None))
    for step_id, sql in _rendered(plan):
        for hit in scan(sql, dialect, matches):
            if hit.match.word in user_words and step_id.startswith(("transform:", "check:")):
                continue  # the user's SELECT inside the statement: reported at the user's line above
            loc = _template_location(r, hit.match) or Location(None, yaml_path=step_id)
            issues.setdefault((str(loc), hit.match.rule, hit.match.word), _issue(hit, loc, step_id))
    if issues:
        raise ConfigError(list(issues.values()))


def _issue(hit: Hit, where: Location, step: str | None) -> Issue:
    m = hit.match
    message = m.message.format(word=m.word)
    if step:
        message += f" (in {step})"
    return Issue(message, where, f"{m.hint}  [{m.page}]")


def _user_sql(plan: PlannedRun) -> Iterator[tuple[str, Location, Path | None, Any]]:
    p = plan.pipeline
    for name, t in p.star.items():
        yield t.sql, p.document.locate(("star", name, "sql")), t.sql_file, t
    for check in p.checks:
        custom = check.equals_sql or check.query
        if custom:
            yield custom, check.location, None, None
    for q in p.queries.values():
        yield q.sql, q.location, None, None


def _rendered(plan: PlannedRun) -> Iterator[tuple[str, str]]:
    """(where, SQL) for every statement a run of this plan can execute: every phase of a full run, the
    incremental variant, the diagnosis of failed loads, the run's bookkeeping."""
    from engine.lint_samples import bookkeeping

    yield from bookkeeping(plan)  # first: a hit there is reported by its template's name
    seen: set[str] = set()
    for step_id, sql in plan.plan.statements():
        if sql not in seen:
            seen.add(sql)
            yield step_id, sql
    for steps in (plan.steps, plan.incremental_steps()):
        for step in steps:
            diagnose = (
                plan.renderer.statements(step.diagnose.template, **step.diagnose.context) if step.diagnose else ()
            )
            for sql in (*step.statements, *diagnose, *step.baseline):
                if sql not in seen:
                    seen.add(sql)
                    yield step.id, sql
    yield "transaction", plan.plan.rollback
    if plan.adapter.schema_sql is not None:
        s = plan.adapter.schema_sql
        for sql in (s.exists, s.create, s.use):
            yield "schema", sql


def _template_location(r: SqlRenderer, m: Match) -> Location | None:
    """Where the offending words are written in the templates this renderer uses (comments skipped)."""
    pattern = re.compile(
        r"(?<![\w\"'])"
        + r"\s+".join(re.escape(w) for w in m.words)
        + (r"\s*\(" if m.kind == "function" else r"(?![\w\"'])"),
        re.I,
    )
    for name in r.env.list_templates():
        try:
            source, filename, _ = r.env.loader.get_source(r.env, name)  # type: ignore[union-attr]
        except Exception:
            continue
        clean = re.sub(r"\{#.*?#\}", lambda c: re.sub(r"[^\n]", " ", c.group()), source, flags=re.S)
        found = pattern.search(clean)
        if found:
            line = clean.count("\n", 0, found.start()) + 1
            column = found.start() - clean.rfind("\n", 0, found.start())
            return Location(Path(filename) if filename else None, line, column)
    return None
