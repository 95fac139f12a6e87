"""The shipped Sparkify pipeline, end to end, checked against figures derived independently.

``expected.derive`` reads the raw files with Python's json module and applies the
documented rules; the engine's tables must agree with it, table by table.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from expected import Expected, derive

pytestmark = pytest.mark.integration


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "run", "pipeline.yaml", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _assert_star_matches(db: Path, exp: Expected) -> None:
    with duckdb.connect(str(db), read_only=True) as con:

        def one(sql: str) -> object:
            return con.execute(sql).fetchone()[0]  # type: ignore[index]

        assert one("select count(*) from staging_events") == exp.staging_events
        assert one("select count(*) from staging_songs") == exp.staging_songs
        assert one("select count(*) from songplays") == exp.songplays
        assert one("select count(*) from songs") == exp.songs
        assert one("select count(*) from artists") == exp.artists
        assert one("select count(*) from users") == exp.users
        assert one("select count(*) from time") == exp.time
        # every play is there, session by session
        by_session = Counter(dict(con.execute("select session_id, count(*) from songplays group by 1").fetchall()))
        assert by_session == Counter(s for s, _ in exp.songplays_ids)
        # matched plays: the same songs and artists for the same sessions
        matched = Counter(
            con.execute("select session_id, song_id, artist_id from songplays where song_id is not null").fetchall()
        )
        assert sum(matched.values()) == exp.songplays_matched
        assert matched == Counter((s, song, artist) for (s, _), (song, artist) in exp.matched_pairs.items())
        # users carry their latest attributes
        users = {
            r[0]: tuple(r[1:])
            for r in con.execute("select user_id, first_name, last_name, gender, level from users").fetchall()
        }
        assert users == dict(exp.users_latest)
        # time: one row per instant, hours agree
        assert Counter(dict(con.execute("select hour, count(*) from time group by 1").fetchall())) == exp.hours
        assert str(con.execute("select typeof(start_time) from time limit 1").fetchone()[0]) == "TIMESTAMP"  # type: ignore[index]
        # keys: unique, not null, every foreign key resolves
        for table, key in [
            ("songplays", "songplay_id"),
            ("users", "user_id"),
            ("songs", "song_id"),
            ("artists", "artist_id"),
            ("time", "start_time"),
        ]:
            assert one(f'select count(*) - count(distinct {key}) from "{table}"') == 0
            assert one(f'select count(*) from "{table}" where {key} is null') == 0
        for column, parent, key in [
            ("user_id", "users", "user_id"),
            ("song_id", "songs", "song_id"),
            ("artist_id", "artists", "artist_id"),
            ("start_time", "time", "start_time"),
        ]:
            assert (
                one(
                    f'select count(*) from songplays c left join "{parent}" p on c.{column} = p.{key} '
                    f"where c.{column} is not null and p.{key} is null"
                )
                == 0
            )


def test_real_data_builds_the_star(project_copy: Path, sparkify_real: Path) -> None:
    exp = derive(sparkify_real)
    done = _run(project_copy, "--var", f"data_root={sparkify_real}")
    assert done.returncode == 0, done.stderr + done.stdout
    _assert_star_matches(project_copy / "warehouse.duckdb", exp)
    assert exp.songplays_matched > 0


def test_songplay_ids_are_deterministic(project_copy: Path, sparkify_real: Path) -> None:
    snapshots = []
    for _ in range(2):
        assert _run(project_copy, "--var", f"data_root={sparkify_real}").returncode == 0
        with duckdb.connect(str(project_copy / "warehouse.duckdb"), read_only=True) as con:
            snapshots.append(con.execute("select * from songplays order by songplay_id").fetchall())
    assert snapshots[0] == snapshots[1]


def test_shipped_sample_runs_with_all_checks(project_copy: Path) -> None:
    done = _run(project_copy)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "skipped" not in done.stderr, "the sample ships expected counts, so no count check may be skipped"
    _assert_star_matches(project_copy / "warehouse.duckdb", derive(ROOT / "examples" / "sparkify" / "data"))


def test_real_counts_vars_file(project_copy: Path, sparkify_real: Path) -> None:
    """The published figures of the real data, given as a vars file, pass as checks."""
    done = _run(
        project_copy, "--var", f"data_root={sparkify_real}", "--vars-file", "examples/sparkify/real_counts.yaml"
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "skipped" not in done.stderr
