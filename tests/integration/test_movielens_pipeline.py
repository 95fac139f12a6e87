"""examples/movielens end to end: a second, unrelated dataset, built with no engine change.

The pipeline runs through the real CLI (``engine.cli.app``) on a scratch copy of
``examples/movielens``; its tables are then compared with ``movielens_expected.derive``,
which reads the raw CSV files with Python's csv module and applies the documented rules.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import ROOT, SHARED
from movielens_expected import MovieLensExpected, derive, split_title
from typer.testing import CliRunner, Result

from engine.cli import app

pytestmark = pytest.mark.integration

EXAMPLE = ROOT / "examples" / "movielens"
MOVIELENS = SHARED / "movielens"


@pytest.fixture(scope="module")
def movielens_real() -> Path:
    if not MOVIELENS.is_dir():
        pytest.skip(f"{MOVIELENS} is not there")
    return MOVIELENS


@pytest.fixture(scope="module")
def expected(movielens_real: Path) -> MovieLensExpected:
    return derive(movielens_real)


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _copy_example(dest: Path) -> Path:
    """examples/movielens without any warehouse a local run left there; runs write in ``dest``."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.wal"))
    return dest / "pipeline.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, movielens_real: Path) -> tuple[Path, Result]:
    """Build the star once for the module: (the warehouse file, the CLI result)."""
    pipeline = _copy_example(tmp_path_factory.mktemp("movielens") / "movielens")
    done = _cli("run", str(pipeline), "--var", f"data_root={movielens_real}")
    assert done.exit_code == 0, done.output
    return pipeline.parent / "warehouse.duckdb", done


@pytest.fixture
def con(built: tuple[Path, Result]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built[0]), read_only=True)
    yield connection
    connection.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]  # type: ignore[index]


def test_validate_passes(movielens_real: Path) -> None:
    done = _cli("validate", str(EXAMPLE / "pipeline.yaml"), "--var", f"data_root={movielens_real}")
    assert done.exit_code == 0, done.output
    assert "ok (9 tables" in done.output


def test_the_vars_file_holds_the_derived_counts(expected: MovieLensExpected) -> None:
    """expected_counts.yaml (what the row_count checks assert) agrees with the raw files."""
    counts = yaml.safe_load((EXAMPLE / "expected_counts.yaml").read_text(encoding="utf-8"))["expected"]
    assert counts == expected.counts()


def test_run_passes_every_check_and_skips_none(built: tuple[Path, Result]) -> None:
    output = built[1].output
    assert "committed" in output
    assert "skipped" not in output, "every row_count check has its expected figure"
    for table in ("ratings", "movies", "users", "dates", "genres", "movie_genres"):
        assert f"pass check:row_count_{table}_equals" in output


def test_row_counts(con: duckdb.DuckDBPyConnection, expected: MovieLensExpected) -> None:
    counts = expected.counts()
    for table, name in [
        ("staging_ratings", "rating_rows"),
        ("staging_movies", "movie_rows"),
        ("staging_tags", "tag_rows"),
        ("ratings", "ratings"),
        ("movies", "movies"),
        ("users", "users"),
        ("dates", "dates"),
        ("genres", "genres"),
        ("movie_genres", "movie_genres"),
    ]:
        assert _one(con, f'select count(*) from "{table}"') == counts[name], table


def test_ratings_fact(con: duckdb.DuckDBPyConnection, expected: MovieLensExpected) -> None:
    assert expected.duplicate_rating_pairs == 0, "the (user_id, movie_id) key holds in the data"
    rows = con.execute("select user_id, movie_id, rating, rated_at, date_key from ratings").fetchall()
    assert len(rows) == expected.rating_rows
    assert frozenset(rows) == expected.ratings
    histogram = Counter(dict(con.execute("select rating, count(*) from ratings group by rating").fetchall()))
    assert histogram == Counter(expected.rating_histogram)
    assert histogram[Decimal("4.0")] == 28750 and histogram[Decimal("0.5")] == 1101  # as counted in ratings.csv
    per_day = dict(con.execute("select date_key, count(*) from ratings group by date_key").fetchall())
    assert per_day == dict(expected.ratings_per_date)
    assert str(_one(con, "select typeof(rated_at) from ratings limit 1")) == "TIMESTAMP"
    # The first rating in the data (README.txt: January 09, 1995), read as UTC.
    assert _one(con, "select min(rated_at) from ratings") == datetime(1995, 1, 9, 11, 46, 49)


