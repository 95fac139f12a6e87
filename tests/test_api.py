"""The public Python API, as the README shows it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import make_project

import engine
from engine.errors import ConfigError


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python block under 'Python API' in the README, run as written, in a copy of the project."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Python API.*?```python\n(.*?)```", readme, re.S)
    assert block, "the README has a Python API example"
    for name in ("pipeline.yaml", "transforms", "examples"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), scope)
    assert (tmp_path / "warehouse.duckdb").exists()
    assert scope["result"].committed  # type: ignore[attr-defined]


def test_pipeline_load_plan_run_query_history(tmp_path: Path) -> None:
    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    pipeline = engine.Pipeline.load(file)
    planned = pipeline.plan()
    assert planned.plan.pipeline == "mini" and planned.plan.steps
    assert planned.run().committed
    runs = pipeline.history()
    assert runs.columns[0] == "run_id" and len(runs.rows) == 1
    with pytest.raises(ConfigError) as err:
        pipeline.query("nope")
    assert "no query named 'nope'" in str(err.value)


def test_vars_given_from_python_resolve_against_cwd(tmp_path: Path) -> None:
    file = make_project(tmp_path / "p")
    (tmp_path / "elsewhere").mkdir()
    shutil.move(str(tmp_path / "p" / "data"), str(tmp_path / "elsewhere" / "data"))
    text = file.read_text().replace("path: data", 'path: "{{ root }}/data"')
    file.write_text("vars: {root: .}\n" + text)
    result = engine.Pipeline.load(file, vars={"root": "elsewhere"}, cwd=tmp_path).run()
    assert {s.step.id: s.rows for s in result.steps}["load:staging_things"] == 3
