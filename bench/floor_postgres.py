"""The PostgreSQL floor: the Sparkify star built by hand on PostgreSQL, set-based, in the fewest passes.

What a skilled engineer would write for the same seven tables as `etl-engine run pipeline.yaml --target
postgres` (bench/run.py compares every table with EXCEPT ALL both ways). The server cannot read the
client's files, so the client streams them, as the engine does:

* events: each newline-delimited file passes to ``COPY ... FROM STDIN`` untouched, in CSV format with a
  quote and a delimiter that valid JSON never holds raw (0x01, 0x02), so no escaping on either side, into
  a temporary ``json`` column (the server checks the JSON as it stores it); one ``json_to_record`` per
  document then casts all 18 keys (JSONPaths order: camelCase keys -> snake_case columns) into an
  UNLOGGED typed staging table (one parse per document: ``->>`` on ``json`` re-parses per key, and a
  ``jsonb`` buffer costs more at COPY than it saves at the casts);
* song files, many and tiny: read whole, their line breaks (never raw inside a JSON string) turned to
  spaces and a new row started between top-level objects, the same COPY, the same ``json_to_record``;
* the five star tables: ``CREATE TABLE ... AS`` with the transforms' SQL as the engine renders it for
  PostgreSQL (logged tables: they are the published ones), staging tables ANALYZEd first.

One transaction, no checks, no bookkeeping, session settings for a bulk load (synchronous_commit off,
work_mem for the window sorts).

    python bench/floor_postgres.py --data DATA_ROOT --dsn "host=... port=... user=... dbname=..."
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

#: COPY options under which a valid JSON line passes as one value, unescaped
COPY_RAW = "(FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
#: (JSON key, staging column, PostgreSQL type) of the events, in JSONPaths order
EVENT_FIELDS = (
    ("artist", "artist", "VARCHAR"),
    ("auth", "auth", "VARCHAR"),
    ("firstName", "first_name", "VARCHAR"),
    ("gender", "gender", "VARCHAR"),
    ("itemInSession", "item_in_session", "INTEGER"),
    ("lastName", "last_name", "VARCHAR"),
    ("length", "length", "DOUBLE PRECISION"),
    ("level", "level", "VARCHAR"),
    ("location", "location", "VARCHAR"),
    ("method", "method", "VARCHAR"),
    ("page", "page", "VARCHAR"),
    ("registration", "registration", "DOUBLE PRECISION"),
    ("sessionId", "session_id", "INTEGER"),
    ("song", "song", "VARCHAR"),
    ("status", "status", "INTEGER"),
    ("ts", "ts", "BIGINT"),
    ("userAgent", "user_agent", "VARCHAR"),
    ("userId", "user_id", "VARCHAR"),
)
SONG_FIELDS = tuple(
    (name, name, kind)
    for name, kind in (
        ("num_songs", "INTEGER"),
        ("artist_id", "VARCHAR"),
        ("artist_latitude", "DOUBLE PRECISION"),
        ("artist_longitude", "DOUBLE PRECISION"),
        ("artist_location", "VARCHAR"),
        ("artist_name", "VARCHAR"),
        ("song_id", "VARCHAR"),
        ("title", "VARCHAR"),
        ("duration", "DOUBLE PRECISION"),
        ("year", "INTEGER"),
    )
)
SETTINGS = "SET LOCAL synchronous_commit = off; SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '256MB'"
_BETWEEN_OBJECTS = re.compile(rb"\}\s*\{")

# the transforms' SQL as the engine renders it for PostgreSQL (epoch_ms_to_timestamp of macros.sql)
EPOCH = "(CAST('epoch' AS TIMESTAMP) + ({}) / 1000.0 * INTERVAL '1 SECOND')"
STAR = {
    "songplays": f"""
WITH plays AS (SELECT * FROM staging_events WHERE page = 'NextSong'),
catalogue AS (
    SELECT title, artist_name, duration, song_id, artist_id,
           ROW_NUMBER() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, artist_id) AS pick
    FROM staging_songs WHERE song_id IS NOT NULL
)
SELECT ROW_NUMBER() OVER (ORDER BY p.ts, p.session_id, p.item_in_session, p.user_id) AS songplay_id,
       {EPOCH.format("p.ts")} AS start_time,
       CAST(NULLIF(p.user_id, '') AS INT) AS user_id,
       p.level, c.song_id, c.artist_id, p.session_id, p.location, p.user_agent
FROM plays AS p
LEFT JOIN catalogue AS c
    ON c.pick = 1 AND c.title = p.song AND c.artist_name = p.artist AND c.duration = p.length""",
    "users": """
SELECT user_id, first_name, last_name, gender, level FROM (
    SELECT CAST(user_id AS INT) AS user_id, first_name, last_name, gender, level,
           ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC, session_id DESC, item_in_session DESC) AS recency
    FROM staging_events WHERE user_id <> ''
) AS latest WHERE recency = 1""",
    "songs": """
SELECT song_id, title, artist_id, year, duration FROM (
    SELECT song_id, title, artist_id, NULLIF(year, 0) AS year, duration,
           ROW_NUMBER() OVER (PARTITION BY song_id
                              ORDER BY CASE WHEN NULLIF(year, 0) IS NULL THEN 1 ELSE 0 END, title, artist_id, duration
           ) AS pick
    FROM staging_songs WHERE song_id IS NOT NULL
) AS s WHERE pick = 1""",
    "artists": """
