"""Combine a source's many small files into few large ones, for a faster COPY.

Redshift loads a prefix in parallel across its slices, but each object costs a
request and a slice's share of the work; a source of one tiny file per record is the
worst case.  AWS recommends files of about equal size, 1 MB to 1 GB compressed, in a
number that is a multiple of the slices (docs/scaling.md).  This reads the source
with DuckDB (downloading it first when it is on S3) and writes gzip'd parts of about
``target_bytes``, to a folder or an S3 prefix.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.config import Source
from engine.errors import ConfigError, Issue, Location, TargetError


@dataclass(frozen=True)
class Compacted:
    files_in: int
    bytes_in: int
    files_out: int
    bytes_out: int
    where: str


def compact(source: Source, out: str, target_bytes: int, cache: Path) -> Compacted:
    """Read every file of ``source`` and write parts of about ``target_bytes`` to ``out``."""
    import duckdb

    from engine.inputs import list_files, localise
    from engine.render import SqlRenderer

    entries = list_files(source)
    paths = localise(source, entries, cache)
    renderer = SqlRenderer("duckdb", "duckdb")
    remote = out.startswith("s3://")
    staging = Path(tempfile.mkdtemp(prefix="etl-compact-")) if remote else Path(out)
    if not remote and staging.exists() and any(staging.iterdir()):
        raise ConfigError([Issue(f"output folder {out} is not empty", Location(None))])
    staging.parent.mkdir(parents=True, exist_ok=True)
    sql = renderer.template(
        "compact.sql",
        files=paths,
        format=source.format,
        header=source.header,
        out=str(staging),
        target_bytes=int(target_bytes),
    )
    try:
        duckdb.connect().execute(sql)
    except duckdb.Error as exc:
        raise TargetError(f"cannot compact source '{source.name}': {exc}", "compact", sql) from None
    written = sorted(p for p in staging.rglob("*") if p.is_file())
    if remote:
        _upload(written, staging, out, source)
    return Compacted(
        len(entries), sum(e.size for e in entries), len(written), sum(p.stat().st_size for p in written), out
    )


def _upload(files: list[Path], root: Path, out: str, source: Source) -> None:
    from engine.sources.s3 import client, split_url

    bucket, prefix = split_url(out)
    s3 = client(source.s3)
    try:
        for path in files:
            key = "/".join(p for p in (prefix, path.relative_to(root).as_posix()) if p)
            s3.upload_file(str(path), bucket, key)
    except Exception as exc:
        raise TargetError(f"cannot upload to {out}: {str(exc).splitlines()[0]}", "compact") from None
    finally:
        for path in files:
            os.unlink(path)
