"""Independent model of the MovieLens star schema, derived straight from the raw CSV files.

Like ``expected.py`` for Sparkify: a second, deliberately plain implementation (stdlib
``csv``, ``re`` and ``datetime`` only; no duckdb, no SQL), so a test that compares the
engine's tables with :func:`derive` checks ``examples/movielens`` against an independent
reading of the same files, not against the engine's own output.

Input (a MovieLens "ml-latest-small"-shaped folder): ``ratings.csv`` (userId, movieId,
rating, timestamp), ``movies.csv`` (movieId, title, genres) and ``tags.csv`` (userId,
movieId, tag, timestamp), each with a header row; timestamps are epoch seconds (UTC).

Rules (the same rules the pipeline's SQL must implement, see its transforms/*.sql):

* ``ratings``: one row per line of ratings.csv; ``rated_at`` the UTC instant of the
  timestamp; ``date_key`` its UTC day as the integer yyyymmdd.
* ``movies``: one row per line of movies.csv. The title is stripped of surrounding
  whitespace; a trailing ``(yyyy)``, ``(yyyy-)`` or ``(yyyy-yyyy)`` (and the whitespace
  before it) is cut off and its first year is ``year``; otherwise the title stays and
  ``year`` is None. ``genres`` is the raw pipe list, None for ``(no genres listed)``.
* ``users``: one per user id in ratings.csv or tags.csv, with the number of ratings and
  tags and the first and last rating instant (None without ratings).
* ``dates``: one per distinct UTC rating day; weekday 0 = Sunday ... 6 = Saturday, week
  the ISO week, quarter 1-4.
* ``genres`` / ``movie_genres``: each name of a movie's pipe list, except the placeholder
  ``(no genres listed)``, which names no genre.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

NO_GENRES = "(no genres listed)"

#: A trailing year group: "(1995)", "(2007-)" (a series still running) or "(1975-1979)".
_TRAILING_YEAR = re.compile(r"(?P<title>.*?)\s*\((?P<year>[0-9]{4})(?:-(?:[0-9]{4})?)?\)")

#: (title, year, genres) as the movies table must hold them.
MovieRow = tuple[str, int | None, str | None]
#: (rating_count, tag_count, first_rated_at, last_rated_at) as the users table must hold them.
UserRow = tuple[int, int, datetime | None, datetime | None]
#: (date, year, quarter, month, day, week, weekday, is_weekend) as the dates table must hold them.
DateRow = tuple[date, int, int, int, int, int, int, bool]
#: (user_id, movie_id, rating, rated_at, date_key): one row of the ratings fact.
RatingRow = tuple[int, int, Decimal, datetime, int]


@dataclass(frozen=True)
class MovieLensExpected:
    """What the star schema built from one MovieLens folder must contain (read-only)."""

    rating_rows: int
    """Data lines of ratings.csv."""
    movie_rows: int
    """Data lines of movies.csv."""
    tag_rows: int
    """Data lines of tags.csv."""
    duplicate_rating_pairs: int
    """(userId, movieId) pairs rated more than once (0 makes the pair a primary key)."""
    ratings: frozenset[RatingRow]
    """Every row of the fact."""
    rating_histogram: Mapping[Decimal, int]
    """rating -> how many ratings gave it."""
    ratings_per_date: Mapping[int, int]
    """date_key -> how many ratings fall on that UTC day."""
    movies: Mapping[int, MovieRow]
    """movie_id -> (title, year, genres)."""
    users: Mapping[int, UserRow]
    """user_id -> (rating_count, tag_count, first_rated_at, last_rated_at)."""
    tag_only_users: int
    """Users who tagged but never rated (they are in users all the same)."""
    dates: Mapping[int, DateRow]
    """date_key -> the dates row."""
    genres: Mapping[str, int]
    """genre -> number of movies that list it."""
    movie_genres: frozenset[tuple[int, str]]
    """(movie_id, genre) pairs."""

    def counts(self) -> dict[str, int]:
        """The figures of the pipeline's ``expected`` vars (expected_counts.yaml), by name."""
        return {
            "rating_rows": self.rating_rows,
            "movie_rows": self.movie_rows,
            "tag_rows": self.tag_rows,
            "ratings": self.rating_rows,  # the fact keeps every line
            "movies": len(self.movies),
            "users": len(self.users),
            "dates": len(self.dates),
            "genres": len(self.genres),
            "movie_genres": len(self.movie_genres),
        }