SELECT artist_id, name, location, latitude, longitude FROM (
    SELECT artist_id, artist_name AS name, NULLIF(TRIM(artist_location), '') AS location,
           artist_latitude AS latitude, artist_longitude AS longitude,
           ROW_NUMBER() OVER (
               PARTITION BY artist_id
               ORDER BY (CASE WHEN artist_latitude IS NULL THEN 1 ELSE 0 END)
                        + (CASE WHEN NULLIF(TRIM(artist_location), '') IS NULL THEN 1 ELSE 0 END),
                        artist_name, artist_location, artist_latitude, artist_longitude
           ) AS pick
    FROM staging_songs WHERE artist_id IS NOT NULL
) AS a WHERE pick = 1""",
    "time": f"""
SELECT start_time,
       CAST(EXTRACT(HOUR FROM start_time) AS INT) AS hour,
       CAST(EXTRACT(DAY FROM start_time) AS INT) AS day,
       CAST(EXTRACT(WEEK FROM start_time) AS INT) AS week,
       CAST(EXTRACT(MONTH FROM start_time) AS INT) AS month,
       CAST(EXTRACT(YEAR FROM start_time) AS INT) AS year,
       CAST(EXTRACT(DOW FROM start_time) AS INT) AS weekday
FROM (SELECT DISTINCT {EPOCH.format("ts")} AS start_time FROM staging_events WHERE ts IS NOT NULL) AS stamps""",
}


# ---------------------------------------------------------------- pure helpers (tested)


def line_rows(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A newline-delimited file's chunks as COPY rows: passed through, a missing final newline added."""
    last = b"\n"
    for chunk in chunks:
        if chunk:
            yield chunk
            last = chunk[-1:]
    if last != b"\n":
        yield b"\n"


def object_rows(content: bytes) -> bytes:
    """A file of (pretty-printed) JSON objects as COPY rows, one object a line.

    A raw line break never occurs inside a JSON string, so it becomes a space; a new line starts between
    top-level objects (the same cut as bench/floor.sql makes on DuckDB)."""
    flat = content.replace(b"\r", b" ").replace(b"\n", b" ").strip()
    if not flat:
        return b""
    return _BETWEEN_OBJECTS.sub(b"}\n{", flat) + b"\n"


def typed_select(fields: tuple[tuple[str, str, str], ...], buffer: str) -> str:
    """One json_to_record per document of the buffer, its keys cast and renamed to the staging columns."""
    keys = ", ".join(f'r."{key}" AS {column}' for key, column, _t in fields)
    record = ", ".join(f'"{key}" {kind}' for key, _c, kind in fields)
    return f"SELECT {keys} FROM {buffer}, json_to_record({buffer}.doc) AS r({record})"


# ---------------------------------------------------------------- the load


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json") if p.is_file())


def run(data: Path, dsn: str) -> dict[str, float]:
    import psycopg

    seconds: dict[str, float] = {}
    with psycopg.connect(dsn) as con:  # one transaction, committed when the block ends
        cur = con.cursor()
        cur.execute(SETTINGS)

        def timed(name: str, sql: str) -> None:
            began = time.perf_counter()
            cur.execute(sql)
            seconds[name] = time.perf_counter() - began

        began = time.perf_counter()
        cur.execute("CREATE TEMPORARY TABLE raw_events (doc json) ON COMMIT DROP")
        with cur.copy(f"COPY raw_events (doc) FROM STDIN {COPY_RAW}") as copy:
            for path in files(data / "log_data"):
                with path.open("rb") as fh:
                    for rows in line_rows(iter(lambda fh=fh: fh.read(1 << 20), b"")):
                        copy.write(rows)
        seconds["copy events"] = time.perf_counter() - began
        began = time.perf_counter()
        cur.execute("CREATE TEMPORARY TABLE raw_songs (doc json) ON COMMIT DROP")
        with cur.copy(f"COPY raw_songs (doc) FROM STDIN {COPY_RAW}") as copy:
            for path in files(data / "song_data"):
                copy.write(object_rows(path.read_bytes()))
        seconds["copy songs"] = time.perf_counter() - began
        timed("staging_events", "CREATE UNLOGGED TABLE staging_events AS " + typed_select(EVENT_FIELDS, "raw_events"))
        timed("staging_songs", "CREATE UNLOGGED TABLE staging_songs AS " + typed_select(SONG_FIELDS, "raw_songs"))
        timed("analyze", "ANALYZE staging_events; ANALYZE staging_songs")
        for table, sql in STAR.items():
            timed(table, f'CREATE TABLE "{table}" AS {sql}')
        began = time.perf_counter()
    seconds["commit"] = time.perf_counter() - began
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, required=True, help="the data root (log_data/, song_data/)")
    ap.add_argument("--dsn", required=True, help="libpq connection string of an empty database")
    ap.add_argument("--verbose", action="store_true", help="print seconds per step")
    a = ap.parse_args(argv)
    seconds = run(a.data, a.dsn)
    if a.verbose:
        for step, s in seconds.items():
            print(f"{step:16} {s:8.2f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
