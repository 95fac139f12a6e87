from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.location import load_yaml


def _load(tmp_path: Path, text: str | bytes) -> ConfigError:
    f = tmp_path / "p.yaml"
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as info:
        load_yaml(f)
    return info.value


def test_marks_point_at_keys_and_values(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("a:\n  b: 1\n  c: [x, y]\n")
    doc = load_yaml(f)
    assert doc.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert doc.locate(("a", "b"), key=True).line == 2
    loc = doc.locate(("a", "c", 1))
    assert (loc.line, loc.column, loc.yaml_path) == (3, 10, "a.c[1]")
    # an unknown path falls back to its nearest known parent
    assert doc.locate(("a", "zzz")).line == 2


def test_duplicate_key_is_an_error_with_line(tmp_path: Path) -> None:
    err = _load(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert err.issues[0].message == "duplicate key 'a'"
    assert err.issues[0].location.line == 3


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    err = _load(tmp_path, "a:\n\tb: 1\n")
    assert err.issues[0].location.line == 2
    assert "tabs" in (err.issues[0].hint or "")


def test_python_tags_do_not_execute(tmp_path: Path) -> None:
    err = _load(tmp_path, "a: !!python/object/apply:os.system ['echo pwned']\n")
    assert "YAML" in err.issues[0].message


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    err = _load(tmp_path, "\n".join(lines) + "\n")
    assert "alias" in err.issues[0].message


@pytest.mark.parametrize(
    "text, expected",
    [
        (b"", "file is empty"),
        (b"a: \xff\xfe\n", "not valid UTF-8"),
        (b"a: [1, 2\n", "YAML syntax error"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: bytes, expected: str) -> None:
    assert expected in _load(tmp_path, text).issues[0].message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")
