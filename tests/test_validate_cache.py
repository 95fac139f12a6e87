"""A document that passed the schema is remembered by content hash: the next validate imports no jsonschema;
a document that fails is never remembered, and any edit is checked again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_project

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import sys, runpy; sys.argv = ['engine', 'validate', sys.argv[1]]\n"
    "try:\n    runpy.run_module('engine', run_name='__main__')\n"
    "except SystemExit as e:\n    print('EXIT', e.code)\n"
    "print('JSONSCHEMA' if 'jsonschema' in sys.modules else 'NO-JSONSCHEMA')\n"
)


def _env(file: Path, cache_home: Path, **more: str) -> dict[str, str]:
    """The environment of a cold call: engine/fastpath.py's stored answer deleted first."""
    answers = file.parent / "answers"
    shutil.rmtree(answers, ignore_errors=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XDG_CACHE_HOME": str(cache_home),
        "ETL_ENGINE_CACHE_DIR": str(answers),
    }
    env.pop("ETL_ENGINE_SQL_CACHE", None)
    return {**env, **more}


def _validate(file: Path, cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = _env(file, cache_home)
    return subprocess.run([sys.executable, "-c", PROBE, str(file)], capture_output=True, text=True, env=env)


def test_a_document_that_passed_is_not_checked_again(tmp_path: Path) -> None:
    file = make_project(tmp_path / "p")
    first = _validate(file, tmp_path / "cache")
    assert first.stdout.split()[-1] == "JSONSCHEMA", first.stdout + first.stderr
    second = _validate(file, tmp_path / "cache")
    assert second.stdout.split()[-1] == "NO-JSONSCHEMA", second.stdout + second.stderr
    assert "ok" in second.stdout


@pytest.mark.parametrize("edit", ["unknown key", "wrong type"])
def test_a_document_that_fails_is_refused_every_time(tmp_path: Path, edit: str) -> None:
    file = make_project(tmp_path / "p")
    assert "EXIT 2" not in _validate(file, tmp_path / "cache").stdout  # the good document is remembered
    text = file.read_text(encoding="utf-8")
    bad = (
        text.replace("star:", "stra: {}\nstar:", 1)
        if edit == "unknown key"
        else text.replace("format: json", "format: [json]")
    )
    assert bad != text
    file.write_text(bad, encoding="utf-8")
    for _ in range(2):
        result = _validate(file, tmp_path / "cache")
        assert "EXIT 2" in result.stdout, result.stdout + result.stderr
        assert "pipeline.yaml:" in result.stderr
    file.write_text(text, encoding="utf-8")  # back to the good one: answered without jsonschema again
    assert _validate(file, tmp_path / "cache").stdout.split()[-1] == "NO-JSONSCHEMA"


def test_cache_off_checks_every_time(tmp_path: Path) -> None:
    file = make_project(tmp_path / "p")
    for _ in range(2):
        env = _env(file, tmp_path / "cache", ETL_ENGINE_SQL_CACHE="off")
        result = subprocess.run([sys.executable, "-c", PROBE, str(file)], capture_output=True, text=True, env=env)
        assert result.stdout.split()[-1] == "JSONSCHEMA", result.stdout + result.stderr
    assert not (tmp_path / "cache").exists()
