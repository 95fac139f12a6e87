"""`pip install .` must carry templates/ and schemas/ inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_wheel_carries_templates_and_schema(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("etl_engine-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "engine/_data/schemas/pipeline.schema.json" in names
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.sql")}
    assert {f"engine/_data/{n}" for n in shipped} <= names
    assert "engine/cli.py" in names
    assert "engine/_data/schemas/run_results.schema.json" in names
    docs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "engine" / "docs" / "templates").iterdir()}
    assert docs and docs <= names  # the docs site's page templates and stylesheet
