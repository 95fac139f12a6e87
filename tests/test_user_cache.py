"""The user cache (engine/user_cache.py): answers kept by content, never stale, never in the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.user_cache import bytecode_cache, cache_root, remembered

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("cache_home")


def test_a_remembered_value_is_computed_once_per_text() -> None:
    calls: list[str] = []

    def compute(text: str) -> str | None:
        calls.append(text)
        return None if text == "none" else text.upper()

    assert remembered("t", ["abc"], lambda: compute("abc")) == "ABC"
    assert remembered("t", ["abc"], lambda: compute("abc")) == "ABC"
    assert remembered("t", ["none"], lambda: compute("none")) is None
    assert remembered("t", ["none"], lambda: compute("none")) is None  # an answer of None is an answer
    assert remembered("t", ["abd"], lambda: compute("abd")) == "ABD"  # other text, other key
    assert calls == ["abc", "none", "abd"]


def test_the_cache_turned_off_or_unwritable_computes_every_time(
    monkeypatch: pytest.MonkeyPatch, cache_home: Path
) -> None:
    calls: list[int] = []
    monkeypatch.setenv("ETL_ENGINE_SQL_CACHE", "off")
    assert cache_root() is None and bytecode_cache() is None
    for _ in range(2):
        assert remembered("t", ["x"], lambda: str(calls.append(1) or len(calls))) is not None
    assert len(calls) == 2
    monkeypatch.delenv("ETL_ENGINE_SQL_CACHE")
    cache_home.write_text("a file where the folder should be", encoding="utf-8")
    assert remembered("t", ["x"], lambda: "fresh") == "fresh"  # a miss, never an error
    assert bytecode_cache() is None


def test_compiled_templates_are_kept_and_an_edited_override_is_rendered_anew(tmp_path: Path, cache_home: Path) -> None:
    (tmp_path / "my_templates").mkdir()
    override = tmp_path / "my_templates" / "drop_table.sql"
    override.write_text("DROP TABLE IF EXISTS {{ table | ident }} CASCADE", encoding="utf-8")
    file = make_project(tmp_path, MINIMAL + "templates: my_templates\n")
    probe = (
        "import sys\nfrom engine.config import load_pipeline\nfrom engine.plan import build_plan\n"
        "print('\\n'.join(sql for _, sql in build_plan(load_pipeline(sys.argv[1])).statements()))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache_home)}
    first = subprocess.run([sys.executable, "-c", probe, str(file)], capture_output=True, text=True, env=env)
    assert 'DROP TABLE IF EXISTS "things" CASCADE' in first.stdout, first.stderr
    assert list((cache_home / "etl-engine" / "jinja").rglob("*.cache")), "compiled templates are kept"
    override.write_text("DROP TABLE IF EXISTS {{ table | ident }} RESTRICT", encoding="utf-8")
    second = subprocess.run([sys.executable, "-c", probe, str(file)], capture_output=True, text=True, env=env)
    assert 'DROP TABLE IF EXISTS "things" RESTRICT' in second.stdout, second.stderr
    assert "CASCADE" not in second.stdout


def test_a_plan_is_the_same_from_a_warm_cache(tmp_path: Path) -> None:
    file = make_project(tmp_path / "p")
    cold = build_plan(load_pipeline(file)).statements()
    warm = build_plan(load_pipeline(file)).statements()
    assert warm == cold
