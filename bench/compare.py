"""Proof that two DuckDB warehouses hold the same tables, not only the same row counts.

Each table is compared both ways with EXCEPT ALL (a multiset difference: a row kept twice on one side
and once on the other counts), over the engine's columns in the engine's order, so a column the floor
computes differently, or a duplicate, or a lost row, shows up as a non-zero difference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: the seven tables of the Sparkify pipeline, compared by these columns (the engine's order)
COLUMNS = {
    "staging_events": (
        "artist",
        "auth",
        "first_name",
        "gender",
        "item_in_session",
        "last_name",
        "length",
        "level",
        "location",
        "method",
        "page",
        "registration",
        "session_id",
        "song",
        "status",
        "ts",
        "user_agent",
        "user_id",
    ),
    "staging_songs": (
        "num_songs",
        "artist_id",
        "artist_latitude",
        "artist_longitude",
        "artist_location",
        "artist_name",
        "song_id",
        "title",
        "duration",
        "year",
    ),
    "songplays": (
        "songplay_id",
        "start_time",
        "user_id",
        "level",
        "song_id",
        "artist_id",
        "session_id",
        "location",
        "user_agent",
    ),
    "users": ("user_id", "first_name", "last_name", "gender", "level"),
    "songs": ("song_id", "title", "artist_id", "year", "duration"),
    "artists": ("artist_id", "name", "location", "latitude", "longitude"),
    "time": ("start_time", "hour", "day", "week", "month", "year", "weekday"),
}


def difference(a: Path, b: Path) -> list[tuple[str, int, int, int, int]]:
    """(table, rows in a, rows in b, rows of a not in b, rows of b not in a) for every table."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        out = []
        for table, columns in COLUMNS.items():
            row = con.execute(except_all_sql(table, columns, "a", "b")).fetchone()
            assert row is not None
            out.append((table, int(row[0]), int(row[1]), int(row[2]), int(row[3])))
        return out
    finally:
        con.close()


def except_all_sql(table: str, columns: tuple[str, ...], a: str, b: str) -> str:
    """Rows of both tables and their multiset differences both ways, in one SELECT (a and b: qualifiers)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    ta, tb = f'{a}."{table}"', f'{b}."{table}"'
    return (
        f"SELECT (SELECT count(*) FROM {ta}), (SELECT count(*) FROM {tb}), "
        f"(SELECT count(*) FROM (SELECT {cols} FROM {ta} EXCEPT ALL SELECT {cols} FROM {tb}) AS d1), "
        f"(SELECT count(*) FROM (SELECT {cols} FROM {tb} EXCEPT ALL SELECT {cols} FROM {ta}) AS d2)"
    )


def pg_difference(dsn: dict[str, str], a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """difference() for two PostgreSQL databases of one server: b's tables are copied (COPY text) into a
    schema of a's, then compared there (a query cannot span two databases)."""
    import psycopg

    out = []
    with psycopg.connect(**{**dsn, "dbname": a}) as dst, psycopg.connect(**{**dsn, "dbname": b}) as src:
        dst.execute('DROP SCHEMA IF EXISTS "_other" CASCADE; CREATE SCHEMA "_other"')
        for table, columns in COLUMNS.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            mine, theirs = _pg_fingerprint(dst, table, cols), _pg_fingerprint(src, table, cols)
            if max(mine[0], theirs[0]) > HASH_ROWS:
                same = 0 if mine == theirs else -1
                out.append((table, mine[0], theirs[0], same, same))
                continue
            dst.execute(f'CREATE TABLE "_other"."{table}" AS SELECT {cols} FROM public."{table}" WITH NO DATA')
            with (
                src.cursor().copy(f'COPY (SELECT {cols} FROM "{table}") TO STDOUT') as out_copy,
                dst.cursor().copy(f'COPY "_other"."{table}" ({cols}) FROM STDIN') as in_copy,
            ):
                for data in out_copy:
                    in_copy.write(data)
            row = dst.execute(except_all_sql(table, columns, "public", '"_other"')).fetchone()
            assert row is not None
            out.append((table, int(row[0]), int(row[1]), int(row[2]), int(row[3])))
        dst.execute('DROP SCHEMA "_other" CASCADE')
    return out


#: PostgreSQL tables over this many rows are compared by a multiset hash computed in each database, not
#: copied and compared with EXCEPT ALL: at 30M events that sorted both sides of every table into temporary
#: files and filled the disk
HASH_ROWS = 2_000_000


def _pg_fingerprint(con: Any, table: str, cols: str) -> tuple[int, str]:
    """(rows, sum of every row's 64-bit md5 as a number): equal for equal multisets of rows (a row twice counts
    twice), different otherwise but for a 64-bit collision."""
    row = con.execute(
        "SELECT count(*), COALESCE(sum(('x' || left(md5(CAST(ROW("
        f"{cols}) AS text)), 16))::bit(64)::bigint::numeric), 0)"
        f' FROM public."{table}"'
    ).fetchone()
    return int(row[0]), str(row[1])


def identical(rows: list[tuple[str, int, int, int, int]]) -> bool:
    return bool(rows) and all(ra == rb and not d1 and not d2 for _t, ra, rb, d1, d2 in rows)


def section(
    per_size: dict[str, list[tuple[str, int, int, int, int]]], pair: str = "engine-duckdb against the floor"
) -> list[str]:
    """The markdown of the comparison, one table per size."""
    out = [
        f"## Same tables: {pair}",
        "",
        "The first run's warehouse of each, every table compared both ways with `EXCEPT ALL` over the",
        "engine's columns (rows the engine has that the floor lacks, and the reverse, duplicates counted).",
        f"PostgreSQL tables over {HASH_ROWS:,} rows are compared by a multiset hash instead (the sum of every",
        "row's 64-bit md5, in each database): 0 both ways means the same hash, -1 a different one.",
        "",
    ]
    if not per_size:
        return [*out, "(not compared: the engine or the floor did not run)", ""]
    for size, rows in per_size.items():
        verdict = "identical" if identical(rows) else "DIFFERENT"
        out += [
            f"**{size}**: {verdict}",
            "",
            "| table | engine rows | floor rows | engine EXCEPT ALL floor | floor EXCEPT ALL engine |",
            "|---|---|---|---|---|",
            *(f"| {t} | {ra:,} | {rb:,} | {d1:,} | {d2:,} |" for t, ra, rb, d1, d2 in rows),
            "",
        ]
    return out
