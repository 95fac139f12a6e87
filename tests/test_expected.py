"""Checks of the independent deriver in ``tests/expected.py``.

The integration test asserts the figures that ``SOURCE.md`` publishes about the raw
Sparkify files. They are facts about the files, not engine output, so passing proves the
deriver reads the files correctly and can then be trusted as the oracle for engine tests.
The synthetic tests pin each rule (tie-breaks, dedup, exact matching) on tiny hand-made
folders whose answers are obvious by reading them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from expected import Expected, derive

SPARKIFY = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "sparkify"


@pytest.fixture(scope="module")
def sparkify() -> Expected:
    """Derive once per module: the real folder is read a single time for all assertions."""
    if not (SPARKIFY / "log_data").is_dir() or not (SPARKIFY / "song_data").is_dir():
        pytest.skip(f"Sparkify dataset not found at {SPARKIFY}")
    return derive(SPARKIFY)


@pytest.mark.integration
def test_sparkify_matches_published_source_figures(sparkify: Expected) -> None:
    """Every figure SOURCE.md states about the raw files is reproduced by the deriver."""
    exp = sparkify
    # Events: 8,056 of which 6,820 are NextSong.
    assert exp.staging_events == 8_056
    assert exp.songplays == 6_820
    assert len(exp.songplays_ids) == 6_820
    # Distinct ts: 8,023 over all events, 6,813 over NextSong.
    assert exp.time == 8_023
    assert exp.time_nextsong == 6_813
    # Users: 97 distinct non-empty userId, 96 among NextSong, 105 attribute tuples.
    assert exp.users == 97
    assert exp.users_nextsong == 96
    assert exp.user_tuples == 105
    # Songs: 1,944 objects (one concatenated duplicate), 1,943 song ids, 1,809 artists.
    assert exp.staging_songs == 1_944
    assert exp.songs == 1_943
    assert exp.artists == 1_809
    # SOURCE.md says the extra object duplicates another file's song: dedup is immaterial.
    assert exp.song_conflicts == 0


@pytest.mark.integration
def test_sparkify_internal_consistency(sparkify: Expected) -> None:
    """Relations that must hold between the derived figures whatever the exact values."""
    exp = sparkify
    assert sum(exp.hours.values()) == exp.time
    assert set(exp.hours) <= set(range(24))
    assert all(isinstance(uid, int) and uid > 0 for uid in exp.users_latest)
    assert len(exp.users_latest) == exp.users
    assert len(exp.matched_pairs) == exp.songplays_matched
    assert set(exp.matched_pairs) <= exp.songplays_ids
    assert 0 <= exp.ambiguous_matches <= exp.songplays_matched <= exp.songplays
    # 105 tuples for 97 users: someone changed an attribute, and level is the one that varies.
    assert 1 <= exp.level_changers <= exp.user_tuples - exp.users
    assert {row[3] for row in exp.users_latest.values()} <= {"free", "paid"}


def _event(**overrides: Any) -> dict[str, Any]:
    """A logged-in, non-play event; tests override only the fields a rule depends on."""
    base: dict[str, Any] = {
        "artist": None,
        "auth": "Logged In",
        "firstName": "Ann",
        "gender": "F",
        "itemInSession": 0,
        "lastName": "Lee",
        "length": None,
        "level": "free",
        "location": "Nowhere",
        "method": "GET",
        "page": "Home",
        "registration": 1.5e12,
        "sessionId": 1,
        "song": None,
        "status": 200,
        "ts": 1_541_000_000_000,
        "userAgent": "ua",
        "userId": "7",
    }
    base.update(overrides)
    return base


def _song(song_id: str, title: str, artist: str, duration: float, artist_id: str) -> dict[str, Any]:
    """A song object with the Million Song Dataset keys."""
    return {
        "artist_id": artist_id,
        "artist_latitude": None,
        "artist_location": "",
        "artist_longitude": None,
        "artist_name": artist,
        "duration": duration,
        "num_songs": 1,
        "song_id": song_id,
        "title": title,
        "year": 2000,
    }


def _write_folder(root: Path, events: list[dict[str, Any]], song_files: dict[str, str]) -> Path:
    """Lay out a Sparkify-shaped folder: one log file and the given raw song file texts."""
    log_dir = root / "log_data" / "2018" / "11"
    log_dir.mkdir(parents=True)
    (log_dir / "2018-11-01-events.json").write_text("\n".join(json.dumps(e) for e in events) + "\n\n", encoding="utf-8")
    for rel, text in song_files.items():
        path = root / "song_data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_rules_on_synthetic_folder(tmp_path: Path) -> None:
    """Each documented rule gives the answer one can read off the hand-made input."""
    hour = 3_600_000
    t0 = 1_541_030_400_000  # 2018-11-01T00:00:00Z
    events = [
        # user 7: free, then paid; the two last events share ts, sessionId decides.
        _event(ts=t0, sessionId=1, itemInSession=0, level="free"),
        _event(ts=t0 + hour, sessionId=2, itemInSession=5, level="paid", lastName="Old"),
        _event(ts=t0 + hour, sessionId=3, itemInSession=0, level="paid", lastName="New"),
        # user 8: two events at the same ts and session; itemInSession decides.
        _event(
            userId="8",
            ts=t0,
            sessionId=4,
            itemInSession=2,
            firstName="Bo",
            level="free",
        ),
        _event(
            userId="8",
            ts=t0,
            sessionId=4,
            itemInSession=1,
            firstName="Al",
            level="free",
        ),
        # logged out: counts as an event and a ts, never as a user.
        _event(
            userId="",
            firstName=None,
            lastName=None,
            gender=None,
            level="free",
            auth="Logged Out",
            ts=t0 + 2 * hour,
            sessionId=9,
            itemInSession=0,
        ),
        # user 9's plays: exact match, ambiguous match, near-miss duration, unknown song.
        _event(
            userId="9",
            firstName="Cy",
            page="NextSong",
            song="Hit",
            artist="Band",
            length=200.5,
            ts=t0 + 3 * hour,
            sessionId=5,
            itemInSession=0,
        ),
        _event(
            userId="9",
            firstName="Cy",
            page="NextSong",
            song="Twin",
            artist="Duo",
            length=100.0,
            ts=t0 + 3 * hour,
            sessionId=5,
            itemInSession=1,
        ),
        _event(
            userId="9",
            firstName="Cy",
            page="NextSong",
            song="Hit",
            artist="Band",
            length=200.50001,
            ts=t0 + 4 * hour,
            sessionId=5,
            itemInSession=2,
        ),
        _event(
            userId="9",
            firstName="Cy",
            page="NextSong",
            song="Nope",
            artist="Nobody",
            length=1.0,
            ts=t0 + 5 * hour,
            sessionId=5,
            itemInSession=3,
        ),
    ]
    hit = _song("SOHIT", "Hit", "Band", 200.5, "ARBAND")
    twin_b = _song("SOTWINB", "Twin", "Duo", 100, "ARDUO2")  # int duration == 100.0
    twin_a = _song("SOTWINA", "Twin", "Duo", 100.0, "ARDUO1")
    song_files = {
        # Two pretty-printed objects concatenated, the second repeating b.json's song.
        "A/a.json": json.dumps(hit, indent=2) + "\n" + json.dumps(twin_b, indent=2) + "\n",
        "A/b.json": json.dumps(twin_b),
        "A/c.json": "  \n" + json.dumps(twin_a) + json.dumps(twin_a),
    }
    exp = derive(_write_folder(tmp_path, events, song_files))

    assert exp.staging_events == 10
    assert exp.staging_songs == 5
    assert exp.songs == 3
    assert exp.song_conflicts == 0
    assert exp.artists == 3
    assert exp.songplays == 4
    assert exp.songplays_ids == {(5, 0), (5, 1), (5, 2), (5, 3)}
    assert exp.songplays_matched == 2
    assert dict(exp.matched_pairs) == {
        (5, 0): ("SOHIT", "ARBAND"),
        (5, 1): ("SOTWINA", "ARDUO1"),
    }
    assert exp.ambiguous_matches == 1
    assert exp.users == 3
    assert exp.users_nextsong == 1
    assert exp.user_tuples == 6
    assert dict(exp.users_latest) == {
        7: ("Ann", "New", "F", "paid"),
        8: ("Bo", "Lee", "F", "free"),
        9: ("Cy", "Lee", "F", "free"),
    }
    assert exp.level_changers == 1
    assert exp.time == 6
    assert exp.time_nextsong == 3
    assert exp.hours == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1}


def test_conflicting_duplicate_song_keeps_first_in_path_order(tmp_path: Path) -> None:
    """A repeated song_id with different content is flagged and the first file's copy kept."""
    first = _song("SO1", "Old", "Band", 10.0, "AR1")
    second = _song("SO1", "New", "Band", 10.0, "AR1")
    play = _event(page="NextSong", song="New", artist="Band", length=10.0)
    exp = derive(
        _write_folder(
            tmp_path,
            [play],
            {"A/a.json": json.dumps(first), "B/a.json": json.dumps(second)},
        )
    )
    assert exp.songs == 1
    assert exp.song_conflicts == 1
    assert exp.songplays_matched == 0  # "New" lost the dedup, so it cannot match


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    """A wrong data root must fail loudly rather than derive an all-zero expectation."""
    with pytest.raises(FileNotFoundError):
        derive(tmp_path)
