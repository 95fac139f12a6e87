"""engine/fk_proofs.py: a child's column and a parent's key built from the same rows by the same expression,
every value kept by the parent, prove the foreign key; near misses prove nothing. Each claimed proof is
also run: both SELECTs fill tables of the declared types on random data, and the orphans are counted."""

from __future__ import annotations

import random
from typing import Any

import pytest

from engine.fk_proofs import prove_inclusion

SCHEMA = {
    "ev": {"ts": "bigint", "page": "varchar", "s": "varchar", "n": "integer"},
    "cat": {"sid": "varchar", "title": "varchar", "n": "integer"},
}
CHILD = (
    "with plays as (select * from ev where page = 'x') "
    "select epoch_ms(p.ts) as t, c.sid as sid, p.n as n from plays p left join cat c on c.title = p.s"
)
CHILD_COLUMNS = [("t", "timestamp"), ("sid", "varchar"), ("n", "integer")]
TIME = "select t from (select distinct epoch_ms(ts) as t from ev where ts is not null) d"
SONGS = (
    "select sid, title from (select sid, title, row_number() over (partition by sid order by title) as pick "
    "from cat where sid is not null) s where pick = 1"
)

# (child column index, parent SELECT, parent columns, parent key index, proved?)
CASES: list[tuple[int, str, list[tuple[str, str]], int, bool]] = [
    (0, TIME, [("t", "timestamp")], 0, True),
    (0, "select epoch_ms(ts) as t from ev group by epoch_ms(ts)", [("t", "timestamp")], 0, True),
    (0, "select distinct epoch_ms(ts) as t from ev", [("t", "timestamp")], 0, True),
    (1, SONGS, [("sid", "varchar"), ("title", "varchar")], 0, True),
    (1, "select sid, max(title) as title from cat group by sid", [("sid", "varchar"), ("title", "varchar")], 0, True),
    # near misses
    (0, "select distinct epoch_ms(ts) as t from ev where page = 'x'", [("t", "timestamp")], 0, False),  # a filter
    (0, "select distinct epoch_ms(ts + 1) as t from ev", [("t", "timestamp")], 0, False),  # another expression
    (0, "select distinct epoch_ms(ts) as t from ev limit 3", [("t", "timestamp")], 0, False),
    (
        0,
        "select t from (select distinct epoch_ms(ts) as t from ev) d where t > TIMESTAMP '1970-01-02'",
        [("t", "timestamp")],
        0,
        False,
    ),
    (0, "select distinct epoch_ms(e.ts) as t from ev e join cat c on c.n = e.n", [("t", "timestamp")], 0, False),
    (
        1,
        "select sid, title from (select sid, title, row_number() over (partition by title order by sid) as pick "
        "from cat) s where pick = 1",
        [("sid", "varchar"), ("title", "varchar")],
        0,
        False,
    ),
    (1, "select distinct title as sid from cat", [("sid", "varchar")], 0, False),  # another column
    (2, "select distinct n from cat", [("n", "integer")], 0, False),  # another table
    (2, "select distinct n from ev", [("n", "bigint")], 0, False),  # another type: a cast on insert
]


@pytest.mark.parametrize(("at", "parent", "parent_columns", "key_at", "proved"), CASES)
def test_what_each_pair_proves(
    at: int, parent: str, parent_columns: list[tuple[str, str]], key_at: int, proved: bool, cache_home: Any
) -> None:
    child_column = (CHILD_COLUMNS[at][0], CHILD_COLUMNS[at][1], at)
    key = (parent_columns[key_at][0], parent_columns[key_at][1], key_at)
    assert bool(prove_inclusion(CHILD, child_column, parent, key, "duckdb", SCHEMA)) is proved


def test_a_child_expression_that_makes_values_from_null_proves_nothing(cache_home: Any) -> None:
    child = "select coalesce(epoch_ms(ts), TIMESTAMP '2000-01-01') as t from ev"
    assert not prove_inclusion(child, ("t", "timestamp", 0), TIME, ("t", "timestamp", 0), "duckdb", SCHEMA)


