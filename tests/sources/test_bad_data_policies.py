"""on_error fail and skip agree on what a bad record is, for every layout a JSON file can have.

Each case runs three ways on DuckDB files in tmp: skip (good records loaded, bad ones in _etl_rejects),
fail with the file as written (small: read as text and checked), and fail with the same file padded
with good lines past the size where DuckDB's read_json reads it. Skip's rejects must be exactly the
records fail stops on, and where skip rejects nothing, fail loads the same rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_bad_data import _project, _rejects, _rows

from engine.config import load_pipeline
from engine.plan import build_plan
from engine.runner import RunFailed, run_plan
from engine.sources.json_layout import layout_of
from engine.targets._duckdb_json import FAST_MIN_BYTES

ROOT = Path(__file__).resolve().parents[2]


def _pretty(*objects: object) -> bytes:
    return "".join(json.dumps(o, indent=2) + "\n" for o in objects).encode()


@dataclass
class Case:
    data: bytes
    #: ids loaded from the case's file under skip
    ids: list[int]
    #: (line, reason) of each reject under skip; fail must stop on exactly these
    rejects: list[tuple[int, str]] = field(default_factory=list)
    #: the case's layout; only lines files are padded for the fast reader
    layout: str = "lines"


NOT_CLOSED = "not valid JSON: the object is not closed (cut short?)"
CASES = {
    "line of NUL bytes": Case(b'{"id": 10}\n\x00\x00\x00\x00\n{"id": 11}\n', [10, 11], [(2, "not valid JSON")]),
    "NUL bytes after a record": Case(b'{"id": 10}\n{"id": 12}\x00\x00\n{"id": 11}\n', [10, 11], [(2, NOT_CLOSED)]),
    "null line": Case(b'{"id": 10}\nnull\n{"id": 11}\n', [10, 11], [(2, "not a JSON object but null")]),
    "empty object": Case(
        b'{"id": 10}\n{}\n{"zzz": 1}\n',
        [10],
        [
            (2, "no value in any column (the record is empty, or holds none of the keys the load reads)"),
            (3, "no value in any column (the record is empty, or holds none of the keys the load reads)"),
        ],
    ),
    "array line in a lines file": Case(b'{"id": 10}\n[{"id": 12}, 5]\n', [10], [(2, "not a JSON object but an array")]),
    "two objects on one line": Case(b'{"id": 10}\n{"id": 12}{"id": 13}\n', [10], [(2, "not valid JSON")]),
    "objects over several lines, not pretty": Case(
        b'{"id": 10}\n{"id": 12,\n "name": "x"}\n', [10], [(2, NOT_CLOSED), (3, "not valid JSON")]
    ),
    "pretty object inside a lines file": Case(
        b'{"id": 10}\n{\n  "id": 12\n}\n', [10], [(2, NOT_CLOSED), (3, "not valid JSON"), (4, "not valid JSON")]
    ),
    "top-level array": Case(
        b'[{"id": 10}, {"id": 11}, 5, [1, 2, 3, 4, 5]]\n',
        [10, 11],
        [(1, "not a JSON object but a number"), (1, "not a JSON object but an array")],
        "array",
    ),
    "top-level array over lines": Case(b'[{"id": 10},\n {"id": 11}]\n', [10, 11], [], "array"),
    "pretty top-level array": Case(
        b'[\n  {"id": 10},\n  "x",\n  {"id": 11}\n]\n', [10, 11], [(1, "not a JSON object but a string")], "array"
    ),
    "concatenated pretty objects": Case(
        _pretty({"id": 10, "name": {"a": [1, {"b": 2}]}}, {"id": 11}), [10, 11], [], "pretty"
    ),
    "concatenated pretty objects, one bad": Case(
        _pretty({"id": 10}, {"id": "x"}, None, {"id": 11}),
        [10, 11],
        [(4, "column id: 'x' is not INTEGER"), (7, "not a JSON object but null")],
        "pretty",
    ),
    "pretty, then an object on one line": Case(b'{\n  "id": 10\n}\n{"id": 11}\n', [10, 11], [], "pretty"),
    "vertical tab around a record": Case(b'{"id": 10}\x0b\n\x0c{"id": 11}\n', [10, 11]),
}
#: a good line, to pad a lines file past FAST_MIN_BYTES (ids from 1000 on)
PAD = '{{"id": {}, "name": "{}"}}\n'


def _padded(data: bytes) -> tuple[bytes, list[int]]:
    lines, ids = [], []
    size = 0
    while size < FAST_MIN_BYTES:
        ids.append(1000 + len(ids))
        lines.append(PAD.format(ids[-1], "p" * 60).encode())
        size += len(lines[-1])
    return b"".join(lines) + data, ids


def _skip(tmp_path: Path, data: bytes) -> tuple[list[int], list[tuple[int, str]]]:
    file = _project(tmp_path, "skip", {"case.json": data})
    run_plan(build_plan(load_pipeline(file)))
    db = tmp_path / "warehouse.duckdb"
    ids = [int(str(r[0])) for r in _rows(db, "select id from staging_things order by id")]
    return ids, [(int(str(line)), str(reason)) for f, line, reason, _raw in _rejects(db) if f == "case.json"]


def _fail(tmp_path: Path, data: bytes) -> tuple[list[int] | None, str]:
    """ids loaded under fail, or None and the message the run stopped with."""
    file = _project(tmp_path, "fail", {"case.json": data})
    try:
        run_plan(build_plan(load_pipeline(file)))
    except RunFailed as failed:
        return None, str(failed)
    rows = _rows(tmp_path / "warehouse.duckdb", "select id from staging_things order by id")
    return [int(str(r[0])) for r in rows], ""


@pytest.mark.parametrize("padded", [False, True], ids=["as text", "read_json"])
@pytest.mark.parametrize("name", list(CASES))
def test_fail_stops_on_exactly_the_records_skip_rejects(tmp_path: Path, name: str, padded: bool) -> None:
    case = CASES[name]
    if padded and case.layout != "lines":
        pytest.skip("only lines files go to read_json")
    data, pad_ids = _padded(case.data) if padded else (case.data, [])
    shift = len(pad_ids)
    assert layout_of(data) == case.layout
    skip_ids, rejects = _skip(tmp_path / "skip", data)
    assert skip_ids == sorted([1, 2, *pad_ids, *case.ids])
    assert rejects == [(line + shift, reason) for line, reason in case.rejects]
    fail_ids, message = _fail(tmp_path / "fail", data)
    if not rejects:
        assert fail_ids == skip_ids, message
        return
    assert fail_ids is None
    assert f"source 'things' has {len(rejects)} bad record(s)" in message
    path = tmp_path / "fail" / "data" / "case.json"
    for line, reason in rejects[:5]:
        assert f"{path}:{line}: {reason}" in message


def test_a_nul_line_fails_the_cli_run_under_fail(tmp_path: Path) -> None:
    """Through the real command: exit 1, the file and line named, the previous tables standing."""
    file = _project(tmp_path, "fail", {})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run([sys.executable, "-m", "engine", "run", str(file)], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    (tmp_path / "data" / "nul.json").write_bytes(b'{"id": 10}\n\x00\x00\x00\n')
    second = subprocess.run([sys.executable, "-m", "engine", "run", str(file)], capture_output=True, text=True, env=env)
    assert second.returncode == 1
    assert f"{tmp_path / 'data' / 'nul.json'}:2: not valid JSON" in second.stdout + second.stderr
    assert [r[0] for r in _rows(tmp_path / "warehouse.duckdb", "select id from things order by id")] == [1, 2]
