"""Physical design from the star's roles (engine/physical.py), the profile behind it, and `explain`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from engine.cli import app
from engine.config import load_pipeline
from engine.physical import NULL_KEY_MAX, design, width
from engine.plan import build_plan
from engine.profile import Profile, load
from engine.settings import Settings
from engine.variables import parse_cli_vars

ENV = {
    "REDSHIFT_HOST": "h",
    "REDSHIFT_DB": "d",
    "REDSHIFT_USER": "u",
    "REDSHIFT_PASSWORD": "p",
    "REDSHIFT_IAM_ROLE_ARN": "arn:aws:iam::1:role/r",
}
S3 = ["data_root=s3://udacity-dend"]


def _sparkify(profile: Profile | None) -> dict[str, object]:
    return design(load_pipeline(ROOT / "pipeline.yaml"), profile)  # type: ignore[return-value]


def test_sparkify_songplays_is_not_keyed_on_the_mostly_null_song_id() -> None:
    """Defect 5: 6,781 of 6,820 real plays have no song_id; keyed on it, every play sat on one slice."""
    pipeline = load_pipeline(ROOT / "pipeline.yaml", parse_cli_vars(S3, ROOT))
    profile = load(pipeline)
    assert profile is not None and profile.rows["songplays"] == 6820
    assert profile.null_fraction("songplays", "song_id") > 0.99  # measured from the real data
    plan = build_plan(pipeline, "redshift", Settings(env=ENV))
    ddl = next(s.statements[1] for s in plan.steps if s.id == "create:songplays")
    assert "DISTKEY" not in ddl and "DISTSTYLE EVEN" in ddl and 'COMPOUND SORTKEY ("start_time")' in ddl
    assert "VARCHAR(65535)" not in ddl and '"user_agent" VARCHAR(256)' in ddl  # 139 bytes measured
    for dim in ("users", "songs", "artists", "time"):
        assert "DISTSTYLE ALL" in next(s.statements[1] for s in plan.steps if s.id == f"create:{dim}")
    # ANALYZE after every INSERT ... SELECT (Redshift analyzes by itself only after COPY into an empty table)
    for table in plan.pipeline.star:
        step = next(s for s in plan.steps if s.id == f"transform:{table}")
        assert step.statements[-1] == f'ANALYZE "{table}__etl_next"', step.statements


def _big_star(key_nulls: float) -> Profile:
    rows = {
        "staging_events": 10,
        "staging_songs": 10,
        "songplays": 10_000_000,
        "users": 50,
        "songs": 3_000_000,
        "artists": 2_000_000,
        "time": 400_000,
    }
    return Profile(rows, {"songplays": {"song_id": (key_nulls, 18), "artist_id": (0.0, 18)}})


def test_fact_shares_a_distkey_with_its_largest_dimension() -> None:
    d = _sparkify(_big_star(0.01))
    assert (d["songplays"].style, d["songplays"].key) == ("key", "song_id")  # type: ignore[attr-defined]
    assert (d["songs"].style, d["songs"].key) == ("key", "song_id")  # type: ignore[attr-defined]
    assert "largest dimension songs" in d["songplays"].style_reason  # type: ignore[attr-defined]
    assert d["users"].style == "all" and d["time"].style == "all"  # type: ignore[attr-defined]
    assert d["artists"].style == "auto"  # type: ignore[attr-defined]  # too big for ALL, not the partner


def test_a_mostly_null_join_key_gives_even_not_key() -> None:
    d = _sparkify(_big_star(NULL_KEY_MAX + 0.05))
    assert d["songplays"].style == "even" and d["songplays"].key is None  # type: ignore[attr-defined]
    assert "NULL" in d["songplays"].style_reason  # type: ignore[attr-defined]
    assert d["songs"].style == "auto"  # type: ignore[attr-defined]


def test_nothing_measured_means_auto_but_the_fact_sorts_on_its_time_key() -> None:
    d = _sparkify(None)
    assert {t.style for t in d.values()} == {"auto"}  # type: ignore[attr-defined]
    assert d["songplays"].sort == ("start_time",)  # type: ignore[attr-defined]
    assert d["songplays"].widths["user_agent"] == (65535, "not measured: the widest VARCHAR")  # type: ignore[attr-defined]


def test_the_yaml_wins_and_a_mostly_null_declared_key_is_called_out(tmp_path: Path) -> None:
    text = (
        (ROOT / "pipeline.yaml")
        .read_text()
        .replace(
            "    foreign_keys: {start_time: time, user_id: users, song_id: songs, artist_id: artists}\n",
            "    foreign_keys: {start_time: time, user_id: users, song_id: songs, artist_id: artists}\n"
            "    distribution: {key: song_id}\n",
        )
        .replace("      level: varchar\n      song_id", "      level: varchar(7)\n      song_id")
    )
    (tmp_path / "pipeline.yaml").write_text(text)
    (tmp_path / "pipeline.profile.yaml").write_text((ROOT / "pipeline.profile.yaml").read_text())
    (tmp_path / "transforms").symlink_to(ROOT / "transforms")
    d = design(load_pipeline(tmp_path / "pipeline.yaml"), load(load_pipeline(tmp_path / "pipeline.yaml")))
    fact = d["songplays"]
    assert (fact.style, fact.key) == ("key", "song_id")
    assert fact.style_reason.startswith("declared in the YAML; but song_id is 99.")
    assert fact.widths["level"] == (7, "declared in the YAML")


@pytest.mark.parametrize(("longest", "expected"), [(0, 16), (10, 16), (11, 32), (139, 256), (40000, 65535)])
def test_width_has_headroom_and_stays_within_redshift(longest: int, expected: int) -> None:
    assert width(longest) == expected and width(longest) >= longest


def test_explain_measure_writes_the_profile_and_explains(project_copy: Path) -> None:
    out = CliRunner().invoke(app, ["explain", str(project_copy / "pipeline.yaml"), "--target", "redshift", "--measure"])
    assert out.exit_code == 0, out.output
    written = project_copy / "pipeline.profile.yaml"
    assert written.is_file() and "examples/sparkify/data" in written.read_text()
    assert "songplays:\n  DISTSTYLE EVEN" in out.output and "SORTKEY(start_time): the fact's time key" in out.output
    again = CliRunner().invoke(app, ["explain", str(project_copy / "pipeline.yaml"), "--target", "local"])
    assert again.exit_code == 0 and "no distribution or sort keys" in again.output
