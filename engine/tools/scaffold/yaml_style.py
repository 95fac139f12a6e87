"""PyYAML with the styles a hand-written pipeline file uses, and comments added after dumping.

PyYAML writes data, not comments; ``init``'s file is a starting point whose comments matter.
So the data is dumped by PyYAML (quoting, escaping and key order are its job) and the comments
are then placed on the dumped lines by their YAML path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml


class Quoted(str):
    """A string written in double quotes (paths with ``{{ }}``, which read better quoted)."""

    __slots__ = ()


class Block(str):
    """A multi-line string written as a ``|`` block (SQL)."""

    __slots__ = ()


class Flow(dict[str, Any]):
    """A small mapping written on one line: ``{type: bigint, not_null: true}``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key, as people write them


_Dumper.add_representer(Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
_Dumper.add_representer(Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|"))
_Dumper.add_representer(Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", dict(v), flow_style=True))


def dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False
    )


_KEY = re.compile(r"^( *)((?:\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s'\"#][^:#]*?)):(?: |$)")

Path = tuple[str, ...]


def annotate(
    text: str, trailing: Mapping[Path, str] | None = None, before: Mapping[Path, Sequence[str]] | None = None
) -> str:
    """``text`` (block-style YAML from :func:`dump`) with ``# comments`` at the keys their paths name.

    ``trailing`` comments go at the end of the key's line, aligned among siblings; ``before``
    lines go above the key, at its indentation.
    """
    trailing, before = trailing or {}, before or {}
    lines = text.splitlines()
    paths: list[Path | None] = []
    stack: list[tuple[int, str]] = []
    for line in lines:
        m = _KEY.match(line)
        if not m:
            paths.append(None)
            continue
        indent, raw = len(m.group(1)), m.group(2)
        key = str(yaml.safe_load(raw)) if raw[0] in "\"'" else raw
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        paths.append(tuple(k for _, k in stack))
    widths: dict[Path, int] = {}
    for line, path in zip(lines, paths, strict=True):
        if path is not None and path in trailing:
            widths[path[:-1]] = max(widths.get(path[:-1], 0), len(line))
    out: list[str] = []
    for line, path in zip(lines, paths, strict=True):
        if path is not None:
            pad = " " * (len(line) - len(line.lstrip(" ")))
            out += [f"{pad}# {c}" for c in before.get(path, ())]
            if path in trailing:
                line = line.ljust(widths[path[:-1]] + 2) + "# " + trailing[path]
        out.append(line)
    return "\n".join(out) + "\n"


def commented(text: str) -> str:
    """Every line commented out with ``# ``, so removing that prefix gives valid YAML back."""
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())
