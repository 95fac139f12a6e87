"""CSV headers: which field of a file fills which staging column.

A CSV file with a header says what its fields are, so the load maps them by name
(case-insensitively, and ``user_id`` finds ``userId``), whatever order the YAML lists the columns in: every target
reads the header first (a local file's first record, an S3 object's first bytes by
a ranged GET) and builds its column list from it.  A declared column the header
lacks is an error pointing at both the CSV file and the YAML line; header fields no
column declares are skipped and named once in the run's notes.  ``match_columns:
position`` keeps the old rule (first field, first column) and is the only rule for
files without a header.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config import Column, Source, StagingTable
from engine.errors import ConfigError, Issue, Location

#: bytes of an S3 object read to find its header line (a ranged GET); a longer header is an error
HEADER_BYTES = 1 << 16


@dataclass(frozen=True)
class Layout:
    """How one file's fields map onto a staging table."""

    #: the header's names, in the file's order
    header: tuple[str, ...]
    #: per header field, the staging column it fills; None for a field no column declares
    fills: tuple[Column | None, ...]

    @property
    def ignored(self) -> tuple[str, ...]:
        return tuple(h for h, c in zip(self.header, self.fills, strict=True) if c is None)

    @property
    def filled(self) -> tuple[tuple[str, Column], ...]:
        """(header name, staging column) for the fields that are loaded, in the file's order."""
        return tuple((h, c) for h, c in zip(self.header, self.fills, strict=True) if c is not None)

    def read_columns(self) -> list[tuple[str, str]]:
        """(field name, type) of every field in file order: the declared type, text for the ignored ones."""
        return [(h, c.type if c else "varchar") for h, c in zip(self.header, self.fills, strict=True)]

    @property
    def positional(self) -> bool:
        """True when the fields are exactly the declared columns, in the declared order."""
        return all(c is not None and c.name == h for h, c in zip(self.header, self.fills, strict=True))


def parse_header(data: bytes, source: Source, where: str) -> tuple[str, ...]:
    """The first record of ``data`` (a file's first bytes, perhaps gzipped) as field names."""
    if data[:2] == b"\x1f\x8b":
        import zlib

        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, HEADER_BYTES)
    encoding = "utf-8-sig" if source.encoding.replace("-", "").lower() == "utf8" else source.encoding
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter, quotechar=source.quote)
    first = next(reader, None)
    if not first or not any(f.strip() for f in first):
        raise ConfigError(
            [
                Issue(
                    f"{where} has no header line (the source says header: true)",
                    Location(Path(where) if "://" not in where else None, 1),
                    hint=(
                        f"set header: false and match_columns: position on source '{source.name}'"
                        " for files without a header"
                    ),
                )
            ]
        )
    return tuple(f.strip() for f in first)


_CACHE: dict[tuple[str, int, int, Source], tuple[str, ...]] = {}


def read_local(path: str, source: Source) -> tuple[str, ...]:
    """A local file's header; remembered while the file is unchanged (a run reads it at render and at note)."""
    import os

    stat = os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns, source)
    if key not in _CACHE:
        from engine.sources.stream import open_binary

        with open_binary(path, source.compression) as handle:  # the first line only, decompressed
            _CACHE[key] = parse_header(handle.readline(HEADER_BYTES), source, path)
    return _CACHE[key]


def read_s3(url: str, source: Source, s3: Any = None) -> tuple[str, ...]:
    """The header of an S3 object, from its first bytes only (a ranged GET, never the whole object)."""
    from engine.sources.s3 import _aws_error, client, split_url

    bucket, key = split_url(url)
    sys.audit("etl_engine.remote_read", url)  # an answer built on it is not replayed (engine/fastpath.py)
    try:
        body = (
            (s3 or client(source.s3))
            .get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{HEADER_BYTES - 1}")["Body"]
            .read()
        )
    except Exception as exc:  # botocore raises many classes; all mean "cannot read"
        raise _aws_error(source, exc) from None
    return parse_header(body, source, url)


def match(header: tuple[str, ...], table: StagingTable, source: Source, file: str) -> Layout:
    """Map ``header`` onto ``table``'s columns by name (case-insensitive); missing columns are errors."""
    by_name: dict[str, list[int]] = {}
    loose: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        by_name.setdefault(name.lower(), []).append(i)
        loose.setdefault(_loose(name), []).append(i)
    fills: list[Column | None] = [None] * len(header)
    issues: list[Issue] = []
    where = Location(Path(file), 1) if "://" not in file else Location(None, 1, yaml_path=file)
    for column in table.columns:
        # the name as written (any case), else the same words spelled another way (user_id for userId)
        found = by_name.get(column.name.lower()) or loose.get(_loose(column.name), [])
        declared = table.column_locations.get(column.name, table.location)
        if not found:
            from engine.validate import suggest

            issues.append(
                Issue(
                    f"column '{column.name}' of staging table '{_name(table)}' is not in the header of "
                    f"{file} ({', '.join(header)})",
                    where,
                    suggest(column.name, list(header))
                    or f"rename it to a header field, or set match_columns: position on source "
                    f"'{source.name}' to fill columns by position",
                )
            )
            issues.append(Issue(f"'{column.name}' is declared here", declared))
        elif len(found) > 1:
            issues.append(
                Issue(
                    f"the header of {file} names '{column.name}' {len(found)} times "
                    f"(fields {', '.join(str(i + 1) for i in found)})",
                    where,
                    f"set match_columns: position on source '{source.name}'",
                )
            )
        else:
            fills[found[0]] = column
    if issues:
        raise ConfigError(issues)
    return Layout(header, tuple(fills))


