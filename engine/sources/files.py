"""Finding a source's files on the local disk."""

from __future__ import annotations

import glob
import os

from engine.config import Source
from engine.errors import ConfigError, Issue

DEFAULT_INCLUDE = {"json": ("**/*.json", "**/*.json.gz"), "csv": ("**/*.csv", "**/*.csv.gz"),
                   "parquet": ("**/*.parquet",)}


def include_patterns(source: Source) -> tuple[str, ...]:
    return source.include or DEFAULT_INCLUDE[source.format]


def local_globs(source: Source) -> list[str]:
    """Absolute glob patterns that match at least one file; raise if none matches any.

    The warehouse does the actual listing (one statement per source); we only make sure
    the statement will not fail on a pattern with no match, and fail early with a clear
    message when the folder is missing or empty.
    """
    if not os.path.isdir(source.path):
        raise ConfigError([Issue(f"source folder not found: {source.path}", source.location)])
    patterns = [os.path.join(source.path, p) for p in include_patterns(source)]
    matching = [p for p in patterns if any(os.path.isfile(f) for f in glob.iglob(p, recursive=True))]
    if not matching:
        raise ConfigError([Issue(f"no files in {source.path} match {', '.join(include_patterns(source))}",
                                 source.location)])
    return matching
