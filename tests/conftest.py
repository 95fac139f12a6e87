"""Shared fixtures: paths to the project and to ../shared, and the golden-file switch."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# moto's backends are global to the process: whichever test first touches IAM (even an S3
# request, which resolves its account through IAM) fixes whether AWS's managed policies exist.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# the CLI's stored answers (validate, --dry-run) go to a temporary folder, never into tests/ (the CLI
# processes the tests start inherit it)
if "ETL_ENGINE_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["ETL_ENGINE_CACHE_DIR"] = tempfile.mkdtemp(prefix="etl-engine-test-cache-")
# and the user cache (SQL analyses, documents that passed the schema) too, never the home folder's
if "XDG_CACHE_HOME" not in os.environ:
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="etl-engine-test-xdg-")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
SPARKIFY = SHARED / "sparkify"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current renderer instead of comparing",
    )


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


#: where .ci/start-postgres puts the throwaway server; CI exports ETL_ENGINE_TEST_PG
DEFAULT_PG = "host=127.0.0.1 port=55432 user=postgres dbname=postgres"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The DSN of the test server. In CI (ETL_ENGINE_TEST_PG set) an unreachable server fails."""
    import os

    import psycopg

    dsn = os.environ.get("ETL_ENGINE_TEST_PG")
    try:
        with psycopg.connect(dsn or DEFAULT_PG, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if dsn:
            raise
        pytest.skip(f"no PostgreSQL test server (run .ci/start-postgres): {exc}")
    return dsn or DEFAULT_PG


@pytest.fixture
def pg_database(pg_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A fresh database per test, exported as PG* so the pipeline's ${PG...} references find it."""
    import uuid

    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    name = f"etl_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    params = {k: str(v) for k, v in conninfo_to_dict(pg_server).items()}
    params["dbname"] = name
    for key, env in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("dbname", "PGDATABASE")):
        if key in params:
            monkeypatch.setenv(env, params[key])
    monkeypatch.delenv("PGPASSWORD", raising=False)
    yield params
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache of the test's own (engine/user_cache.py), turned on."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("ETL_ENGINE_SQL_CACHE", raising=False)
    return home
