"""Tests for bench/generate.py: determinism, self-reported counts, the real-data quirks.

The counts in expected_counts.yaml are recomputed here from the files alone, with the
json module, so a pipeline test can trust them as ground truth.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import load_bench

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sparkify" / "data"
SMALL = ["--days", "4", "--events", "2400", "--songs", "150", "--match-rate", "0.2", "--seed", "7"]
# How the app requests each page, as in the real logs (PUT for actions, 307 redirects).
PAGE_REQUEST = {
    "NextSong": ("PUT", 200),
    "Login": ("PUT", 307),
    "Logout": ("PUT", 307),
    "Save Settings": ("PUT", 307),
    "Submit Upgrade": ("PUT", 307),
    "Submit Downgrade": ("PUT", 307),
    "Error": ("GET", 404),
    **{p: ("GET", 200) for p in ("Home", "Settings", "Help", "About", "Upgrade", "Downgrade")},
}


gen = load_bench("generate")


def generate(out: Path, *args: str) -> Path:
    """Run the generator's CLI entry point in-process and return the output folder."""
    assert gen.main(["--out", str(out), *args]) == 0
    return out


def tree(root: Path) -> dict[str, bytes]:
    """Map every file's relative path to its bytes, for byte-identity checks."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_objects(path: Path) -> list[dict[str, Any]]:
    """Read concatenated / newline-delimited / pretty JSON objects, as a loader must."""
    text, decoder, pos = path.read_text(encoding="utf-8"), json.JSONDecoder(), 0
    objs: list[dict[str, Any]] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return objs
        obj, pos = decoder.raw_decode(text, pos)
        objs.append(obj)


def read_events(root: Path) -> list[dict[str, Any]]:
    """All log events, checking each line is compact JSON with the real key order."""
    events = []
    for path in sorted((root / "log_data").rglob("*.json")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            event = json.loads(line)
            assert tuple(event) == gen.LOG_KEYS
            assert json.dumps(event, separators=(",", ":")) == line
            day = datetime.fromtimestamp(event["ts"] / 1000, UTC).strftime("%Y-%m-%d")
            assert path.name == f"{day}-events.json"
            events.append(event)
    return events


def read_songs(root: Path) -> dict[Path, list[dict[str, Any]]]:
    """Song objects per file."""
    return {p: read_objects(p) for p in sorted((root / "song_data").rglob("*.json"))}


def read_expected(root: Path) -> dict[str, int]:
    """Parse the hand-written two-level YAML without needing pyyaml."""
    lines = (root / "expected_counts.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "expected:"
    return {k.strip(): int(v) for k, v in (line.split(":") for line in lines[1:])}


def recount(root: Path) -> dict[str, int]:
    """Recompute every expected figure from the files only."""
    events, songs = read_events(root), read_songs(root)
    rows = [s for objs in songs.values() for s in objs]
    catalogue = {(s["title"], s["artist_name"], s["duration"]) for s in rows}
    plays = [e for e in events if e["page"] == "NextSong"]
    return {
        "events": len(events),
        "nextsong_events": len(plays),
        "distinct_ts": len({e["ts"] for e in events}),
        "distinct_users": len({e["userId"] for e in events if e["userId"] != ""}),
        "song_rows": len(rows),
        "distinct_songs": len({s["song_id"] for s in rows}),
        "distinct_artists": len({s["artist_id"] for s in rows}),
        "matched_plays": sum((e["song"], e["artist"], e["length"]) in catalogue for e in plays),
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small dataset shared by the read-only checks."""
    return generate(tmp_path_factory.mktemp("small"), *SMALL)


def test_same_seed_gives_identical_bytes(small: Path, tmp_path: Path) -> None:
    assert tree(generate(tmp_path / "again", *SMALL)) == tree(small)


