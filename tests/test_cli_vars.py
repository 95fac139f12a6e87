"""A misspelled --var is an error with a did-you-mean, not a run on the defaults (through the real CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import MINIMAL, make_project

PIPELINE = MINIMAL.replace(
    "sources:\n  things: {path: data,", 'vars:\n  data_root: data\nsources:\n  things: {path: "{{ data_root }}",'
)


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_misspelled_var_is_an_error(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    for command in ("run", "validate"):
        done = cli(tmp_path, command, str(file), "--var", "data_rot=elsewhere")
        assert done.returncode == 2, done.stdout + done.stderr
        assert "data_rot" in done.stderr and "did you mean 'data_root'?" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_declared_and_vars_file_names_are_accepted(tmp_path: Path) -> None:
    file = make_project(tmp_path, PIPELINE)
    (tmp_path / "more.yaml").write_text("limit: 3\n")
    done = cli(
        tmp_path, "validate", str(file), "--var", "data_root=data", "--vars-file", "more.yaml", "--var", "limit=4"
    )
    assert done.returncode == 0, done.stderr


def test_free_vars_accepts_any_name(tmp_path: Path) -> None:
    file = make_project(tmp_path, "free_vars: true\n" + PIPELINE)
    done = cli(tmp_path, "validate", str(file), "--var", "anything=1")
    assert done.returncode == 0, done.stderr
    strict = make_project(tmp_path / "strict", PIPELINE)
    done = cli(tmp_path, "validate", str(strict), "--var", "anything=1")
    assert done.returncode == 2 and "free_vars: true" in done.stderr


def test_a_var_the_pipeline_uses_is_known_without_a_default(tmp_path: Path) -> None:
    text = PIPELINE.replace("vars:\n  data_root: data\n", "")
    file = make_project(tmp_path, text)
    assert cli(tmp_path, "validate", str(file), "--var", "data_root=data").returncode == 0
    done = cli(tmp_path, "validate", str(file), "--var", "data_rot=data")
    assert done.returncode == 2 and "data_rot" in done.stderr
