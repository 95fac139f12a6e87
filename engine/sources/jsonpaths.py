"""Redshift's JSONPaths mapping, applied the same way on every target.

A JSONPaths file lists one path per staging column, matched by *position*
(``$['firstName']`` feeds the third column, whatever it is called).  We parse the
paths here so that each adapter can express the same mapping in its own SQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from engine.config import Column
from engine.errors import ConfigError, Issue, Location

_STEP = re.compile(r"""\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\.([A-Za-z_$][\w$]*)|\[(\d+)\]""")


@dataclass(frozen=True)
class JsonField:
    """A staging column and where it comes from in each JSON record."""

    column: str
    type: str
    key: str
    #: the rest of the path inside ``key`` (``$.b.c``), or None when the value sits at top level
    subpath: str | None = None
    #: the whole path as steps (``('a', 'b', 0)``), for dialects that address JSON by steps
    path: tuple[str | int, ...] = ()


def parse_path(expr: str) -> list[str | int]:
    """``$['a']['b'][0]`` or ``$.a.b[0]`` → ``['a', 'b', 0]``; raises ValueError otherwise."""
    text = expr.strip()
    if not text.startswith("$"):
        raise ValueError("a JSONPath starts with $")
    pos = 1
    steps: list[str | int] = []
    while pos < len(text):
        match = _STEP.match(text, pos)
        if not match:
            raise ValueError(f"cannot read {text[pos:]!r}")
        quoted1, quoted2, bare, index = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(quoted1 if quoted1 is not None else quoted2 if quoted2 is not None else bare)
        pos = match.end()
    if not steps or not isinstance(steps[0], str):
        raise ValueError("a JSONPath must name a key first")
    return steps


def _subpath(steps: list[str | int]) -> str | None:
    if len(steps) == 1:
        return None
    out = "$"
    for step in steps[1:]:
        out += f"[{step}]" if isinstance(step, int) else "." + json.dumps(step)
    return out


def read_jsonpaths(file: Path, where: Location) -> list[list[str | int]]:
    """The parsed paths of a local JSONPaths file, in order."""
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError([Issue(f"JSONPaths file not found: {file}", where)]) from None
    except (OSError, ValueError) as exc:
        raise ConfigError([Issue(f"cannot read JSONPaths file {file}: {exc}", where)]) from None
    paths = data.get("jsonpaths") if isinstance(data, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError([Issue(f'{file} must hold {{"jsonpaths": ["$[\'key\']", ...]}}', where)])
    parsed = []
    for i, p in enumerate(paths):
        try:
            parsed.append(parse_path(p))
        except ValueError as exc:
            raise ConfigError([Issue(f"{file}: path {i + 1} {p!r}: {exc}", where)]) from None
    return parsed


def json_fields(columns: tuple[Column, ...], paths: list[list[str | int]] | None, where: Location) -> list[JsonField]:
    """Pair staging columns with JSON keys: by position with JSONPaths, by name without."""
    if paths is None:
        return [JsonField(c.name, c.type, c.name, path=(c.name,)) for c in columns]
    if len(paths) != len(columns):
        raise ConfigError(
            [
                Issue(
                    f"the JSONPaths file has {len(paths)} paths but the staging table has {len(columns)} "
                    "columns; they are matched by position, so the counts must agree",
                    where,
                )
            ]
        )
    return [
        JsonField(c.name, c.type, str(steps[0]), _subpath(steps), tuple(steps))
        for c, steps in zip(columns, paths, strict=False)
    ]


def read_columns(fields: list[JsonField]) -> list[tuple[str, str]]:
    """The top-level keys to read and their types (JSON where a nested path digs inside)."""
    out: dict[str, str] = {}
    for f in fields:
        if f.subpath is not None:
            out[f.key] = "json"
        else:
            out.setdefault(f.key, f.type)
    return list(out.items())
