"""`etl-engine compact`: many small files become a few large gzip'd ones that load the same rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.inputs import tiny_files_note

pytestmark = pytest.mark.integration


def test_compacted_song_files_load_the_same_rows(project_copy: Path, sparkify_real: Path, tmp_path: Path) -> None:
    out = tmp_path / "data" / "song_data"
    done = CliRunner().invoke(
        app,
        ["compact", str(project_copy / "pipeline.yaml"), "song_data", str(out), "--var", f"data_root={sparkify_real}"],
    )
    assert done.exit_code == 0, done.output
    assert "1,943 files" in done.output
    parts = sorted(out.glob("*.json.gz"))
    assert 1 <= len(parts) < 10
    (tmp_path / "data" / "log_data").symlink_to(sparkify_real / "log_data", target_is_directory=True)
    (tmp_path / "data" / "log_json_path.json").symlink_to(sparkify_real / "log_json_path.json")
    data = tmp_path / "data"
    run = CliRunner().invoke(
        app,
        [
            "run",
            str(project_copy / "pipeline.yaml"),
            "--var",
            f"data_root={data}",
            "--allow-path",
            str(sparkify_real),  # data/log_data links there
            "--vars-file",
            str(project_copy / "examples/sparkify/real_counts.yaml"),
        ],
    )
    assert run.exit_code == 0, run.output
    with duckdb.connect(str(project_copy / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), count(distinct song_id) from staging_songs").fetchone() == (1944, 1943)
        assert con.execute("select count(*) from songplays where song_id is not null").fetchone() == (39,)


def test_tiny_files_are_noticed() -> None:
    assert tiny_files_note("s", [250] * 1943) is not None
    assert tiny_files_note("s", [250] * 10) is None
    assert tiny_files_note("s", [10_000_000] * 2000) is None
