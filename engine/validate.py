"""Check a pipeline document's shape against the JSON Schema, all errors at once.

jsonschema reports paths and terse messages; we turn each into an Issue with the
file, line and column of the offending node and, for unknown keys, the nearest
valid key as a suggestion.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, Issue
from engine.location import Document, YamlPath
from engine.resources import data_dir

if TYPE_CHECKING:
    from jsonschema import ValidationError


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The pipeline schema as shipped."""
    with open(data_dir("schemas") / "pipeline.schema.json", encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


@lru_cache(maxsize=1)
def _inlined() -> dict[str, Any]:
    """The schema with its (non-recursive) ``$ref``s replaced by what they name, each marked ``x-ref``.

    Resolving a reference costs jsonschema more than checking what it names: inlined, a pipeline of
    thousands of tables validates several times faster, with the same errors."""
    root = schema()
    defs: dict[str, Any] = root.get("$defs", {})

    def inline(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [inline(n, depth) for n in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 32:
            target = inline(defs[ref[len("#/$defs/") :]], depth + 1)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if isinstance(target, dict) and not (set(siblings) & set(target)):
                return {**target, **inline(siblings, depth), "x-ref": ref}
        return {k: inline(v, depth) for k, v in node.items()}

    return {k: inline(v, 0) for k, v in root.items()}


def suggest(word: str, choices: list[str] | set[str] | tuple[str, ...]) -> str | None:
    """A 'did you mean' for ``word`` among ``choices``, or None when nothing is close."""
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{found[0]}'?" if found else None


def _valid_marker(doc: Document) -> Path | None:
    """Where a document that passed the schema is remembered: its content with the schema's and this
    module's bytes, hashed (a changed schema or check is a new key). Importing jsonschema is most of a
    first ``validate``; a document that passed before is not checked again."""
    from engine.user_cache import cache_root

    root = cache_root()
    if root is None:
        return None
    digest = hashlib.sha256()
    try:
        digest.update((data_dir("schemas") / "pipeline.schema.json").read_bytes())
        digest.update(Path(__file__).read_bytes())
    except OSError:
        return None
    digest.update(json.dumps(doc.data, sort_keys=True, default=repr).encode())
    key = digest.hexdigest()
    return root / "valid" / key[:2] / key


def validate_document(doc: Document) -> None:
    """Raise ConfigError listing every schema violation in ``doc``."""
    marker = _valid_marker(doc)
    if marker is not None and marker.exists():
        return
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(_inlined())
    issues: list[Issue] = []
    seen: set[tuple[YamlPath, str]] = set()
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        for issue in _to_issues(doc, error):
            key = (tuple(error.absolute_path), issue.message)
            if key not in seen:
                seen.add(key)
                issues.append(issue)
    if issues:
        issues.sort(key=lambda i: (i.location.line or 0, i.location.column or 0))
        raise ConfigError(issues)
    if marker is not None:
        try:  # only a document that passed is remembered; a failure to write is a miss next time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass


def _allowed_keys(error: ValidationError) -> list[str]:
    props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    return list(props)


def _leaf(error: ValidationError) -> ValidationError:
    """For oneOf failures, the branch error that got deepest is the informative one."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        if len(deepest.absolute_path) > len(error.absolute_path) or deepest.validator != "type":
            return _leaf(deepest)
    return error


def _secret_issue(doc: Document, path: YamlPath) -> Issue:
    """A secret written inline: named by its key, never echoed (the value may be real)."""
    key = str(path[-1])
    return Issue(
        f"'{key}' is a secret and must not be written in the pipeline file",
        doc.locate(path),
        f'write {key}: "${{NAME}}" and set NAME in the environment or in the --config file',
    )


def _to_issues(doc: Document, error: ValidationError) -> list[Issue]:
    error = _leaf(error)
    path: YamlPath = tuple(error.absolute_path)
    if len(path) == 3 and path[0] == "targets" and _is_secret(path[-1]) and error.validator in ("pattern", "type"):
        return [_secret_issue(doc, path)]
    if "propertyNames" in error.schema_path and isinstance(error.instance, str):
        # the offending key itself, not the mapping that holds it
        return [
            Issue(
                f"{error.instance!r} is not a plain SQL identifier{_too_long(error.instance)}",
                doc.locate((*path, error.instance), key=True),
                "a letter or underscore, then letters, digits or underscores; 63 characters at most",
            )
        ]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = _allowed_keys(error)
        extra = [k for k in error.instance if k not in allowed]
        return [
            Issue(
                f"unknown key '{k}'",
                doc.locate((*path, k), key=True),
                suggest(k, allowed) or (f"allowed keys: {', '.join(allowed)}" if allowed else None),
            )
            for k in extra
        ]
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return [Issue(f"missing required key '{m}'", doc.locate(path, key=True)) for m in missing]
    if error.validator == "pattern" and error.schema.get("description"):
        where = doc.locate(path, key=bool(path))
        return [Issue(f"{error.instance!r} is not {error.schema['description']}{_too_long(error.instance)}", where)]
    if error.validator == "propertyNames" or (error.validator == "pattern" and path == ()):
        return [Issue(f"{error.instance!r} is not a plain SQL identifier", doc.locate(path))]
    if error.validator == "enum":
        choices = [str(c) for c in error.validator_value]
        hint = suggest(str(error.instance), choices) or f"one of: {', '.join(choices)}"
        return [Issue(f"{error.instance!r} is not allowed here", doc.locate(path), hint)]
    if error.validator == "type":
        return [Issue(f"expected {_types(error.validator_value)}, got {_describe(error.instance)}", doc.locate(path))]
    if error.validator in ("oneOf", "anyOf"):
        return [
            Issue(f"{_describe(error.instance)} does not fit any allowed form here", doc.locate(path), _forms(error))
        ]
    return [Issue(error.message, doc.locate(path))]


def _is_secret(key: str | int) -> bool:
    from engine.redact import SECRET_NAME

    return isinstance(key, str) and SECRET_NAME.search(key) is not None


def _too_long(value: Any) -> str:
    """PostgreSQL and Redshift cut identifiers at 63 bytes; say so rather than 'not an identifier'."""
    return " (longer than 63 characters)" if isinstance(value, str) and len(value) > 63 else ""


def _types(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    words = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "null": "nothing",
    }
    return " or ".join(words.get(str(n), str(n)) for n in names)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _forms(error: ValidationError) -> str | None:
    kinds: list[str] = []
    for sub in error.validator_value:
        if "$ref" in sub or "x-ref" in sub:
            kinds.append(sub.get("x-ref", sub.get("$ref")).rsplit("/", 1)[-1].replace("_", " "))
        elif "enum" in sub:
            kinds.append(" | ".join(map(str, sub["enum"])))
        elif "type" in sub:
            kinds.append(_types(sub["type"]))
    return f"expected {' or '.join(k for k in kinds if k)}" if kinds else None