def _loose(name: str) -> str:
    """A name without case or separators: ``userId``, ``user_id`` and ``USER-ID`` are one."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def layouts(paths: Iterable[str], table: StagingTable, source: Source) -> dict[str, Layout]:
    """Each local file's layout (files that do not exist yet, such as a plan's glob, are left out)."""
    out: dict[str, Layout] = {}
    for path in paths:
        if any(ch in path for ch in "*?["):
            continue
        out[path] = match(read_local(path, source), table, source, path)
    return out


def declared_layout(table: StagingTable) -> Layout:
    """The layout a plan shows before it has seen a file: the declared columns, in order."""
    return Layout(tuple(c.name for c in table.columns), tuple(table.columns))


def ignored_note(source: Source, found: Iterable[Layout]) -> str | None:
    """The one note a load gives about header fields it skipped."""
    names = list(dict.fromkeys(name for layout in found for name in layout.ignored))
    if not names:
        return None
    return f"source '{source.name}': header field(s) not declared as columns, not loaded: {', '.join(names)}"


def layout_of(path: str, table: StagingTable, source: Source) -> Layout:
    """The layout of a local file; a glob (a plan not yet listed) takes its first match, if any."""
    if not source.by_header:
        return declared_layout(table)
    if any(ch in path for ch in "*?["):
        from engine.sources.stream import expand

        found = expand([path])
        if not found:
            return declared_layout(table)
        for other in found[1:]:  # a plan (validate, --dry-run) checks every file's header
            match(read_local(other, source), table, source, other)
        path = found[0]
    return match(read_local(path, source), table, source, path)


def as_context(layout: Layout) -> dict[str, list[tuple[str, str]]]:
    """What a load template needs: every field read (name, type) and (field, column) for those loaded."""
    return {"read": layout.read_columns(), "select": [(h, c.name) for h, c in layout.filled]}


def by_layout(
    groups: list[tuple[str, list[str]]], table: StagingTable, source: Source
) -> list[tuple[str, list[str], dict[str, list[tuple[str, str]]]]]:
    """The load's file groups split further by header, so that one read covers files laid out alike."""
    out = []
    for compression, files in groups:
        split: dict[Layout, list[str]] = {}
        for path in files:
            split.setdefault(layout_of(path, table, source), []).append(path)
        out += [(compression, paths, as_context(layout)) for layout, paths in split.items()]
    return out


def _name(table: StagingTable) -> str:
    """The table's name as declared (a load may be rendered for its shadow)."""
    return table.location.yaml_path.rsplit(".", 1)[-1] or table.name


def load_note(source: Source, table: StagingTable, paths: Iterable[str]) -> str | None:
    """The run's one note about header fields a load skipped (None when every field is declared)."""
    if not source.by_header:
        return None
    return ignored_note(source, (layout_of(p, table, source) for p in paths))


def copy_layout(
    paths: Iterable[str], table: StagingTable, source: Source
) -> tuple[tuple[Column, ...], tuple[tuple[str, tuple[int, ...]], ...]]:
    """A streamed COPY's column list (the first file's header order) and the files to reorder on the way.

    A file passes through as bytes when its fields are exactly that list; any other file (another
    order, extra fields) is rewritten record by record to it.
    """
    paths = list(paths)
    if not source.by_header or not paths:
        return table.columns, ()
    first = layout_of(paths[0], table, source)
    columns = tuple(c for _, c in first.filled)
    reorder = []
    for path in paths:
        if any(ch in path for ch in "*?["):
            continue
        layout = first if path == paths[0] else layout_of(path, table, source)
        if layout.header == first.header and not layout.ignored:
            continue
        index = {c.name: i for i, c in enumerate(layout.fills) if c is not None}
        reorder.append((path, tuple(index[c.name] for c in columns)))
    return columns, tuple(reorder)


def s3_copy_columns(table: StagingTable, source: Source, s3: Any = None) -> tuple[Column, ...]:
    """A warehouse COPY's column list from S3 (Redshift): the first object's header, read by a ranged GET.

    COPY maps a file's fields to its column list by position and cannot skip a field, so a header
    field no column declares is an error here (the engine never sees the rows to drop it).
    """
    from engine.sources.s3 import _aws_error, client, split_url

    if not source.by_header or source.manifest:
        return table.columns
    bucket, prefix = split_url(source.path)
    s3 = s3 or client(source.s3)
    try:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/" if prefix else "", MaxKeys=100)
    except Exception as exc:  # botocore raises many classes; all mean "cannot list"
        raise _aws_error(source, exc) from None
    keys = [o["Key"] for o in listed.get("Contents", []) if not o["Key"].endswith("/")]
    if not keys:
        return table.columns  # nothing to read yet: COPY itself reports the empty prefix
    url = f"s3://{bucket}/{keys[0]}"
    layout = match(read_s3(url, source, s3), table, source, url)
    if layout.ignored:
        raise ConfigError(
            [
                Issue(
                    f"the header of {url} has field(s) staging table '{_name(table)}' does not declare: "
                    f"{', '.join(layout.ignored)}; Redshift COPY cannot skip a field",
                    source.location,
                    "declare them as columns of the staging table, or remove them from the files",
                )
            ]
        )
    return tuple(c for _, c in layout.filled)
