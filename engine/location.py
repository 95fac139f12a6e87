"""Load YAML safely while remembering where every key and value came from.

PyYAML's constructors throw marks away; we compose the node graph ourselves
and build plain Python values beside a map from YAML path to (line, column),
so that schema and semantic errors can point at the exact spot in the file.
Only the safe scalar resolvers run: no tag can execute code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ConfigError, Issue, Location

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000

YamlPath = tuple[str | int, ...]
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in
               ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")}


def format_path(path: YamlPath) -> str:
    """``('star', 'users', 'columns', 0)`` → ``star.users.columns[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Document:
    """A parsed YAML file: its data and where each node sits."""

    file: Path
    data: Any
    value_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: YamlPath, *, key: bool = False) -> Location:
        """The nearest known position for ``path`` (walking up to a parent if needed)."""
        probe = tuple(path)
        while True:
            marks = self.key_marks if key else self.value_marks
            if probe in marks:
                line, col = marks[probe]
                return Location(self.file, line, col, format_path(path))
            if probe in self.value_marks:
                line, col = self.value_marks[probe]
                return Location(self.file, line, col, format_path(path))
            if not probe:
                return Location(self.file, None, None, format_path(path))
            probe = probe[:-1]


class _Builder:
    def __init__(self, doc: Document, loader: yaml.SafeLoader) -> None:
        self.doc = doc
        self.loader = loader
        self.count = 0
        self.issues: list[Issue] = []

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ConfigError([Issue(
                f"the document expands to more than {MAX_NODES:,} nodes (alias bomb?)",
                self.doc.locate(path), "remove the repeated aliases")])
        self.doc.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            raise ConfigError([Issue(f"YAML tag {node.tag!r} is not allowed", self._loc(node, path),
                                     "pipeline files hold plain data; remove the tag")])
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.issues.append(Issue("YAML merge keys (<<) are not supported",
                                             self._loc(key_node, path), "write the keys out"))
                    continue
                key = self.loader.construct_object(key_node)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    self.issues.append(Issue("a mapping key must be a plain scalar",
                                             self._loc(key_node, path)))
                    continue
                skey = str(key)
                child = (*path, skey)
                if skey in out:
                    self.issues.append(Issue(f"duplicate key '{skey}'", self._loc(key_node, child),
                                             "each key may appear once in a mapping"))
                    continue
                self.doc.key_marks[child] = (key_node.start_mark.line + 1,
                                             key_node.start_mark.column + 1)
                out[skey] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node)

    def _loc(self, node: yaml.Node, path: YamlPath) -> Location:
        return Location(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1,
                        format_path(path))


def load_yaml(file: Path) -> Document:
    """Parse ``file`` into a Document, or raise ConfigError naming file, line and column."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Issue("file not found", Location(file))]) from None
    except OSError as exc:
        raise ConfigError([Issue(f"cannot read file: {exc.strerror}", Location(file))]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([Issue(f"file is larger than {MAX_FILE_BYTES:,} bytes", Location(file))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([Issue("file is not valid UTF-8", Location(file, line),
                                 "save it as UTF-8")]) from None
    loader = yaml.SafeLoader(text)
    doc = Document(file=file, data=None)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError([Issue("file is empty", Location(file, 1, 1))])
        builder = _Builder(doc, loader)
        doc.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem]))
        hint = "indent with spaces, not tabs" if "\\t" in str(exc) or "tab" in message else None
        raise ConfigError([Issue(f"YAML syntax error: {message}",
                                 Location(file, mark.line + 1 if mark else None,
                                          mark.column + 1 if mark else None), hint)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Issue(f"YAML error: {exc}", Location(file))]) from None
    finally:
        loader.dispose()
    if builder.issues:
        raise ConfigError(builder.issues)
    return doc
