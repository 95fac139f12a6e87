"""What sqlglot found in a user's SELECT, kept by content hash, so only SQL that changed is parsed.

Importing and running sqlglot is most of a first ``validate`` or ``run --dry-run``. What the rest of
the engine needs from a SELECT that passed every check is small: the tables it reads, and its SQL
pointed at the shadow tables of a full run. Both depend only on the rendered SQL, the dialect, the
columns of every table (the checks qualify columns against them), the columns the SELECT must
return, the table names, and the versions of sqlglot and the engine: the key hashes all of them.
Only SQL that passed is kept (an error is always reported fresh, with its position), one small JSON
file per SELECT in the user's cache folder (``$XDG_CACHE_HOME/etl-engine/sql``, else
``~/.cache/etl-engine/sql``; ``ETL_ENGINE_SQL_CACHE=off`` turns it off). A file that cannot be read
or written is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 2  # 2: stored only after the identifier case check passed


@dataclass(frozen=True)
class CachedTree:
    """Stands in for a parsed tree: its SQL pointed at ``names`` (see shadow.point_at), and the SQL."""

    sql: str
    names: tuple[tuple[str, str], ...]
    pointed: str


def _folder() -> Path | None:
    from engine.user_cache import cache_root

    root = cache_root()
    return None if root is None else root / "sql"


@lru_cache(maxsize=1)
def versions() -> str:
    """What the stored answers depend on besides their text: sqlglot's release (read from its version file,
    found without importing sqlglot: importlib.metadata alone costs more than a cached answer saves) and
    the engine's analysis modules, by content."""
    import importlib.util

    import engine

    parts = [str(FORMAT), str(Path(engine.__file__).parent)]
    spec = importlib.util.find_spec("sqlglot")
    folder = Path(spec.origin).parent if spec and spec.origin else None
    try:
        parts.append((folder / "_version.py").read_text(encoding="utf-8") if folder else "-")
    except OSError:  # a sqlglot without that file: its folder's modification time stands in
        parts.append(str(folder.stat().st_mtime_ns) if folder else "-")
    # the engine's own code decides what is checked: its analysis modules' contents are in the key
    for module in (
        "semantics.py",
        "graph.py",
        "shadow.py",
        "sql_cache.py",
        "identifier_case.py",
        "folds.py",
        "key_proofs.py",
    ):
        try:
            parts.append(hashlib.sha256((Path(engine.__file__).parent / module).read_bytes()).hexdigest())
        except OSError:
            parts.append("-")
    return "\n".join(parts)


class SqlCache:
    """The cache for one analysis: ``schema`` maps every table to its (column, type) pairs."""

    def __init__(self, dialect: str, schema: Mapping[str, list[tuple[str, str]]], names: Mapping[str, str]) -> None:
        self.folder = _folder()
        self.names = tuple(sorted(names.items()))
        self.base = (
            ""
            if self.folder is None
            else hashlib.sha256(
                json.dumps([versions(), dialect, sorted((t, cols) for t, cols in schema.items()), self.names]).encode()
            ).hexdigest()
        )

    def _path(self, sql: str, declared: list[str] | None) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(json.dumps([self.base, sql, declared]).encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.json"

    def get(self, sql: str, declared: list[str] | None) -> tuple[frozenset[str], CachedTree] | None:
        path = self._path(sql, declared)
        if path is None:
            return None
        try:
            entry: Any = json.loads(path.read_text(encoding="utf-8"))
            if entry.get("sql") != sql:
                return None
            return frozenset(entry["tables"]), CachedTree(sql, self.names, str(entry["pointed"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, sql: str, declared: list[str] | None, tables: frozenset[str], pointed: str) -> None:
        path = self._path(sql, declared)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(json.dumps({"sql": sql, "tables": sorted(tables), "pointed": pointed}), encoding="utf-8")
            os.replace(temp, path)
        except OSError:
            pass
