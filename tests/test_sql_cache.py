"""The content-hash cache of sqlglot's analysis: a SELECT that passed is not parsed again; an edit is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_project

from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.plan import build_plan

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("cache_home")


def _sql(statements: list[tuple[str, str]]) -> str:
    return "\n".join(sql for _id, sql in statements)


def test_a_cached_select_gives_the_same_plan(tmp_path: Path, cache_home: Path) -> None:
    file = make_project(tmp_path / "p")
    first = _sql(build_plan(load_pipeline(file)).statements())
    assert list(cache_home.rglob("*.json")), "the SELECTs that passed are kept"
    second = _sql(build_plan(load_pipeline(file)).statements())
    assert second == first
    assert '"staging_things__etl_next"' in second


def test_an_edited_select_is_checked_again(tmp_path: Path) -> None:
    file = make_project(tmp_path / "p")
    build_plan(load_pipeline(file))
    text = file.read_text(encoding="utf-8")
    file.write_text(
        text.replace(
            "sql: select id, name, kind from staging_things", "sql: select id, name, kind from staging_nothing"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as bad:
        build_plan(load_pipeline(file))
    assert "undefined table 'staging_nothing'" in str(bad.value.issues[0].message)
    # the error is not kept: the same error again, and a fix is seen
    with pytest.raises(ConfigError):
        build_plan(load_pipeline(file))
    file.write_text(text, encoding="utf-8")
    build_plan(load_pipeline(file))


def test_a_changed_column_list_invalidates(tmp_path: Path) -> None:
    file = make_project(tmp_path / "p")
    build_plan(load_pipeline(file))
    text = file.read_text(encoding="utf-8")
    # staging loses the column the SELECT reads: the cached answer must not hide it
    file.write_text(
        text.replace(
            "columns: {id: integer, name: varchar, kind: varchar}\nstar:",
            "columns: {id: integer, name: varchar}\nstar:",
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError):
        build_plan(load_pipeline(file))


def test_validate_does_not_import_sqlglot_when_nothing_changed(tmp_path: Path, cache_home: Path) -> None:
    file = make_project(tmp_path / "p")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache_home)}
    probe = (
        "import sys, runpy; sys.argv = ['engine', 'validate', sys.argv[1]]\n"
        "try:\n    runpy.run_module('engine', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print('SQLGLOT' if 'sqlglot' in sys.modules else 'NO-SQLGLOT')\n"
    )
    # engine/fastpath.py's stored answer goes to a folder of its own, deleted before the second call (a
    # cold call: else the answer is replayed and no analysis runs at all)
    env["ETL_ENGINE_CACHE_DIR"] = str(tmp_path / "answers")
    first = subprocess.run([sys.executable, "-c", probe, str(file)], capture_output=True, text=True, env=env)
    assert first.stdout.split()[-1] == "SQLGLOT", first.stdout + first.stderr
    assert (tmp_path / "answers").exists()
    shutil.rmtree(tmp_path / "answers")
    second = subprocess.run([sys.executable, "-c", probe, str(file)], capture_output=True, text=True, env=env)
    assert second.stdout.split()[-1] == "NO-SQLGLOT", second.stdout + second.stderr
