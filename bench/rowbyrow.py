"""A row-by-row Sparkify loader in the style of the original Udacity scripts: the baseline.

Each file is read with the json module in Python and every row goes to the warehouse as
its own parameterised INSERT (DuckDB ``execute`` per row), the way the course's
``etl.py`` did with psycopg2. The seven tables and their rules are those of
pipeline.yaml + transforms/*.sql, so the row counts match the engine's. Two kindnesses
to the baseline, both of which only make it faster: all inserts share one transaction
(the course scripts autocommitted each row), and the catalogue match of a play is a
Python dict lookup rather than one SELECT per play.

``--sample F`` loads only a fraction F of the input (the first F of each log file's
bytes and every 1/F-th song file; nothing else is read) so large sizes finish in minutes; the runner
extrapolates the time linearly. The last line on stdout is a JSON summary: rows read
and the seconds spent loading (everything after start-up), which is the part that scales.

    python bench/rowbyrow.py --data ../shared/datasets/sparkify --db /tmp/rbr.duckdb
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

# staging_events columns in JSONPaths order (log_json_path.json), with the log key each reads
EVENT_COLUMNS = (
    ("artist", "artist", "VARCHAR"),
    ("auth", "auth", "VARCHAR"),
    ("first_name", "firstName", "VARCHAR"),
    ("gender", "gender", "VARCHAR"),
    ("item_in_session", "itemInSession", "INTEGER"),
    ("last_name", "lastName", "VARCHAR"),
    ("length", "length", "DOUBLE"),
    ("level", "level", "VARCHAR"),
    ("location", "location", "VARCHAR"),
    ("method", "method", "VARCHAR"),
    ("page", "page", "VARCHAR"),
    ("registration", "registration", "DOUBLE"),
    ("session_id", "sessionId", "INTEGER"),
    ("song", "song", "VARCHAR"),
    ("status", "status", "INTEGER"),
    ("ts", "ts", "BIGINT"),
    ("user_agent", "userAgent", "VARCHAR"),
    ("user_id", "userId", "VARCHAR"),
)
SONG_COLUMNS = (
    ("num_songs", "INTEGER"),
    ("artist_id", "VARCHAR"),
    ("artist_latitude", "DOUBLE"),
    ("artist_longitude", "DOUBLE"),
    ("artist_location", "VARCHAR"),
    ("artist_name", "VARCHAR"),
    ("song_id", "VARCHAR"),
    ("title", "VARCHAR"),
    ("duration", "DOUBLE"),
    ("year", "INTEGER"),
)
EVENT_KEYS = tuple((k, t) for _c, k, t in EVENT_COLUMNS)
DDL = {
    "staging_events": ", ".join(f"{c} {t}" for c, _k, t in EVENT_COLUMNS),
    "staging_songs": ", ".join(f"{c} {t}" for c, t in SONG_COLUMNS),
    "songplays": "songplay_id BIGINT NOT NULL, start_time TIMESTAMP NOT NULL, user_id INTEGER, level VARCHAR, "
    "song_id VARCHAR, artist_id VARCHAR, session_id INTEGER, location VARCHAR, user_agent VARCHAR",
    "users": "user_id INTEGER NOT NULL, first_name VARCHAR, last_name VARCHAR, gender VARCHAR, level VARCHAR",
    "songs": "song_id VARCHAR NOT NULL, title VARCHAR, artist_id VARCHAR, year INTEGER, duration DOUBLE",
    "artists": "artist_id VARCHAR NOT NULL, name VARCHAR, location VARCHAR, latitude DOUBLE, longitude DOUBLE",
    "time": "start_time TIMESTAMP NOT NULL, hour INTEGER, day INTEGER, week INTEGER, month INTEGER, "
    "year INTEGER, weekday INTEGER",
}
EPOCH = datetime(1970, 1, 1)


def read_objects(path: Path) -> list[dict[str, Any]]:
    """json.load a file, also when it holds several objects (NDJSON, or concatenated pretty JSON)."""
    text, decoder, pos, objs = path.read_text(encoding="utf-8"), json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return objs
        obj, pos = decoder.raw_decode(text, pos)
        objs.append(obj)


CASTS = {"VARCHAR": str, "INTEGER": int, "BIGINT": int, "DOUBLE": float}


def typed(obj: dict[str, Any], columns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Cast a parsed object's values to the staging types (a number where text is due, and so on)."""
    out = dict(obj)
    for key, sql_type in columns:
        value = obj.get(key)
        if value is not None and not isinstance(value, bool) and type(value) is not CASTS[sql_type]:
            out[key] = CASTS[sql_type](value)
    return out


def nl(value: Any) -> tuple[bool, Any]:
    """Sort key for SQL's ascending NULLS LAST."""
    return (value is None, value if value is not None else 0)


def insert(con: duckdb.DuckDBPyConnection, table: str, row: tuple[Any, ...]) -> None:
    """One row, one statement: the pattern this baseline exists to measure."""
    con.execute(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(row))})', row)


