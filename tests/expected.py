"""Independent model of the Sparkify star schema, derived straight from the raw files.

Why this exists: an integration test that asserts figures copied from the engine's own
output only proves the engine still agrees with itself. The figures here come from a
second, deliberately naive implementation (stdlib ``json`` only: no duckdb, no SQL), so a
test that compares the engine's tables with :func:`derive` checks the engine against an
independent reading of the same files.

Input layout (a "Sparkify-shaped" data folder)::

    DATA/log_data/**/*.json   newline-delimited JSON events, camelCase keys,
                              ``ts`` in epoch milliseconds, ``userId`` a string that is
                              "" (or null) for logged-out events
    DATA/song_data/**/*.json  one or more concatenated (possibly pretty-printed) JSON
                              song objects per file

Rules (the same rules the engine's SQL must implement):

* ``staging_events`` / ``staging_songs``: every event object / every song object, duplicates
  included (a song file may hold several objects, one of which repeats another file's song).
* ``users``: one row per distinct non-empty ``userId`` (cast to ``int``) over *all* events,
  not only NextSong. Its attributes (first name, last name, gender, level) come from that
  user's latest event, ordered by ``ts``, then ``sessionId``, then ``itemInSession``; the
  largest wins. Users change level during the month, so "any event" would be ambiguous.
* ``songs``: one row per distinct ``song_id``. When a song_id occurs several times the
  first occurrence in (sorted file path, position in file) order is kept; ``song_conflicts``
  counts song_ids whose repeated objects are not identical, so a test can check that the
  choice does not matter.
* ``artists``: one row per distinct ``artist_id`` over all song objects.
* ``time``: one row per distinct ``ts`` over all events; ``hours`` counts those instants
  by UTC hour of day, computed with integer arithmetic (no float rounding).
* ``songplays``: one row per NextSong event, whether or not its song is known, identified
  by ``(sessionId, itemInSession)``.
* Song match: a NextSong event matches a song when ``title == song``,
  ``artist_name == artist`` and ``duration == length``, compared exactly (float equality
  after JSON parsing), against the songs *deduplicated by song_id*. When several distinct
  songs share the same (title, artist_name, duration) the smallest ``song_id`` wins; the
  number of matched plays that needed this tie-break is ``ambiguous_matches``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

#: A songplay's natural key: (session_id, item_in_session).
PlayKey = tuple[int, int]
#: The attributes the users table must hold: (first_name, last_name, gender, level).
UserRow = tuple[str | None, str | None, str | None, str | None]

_MS_PER_HOUR = 3_600_000


@dataclass(frozen=True)
class Expected:
    """What the star schema built from one data folder must contain.

    Mappings are read-only views and id sets are frozensets, so a test cannot mutate the
    expectation it is checking against by accident.
    """

    staging_events: int
    """Event objects in log_data (all pages, logged-out events included)."""
    staging_songs: int
    """Song objects in song_data, duplicates included."""
    songplays: int
    """NextSong events: every play, matched to a song or not."""
    songplays_ids: frozenset[PlayKey]
    """(session_id, item_in_session) of every NextSong event."""
    songplays_matched: int
    """NextSong events whose (song, artist, length) matches a deduplicated song."""
    matched_pairs: Mapping[PlayKey, tuple[str, str]]
    """(session_id, item_in_session) -> (song_id, artist_id) for the matched plays."""
    ambiguous_matches: int
    """Matched plays for which several distinct song_ids matched (smallest one taken)."""
    users: int
    """Distinct non-empty userId over all events."""
    users_nextsong: int
    """Distinct non-empty userId over NextSong events only."""
    users_latest: Mapping[int, UserRow]
    """user_id -> (first_name, last_name, gender, level) from the user's latest event."""
    user_tuples: int
    """Distinct (userId, firstName, lastName, gender, level) over events with a userId."""
    level_changers: int
    """Users seen with more than one level over their events."""
    songs: int
    """Distinct song_id."""
    song_conflicts: int
    """song_ids whose repeated objects differ (0 means the dedup choice is immaterial)."""
    artists: int
    """Distinct artist_id over all song objects."""
    time: int
    """Distinct ts over all events."""
    time_nextsong: int
    """Distinct ts over NextSong events only."""
    hours: Counter[int]
    """UTC hour of day (0-23) -> number of distinct ts falling in it; sums to ``time``."""


def _json_files(folder: Path) -> list[Path]:
    """All ``*.json`` files under ``folder``, sorted so every derived choice is reproducible."""
    if not folder.is_dir():
        raise FileNotFoundError(f"missing data folder: {folder}")
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def _read_events(path: Path) -> Iterator[dict[str, Any]]:
    """Yield each event of a newline-delimited JSON log file; blank lines are skipped."""
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_no}: invalid JSON: {exc}") from exc
            if not isinstance(obj, dict):
                raise TypeError(f"{path}:{line_no}: expected a JSON object")
            yield obj


