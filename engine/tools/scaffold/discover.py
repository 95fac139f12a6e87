"""Finding data files under a folder and grouping like files into would-be sources.

The name decides a file's format, because the loader's globs go by name too; gzip is also
recognised by its magic bytes.  Hidden and ``_``-prefixed entries are bookkeeping of the tools
that wrote the data, not data.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from engine.tools.scaffold.model import (
    _TOKENS,
    DATA_SUFFIXES,
    GZIP_MAGIC,
    MAX_TOP_LEVEL_GROUPS,
    PARQUET_MAGIC,
    PEEK_BYTES,
    DataFile,
    Format,
    Skipped,
)


def peek(path: str, gzipped: bool) -> bytes:
    try:
        if gzipped:
            with gzip.open(path, "rb") as handle:
                return handle.read(PEEK_BYTES)
        with open(path, "rb") as handle:
            return handle.read(PEEK_BYTES)
    except (OSError, EOFError):
        return b""


def _classify(path: str, name: str) -> tuple[Format, str, bool] | str:
    """(format, data suffix, gzip) for a data file, or why it is not one.

    The name decides, because the loader's globs go by name too; gzip is also recognised by
    its magic bytes, since DuckDB's ``compression = 'auto'`` would not see it.
    """
    lower = name.lower()
    named_gz = lower.endswith(".gz")
    base = lower[:-3] if named_gz else lower
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    gzipped = named_gz or magic[:2] == GZIP_MAGIC
    ext = os.path.splitext(base)[1]
    if ext in DATA_SUFFIXES:
        fmt = DATA_SUFFIXES[ext]
        if fmt == "parquet" and gzipped:
            return "gzip-compressed parquet (parquet compresses inside the file)"
        return fmt, name[len(base) - len(ext) :], gzipped
    if ext:
        return "not a data file"
    # No extension at all: trust the content, but only for unmistakable starts.
    head = peek(path, gzipped).lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = name[len(base) :]
    if not gzipped and magic == PARQUET_MAGIC:
        return "parquet", suffix, False
    if head[:1] in (b"{", b"["):
        return "json", suffix, gzipped
    return "not a data file"


def _is_jsonpaths(path: str, gzipped: bool) -> bool:
    """A Redshift JSONPaths file describes other files; it is not data to load."""
    name = os.path.basename(path).lower()
    if "jsonpath" not in name and "json_path" not in name:
        return False
    try:
        data = json.loads(peek(path, gzipped).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("jsonpaths"), list)


def discover(folder: Path) -> tuple[list[DataFile], list[Skipped]]:
    """Every data file under ``folder``, in a stable order, and what was passed over and why.

    Hidden entries and ``_``-prefixed ones (``_SUCCESS``, ``_delta_log``) are left out:
    they are bookkeeping of the tools that wrote the data, not data.
    """
    root = os.path.abspath(folder)
    found: list[DataFile] = []
    skipped: list[Skipped] = []
    for current, dirs, names in os.walk(root):
        rel_dir = PurePosixPath(Path(os.path.relpath(current, root)).as_posix())
        keep = []
        for d in sorted(dirs):
            if d.startswith((".", "_")):
                skipped.append(Skipped(str(rel_dir / d) + "/", "hidden or bookkeeping folder"))
            else:
                keep.append(d)
        dirs[:] = keep
        for name in sorted(names):
            path = os.path.join(current, name)
            rel = rel_dir / name if str(rel_dir) != "." else PurePosixPath(name)
            if name.startswith((".", "_")):
                skipped.append(Skipped(str(rel), "hidden or bookkeeping file"))
                continue
            if not os.path.isfile(path):
                continue
            kind = _classify(path, name)
            if isinstance(kind, str):
                skipped.append(Skipped(str(rel), kind))
                continue
            fmt, suffix, gzipped = kind
            if fmt == "json" and _is_jsonpaths(path, gzipped):
                skipped.append(Skipped(str(rel), "a JSONPaths file"))
                continue
            compression = "gzip" if gzipped and not name.lower().endswith(".gz") else "auto"
            found.append(DataFile(path, rel, fmt, gzipped, compression, os.path.getsize(path), suffix))
    return found, skipped


# ---------------------------------------------------------------------------- grouping


def stem_pattern(stem: str) -> str:
    """The file name with every token holding a digit made ``*``, so that daily, numbered or
    id-named files (dates, part numbers, track ids) fall into one group."""
    return "".join("*" if any(ch.isdigit() for ch in tok) else tok for tok in _TOKENS.findall(stem))


def label_of(pattern: str) -> str:
    return "_".join(t for t in re.split(r"[-_. ]+", pattern) if t and "*" not in t)


@dataclass
class Group:
    top: str
    format: Format
    compression: str
    files: list[DataFile]
    label: str


def group_files(files: list[DataFile]) -> list[Group]:
    """Like files together: one group per top-level subfolder and format, and at the top
    level one per file-name pattern (``2018-11-*-events.json``), unless there are so many
    patterns that the names are ids rather than kinds."""
    buckets: dict[tuple[str, Format, str], list[DataFile]] = {}
    for f in files:
        top = f.rel.parts[0] if len(f.rel.parts) > 1 else ""
        buckets.setdefault((top, f.format, f.compression), []).append(f)
    groups: list[Group] = []
    for (top, fmt, compression), members in buckets.items():
        if top:
            groups.append(Group(top, fmt, compression, members, label_of(stem_pattern(top))))
            continue
        by_pattern: dict[str, list[DataFile]] = {}
        for f in members:
            by_pattern.setdefault(stem_pattern(f.stem), []).append(f)
        if len(by_pattern) > MAX_TOP_LEVEL_GROUPS:
            groups.append(Group("", fmt, compression, members, ""))
        else:
            groups.extend(Group("", fmt, compression, fs, label_of(p)) for p, fs in by_pattern.items())
    return groups


def spread(items: Sequence[DataFile], k: int) -> list[DataFile]:
    """Up to ``k`` non-empty files spread over the group (first, last, evenly between), so that
    a layout that changed over time shows up in the sample; empty files would tell nothing."""
    pool = [f for f in items if f.size > 0]
    if len(pool) <= k:
        return pool
    if k == 1:
        return pool[:1]
    step = (len(pool) - 1) / (k - 1)
    return [pool[round(i * step)] for i in range(k)]