def as_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def pick_songs(songs: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """songs.sql: per song_id a known year first, then the smallest title, artist_id, duration."""
    best: dict[str, tuple[Any, ...]] = {}
    for s in songs:
        if s.get("song_id") is None:
            continue
        year = s.get("year") or None
        key = (year is None, nl(s.get("title")), nl(s.get("artist_id")), nl(s.get("duration")))
        row = (s["song_id"], s.get("title"), s.get("artist_id"), year, s.get("duration"))
        if s["song_id"] not in best or key < best[s["song_id"]][0]:
            best[s["song_id"]] = (key, row)
    return {k: v[1] for k, v in best.items()}


def pick_artists(songs: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """artists.sql: per artist_id the most complete description, then the smallest values."""
    best: dict[str, tuple[Any, ...]] = {}
    for s in songs:
        if s.get("artist_id") is None:
            continue
        loc = (s.get("artist_location") or "").strip(" ") or None
        lat, lon = s.get("artist_latitude"), s.get("artist_longitude")
        key = ((lat is None) + (loc is None), nl(s.get("artist_name")), nl(s.get("artist_location")), nl(lat), nl(lon))
        row = (s["artist_id"], s.get("artist_name"), loc, lat, lon)
        if s["artist_id"] not in best or key < best[s["artist_id"]][0]:
            best[s["artist_id"]] = (key, row)
    return {k: v[1] for k, v in best.items()}


def load(data: Path, db: str, sample: float) -> dict[str, Any]:
    con = duckdb.connect(db)
    for table, columns in DDL.items():
        con.execute(f'CREATE TABLE "{table}" ({columns})')
    con.execute("BEGIN TRANSACTION")
    began = time.perf_counter()

    song_files = sorted((data / "song_data").rglob("*.json"))
    if sample < 1:
        song_files = [p for i, p in enumerate(song_files) if math.floor((i + 1) * sample) > math.floor(i * sample)]
    songs: list[dict[str, Any]] = []
    for path in song_files:
        for s in (typed(o, SONG_COLUMNS) for o in read_objects(path)):
            insert(con, "staging_songs", tuple(s.get(c) for c, _t in SONG_COLUMNS))
            songs.append(s)

    events: list[dict[str, Any]] = []
    for path in sorted((data / "log_data").rglob("*.json")):
        if sample < 1:  # the first F of the file's bytes, read no further, so the sample's time scales
            lines, want, got = [], math.ceil(path.stat().st_size * sample), 0
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    lines.append(line)
                    got += len(line)
                    if got >= want:
                        break
        else:
            lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines:
            if not line.strip():
                continue
            e = typed(json.loads(line), EVENT_KEYS)
            insert(con, "staging_events", tuple(e.get(k) for _c, k, _t in EVENT_COLUMNS))
            events.append(e)

    for row in pick_songs(songs).values():
        insert(con, "songs", row)
    for row in pick_artists(songs).values():
        insert(con, "artists", row)

    users: dict[str, tuple[Any, ...]] = {}  # users.sql: the latest event of each user
    stamps: set[int] = set()
    for e in events:
        if e.get("ts") is not None:
            stamps.add(e["ts"])
        uid = e.get("userId")
        if uid is None or uid == "":
            continue
        # ORDER BY ts DESC, session_id DESC, item_in_session DESC (NULLS LAST): the largest key wins
        key = tuple(
            (v is not None, v if v is not None else 0)
            for v in (e.get("ts"), e.get("sessionId"), e.get("itemInSession"))
        )
        if uid not in users or key > users[uid][0]:
            users[uid] = (key, (int(uid), e.get("firstName"), e.get("lastName"), e.get("gender"), e.get("level")))
    for _key, row in users.values():
        insert(con, "users", row)
    for ts in stamps:  # time.sql; weekday 0 = Sunday, ISO week
        t = EPOCH + timedelta(milliseconds=ts)
        insert(con, "time", (t, t.hour, t.day, t.isocalendar()[1], t.month, t.year, t.isoweekday() % 7))

    catalogue: dict[tuple[Any, ...], tuple[Any, Any]] = {}  # songplays.sql: the smallest song_id matching
    for s in songs:
        if s.get("song_id") is None:
            continue
        match = (s.get("title"), s.get("artist_name"), s.get("duration"))
        ids = (s["song_id"], s.get("artist_id"))
        if match not in catalogue or (nl(ids[0]), nl(ids[1])) < tuple(map(nl, catalogue[match])):
            catalogue[match] = ids
    plays = [e for e in events if e.get("page") == "NextSong"]
    plays.sort(key=lambda e: (nl(e.get("ts")), nl(e.get("sessionId")), nl(e.get("itemInSession")), nl(e.get("userId"))))
    for n, e in enumerate(plays, 1):
        song_id, artist_id = catalogue.get((e.get("song"), e.get("artist"), e.get("length")), (None, None))
        insert(
            con,
            "songplays",
            (
                n,
                EPOCH + timedelta(milliseconds=e["ts"]),
                as_int(e.get("userId")),
                e.get("level"),
                song_id,
                artist_id,
                e.get("sessionId"),
                e.get("location"),
                e.get("userAgent"),
            ),
        )
    con.execute("COMMIT")
    con.close()
    return {
        "events": len(events),
        "song_rows": len(songs),
        "load_seconds": time.perf_counter() - began,
        "sample": sample,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data", required=True, help="data root holding log_data/ and song_data/")
    ap.add_argument("--db", required=True, help="DuckDB file to create (must not exist)")
    ap.add_argument("--sample", type=float, default=1.0, help="fraction of the input to load (0 < F <= 1)")
    a = ap.parse_args(argv)
    if not 0 < a.sample <= 1:
        ap.error("--sample must be within (0, 1]")
    if Path(a.db).exists():
        ap.error(f"{a.db} exists; give a fresh path")
    print(json.dumps(load(Path(a.data), a.db, a.sample)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
