"""The user's cache folder: answers the engine computed from text alone, kept for the next process.

Everything here is keyed by content (and the versions of what computed it), so a stale entry is never
read: an edit is a new key. A file that cannot be read or written is a miss, never an error. The folder
is ``$XDG_CACHE_HOME/etl-engine``, else ``~/.cache/etl-engine``; ``ETL_ENGINE_SQL_CACHE=off`` turns all of
it off. What lives there: ``sql/`` (sqlglot's findings, engine/sql_cache.py), ``valid/`` (documents that
passed the schema, engine/validate.py), ``folds/`` (engine/folds.py), ``keys/`` (engine/key_proofs.py),
``fks/`` (engine/fk_proofs.py) and ``jinja/`` (compiled templates).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import BytecodeCache


def cache_root() -> Path | None:
    """The user's cache folder for the engine's stored answers, or None when turned off."""
    if os.environ.get("ETL_ENGINE_SQL_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "etl-engine"


def remembered(kind: str, parts: list[str], compute: Callable[[], str | None]) -> str | None:
    """A value computed from text alone (by sqlglot, say), kept by the hash of ``parts`` and the versions:
    the next run with the same text reads it instead of importing and running the computation again."""
    from engine.sql_cache import versions

    root = cache_root()
    if root is None:
        return compute()
    key = hashlib.sha256(json.dumps([versions(), kind, *parts]).encode()).hexdigest()
    path = root / kind / key[:2] / f"{key}.json"
    try:
        entry: Any = json.loads(path.read_text(encoding="utf-8"))
        if entry.get("parts") == parts:
            value = entry.get("value")
            return value if isinstance(value, str) or value is None else None
    except (OSError, ValueError, AttributeError):
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps({"parts": parts, "value": value}), encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        pass
    return value


def bytecode_cache() -> BytecodeCache | None:
    """Compiled templates, kept between processes (compiling the load templates is a good part of a short
    run). Jinja keys each by the template's name and checks its source's hash; the folder is per Jinja and
    Python version, and holds only templates loaded by name (the engine's and the user's overrides)."""
    import sys

    import jinja2
    from jinja2 import FileSystemBytecodeCache

    root = cache_root()
    if root is None:
        return None
    folder = root / "jinja" / f"{jinja2.__version__}-py{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class Quiet(FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):  # not written: a miss next time, not a failed render
                super().dump_bytecode(bucket)

    return Quiet(str(folder))