def test_movies_titles_and_years(con: duckdb.DuckDBPyConnection, expected: MovieLensExpected) -> None:
    movies = {r[0]: tuple(r[1:]) for r in con.execute("select movie_id, title, year, genres from movies").fetchall()}
    assert movies == dict(expected.movies)
    # The edge cases, spelled out.
    assert movies[1] == ("Toy Story", 1995, "Adventure|Animation|Children|Comedy|Fantasy")
    assert movies[11][:2] == ("American President, The", 1995)  # quoted comma
    assert movies[7789][:2] == ("11'09\"01 - September 11", 2002)  # doubled quote
    assert movies[51372][:2] == ('"Great Performances" Cats', 1998)
    assert movies[32][:2] == ("Twelve Monkeys (a.k.a. 12 Monkeys)", 1995)  # inner parentheses stay
    assert movies[72641][:2] == ("Blind Side, The", 2009)  # two spaces before the year
    assert movies[89045][:2] == ("Rocky VI", 1986)  # "(1986) " trailing space
    by_title = {title: year for title, year, _ in movies.values()}
    assert by_title["Big Bang Theory, The"] == 2007  # "(2007-)"
    assert by_title["Fawlty Towers"] == 1975  # "(1975-1979)"
    assert by_title["Stranger Things"] is None  # no year at all
    assert by_title["Women of '69, Unboxed"] is None
    assert _one(con, "select count(*) from movies where year is null") == 4
    assert _one(con, "select count(*) from movies where genres is null") == 18  # "(no genres listed)"
    assert _one(con, "select count(*) from movies where title <> trim(title)") == 0


def test_title_rule_itself() -> None:
    """The derivation's rule on made-up titles, so it is not only tested against itself."""
    assert split_title("Heat (1995)") == ("Heat", 1995)
    assert split_title(" Heat  (1995) ") == ("Heat", 1995)
    assert split_title("Show (2007-)") == ("Show", 2007)
    assert split_title("Show (1975-1979)") == ("Show", 1975)
    assert split_title("Seven (a.k.a. Se7en)") == ("Seven (a.k.a. Se7en)", None)
    assert split_title("Blade Runner (Final Cut)") == ("Blade Runner (Final Cut)", None)
    assert split_title("1984 (1956)") == ("1984", 1956)
    assert split_title("Number (12345)") == ("Number (12345)", None)
    assert split_title("Stranger Things") == ("Stranger Things", None)


def test_users(con: duckdb.DuckDBPyConnection, expected: MovieLensExpected) -> None:
    users = {
        r[0]: tuple(r[1:])
        for r in con.execute(
            "select user_id, rating_count, tag_count, first_rated_at, last_rated_at from users"
        ).fetchall()
    }
    assert users == dict(expected.users)
    assert expected.tag_only_users == 0  # every tagger rated: raters alone would give the same users
    assert sum(n for n, *_ in users.values()) == expected.rating_rows
    assert sum(t for _, t, *_ in users.values()) == expected.tag_rows


def test_dates(con: duckdb.DuckDBPyConnection, expected: MovieLensExpected) -> None:
    dates = {
        r[0]: tuple(r[1:])
        for r in con.execute(
            "select date_key, date, year, quarter, month, day, week, weekday, is_weekend from dates"
        ).fetchall()
    }
    assert dates == dict(expected.dates)
    assert min(dates) == 19950109 and max(dates) == 20161016  # README.txt: Jan 09, 1995 - Oct 16, 2016


def test_genres_and_bridge(con: duckdb.DuckDBPyConnection, expected: MovieLensExpected) -> None:
    genres = dict(con.execute("select genre, movie_count from genres").fetchall())
    assert genres == dict(expected.genres)
    assert "(no genres listed)" not in genres
    assert {"IMAX", "Children", "Film-Noir"} <= set(genres)
    pairs = frozenset(con.execute("select movie_id, genre from movie_genres").fetchall())
    assert pairs == expected.movie_genres
    assert _one(con, "select count(*) from movie_genres") == len(expected.movie_genres)
    # every listed genre name of every movie is a pair: the raw lists split again here
    assert sum(len(g.split("|")) for _, _, g in expected.movies.values() if g) == len(pairs)


def test_keys_hold(con: duckdb.DuckDBPyConnection) -> None:
    for table, key in [
        ("ratings", "user_id, movie_id"),
        ("movies", "movie_id"),
        ("users", "user_id"),
        ("dates", "date_key"),
        ("genres", "genre"),
        ("movie_genres", "movie_id, genre"),
    ]:
        assert (
            _one(
                con, f'select count(*) - (select count(*) from (select distinct {key} from "{table}") k) from "{table}"'
            )
            == 0
        ), table
    for child, column, parent, key in [
        ("ratings", "user_id", "users", "user_id"),
        ("ratings", "movie_id", "movies", "movie_id"),
        ("ratings", "date_key", "dates", "date_key"),
        ("movie_genres", "movie_id", "movies", "movie_id"),
        ("movie_genres", "genre", "genres", "genre"),
    ]:
        assert (
            _one(
                con,
                f'select count(*) from "{child}" c left join "{parent}" p on c.{column} = p.{key} '
                f"where p.{key} is null",
            )
            == 0
        ), (child, column)


def test_a_wrong_count_fails_the_run(tmp_path: Path, movielens_real: Path) -> None:
    """The row_count checks bite: a vars file with a wrong figure fails the run, nothing published."""
    pipeline = _copy_example(tmp_path / "movielens")
    wrong = tmp_path / "wrong.yaml"
    counts = yaml.safe_load((EXAMPLE / "expected_counts.yaml").read_text(encoding="utf-8"))
    counts["expected"]["genres"] += 1
    wrong.write_text(yaml.safe_dump(counts), encoding="utf-8")
    done = _cli("run", str(pipeline), "--var", f"data_root={movielens_real}", "--vars-file", str(wrong))
    assert done.exit_code == 1, done.output
    assert "row_count_genres_equals" in done.output and "rolled back" in done.output
