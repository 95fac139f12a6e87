"""Shared fixtures: paths to the project and to ../shared, and the golden-file switch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
SPARKIFY = SHARED / "sparkify"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current renderer instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def sparkify_real() -> Path:
    if not SPARKIFY.is_dir():
        pytest.skip(f"{SPARKIFY} is not there")
    return SPARKIFY


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The shipped pipeline, transforms and sample in a scratch folder, so runs write there."""
    dest = tmp_path / "project"
    dest.mkdir()
    shutil.copy(ROOT / "pipeline.yaml", dest / "pipeline.yaml")
    shutil.copytree(ROOT / "transforms", dest / "transforms")
    shutil.copytree(ROOT / "examples", dest / "examples")
    return dest


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
