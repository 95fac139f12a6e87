"""The DuckDB adapter against real DuckDB files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.errors import ConfigError
from engine.plan import build_plan
from engine.runner import run_plan


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_concatenated_and_pretty_printed_objects_load(tmp_path: Path) -> None:
    file = make_project(tmp_path, rows=[])
    data = tmp_path / "data"
    (data / "part.json").unlink()
    (data / "a.json").write_text(json.dumps({"id": 1, "name": "a", "kind": "x"}, indent=2))
    (data / "sub").mkdir()
    (data / "sub" / "b.json").write_text(
        json.dumps({"id": 2, "name": "b", "kind": "y"}, indent=2)
        + "\n"
        + json.dumps({"id": 3, "name": "c", "kind": "y"}, indent=2)
    )
    run_plan(build_plan(load_pipeline(file)))
    assert _rows(tmp_path / "warehouse.duckdb", "select id from things order by id") == [(1,), (2,), (3,)]


def test_jsonpaths_map_by_position_including_nested(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "things: {path: data, format: json}", "things: {path: data, format: json, jsonpaths: paths.json}"
    )
    file = make_project(
        tmp_path,
        text,
        rows=[
            {"ID": 7, "label": {"text": "seven"}, "Kind": "odd"},
            {"ID": 8, "label": {"text": "eight"}, "Kind": "even", "extra": True},
        ],
    )
    (tmp_path / "paths.json").write_text(json.dumps({"jsonpaths": ["$['ID']", "$.label.text", "$['Kind']"]}))
    run_plan(build_plan(load_pipeline(file)))
    assert _rows(tmp_path / "warehouse.duckdb", "select id, name, kind from staging_things order by id") == [
        (7, "seven", "odd"),
        (8, "eight", "even"),
    ]


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    file = make_project(tmp_path)
    (tmp_path / "data" / "part.json").unlink()
    with pytest.raises(ConfigError, match="no files in"):
        build_plan(load_pipeline(file))


def test_warehouse_path_resolves_beside_the_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = make_project(tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    run_plan(build_plan(load_pipeline(file)))
    assert (tmp_path / "proj" / "warehouse.duckdb").exists()
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_csv_and_parquet_sources(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "things: {path: data, format: json}", "things: {path: data, format: csv, delimiter: ';', null_string: 'NA'}"
    )
    file = make_project(tmp_path, text, rows=[])
    (tmp_path / "data" / "part.json").unlink()
    (tmp_path / "data" / "a.csv").write_text('id;name;kind\n1;"a;b";x\n2;NA;y\n')
    run_plan(build_plan(load_pipeline(file)))
    db = tmp_path / "warehouse.duckdb"
    assert _rows(db, "select id, name, kind from things order by id") == [(1, "a;b", "x"), (2, None, "y")]
    with duckdb.connect() as con:
        con.execute(f"copy (select 3 as id, 'c' as name, 'z' as kind) to '{tmp_path / 'data' / 'b.parquet'}'")
    file.write_text(MINIMAL.replace("things: {path: data, format: json}", "things: {path: data, format: parquet}"))
    run_plan(build_plan(load_pipeline(file)))
    assert _rows(db, "select id, name, kind from things") == [(3, "c", "z")]


def test_every_json_layout_and_gzip_by_magic_bytes(tmp_path: Path) -> None:
    import gzip

    file = make_project(tmp_path, rows=[{"id": 1, "name": "a", "kind": "x"}])
    data = tmp_path / "data"
    (data / "array.json").write_text(json.dumps([{"id": 2, "name": "b", "kind": "y"}, {"id": 3, "kind": "y"}]))
    (data / "one.json").write_text(json.dumps({"id": 4, "name": "d", "kind": "x"}, indent=4))
    (data / "packed.json.gz").write_bytes(gzip.compress(b'{"id": 5, "name": "e", "kind": "x"}\n'))
    # gzip without the .gz name, beside plain files: recognised by its first bytes
    (data / "sneaky.json").write_bytes(gzip.compress(b'{"id": 6, "name": "f", "kind": "x"}\r\n'))
    result = run_plan(build_plan(load_pipeline(file)))
    assert {s.step.id: s.rows for s in result.steps}["load:staging_things"] == 6
    assert _rows(tmp_path / "warehouse.duckdb", "select id, name from things order by id") == [
        (1, "a"),
        (2, "b"),
        (3, None),
        (4, "d"),
        (5, "e"),
        (6, "f"),
    ]


def test_csv_encoding_and_exclude_globs(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "things: {path: data, format: json}", "things: {path: data, format: csv, encoding: latin-1, exclude: 'old/**'}"
    )
    file = make_project(tmp_path, text, rows=[])
    data = tmp_path / "data"
    (data / "part.json").unlink()
    (data / "a.csv").write_bytes("id,name,kind\n1,café,x\n".encode("latin-1"))
    (data / "old").mkdir()
    (data / "old" / "b.csv").write_bytes(b"id,name,kind\n2,old,y\n")
    run_plan(build_plan(load_pipeline(file)))
    assert _rows(tmp_path / "warehouse.duckdb", "select id, name from staging_things") == [(1, "café")]
