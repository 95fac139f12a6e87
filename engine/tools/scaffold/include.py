"""The shortest ``include:`` globs that make the loader read exactly a source's files."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from engine.tools.scaffold.model import _TOKENS, DataFile, DraftSource


def _matches(base: str, patterns: Sequence[str]) -> list[str]:
    from engine.sources.stream import expand

    return sorted(expand([os.path.join(base, p) for p in patterns]))


def _glob_for(f: DataFile, base: str, by_suffix: bool = False) -> str:
    """``**/*.tsv`` (by_suffix) or ``**/2018-*-*-events.json``: a glob for ``f`` and files like it."""
    rel = PurePosixPath(Path(os.path.relpath(f.path, base)).as_posix())
    stem = (
        "*"
        if by_suffix
        else "".join("*" if any(ch.isdigit() for ch in tok) else glob.escape(tok) for tok in _TOKENS.findall(f.stem))
    )
    name = stem + glob.escape(f.suffix)
    return ("**/" if len(rel.parts) > 1 else "") + name


def include_for(src: DraftSource, folder: str) -> list[str] | None:
    """The shortest ``include:`` that makes the loader read exactly this source's files.

    None when the format's default globs already do; else the files' name patterns;
    else the files themselves, listed.
    """
    from engine.sources.files import DEFAULT_INCLUDE

    base = os.path.join(folder, src.top) if src.top else folder
    want = sorted(f.path for f in src.files)
    if _matches(base, DEFAULT_INCLUDE[src.format]) == want:
        return None
    for patterns in (
        sorted({_glob_for(f, base) for f in src.files}),
        sorted({_glob_for(f, base, by_suffix=True) for f in src.files}),
    ):
        if len(patterns) <= 8 and _matches(base, patterns) == want:
            return patterns
    return [glob.escape(Path(os.path.relpath(f.path, base)).as_posix()) for f in src.files]