def _fill(con: Any, rng: random.Random) -> None:
    def pick(values: list[Any]) -> Any:
        return None if rng.random() < 0.2 else rng.choice(values)

    con.execute("DROP TABLE IF EXISTS ev; DROP TABLE IF EXISTS cat")
    con.execute("CREATE TABLE ev (ts BIGINT, page VARCHAR, s VARCHAR, n INTEGER)")
    con.execute("CREATE TABLE cat (sid VARCHAR, title VARCHAR, n INTEGER)")
    events = [(pick([0, 1000, 86_400_000]), pick(["x", "y"]), pick(["a", "b", "c"]), pick([1, 2])) for _ in range(30)]
    songs = [(pick(["s1", "s2", "s3"]), pick(["a", "b", "c"]), pick([1, 2])) for _ in range(rng.randrange(1, 8))]
    con.executemany("INSERT INTO ev VALUES (?, ?, ?, ?)", events)
    con.executemany("INSERT INTO cat VALUES (?, ?, ?)", songs)


@pytest.mark.parametrize(("at", "parent", "parent_columns", "key_at"), [(a, p, c, k) for a, p, c, k, ok in CASES if ok])
def test_every_proof_holds_on_random_data(
    at: int, parent: str, parent_columns: list[tuple[str, str]], key_at: int
) -> None:
    import duckdb

    con = duckdb.connect()
    column, key = CHILD_COLUMNS[at][0], parent_columns[key_at][0]
    for seed in range(40):
        _fill(con, random.Random(seed))
        con.execute("DROP TABLE IF EXISTS child; DROP TABLE IF EXISTS parent")
        con.execute(f"CREATE TABLE child ({', '.join(f'{n} {t}' for n, t in CHILD_COLUMNS)})")
        con.execute(f"CREATE TABLE parent ({', '.join(f'{n} {t}' for n, t in parent_columns)})")
        con.execute(f"INSERT INTO child {CHILD}")
        con.execute(f"INSERT INTO parent {parent}")
        orphans = con.execute(
            f"SELECT count(*) FROM child WHERE {column} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM parent WHERE parent.{key} = child.{column})"
        ).fetchone()
        assert orphans == (0,), f"seed {seed}"


@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
def test_the_epoch_expression_of_the_other_dialects_is_followed(dialect: str, cache_home: Any) -> None:
    epoch = "(TIMESTAMP 'epoch' + ({}) / 1000.0 * INTERVAL '1 second')"
    child = f"select {epoch.format('p.ts')} as t from (select * from ev where page = 'x') as p"
    parent = f"select t from (select distinct {epoch.format('ts')} as t from ev where ts is not null) as d"
    assert prove_inclusion(child, ("t", "timestamp", 0), parent, ("t", "timestamp", 0), dialect, SCHEMA)


def test_a_table_the_pipeline_does_not_build_proves_nothing(cache_home: Any) -> None:
    """Another session may change it between the child's statement and the parent's."""
    schema = {"ev": SCHEMA["ev"]}
    child = "select epoch_ms(o.ts) as t from outside o"
    parent = "select distinct epoch_ms(ts) as t from outside"
    assert not prove_inclusion(child, ("t", "timestamp", 0), parent, ("t", "timestamp", 0), "duckdb", schema)
    child = "select epoch_ms(o.ts) as t from other.ev o"
    parent = "select distinct epoch_ms(ts) as t from ev"
    assert not prove_inclusion(child, ("t", "timestamp", 0), parent, ("t", "timestamp", 0), "duckdb", SCHEMA)
    child = "select epoch_ms(ts) as t from read_parquet('x.parquet')"
    parent = "select distinct epoch_ms(ts) as t from read_parquet('x.parquet')"
    assert not prove_inclusion(child, ("t", "timestamp", 0), parent, ("t", "timestamp", 0), "duckdb", schema)