def _read_songs(path: Path) -> Iterator[dict[str, Any]]:
    """Yield every JSON object concatenated in a song file (pretty-printed or not)."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: invalid JSON at offset {pos}: {exc}") from exc
        if not isinstance(obj, dict):
            raise TypeError(f"{path}: expected JSON objects, got {type(obj).__name__}")
        yield obj


def _user_id(event: Mapping[str, Any]) -> int | None:
    """The event's user id as ``int``, or ``None`` for a logged-out event ("" or null)."""
    raw = event.get("userId")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return int(raw)


def _hour_of_day(ts_ms: int) -> int:
    """UTC hour of day of an epoch-millisecond instant, exact (floor division, no floats)."""
    return (ts_ms // _MS_PER_HOUR) % 24


def derive(data_root: Path) -> Expected:
    """Compute the expected star-schema figures for the data folder ``data_root``.

    ``data_root`` must contain ``log_data/`` and ``song_data/``; see the module docstring
    for the rules applied.
    """
    data_root = Path(data_root)

    # --- events -------------------------------------------------------------------
    staging_events = 0
    all_ts: set[int] = set()
    nextsong_ts: set[int] = set()
    nextsong: list[dict[str, Any]] = []
    users_all: set[int] = set()
    users_nextsong: set[int] = set()
    user_tuples: set[tuple[int, Any, Any, Any, Any]] = set()
    levels: defaultdict[int, set[Any]] = defaultdict(set)
    latest: dict[int, tuple[tuple[int, int, int], UserRow]] = {}

    for path in _json_files(data_root / "log_data"):
        for event in _read_events(path):
            staging_events += 1
            ts = int(event["ts"])
            all_ts.add(ts)
            is_play = event.get("page") == "NextSong"
            if is_play:
                nextsong.append(event)
                nextsong_ts.add(ts)

            uid = _user_id(event)
            if uid is None:
                continue
            row: UserRow = (
                event.get("firstName"),
                event.get("lastName"),
                event.get("gender"),
                event.get("level"),
            )
            users_all.add(uid)
            if is_play:
                users_nextsong.add(uid)
            user_tuples.add((uid, *row))
            levels[uid].add(row[3])
            order = (ts, int(event["sessionId"]), int(event["itemInSession"]))
            best = latest.get(uid)
            if best is None or order > best[0]:
                latest[uid] = (order, row)

    # --- songs --------------------------------------------------------------------
    staging_songs = 0
    songs: dict[str, dict[str, Any]] = {}
    conflicting: set[str] = set()
    artist_ids: set[str] = set()
    for path in _json_files(data_root / "song_data"):
        for song in _read_songs(path):
            staging_songs += 1
            artist_ids.add(song["artist_id"])
            song_id = song["song_id"]
            kept = songs.get(song_id)
            if kept is None:
                songs[song_id] = song
            elif kept != song:
                conflicting.add(song_id)

    # (title, artist_name, duration) -> candidate song_ids, from deduplicated songs.
    # Python's == and hash agree for 200 == 200.0, matching a numeric SQL comparison.
    by_key: defaultdict[tuple[Any, Any, Any], set[str]] = defaultdict(set)
    for song_id, song in songs.items():
        by_key[(song.get("title"), song.get("artist_name"), song.get("duration"))].add(song_id)

    # --- songplays ----------------------------------------------------------------
    play_ids: set[PlayKey] = set()
    matched: dict[PlayKey, tuple[str, str]] = {}
    matched_events = 0  # counted per event, in case a data folder repeats a play key
    ambiguous = 0
    for event in nextsong:
        key: PlayKey = (int(event["sessionId"]), int(event["itemInSession"]))
        play_ids.add(key)
        title, artist, length = (
            event.get("song"),
            event.get("artist"),
            event.get("length"),
        )
        if title is None or artist is None or length is None:
            continue
        candidates = by_key.get((title, artist, length))
        if not candidates:
            continue
        matched_events += 1
        if len(candidates) > 1:
            ambiguous += 1
        song_id = min(candidates)
        matched[key] = (song_id, songs[song_id]["artist_id"])

    return Expected(
        staging_events=staging_events,
        staging_songs=staging_songs,
        songplays=len(nextsong),
        songplays_ids=frozenset(play_ids),
        songplays_matched=matched_events,
        matched_pairs=MappingProxyType(matched),
        ambiguous_matches=ambiguous,
        users=len(users_all),
        users_nextsong=len(users_nextsong),
        users_latest=MappingProxyType({uid: row for uid, (_, row) in latest.items()}),
        user_tuples=len(user_tuples),
        level_changers=sum(1 for seen in levels.values() if len(seen) > 1),
        songs=len(songs),
        song_conflicts=len(conflicting),
        artists=len(artist_ids),
        time=len(all_ts),
        time_nextsong=len(nextsong_ts),
        hours=Counter(_hour_of_day(ts) for ts in all_ts),
    )
