"""Names and types for what ``init`` drafts: identifiers from folder names and keys, portable types
from DuckDB's, and source names made unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from engine.tools.scaffold.model import IDENTIFIER, DraftSource

DECIMAL_TYPE = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "UTINYINT": "smallint",
    "SMALLINT": "smallint",
    "USMALLINT": "integer",
    "INTEGER": "integer",
    "UINTEGER": "bigint",
    "BIGINT": "bigint",
    "UBIGINT": "decimal(38,0)",
    "HUGEINT": "decimal(38,0)",
    "UHUGEINT": "decimal(38,0)",
    "FLOAT": "real",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMPTZ": "timestamptz",
    "VARCHAR": "varchar",
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def table_name(text: str) -> str:
    """A lower snake_case identifier for a source or table, from a folder or file name."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", _ascii(text))
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return text[:48].rstrip("_")


def column_name(key: str, index: int) -> str:
    """A lower snake_case identifier for ``key`` (``orderId`` -> ``order_id``, ``user name`` -> ``user_name``).

    Lower case because PostgreSQL and Redshift fold unquoted names to it: a camelCase column would
    be found by DuckDB and missed by them.  The source keeps its own keys: JSON columns are mapped
    to them by a JSONPaths file, CSV columns by position.
    """
    if IDENTIFIER.match(key) and key == key.lower():
        return key
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", _ascii(key))
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower()
    if not text:
        return f"column_{index + 1}"
    if text[0].isdigit():
        text = "_" + text
    return text[:63]


def dedupe(names: Iterable[str]) -> list[str]:
    """Names made distinct ignoring case, as the warehouses compare unquoted names."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            suffix = f"_{n}"
            candidate = name[: 63 - len(suffix)] + suffix
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def portable_type(duck: str, json_text: bool = False) -> tuple[str, str | None]:
    """The pipeline's type for a DuckDB type, and a note when something is lost on the way."""
    upper = duck.strip().upper()
    if upper in SIMPLE_TYPES:
        return SIMPLE_TYPES[upper], None
    match = DECIMAL_TYPE.match(upper)
    if match:
        return f"decimal({match.group(1)},{match.group(2)})", None
    if upper.startswith(("STRUCT", "MAP", "UNION")) or upper.endswith("]"):
        return "varchar", "nested; loaded as JSON text" if json_text else "nested; loaded as text"
    if upper in ('"NULL"', "NULL"):
        return "varchar", "always null in the sample"
    if upper == "JSON":
        return "varchar", "JSON text"
    return "varchar", f"{duck.lower()} in the files; loaded as text"


def name_sources(sources: list[DraftSource]) -> None:
    """Source names from folders or name patterns, made unique by format, then pattern, then number."""
    for s in sources:
        s.name = table_name(s.top) if s.top else table_name(s.label)
    qualifiers: list[Callable[[DraftSource], str]] = [lambda s: s.format, lambda s: s.label]
    for qualify in qualifiers:
        clashes: dict[str, list[DraftSource]] = {}
        for s in sources:
            clashes.setdefault(s.name, []).append(s)
        for same in clashes.values():
            if len(same) > 1 and len({qualify(s) for s in same}) > 1:
                for s in same:
                    s.name = table_name(f"{s.name}_{qualify(s)}")
    seen: dict[str, int] = {}
    for s in sources:
        base = s.name or s.format
        if not base[0].isalpha():
            base = f"{s.format}_{base}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        s.name = base[:50] if n == 1 else f"{base[:47]}_{n}"
