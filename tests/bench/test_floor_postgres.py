"""Tests for bench/floor_postgres.py's pure helpers and bench/compare.py's SQL (no database but the last
test's, on the PostgreSQL test server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import load_bench

ROOT = Path(__file__).resolve().parents[2]


floor = load_bench("floor_postgres")
compare = load_bench("compare")


def test_line_rows_pass_chunks_and_end_with_a_newline() -> None:
    assert b"".join(floor.line_rows(iter([b'{"a":1}\n{"a"', b":2}"]))) == b'{"a":1}\n{"a":2}\n'
    assert list(floor.line_rows(iter([b'{"a":1}\n', b""]))) == [b'{"a":1}\n']
    assert list(floor.line_rows(iter([]))) == []


def test_object_rows_one_pretty_object_a_line() -> None:
    content = b'{\n    "title": "A {b} c",\r\n    "year": 0\n}\n  {\n "title": "x\\ny"\n}\n'
    rows = floor.object_rows(content).splitlines()
    assert [json.loads(r) for r in rows] == [{"title": "A {b} c", "year": 0}, {"title": "x\ny"}]
    assert floor.object_rows(b" \n") == b""


def test_typed_select_renames_and_casts_in_one_record() -> None:
    sql = floor.typed_select((("firstName", "first_name", "VARCHAR"), ("ts", "ts", "BIGINT")), "raw")
    assert sql == (
        'SELECT r."firstName" AS first_name, r."ts" AS ts FROM raw, '
        'json_to_record(raw.doc) AS r("firstName" VARCHAR, "ts" BIGINT)'
    )


def test_floor_fields_match_the_pipeline() -> None:
    import yaml

    pipeline = yaml.safe_load((ROOT / "pipeline.yaml").read_text(encoding="utf-8"))
    staging = pipeline["staging"]
    assert [c for _k, c, _t in floor.EVENT_FIELDS] == list(staging["staging_events"]["columns"])
    assert [c for _k, c, _t in floor.SONG_FIELDS] == list(staging["staging_songs"]["columns"])
    assert set(floor.STAR) == set(pipeline["star"])


def test_except_all_sql_counts_both_ways() -> None:
    sql = compare.except_all_sql("users", ("user_id", "level"), "a", "b")
    assert 'SELECT "user_id", "level" FROM a."users" EXCEPT ALL SELECT "user_id", "level" FROM b."users"' in sql
    assert 'SELECT "user_id", "level" FROM b."users" EXCEPT ALL SELECT "user_id", "level" FROM a."users"' in sql


@pytest.mark.postgres
def test_pg_fingerprint_is_a_multiset_hash(pg_database: dict[str, str]) -> None:
    """Same rows in another order: same hash; a row twice instead of once: another."""
    import psycopg

    cols = '"a", "b"'
    with psycopg.connect(**pg_database, autocommit=True) as con:
        found = []
        for rows in ("(1, 'x'), (2, NULL), (3, 'z')", "(3, 'z'), (1, 'x'), (2, NULL)", "(1, 'x'), (1, 'x'), (3, 'z')"):
            con.execute('DROP TABLE IF EXISTS public."fp"; CREATE TABLE public."fp" (a integer, b text)')
            con.execute(f'INSERT INTO public."fp" VALUES {rows}')
            found.append(compare._pg_fingerprint(con, "fp", cols))
        con.execute('DROP TABLE public."fp"')
    assert found[0] == found[1] and found[0][0] == 3
    assert found[2][0] == 3 and found[2] != found[0]
