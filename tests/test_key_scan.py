"""checks/key_scan.sql counts what a naive reading of the rules counts, on random tables with every awkward
case: duplicated and NULL keys, orphans, parents with duplicated or NULL keys, empty tables, a two-column key.
Run on DuckDB always, and on PostgreSQL (its own scan) when the test server is there."""

from __future__ import annotations

import random
from typing import Any

import pytest

from engine.render import SqlRenderer


def _data(rng: random.Random) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """child rows (a, b, p1, p2), parent-1 keys, parent-2 keys: small domains, so collisions are common."""

    def value(k: int) -> int | None:
        return None if rng.random() < 0.15 else rng.randrange(k)

    child = [(value(6), value(3), value(8), value(5)) for _ in range(rng.randrange(0, 30))]
    parent1 = [(value(8),) for _ in range(rng.randrange(0, 10))]
    parent2 = [(value(5),) for _ in range(rng.randrange(0, 6))]
    return child, parent1, parent2


def _expected(
    child: list[tuple[Any, ...]], parent1: list[tuple[Any, ...]], parent2: list[tuple[Any, ...]]
) -> dict[str, int]:
    from collections import Counter

    groups = Counter((a, b) for a, b, _p1, _p2 in child)
    keys1 = {k for (k,) in parent1 if k is not None}
    keys2 = {k for (k,) in parent2 if k is not None}
    return {
        "duplicated_keys": sum(1 for n in groups.values() if n > 1),
        "null_keys": sum(1 for a, b, _p1, _p2 in child if a is None or b is None),
        "orphans_p1": sum(1 for _a, _b, p1, _p2 in child if p1 is not None and p1 not in keys1),
        "orphans_p2": sum(1 for _a, _b, _p1, p2 in child if p2 is not None and p2 not in keys2),
    }


#: which numbers the table's SELECT proves (engine/key_proofs.py), and whether the table has foreign keys:
#: a proved number is 0 without counting, the others are still counted right, with or without foreign keys
VARIANTS = [
    ({}, True),
    ({"duplicated_keys": "proof"}, True),
    ({"null_keys": "proof"}, True),
    ({"duplicated_keys": "proof", "null_keys": "proof"}, True),
    ({"orphans_p1": "proof"}, True),
    ({"duplicated_keys": "proof", "orphans_p2": "proof"}, True),
    ({"duplicated_keys": "proof", "null_keys": "proof", "orphans_p1": "proof", "orphans_p2": "proof"}, True),
    ({}, False),
    ({"duplicated_keys": "proof"}, False),
    ({"duplicated_keys": "proof", "null_keys": "proof"}, False),
]


def _scan_sql(dialect: str, sqlglot_dialect: str, proved: dict[str, str] | None = None, fks: bool = True) -> list[str]:
    renderer = SqlRenderer(dialect, sqlglot_dialect)
    return renderer.statements(
        "checks/key_scan.sql",
        scan="_etl_keys_child",
        table="child",
        columns=["a", "b"],
        foreign_keys=[("p1", "parent1", "k"), ("p2", "parent2", "k")] if fks else [],
        **({"proved": proved} if proved is not None else {}),
    )


def _check(
    execute: Any, fetch: Any, statements: list[str], seed: int, proved: dict[str, str] | None = None, fks: bool = True
) -> None:
    rng = random.Random(seed)
    child, parent1, parent2 = _data(rng)
    for table, columns, rows in (
        ("child", "a INTEGER, b INTEGER, p1 INTEGER, p2 INTEGER", child),
        ("parent1", "k INTEGER", parent1),
        ("parent2", "k INTEGER", parent2),
    ):
        execute(f"DROP TABLE IF EXISTS {table}")
        execute(f"CREATE TABLE {table} ({columns})")
        for row in rows:
            execute(f"INSERT INTO {table} VALUES ({', '.join('NULL' if v is None else str(v) for v in row)})")
    for sql in statements[:-1]:
        execute(sql)
    names = ("duplicated_keys", "null_keys", "orphans_p1", "orphans_p2") if fks else ("duplicated_keys", "null_keys")
    got = fetch(f'SELECT {", ".join(f"{n!r}".replace(chr(39), chr(34)) for n in names)} FROM "_etl_keys_child"')
    want = {n: 0 if n in (proved or {}) else v for n, v in _expected(child, parent1, parent2).items() if n in names}
    assert dict(zip(names, got, strict=True)) == want, f"seed {seed}: child={child} parent1={parent1} parent2={parent2}"


def test_the_default_scan_counts_as_the_rules_say_on_duckdb() -> None:
    import duckdb

    con = duckdb.connect()
    for proved, fks in VARIANTS:
        statements = _scan_sql("duckdb", "duckdb", proved, fks)
        for seed in range(60 if proved == {} and fks else 15):
            _check(con.execute, lambda sql: con.execute(sql).fetchone(), statements, seed, proved, fks)


def test_a_proved_number_says_why_and_both_proved_without_foreign_keys_scan_nothing() -> None:
    import sqlglot

    for dialect, sqlglot_dialect in (("duckdb", "duckdb"), ("postgres", "postgres"), ("redshift", "redshift")):
        both = _scan_sql(dialect, sqlglot_dialect, {"duplicated_keys": "why one", "null_keys": "why two"}, fks=False)
        create = next(s for s in both if s.lstrip().upper().startswith("CREATE"))
        assert "-- proved by its SELECT: why one" in create and "-- proved by its SELECT: why two" in create
        assert "FROM" not in create.upper(), create
        assert not any(s.lstrip().upper().startswith("ANALYZE") for s in both)
        every = {"duplicated_keys": "a", "null_keys": "b", "orphans_p1": "c", "orphans_p2": "d"}
        create = next(s for s in _scan_sql(dialect, sqlglot_dialect, every) if s.lstrip().upper().startswith("CREATE"))
        assert "FROM" not in create.upper() and create.count("-- proved by its SELECT") == 4, create
        for proved, fks in VARIANTS:
            for sql in _scan_sql(dialect, sqlglot_dialect, proved, fks):
                sqlglot.parse_one(sql, read=sqlglot_dialect)  # every variant is one valid statement


@pytest.mark.postgres
def test_the_postgres_scan_counts_as_the_rules_say(pg_database: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(**pg_database, autocommit=True) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS key_scan_test")
        con.execute("SET search_path = key_scan_test")
        # PostgreSQL's own scan, and Redshift's (plain SQL PostgreSQL runs too: a rehearsal of its numbers)
        for dialect in ("postgres", "redshift"):
            for proved, fks in VARIANTS:
                statements = _scan_sql(dialect, dialect, proved, fks)
                for seed in range(30 if proved == {} and fks and dialect == "postgres" else 8):
                    _check(con.execute, lambda sql: con.execute(sql).fetchone(), statements, seed, proved, fks)
        con.execute("DROP SCHEMA key_scan_test CASCADE")


def test_postgres_analyzes_only_before_the_grouped_pass() -> None:
    def analyzes(proved: dict[str, str]) -> bool:
        return any(s.lstrip().upper().startswith("ANALYZE") for s in _scan_sql("postgres", "postgres", proved))

    # the duplicates' GROUP BY is planned on statistics; a NULL count or an orphan anti-join needs none
    assert analyzes({})
    assert not analyzes({"duplicated_keys": "proved"})