def _rows(path: Path, header: list[str]) -> Iterator[dict[str, str]]:
    """The data rows of one CSV file, after checking its header is the documented one."""
    if not path.is_file():
        raise FileNotFoundError(f"missing data file: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != header:
            raise ValueError(f"{path}: header {reader.fieldnames}, expected {header}")
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise ValueError(f"{path}:{reader.line_num}: expected {len(header)} fields")
            yield row


def split_title(raw: str) -> tuple[str, int | None]:
    """``"Toy Story (1995) "`` -> ``("Toy Story", 1995)``; no trailing year -> ``(title, None)``."""
    title = raw.strip()
    match = _TRAILING_YEAR.fullmatch(title)
    if match is None:
        return title, None
    return match["title"], int(match["year"])


def genre_names(genres: str) -> set[str]:
    """The genres a movie lists; the placeholder for an empty list gives none."""
    if genres == NO_GENRES:
        return set()
    return {g for g in genres.split("|") if g}


def utc(epoch_seconds: int) -> datetime:
    """The UTC instant, naive (the warehouse stores a plain TIMESTAMP in UTC)."""
    return datetime.fromtimestamp(epoch_seconds, UTC).replace(tzinfo=None)


def date_key(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def date_row(day: date) -> DateRow:
    weekday = day.isoweekday() % 7  # Sunday 0, Monday 1 ... Saturday 6
    return (
        day,
        day.year,
        (day.month - 1) // 3 + 1,
        day.month,
        day.day,
        day.isocalendar().week,
        weekday,
        weekday in (0, 6),
    )


def derive(data_root: Path) -> MovieLensExpected:
    """Compute the expected star-schema contents for the MovieLens folder ``data_root``."""
    data_root = Path(data_root)

    # --- ratings ------------------------------------------------------------------
    fact: list[RatingRow] = []
    pairs: Counter[tuple[int, int]] = Counter()
    rated: defaultdict[int, list[datetime]] = defaultdict(list)
    for row in _rows(data_root / "ratings.csv", ["userId", "movieId", "rating", "timestamp"]):
        user, movie = int(row["userId"]), int(row["movieId"])
        at = utc(int(row["timestamp"]))
        fact.append((user, movie, Decimal(row["rating"]), at, date_key(at.date())))
        pairs[(user, movie)] += 1
        rated[user].append(at)

    # --- tags ---------------------------------------------------------------------
    tag_rows = 0
    tagged: Counter[int] = Counter()
    for row in _rows(data_root / "tags.csv", ["userId", "movieId", "tag", "timestamp"]):
        tag_rows += 1
        tagged[int(row["userId"])] += 1

    # --- movies -------------------------------------------------------------------
    movie_rows = 0
    movies: dict[int, MovieRow] = {}
    bridge: set[tuple[int, str]] = set()
    for row in _rows(data_root / "movies.csv", ["movieId", "title", "genres"]):
        movie_rows += 1
        movie_id = int(row["movieId"])
        title, year = split_title(row["title"])
        genres = row["genres"]
        movies[movie_id] = (title, year, None if genres == NO_GENRES else genres)
        bridge.update((movie_id, g) for g in genre_names(genres))

    users: dict[int, UserRow] = {}
    for user in set(rated) | set(tagged):
        stamps = rated.get(user, [])
        users[user] = (len(stamps), tagged[user], min(stamps, default=None), max(stamps, default=None))

    days = {at.date() for at in (r[3] for r in fact)}
    return MovieLensExpected(
        rating_rows=len(fact),
        movie_rows=movie_rows,
        tag_rows=tag_rows,
        duplicate_rating_pairs=sum(1 for n in pairs.values() if n > 1),
        ratings=frozenset(fact),
        rating_histogram=MappingProxyType(dict(Counter(r[2] for r in fact))),
        ratings_per_date=MappingProxyType(dict(Counter(r[4] for r in fact))),
        movies=MappingProxyType(movies),
        users=MappingProxyType(users),
        tag_only_users=len(set(tagged) - set(rated)),
        dates=MappingProxyType({date_key(d): date_row(d) for d in days}),
        genres=MappingProxyType(dict(Counter(g for _, g in bridge))),
        movie_genres=frozenset(bridge),
    )
