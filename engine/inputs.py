"""What a load reads: the source's files, listed, identified and brought local.

At plan time (dry run, validate) nothing is listed remotely: a load shows the glob
patterns it will read.  At run time the runner lists the files with their identity
(size plus mtime or ETag), keeps those the warehouse has not loaded yet when the run
is incremental, downloads S3 objects for targets that read local files, and renders
the load over exactly that list.  The identities go into the warehouse's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from engine.config import Pipeline, Source
from engine.errors import ConfigError, Issue
from engine.sources.files import Walk, include_patterns, list_local, local_globs
from engine.sources.jsonpaths import read_jsonpaths

#: where a source counts as "many tiny files" (the run warns, pointing here)
TINY_FILE_BYTES = 64 * 1024
MANY_FILES = 1000


@dataclass(frozen=True)
class FileEntry:
    """One file of a source, as the manifest records it."""

    key: str  # the path below the source's folder or prefix
    size: int
    version: str  # mtime in ns (local) or ETag (S3): a changed file gets a new version
    location: str  # local path or s3:// URL


@dataclass(frozen=True)
class LoadFiles:
    """What an adapter's load reads: local paths or glob patterns, and the JSONPaths mapping."""

    paths: tuple[str, ...]
    jsonpaths: list[list[str | int]] | None = None
    #: the paths are glob patterns (a plan shown before listing), not files listed by a run; a listed
    #: file's name may hold glob characters (``data [x]*?``) and still names one file
    patterns: bool = False


def cache_dir(pipeline: Pipeline) -> Path:
    """Downloads live beside the pipeline, so a re-run finds them (and skips unchanged ones)."""
    return pipeline.root / ".etl-engine" / "cache"


def plan_jsonpaths(source: Source, cache: Path) -> list[list[str | int]] | None:
    """The source's JSONPaths, read (from the cache for an S3 file, fetched when not there yet)."""
    if not source.jsonpaths:
        return None
    if "://" in source.jsonpaths:
        from engine.sources.s3 import cache_path, split_url

        bucket, key = split_url(source.jsonpaths)
        local = cache_path(cache, bucket, key)
        if not local.exists():
            from engine.sources.s3 import fetch_jsonpaths

            local = fetch_jsonpaths(source.jsonpaths, source, cache)
        return read_jsonpaths(local, source.location)
    return read_jsonpaths(Path(source.jsonpaths), source.location)


def plan_files(source: Source, cache: Path) -> LoadFiles:
    """The files a load reads as the plan shows them: no remote listing, no download."""
    jsonpaths = plan_jsonpaths(source, cache)
    if source.is_remote:
        from engine.sources.s3 import cache_path, split_url

        bucket, prefix = split_url(source.path)
        root = cache_path(cache, bucket, prefix)
        return LoadFiles(tuple(str(root / p) for p in include_patterns(source)), jsonpaths, patterns=True)
    return LoadFiles(tuple(local_globs(source)), jsonpaths, patterns=True)


def list_files(source: Source, notes: list[str] | None = None) -> list[FileEntry]:
    """Every file of the source now, include and exclude globs applied, in a stable order.

    What the listing skipped (symbolic links not followed, a file's second name) is said in
    ``notes`` when given.
    """
    from engine.sources.s3 import globs_matcher

    excluded = globs_matcher(source.exclude) if source.exclude else None
    if source.is_remote:
        from engine.sources.s3 import list_files as list_s3

        bucket = source.path[5:].partition("/")[0]
        prefix = source.path.rstrip("/")
        out = []
        for f in list_s3(source, include_patterns(source)):
            key = f"s3://{bucket}/{f.key}"[len(prefix) + 1 :]
            if excluded is None or not excluded(key):
                out.append(FileEntry(key, f.size, f.etag, f"s3://{bucket}/{f.key}"))
        return out
    report = Walk()
    listed = list(list_local(source, report))
    found = [
        FileEntry(key, st.st_size, str(st.st_mtime_ns), path)
        for key, path, st in listed
        if excluded is None or not excluded(key)
    ]
    if notes is not None:
        notes.extend(report.notes(source.name))
    if not found:
        why = "every file is excluded" if listed else f"no file matches {', '.join(include_patterns(source))}"
        skipped = "".join(f"; {note}" for note in report.notes(source.name))
        raise ConfigError([Issue(f"nothing to load from {source.path}: {why}{skipped}", source.location)])
    return sorted(found, key=attrgetter("key"))


def localise(source: Source, files: list[FileEntry], cache: Path) -> tuple[str, ...]:
    """Local paths for the files: S3 objects are downloaded (unchanged ones stay cached)."""
    if not source.is_remote:
        return tuple(f.location for f in files)
    from engine.sources.s3 import RemoteFile, download

    bucket = source.path[5:].partition("/")[0]
    remote = [RemoteFile(f.location[len(f"s3://{bucket}/") :], f.size, f.version) for f in files]
    return tuple(download(source, remote, cache))


def tiny_files_note(source: str, sizes: list[int]) -> str | None:
    """A warning when a source is many small files, which COPY (and any reader) pays for per file."""
    if len(sizes) < MANY_FILES:
        return None
    average = sum(sizes) / len(sizes)
    if average >= TINY_FILE_BYTES:
        return None
    return (
        f"source '{source}' is {len(sizes):,} files averaging {average:,.0f} bytes; each file costs a "
        f"request and a read: `etl-engine compact` combines them into a few large ones"
    )
