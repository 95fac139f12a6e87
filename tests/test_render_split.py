"""Splitting rendered SQL into statements: the regular-expression path agrees with sqlglot's tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.render import SqlRenderer

#: SQL and how many statements it holds
CASES = [
    ("SELECT 1; SELECT 2", 2),
    ("SELECT 'a;b'; SELECT \"odd;name\" FROM t;", 2),
    ("SELECT 'it''s; here' -- a comment; not a statement\n; SELECT 3", 2),
    ("INSERT INTO t VALUES ('x;y', 'z'); ; SELECT 'last'", 2),
    ("SELECT * FROM read_text(['/data/a;b.json', '/data/c.json']); DROP TABLE IF EXISTS \"x\"\"y\"", 2),
    ("SELECT * FROM read_json('data/**/*.json'); SELECT 2 /* a ; comment */ ; SELECT 4 / 2", 3),
    ("SELECT json_extract(doc, '$[*]'), regexp_matches(t, '^a;b$'); SELECT 2", 2),
    # named parameters (a load's bound file texts) are not dollar quotes
    ("SELECT unnest($etl_lines_files) AS f, unnest($etl_lines_docs) AS d; SELECT $1, $x", 2),
]


@pytest.mark.parametrize(
    ("sql", "statements"),
    [
        ("SELECT $$a;b$$; SELECT 2", ("SELECT $$a;b$$", "SELECT 2")),
        ("SELECT $tag$a;b$tag$; SELECT 2", ("SELECT $tag$a;b$tag$", "SELECT 2")),
        ("SELECT $_x1$;$_x1$, $p; SELECT 2", ("SELECT $_x1$;$_x1$, $p", "SELECT 2")),
    ],
)
def test_a_dollar_quote_goes_to_the_tokenizer(tmp_path: Path, sql: str, statements: tuple[str, ...]) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "t.sql").write_text(sql, encoding="utf-8")
    assert SqlRenderer("postgres", "postgres", user).statements("t.sql") == statements


@pytest.mark.parametrize(("sql", "count"), CASES)
@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift"])
def test_the_fast_split_agrees_with_the_tokenizer(tmp_path: Path, sql: str, count: int, dialect: str) -> None:
    user = tmp_path / "user"
    user.mkdir()
    r = SqlRenderer(dialect, dialect, user)
    (user / "t.sql").write_text(sql, encoding="utf-8")
    fast = r.statements("t.sql")
    # a backslash in a trailing comment sends the same SQL through sqlglot's tokenizer instead
    (user / "t.sql").write_text(sql + "\n-- \\", encoding="utf-8")
    slow = tuple(s for s in (s.removesuffix("-- \\").strip() for s in r.statements("t.sql")) if s)
    assert fast == slow
    assert len(fast) == count
