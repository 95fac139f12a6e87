"""S3 sources on the embedded target, against moto's S3 server on loopback (no mocks).

The real Sparkify files are uploaded to a bucket; the whole pipeline then runs from
s3:// and must give exactly the tables a run on the local folder gives.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import ROOT

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import run_plan
from engine.sources.s3 import glob_regex, split_url
from engine.variables import parse_cli_vars

BUCKET = "sparkify-test"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's server in its own process: a real HTTP peer that does not compete for our GIL."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("moto's server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def s3_env(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3

    for key, value in {
        "AWS_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-west-2",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("s3", endpoint_url=s3_server, region_name="us-west-2")


def _upload(client: Any, folder: Path, prefix: str) -> int:
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    files = [p for p in folder.rglob("*") if p.is_file() and p.name != "SOURCE.md"]
    with ThreadPoolExecutor(16) as pool:
        list(
            pool.map(
                lambda p: client.upload_file(str(p), BUCKET, f"{prefix}/{p.relative_to(folder).as_posix()}"), files
            )
        )
    return len(files)


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f'select * from "{t}" order by all').fetchall()
            for t in ("staging_events", "staging_songs", "songplays", "users", "songs", "artists", "time")
        }


@pytest.mark.integration
@pytest.mark.moto
@pytest.mark.slow
def test_pipeline_from_s3_equals_the_local_run(
    s3_env: Any, sparkify_real: Path, project_copy: Path, tmp_path: Path
) -> None:
    uploaded = _upload(s3_env, sparkify_real, "sparkify")
    assert uploaded > 1900
    pipeline = project_copy / "pipeline.yaml"

    local = run_plan(build_plan(load_pipeline(pipeline, parse_cli_vars([f"data_root={sparkify_real}"], ROOT))))
    assert local.committed
    expected = _tables(project_copy / "warehouse.duckdb")
    (project_copy / "warehouse.duckdb").unlink()

    cli = parse_cli_vars([f"data_root=s3://{BUCKET}/sparkify"], ROOT)
    remote = run_plan(build_plan(load_pipeline(pipeline, cli)))
    assert remote.committed and not remote.incremental
    assert _tables(project_copy / "warehouse.duckdb") == expected
    assert {s.step.id: s.rows for s in remote.steps}["load:staging_events"] == 8056
    cache = project_copy / ".etl-engine" / "cache" / BUCKET / "sparkify"
    assert len(list((cache / "song_data").rglob("*.json"))) == 1943

    # next run: the ETags are known, nothing is fetched or loaded again
    again = run_plan(build_plan(load_pipeline(pipeline, cli)))
    assert again.incremental
    assert {s.status for s in again.steps if s.step.kind in ("load", "transform")} == {"up to date"}

    # a new object under the prefix is loaded, and only it
    extra = sorted((sparkify_real / "log_data").rglob("*.json"))[0]
    s3_env.upload_file(str(extra), BUCKET, "sparkify/log_data/2018/12/copy-of-first-day.json")
    more = run_plan(build_plan(load_pipeline(pipeline, cli)))
    rows = {s.step.id: s.rows for s in more.steps}
    assert rows["load:staging_events"] == sum(1 for line in extra.read_text().splitlines() if line.strip())
    shutil.rmtree(project_copy / ".etl-engine")


@pytest.mark.moto
def test_missing_bucket_is_a_clear_error(s3_env: Any, tmp_path: Path) -> None:
    from helpers import MINIMAL, make_project

    from engine.errors import EngineError
    from engine.runner import RunFailed

    file = make_project(tmp_path, MINIMAL.replace("path: data,", "path: 's3://no-such-bucket/x',"))
    with pytest.raises(RunFailed) as failed:
        run_plan(build_plan(load_pipeline(file)))
    assert isinstance(failed.value.cause, EngineError)
    assert "no-such-bucket" in str(failed.value.cause) and "NoSuchBucket" in str(failed.value.cause)


def test_globs_match_like_the_local_reader() -> None:
    assert glob_regex("**/*.json").match("a/b/c.json") and glob_regex("**/*.json").match("c.json")
    assert not glob_regex("*.json").match("a/c.json")
    assert not glob_regex("**/*.json").match("a/c.json.gz")
    assert split_url("s3://bucket/some/prefix/") == ("bucket", "some/prefix")
    assert split_url("s3://bucket") == ("bucket", "")


@pytest.mark.moto
def test_public_bucket_read_without_credentials(s3_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``anonymous: true`` sends unsigned requests, as for udacity-dend; include globs apply to keys."""
    from helpers import MINIMAL, make_project

    s3_env.create_bucket(
        Bucket="public-data", ACL="public-read", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    s3_env.put_object(
        Bucket="public-data", Key="things/2024/a.json", ACL="public-read", Body=b'{"id": 1, "name": "a", "kind": "x"}\n'
    )
    s3_env.put_object(Bucket="public-data", Key="things/2024/b.txt", ACL="public-read", Body=b"not data")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    text = MINIMAL.replace(
        "things: {path: data, format: json}",
        "things: {path: 's3://public-data/things', format: json, s3: {anonymous: true}}",
    )
    file = make_project(tmp_path, text)
    result = run_plan(build_plan(load_pipeline(file)))
    assert {s.step.id: s.rows for s in result.steps}["load:staging_things"] == 1
