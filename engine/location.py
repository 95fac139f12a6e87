"""Load YAML safely while remembering where every key and value came from.

PyYAML's constructors throw marks away; we compose the node graph ourselves
and build plain Python values beside a map from YAML path to (line, column),
so that schema and semantic errors can point at the exact spot in the file.
Only the safe scalar resolvers run: no tag can execute code.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ConfigError, Issue, Location

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000
#: how deep mappings and lists may nest (PyYAML's composer recurses once per level)
MAX_DEPTH = 64

YamlPath = tuple[str | int, ...]
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}


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


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses nesting deep enough to exhaust Python's stack while composing."""

    def __init__(self, text: str, file: Path) -> None:
        super().__init__(text)
        self.file = file
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ConfigError(
                    [
                        Issue(
                            f"the document nests deeper than {MAX_DEPTH} levels",
                            Location(self.file, mark.line + 1, mark.column + 1),
                            "flatten the structure",
                        )
                    ]
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


class _Builder:
    def __init__(self, doc: Document, loader: Any) -> None:
        self.doc = doc
        self.loader = loader
        self.count = 0
        self.issues: list[Issue] = []

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ConfigError(
                [
                    Issue(
                        f"the document expands to more than {MAX_NODES:,} nodes (alias bomb?)",
                        self.doc.locate(path),
                        "remove the repeated aliases",
                    )
                ]
            )
        if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text does
            raise ConfigError(
                [
                    Issue(
                        f"the document nests deeper than {MAX_DEPTH} levels (through aliases)",
                        self._loc(node, path),
                        "remove the nested aliases",
                    )
                ]
            )
        self.doc.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            raise ConfigError(
                [
                    Issue(
                        f"YAML tag {node.tag!r} is not allowed",
                        self._loc(node, path),
                        "pipeline files hold plain data; remove the tag",
                    )
                ]
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.issues.append(
                        Issue("YAML merge keys (<<) are not supported", self._loc(key_node, path), "write the keys out")
                    )
                    continue
                if key_node.tag not in _PLAIN_TAGS:
                    raise ConfigError(
                        [
                            Issue(
                                f"YAML tag {key_node.tag!r} is not allowed",
                                self._loc(key_node, path),
                                "pipeline files hold plain data; remove the tag",
                            )
                        ]
                    )
                key = self.loader.construct_object(key_node)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    self.issues.append(Issue("a mapping key must be a plain scalar", self._loc(key_node, path)))
                    continue
                skey = str(key)
                child = (*path, skey)
                if skey in out:
                    self.issues.append(
                        Issue(
                            f"duplicate key '{skey}'",
                            self._loc(key_node, child),
                            "each key may appear once in a mapping",
                        )
                    )
                    continue
                self.doc.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[skey] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node)

    def _loc(self, node: yaml.Node, path: YamlPath) -> Location:
        return Location(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1, format_path(path))


def _fast_loader(text: str) -> Any:
    """libyaml's loader (four times faster on a large pipeline) for text it reads exactly as the Python
    loader does: no character the Python reader refuses, nesting within MAX_DEPTH (libyaml composes
    recursively in C, where nothing would stop a deep document), and no syntax error.  Otherwise None,
    and the Python loader reads the text and says what is wrong, as it always has."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=fast):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return fast(text)


def _line_at(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def load_yaml(file: Path) -> Document:
    """Parse ``file`` into a Document, or raise ConfigError naming file, line and column."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Issue("file not found", Location(file))]) from None
    except OSError as exc:
        raise ConfigError([Issue(f"cannot read file: {exc.strerror}", Location(file))]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            [
                Issue(
                    f"file is larger than {MAX_FILE_BYTES:,} bytes",
                    Location(file, _line_at(raw, MAX_FILE_BYTES)),
                    "a pipeline file declares tables; data belongs in sources",
                )
            ]
        )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # also the start of UTF-32 LE
        raise ConfigError([Issue("file is UTF-16 (or UTF-32), not UTF-8", Location(file, 1, 1), "save it as UTF-8")])
    if b"\x00" in raw:
        raise ConfigError(
            [
                Issue(
                    "file holds a NUL byte",
                    Location(file, _line_at(raw, raw.index(b"\x00"))),
                    "a binary file, or text saved as UTF-16? save it as UTF-8",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [Issue("file is not valid UTF-8", Location(file, _line_at(raw, exc.start)), "save it as UTF-8")]
        ) from None
    doc = Document(file=file, data=None)
    loader: Any = None
    try:
        loader = _fast_loader(text)
        if loader is None:
            loader = _Loader(text, file)  # the reader rejects control characters here
        node = loader.get_single_node()
        if node is None:
            raise ConfigError([Issue("file is empty", Location(file, 1, 1))])
        builder = _Builder(doc, loader)
        doc.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem]))
        hint = "indent with spaces, not tabs" if "\\t" in str(exc) or "tab" in message else None
        raise ConfigError(
            [
                Issue(
                    f"YAML syntax error: {message}",
                    Location(file, mark.line + 1 if mark else None, mark.column + 1 if mark else None),
                    hint,
                )
            ]
        ) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise ConfigError(
            [
                Issue(
                    f"file holds a control character (#x{exc.character:04x}) YAML does not allow",
                    Location(file, line, column),
                    "remove it, or save the file as UTF-8 text",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Issue(f"YAML error: {exc}", Location(file, 1))]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if builder.issues:
        raise ConfigError(builder.issues)
    return doc
