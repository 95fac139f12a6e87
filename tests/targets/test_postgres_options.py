"""The PostgreSQL adapter's pure parts: what json_to_record reads, and the run session's settings. No server."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import Target
from engine.errors import Location
from engine.sources.jsonpaths import JsonField
from engine.targets.postgres import WORK_MEM, PostgresAdapter, record_columns


def adapter(**options: str) -> PostgresAdapter:
    return PostgresAdapter(Target("pg", "postgres", dict(options), {}, Location(Path("pipeline.yaml"))))


def test_record_columns_one_type_per_key() -> None:
    fields = [
        JsonField("first_name", "varchar", "firstName"),
        JsonField("ts", "bigint", "ts"),
        JsonField("ts_text", "varchar", "ts"),  # one key at two types: read as text, cast per column
        JsonField("city", "varchar", "address", ".city", ("address", "city")),
        JsonField("zip", "integer", "address", ".zip", ("address", "zip")),
    ]
    assert record_columns(fields) == {"firstName": "varchar", "ts": "text", "address": "json"}


def test_work_mem_default_option_and_pgoptions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGOPTIONS", raising=False)
    assert adapter().connection_params()["options"] == f"-c work_mem={WORK_MEM}"
    assert adapter(work_mem="64MB").connection_params()["options"] == "-c work_mem=64MB"
    # the user's own options come last, so their -c work_mem wins; PGOPTIONS is not hidden by ours
    assert (
        adapter(options="-c work_mem=1GB").connection_params()["options"] == f"-c work_mem={WORK_MEM} -c work_mem=1GB"
    )
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=0")
    assert adapter().connection_params()["options"] == f"-c work_mem={WORK_MEM} -c statement_timeout=0"
