"""validate and --dry-run replay a stored answer only while nothing they read has changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import make_project


def _cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    # the default place for answers, beside the pipeline (conftest sends other tests' elsewhere)
    base = {k: v for k, v in os.environ.items() if k != "ETL_ENGINE_CACHE_DIR"}
    return subprocess.run(
        [sys.executable, "-c", "from engine.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
    )


def test_answers_are_replayed_until_an_input_changes(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    first = _cli(tmp_path, "run", "pipeline.yaml", "--dry-run")
    assert first.returncode == 0, first.stderr
    answers = list((tmp_path / ".etl-engine" / "answers").glob("*.json"))
    assert len(answers) == 1
    again = _cli(tmp_path, "run", "pipeline.yaml", "--dry-run")
    assert (again.returncode, again.stdout) == (0, first.stdout)

    # an edit to the pipeline is seen at once: the answer is computed again
    file.write_text(file.read_text().replace("name: varchar", "name: text"))
    changed = _cli(tmp_path, "run", "pipeline.yaml", "--dry-run")
    assert changed.returncode == 0 and changed.stdout != first.stdout and '"name" TEXT' in changed.stdout

    # so is a source folder losing its files (a listing the answer depended on)
    (tmp_path / "data" / "part.json").unlink()
    gone = _cli(tmp_path, "validate", "pipeline.yaml")
    assert gone.returncode == 2 and "no files" in gone.stderr
    gone_again = _cli(tmp_path, "validate", "pipeline.yaml")
    assert gone_again.returncode == 2  # failures are never stored


def test_environment_values_are_part_of_the_answer(tmp_path: Path) -> None:
    from helpers import MINIMAL

    text = MINIMAL.replace("targets:\n", 'targets:\n  pg: {type: postgres, dbname: "${SOME_DB:-one}"}\n', 1)
    make_project(tmp_path, text)
    one = _cli(tmp_path, "run", "pipeline.yaml", "--dry-run", "-t", "pg")
    two = _cli(tmp_path, "run", "pipeline.yaml", "--dry-run", "-t", "pg", env={"SOME_DB": "two"})
    assert one.returncode == two.returncode == 0
    assert "/one" in one.stdout and "/two" in two.stdout


def test_a_cache_folder_of_its_own_keeps_the_project_folder_clean(tmp_path: Path) -> None:
    make_project(tmp_path / "project")
    cache = tmp_path / "cache"
    first = _cli(tmp_path / "project", "validate", "pipeline.yaml", env={"ETL_ENGINE_CACHE_DIR": str(cache)})
    assert first.returncode == 0, first.stderr
    assert not (tmp_path / "project" / ".etl-engine").exists()
    assert len(list(cache.glob("answers/*/*.json"))) == 1
