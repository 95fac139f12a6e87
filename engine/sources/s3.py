"""S3 sources for targets that read local files (DuckDB, PostgreSQL): list, then download.

Listing gives each object's key, size and ETag, which is what the incremental
manifest records.  Objects are streamed to a cache folder (``download_fileobj``
writes in chunks; nothing is held whole in memory) by a small thread pool, because
a source may be thousands of tiny objects and each GET is a round trip.
A cached object whose size and ETag still match is not fetched again.

Access follows boto3's own settings (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL ...)
unless the source's ``s3:`` block says otherwise; with no credentials at all the
requests go unsigned, so public buckets need no account.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.config import S3Options, Source
from engine.errors import ConfigError, Issue, TargetError

WORKERS = 16


@dataclass(frozen=True)
class RemoteFile:
    key: str
    size: int
    etag: str


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix")``."""
    if not url.startswith("s3://"):
        raise ValueError(f"not an S3 URL: {url}")
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as the local reader means it: ``*`` within a folder, ``**/`` any depth (or none)."""
    return re.compile(_glob_body(pattern) + r"\Z", re.DOTALL)


def globs_matcher(patterns: tuple[str, ...] | list[str]) -> Callable[[str], bool]:
    """Whether a key matches any of ``patterns`` (none: never), as ``glob_regex`` reads each: a listing asks
    it once per file, where a loop over the patterns cost a fifth of listing 10,000 files. ``**/*.json``
    and the like (any depth, a fixed ending) are a suffix test, ten times cheaper than the expression."""
    if not patterns:
        return _never
    suffixes = [p[4:] for p in patterns if p.startswith("**/*") and not any(c in p[4:] for c in "*?[]/")]
    if len(suffixes) == len(patterns):
        ends = tuple(suffixes)
        return lambda key: key.endswith(ends)
    match = re.compile("(?:" + "|".join(_glob_body(p) for p in patterns) + r")\Z", re.DOTALL).match
    return lambda key: match(key) is not None


def _never(key: str) -> bool:
    return False


def _glob_body(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return out


def client(options: S3Options | None) -> Any:
    """A boto3 S3 client for the source: its own region/profile/endpoint, unsigned if need be."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    opts = options or S3Options()
    session = boto3.Session(profile_name=opts.profile) if opts.profile else boto3.Session()
    anonymous = opts.anonymous if opts.anonymous is not None else session.get_credentials() is None
    config = (
        Config(signature_version=UNSIGNED, max_pool_connections=WORKERS)
        if anonymous
        else Config(max_pool_connections=WORKERS)
    )
    return session.client("s3", region_name=opts.region, endpoint_url=opts.endpoint_url, config=config)


def _aws_error(source: Source, exc: Exception) -> TargetError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return TargetError(f"source '{source.name}' ({source.path}): {text}", step=f"load:{source.name}")


def list_files(source: Source, patterns: Iterable[str], s3: Any = None) -> list[RemoteFile]:
    """Every object under the source's prefix that one of the include patterns matches."""
    bucket, prefix = split_url(source.path)
    wanted = globs_matcher(tuple(patterns))
    s3 = s3 or client(source.s3)
    found: list[RemoteFile] = []
    try:
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                relative = key[len(prefix) + 1 :] if prefix else key
                if key.endswith("/") or not wanted(relative):
                    continue
                found.append(RemoteFile(key, int(obj["Size"]), str(obj.get("ETag", "")).strip('"')))
    except Exception as exc:  # botocore raises many unrelated classes; all mean "cannot list"
        raise _aws_error(source, exc) from None
    if not found:
        raise ConfigError([Issue(f"no objects under {source.path} match {', '.join(patterns)}", source.location)])
    return sorted(found, key=lambda f: f.key)


def cache_path(cache: Path, bucket: str, key: str) -> Path:
    """Where an object lives locally; keys cannot climb out of the cache folder."""
    parts = [p for p in key.split("/") if p not in ("", ".", "..")]
    return cache.joinpath(bucket, *parts)


def download(source: Source, files: list[RemoteFile], cache: Path, s3: Any = None) -> list[str]:
    """Fetch the objects into ``cache`` (skipping unchanged ones); their local paths, in order."""
    bucket, _ = split_url(source.path)
    s3 = s3 or client(source.s3)
    targets = [cache_path(cache, bucket, f.key) for f in files]

    def fetch(item: tuple[RemoteFile, Path]) -> None:
        remote, local = item
        marker = local.with_name(local.name + ".etag")
        if (
            local.exists()
            and local.stat().st_size == remote.size
            and marker.exists()
            and marker.read_text() == remote.etag
        ):
            return
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(local.name + ".part")
        with open(partial, "wb") as handle:
            s3.download_fileobj(bucket, remote.key, handle)
        os.replace(partial, local)
        marker.write_text(remote.etag)

    try:
        from concurrent.futures import ThreadPoolExecutor  # here: its import is a tenth of a cold validate

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(fetch, zip(files, targets, strict=True)))
    except OSError as exc:
        raise TargetError(f"cannot write the download cache {cache}: {exc}") from None
    except Exception as exc:
        raise _aws_error(source, exc) from None
    return [str(t) for t in targets]


def fetch_jsonpaths(url: str, source: Source, cache: Path) -> Path:
    """A JSONPaths file named by an S3 URL, fetched once so every target can map by position."""
    bucket, key = split_url(url)
    local = cache_path(cache, bucket, key)
    s3 = client(source.s3)
    try:
        local.parent.mkdir(parents=True, exist_ok=True)
        with open(local, "wb") as handle:
            s3.download_fileobj(bucket, key, handle)
        json.loads(local.read_text(encoding="utf-8-sig"))
    except ValueError:
        raise ConfigError([Issue(f"the JSONPaths file {url} is not JSON", source.location)]) from None
    except Exception as exc:
        raise _aws_error(source, exc) from None
    return local
