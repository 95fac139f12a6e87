"""Where a pipeline may read its source files from, and which URLs it understands.

A pipeline file may come from someone else, so what it names is not trusted to point
anywhere: a source path (and a JSONPaths file) must resolve inside the pipeline's own
folder, the working directory, or a root the user allows explicitly: ``allowed_roots:``
in the pipeline, ``--allow-path DIR`` on the command line, or a path the user typed as a
``--var`` value.  Both the path as written and the path its links lead to must be inside.
URLs are either understood (``s3://bucket/prefix``) or refused at validate, never a
traceback at run time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from engine.config import Pipeline
from engine.errors import Issue, Location

#: URL schemes a source may name; anything else before ``://`` is refused
SCHEMES = ("s3",)
#: S3's rules for bucket names: 3 to 63 characters, lowercase letters, digits, dots and hyphens
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def explicit_roots(values: Iterable[str], base: Path) -> tuple[Path, ...]:
    """Folders named by the user, made absolute against ``base``; URLs are not folders."""
    return tuple(
        Path(os.path.normpath(base / Path(v).expanduser()))
        for v in values
        if isinstance(v, str) and v.strip() and "://" not in v
    )


def roots(pipeline: Pipeline) -> list[str]:
    """Every folder the pipeline's sources may read from, as written and with links resolved."""
    out: list[str] = []
    for root in (pipeline.root, Path.cwd(), *pipeline.allowed_roots):
        for form in (os.path.abspath(root), os.path.realpath(root)):
            if form not in out:
                out.append(form)
    return out


def inside(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def allowed(path: str, folders: list[str]) -> bool:
    """The path as written and the file or folder it leads to are both inside an allowed folder."""
    return inside(os.path.abspath(path), folders) and inside(os.path.realpath(path), folders)


def location_issues(pipeline: Pipeline) -> list[Issue]:
    """Every source path and JSONPaths file that names an unknown URL scheme, no bucket, or a place outside."""
    folders = roots(pipeline)
    issues: list[Issue] = []
    for name, source in pipeline.sources.items():
        for key, value in (("path", source.path), ("jsonpaths", source.jsonpaths)):
            if value:
                where = pipeline.document.locate(("sources", name, key))
                issues.extend(_check(value, where, folders, "source" if key == "path" else "JSONPaths file"))
    return issues


def _check(value: str, where: Location, folders: list[str], what: str) -> list[Issue]:
    if "://" in value:
        return url_issues(value, where, what)
    if allowed(value, folders):
        return []
    return [
        Issue(
            f"{what} {value} is outside the pipeline's folder and the working directory",
            where,
            "allow its folder explicitly: --allow-path DIR on the command line, or allowed_roots: [DIR] "
            "in the pipeline",
        )
    ]


def url_issues(url: str, where: Location, what: str = "source") -> list[Issue]:
    """A URL the engine can read, or the reason it cannot (one line, with what would work)."""
    match = _SCHEME.match(url)
    scheme = match.group(1) if match else url.partition("://")[0]
    if scheme.lower() not in SCHEMES:
        return [
            Issue(
                f"{what} {url!r}: the URL scheme {scheme + '://'!r} is not supported",
                where,
                "a local folder (relative to the pipeline's folder) or s3://bucket/prefix",
            )
        ]
    if scheme != scheme.lower():
        return [Issue(f"{what} {url!r}: write the scheme as s3://", where)]
    bucket = url[len("s3://") :].partition("/")[0]
    if not bucket:
        return [Issue(f"{what} {url!r} names no bucket", where, "s3://bucket/prefix")]
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        return [
            Issue(
                f"{what} {url!r}: {bucket!r} is not a valid S3 bucket name",
                where,
                "3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit",
            )
        ]
    return []
