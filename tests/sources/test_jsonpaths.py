from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import Column
from engine.errors import ConfigError, Location
from engine.sources.jsonpaths import json_fields, parse_path, read_columns, read_jsonpaths


@pytest.mark.parametrize(
    "expr, steps",
    [
        ("$['firstName']", ["firstName"]),
        ("$.a.b[2]", ["a", "b", 2]),
        ("$[\"odd key\"]['x']", ["odd key", "x"]),
    ],
)
def test_parse_path(expr: str, steps: list[object]) -> None:
    assert parse_path(expr) == steps


def test_positional_mapping_like_redshift() -> None:
    cols = (Column("first_name", "varchar"), Column("city", "varchar"))
    fields = json_fields(cols, [["firstName"], ["address", "city"]], Location(None))
    assert [(f.column, f.key, f.subpath) for f in fields] == [
        ("first_name", "firstName", None),
        ("city", "address", '$."city"'),
    ]
    assert read_columns(fields) == [("firstName", "varchar"), ("address", "json")]


def test_count_mismatch_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="matched by position"):
        json_fields((Column("a", "varchar"),), [["a"], ["b"]], Location(None))


def test_bad_jsonpaths_file(tmp_path: Path) -> None:
    f = tmp_path / "jp.json"
    f.write_text('{"paths": []}')
    with pytest.raises(ConfigError, match="must hold"):
        read_jsonpaths(f, Location(f))
