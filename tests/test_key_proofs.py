"""engine/key_proofs.py: the shapes of SELECT that make a key unique or non-NULL whatever the data, and the
near misses that must not count. Every claimed proof is also run: the SELECT fills a table of the declared
types on random data full of repeated and NULL values, and the table is counted, as the key scan would."""

from __future__ import annotations

import random
from typing import Any

import pytest

from engine.key_proofs import prove_keys

SCHEMA = {
    "src": {"a": "varchar", "b": "integer", "c": "double", "ts": "bigint"},
    "other": {"a": "varchar", "x": "integer"},
}
PICK = "row_number() over (partition by a order by b, c) as pick"

# (SQL, key, declared columns, unique proved?, not null proved?)
CASES: list[tuple[str, tuple[str, ...], list[tuple[str, str]], bool, bool]] = [
    # numbered rows: one number per result row, never NULL, after any join
    (
        "select row_number() over (order by s.b) as id, s.a from src s left join other o on o.a = s.a",
        ("id",),
        [("id", "bigint"), ("a", "varchar")],
        True,
        True,
    ),
    # one row picked per key, in a derived table, a CTE, QUALIFY; 1 = pick and pick <= 1 too
    (
        f"select a, b from (select a, b, {PICK} from src) s where pick = 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        True,
        False,
    ),
    (
        f"select a, b from (select a, b, {PICK} from src where a is not null) s where 1 = pick and b > 0",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        True,
        True,
    ),
    (
        f"with p as (select a, b, {PICK} from src) select a, b from p where pick <= 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        True,
        False,
    ),
    (
        "select a, b from src qualify row_number() over (partition by a order by b) = 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        True,
        False,
    ),
    # the partition inside a two-column key
    (
        f"select a, b from (select a, b, {PICK} from src) s where pick = 1",
        ("a", "b"),
        [("a", "varchar"), ("b", "integer")],
        True,
        False,
    ),
    # grouped, distinct
    (
        "select a, max(b) as b from src where a is not null group by a",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        True,
        True,
    ),
    ("select distinct a, b from src", ("a", "b"), [("a", "varchar"), ("b", "integer")], True, False),
    (
        "select t, cast(extract(hour from t) as integer) as h from "
        "(select distinct epoch_ms(ts) as t from src where ts is not null) as stamps",
        ("t",),
        [("t", "timestamp"), ("h", "integer")],
        True,
        False,
    ),
    (
        "select a, n from (select a, count(*) as n from src group by a) g",
        ("a",),
        [("a", "varchar"), ("n", "bigint")],
        True,
        False,
    ),
    # --- near misses: nothing proved ---
    # the key is computed from the partition column: '1' and '01' are two partitions, one integer
    (
        "select cast(a as integer) as a, b from (select a, b, row_number() over (partition by a order by b) as pick "
        "from src where a is not null) s where pick = 1",
        ("a",),
        [("a", "integer"), ("b", "integer")],
        False,
        False,
    ),
    # a join after the pick repeats the picked row
    (
        f"select s.a, s.b from (select a, b, {PICK} from src) s join other o on o.a = s.a where s.pick = 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    (
        "select a, b from (select a, b, rank() over (partition by a order by b) as pick from src) s where pick = 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    (
        f"select a, b from (select a, b, {PICK} from src) s where pick = 2",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    (
        f"select a, b from (select a, b, {PICK} from src) s where pick <= 2",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    (
        f"select a, b from (select a, b, {PICK} from src) s where pick = 1 or b > 3",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    (
        "select a, b from (select a, b, row_number() over (partition by a, b order by c) as pick from src) s "
        "where pick = 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    (
        "select row_number() over (partition by a order by b) as id, a from src",
        ("id",),
        [("id", "bigint"), ("a", "varchar")],
        False,
        True,
    ),
    (
        "select row_number() over (order by b) as id, a from src union all select 1, 'x'",
        ("id",),
        [("id", "bigint"), ("a", "varchar")],
        False,
        False,
    ),
    (
        "select row_number() over (order by b) as id, unnest([1, 2]) as u from src",
        ("id",),
        [("id", "bigint"), ("u", "integer")],
        False,
        False,
    ),
    ("select a, max(b) as b from src group by rollup (a)", ("a",), [("a", "varchar"), ("b", "integer")], False, False),
    ("select distinct a, b from src", ("a",), [("a", "varchar"), ("b", "integer")], False, False),
    ("select a from (select distinct a, b from src) d", ("a",), [("a", "varchar")], False, False),
    # the INSERT casts a double key to integer: 1.2 and 1.4 become one key
    ("select c, max(b) as b from src group by c", ("c",), [("c", "integer"), ("b", "integer")], False, False),
    # a ROW_NUMBER() declared integer: not the identity cast, so not taken
    (
        "select row_number() over (order by b) as id, a from src",
        ("id",),
        [("id", "integer"), ("a", "varchar")],
        False,
        False,
    ),
    (
        "select * from (select a, max(b) as b from src group by a) g",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        True,
        False,
    ),
    (
        "select a, b from src qualify row_number() over (partition by b order by a) = 1",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
    ("select a, b from src where a is not null", ("a",), [("a", "varchar"), ("b", "integer")], False, True),
    (
        "select a, (select max(x) from other) as b from src group by a",
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        False,
        False,
    ),
]


@pytest.mark.parametrize(("sql", "key", "columns", "unique", "not_null"), CASES)
def test_what_each_shape_proves(
    sql: str, key: tuple[str, ...], columns: list[tuple[str, str]], unique: bool, not_null: bool, cache_home: Any
) -> None:
    proof = prove_keys(sql, "duckdb", key, columns, SCHEMA)
    assert bool(proof.unique) is unique, proof
    assert bool(proof.not_null) is not_null, proof


def _fill(con: Any, rng: random.Random) -> None:
    def pick(values: list[Any]) -> Any:
        return None if rng.random() < 0.2 else rng.choice(values)

    con.execute("DROP TABLE IF EXISTS src; DROP TABLE IF EXISTS other")
    con.execute("CREATE TABLE src (a VARCHAR, b INTEGER, c DOUBLE, ts BIGINT)")
    con.execute("CREATE TABLE other (a VARCHAR, x INTEGER)")
    rows = [
        (pick(["1", "01", "2", "x"]), pick([0, 1, 2, 3]), pick([1.2, 1.4, 2.0]), pick([0, 1000, 1500, 3_600_000]))
        for _ in range(rng.randrange(0, 40))
    ]
    if rows:
        con.executemany("INSERT INTO src VALUES (?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO other VALUES (?, ?)", [(pick(["1", "2", "x"]), pick([1, 2])) for _ in range(6)])


@pytest.mark.parametrize(("sql", "key", "columns"), [(s, k, c) for s, k, c, u, n in CASES if u or n])
def test_every_proof_holds_on_random_data(
    sql: str, key: tuple[str, ...], columns: list[tuple[str, str]], cache_home: Any
) -> None:
    import duckdb

    proof = prove_keys(sql, "duckdb", key, columns, SCHEMA)
    con = duckdb.connect()
    keys = ", ".join(key)
    for seed in range(40):
        _fill(con, random.Random(seed))
        con.execute("DROP TABLE IF EXISTS t")
        con.execute(f"CREATE TABLE t ({', '.join(f'{n} {t}' for n, t in columns)})")
        con.execute(f"INSERT INTO t {sql}")
        if proof.unique:
            duplicated = con.execute(f"SELECT count(*) FROM (SELECT {keys} FROM t GROUP BY {keys} HAVING count(*) > 1)")
            assert duplicated.fetchone() == (0,), f"seed {seed}"
        if proof.not_null:
            nulls = con.execute(f"SELECT count(*) FROM t WHERE {' OR '.join(f'{k} IS NULL' for k in key)}")
            assert nulls.fetchone() == (0,), f"seed {seed}"


@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
def test_the_shapes_read_the_same_in_the_other_dialects(dialect: str, cache_home: Any) -> None:
    numbered = prove_keys(
        "select row_number() over (order by b) as id, a from src",
        dialect,
        ("id",),
        [("id", "bigint"), ("a", "varchar")],
        SCHEMA,
    )
    picked = prove_keys(
        f"select a, b from (select a, b, {PICK} from src where a is not null) as s where pick = 1",
        dialect,
        ("a",),
        [("a", "varchar"), ("b", "integer")],
        SCHEMA,
    )
    assert numbered.unique and numbered.not_null and picked.unique and picked.not_null


def test_sql_sqlglot_cannot_follow_proves_nothing(cache_home: Any) -> None:
    assert prove_keys("select a from nowhere_known", "duckdb", ("a",), [("a", "varchar")], SCHEMA).unique == ""
    assert prove_keys("select (", "duckdb", ("a",), [("a", "varchar")], SCHEMA).unique == ""


def test_a_full_run_reports_proved_keys_and_an_incremental_run_counts_them(tmp_path: Any, cache_home: Any) -> None:
    """The shipped project: songplays (ROW_NUMBER()), songs and artists (one row picked per key) and time
    (DISTINCT) are proved in a full build and say so; users' key is a cast of its partition column, so it is
    counted. An incremental build MERGEs into rows the SELECT did not make: nothing is proved there."""
    import shutil

    from conftest import ROOT

    import engine

    for name in ("pipeline.yaml", "transforms", "examples"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    pipeline = engine.Pipeline.load(tmp_path / "pipeline.yaml")
    planned = pipeline.plan()
    result = planned.run()
    assert result.committed
    actual = {s.step.id: s.check.actual for s in result.steps if s.check is not None}
    for table in ("songplays", "songs", "artists", "time"):
        assert actual[f"check:primary_key_unique_{table}"] == "0 duplicated keys (proved by its SQL)"
    assert actual["check:primary_key_unique_users"] == "0 duplicated keys"
    assert actual["check:primary_key_not_null_songplays"] == "0 NULL rows (proved by its SQL)"
    assert actual["check:primary_key_not_null_time"] == "0 NULL rows"  # epoch_ms(ts): not followed
    for fk in ("songplays_start_time", "songplays_song_id", "songplays_artist_id", "songs_artist_id"):
        assert actual[f"check:foreign_key_{fk}"] == "0 orphan rows (proved by its SQL)"
    assert actual["check:foreign_key_songplays_user_id"] == "0 orphan rows"  # a cast of NULLIF: not followed
    incremental = planned.incremental_steps()
    scans = [sql for s in incremental if s.id.startswith("check:primary_key_unique_") for sql in s.statements]
    assert scans and not any("proved by its SELECT" in sql for sql in scans)
    assert not any(s.proof for s in incremental)
