"""Deterministic generator of Sparkify-shaped event logs and song files.

Why: tests and benchmarks need Sparkify data in the real layout (daily NDJSON logs,
one-song JSON files under ``song_data/A/B/C``, a JSONPaths file) at any scale, with
the real quirks, without shipping or copying the public dataset. Everything comes
from one ``random.Random(seed)``, so the same arguments give byte-identical output,
and the generator records what it wrote in ``expected_counts.yaml`` so tests can
check a pipeline against figures known by construction.

Stdlib only. Examples::

    python bench/generate.py --sample --out examples/sparkify/data --clean
    python bench/generate.py --events 10000000 --songs 100000 --out /tmp/sparkify-10m
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

LOG_KEYS = (
    "artist",
    "auth",
    "firstName",
    "gender",
    "itemInSession",
    "lastName",
    "length",
    "level",
    "location",
    "method",
    "page",
    "registration",
    "sessionId",
    "song",
    "status",
    "ts",
    "userAgent",
    "userId",
)
# One %-template with the keys in LOG_KEYS order: json.dumps per event is far too slow
# at 10M events, so every value is pre-encoded JSON and only ints are formatted here.
LINE = (
    '{"artist":%s,"auth":%s,"firstName":%s,"gender":%s,"itemInSession":%d,'
    '"lastName":%s,"length":%s,"level":%s,"location":%s,"method":%s,"page":%s,'
    '"registration":%s,"sessionId":%d,"song":%s,"status":%d,"ts":%d,'
    '"userAgent":%s,"userId":%s}'
)
DAY_MS = 86_400_000
OUTPUTS = ("log_data", "song_data", "log_json_path.json", "expected_counts.yaml")
COUNT_KEYS = (
    "events",
    "nextsong_events",
    "distinct_ts",
    "distinct_users",
    "song_rows",
    "distinct_songs",
    "distinct_artists",
    "matched_plays",
)
# (page, method, status, weight per 1000 drawn pages); Login/Logout are placed by the
# session script, as in the real logs where they bracket logged-out stretches.
PAGES = (
    ("NextSong", "PUT", 200, 905),
    ("Home", "GET", 200, 30),
    ("Downgrade", "GET", 200, 14),
    ("Settings", "GET", 200, 12),
    ("Help", "GET", 200, 10),
    ("About", "GET", 200, 8),
    ("Upgrade", "GET", 200, 7),
    ("Save Settings", "PUT", 307, 4),
    ("Error", "GET", 404, 3),
    ("Submit Upgrade", "PUT", 307, 4),
    ("Submit Downgrade", "PUT", 307, 3),
    ("Login", "PUT", 307, 0),
    ("Logout", "PUT", 307, 0),
)
P = {name: i for i, (name, _m, _s, _w) in enumerate(PAGES)}
NEXT = P["NextSong"]
PAGE_TABLE = [i for i, page in enumerate(PAGES) for _ in range(page[3])]
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = UPPER + "0123456789"
ONSETS = (
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "cr",
    "dr",
    "fl",
    "gr",
    "kl",
    "pr",
    "st",
    "tr",
    "sh",
    "ch",
)
VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "y")
WORDS = (
    "night",
    "blue",
    "river",
    "fire",
    "paper",
    "silver",
    "golden",
    "lonely",
    "broken",
    "electric",
    "summer",
    "winter",
    "ghost",
    "heart",
    "city",
    "dream",
    "wild",
    "echo",
    "shadow",
    "glass",
    "velvet",
    "stone",
    "ocean",
    "midnight",
    "static",
    "neon",
    "honey",
    "thunder",
    "little",
    "crimson",
    "hollow",
    "northern",
    "secret",
    "falling",
    "burning",
    "last",
    "empty",
    "sweet",
    "distant",
    "radio",
    "garden",
    "mirror",
    "satellite",
    "wolves",
    "tiger",
    "dancing",
    "lantern",
    "harbor",
    "machine",
    "highway",
    "letters",
    "rain",
    "sparrow",
    "canyon",
)
FIRST = {
    "F": (
        "Ada",
        "Bea",
        "Cleo",
        "Dina",
        "Elsa",
        "Fern",
        "Gwen",
        "Hana",
        "Iris",
        "Juno",
        "Kira",
        "Lena",
        "Mira",
        "Nora",
        "Opal",
        "Pia",
        "Rosa",
        "Sade",
        "Tess",
        "Una",
        "Vera",
        "Wren",
        "Yara",
        "Zoe",
    ),
    "M": (
        "Abel",
        "Bram",
        "Cyrus",
        "Dex",
        "Emil",
        "Finn",
        "Gus",
        "Hugo",
        "Ivo",
        "Jonas",
        "Kai",
        "Leon",
        "Milo",
        "Nico",
        "Otto",
        "Pablo",
        "Quinn",
        "Rafe",
        "Silas",
        "Theo",
        "Ugo",
        "Vince",
        "Wade",
        "Zane",
    ),
}
STATES = (
    "AL",
    "AZ",
    "CA",
    "CO",
    "FL",
    "GA",
    "IL",
    "IN",
    "KY",
    "MA",
    "MI",
    "MN",
    "MO",
    "NC",
    "NJ",
    "NY",
    "OH",
    "OR",
    "PA",
    "TN",
    "TX",
    "UT",
    "VA",
    "WA",
    "WI",
)


def word(rng: random.Random, syllables: int) -> str:
    """Make a pronounceable pseudo-word so names are synthetic, never real catalogue data."""
    text = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
    if rng.random() < 0.03:  # a few non-ASCII names, so the \\uXXXX escapes get exercised
        text = text.replace("e", "\u00e9", 1)
    return text.capitalize()


def artist_name(rng: random.Random) -> str:
    """Draw a band or person name; pseudo-words give millions of distinct names."""
    roll = rng.random()
    if roll < 0.3:
        return f"The {rng.choice(WORDS).capitalize()} {word(rng, 2).rstrip('s')}s"
    if roll < 0.7:
        return f"{word(rng, rng.randint(1, 2))} {word(rng, rng.randint(1, 3))}"
    return f"{word(rng, 2)} & The {rng.choice(WORDS).capitalize().rstrip('s')}s"


def song_title(rng: random.Random) -> str:
    """Draw a title from English words and pseudo-words (titles may repeat, like real ones)."""
    parts = [rng.choice(WORDS) if rng.random() < 0.75 else word(rng, 2).lower() for _ in range(rng.randint(1, 4))]
    return " ".join(parts).title() if rng.random() < 0.8 else " ".join(parts)


def fresh(rng: random.Random, seen: set[str], make: Callable[[random.Random], str]) -> str:
    """Draw from ``make`` until unseen: ids and names must be unique by construction."""
    while True:
        value = make(rng)
        if value not in seen:
            seen.add(value)
            return value


def user_agent(rng: random.Random) -> str:
    """Build a browser string; some carry literal quotes, a quirk of the real logs."""
    v = rng.randint(30, 40)
    kind = rng.randrange(3)
    if kind == 0:
        ua = (
            f"Mozilla/5.0 (Windows NT 6.{rng.randint(1, 3)}; WOW64) AppleWebKit/537.36 "
            f"(KHTML, like Gecko) Chrome/{v}.0.{rng.randint(1800, 2100)}.{rng.randint(10, 150)}"
            " Safari/537.36"
        )
    elif kind == 1:
        ua = f"Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
    else:
        ua = (
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_{rng.randint(7, 10)}_{rng.randint(1, 5)}) "
            f"AppleWebKit/600.{rng.randint(1, 8)}.{rng.randint(1, 17)} (KHTML, like Gecko) "
            f"Version/{rng.randint(6, 8)}.0 Safari/600.1.17"
        )
    return f'"{ua}"' if kind != 1 else ua


def place(rng: random.Random) -> str:
    """Build a metro-area style location such as 'Dravoton-Kesa, OH'."""
    city = word(rng, 2) + rng.choice(("ton", "ville", "field", " City", "", "burg"))
    if rng.random() < 0.4:
        city += "-" + word(rng, 2)
    return f"{city}, {rng.choice(STATES)}"


class Generator:
    """Holds the value pools and running counts; writes songs first, then logs by day."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Start empty state; one seeded Random drives every draw, in a fixed order."""
        self.a = args
        self.rng = random.Random(args.seed)
        self.out = Path(args.out)
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.ids: set[str] = set()  # every AR/SO/TR id drawn, so none repeats
        self.catalogue_artists: set[str] = set()
        self.users: list[tuple[str, ...]] = []  # pre-encoded JSON values per user
        self.level: list[int] = []  # current level per user, 0 free / 1 paid
        self.seen_users: set[int] = set()
        self.sid, self.force_change, self.n_cat, self.start_ms = 0, True, 0, 0

    def make_songs(self) -> list[dict[str, Any]]:
        """Catalogue songs; a few artists hold several songs, some described two ways."""
        rng, n = self.rng, self.a.songs
        names: set[str] = set()
        n_art = max(1, min(n - 1, int(n * 0.93)))
        cities = [place(rng) for _ in range(max(10, n // 20))]
        artists = []
        for _ in range(n_art):
            geo = rng.random()
            loc = "" if geo < 0.4 else rng.choice(cities)
            lat = round(rng.uniform(-40, 60), 5) if geo > 0.7 else None
            lon = round(rng.uniform(-125, 40), 5) if geo > 0.7 else None
            artists.append(
                (
                    fresh(rng, self.ids, lambda r: "AR" + "".join(r.choices(ALNUM, k=16))),
                    lat,
                    loc,
                    lon,
                    fresh(rng, names, artist_name),
                )
            )
        self.catalogue_artists = names
        owner = list(range(n_art)) + [rng.randrange(n_art) for _ in range(n - n_art)]
        rng.shuffle(owner)
        songs, described, variants = [], set(), 0
        for a_i in owner:
            art_id, lat, loc, lon, name = artists[a_i]
            if a_i in described and (variants == 0 or rng.random() < 0.3):
                variants += 1  # same artist_id, other description: a dimension must choose
                loc, lat, lon = (
                    (rng.choice(cities), round(rng.uniform(-40, 60), 5), round(rng.uniform(-125, 40), 5))
                    if loc == ""
                    else ("", None, None)
                )
            described.add(a_i)
            songs.append(
                {
                    "artist_id": art_id,
                    "artist_latitude": lat,
                    "artist_location": loc,
                    "artist_longitude": lon,
                    "artist_name": name,
                    "duration": round(rng.uniform(30.0, 600.0), 5),
                    "num_songs": 1,
                    "song_id": fresh(rng, self.ids, lambda r: "SO" + "".join(r.choices(ALNUM, k=16))),
                    "title": song_title(rng),
                    "year": 0 if rng.random() < 0.45 else rng.randint(1955, 2010),
                }
            )
        return songs

    def write_songs(self, songs: list[dict[str, Any]]) -> None:
        """One compact object per file (K=1) like the real files, NDJSON chunks at scale.

        The first file is the real quirk: two pretty-printed objects, the second an
        exact duplicate of a song stored in another file (so rows = songs + 1).
        """
        rng, k = self.rng, self.a.songs_per_file
        dup = songs[1 + rng.randrange(len(songs) - 1)]
        files = [("".join(json.dumps(s, indent=2) + "\n" for s in (songs[0], dup)), 2)]
        for i in range(1, len(songs), k):
            chunk = [json.dumps(s, separators=(",", ":")) for s in songs[i : i + k]]
            files.append(("\n".join(chunk) + ("\n" if k > 1 else ""), len(chunk)))
        for text, rows in files:
            track = fresh(
                rng, self.ids, lambda r: "TRA" + r.choice("ABCD") + r.choice(UPPER) + "".join(r.choices(ALNUM, k=13))
            )
            path = self.out / "song_data" / track[2] / track[3] / track[4] / f"{track}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.counts["song_rows"] += rows
        self.counts["distinct_songs"] = len({s["song_id"] for s in songs})
        self.counts["distinct_artists"] = len({s["artist_id"] for s in songs})

    def make_pools(self, songs: list[dict[str, Any]]) -> None:
        """Pre-encode users, plays and pages as JSON fragments for the line template."""
        rng, a = self.rng, self.a
        self.n_cat = len(songs)
        plays = [(s["artist_name"], s["title"], s["duration"]) for s in songs]
        outside_names: set[str] = set(self.catalogue_artists)  # never collide with catalogue
        out_artists = [fresh(rng, outside_names, artist_name) for _ in range(max(20, self.n_cat))]
        for _ in range(max(40, 2 * self.n_cat)):
            plays.append((rng.choice(out_artists), song_title(rng), round(rng.uniform(30, 600), 5)))
        self.plays = [(json.dumps(ar), json.dumps(t), repr(d)) for ar, t, d in plays]
        self.plays.append(("null", "null", "null"))  # index -1: no song on this event
        self.play_ms = [int(d) * 1000 for _ar, _t, d in plays]
        agents, cities = [user_agent(rng) for _ in range(40)], [place(rng) for _ in range(60)]
        start_ms = int(datetime.combine(a.start, datetime.min.time(), UTC).timestamp()) * 1000
        for uid in sorted(rng.sample(range(2, 3 * a.users + 2), a.users)):
            gender = rng.choice("FM")
            last = word(rng, rng.randint(2, 3))
            reg = float(start_ms - rng.randrange(DAY_MS, 90 * DAY_MS))
            self.users.append(
                tuple(
                    json.dumps(v)
                    for v in (
                        rng.choice(FIRST[gender]),
                        gender,
                        last,
                        rng.choice(cities),
                        reg,
                        rng.choice(agents),
                        str(uid),
                    )
                )
            )
            self.level.append(1 if rng.random() < 0.55 else 0)
        self.start_ms = start_ms
        self.logged_out = ("null",) * 6 + ('""',)
        self.pages = [(json.dumps(m), json.dumps(p), s) for p, m, s, _w in PAGES]

    def session(self, u: int, length: int, base: int, win: int, sid: int, out: list[tuple[int, ...]]) -> None:
        """Script one session: logged-out Home/Login prefix or Logout suffix, drawn pages
        in between; gaps follow song lengths so timestamps look like real listening."""
        rng, c, r = self.rng, self.counts, self.rng.random
        prefix = length >= 3 and r() < 0.08
        suffix = length >= 2 and r() < 0.12
        items: list[tuple[int, int, int, int]] = []
        gaps: list[int] = []
        for j in range(length):
            logged_in, play, lvl = 1, -1, self.level[u]
            if prefix and j < 2:
                page, logged_in = (P["Home"], P["Login"])[j], 0
            elif suffix and j == length - 1:
                page = P["Logout"]
            elif j == 2 * prefix and r() < 0.4:
                page = P["Home"]
            else:
                page = PAGE_TABLE[int(r() * len(PAGE_TABLE))]
                if self.force_change and j >= 1 and length - j >= 2:  # guarantee one change
                    page = P["Submit Downgrade"] if lvl else P["Submit Upgrade"]
                    self.force_change = False
                if page == P["Submit Upgrade"] and lvl == 1:
                    page = P["Downgrade"]
                elif page == P["Submit Downgrade"] and lvl == 0:
                    page = P["Upgrade"]
            gap = rng.randint(1, 90) * 1000
            if page == NEXT:
                c["nextsong_events"] += 1
                if r() < self.a.match_rate:
                    play = int(self.n_cat * r() ** 2)
                    c["matched_plays"] += 1
                else:
                    play = self.n_cat + int((len(self.plays) - 1 - self.n_cat) * r() ** 2)
                gap = self.play_ms[play] if r() < 0.95 else rng.randint(5, 60) * 1000
            elif page == P["Submit Upgrade"] or page == P["Submit Downgrade"]:
                self.level[u] = 1 - lvl  # later events of this user carry the new level
            if r() < 0.015:
                gap = 0  # a few events share a timestamp, as in the real logs
            items.append((page, play, logged_in, lvl))
            gaps.append(gap)
        span, room = sum(gaps[:-1]), win - 1
        if span > room:
            gaps = [g * room // span for g in gaps]
            span = sum(gaps[:-1])
        ts = base + int(r() * (room - span + 1))
        for j, (page, play, logged_in, lvl) in enumerate(items):
            out.append((ts, sid, j, page, u, lvl, play, logged_in))
            ts += gaps[j]

    def write_day(self, day: int, target: int) -> None:
        """Plan sessions to hit the day's exact event count, lay each user's sessions out
        in time order (so level changes stay chronological), sort by ts, stream to disk."""
        rng, r, n_users = self.rng, self.rng.random, len(self.users)
        plan: dict[int, list[int]] = {}
        left = target
        while left > 0:
            size = min(left, 1 + min(150, int(rng.expovariate(1 / 8))))
            plan.setdefault(int(n_users * r() ** 1.5), []).append(size)
            left -= size
        day_ms = self.start_ms + day * DAY_MS
        events: list[tuple[int, ...]] = []
        for u in sorted(plan):
            win = DAY_MS // len(plan[u])
            for k, size in enumerate(plan[u]):
                self.sid += 1 + (r() < 0.1)
                self.session(u, size, day_ms + k * win, win, self.sid, events)
        events.sort()
        c, prev, users, pages, plays, line = self.counts, -1, self.users, self.pages, self.plays, LINE
        levels, auth = ('"free"', '"paid"'), ('"Logged Out"', '"Logged In"')
        lines = []
        for ts, sid, item, page, u, lvl, play, logged_in in events:
            c["distinct_ts"] += ts != prev
            prev = ts
            f = users[u] if logged_in else self.logged_out
            if logged_in:
                self.seen_users.add(u)
            art, song, length = plays[play]
            method, page_json, status = pages[page]
            lines.append(
                line
                % (
                    art,
                    auth[logged_in],
                    f[0],
                    f[1],
                    item,
                    f[2],
                    length,
                    levels[lvl],
                    f[3],
                    method,
                    page_json,
                    f[4],
                    sid,
                    song,
                    status,
                    ts,
                    f[5],
                    f[6],
                )
            )
        c["events"] += len(lines)
        d = self.a.start + timedelta(days=day)
        path = self.out / "log_data" / f"{d:%Y}" / f"{d:%m}" / f"{d:%Y-%m-%d}-events.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(
                ("\n" if i else "") + "\n".join(lines[i : i + 50_000])  # no final \n,
                for i in range(0, len(lines), 50_000)
            )  # like the real files

    def run(self) -> dict[str, int]:
        """Write songs, logs, the JSONPaths file and expected_counts.yaml; return counts."""
        songs = self.make_songs()
        self.write_songs(songs)
        self.make_pools(songs)
        for day in range(self.a.days):
            n = self.a.events
            self.write_day(day, n * (day + 1) // self.a.days - n * day // self.a.days)
        self.counts["distinct_users"] = len(self.seen_users)
        paths = json.dumps({"jsonpaths": [f"$['{k}']" for k in LOG_KEYS]}, indent=4)
        (self.out / "log_json_path.json").write_text(paths, encoding="utf-8")
        body = "".join(f"  {k}: {self.counts[k]}\n" for k in COUNT_KEYS)
        (self.out / "expected_counts.yaml").write_text("expected:\n" + body, encoding="utf-8")
        return self.counts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse options; --sample only changes defaults, explicit flags still win."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument(
        "--start", type=date.fromisoformat, default=date(2018, 11, 1), help="first day, YYYY-MM-DD (default 2018-11-01)"
    )
    ap.add_argument("--days", type=int, help="daily log files (default 30; sample 3)")
    ap.add_argument("--events", type=int, help="total events (default 8000; sample 300)")
    ap.add_argument("--songs", type=int, help="distinct songs (default 2000; sample 60)")
    ap.add_argument("--users", type=int, help="user pool (default events/80, 10..100000)")
    ap.add_argument("--songs-per-file", type=int, help="songs per file (default 1 if songs <= 20000, else songs/2000)")
    ap.add_argument(
        "--match-rate", type=float, help="share of NextSong events matching a song (default 0.05; sample 0.3)"
    )
    ap.add_argument("--sample", action="store_true", help="small shipped-sample defaults")
    ap.add_argument("--clean", action="store_true", help="delete earlier generator outputs in --out before writing")
    a = ap.parse_args(argv)
    defaults = (3, 300, 60, 0.3) if a.sample else (30, 8000, 2000, 0.05)
    for key, value in zip(("days", "events", "songs", "match_rate"), defaults, strict=True):
        if getattr(a, key) is None:
            setattr(a, key, value)
    if a.users is None:
        a.users = max(10, min(100_000, a.events // 80))
    if a.songs_per_file is None:
        a.songs_per_file = 1 if a.songs <= 20_000 else math.ceil(a.songs / 2000)
    if a.days < 1 or a.events < 1 or a.songs < 2 or a.users < 1 or a.songs_per_file < 1:
        ap.error("--days, --events, --users, --songs-per-file must be >= 1 and --songs >= 2")
    if not 0.0 <= a.match_rate <= 1.0:
        ap.error("--match-rate must be within [0, 1]")
    return a


def main(argv: list[str] | None = None) -> int:
    """Generate into --out; refuse to mix with stale output unless --clean is given."""
    args = parse_args(argv)
    out = Path(args.out)
    stale = [out / name for name in OUTPUTS if (out / name).exists()]
    if stale and not args.clean:
        print(f"error: {out} already holds generator output; pass --clean", file=sys.stderr)
        return 2
    for path in stale:  # only the generator's own outputs; other files in --out stay
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    counts = Generator(args).run()
    print(
        f"wrote {counts['events']:,} events, {counts['song_rows']:,} song rows to {out} "
        f"in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