def test_other_seed_differs(small: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", *SMALL[:-1], "8")
    assert tree(other) != tree(small)


@pytest.mark.parametrize("extra", [[], ["--songs-per-file", "7"]])
def test_expected_counts_match_files(small: Path, tmp_path: Path, extra: list[str]) -> None:
    root = generate(tmp_path / "d", *SMALL, *extra) if extra else small
    expected = read_expected(root)
    assert list(expected) == list(gen.COUNT_KEYS)
    assert recount(root) == expected
    assert expected["events"] == 2400
    assert expected["song_rows"] == expected["distinct_songs"] + 1 == 151
    assert 0.75 < expected["nextsong_events"] / expected["events"] < 0.92
    assert 0.1 < expected["matched_plays"] / expected["nextsong_events"] < 0.3
    assert expected["distinct_ts"] < expected["events"]  # some events share a ts


def test_one_song_file_holds_a_pretty_duplicate(small: Path) -> None:
    songs = read_songs(small)
    doubles = [p for p, objs in songs.items() if len(objs) > 1]
    assert len(doubles) == 1 and len(songs[doubles[0]]) == 2
    first, dup = songs[doubles[0]]
    others = [s for p, objs in songs.items() if p != doubles[0] for s in objs]
    assert dup in others and first not in others
    assert doubles[0].read_text(encoding="utf-8") == "".join(json.dumps(s, indent=2) + "\n" for s in (first, dup))
    for path, objs in songs.items():
        track = path.stem
        assert path.parent.relative_to(small / "song_data").parts == tuple(track[2:5])
        assert len(track) == 18 and track.startswith("TR")
        if path != doubles[0]:  # the rest: one compact object, like the real files
            assert path.read_text(encoding="utf-8") == json.dumps(objs[0], separators=(",", ":"))
    for s in others:
        assert list(s) == [
            "artist_id",
            "artist_latitude",
            "artist_location",
            "artist_longitude",
            "artist_name",
            "duration",
            "num_songs",
            "song_id",
            "title",
            "year",
        ]
        assert s["artist_id"][:2] == "AR" and s["song_id"][:2] == "SO"
        assert len(s["artist_id"]) == len(s["song_id"]) == 18
        assert round(s["duration"], 5) == s["duration"] and s["num_songs"] == 1


def test_artists_shared_and_described_two_ways(small: Path) -> None:
    described: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    songs_per_artist: dict[str, int] = defaultdict(int)
    for objs in read_songs(small).values():
        for s in objs:
            described[s["artist_id"]].add(
                (s["artist_name"], s["artist_location"], s["artist_latitude"], s["artist_longitude"])
            )
            songs_per_artist[s["artist_id"]] += 1
    assert any(n > 2 for n in songs_per_artist.values())
    assert any(len(d) > 1 for d in described.values())


def test_event_shape(small: Path) -> None:
    events = read_events(small)
    keys = [(e["sessionId"], e["itemInSession"]) for e in events]
    assert len(set(keys)) == len(keys)
    sessions: dict[int, list[int]] = defaultdict(list)
    levels: dict[str, set[str]] = defaultdict(set)
    for e in events:
        sessions[e["sessionId"]].append(e["itemInSession"])
        assert isinstance(e["userId"], str) and isinstance(e["ts"], int)
        assert (e["method"], e["status"]) == PAGE_REQUEST[e["page"]]
        assert (e["length"] is None) == (e["page"] != "NextSong") == (e["song"] is None)
        if e["auth"] == "Logged Out":
            assert e["userId"] == "" and e["firstName"] is None and e["registration"] is None
        else:
            assert e["auth"] == "Logged In" and e["userId"].isdigit()
            assert isinstance(e["registration"], float)
            levels[e["userId"]].add(e["level"])
    assert all(sorted(items) == list(range(len(items))) for items in sessions.values())
    assert any(len(lv) == 2 for lv in levels.values())
    assert {e["auth"] for e in events} == {"Logged In", "Logged Out"}


def test_jsonpaths_file(small: Path) -> None:
    paths = json.loads((small / "log_json_path.json").read_text(encoding="utf-8"))
    assert paths == {"jsonpaths": [f"$['{k}']" for k in gen.LOG_KEYS]}


def test_refuses_stale_output_without_clean(small: Path, tmp_path: Path) -> None:
    out = generate(tmp_path / "d", "--sample")
    (out / "README.keep").write_text("not ours")
    assert gen.main(["--out", str(out), "--sample"]) == 2
    assert gen.main(["--out", str(out), "--sample", "--clean"]) == 0
    assert (out / "README.keep").exists()


def test_shipped_sample_is_fresh_generation(tmp_path: Path) -> None:
    shipped = tree(SAMPLE)
    assert shipped == tree(generate(tmp_path / "sample", "--sample"))
    assert sum(len(b) for b in shipped.values()) < 200_000
    assert recount(SAMPLE) == read_expected(SAMPLE)
