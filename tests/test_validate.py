from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL, make_project

from engine.config import load_pipeline
from engine.errors import ConfigError


def _issues(tmp_path: Path, text: str) -> ConfigError:
    file = make_project(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_pipeline(file)
    return info.value


def test_minimal_pipeline_is_valid(tmp_path: Path) -> None:
    p = load_pipeline(make_project(tmp_path))
    assert list(p.star) == ["kinds", "things"]
    assert p.star["things"].foreign_keys[0].table == "kinds"


def test_typo_names_file_line_path_and_suggestion(tmp_path: Path) -> None:
    err = _issues(tmp_path, MINIMAL.replace("    primary_key: id", "    primary_kye: id"))
    unknown = next(i for i in err.issues if "unknown key" in i.message)
    assert unknown.message == "unknown key 'primary_kye'"
    assert unknown.hint == "did you mean 'primary_key'?"
    assert unknown.location.file == tmp_path / "pipeline.yaml"
    assert unknown.location.line == 18
    assert unknown.location.yaml_path == "star.things.primary_kye"


def test_bad_identifier_is_rejected(tmp_path: Path) -> None:
    err = _issues(
        tmp_path,
        MINIMAL.replace(
            "columns: {id: integer, name: varchar, kind: varchar}\nstar", 'columns: {"id; drop": integer}\nstar'
        ),
    )
    assert any("plain SQL identifier" in i.message for i in err.issues)


def test_enum_typo_suggests(tmp_path: Path) -> None:
    err = _issues(tmp_path, MINIMAL.replace("kind: fact", "kind: fcat"))
    issue = err.issues[0]
    assert "'fcat' is not allowed" in issue.message
    assert issue.hint == "did you mean 'fact'?"
    assert issue.location.yaml_path == "star.things.kind"


def test_wrong_type_and_missing_key(tmp_path: Path) -> None:
    text = MINIMAL.replace("  things: {path: data, format: json}", "  things: {path: 3}")
    err = _issues(tmp_path, text)
    messages = [i.message for i in err.issues]
    assert "missing required key 'format'" in messages
    assert any(m.startswith("expected a string") for m in messages)


def test_undefined_var_suggests(tmp_path: Path) -> None:
    text = MINIMAL.replace("name: mini\n", "name: mini\nvars: {data_root: data}\n").replace(
        "path: data,", "path: '{{ data_rot }}',"
    )
    err = _issues(tmp_path, text)
    assert "undefined var" in err.issues[0].message
    assert err.issues[0].hint == "did you mean 'data_root'?"
